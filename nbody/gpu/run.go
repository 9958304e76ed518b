package gpu

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// runner drives every device from one goroutine locked to its OS thread,
// making a device's context current only when the next calls are for
// another context.
type runner struct {
	g       *Integrator
	current cuda.Context
}

// use makes d's context current, unless it is already.
func (r *runner) use(d *device) error {
	if r.current == d.ctx {
		return nil
	}
	if err := d.ctx.SetCurrent(); err != nil {
		return d.wrap(err)
	}
	r.current = d.ctx
	return nil
}

// run queues steps steps on every device and returns the time between
// CUDA events on the first device, recorded before the first step (which
// every other device waits for) and after the last (which waits for every
// other device). At most queueDepth steps are in flight, so that a
// cancelled ctx stops the run within a few steps while the GPUs still
// never wait for the host.
func (g *Integrator) run(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r := &runner{g: g}
	lead := g.devs[0]
	if err := r.use(lead); err != nil {
		return 0, err
	}
	if err := lead.start.Record(lead.stream); err != nil {
		return 0, lead.wrap(err)
	}
	for _, d := range g.devs[1:] {
		if err := r.use(d); err != nil {
			return 0, err
		}
		if err := d.stream.WaitEvent(lead.start); err != nil {
			return 0, d.wrap(err)
		}
	}
	var stopErr error
	for i := range steps {
		if stopErr = ctx.Err(); stopErr != nil {
			break
		}
		slot := i % queueDepth
		if i >= queueDepth {
			for _, d := range g.devs {
				if err := d.inFlight[slot].Synchronize(); err != nil {
					return 0, d.wrap(fmt.Errorf("step %d: %w", i-queueDepth, err))
				}
			}
		}
		if err := r.step(dt); err != nil {
			return 0, fmt.Errorf("step %d: %w", i, err)
		}
		for _, d := range g.devs {
			if err := r.use(d); err != nil {
				return 0, err
			}
			if err := d.inFlight[slot].Record(d.stream); err != nil {
				return 0, d.wrap(err)
			}
		}
	}
	if err := r.use(lead); err != nil {
		return 0, err
	}
	for _, d := range g.devs[1:] {
		if err := lead.stream.WaitEvent(d.ready); err != nil {
			return 0, lead.wrap(err)
		}
	}
	if err := lead.stop.Record(lead.stream); err != nil {
		return 0, lead.wrap(err)
	}
	if err := lead.stop.Synchronize(); err != nil {
		return 0, lead.wrap(err)
	}
	elapsed, err := cuda.EventElapsed(lead.start, lead.stop)
	if err != nil {
		return 0, lead.wrap(err)
	}
	return elapsed, stopErr
}

// step queues one step on every device, then the exchange that brings
// every device every new position.
func (r *runner) step(dt float64) error {
	g := r.g
	waitBefore := g.route == RoutePeer || g.route == RouteShared
	for k, d := range g.devs {
		if err := r.use(d); err != nil {
			return err
		}
		if waitBefore {
			// The previous step's positions from every other device have
			// arrived (peer), or every device is done with the shared
			// copy this step overwrites (shared).
			for m, o := range g.devs {
				if m != k && g.shares[m].count > 0 {
					if err := d.stream.WaitEvent(o.ready); err != nil {
						return d.wrap(err)
					}
				}
			}
		}
		if d.count == 0 {
			d.cur = 1 - d.cur // no bodies of its own; it still follows the others
			continue
		}
		if err := d.launchStep(dt); err != nil {
			return d.wrap(err)
		}
	}
	var err error
	switch g.route {
	case RouteNone:
		return nil
	case RoutePeer:
		err = r.sendPeer()
	case RouteHost:
		err = r.throughHost()
	case RouteNCCL:
		err = r.gather()
	}
	if err != nil {
		return err
	}
	for _, d := range g.devs {
		if err := r.use(d); err != nil {
			return err
		}
		if err := d.ready.Record(d.stream); err != nil {
			return d.wrap(err)
		}
	}
	return nil
}

// sendPeer queues, on each device's stream after its step, the copies of
// its new positions into every other device's new positions.
func (r *runner) sendPeer() error {
	g := r.g
	for k, d := range g.devs {
		if d.count == 0 {
			continue
		}
		if err := r.use(d); err != nil {
			return err
		}
		src := d.offset(d.pos[d.cur].ptr, d.first)
		bytes := uint64(d.count) * d.elem
		for m, o := range g.devs {
			if m == k {
				continue
			}
			dst := o.offset(o.pos[o.cur].ptr, d.first)
			var err error
			if o.ctx == d.ctx {
				// Logical devices on one GPU: a copy within the context.
				err = cuda.MemcpyDtoDAsync(dst, src, bytes, d.stream)
			} else {
				err = cuda.MemcpyPeerAsync(dst, o.ctx, src, d.ctx, bytes, d.stream)
			}
			if err != nil {
				return d.wrap(fmt.Errorf("copying %d bodies to device %d: %w", d.count, o.info.Ordinal, err))
			}
		}
	}
	return nil
}

// throughHost queues the host exchange: each device's copy kernel writes
// its new positions into the page-locked staging buffer of this step's
// parity, then every device, once all the others have written, reads the
// rest of the positions from there. Two staging buffers, used in turn, keep
// a fast device from overwriting a share that a slow one still reads: it
// can only get one step ahead.
func (r *runner) throughHost() error {
	g := r.g
	par := g.parity
	g.parity = 1 - g.parity
	for _, d := range g.devs {
		if d.count == 0 {
			continue
		}
		if err := r.use(d); err != nil {
			return err
		}
		src := d.offset(d.pos[d.cur].ptr, d.first)
		if err := d.launchCopyBodies(src, d.offset(d.hostView[par], d.first), d.count); err != nil {
			return d.wrap(fmt.Errorf("copying %d bodies to host memory: %w", d.count, err))
		}
		if err := d.sent.Record(d.stream); err != nil {
			return d.wrap(err)
		}
	}
	for k, d := range g.devs {
		if err := r.use(d); err != nil {
			return err
		}
		for m, o := range g.devs {
			if m != k && o.count > 0 {
				if err := d.stream.WaitEvent(o.sent); err != nil {
					return d.wrap(err)
				}
			}
		}
		// Everything but its own share: the bodies before it and after it.
		own := g.shares[k]
		dst := d.pos[d.cur].ptr
		for _, span := range [2]share{{0, own.first}, {own.first + own.count, d.n - own.first - own.count}} {
			if err := d.launchCopyBodies(d.offset(d.hostView[par], span.first), d.offset(dst, span.first), span.count); err != nil {
				return d.wrap(fmt.Errorf("copying %d bodies from host memory: %w", span.count, err))
			}
		}
	}
	return nil
}

// gather queues the NCCL exchange as one group: an in-place all-gather of
// equal slices when the shares allow it, else a broadcast from every
// device with bodies.
func (r *runner) gather() error {
	g := r.g
	// NCCL sets the thread's device as it goes: make no assumption after.
	defer func() { r.current = 0 }()
	if err := nccl.GroupStart(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	var err error
	if stride, ok := equalStride(g.shares); ok {
		for k, d := range g.devs {
			buf := d.pos[d.cur].ptr
			bytes := uint64(stride) * d.elem
			if err = nccl.AllGather(d.offset(buf, k*stride), buf, bytes, nccl.Uint8, g.comms[k], d.stream); err != nil {
				break
			}
		}
	} else {
	roots:
		for root, sh := range g.shares {
			if sh.count == 0 {
				continue
			}
			for k, d := range g.devs {
				p := d.offset(d.pos[d.cur].ptr, sh.first)
				if err = nccl.Broadcast(p, p, uint64(sh.count)*d.elem, nccl.Uint8, root, g.comms[k], d.stream); err != nil {
					break roots
				}
			}
		}
	}
	// A group that was opened is closed, even after an error.
	if endErr := nccl.GroupEnd(); err == nil {
		err = endErr
	}
	if err != nil {
		return fmt.Errorf("gpu: exchanging positions: %w", err)
	}
	return nil
}
