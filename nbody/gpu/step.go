package gpu

import (
	"context"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// run queues steps steps on the device's stream between two timing events
// and returns the time between them. It keeps at most queueDepth steps in
// flight, so that a cancelled ctx stops the run within a few steps; the
// GPU still never waits for the host while steps take longer than a
// launch.
func (d *device) run(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	unbind, err := d.bind()
	if err != nil {
		return 0, err
	}
	defer unbind()
	if err := d.start.Record(d.stream); err != nil {
		return 0, d.wrap(err)
	}
	var stopErr error
	for i := range steps {
		if stopErr = ctx.Err(); stopErr != nil {
			break
		}
		slot := d.inFlight[i%queueDepth]
		if i >= queueDepth {
			if err := slot.Synchronize(); err != nil {
				return 0, d.wrap(fmt.Errorf("step %d: %w", i-queueDepth, err))
			}
		}
		if err := d.launchStep(dt); err != nil {
			return 0, d.wrap(fmt.Errorf("step %d: %w", i, err))
		}
		if err := slot.Record(d.stream); err != nil {
			return 0, d.wrap(err)
		}
	}
	if err := d.stop.Record(d.stream); err != nil {
		return 0, d.wrap(err)
	}
	if err := d.stop.Synchronize(); err != nil {
		return 0, d.wrap(err)
	}
	elapsed, err := cuda.EventElapsed(d.start, d.stop)
	if err != nil {
		return 0, d.wrap(err)
	}
	return elapsed, stopErr
}

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
	out := dst.ptr + cuda.DevicePtr(uint64(d.first)*d.elem)
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
	blocks := min(ceilDiv(d.n, elementwiseBlock), 4*d.info.Multiprocessors*8)
	return cuda.LaunchKernel(d.copyFunc, cuda.Dim3{X: uint32(blocks)}, cuda.Dim3{X: elementwiseBlock}, 0, d.stream,
		src, dst, int32(d.n))
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
