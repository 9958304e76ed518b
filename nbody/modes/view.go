package modes

import (
	"context"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// Frames receives the bodies drawn by the interactive mode; a
// *render.Recording is one.
type Frames interface {
	// EveryFrame reports whether every frame is kept (an animation) or
	// only the last (a still image).
	EveryFrame() bool
	// Add draws the bodies as the next frame.
	Add(b nbody.Bodies)
	// Count is the number of frames kept.
	Count() int
	// Path names where the frames go, and Size is theirs.
	Path() string
	Size() (width, height int)
}

// Drawing is what the interactive mode drew, and where.
type Drawing struct {
	Path          string
	Frames, Every int // frames kept; steps between two frames
	Width, Height int
}

// ViewOptions set how long the interactive mode runs and what it draws.
type ViewOptions struct {
	// Steps is how many steps to take; 0 runs until ctx is cancelled.
	// With Frames, it should be a multiple of Every.
	Steps int
	DT    float64 // the time step; 0 means the sample's first preset's
	// Frames, when set, get the bodies after every Every steps (every
	// frame), or after the last step only (a still image).
	Frames Frames
	Every  int
	// OnStatus, when set, hears the live figures once per StatusEvery
	// (0: a second, as often as the sample retitles its window).
	OnStatus    func(Status)
	StatusEvery time.Duration
}

// Status is the interactive mode's live figures over the interval since
// the last Status: Steps steps that took Simulated as the integrator
// measured them, and Wall in all (drawing included); Done steps so far.
type Status struct {
	Steps           int
	Simulated, Wall time.Duration
	Done            int
}

// meter sums the steps of each interval of every for a Status.
type meter struct {
	every     time.Duration
	now       func() time.Time
	since     time.Time
	steps     int
	simulated time.Duration
}

func newMeter(every time.Duration) *meter {
	if every <= 0 {
		every = time.Second
	}
	return &meter{every: every, now: time.Now, since: time.Now()}
}

// add counts k steps that took d, done in all; at the end of an interval
// it returns the interval's Status and starts the next.
func (m *meter) add(k int, d time.Duration, done int) (Status, bool) {
	m.steps += k
	m.simulated += d
	now := m.now()
	wall := now.Sub(m.since)
	if wall < m.every {
		return Status{}, false
	}
	s := Status{Steps: m.steps, Simulated: m.simulated, Wall: wall, Done: done}
	m.since, m.steps, m.simulated = now, 0, 0
	return s, true
}

// ViewResult is what the interactive mode ran.
type ViewResult struct {
	End         EndState      // with the bodies where they stopped
	Simulated   time.Duration // the steps' time, as the integrator measured it
	Wall        time.Duration // the whole loop, drawing included
	Interrupted bool          // ctx was cancelled before the last step
	Figures     Figures       // over Simulated
	Drawn       Drawing       // zero without Frames
}

// View is the sample's interactive mode without a window: it steps the
// bodies, in calls of a fraction of a second, and hands them to o.Frames.
// Cancelling ctx ends it as closing the sample's window does: the steps
// taken so far are the result, with Interrupted set. Only when nothing
// could be shown (no step, or no frame) does it return ctx's error.
func View(ctx context.Context, p *Platform, b nbody.Bodies, o ViewOptions) (ViewResult, error) {
	in := p.Integrator
	r := ViewResult{End: EndState{DT: o.DT}}
	if r.End.DT == 0 {
		r.End.DT = nbody.Presets[0].DT
	}
	if o.Frames != nil && o.Every < 1 {
		return r, fmt.Errorf("frames every %d steps: want at least 1", o.Every)
	}
	if err := load(in, b); err != nil {
		return r, err
	}
	// Calls of several steps run to their end: cancellation is seen
	// between calls, so that the count of steps taken is exact.
	stepCtx := context.WithoutCancel(ctx)
	steps := &r.End.Steps
	live := newMeter(o.StatusEvery)
	began := time.Now()
	for chunk := 1; (o.Steps == 0 || *steps < o.Steps) && ctx.Err() == nil; {
		k := chunk
		if o.Steps > 0 {
			k = min(k, o.Steps-*steps)
		}
		if o.Frames != nil {
			k = min(k, o.Every-*steps%o.Every)
		}
		// A call of one step may stop inside it (and count nothing): a
		// single step can last hours, and the integrators stop within one.
		callCtx := stepCtx
		if k == 1 {
			callCtx = ctx
		}
		d, err := in.Step(callCtx, r.End.DT, k)
		if err != nil && ctx.Err() != nil && k == 1 {
			break // cancelled inside the step: the bodies are the last whole step's
		}
		if err != nil {
			return r, fmt.Errorf("step %d: %w", *steps+1, err)
		}
		*steps += k
		r.Simulated += d
		last := *steps == o.Steps
		if o.Frames != nil && *steps%o.Every == 0 && (o.Frames.EveryFrame() || last) {
			if err := drawFrame(in, o.Frames, &r.End.Bodies); err != nil {
				return r, err
			}
		}
		if s, ok := live.add(k, d, *steps); ok && o.OnStatus != nil {
			o.OnStatus(s)
		}
		chunk = nextChunk(d / time.Duration(k))
	}
	r.Wall = time.Since(began)

	// A cancellation that lands after the last step stopped nothing.
	r.Interrupted = ctx.Err() != nil && (o.Steps == 0 || *steps < o.Steps)
	if r.Interrupted && o.Frames != nil && !o.Frames.EveryFrame() && o.Frames.Count() == 0 && *steps > 0 {
		// A still image shows where the bodies were when they stopped.
		if err := drawFrame(in, o.Frames, &r.End.Bodies); err != nil {
			return r, err
		}
	}
	if r.Interrupted && (*steps == 0 || (o.Frames != nil && o.Frames.Count() == 0)) {
		return r, ctx.Err() // nothing to show
	}
	if err := in.Bodies(&r.End.Bodies); err != nil {
		return r, fmt.Errorf("reading back the bodies: %w", err)
	}
	r.Figures = Throughput(b.N(), *steps, r.Simulated, in.Precision())
	if f := o.Frames; f != nil {
		r.Drawn = Drawing{Path: f.Path(), Frames: f.Count(), Every: o.Every}
		r.Drawn.Width, r.Drawn.Height = f.Size()
	}
	return r, nil
}

// drawFrame reads the bodies back from the integrator into buf and hands
// them to frames.
func drawFrame(in nbody.Integrator, frames Frames, buf *nbody.Bodies) error {
	if err := in.Bodies(buf); err != nil {
		return fmt.Errorf("reading back the bodies for a frame: %w", err)
	}
	frames.Add(*buf)
	return nil
}
