package gpu

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/nbody-go/nbody/nbody/cuda"
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
