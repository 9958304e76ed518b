package modes

import (
	"context"
	"fmt"

	"github.com/nbody-go/nbody/nbody"
)

// CompareDT is the time step of a comparison: the sample's.
const CompareDT = 0.001

// CompareOptions set how long Compare runs before comparing.
type CompareOptions struct {
	Steps int // steps of CompareDT
}

// Comparison is what Compare found.
type Comparison struct {
	Steps        int
	DT           float64
	Compared     string // the integrator held to the reference
	Reference    string
	Positions    nbody.PositionComparison
	Acceleration nbody.AccelerationCheck
}

// Passed reports whether the positions and the accelerations both stayed
// within their tolerances.
func (c Comparison) Passed() bool { return c.Positions.Passed() && c.Acceleration.Passed() }

// Compare runs the platform's integrator and the float64 reference from
// the same bodies for o.Steps steps of CompareDT, compares every position
// value with the sample's tolerance, then holds the integrator's
// accelerations to the accuracy contract. A comparison that fails is a
// result (see Passed), not an error. End holds the integrator's bodies
// after the steps.
func Compare(ctx context.Context, p *Platform, b nbody.Bodies, o CompareOptions, progress Progress) (Comparison, EndState, error) {
	in := p.Integrator
	prec := in.Precision()
	c := Comparison{Steps: o.Steps, DT: CompareDT, Compared: in.Name()}
	got, err := advanceAndRead(ctx, in, b, o.Steps, "compare: "+c.Compared, progress)
	if err != nil {
		return c, EndState{}, err
	}
	end := EndState{Bodies: got, Steps: o.Steps, DT: CompareDT}
	ref := nbody.NewReference(p.Physics)
	defer ref.Close()
	c.Reference = ref.Name()
	want, err := advanceAndRead(ctx, ref, b, o.Steps, "compare: reference", progress)
	if err != nil {
		return c, EndState{}, err
	}
	if c.Positions, err = nbody.ComparePositions(want.Pos, got.Pos, nbody.PositionTolerance(prec)); err != nil {
		return c, EndState{}, err
	}
	if c.Acceleration, err = nbody.CheckAccelerations(ctx, in, b, p.Physics.Softening, prec); err != nil {
		return c, EndState{}, fmt.Errorf("measuring accelerations: %w", err)
	}
	return c, end, nil
}

// advanceAndRead loads b into in, takes steps steps of CompareDT and
// returns the bodies.
func advanceAndRead(ctx context.Context, in nbody.Integrator, b nbody.Bodies, steps int, phase string, progress Progress) (nbody.Bodies, error) {
	var out nbody.Bodies
	if err := in.SetBodies(b); err != nil {
		return out, fmt.Errorf("loading %d bodies into the %s: %w", b.N(), in.Name(), err)
	}
	if _, err := advance(ctx, in, CompareDT, steps, phase, progress); err != nil {
		return out, fmt.Errorf("%s: %w", phase, err)
	}
	if err := in.Bodies(&out); err != nil {
		return out, fmt.Errorf("reading back the bodies of the %s: %w", in.Name(), err)
	}
	return out, nil
}
