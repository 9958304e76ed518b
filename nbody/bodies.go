package nbody

import (
	"errors"
	"fmt"
	"math"
)

// Precision is the floating-point width an integrator computes in.
type Precision int

const (
	// Single is float32, the sample's default.
	Single Precision = iota
	// Double is float64 (the sample's -fp64).
	Double
)

// String returns "single" or "double", the words the sample's report uses.
func (p Precision) String() string {
	if p == Double {
		return "double"
	}
	return "single"
}

// FlopsPerInteraction is the sample's convention for converting
// interactions per second into GFLOP/s: 20 in single precision, 30 in
// double. It is a convention, not a count of the instructions executed.
func (p Precision) FlopsPerInteraction() int {
	if p == Double {
		return 30
	}
	return 20
}

// Float is the set of element types the generic integrators compute in.
type Float interface {
	~float32 | ~float64
}

// Bodies is the state of a simulation in the sample's layout: Pos holds
// (x, y, z, mass) and Vel holds (vx, vy, vz, w) for each body, interleaved,
// so both slices have 4·N elements. The fourth velocity component is not
// used by the physics (generated bodies carry 1, tipsy bodies their
// softening length); it is carried along unchanged.
type Bodies struct {
	Pos []float64
	Vel []float64
}

// NewBodies returns n bodies with every value zero.
func NewBodies(n int) Bodies {
	return Bodies{Pos: make([]float64, 4*n), Vel: make([]float64, 4*n)}
}

// N returns the number of bodies.
func (b Bodies) N() int { return len(b.Pos) / 4 }

// MaxBodies is the most bodies any run takes: -numbodies, a tipsy file and
// every integrator are held to it. At 2^26 bodies one step is 4.5e15
// interactions (about 25 minutes on two H200s, days on a CPU) and the bodies
// take 4.3 GB in float64 before an integrator copies them; past it the 4·N
// position values head for the 2^31 limit of the 32-bit indices the GPU
// kernels use. A larger count is a mistake, not a simulation.
const MaxBodies = 1 << 26

// CheckCount reports why n bodies cannot be simulated: fewer than one, or
// more than MaxBodies. Callers check a count before they allocate for it.
func CheckCount(n int) error {
	switch {
	case n < 1:
		return fmt.Errorf("%d bodies: at least 1 is needed", n)
	case n > MaxBodies:
		return fmt.Errorf("%d bodies: at most %d (2^26) are allowed", n, MaxBodies)
	}
	return nil
}

// Clone returns a deep copy.
func (b Bodies) Clone() Bodies {
	return Bodies{Pos: append([]float64(nil), b.Pos...), Vel: append([]float64(nil), b.Vel...)}
}

// Validate reports the first reason the bodies cannot be simulated: slices
// of different or non-multiple-of-four lengths, no bodies, more than
// MaxBodies, or a value that is not finite.
func (b Bodies) Validate() error {
	if len(b.Pos) != len(b.Vel) || len(b.Pos)%4 != 0 {
		return fmt.Errorf("bodies: %d position and %d velocity values, want equal multiples of 4", len(b.Pos), len(b.Vel))
	}
	if len(b.Pos) == 0 {
		return errors.New("bodies: no bodies")
	}
	if err := CheckCount(b.N()); err != nil {
		return fmt.Errorf("bodies: %w", err)
	}
	for i, v := range b.Pos {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("bodies: body %d has a non-finite %s", i/4, posField[i%4])
		}
	}
	for i, v := range b.Vel {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("bodies: body %d has a non-finite %s", i/4, velField[i%4])
		}
	}
	return nil
}

var (
	posField = [4]string{"x", "y", "z", "mass"}
	velField = [4]string{"vx", "vy", "vz", "w"}
)

// ToFloat32 converts interleaved float64 values to float32 (dst is reused
// when it is large enough).
func ToFloat32(dst []float32, src []float64) []float32 {
	return convert(dst, src)
}

// FromFloat32 converts float32 values back to float64.
func FromFloat32(dst []float64, src []float32) []float64 {
	return convert(dst, src)
}

// convert copies src into a slice of another float type.
func convert[D, S Float](dst []D, src []S) []D {
	dst = resize(dst, len(src))
	for i, v := range src {
		dst[i] = D(v)
	}
	return dst
}

func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
