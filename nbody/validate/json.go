package validate

import (
	"encoding/json"

	"github.com/nbody-go/nbody/nbody/internal/jsonnum"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// expectedJSON is the rate expected of a GPU, in a GPU's record.
type expectedJSON struct {
	GIps   jsonnum.Float `json:"billion_interactions_per_second"`
	Source expect.Source `json:"source"`                                // "measured" or "model"
	Basis  string        `json:"basis"`                                 // what the figure is for: "NVIDIA H200 (measured)"
	Share  jsonnum.Float `json:"share"`                                 // the median window's rate over it
	Model  *float64      `json:"model_billion_interactions_per_second"` // null: the model knows nothing of the chip
}

// MarshalJSON implements json.Marshaler: the run, and a record per GPU
// with every figure, the rate expected of it, its state before and after
// and what the readings of the whole run add up to, and the verdict. A
// reading not reported is null.
func (v Result) MarshalJSON() ([]byte, error) {
	type gpuJSON struct {
		Ordinal       int             `json:"ordinal"`
		Name          string          `json:"name"`
		UUID          string          `json:"uuid,omitempty"`
		GInteractions jsonnum.Float   `json:"billion_interactions_per_second"` // the median window's
		Min           jsonnum.Float   `json:"min_billion_interactions_per_second"`
		Max           jsonnum.Float   `json:"max_billion_interactions_per_second"`
		Windows       []jsonnum.Float `json:"windows"` // each window's rate, in order
		Ratio         jsonnum.Float   `json:"ratio_to_median"`
		Accuracy      jsonnum.Float   `json:"accuracy_l2_error"` // the worst check's
		Bound         float64         `json:"accuracy_bound"`
		Checks        int             `json:"accuracy_checks"`
		Expected      *expectedJSON   `json:"expected"`                 // null: unknown
		NoExpectation string          `json:"no_expectation,omitempty"` // why expected is null
		ClockEvents   []string        `json:"clock_events_during_run"`  // the reasons seen while the windows ran
		LowestSMClock *int            `json:"lowest_sm_clock_mhz_during_run"`
		PCIe          *PCIeLink       `json:"pcie"`   // the fastest the link ran during the windows
		NVLink        *NVLinks        `json:"nvlink"` // the reading with the most links down
		RowRemapping  *RowRemapping   `json:"row_remapping"`
		RetiredPages  *bool           `json:"retired_pages_pending"`
		PowerLimit    *float64        `json:"power_limit_w"` // the lowest enforced
		DefaultLimit  *float64        `json:"default_power_limit_w"`
		Others        []Process       `json:"other_processes"`
		Before        *Reading        `json:"before,omitempty"`
		After         *Reading        `json:"after,omitempty"`
		TelemetryErr  string          `json:"telemetry_error,omitempty"`
		Err           string          `json:"error,omitempty"`
		Passed        bool            `json:"passed"`
		Reasons       []string        `json:"reasons"`
	}
	gpus := make([]gpuJSON, len(v.GPUs))
	for i, g := range v.GPUs {
		rates := make([]jsonnum.Float, len(g.Windows))
		lo, hi := 0.0, 0.0
		for k, w := range g.Windows {
			rates[k] = jsonnum.Float(w.GInteractions)
			if k == 0 || w.GInteractions < lo {
				lo = w.GInteractions
			}
			hi = max(hi, w.GInteractions)
		}
		gpus[i] = gpuJSON{Ordinal: g.Device.Ordinal, Name: g.Device.Name, UUID: g.UUID(), GInteractions: jsonnum.Float(g.Rate()),
			Min: jsonnum.Float(lo), Max: jsonnum.Float(hi), Windows: rates, Ratio: jsonnum.Float(g.Ratio), Accuracy: jsonnum.Float(g.Accuracy),
			Bound: g.AccuracyBound, Checks: g.Checks, Before: g.Before, After: g.After, Passed: g.Passed, Reasons: g.Reasons}
		ob := g.Observed
		gpus[i].NoExpectation, gpus[i].ClockEvents, gpus[i].PCIe, gpus[i].NVLink = g.NoExpectation, ob.ClockEvents, ob.PCIe, ob.NVLink
		gpus[i].RowRemapping, gpus[i].RetiredPages, gpus[i].Others = ob.RowRemapping, ob.RetiredPagesPending, ob.OtherProcesses
		gpus[i].PowerLimit, gpus[i].DefaultLimit = ob.PowerLimitW, ob.DefaultPowerLimitW
		gpus[i].LowestSMClock = known(ob.LowestSMClockMHz > 0, ob.LowestSMClockMHz)
		if e := g.Expected; e != nil {
			gpus[i].Expected = &expectedJSON{jsonnum.Float(e.GIps), e.Source, e.Basis, jsonnum.Float(g.Share), known(e.ModelGIps > 0, e.ModelGIps)}
		}
		if gpus[i].Reasons == nil {
			gpus[i].Reasons = []string{}
		}
		if g.TelemetryErr != nil {
			gpus[i].TelemetryErr = g.TelemetryErr.Error()
		}
		if g.Err != nil {
			gpus[i].Err = g.Err.Error()
		}
	}
	return json.Marshal(struct {
		Bodies          int           `json:"bodies"`
		Steps           int           `json:"steps,omitempty"`
		DurationSeconds float64       `json:"duration_seconds,omitempty"`
		ElapsedSeconds  jsonnum.Float `json:"elapsed_seconds"`
		Interrupted     bool          `json:"interrupted"`
		Passed          bool          `json:"passed"`
		GPUs            []gpuJSON     `json:"gpus"`
	}{v.Bodies, v.Steps, v.Duration.Seconds(), jsonnum.Float(v.Elapsed.Seconds()), v.Interrupted, v.Passed(), gpus})
}
