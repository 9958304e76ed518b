// Package console draws live progress on a terminal for the commands: a bar
// for long phases, and a status line rewritten in place that never wraps.
//
// # Logs
//
// Where the output is not a terminal the bar stays away and each status is a
// line of its own, so that logs keep the run's progress.
package console

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Terminal returns f when it is a terminal, else nil.
func Terminal(f *os.File) io.Writer {
	if term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// Width is the number of columns of the terminal w, or 0 when w is not one.
func Width(w io.Writer) int {
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

// Bar draws a progress bar on a terminal for each phase of a run that
// turns out to take longer than After; its Steps and Done methods are
// nbody/modes' Progress.
type Bar struct {
	w     io.Writer
	after time.Duration
	bar   *progressbar.ProgressBar
	done  bool // the bar's phase took every step
}

// NewBar returns a bar on the terminal w for phases predicted to last
// longer than after.
func NewBar(w io.Writer, after time.Duration) *Bar { return &Bar{w: w, after: after} }

// Steps says that done of total steps of phase are taken, elapsed after
// the phase began: the bar appears once the steps so far predict a phase
// longer than the bar's threshold.
func (p *Bar) Steps(phase string, done, total int, elapsed time.Duration) {
	perStep := elapsed / time.Duration(max(done, 1))
	if p.bar == nil && done < total && elapsed+perStep*time.Duration(total-done) > p.after {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(phase),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	if p.bar != nil {
		_ = p.bar.Set(done)
	}
	p.done = done == total
}

// Done says that the phase ended: the bar is cleared from the terminal.
func (p *Bar) Done(string) {
	if p.bar == nil {
		return
	}
	if p.done {
		_ = p.bar.Finish()
	} else {
		_ = p.bar.Clear()
	}
	p.bar, p.done = nil, false
}

// Line is a status line. On a terminal it is rewritten in place, cut to
// the terminal's width; elsewhere (a pipe, a log file) each status is a
// line of its own. A nil *Line, or one without a writer, shows nothing.
type Line struct {
	w        io.Writer
	terminal bool
	width    func() int // the terminal's columns; 0 when unknown
	shown    bool       // a line is on the terminal and must be cleared
}

// NewLine returns a status line on w; terminal says whether w is one.
func NewLine(w io.Writer, terminal bool) *Line {
	return &Line{w: w, terminal: terminal, width: func() int { return Width(w) }}
}

// Show replaces the line with text.
func (l *Line) Show(text string) {
	if l == nil || l.w == nil {
		return
	}
	if !l.terminal {
		fmt.Fprintln(l.w, text)
		return
	}
	// \r returns to the line's start; ESC[K clears what a longer previous
	// line left beyond the new one.
	fmt.Fprint(l.w, "\r"+Fit(text, l.width())+"\x1b[K")
	l.shown = true
}

// Clear removes the line from the terminal, so that what is printed next
// starts on a clean line.
func (l *Line) Clear() {
	if l == nil || l.w == nil || !l.shown {
		return
	}
	fmt.Fprint(l.w, "\r\x1b[K")
	l.shown = false
}

// Fit shortens text to fewer than cols columns, so that a line rewritten
// in place never wraps (a wrapped line leaves a stale row behind at each
// refresh). cols 0 leaves it whole.
func Fit(text string, cols int) string {
	r := []rune(text)
	if cols <= 1 || len(r) < cols {
		return text
	}
	return string(r[:cols-2]) + "…"
}
