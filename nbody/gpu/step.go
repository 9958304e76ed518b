package gpu

import (
	"github.com/nbody-go/nbody/nbody/cuda"
)

// launchStep queues one step: the fused step kernel when the plan has one
// split, else the forces kernel over every split and the integrate kernel.
// With staging, the positions are first copied from mapped host memory.
func (d *device) launchStep(dt float64) error {
	src, dst := d.pos[d.cur], d.pos[1-d.cur]
	read := src.ptr
	if d.stageHostMem {
		if err := d.launchCopy(src.ptr, d.staged.ptr); err != nil {
			return err
		}
		read = d.staged.ptr
	}
	p := d.plan
	block := cuda.Dim3{X: uint32(p.blockSize)}
	shared := uint32(d.sharedBytes())
	n, first, count := int32(d.n), int32(d.first), int32(d.count)
	// Kernels read every position from read by global index, and write
	// this device's share of new positions and velocities by local index.
	out := d.offset(dst.ptr, d.first)
	var err error
	if p.splits == 1 {
		err = cuda.LaunchKernel(d.step, cuda.Dim3{X: uint32(p.blocks)}, block, shared, d.stream,
			read, out, d.vel.ptr, n, first, count, d.real(d.eps2()), d.real(dt), d.real(d.opts.Physics.Damping))
	} else {
		err = cuda.LaunchKernel(d.forces, cuda.Dim3{X: uint32(p.blocks), Y: uint32(p.splits)}, block, shared, d.stream,
			read, d.partial.ptr, n, first, count, int32(p.perSplit), d.real(d.eps2()))
		if err == nil {
			err = cuda.LaunchKernel(d.integrate, cuda.Dim3{X: uint32(ceilDiv(d.count, elementwiseBlock))},
				cuda.Dim3{X: elementwiseBlock}, 0, d.stream,
				read, out, d.vel.ptr, d.partial.ptr, first, count, int32(p.splits), d.real(dt), d.real(d.opts.Physics.Damping))
		}
	}
	if err != nil {
		return err
	}
	d.cur = 1 - d.cur
	return nil
}

// elementwiseBlock is the block size of the kernels that do one body per
// thread (integrate, copy): their speed does not depend on it.
const elementwiseBlock = 256

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
	blocks := min(ceilDiv(count, elementwiseBlock), 4*d.info.Multiprocessors*8)
	return cuda.LaunchKernel(d.copyFunc, cuda.Dim3{X: uint32(blocks)}, cuda.Dim3{X: elementwiseBlock}, 0, d.stream,
		src, dst, int32(count))
}

// offset is the address of body k in a buffer of this device's precision
// that starts at p.
func (d *device) offset(p cuda.DevicePtr, k int) cuda.DevicePtr {
	return p + cuda.DevicePtr(uint64(k)*d.elem)
}

// eps2 is the softening squared, as the kernels take it.
func (d *device) eps2() float64 { return d.opts.Physics.Softening * d.opts.Physics.Softening }

// real is x as the kernels' float parameter: float32 or float64.
func (d *device) real(x float64) any {
	if d.double {
		return x
	}
	return float32(x)
}
