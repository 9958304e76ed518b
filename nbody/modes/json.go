package modes

import (
	"encoding/json"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/internal/jsonnum"
)

// The results' JSON forms are the machine-readable record of a run, the
// same for every program that prints one: every figure at full precision
// (the sample's text rounds to three decimals), NaN and infinities as null.

// MarshalJSON implements json.Marshaler.
func (r BenchmarkResult) MarshalJSON() ([]byte, error) {
	f := r.Figures
	return json.Marshal(struct {
		Iterations          int           `json:"iterations"`
		TimeStep            float64       `json:"dt"`
		TotalMilliseconds   jsonnum.Float `json:"total_ms"`
		GInteractions       jsonnum.Float `json:"billion_interactions_per_second"`
		GFLOPS              jsonnum.Float `json:"gflops"`
		FlopsPerInteraction int           `json:"flops_per_interaction"`
	}{f.Steps, r.End.DT, jsonnum.Float(f.Milliseconds), jsonnum.Float(f.GInteractions), jsonnum.Float(f.GFLOPS), f.FlopsPerInteraction})
}

// mismatchJSON is one position value outside the tolerance.
type mismatchJSON struct {
	Body      int           `json:"body"`
	Component string        `json:"component"` // x, y, z or mass
	Host      jsonnum.Float `json:"host"`
	Device    jsonnum.Float `json:"device"`
}

var componentNames = [4]string{"x", "y", "z", "mass"}

// MarshalJSON implements json.Marshaler.
func (c Comparison) MarshalJSON() ([]byte, error) {
	errs := []mismatchJSON{}
	for _, m := range c.Positions.Mismatches {
		errs = append(errs, mismatchJSON{m.Index / 4, componentNames[m.Index%4], jsonnum.Float(m.Host), jsonnum.Float(m.Device)})
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
		MaxRelError jsonnum.Float  `json:"max_relative_error"`
		RMSRelError jsonnum.Float  `json:"rms_relative_error"`
		AccelError  jsonnum.Float  `json:"acceleration_l2_error"`
		AccelBound  float64        `json:"acceleration_bound"`
		Passed      bool           `json:"passed"`
	}{c.Compared, c.Reference, c.Steps, c.DT, c.Positions.Values, c.Positions.Tolerance, c.Positions.Outside(), errs,
		jsonnum.Float(c.Positions.MaxRelError), jsonnum.Float(c.Positions.RMSRelError),
		jsonnum.Float(c.Acceleration.Error), c.Acceleration.Bound, c.Passed()})
}

// MarshalJSON implements json.Marshaler: the steps, their simulation time
// and figures, and what was drawn.
func (r ViewResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Steps             int           `json:"steps"`
		TimeStep          float64       `json:"dt"`
		Interrupted       bool          `json:"interrupted"`
		TotalMilliseconds jsonnum.Float `json:"total_ms"` // simulation time, as the integrator measured it
		WallSeconds       jsonnum.Float `json:"wall_seconds"`
		GInteractions     jsonnum.Float `json:"billion_interactions_per_second"`
		GFLOPS            jsonnum.Float `json:"gflops"`
		Render            string        `json:"render,omitempty"`
		Frames            int           `json:"frames,omitempty"` // frames written
		Every             int           `json:"every,omitempty"`
		Width             int           `json:"width,omitempty"`
		Height            int           `json:"height,omitempty"`
	}{r.End.Steps, r.End.DT, r.Interrupted, jsonnum.Float(r.Figures.Milliseconds), jsonnum.Float(r.Wall.Seconds()),
		jsonnum.Float(r.Figures.GInteractions), jsonnum.Float(r.Figures.GFLOPS),
		r.Drawn.Path, r.Drawn.Frames, r.Drawn.Every, r.Drawn.Width, r.Drawn.Height})
}

// energyStateJSON is the energy and momentum of the bodies at one time.
type energyStateJSON struct {
	Kinetic   jsonnum.Float    `json:"kinetic"`
	Potential jsonnum.Float    `json:"potential"`
	Total     jsonnum.Float    `json:"total"`
	Momentum  [3]jsonnum.Float `json:"momentum"`
}

func energyStateOf(s nbody.EnergyState) energyStateJSON {
	return energyStateJSON{jsonnum.Float(s.Kinetic), jsonnum.Float(s.Potential), jsonnum.Float(s.Total()), jsonnum.Vector(s.Momentum)}
}

// MarshalJSON implements json.Marshaler; a drift from zero energy is null.
func (r EnergyResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Steps          int              `json:"steps"`
		TimeStep       float64          `json:"dt"`
		Start          energyStateJSON  `json:"start"`
		End            energyStateJSON  `json:"end"`
		Drift          jsonnum.Float    `json:"relative_drift"`
		MomentumChange [3]jsonnum.Float `json:"momentum_change"`
		MeasureSeconds float64          `json:"measure_seconds"`
	}{r.Steps, r.DT, energyStateOf(r.Start), energyStateOf(r.End), jsonnum.Float(r.Drift()),
		jsonnum.Vector(r.MomentumChange()), r.Took.Seconds()})
}
