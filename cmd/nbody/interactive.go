package main

import (
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/internal/console"
	"github.com/nbody-go/nbody/internal/pathname"
	"github.com/nbody-go/nbody/nbody"
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

// viewing says, in place of the sample's
// window, what the interactive mode will do, and starts the status line.
func (a *app) viewing(v modes.ViewPlan) {
	rec, width, height := v.Frames, v.Width, v.Height
	a.view = v
	a.status = newStatusLine(a.statusW, a.statusTerminal, a.report.Bodies, a.prec)
	switch {
	case rec != nil && rec.EveryFrame():
		frames := v.Steps / v.Every
		fmt.Fprintf(a.out, "> No window here: drawing %d %s of %d×%d, one every %d %s, to %s\n",
			frames, plural(frames, "frame", "frames"), width, height, v.Every, plural(v.Every, "step", "steps"), pathname.Show(rec.Path()))
	case rec != nil:
		fmt.Fprintf(a.out, "> No window here: drawing the bodies after %d %s, %d×%d, to %s\n",
			v.Steps, plural(v.Steps, "step", "steps"), width, height, pathname.Show(rec.Path()))
	case v.Steps > 0:
		fmt.Fprintf(a.out, "> No window here: running %d %s; live figures on stderr\n", v.Steps, plural(v.Steps, "step", "steps"))
	default:
		fmt.Fprintln(a.out, "> No window here: running until Ctrl-C; live figures on stderr (-render=FILE.gif draws the bodies)")
	}
}

// viewed prints the interactive mode's totals, from the
// integrator's own clock as in -benchmark.
func (a *app) viewed(r modes.ViewResult) {
	a.status.clear()
	steps := r.End.Steps
	if r.Interrupted {
		by := "Ctrl-C"
		if sig, _ := cli.SignalOf(a.ctx); sig == syscall.SIGTERM {
			by = "SIGTERM"
		}
		fmt.Fprintf(a.out, "> Stopped by %s after %d %s\n", by, steps, plural(steps, "step", "steps"))
	}
	fmt.Fprintln(a.out, "> "+r.Summary())
	a.report.View = &r
}

// drawn says what -render wrote.
func (a *app) drawn(d modes.Drawing) {
	if a.view.Frames.EveryFrame() {
		fmt.Fprintf(a.out, "> Wrote %d %s of %d×%d to %s\n", d.Frames, plural(d.Frames, "frame", "frames"), d.Width, d.Height, pathname.Show(d.Path))
		return
	}
	steps := a.report.View.End.Steps
	fmt.Fprintf(a.out, "> Wrote the bodies after %d %s, %d×%d, to %s\n", steps, plural(steps, "step", "steps"), d.Width, d.Height, pathname.Show(d.Path))
}

// slowerInAll is how much slower than the simulation the whole run must
// go before the status line adds the rate that drawing frames leaves.
const slowerInAll = 1.1

// statusText is the interactive mode's live line, the figures of the
// sample's window title ("CUDA N-Body (N bodies): X fps | Y BIPS | Z
// GFLOP/s | single precision"): steps per second, billions of interactions
// per second and GFLOP/s over simulated, the simulation time of steps
// steps of n bodies as the integrator measured it (drawing excluded, as in
// -benchmark), then the precision and where the run is. When the steps
// took noticeably longer in all (wall), drawing frames included, that
// rate follows, so that the line never hides why a run is slow.
func statusText(n, steps int, simulated, wall time.Duration, prec nbody.Precision, where string) string {
	simulated = max(simulated, time.Nanosecond) // a clock too coarse to see the steps
	f := modes.Throughput(n, steps, simulated, prec)
	text := fmt.Sprintf("N-Body (%d bodies): %.1f steps/s | %.2f GI/s | %.1f GFLOP/s | %s precision | %s",
		n, float64(steps)/simulated.Seconds(), f.GInteractions, f.GFLOPS, prec, where)
	if float64(wall) > slowerInAll*float64(simulated) {
		text += fmt.Sprintf(" | %.1f steps/s in all", float64(steps)/wall.Seconds())
	}
	return text
}

// statusLine shows statusText on a console line for n bodies in prec.
type statusLine struct {
	line *console.Line
	n    int
	prec nbody.Precision
}

// newStatusLine returns a status line for n bodies in prec on w; terminal
// says whether w is a terminal. w nil shows nothing.
func newStatusLine(w io.Writer, terminal bool, n int, prec nbody.Precision) *statusLine {
	return &statusLine{line: console.NewLine(w, terminal), n: n, prec: prec}
}

// show refreshes the line with an interval's figures; where says how far
// the run has come.
func (s *statusLine) show(st modes.Status, where string) {
	s.line.Show(statusText(s.n, st.Steps, st.Simulated, st.Wall, s.prec, where))
}

// clear removes the line from the terminal; a nil *statusLine has none.
func (s *statusLine) clear() {
	if s != nil {
		s.line.Clear()
	}
}
