package main

import (
	"fmt"
	"io"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// endState is where a run left the bodies: the state -energy and -output
// read, after steps steps of dt from the initial bodies.
type endState struct {
	bodies nbody.Bodies
	steps  int
	dt     float64
}

// energyCheck is -energy's work: the energy and momentum measured before
// the first step and after the last one, outside any timed region.
type energyCheck struct {
	softening float64
	start     nbody.EnergyState
	took      time.Duration // the measurements' time, all O(N²) pairs on the CPU
}

// measureStartEnergy measures the initial bodies when -energy asks for it.
func (a *app) measureStartEnergy(b nbody.Bodies) {
	if !a.o.energy {
		return
	}
	e := &energyCheck{softening: a.params.Softening}
	began := time.Now()
	e.start = nbody.MeasureEnergy(b, e.softening)
	e.took = time.Since(began)
	a.energy = e
}

// reportEnergy measures the bodies at the end, then prints the comparison
// and puts it in the JSON report.
func (a *app) reportEnergy(end endState) {
	e := a.energy
	if e == nil {
		return
	}
	began := time.Now()
	r := nbody.EnergyReport{Start: e.start, End: nbody.MeasureEnergy(end.bodies, e.softening)}
	e.took += time.Since(began)
	printEnergy(a.out, r, end.steps, end.dt, e.took)
	a.report.Energy = jsonEnergyReport(r, end.steps, end.dt, e.took)
}

// printEnergy prints -energy's four lines: the energies and momentum at
// the start and the end, the relative drift of the total energy, and what
// measuring them cost.
func printEnergy(w io.Writer, r nbody.EnergyReport, steps int, dt float64, took time.Duration) {
	state := func(label string, s nbody.EnergyState) {
		fmt.Fprintf(w, "> Energy at %s kinetic %.9g, potential %.9g, total %.9g; momentum (%.3g, %.3g, %.3g)\n",
			label, s.Kinetic, s.Potential, s.Total(), s.Momentum[0], s.Momentum[1], s.Momentum[2])
	}
	state("start:", r.Start)
	state("end:  ", r.End)
	dp := r.MomentumChange()
	fmt.Fprintf(w, "> Energy drift: %.3e relative, over %d %s of dt %g; momentum change (%.3g, %.3g, %.3g)\n",
		r.Drift(), steps, plural(steps, "step", "steps"), dt, dp[0], dp[1], dp[2])
	fmt.Fprintf(w, "> Energy measured in %.3f s (float64, every pair of bodies on the CPU, twice)\n", took.Seconds())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// jsonEnergyReport is the JSON form of an energy comparison.
func jsonEnergyReport(r nbody.EnergyReport, steps int, dt float64, took time.Duration) *jsonEnergy {
	state := func(s nbody.EnergyState) jsonEnergyState {
		return jsonEnergyState{
			Kinetic:   jsonFloat(s.Kinetic),
			Potential: jsonFloat(s.Potential),
			Total:     jsonFloat(s.Total()),
			Momentum:  jsonVector(s.Momentum),
		}
	}
	return &jsonEnergy{
		Steps:          steps,
		TimeStep:       dt,
		Start:          state(r.Start),
		End:            state(r.End),
		Drift:          jsonFloat(r.Drift()),
		MomentumChange: jsonVector(r.MomentumChange()),
		MeasureSeconds: took.Seconds(),
	}
}

func jsonVector(v [3]float64) [3]jsonFloat {
	return [3]jsonFloat{jsonFloat(v[0]), jsonFloat(v[1]), jsonFloat(v[2])}
}
