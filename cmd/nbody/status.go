package main

import (
	"fmt"
	"io"
	"time"

	"github.com/nbody-go/nbody/internal/console"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
)

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
