package gpu

import (
	"errors"
	"fmt"
	"time"
)

// TimeForces times the forces kernel on its own, on the first device:
// reps launches over the bodies set, on the grid of its launch plan (see
// LaunchShapes and Options.Splits), each timed between CUDA events
// recorded around it. The forces kernel only writes partial sums, so the
// bodies do not move. It is for comparing builds of the kernels
// (Options.Kernels, bench/kernelbench); Step times whole steps.
func (g *Integrator) TimeForces(reps int) (times []time.Duration, err error) {
	if g.closed {
		return nil, errClosed
	}
	if g.n == 0 {
		return nil, errNoBodies
	}
	if reps < 0 {
		return nil, fmt.Errorf("gpu: %d repetitions", reps)
	}
	// Earlier steps may still write the positions the kernel reads.
	if err := g.synchronize(); err != nil {
		return nil, err
	}
	d := g.devs[0] // the first device always has bodies (splitBodies)
	unbind, err := d.bind()
	if err != nil {
		return nil, err
	}
	defer unbind()
	partial := d.partial
	if d.plan.splits == 1 {
		// A plan of one split runs the fused step kernel, which needs no
		// partial sums, so SetBodies allocated none: the timing has its
		// own, freed once its launches are done.
		var tmp buffer
		if tmp, err = allocate(d.drv, d.plan.partialBytes(d.count, d.elem), false); err != nil {
			return nil, d.wrap(fmt.Errorf("%d bodies, partial accelerations: %w", d.n, err))
		}
		defer func() {
			if freeErr := errors.Join(d.stream.Synchronize(), tmp.free()); freeErr != nil {
				err = errors.Join(err, d.wrap(freeErr))
			}
		}()
		partial = tmp
	}
	read, err := d.positionsToRead()
	if err != nil {
		return nil, d.wrap(err)
	}
	times = make([]time.Duration, 0, reps)
	for range reps {
		if err := d.start.Record(d.stream); err != nil {
			return nil, d.wrap(err)
		}
		if err := d.launchForces(read, partial.ptr); err != nil {
			return nil, d.wrap(err)
		}
		if err := d.stop.Record(d.stream); err != nil {
			return nil, d.wrap(err)
		}
		if err := d.stop.Synchronize(); err != nil {
			return nil, d.wrap(err)
		}
		t, err := d.drv.EventElapsed(d.start, d.stop)
		if err != nil {
			return nil, d.wrap(err)
		}
		times = append(times, t)
	}
	return times, nil
}
