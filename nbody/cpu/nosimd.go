//go:build !(goexperiment.simd && amd64)

package cpu

import "github.com/nbody-go/nbody/nbody"

// Without GOEXPERIMENT=simd on amd64 there is only the scalar path.

// zeroUpperVectors has nothing to do where no vector code runs (see the
// GOEXPERIMENT=simd version).
func zeroUpperVectors() {}

func bestPath() simdPath { return pathScalar }

func pathSupported(p simdPath) bool { return p == pathScalar }

// unsupportedReason says why a vector path cannot run in this build.
func unsupportedReason(p simdPath) string {
	return p.String() + " needs an amd64 build with GOEXPERIMENT=simd"
}

func vectorKernel[T nbody.Float](simdPath) (blockKernel[T], int, bool) { return nil, 0, false }
