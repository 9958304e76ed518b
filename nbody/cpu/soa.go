package cpu

import (
	"unsafe"

	"github.com/nbody-go/nbody/nbody"
)

// positions holds one copy of the bodies' positions and masses as a
// structure of arrays, so a vector load takes the same coordinate of
// consecutive bodies. Every slice is padded to a multiple of padMultiple
// with massless bodies at the origin, which add nothing to any sum
// (their distance is softened by ε², so the zero mass is never multiplied
// by an infinity unless ε is 0, where the reference is undefined too).
type positions[T nbody.Float] struct {
	x, y, z, m []T
	// 5/2·m and −3/2·m: the vector kernels' cube correction folded into
	// the masses (see avx512_amd64.go).
	m25, m15 []T
}

// newPositions returns zeroed coordinates for padded bodies that share the
// given masses (which no step changes) with the other buffer.
func newPositions[T nbody.Float](padded int, mass, m25, m15 []T) positions[T] {
	return positions[T]{
		x: make([]T, padded), y: make([]T, padded), z: make([]T, padded),
		m: mass, m25: m25, m15: m15,
	}
}

// velocities holds one copy of the bodies' velocities, unpadded: only
// the scalar update reads and writes them.
type velocities[T nbody.Float] struct {
	x, y, z []T
}

func newVelocities[T nbody.Float](n int) velocities[T] {
	return velocities[T]{x: make([]T, n), y: make([]T, n), z: make([]T, n)}
}

// accum holds a worker's running accelerations for one chunk of target
// bodies: lanes partial sums per body and axis, added up once per step so
// the vector loops never reduce across lanes.
type accum[T nbody.Float] struct {
	x, y, z []T
}

func newAccum[T nbody.Float](bodies, lanes int) accum[T] {
	return accum[T]{
		x: make([]T, bodies*lanes),
		y: make([]T, bodies*lanes),
		z: make([]T, bodies*lanes),
	}
}

func (a accum[T]) clear() {
	clear(a.x)
	clear(a.y)
	clear(a.z)
}

// sum returns body k's acceleration: the sum of its lanes partial sums.
func (a accum[T]) sum(k, lanes int) (x, y, z T) {
	for l := k * lanes; l < (k+1)*lanes; l++ {
		x += a.x[l]
		y += a.y[l]
		z += a.z[l]
	}
	return x, y, z
}

func roundUp(n, multiple int) int {
	return (n + multiple - 1) / multiple * multiple
}

// vectors views s, whose length is a multiple of the array length, as
// arrays of one vector each, so vector loops index whole vectors and the
// compiler checks bounds once per vector rather than per lane.
func vectors[V [16]T | [8]T | [4]T, T nbody.Float](s []T) []V {
	if len(s) == 0 {
		return nil
	}
	var v V
	per := int(unsafe.Sizeof(v) / unsafe.Sizeof(s[0]))
	return unsafe.Slice((*V)(unsafe.Pointer(&s[0])), len(s)/per)
}

// resize returns s with length n, reusing its array when it is large
// enough (nbody's own copy is unexported).
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
