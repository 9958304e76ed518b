package cpu

import (
	"math"

	"github.com/nbody-go/nbody/nbody"
)

// blockKernel adds to acc the accelerations that the source bodies
// [j0, j1) exert on the target bodies [i0, i1), both indices into src.
// Target i's partial sums occupy acc's lanes (i-i0)·lanes … +lanes-1 of
// each axis. j0 and j1 are multiples of padMultiple, so a vector kernel
// never meets a partial vector.
type blockKernel[T nbody.Float] func(src *positions[T], i0, i1, j0, j1 int, eps2 T, acc accum[T])

// scalarKernel is the portable kernel: the reference formula in T, one
// interaction at a time, with a correctly rounded square root.
func scalarKernel[T nbody.Float](src *positions[T], i0, i1, j0, j1 int, eps2 T, acc accum[T]) {
	xs, ys, zs, ms := src.x[j0:j1], src.y[j0:j1], src.z[j0:j1], src.m[j0:j1]
	ys, zs, ms = ys[:len(xs)], zs[:len(xs)], ms[:len(xs)] // lets the compiler drop bounds checks
	for i := i0; i < i1; i++ {
		zeroUpperVectors()
		xi, yi, zi := src.x[i], src.y[i], src.z[i]
		var ax, ay, az T
		for j := range xs {
			dx, dy, dz := xs[j]-xi, ys[j]-yi, zs[j]-zi
			d2 := dx*dx + dy*dy + dz*dz + eps2
			inv := 1 / T(math.Sqrt(float64(d2)))
			s := ms[j] * inv * inv * inv
			ax += dx * s
			ay += dy * s
			az += dz * s
		}
		k := i - i0
		acc.x[k] += ax
		acc.y[k] += ay
		acc.z[k] += az
	}
}

// kernelFor returns the kernel of the given path for T and its lane count,
// or ok false when this build or CPU cannot run that path.
func kernelFor[T nbody.Float](path simdPath) (k blockKernel[T], lanes int, ok bool) {
	if path == pathScalar {
		return scalarKernel[T], 1, true
	}
	return vectorKernel[T](path)
}
