//go:build goexperiment.simd && amd64

package cpu

import (
	"simd/archsimd"

	"github.com/nbody-go/nbody/nbody"
)

// cpuHasAVX says whether VZEROUPPER exists on this CPU.
var cpuHasAVX = archsimd.X86.AVX()

// zeroUpperVectors zeroes the upper halves of the vector registers
// (VZEROUPPER) where the CPU has them. While they hold data, every
// legacy-SSE scalar instruction (the compiled form of Go's float64 and
// float32 arithmetic) carries a false dependency on them. The vector
// kernels leave them dirty (the compiler emits no VZEROUPPER after
// archsimd code), and in GOEXPERIMENT=simd builds so does the runtime's
// asyncPreempt, which restores all 512 bits of Z0-Z31. On the development
// machine (Zen 4) the float64 reference, a loop of SQRTSD and DIVSD, ran
// 1.4 times slower on its own and 2.5 times slower in bench/cpubench after
// the fast path had run. Scalar loops of this package therefore call this
// every few thousand interactions.
func zeroUpperVectors() {
	if cpuHasAVX {
		archsimd.ClearAVXUpperBits()
	}
}

// bestPath is the widest vector path the CPU runs: AVX-512 (F, CD, BW, DQ
// and VL together, as archsimd requires), else AVX2 with FMA, else scalar.
func bestPath() simdPath {
	switch {
	case pathSupported(pathAVX512):
		return pathAVX512
	case pathSupported(pathAVX2):
		return pathAVX2
	}
	return pathScalar
}

// pathSupported reports whether this CPU can run the path's instructions.
func pathSupported(p simdPath) bool {
	switch p {
	case pathScalar:
		return true
	case pathAVX2:
		return archsimd.X86.AVX2() && archsimd.X86.FMA()
	case pathAVX512:
		return archsimd.X86.AVX512()
	}
	return false
}

// unsupportedReason says why a vector path cannot run on this CPU.
func unsupportedReason(p simdPath) string {
	if p == pathAVX2 {
		return "this CPU lacks AVX2 or FMA"
	}
	return "this CPU lacks " + p.String() + " (F, CD, BW, DQ, VL)"
}

// vectorKernel returns the path's kernel for T; archsimd types cannot be
// type parameters, so each precision has its own function.
func vectorKernel[T nbody.Float](path simdPath) (blockKernel[T], int, bool) {
	if !pathSupported(path) {
		return nil, 0, false
	}
	var k any
	switch any(T(0)).(type) {
	case float32:
		switch path {
		case pathAVX2:
			k = blockKernel[float32](kernelF32x8)
		case pathAVX512:
			k = blockKernel[float32](kernelF32x16)
		}
	case float64:
		switch path {
		case pathAVX2:
			k = blockKernel[float64](kernelF64x4)
		case pathAVX512:
			k = blockKernel[float64](kernelF64x8)
		}
	}
	kernel, ok := k.(blockKernel[T])
	if !ok {
		return nil, 0, false
	}
	var prec nbody.Precision
	if _, double := any(T(0)).(float64); double {
		prec = nbody.Double
	}
	return kernel, path.lanes(prec), true
}
