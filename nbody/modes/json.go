package modes

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/nbody-go/nbody/nbody"
)

// The results' JSON forms are the machine-readable record of a run, the
// same for every program that prints one: every figure at full precision
// (the sample's text rounds to three decimals), NaN and infinities as null.

// MarshalJSON implements json.Marshaler.
func (r BenchmarkResult) MarshalJSON() ([]byte, error) {
	f := r.Figures
	return json.Marshal(struct {
		Iterations          int       `json:"iterations"`
		TimeStep            float64   `json:"dt"`
		TotalMilliseconds   jsonFloat `json:"total_ms"`
		GInteractions       jsonFloat `json:"billion_interactions_per_second"`
		GFLOPS              jsonFloat `json:"gflops"`
		FlopsPerInteraction int       `json:"flops_per_interaction"`
	}{f.Steps, r.End.DT, jsonFloat(f.Milliseconds), jsonFloat(f.GInteractions), jsonFloat(f.GFLOPS), f.FlopsPerInteraction})
}

// mismatchJSON is one position value outside the tolerance.
type mismatchJSON struct {
	Body      int       `json:"body"`
	Component string    `json:"component"` // x, y, z or mass
	Host      jsonFloat `json:"host"`
	Device    jsonFloat `json:"device"`
}

var componentNames = [4]string{"x", "y", "z", "mass"}

// MarshalJSON implements json.Marshaler.
func (c Comparison) MarshalJSON() ([]byte, error) {
	errs := []mismatchJSON{}
	for _, m := range c.Positions.Mismatches {
		errs = append(errs, mismatchJSON{m.Index / 4, componentNames[m.Index%4], jsonFloat(m.Host), jsonFloat(m.Device)})
	}
	return json.Marshal(struct {
		Compared    string         `json:"compared"`  // the integrator held to the reference
		Reference   string         `json:"reference"` // the float64 CPU reference
		Steps       int            `json:"steps"`
		TimeStep    float64        `json:"dt"`
		Values      int            `json:"values"`
		Tolerance   float64        `json:"tolerance"`
		Outside     int            `json:"outside"`
		Errors      []mismatchJSON `json:"errors"` // the first MaxListedMismatches
		MaxRelError jsonFloat      `json:"max_relative_error"`
		RMSRelError jsonFloat      `json:"rms_relative_error"`
		AccelError  jsonFloat      `json:"acceleration_l2_error"`
		AccelBound  float64        `json:"acceleration_bound"`
		Passed      bool           `json:"passed"`
	}{c.Compared, c.Reference, c.Steps, c.DT, c.Positions.Values, c.Positions.Tolerance, c.Positions.Outside(), errs,
		jsonFloat(c.Positions.MaxRelError), jsonFloat(c.Positions.RMSRelError),
		jsonFloat(c.Acceleration.Error), c.Acceleration.Bound, c.Passed()})
}

// MarshalJSON implements json.Marshaler: the steps, their simulation time
// and figures, and what was drawn.
func (r ViewResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Steps             int       `json:"steps"`
		TimeStep          float64   `json:"dt"`
		Interrupted       bool      `json:"interrupted"`
		TotalMilliseconds jsonFloat `json:"total_ms"` // simulation time, as the integrator measured it
		WallSeconds       jsonFloat `json:"wall_seconds"`
		GInteractions     jsonFloat `json:"billion_interactions_per_second"`
		GFLOPS            jsonFloat `json:"gflops"`
		Render            string    `json:"render,omitempty"`
		Frames            int       `json:"frames,omitempty"` // frames written
		Every             int       `json:"every,omitempty"`
		Width             int       `json:"width,omitempty"`
		Height            int       `json:"height,omitempty"`
	}{r.End.Steps, r.End.DT, r.Interrupted, jsonFloat(r.Figures.Milliseconds), jsonFloat(r.Wall.Seconds()),
		jsonFloat(r.Figures.GInteractions), jsonFloat(r.Figures.GFLOPS),
		r.Drawn.Path, r.Drawn.Frames, r.Drawn.Every, r.Drawn.Width, r.Drawn.Height})
}

// energyStateJSON is the energy and momentum of the bodies at one time.
type energyStateJSON struct {
	Kinetic   jsonFloat    `json:"kinetic"`
	Potential jsonFloat    `json:"potential"`
	Total     jsonFloat    `json:"total"`
	Momentum  [3]jsonFloat `json:"momentum"`
}

func energyStateOf(s nbody.EnergyState) energyStateJSON {
	return energyStateJSON{jsonFloat(s.Kinetic), jsonFloat(s.Potential), jsonFloat(s.Total()), vectorJSON(s.Momentum)}
}

// MarshalJSON implements json.Marshaler; a drift from zero energy is null.
func (r EnergyResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Steps          int             `json:"steps"`
		TimeStep       float64         `json:"dt"`
		Start          energyStateJSON `json:"start"`
		End            energyStateJSON `json:"end"`
		Drift          jsonFloat       `json:"relative_drift"`
		MomentumChange [3]jsonFloat    `json:"momentum_change"`
		MeasureSeconds float64         `json:"measure_seconds"`
	}{r.Steps, r.DT, energyStateOf(r.Start), energyStateOf(r.End), jsonFloat(r.Drift()),
		vectorJSON(r.MomentumChange()), r.Took.Seconds()})
}

func vectorJSON(v [3]float64) [3]jsonFloat {
	return [3]jsonFloat{jsonFloat(v[0]), jsonFloat(v[1]), jsonFloat(v[2])}
}

// jsonFloat is a float64 that encodes NaN and infinities as null, which
// encoding/json would otherwise refuse.
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// MarshalJSON implements json.Marshaler: the run, and a record per GPU
// with every figure, its state before and after, and the verdict.
func (v Validation) MarshalJSON() ([]byte, error) {
	type gpuJSON struct {
		Ordinal       int         `json:"ordinal"`
		Name          string      `json:"name"`
		UUID          string      `json:"uuid,omitempty"`
		GInteractions jsonFloat   `json:"billion_interactions_per_second"` // the median window's
		Min           jsonFloat   `json:"min_billion_interactions_per_second"`
		Max           jsonFloat   `json:"max_billion_interactions_per_second"`
		Windows       []jsonFloat `json:"windows"` // each window's rate, in order
		Ratio         jsonFloat   `json:"ratio_to_median"`
		Accuracy      jsonFloat   `json:"accuracy_l2_error"` // the worst check's
		Bound         float64     `json:"accuracy_bound"`
		Checks        int         `json:"accuracy_checks"`
		Before        *Reading    `json:"before,omitempty"`
		After         *Reading    `json:"after,omitempty"`
		TelemetryErr  string      `json:"telemetry_error,omitempty"`
		Err           string      `json:"error,omitempty"`
		Passed        bool        `json:"passed"`
		Reasons       []string    `json:"reasons"`
	}
	gpus := make([]gpuJSON, len(v.GPUs))
	for i, g := range v.GPUs {
		rates := make([]jsonFloat, len(g.Windows))
		lo, hi := 0.0, 0.0
		for k, w := range g.Windows {
			rates[k] = jsonFloat(w.GInteractions)
			if k == 0 || w.GInteractions < lo {
				lo = w.GInteractions
			}
			hi = max(hi, w.GInteractions)
		}
		gpus[i] = gpuJSON{Ordinal: g.Device.Ordinal, Name: g.Device.Name, UUID: g.UUID(), GInteractions: jsonFloat(g.Rate()),
			Min: jsonFloat(lo), Max: jsonFloat(hi), Windows: rates, Ratio: jsonFloat(g.Ratio), Accuracy: jsonFloat(g.Accuracy),
			Bound: g.AccuracyBound, Checks: g.Checks, Before: g.Before, After: g.After, Passed: g.Passed, Reasons: g.Reasons}
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
		Bodies          int       `json:"bodies"`
		Steps           int       `json:"steps,omitempty"`
		DurationSeconds float64   `json:"duration_seconds,omitempty"`
		ElapsedSeconds  jsonFloat `json:"elapsed_seconds"`
		Interrupted     bool      `json:"interrupted"`
		Passed          bool      `json:"passed"`
		GPUs            []gpuJSON `json:"gpus"`
	}{v.Bodies, v.Steps, v.Duration.Seconds(), jsonFloat(v.Elapsed.Seconds()), v.Interrupted, v.Passed(), gpus})
}
