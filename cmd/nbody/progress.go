package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressAfter is how long a run must be expected to take before a
// progress bar is worth showing.
const progressAfter = 2 * time.Second

// terminalWriter returns f when it is a terminal, else nil.
func terminalWriter(f *os.File) io.Writer {
	if term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// progressBar draws a bar on a terminal for the phases of a run that turn
// out to take longer than after; it implements modes.Progress.
type progressBar struct {
	w     io.Writer
	after time.Duration
	bar   *progressbar.ProgressBar
	done  bool // the bar's phase took every step
}

func newProgressBar(w io.Writer, after time.Duration) *progressBar {
	return &progressBar{w: w, after: after}
}

// Steps implements modes.Progress: the bar appears once the steps so far
// predict a phase longer than after.
func (p *progressBar) Steps(phase string, done, total int, elapsed time.Duration) {
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

// Done implements modes.Progress: the bar is cleared from the terminal.
func (p *progressBar) Done(string) {
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
