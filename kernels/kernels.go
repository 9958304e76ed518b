// Package kernels holds the n-body GPU kernels as PTX, embedded in the
// binary so that no CUDA toolkit is needed to build or run it: the driver
// JIT-compiles the PTX for the GPU it finds when the module is loaded.
//
// nbody.cu is the source; genptx.sh (make ptx) regenerates nbody_f32.ptx
// and nbody_f64.ptx with nvcc 11.8 for compute_52 (PTX ISA 7.8, accepted by
// every driver since CUDA 11.8). The entry point names below are the ones
// the GPU integrator launches; a test checks that the PTX declares them.
package kernels

import _ "embed"

// PTXFloat32 is the PTX module of the single-precision kernels.
//
//go:embed nbody_f32.ptx
var PTXFloat32 string

// PTXFloat64 is the PTX module of the double-precision kernels.
//
//go:embed nbody_f64.ptx
var PTXFloat64 string

// Entry points of the single-precision module. The _T256 kernels take
// blocks of up to 256 threads (8 bodies per thread, tiles of 4 × the block),
// the _T1024 ones blocks of up to 1024 threads (4 bodies per thread, 64
// registers, tiles of one block).
const (
	StepF32T256    = "nbody_step_f32_t256"    // forces and integration, one pass
	ForcesF32T256  = "nbody_forces_f32_t256"  // partial forces of one split of j
	StepF32T1024   = "nbody_step_f32_t1024"   // as StepF32T256, larger blocks
	ForcesF32T1024 = "nbody_forces_f32_t1024" // as ForcesF32T256, larger blocks
	IntegrateF32   = "nbody_integrate_f32"    // sums the partial forces and integrates
	CopyF32        = "nbody_copy_f32"         // copies bodies (host-mapped to device)
)

// Entry points of the double-precision module, as for single precision
// with 4 bodies per thread (_T256) and 2 (_T1024).
const (
	StepF64T256    = "nbody_step_f64_t256"
	ForcesF64T256  = "nbody_forces_f64_t256"
	StepF64T1024   = "nbody_step_f64_t1024"
	ForcesF64T1024 = "nbody_forces_f64_t1024"
	IntegrateF64   = "nbody_integrate_f64"
	CopyF64        = "nbody_copy_f64"
)

// Bodies held per thread by the step and forces kernels, and the tile
// factor of the _T256 builds, as nbody.cu defines them (a test checks that
// they agree).
const (
	bodiesF32T256  = 8
	bodiesF32T1024 = 4
	bodiesF64T256  = 4
	bodiesF64T1024 = 2
	tileFactorT256 = 4
)

// MaxThreadsT256 is the largest block the _T256 kernels accept.
const MaxThreadsT256 = 256

// Set names the kernels one integrator launches and the grid they expect.
type Set struct {
	// PTX is the module holding them: PTX text, or a cubin built from it,
	// which the driver loads as well.
	PTX       string
	Double    bool   // the kernels are fp64 (bodies of 4 float64s), else fp32
	Step      string // forces and integration in one pass over all j
	Forces    string // partial forces over one split of j
	Integrate string // sums the splits' partial forces and integrates
	Copy      string // copies bodies, for positions kept in host memory
	// BodiesPerThread is how many bodies each thread of Step and Forces
	// holds: a block of b threads covers BodiesPerThread × b bodies.
	BodiesPerThread int
	// TileFactor × the block size is how many bodies of j Step and Forces
	// hold in shared memory at once: their dynamic shared memory is that
	// many bodies' 4-vectors.
	TileFactor int
}

// Select returns the kernels for a precision (double: fp64) and a block
// size: the _T256 builds up to 256 threads, the _T1024 builds above.
func Select(double bool, blockSize int) Set {
	small := blockSize <= MaxThreadsT256
	switch {
	case !double && small:
		return Set{PTX: PTXFloat32, Step: StepF32T256, Forces: ForcesF32T256, Integrate: IntegrateF32, Copy: CopyF32,
			BodiesPerThread: bodiesF32T256, TileFactor: tileFactorT256}
	case !double:
		return Set{PTX: PTXFloat32, Step: StepF32T1024, Forces: ForcesF32T1024, Integrate: IntegrateF32, Copy: CopyF32,
			BodiesPerThread: bodiesF32T1024, TileFactor: 1}
	case small:
		return Set{PTX: PTXFloat64, Double: true, Step: StepF64T256, Forces: ForcesF64T256, Integrate: IntegrateF64, Copy: CopyF64,
			BodiesPerThread: bodiesF64T256, TileFactor: tileFactorT256}
	}
	return Set{PTX: PTXFloat64, Double: true, Step: StepF64T1024, Forces: ForcesF64T1024, Integrate: IntegrateF64, Copy: CopyF64,
		BodiesPerThread: bodiesF64T1024, TileFactor: 1}
}
