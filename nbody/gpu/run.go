package gpu

import (
	"context"
	"errors"
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
// every other device waits for) and after the last whole step (which waits
// for every other device), with ctx's error if it ended the run first.
// How the steps are queued depends on their estimated length (slice.go):
// short steps whole, a few in flight, so that the GPUs never wait for the
// host; long steps in slices, a cancel abandoning the step under way.
func (g *Integrator) run(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r := &runner{g: g}
	sh, err := r.shape()
	if err != nil {
		return 0, err
	}
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
	var done int
	var stopErr error
	if sh.slices != nil {
		done, stopErr, err = r.runSliced(ctx, dt, steps, sh.slices)
	} else {
		done, stopErr, err = r.runWhole(ctx, dt, steps, sh.depth)
	}
	if err != nil {
		return 0, err
	}
	var elapsed time.Duration
	if sh.slices != nil && stopErr != nil {
		elapsed, err = r.abandon(done)
	} else {
		elapsed, err = r.finish()
	}
	if err != nil {
		return 0, err
	}
	g.last = runStats{steps: done, depth: sh.depth}
	for _, s := range sh.slices {
		g.last.slices = append(g.last.slices, len(s))
	}
	if done > 0 {
		// What a whole step takes, for the next run's shape: a sliced
		// one's time scaled back by the plans' costs, so that a step
		// barely long enough to be sliced is not kept sliced by the cost
		// of its slicing.
		perStep := elapsed / time.Duration(done)
		if sh.slices != nil {
			perStep = time.Duration(float64(perStep) * float64(lead.plan.cost()) / float64(max(1, slicesCost(sh.slices[0]))))
		}
		g.perStep, g.perStepN = perStep, g.n
	}
	return elapsed, stopErr
}

// runShape is how a run queues its steps: slices, when non-nil, are each
// device's slices of every step (none for a device without bodies); else
// depth whole steps are queued ahead of the host.
type runShape struct {
	slices [][]stepSlice
	depth  int
}

// shape decides how this run queues its steps, from the estimated length
// of one (stepEstimate), and makes room for sliced steps. Where that room
// cannot be had (out of memory), the steps run whole, one queued at a
// time: the run still runs, at full speed, and a cancel waits for the step
// under way.
func (r *runner) shape() (runShape, error) {
	g := r.g
	limits := g.opts.limits.orDefault()
	est := g.stepEstimate()
	if !limits.sliced(est) {
		return runShape{depth: limits.wholeStepDepth(est)}, nil
	}
	sh := runShape{slices: make([][]stepSlice, len(g.devs))}
	for k, d := range g.devs {
		planFor := func(c int) launchPlan { return d.planFor(d.n, c) }
		if limits.rows > 0 {
			sh.slices[k] = cutSlices(d.count, limits.rows*d.plan.blockSize*d.plan.bodiesPerThread, planFor)
		} else {
			sh.slices[k] = sliceStep(d.count, d.plan, est, limits.slice, planFor)
		}
		if err := r.use(d); err != nil {
			return runShape{}, err
		}
		if err := d.reserveSlices(sh.slices[k]); err != nil {
			if errors.Is(err, cuda.ErrOutOfMemory) {
				return runShape{depth: 1}, nil
			}
			return runShape{}, err
		}
	}
	return sh, nil
}

// stepEstimate is the GPU time of one whole step of the bodies set: as the
// last run measured it, or before any, guessed from N² (guessStep) for the
// slowest device.
func (g *Integrator) stepEstimate() time.Duration {
	if g.perStepN == g.n && g.perStep > 0 {
		return g.perStep
	}
	var est time.Duration
	for _, d := range g.devs {
		est = max(est, guessStep(d.n, d.count, d.double, d.info))
	}
	return est
}

// runWhole queues the steps whole, at most depth in flight: before
// queueing step i it waits for step i - depth, then checks ctx. It returns
// the steps queued, all of which run, and ctx's error if it ended the run
// (stopErr) or another that stopped it (err).
func (r *runner) runWhole(ctx context.Context, dt float64, steps, depth int) (done int, stopErr, err error) {
	g := r.g
	for i := range steps {
		slot := i % depth
		if i >= depth {
			for _, d := range g.devs {
				if err := d.inFlight[slot].Synchronize(); err != nil {
					return i, nil, d.wrap(fmt.Errorf("step %d: %w", i-depth, err))
				}
			}
		}
		// After the wait, so that a cancel during it queues nothing more.
		if err := ctx.Err(); err != nil {
			return i, err, nil
		}
		if err := r.step(dt); err != nil {
			return i, nil, fmt.Errorf("step %d: %w", i, err)
		}
		for _, d := range g.devs {
			if err := r.use(d); err != nil {
				return i, nil, err
			}
			if err := d.inFlight[slot].Record(d.stream); err != nil {
				return i, nil, d.wrap(err)
			}
		}
	}
	return steps, nil, nil
}

// runSliced queues every step as rounds of slices, round k holding each
// device's slice k, each round followed by an event on every device (the
// inFlight ring, sliceWindow of it). Before a round it waits for the round
// before the previous one, on every device, then checks ctx: so one round
// stays queued while the host waits, and a cancel finds at most two. When
// a step's rounds are all queued, every device takes its new positions
// and velocities and the exchange follows, once, as for a whole step; the
// first device then marks the step's end with its stop event. It returns
// the whole steps done, and errors as runWhole; on a cancel, the step
// under way is abandoned.
func (r *runner) runSliced(ctx context.Context, dt float64, steps int, slices [][]stepSlice) (done int, stopErr, err error) {
	g := r.g
	rounds := 0
	for _, s := range slices {
		rounds = max(rounds, len(s))
	}
	reads := make([]cuda.DevicePtr, len(g.devs))
	unit := 0
	for i := range steps {
		for round := range rounds {
			slot := unit % sliceWindow
			if unit >= sliceWindow {
				for _, d := range g.devs {
					if err := d.inFlight[slot].Synchronize(); err != nil {
						return i, nil, d.wrap(fmt.Errorf("step %d: %w", i, err))
					}
				}
			}
			if err := ctx.Err(); err != nil {
				return i, err, nil
			}
			if round == 0 {
				if err := r.beginSliced(reads); err != nil {
					return i, nil, fmt.Errorf("step %d: %w", i, err)
				}
			}
			for k, d := range g.devs {
				if err := r.use(d); err != nil {
					return i, nil, err
				}
				if round < len(slices[k]) {
					if err := d.launchSlice(reads[k], slices[k][round], dt); err != nil {
						return i, nil, d.wrap(fmt.Errorf("step %d, slice %d: %w", i, round, err))
					}
				}
				if err := d.inFlight[slot].Record(d.stream); err != nil {
					return i, nil, d.wrap(err)
				}
			}
			unit++
		}
		if err := r.endSliced(); err != nil {
			return i, nil, fmt.Errorf("step %d: %w", i, err)
		}
	}
	return steps, nil, nil
}

// beginSliced queues what a sliced step does before its slices, on every
// device: the waits for the other devices, the copy of the positions the
// kernels read (HostMem staging), whose address it puts in reads, and the
// copy of the velocities into velNext, where the slices update them.
func (r *runner) beginSliced(reads []cuda.DevicePtr) error {
	for k, d := range r.g.devs {
		if err := r.use(d); err != nil {
			return err
		}
		if err := r.waitForOthers(k, d); err != nil {
			return err
		}
		if d.count == 0 {
			continue
		}
		read, err := d.positionsToRead()
		if err != nil {
			return d.wrap(err)
		}
		reads[k] = read
		if err := d.launchCopyBodies(d.vel.ptr, d.velNext.ptr, d.count); err != nil {
			return d.wrap(fmt.Errorf("copying %d velocities: %w", d.count, err))
		}
	}
	return nil
}

// endSliced completes a sliced step once its slices are queued: the new
// positions become current and velNext becomes vel on every device, the
// exchange is queued, and the first device, after every other device's
// part, records stop: the end of the last whole step, which an abandoned
// run times to.
func (r *runner) endSliced() error {
	g := r.g
	for _, d := range g.devs {
		d.cur = 1 - d.cur
		if d.count > 0 {
			d.vel, d.velNext = d.velNext, d.vel
		}
	}
	if err := r.exchange(); err != nil {
		return err
	}
	lead := g.devs[0]
	if err := r.use(lead); err != nil {
		return err
	}
	for _, d := range g.devs[1:] {
		if err := lead.stream.WaitEvent(d.ready); err != nil {
			return lead.wrap(err)
		}
	}
	if err := lead.stop.Record(lead.stream); err != nil {
		return lead.wrap(err)
	}
	return nil
}

// finish ends a run whose queued steps are all whole: the first device
// waits for every other, records stop, and the time from start is
// returned once stop completes.
func (r *runner) finish() (time.Duration, error) {
	g := r.g
	lead := g.devs[0]
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
	elapsed, err := lead.drv.EventElapsed(lead.start, lead.stop)
	if err != nil {
		return 0, lead.wrap(err)
	}
	return elapsed, nil
}

// abandon ends a sliced run that a cancel stopped: it waits for the slices
// still queued (at most two rounds), which change nothing the integrator
// reads, and returns the time of the done whole steps, from start to the
// stop event that the last of them recorded (none: 0).
func (r *runner) abandon(done int) (time.Duration, error) {
	g := r.g
	for _, d := range g.devs {
		if err := r.use(d); err != nil {
			return 0, err
		}
		if err := d.stream.Synchronize(); err != nil {
			return 0, d.wrap(err)
		}
	}
	if done == 0 {
		return 0, nil
	}
	lead := g.devs[0]
	elapsed, err := lead.drv.EventElapsed(lead.start, lead.stop)
	if err != nil {
		return 0, lead.wrap(err)
	}
	return elapsed, nil
}

// step queues one whole step on every device, then the exchange that
// brings every device every new position.
func (r *runner) step(dt float64) error {
	g := r.g
	for k, d := range g.devs {
		if err := r.use(d); err != nil {
			return err
		}
		if err := r.waitForOthers(k, d); err != nil {
			return err
		}
		if d.count == 0 {
			d.cur = 1 - d.cur // no bodies of its own; it still follows the others
			continue
		}
		if err := d.launchStep(dt); err != nil {
			return d.wrap(err)
		}
	}
	return r.exchange()
}

// waitForOthers makes device k (current) wait, where the route needs it,
// for the previous step of every other device with bodies: for its
// positions to have arrived (peer), or for it to be done with the shared
// copy that this step overwrites (shared).
func (r *runner) waitForOthers(k int, d *device) error {
	g := r.g
	if g.route != RoutePeer && g.route != RouteShared {
		return nil
	}
	for m, o := range g.devs {
		if m != k && g.shares[m].count > 0 {
			if err := d.stream.WaitEvent(o.ready); err != nil {
				return d.wrap(err)
			}
		}
	}
	return nil
}

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
