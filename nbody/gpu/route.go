package gpu

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// exchange queues, after a step on every device, the exchange of the new
// positions by the integrator's route, then each device's ready event.
func (r *runner) exchange() error {
	g := r.g
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
				err = d.drv.MemcpyDtoDAsync(dst, src, bytes, d.stream)
			} else {
				err = d.drv.MemcpyPeerAsync(dst, o.ctx, src, d.ctx, bytes, d.stream)
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
// device with bodies. With a World the shares are every process's devices'
// and the local devices take part under their global ranks.
func (r *runner) gather() error {
	g := r.g
	// NCCL sets the thread's device as it goes: make no assumption after.
	defer func() { r.current = cuda.Context{} }()
	// Abort, from another goroutine, must not free the communicators while
	// collectives are queued on them.
	g.abort.mu.Lock()
	defer g.abort.mu.Unlock()
	if g.abort.aborted.Load() {
		return errAborted
	}
	if err := g.nccl.GroupStart(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	var err error
	base := g.base()
	if stride, ok := equalStride(g.world); ok {
		for k, d := range g.devs {
			buf := d.pos[d.cur].ptr
			bytes := uint64(stride) * d.elem
			if err = g.comms[k].AllGather(d.offset(buf, (base+k)*stride), buf, bytes, nccl.Uint8, d.stream); err != nil {
				break
			}
		}
	} else {
	roots:
		for root, sh := range g.world {
			if sh.count == 0 {
				continue
			}
			for k, d := range g.devs {
				p := d.offset(d.pos[d.cur].ptr, sh.first)
				if err = g.comms[k].Broadcast(p, p, uint64(sh.count)*d.elem, nccl.Uint8, root, d.stream); err != nil {
					break roots
				}
			}
		}
	}
	// A group that was opened is closed, even after an error.
	if endErr := g.nccl.GroupEnd(); err == nil {
		err = endErr
	}
	if err != nil {
		return fmt.Errorf("gpu: exchanging positions: %w", err)
	}
	return nil
}
