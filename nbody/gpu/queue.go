package gpu

import (
	"context"
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
)

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
