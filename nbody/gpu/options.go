package gpu

import (
	"fmt"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
)

// Options choose how the GPU integrator runs. The zero value, with
// Physics set, runs the single-precision kernels in blocks of
// DefaultBlockSize threads on device 0.
type Options struct {
	Precision nbody.Precision
	Physics   nbody.Physics
	// BlockSize is the threads per block of the step and forces kernels,
	// whole warps from 32 to 1024 (CheckBlockSize); 0 means
	// DefaultBlockSize.
	BlockSize int
	// Device is the first device to use and NumDevices how many from it
	// (0 means 1). Several devices split the bodies in proportion to their
	// multiprocessors and exchange positions after each step as Exchange
	// asks.
	Device     int
	NumDevices int
	// HostMem keeps the bodies in mapped, page-locked host memory, which
	// the kernels read and write over the bus, instead of device memory.
	HostMem bool
	// StageHostMem, with HostMem, copies the positions from host memory
	// into a device buffer once per step (a copy kernel) and lets the
	// forces read them there, instead of every block reading all of them
	// over the bus. It costs a device buffer of every body's position and a
	// copy per step; it was measured a little faster on the H100 (2,086
	// against 2,026 GI/s at 135,168 bodies, bench/NOTES.md), but off is the
	// sample's way of using host memory, so it is a benchmark's choice.
	// Without HostMem it does nothing.
	StageHostMem bool
	// Exchange is how several devices exchange positions after each
	// step; the zero value is ExchangeAuto.
	Exchange ExchangeMode
	// Kernels, when non-nil, replaces the embedded kernels that Precision
	// and BlockSize select (kernels.Select): a module built from
	// kernels/nbody.cu with other macro values, to time variants of the
	// kernels (bench/kernelbench). Its Double must match Precision, and its
	// BodiesPerThread and TileFactor must be the values it was built with:
	// the grid and the shared memory of every launch follow them.
	Kernels *kernels.Set
	// Splits, when positive, cuts the sum over j into that many runs of
	// bodies (fewer where runs of a multiple of 16 bodies cover j in fewer),
	// in place of the launch plan's choice; 1 runs the fused step kernel.
	// It is for tests and benchmarks that need a given grid; 0 leaves the
	// choice to the plan, as every run should.
	Splits int
	// ForcePTX loads the kernels from their PTX, which the driver
	// JIT-compiles, even where machine code for the GPU is embedded (see
	// Integrator.KernelImage): to compare the two, in speed and in start-up.
	ForcePTX bool
	// World, when set, makes this process one of several that run one
	// simulation: its NumDevices devices from Device are the world's
	// global ranks from World.First; the bodies are split over every GPU of
	// the world and exchanged through NCCL (Exchange must be auto or nccl;
	// HostMem is refused). Nil: one process, as before.
	World *World
	// NCCLLibrary is NCCL's library, where NCCL may be used: a path, or
	// "" for nccl.LibraryName as the dynamic loader finds it. NCCL's own
	// settings (NCCL_NVLS_ENABLE, …) come from the environment, which the
	// caller sets.
	NCCLLibrary string

	// ordinals, when set, are the physical devices of the logical devices
	// 0, 1, …, overriding Device and NumDevices; a GPU may appear more than
	// once, so that tests on one GPU run several devices (export_test.go).
	ordinals []int
	// limits, when set, replace the GPU times that decide when a step is
	// sliced for cancellation and how (slice.go), so that tests slice
	// small steps (export_test.go).
	limits stepLimits
}

// DefaultBlockSize is the block size when Options.BlockSize is 0, the
// sample's.
const DefaultBlockSize = 256

// CheckBlockSize says why n threads cannot make a block of the kernels: a
// whole number of warps, from one to 32 of them.
func CheckBlockSize(n int) error {
	if n < 32 || n > 1024 || n%32 != 0 {
		return fmt.Errorf("block size %d: want a multiple of 32 from 32 to 1024", n)
	}
	return nil
}
