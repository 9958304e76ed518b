package nbody

import (
	"context"
	"fmt"
	"math"
)

// Accelerations measures the accelerations an integrator computes for the
// positions in b, without any integrator-specific hook: it loads the bodies
// with zero velocities and takes one step of dt = 1 with no damping, after
// which each velocity is exactly the acceleration the integrator computed,
// rounded to its precision. The result has 3 values per body. The
// integrator's state is replaced; its physics must have damping 1.
func Accelerations(ctx context.Context, in Integrator, b Bodies) ([]float64, error) {
	probe := Bodies{Pos: b.Pos, Vel: make([]float64, len(b.Vel))}
	for i := 3; i < len(probe.Vel); i += 4 {
		probe.Vel[i] = b.Vel[i]
	}
	if err := in.SetBodies(probe); err != nil {
		return nil, fmt.Errorf("accelerations: %w", err)
	}
	if _, err := in.Step(ctx, 1, 1); err != nil {
		return nil, fmt.Errorf("accelerations: %w", err)
	}
	var out Bodies
	if err := in.Bodies(&out); err != nil {
		return nil, fmt.Errorf("accelerations: %w", err)
	}
	acc := make([]float64, 0, 3*out.N())
	for i := range out.N() {
		acc = append(acc, out.Vel[4*i:4*i+3]...)
	}
	return acc, nil
}

// RelativeL2 returns ‖got − want‖₂ / ‖want‖₂, the accuracy contract's
// measure (NaN anywhere makes it NaN; a zero want gives ‖got‖₂).
func RelativeL2(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.NaN()
	}
	var num, den float64
	for i := range got {
		d := got[i] - want[i]
		num += d * d
		den += want[i] * want[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// AccuracyBound is the accuracy contract: the largest relative L2 error of
// accelerations against the float64 reference that an integrator of the
// given precision may show (2e-5 in single precision, 1e-13 in double).
func AccuracyBound(p Precision) float64 {
	if p == Double {
		return 1e-13
	}
	return 2e-5
}
