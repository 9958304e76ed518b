package modes

import (
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// EnergyCheck measures the energy and momentum of the bodies before the
// first step and after the last, outside any timed region, in float64 on
// the CPU: O(N²) pairs each time.
type EnergyCheck struct {
	softening float64
	start     nbody.EnergyState
	took      time.Duration
}

// EnergyResult compares the start of a run with its end.
type EnergyResult struct {
	nbody.EnergyReport
	Steps int
	DT    float64
	Took  time.Duration // both measurements together
}

// StartEnergy measures the initial bodies.
func StartEnergy(b nbody.Bodies, softening float64) *EnergyCheck {
	began := time.Now()
	start := nbody.MeasureEnergy(b, softening)
	return &EnergyCheck{softening: softening, start: start, took: time.Since(began)}
}

// Finish measures where the run left the bodies and compares.
func (e *EnergyCheck) Finish(end EndState) EnergyResult {
	began := time.Now()
	r := nbody.EnergyReport{Start: e.start, End: nbody.MeasureEnergy(end.Bodies, e.softening)}
	return EnergyResult{EnergyReport: r, Steps: end.Steps, DT: end.DT, Took: e.took + time.Since(began)}
}
