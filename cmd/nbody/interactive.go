package main

import (
	"fmt"
	"syscall"
	"time"

	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/nbody/modes"
)

// where says how far the interactive mode has come, for the status line.
func where(v modes.ViewPlan, done int) string {
	switch {
	case v.Frames != nil && v.Frames.EveryFrame():
		return fmt.Sprintf("frame %d of %d, step %d of %d", done/v.Every, v.Steps/v.Every, done, v.Steps)
	case v.Steps > 0:
		return fmt.Sprintf("step %d of %d", done, v.Steps)
	default:
		return fmt.Sprintf("step %d (Ctrl-C stops)", done)
	}
}

// Viewing implements modes.Observer: it says, in place of the sample's
// window, what the interactive mode will do, and starts the status line.
func (a *app) Viewing(v modes.ViewPlan) {
	rec, width, height := v.Frames, v.Width, v.Height
	a.view = v
	a.status = newStatusLine(a.statusW, a.statusTerminal, a.report.Bodies, a.prec)
	switch {
	case rec != nil && rec.EveryFrame():
		frames := v.Steps / v.Every
		fmt.Fprintf(a.out, "> No window here: drawing %d %s of %d×%d, one every %d %s, to %s\n",
			frames, plural(frames, "frame", "frames"), width, height, v.Every, plural(v.Every, "step", "steps"), rec.Path())
	case rec != nil:
		fmt.Fprintf(a.out, "> No window here: drawing the bodies after %d %s, %d×%d, to %s\n",
			v.Steps, plural(v.Steps, "step", "steps"), width, height, rec.Path())
	case v.Steps > 0:
		fmt.Fprintf(a.out, "> No window here: running %d %s; live figures on stderr\n", v.Steps, plural(v.Steps, "step", "steps"))
	default:
		fmt.Fprintln(a.out, "> No window here: running until Ctrl-C; live figures on stderr (-render=FILE.gif draws the bodies)")
	}
}

// Status implements modes.Observer: the status line's figures.
func (a *app) Status(s modes.Status) { a.status.show(s, where(a.view, s.Done)) }

// Viewed implements modes.Observer: the run's totals, from the
// integrator's own clock as in -benchmark.
func (a *app) Viewed(r modes.ViewResult) {
	a.status.clear()
	f, steps := r.Figures, r.End.Steps
	if r.Interrupted {
		by := "Ctrl-C"
		if sig, _ := cli.SignalOf(a.ctx); sig == syscall.SIGTERM {
			by = "SIGTERM"
		}
		fmt.Fprintf(a.out, "> Stopped by %s after %d %s\n", by, steps, plural(steps, "step", "steps"))
	}
	fmt.Fprintf(a.out, "> %d bodies, %d %s of dt %g: %.3f ms of simulation, %.3f billion interactions per second, "+
		"%.3f %s-precision GFLOP/s (%s in all)\n",
		f.Bodies, steps, plural(steps, "step", "steps"), r.End.DT, f.Milliseconds, f.GInteractions, f.GFLOPS, f.Precision, seconds(r.Wall))
	a.report.View = &r
}

// seconds writes a wall-clock time to three decimals: in seconds from a
// tenth of a second on, in milliseconds below, so that a short run never
// reads "0.000 s".
func seconds(d time.Duration) string {
	if d >= 100*time.Millisecond {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// Drawn implements modes.Observer: what -render wrote.
func (a *app) Drawn(d modes.Drawing) {
	if a.view.Frames.EveryFrame() {
		fmt.Fprintf(a.out, "> Wrote %d %s of %d×%d to %s\n", d.Frames, plural(d.Frames, "frame", "frames"), d.Width, d.Height, d.Path)
		return
	}
	steps := a.report.View.End.Steps
	fmt.Fprintf(a.out, "> Wrote the bodies after %d %s, %d×%d, to %s\n", steps, plural(steps, "step", "steps"), d.Width, d.Height, d.Path)
}
