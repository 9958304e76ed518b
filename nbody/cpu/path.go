package cpu

import "github.com/nbody-go/nbody/nbody"

// simdPath is the instruction set the fast integrator's inner loop uses.
// It is chosen from the CPU's features when the integrator is built; tests
// force each one in turn with withPath.
type simdPath int

const (
	pathAuto   simdPath = iota // the widest path this CPU and build support
	pathScalar                 // plain Go, one interaction at a time
	pathAVX2                   // 256-bit vectors: 8 float32 or 4 float64 lanes
	pathAVX512                 // 512-bit vectors: 16 float32 or 8 float64 lanes
)

// String names the path the way Name reports it.
func (p simdPath) String() string {
	switch p {
	case pathScalar:
		return "scalar"
	case pathAVX2:
		return "AVX2"
	case pathAVX512:
		return "AVX-512"
	}
	return "auto"
}

// lanes is how many values of the given precision one vector of the path
// holds (1 for the scalar path).
func (p simdPath) lanes(prec nbody.Precision) int {
	w := 1
	switch p {
	case pathAVX2:
		w = 8
	case pathAVX512:
		w = 16
	}
	if prec == nbody.Double && w > 1 {
		w /= 2
	}
	return w
}

// padMultiple is the multiple every body array is padded to, so that any
// path's vector loop runs over whole vectors: the widest vector of the
// narrowest type.
const padMultiple = 16
