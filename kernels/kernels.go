// Package kernels holds the n-body GPU kernels, embedded in the binary so
// that no CUDA toolkit is needed to build or run it.
//
// # Forms
//
// Each precision's kernels are embedded as PTX, which the driver
// JIT-compiles for any GPU from compute capability 5.2 on, and as machine
// code (cubins) of that same PTX for the architectures in Archs, which a GPU
// of one of them loads without compiling anything.
//
// # Building
//
// nbody.cu is the source; genptx.sh (make kernels, or make ptx) regenerates
// nbody_f32.ptx and nbody_f64.ptx with nvcc 11.8 for compute_52 (PTX ISA
// 7.8, accepted by every driver since CUDA 11.8), and compiles each with
// ptxas 11.8 into cubin/nbody_<precision>.sm_XY.cubin.
//
// # Entry points
//
// The names below are the ones the GPU integrator launches; tests check that
// the PTX declares them and that every cubin holds them, for its
// architecture.
package kernels

import (
	"embed"
	"fmt"
)

// PTXFloat32 is the PTX module of the single-precision kernels.
//
//go:embed nbody_f32.ptx
var PTXFloat32 string

// PTXFloat64 is the PTX module of the double-precision kernels.
//
//go:embed nbody_f64.ptx
var PTXFloat64 string

// Arch is a GPU architecture, by compute capability: Arch{9, 0} is sm_90.
type Arch struct{ Major, Minor int }

// String is the architecture's name as nvcc spells it, e.g. "sm_90".
func (a Arch) String() string { return fmt.Sprintf("sm_%d%d", a.Major, a.Minor) }

// Archs are the architectures whose machine code is embedded, for both
// precisions: every one from Volta to Hopper that ptxas 11.8 targets
// (genptx.sh builds the same list). Maxwell and Pascal (5.2 to 6.1), the
// Jetson chips (7.2, 8.7) and GPUs newer than Hopper JIT-compile the PTX.
var Archs = []Arch{{7, 0}, {7, 5}, {8, 0}, {8, 6}, {8, 9}, {9, 0}}

// Cubin is one precision's module as machine code for one architecture:
// what ptxas 11.8 made of the embedded PTX (cubin/SOURCES records which
// PTX). It runs on GPUs of exactly that compute capability.
type Cubin struct {
	Arch Arch
	file string // in cubinFiles
}

// Image returns the cubin's bytes, a copy: an ELF image, which the driver's
// cuModuleLoadDataEx loads as it loads PTX.
func (c Cubin) Image() ([]byte, error) { return cubinFiles.ReadFile(c.file) }

//go:embed cubin/*.cubin
var cubinFiles embed.FS

// The embedded cubins of each precision, in the order of Archs.
var (
	cubinsF32 = cubinsOf("f32")
	cubinsF64 = cubinsOf("f64")
)

func cubinsOf(prec string) []Cubin {
	out := make([]Cubin, len(Archs))
	for i, a := range Archs {
		out[i] = Cubin{Arch: a, file: "cubin/nbody_" + prec + "." + a.String() + ".cubin"}
	}
	return out
}

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
	PTX string
	// Cubins are PTX compiled ahead of time, for an integrator to load on a
	// GPU of one of their architectures instead of JIT-compiling PTX. Select
	// gives the embedded ones; a set whose PTX is replaced (a kernel
	// variant) must replace or clear them.
	Cubins    []Cubin
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

// Cubin returns the set's machine code for a GPU of compute capability
// major.minor, if it has that architecture exactly.
func (s Set) Cubin(major, minor int) (Cubin, bool) {
	for _, c := range s.Cubins {
		if c.Arch == (Arch{major, minor}) {
			return c, true
		}
	}
	return Cubin{}, false
}

// Select returns the kernels for a precision (double: fp64) and a block
// size: the _T256 builds up to 256 threads, the _T1024 builds above.
func Select(double bool, blockSize int) Set {
	small := blockSize <= MaxThreadsT256
	switch {
	case !double && small:
		return Set{PTX: PTXFloat32, Cubins: cubinsF32, Step: StepF32T256, Forces: ForcesF32T256, Integrate: IntegrateF32, Copy: CopyF32,
			BodiesPerThread: bodiesF32T256, TileFactor: tileFactorT256}
	case !double:
		return Set{PTX: PTXFloat32, Cubins: cubinsF32, Step: StepF32T1024, Forces: ForcesF32T1024, Integrate: IntegrateF32, Copy: CopyF32,
			BodiesPerThread: bodiesF32T1024, TileFactor: 1}
	case small:
		return Set{PTX: PTXFloat64, Cubins: cubinsF64, Double: true, Step: StepF64T256, Forces: ForcesF64T256, Integrate: IntegrateF64, Copy: CopyF64,
			BodiesPerThread: bodiesF64T256, TileFactor: tileFactorT256}
	}
	return Set{PTX: PTXFloat64, Cubins: cubinsF64, Double: true, Step: StepF64T1024, Forces: ForcesF64T1024, Integrate: IntegrateF64, Copy: CopyF64,
		BodiesPerThread: bodiesF64T1024, TileFactor: 1}
}
