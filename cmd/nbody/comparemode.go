package main

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody"
)

// comparisonRun is what -compare found.
type comparisonRun struct {
	steps     int
	dt        float64
	device    string // the integrator compared with the reference
	reference string
	positions nbody.PositionComparison
	accel     nbody.AccelerationCheck
}

// passed reports whether the positions and the accelerations both stayed
// within their tolerances.
func (c comparisonRun) passed() bool { return c.positions.Passed() && c.accel.Passed() }

// compare runs the chosen integrator and the float64 reference from the
// same bodies for -compare-steps steps of dt 0.001, compares every
// position value, then holds the integrator's accelerations to the
// accuracy contract. It returns the integrator's bodies after the steps,
// and errCompareFailed when the comparison failed.
func (a *app) compare(p platform, b nbody.Bodies) (*nbody.Bodies, error) {
	c := comparisonRun{steps: a.o.compareSteps, dt: compareDT, device: p.integrator.Name()}
	got, err := a.advance(p.integrator, b, c.steps, "compare: "+c.device)
	if err != nil {
		return nil, err
	}
	phys := a.params.Physics()
	ref := nbody.NewReference(phys)
	c.reference = ref.Name()
	want, err := a.advance(ref, b, c.steps, "compare: reference")
	if err != nil {
		return nil, err
	}
	c.positions, err = nbody.ComparePositions(want.Pos, got.Pos, nbody.PositionTolerance(a.prec))
	if err != nil {
		return nil, err
	}
	c.accel, err = nbody.CheckAccelerations(a.ctx, p.integrator, b, phys.Softening, a.prec)
	if err != nil {
		return nil, fmt.Errorf("measuring accelerations: %w", err)
	}
	printComparison(a.out, c)
	a.report.Compare = jsonComparison(c)
	if !c.passed() {
		return &got, errCompareFailed
	}
	return &got, nil
}

// advance loads b into in, takes steps steps of the compare time step and
// returns the bodies.
func (a *app) advance(in nbody.Integrator, b nbody.Bodies, steps int, what string) (nbody.Bodies, error) {
	var out nbody.Bodies
	if err := in.SetBodies(b); err != nil {
		return out, fmt.Errorf("loading %d bodies into the %s: %w", b.N(), in.Name(), err)
	}
	if _, err := a.steps.run(in, compareDT, steps, what); err != nil {
		return out, fmt.Errorf("%s: %w", what, err)
	}
	if err := in.Bodies(&out); err != nil {
		return out, fmt.Errorf("reading back the bodies of the %s: %w", in.Name(), err)
	}
	return out, nil
}

var componentNames = [4]string{"x", "y", "z", "mass"}

// jsonComparison is the JSON form of a comparison.
func jsonComparison(c comparisonRun) *jsonCompare {
	j := &jsonCompare{
		Compared:    c.device,
		Reference:   c.reference,
		Steps:       c.steps,
		TimeStep:    c.dt,
		Values:      c.positions.Values,
		Tolerance:   c.positions.Tolerance,
		Outside:     c.positions.Outside(),
		Errors:      []jsonMismatch{},
		MaxRelError: jsonFloat(c.positions.MaxRelError),
		RMSRelError: jsonFloat(c.positions.RMSRelError),
		AccelError:  jsonFloat(c.accel.Error),
		AccelBound:  c.accel.Bound,
		Passed:      c.passed(),
	}
	for _, m := range c.positions.Mismatches {
		j.Errors = append(j.Errors, jsonMismatch{
			Body:      m.Index / 4,
			Component: componentNames[m.Index%4],
			Host:      jsonFloat(m.Host),
			Device:    jsonFloat(m.Device),
		})
	}
	return j
}
