package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/nbody-go/nbody/nbody"
)

// progressAfter is how long a run must be expected to take before a
// progress bar is worth showing.
const progressAfter = 2 * time.Second

// chunkTarget is how long each Step call lasts when a bar may be shown:
// short enough for a lively bar, long enough that the calls' own costs
// (a GPU synchronisation each) stay out of the figures.
const chunkTarget = 200 * time.Millisecond

// stepper runs an integrator's steps, with a progress bar on w when w is
// set and the run turns out long. Without w it makes exactly one Step
// call, so the timing is the integrator's own over all the steps.
type stepper struct {
	ctx   context.Context
	w     io.Writer // nil: never show progress
	after time.Duration
}

// terminalWriter returns f when it is a terminal, else nil.
func terminalWriter(f *os.File) io.Writer {
	if term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// run advances in by steps steps of dt and returns the time Step measured
// (summed over the calls when the steps were split for the bar).
func (s stepper) run(in nbody.Integrator, dt float64, steps int, what string) (time.Duration, error) {
	if s.w == nil {
		return in.Step(s.ctx, dt, steps)
	}
	var (
		total time.Duration
		bar   *progressbar.ProgressBar
		start = time.Now()
		done  = 0
		chunk = 1
	)
	for done < steps {
		k := min(chunk, steps-done)
		d, err := in.Step(s.ctx, dt, k)
		total += d
		if err != nil {
			if bar != nil {
				_ = bar.Clear()
			}
			return total, err
		}
		done += k
		elapsed := time.Since(start)
		perStep := elapsed / time.Duration(done)
		if bar == nil && done < steps && elapsed+perStep*time.Duration(steps-done) > s.after {
			bar = progressbar.NewOptions(steps,
				progressbar.OptionSetWriter(s.w),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		if bar != nil {
			_ = bar.Set(done)
		}
		chunk = max(1, int(chunkTarget/max(perStep, time.Nanosecond)))
	}
	if bar != nil {
		_ = bar.Finish()
	}
	return total, nil
}
