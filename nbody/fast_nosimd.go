//go:build !(goexperiment.simd && amd64)

package nbody

// Without GOEXPERIMENT=simd on amd64 there is only the scalar path.

// clearUpperVectorState has nothing to do where no vector code runs (see
// the GOEXPERIMENT=simd version).
func clearUpperVectorState() {}

func bestPath() simdPath { return pathScalar }

func pathSupported(p simdPath) bool { return p == pathScalar }

// unsupportedReason says why a vector path cannot run in this build.
func unsupportedReason(p simdPath) string {
	return p.String() + " needs an amd64 build with GOEXPERIMENT=simd"
}

func vectorKernel[T Float](simdPath) (blockKernel[T], int, bool) { return nil, 0, false }
