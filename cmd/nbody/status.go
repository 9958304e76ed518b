package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

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

// statusLine shows statusText on w. On a terminal it rewrites one line in
// place; elsewhere (a pipe, a log file) each refresh is a line of its own.
// A nil *statusLine, or one without a writer, shows nothing.
type statusLine struct {
	w        io.Writer
	terminal bool
	width    func() int // the terminal's columns; 0 when unknown
	n        int
	prec     nbody.Precision
	shown    bool // a line is on the terminal and must be cleared
}

// newStatusLine returns a status line for n bodies in prec on w; terminal
// says whether w is a terminal. w nil shows nothing.
func newStatusLine(w io.Writer, terminal bool, n int, prec nbody.Precision) *statusLine {
	return &statusLine{w: w, terminal: terminal, width: func() int { return terminalWidth(w) }, n: n, prec: prec}
}

// terminalWidth is the number of columns of the terminal w, or 0 when w
// is not one.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// fit shortens text to fewer than cols columns, so that a line rewritten
// in place never wraps (a wrapped line leaves a stale row behind at each
// refresh). cols 0 leaves it whole.
func fit(text string, cols int) string {
	r := []rune(text)
	if cols <= 1 || len(r) < cols {
		return text
	}
	return string(r[:cols-2]) + "…"
}

// show refreshes the line with an interval's figures; where says how far
// the run has come.
func (s *statusLine) show(st modes.Status, where string) {
	if s == nil || s.w == nil {
		return
	}
	text := statusText(s.n, st.Steps, st.Simulated, st.Wall, s.prec, where)
	if s.terminal {
		text = fit(text, s.width())
		// \r returns to the line's start; ESC[K clears what a longer
		// previous line left beyond the new one.
		fmt.Fprint(s.w, "\r"+text+"\x1b[K")
		s.shown = true
	} else {
		fmt.Fprintln(s.w, text)
	}
}

// clear removes the line from the terminal, so that what is printed next
// starts on a clean line.
func (s *statusLine) clear() {
	if s == nil || s.w == nil || !s.shown {
		return
	}
	fmt.Fprint(s.w, "\r\x1b[K")
	s.shown = false
}
