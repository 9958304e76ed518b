package nbody

import (
	"context"
	"fmt"
	"math"
)

// MaxListedMismatches is how many values outside the tolerance a
// comparison lists one by one (the sample prints an Error line for each);
// the rest are only counted.
const MaxListedMismatches = 10

// PositionTolerance is the absolute tolerance -compare allows between an
// integrator's positions and the reference's. Single precision keeps the
// sample's 0.0005 (about a thousand float32 ulps at the shell's radii of
// 4 to 7). Double precision scales it by the ratio of the two machine
// epsilons, 2^-52 / 2^-23 = 2^-29, to the same thousand or so ulps:
// about 9.3e-13, far above the rounding noise of a correct fp64 path
// (a few ulps, 1e-15, after one step) and far below what a position that
// went through float32 once would show (about 3e-7 at radius 5).
func PositionTolerance(p Precision) float64 {
	if p == Double {
		return 0.0005 * 0x1p-29
	}
	return 0.0005
}

// Mismatch is one position value outside the tolerance.
type Mismatch struct {
	Index  int     // index into the position array: body Index/4, component Index%4 (x, y, z, mass)
	Host   float64 // the reference's value
	Device float64 // the compared integrator's value
}

// PositionComparison is the outcome of comparing two runs' positions from
// the same bodies, value by value, over every body.
type PositionComparison struct {
	Values     int        // values compared (4 per body)
	Tolerance  float64    // absolute tolerance per value
	Mismatches []Mismatch // the first MaxListedMismatches values outside it
	More       int        // values outside it beyond those listed
	// MaxRelError and RMSRelError summarise the per-body relative error
	// of positions, |p_device − p_host| / |p_host| (the absolute error
	// for a body at the origin). A NaN anywhere makes both NaN.
	MaxRelError float64
	RMSRelError float64
}

// Outside is how many values were outside the tolerance.
func (c PositionComparison) Outside() int { return len(c.Mismatches) + c.More }

// Passed reports whether every value was within the tolerance.
func (c PositionComparison) Passed() bool { return c.Values > 0 && c.Outside() == 0 }

// ComparePositions compares the reference's positions (host) with another
// integrator's (device), both in the Bodies layout, every value of every
// body (the sample compared only the first quarter of the bodies). A value
// that is NaN or infinite on either side counts as outside.
func ComparePositions(host, device []float64, tol float64) (PositionComparison, error) {
	if len(host) != len(device) || len(host)%4 != 0 {
		return PositionComparison{}, fmt.Errorf("compare: %d and %d position values, want equal multiples of 4", len(host), len(device))
	}
	if !(tol >= 0) {
		return PositionComparison{}, fmt.Errorf("compare: tolerance %g, want a non-negative number", tol)
	}
	c := PositionComparison{Values: len(host), Tolerance: tol}
	for i := range host {
		// Written so that NaN fails: NaN <= tol is false.
		if math.Abs(device[i]-host[i]) <= tol {
			continue
		}
		if len(c.Mismatches) < MaxListedMismatches {
			c.Mismatches = append(c.Mismatches, Mismatch{Index: i, Host: host[i], Device: device[i]})
		} else {
			c.More++
		}
	}
	var sum float64
	n := len(host) / 4
	for b := range n {
		h, d := host[4*b:4*b+3], device[4*b:4*b+3]
		dx, dy, dz := d[0]-h[0], d[1]-h[1], d[2]-h[2]
		diff := math.Sqrt(dx*dx + dy*dy + dz*dz)
		norm := math.Sqrt(h[0]*h[0] + h[1]*h[1] + h[2]*h[2])
		rel := diff
		if norm > 0 {
			rel = diff / norm
		}
		if math.IsNaN(rel) || math.IsNaN(c.MaxRelError) {
			c.MaxRelError = math.NaN()
		} else {
			c.MaxRelError = max(c.MaxRelError, rel)
		}
		sum += rel * rel
	}
	if n > 0 {
		c.RMSRelError = math.Sqrt(sum / float64(n))
	}
	return c, nil
}

// AccelerationCheck holds an integrator to the accuracy contract: the
// relative L2 error of the accelerations it computes against the float64
// reference's, and the bound for its precision.
type AccelerationCheck struct {
	Error float64 // ‖a − r‖₂ / ‖r‖₂
	Bound float64 // AccuracyBound of the precision
}

// Passed reports whether the error is within the bound (NaN fails).
func (a AccelerationCheck) Passed() bool { return a.Error <= a.Bound }

// CheckAccelerations measures the accelerations in computes for the
// positions of b (see Accelerations; in's state is replaced) against the
// reference's with the given softening, and bounds them for prec. One
// step of positions cannot see a poor reciprocal square root; this can.
func CheckAccelerations(ctx context.Context, in Integrator, b Bodies, softening float64, prec Precision) (AccelerationCheck, error) {
	got, err := Accelerations(ctx, in, b)
	if err != nil {
		return AccelerationCheck{}, err
	}
	want := ReferenceAccelerations(b.Pos, softening)
	return AccelerationCheck{Error: RelativeL2(got, want), Bound: AccuracyBound(prec)}, nil
}
