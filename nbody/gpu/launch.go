package gpu

import (
	"github.com/nbody-go/nbody/nbody/cuda"
)

// Every launch of the kernels goes through this file: their grids, shared
// memory and parameter lists live here once. The parameter lists follow
// kernels/nbody.cu's entry points in order and C type (TestParametersMatchPTX
// holds them to the PTX's .entry declarations); the grids follow its work
// decomposition.
//
// The kernels index bodies with 32-bit ints: n, first, count, perSplit and
// the sums they form (first + k, blockIdx.y × perSplit + perSplit, a block's
// base + blockDim.x × bodies per thread) all stay below 2n + 8192.
// nbody.MaxBodies (2^26), which Bodies.Validate holds SetBodies to, keeps
// them far from 2^31 (TestBodyLimitFitsTheKernelsIndices); the partial sums
// are indexed in size_t.

// launch is the shape of one kernel launch.
type launch struct {
	grid, block cuda.Dim3
	shared      uint32 // bytes of dynamic shared memory
}

// tileBytes is the dynamic shared memory of the step and forces kernels:
// one tile of tileFactor × blockSize bodies' 4-vectors of elem bytes,
// which the kernels fill whole (nbody.cu's accumulate). Less is an
// out-of-range write in every block.
func tileBytes(tileFactor, blockSize int, elem uint64) uint64 {
	return uint64(tileFactor) * uint64(blockSize) * elem
}

// tiledLaunch is the shape of the step kernel (plan of one split) or of the
// forces kernel: plan.blocks × plan.splits blocks of plan.blockSize
// threads, each thread holding plan.bodiesPerThread bodies, and one tile
// of shared memory per block.
func tiledLaunch(p launchPlan, tileFactor int, elem uint64) launch {
	return launch{
		grid:   cuda.Dim3{X: uint32(p.blocks), Y: uint32(p.splits)},
		block:  cuda.Dim3{X: uint32(p.blockSize)},
		shared: uint32(tileBytes(tileFactor, p.blockSize, elem)),
	}
}

// elementwiseBlock is the block size of the kernels that do one body per
// thread (integrate, copy): their speed does not depend on it.
const elementwiseBlock = 256

// integrateLaunch is the shape of the integrate kernel: a thread for each
// of count bodies.
func integrateLaunch(count int) launch {
	return launch{grid: cuda.Dim3{X: uint32(ceilDiv(count, elementwiseBlock))}, block: cuda.Dim3{X: elementwiseBlock}}
}

// copyLaunch is the shape of the copy kernel for count bodies on a device
// of multiprocessors SMs: a thread per body up to 32 blocks per SM, beyond
// which the kernel's threads stride over the rest.
func copyLaunch(count, multiprocessors int) launch {
	blocks := min(ceilDiv(count, elementwiseBlock), 4*multiprocessors*8)
	return launch{grid: cuda.Dim3{X: uint32(blocks)}, block: cuda.Dim3{X: elementwiseBlock}}
}

// kernelReal is x as the kernels' floating-point parameters take it:
// float32 for the single-precision kernels, float64 for the double.
func kernelReal(double bool, x float64) any {
	if double {
		return x
	}
	return float32(x)
}

// stepParams is nbody_step_*(pos, posOut, vel, n, first, count, eps2, dt,
// damping): read n positions from pos by global index; write count new
// positions to posOut and velocities to vel by local index, from first.
func stepParams(double bool, pos, posOut, vel cuda.DevicePtr, n, first, count int, eps2, dt, damping float64) []any {
	return []any{pos, posOut, vel, int32(n), int32(first), int32(count),
		kernelReal(double, eps2), kernelReal(double, dt), kernelReal(double, damping)}
}

// forcesParams is nbody_forces_*(pos, partial, n, first, count, perSplit,
// eps2): split blockIdx.y of j, perSplit bodies from blockIdx.y ×
// perSplit, into partial at blockIdx.y × count.
func forcesParams(double bool, pos, partial cuda.DevicePtr, n, first, count, perSplit int, eps2 float64) []any {
	return []any{pos, partial, int32(n), int32(first), int32(count), int32(perSplit), kernelReal(double, eps2)}
}

// integrateParams is nbody_integrate_*(pos, posOut, vel, partial, first,
// count, splits, dt, damping): the splits' partial sums added in order,
// then the step of each of count bodies.
func integrateParams(double bool, pos, posOut, vel, partial cuda.DevicePtr, first, count, splits int, dt, damping float64) []any {
	return []any{pos, posOut, vel, partial, int32(first), int32(count), int32(splits),
		kernelReal(double, dt), kernelReal(double, damping)}
}

// copyParams is nbody_copy_*(src, dst, n): n bodies from src to dst.
func copyParams(src, dst cuda.DevicePtr, count int) []any {
	return []any{src, dst, int32(count)}
}

// launch queues f with the shape and parameters on the device's stream.
func (d *device) launch(f cuda.Function, l launch, params []any) error {
	return d.drv.LaunchKernel(f, l.grid, l.block, l.shared, d.stream, params...)
}

// launchStep queues one step: the fused step kernel when the plan has one
// split, else the forces kernel over every split and the integrate kernel.
// Kernels read every position by global index, and write this device's
// share of new positions and velocities by local index.
func (d *device) launchStep(dt float64) error {
	read, err := d.positionsToRead()
	if err != nil {
		return err
	}
	if err := d.launchBodies(read, d.first, d.count, d.plan, d.vel.ptr, d.partial.ptr, dt); err != nil {
		return err
	}
	d.cur = 1 - d.cur
	return nil
}

// launchSlice queues one slice of a sliced step (slice.go): the bodies of
// s, on its plan's grid, reading positions at read and writing their new
// velocities into velNext, which the step began by filling with vel.
func (d *device) launchSlice(read cuda.DevicePtr, s stepSlice, dt float64) error {
	return d.launchBodies(read, d.first+s.first, s.count, s.plan, d.offset(d.velNext.ptr, s.first), d.sliceParts.ptr, dt)
}

// launchBodies queues the step of count bodies from global index first on
// plan p's grid (every kernel of a step is launched here): the fused step
// kernel for one split, else the forces kernel over every split into
// partial and the integrate kernel that adds them. The kernels index
// posOut, vel and partial by the body's index from first: so posOut is the
// new-positions buffer offset to first, vel must point at body first's
// velocity (which the kernels read and overwrite), and partial holds
// p.splits × count sums laid out for this launch alone (split s of body k
// at s × count + k). pos, read by global index, is not offset.
func (d *device) launchBodies(read cuda.DevicePtr, first, count int, p launchPlan, vel, partial cuda.DevicePtr, dt float64) error {
	out := d.offset(d.pos[1-d.cur].ptr, first)
	damping := d.opts.Physics.Damping
	if p.splits == 1 {
		return d.launch(d.step, tiledLaunch(p, d.set.TileFactor, d.elem),
			stepParams(d.double, read, out, vel, d.n, first, count, d.eps2(), dt, damping))
	}
	if err := d.launchForcesOf(read, partial, first, count, p); err != nil {
		return err
	}
	return d.launch(d.integrate, integrateLaunch(count),
		integrateParams(d.double, read, out, vel, partial, first, count, p.splits, dt, damping))
}

// launchForces queues the forces kernel over every split of the plan,
// reading positions at read and writing the partial sums (plan.splits ×
// count bodies) to partial.
func (d *device) launchForces(read, partial cuda.DevicePtr) error {
	return d.launchForcesOf(read, partial, d.first, d.count, d.plan)
}

// launchForcesOf queues the forces kernel for count bodies from global
// index first on plan p's grid, writing p.splits × count partial sums to
// partial.
func (d *device) launchForcesOf(read, partial cuda.DevicePtr, first, count int, p launchPlan) error {
	return d.launch(d.forces, tiledLaunch(p, d.set.TileFactor, d.elem),
		forcesParams(d.double, read, partial, d.n, first, count, p.perSplit, d.eps2()))
}

// positionsToRead is where this step's kernels read the positions: the
// current buffer or, when staging host memory, the device copy of it,
// whose copy it queues first.
func (d *device) positionsToRead() (cuda.DevicePtr, error) {
	src := d.pos[d.cur].ptr
	if !d.stageHostMem {
		return src, nil
	}
	if err := d.launchCopy(src, d.staged.ptr); err != nil {
		return 0, err
	}
	return d.staged.ptr, nil
}

// launchCopy queues the copy of all positions from src to dst.
func (d *device) launchCopy(src, dst cuda.DevicePtr) error {
	return d.launchCopyBodies(src, dst, d.n)
}

// launchCopyBodies queues the copy of count bodies from src to dst; no
// launch for none.
func (d *device) launchCopyBodies(src, dst cuda.DevicePtr, count int) error {
	if count <= 0 {
		return nil
	}
	return d.launch(d.copyFunc, copyLaunch(count, d.info.Multiprocessors), copyParams(src, dst, count))
}

// sharedBytes is the dynamic shared memory of this device's step and
// forces kernels.
func (d *device) sharedBytes() uint64 {
	return tileBytes(d.set.TileFactor, d.opts.BlockSize, d.elem)
}

// offset is the address of body k in a buffer of this device's precision
// that starts at p.
func (d *device) offset(p cuda.DevicePtr, k int) cuda.DevicePtr {
	return p + cuda.DevicePtr(uint64(k)*d.elem)
}

// eps2 is the softening squared, as the kernels take it.
func (d *device) eps2() float64 { return d.opts.Physics.Softening * d.opts.Physics.Softening }
