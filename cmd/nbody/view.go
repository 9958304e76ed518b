package main

import (
	"context"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// viewRun is the interactive mode's plan: how many steps, and what -render
// draws on the way.
type viewRun struct {
	total int        // steps to take; 0 runs until Ctrl-C
	every int        // steps between two frames
	sink  *frameSink // nil without -render
}

// where says how far the run has come, for the status line.
func (v viewRun) where(done int) string {
	switch {
	case v.sink != nil && v.sink.everyFrame():
		return fmt.Sprintf("frame %d of %d, step %d of %d", done/v.every, v.total/v.every, done, v.total)
	case v.total > 0:
		return fmt.Sprintf("step %d of %d", done, v.total)
	default:
		return fmt.Sprintf("step %d (Ctrl-C stops)", done)
	}
}

// view is the sample's interactive mode without a window: it steps the
// bodies, draws them to the -render file (frames × every steps), or runs
// -i steps or until Ctrl-C, with the window title's figures on a status
// line. Ctrl-C ends it as closing the sample's window does: the frames so
// far are written and the summary printed.
func (a *app) view(p platform, b nbody.Bodies) (*endState, error) {
	o := a.o
	v := viewRun{every: o.every}
	width, height := o.renderSize()
	switch {
	case o.render != "":
		v.total = o.frames * o.every
		sink, err := openFrameSink(o.render, renderFormat(o.render), width, height, a.params, a.prec)
		if err != nil {
			return nil, err
		}
		defer sink.abandon()
		v.sink = sink
	case o.iterationsSet:
		v.total = o.iterations
	}
	a.announceView(v, width, height)

	in := p.integrator
	if err := in.SetBodies(b); err != nil {
		return nil, fmt.Errorf("loading %d bodies: %w", b.N(), err)
	}
	end := &endState{dt: a.params.DT}
	status := newStatusLine(a.statusW, a.statusTerminal, b.N(), a.prec)
	// Steps run to the end of their chunk: Ctrl-C is seen between chunks
	// (each a fraction of a second), so the count of steps taken is exact.
	stepCtx := context.WithoutCancel(a.ctx)
	began := time.Now()
	var simulated time.Duration
	chunk := 1
	for (v.total == 0 || end.steps < v.total) && a.ctx.Err() == nil {
		k := chunk
		if v.total > 0 {
			k = min(k, v.total-end.steps)
		}
		if v.sink != nil {
			k = min(k, v.every-end.steps%v.every)
		}
		d, err := in.Step(stepCtx, end.dt, k)
		if err != nil {
			status.clear()
			return nil, fmt.Errorf("step %d: %w", end.steps+1, err)
		}
		end.steps += k
		simulated += d
		last := end.steps == v.total
		if v.sink != nil && end.steps%v.every == 0 && (v.sink.everyFrame() || last) {
			if err := a.drawFrame(in, v.sink, &end.bodies); err != nil {
				status.clear()
				return nil, err
			}
		}
		status.add(k, d, v.where(end.steps))
		chunk = max(1, int(chunkTarget/max(d/time.Duration(k), time.Nanosecond)))
	}
	wall := time.Since(began)
	status.clear()

	// A Ctrl-C that lands after the last step stopped nothing.
	interrupted := a.ctx.Err() != nil && (v.total == 0 || end.steps < v.total)
	if interrupted && v.sink != nil && !v.sink.everyFrame() && v.sink.count() == 0 && end.steps > 0 {
		// A PNG shows where the bodies were when Ctrl-C stopped them.
		if err := a.drawFrame(in, v.sink, &end.bodies); err != nil {
			return nil, err
		}
	}
	if interrupted && (end.steps == 0 || (v.sink != nil && v.sink.count() == 0)) {
		return nil, a.ctx.Err() // nothing to show: an interrupted run
	}
	if err := in.Bodies(&end.bodies); err != nil {
		return nil, fmt.Errorf("reading back the bodies: %w", err)
	}
	a.summarizeView(v, end, simulated, wall, interrupted, b.N())
	if v.sink != nil {
		if err := v.sink.write(); err != nil {
			return nil, err
		}
		a.report.View.Render = o.render
		a.report.View.Frames = v.sink.count()
		a.report.View.Every = v.every
		a.report.View.Width, a.report.View.Height = width, height
		a.printWritten(v, end.steps, width, height)
	}
	return end, nil
}

// drawFrame reads the bodies back from the integrator into buf and draws
// them into the sink.
func (a *app) drawFrame(in nbody.Integrator, sink *frameSink, buf *nbody.Bodies) error {
	if err := in.Bodies(buf); err != nil {
		return fmt.Errorf("reading back the bodies for a frame: %w", err)
	}
	sink.add(*buf)
	return nil
}

// announceView says, in place of the sample's window, what the
// interactive mode will do.
func (a *app) announceView(v viewRun, width, height int) {
	switch {
	case v.sink != nil && v.sink.everyFrame():
		fmt.Fprintf(a.out, "> No window here: drawing %d frames of %d×%d, one every %d %s, to %s\n",
			v.total/v.every, width, height, v.every, plural(v.every, "step", "steps"), v.sink.path)
	case v.sink != nil:
		fmt.Fprintf(a.out, "> No window here: drawing the bodies after %d %s, %d×%d, to %s\n",
			v.total, plural(v.total, "step", "steps"), width, height, v.sink.path)
	case v.total > 0:
		fmt.Fprintf(a.out, "> No window here: running %d %s; live figures on stderr\n", v.total, plural(v.total, "step", "steps"))
	default:
		fmt.Fprintln(a.out, "> No window here: running until Ctrl-C; live figures on stderr (-render=FILE.gif draws the bodies)")
	}
}

// summarizeView prints the run's totals, from the integrator's own clock
// as in -benchmark, and fills the JSON report.
func (a *app) summarizeView(v viewRun, end *endState, simulated, wall time.Duration, interrupted bool, n int) {
	f := figures(n, end.steps, simulated, a.prec)
	if interrupted {
		fmt.Fprintf(a.out, "> Stopped by Ctrl-C after %d %s\n", end.steps, plural(end.steps, "step", "steps"))
	}
	fmt.Fprintf(a.out, "> %d bodies, %d %s of dt %g: %.3f ms of simulation, %.3f billion interactions per second, "+
		"%.3f %s-precision GFLOP/s (%.3f s in all)\n",
		n, end.steps, plural(end.steps, "step", "steps"), end.dt, f.Milliseconds, f.GInteractions, f.GFLOPS, a.prec, wall.Seconds())
	a.report.View = &jsonView{
		Steps:             end.steps,
		TimeStep:          end.dt,
		Interrupted:       interrupted,
		TotalMilliseconds: jsonFloat(f.Milliseconds),
		WallSeconds:       jsonFloat(wall.Seconds()),
		GInteractions:     jsonFloat(f.GInteractions),
		GFLOPS:            jsonFloat(f.GFLOPS),
	}
}

// printWritten says what -render wrote.
func (a *app) printWritten(v viewRun, steps, width, height int) {
	if v.sink.everyFrame() {
		fmt.Fprintf(a.out, "> Wrote %d %s of %d×%d to %s\n", v.sink.count(), plural(v.sink.count(), "frame", "frames"), width, height, v.sink.path)
		return
	}
	fmt.Fprintf(a.out, "> Wrote the bodies after %d %s, %d×%d, to %s\n", steps, plural(steps, "step", "steps"), width, height, v.sink.path)
}
