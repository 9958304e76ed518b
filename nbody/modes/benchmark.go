package modes

import (
	"context"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// BenchmarkOptions set what Benchmark times.
type BenchmarkOptions struct {
	Steps int     // the timed steps (the sample's -i)
	DT    float64 // the time step; 0 means the sample's first preset's
	// KeepBodies reads the bodies back after the last step into the
	// result's End, for a snapshot or an energy check.
	KeepBodies bool
}

// BenchmarkResult is what a benchmark measured.
type BenchmarkResult struct {
	Figures Figures
	End     EndState // every step counted, the GPU's untimed warm-up too
	// TimedFrom is the wall-clock time at which the timed steps began:
	// after the bodies were loaded and the GPU's warm-up step had finished,
	// right before the first timed step was queued. A command measures its
	// start-up (process start to the first timed step) from it.
	TimedFrom time.Time
}

// Benchmark times o.Steps steps of the bodies b as the sample does: on a
// GPU after one untimed warm-up step, timed by the GPU's events; on the
// CPU by the wall clock, with no warm-up.
func Benchmark(ctx context.Context, p *Platform, b nbody.Bodies, o BenchmarkOptions, progress Progress) (BenchmarkResult, error) {
	in := p.Integrator
	dt := o.DT
	if dt == 0 {
		dt = nbody.Presets[0].DT
	}
	if err := load(in, b); err != nil {
		return BenchmarkResult{}, err
	}
	r := BenchmarkResult{End: EndState{Steps: o.Steps, DT: dt}}
	if p.GPU != nil {
		if _, err := in.Step(ctx, dt, 1); err != nil {
			return BenchmarkResult{}, fmt.Errorf("warm-up step: %w", err)
		}
		r.End.Steps++
	}
	r.TimedFrom = time.Now()
	elapsed, err := advance(ctx, in, dt, o.Steps, "benchmark", progress)
	if err != nil {
		return BenchmarkResult{}, fmt.Errorf("benchmark: %w", err)
	}
	r.Figures = Throughput(b.N(), o.Steps, elapsed, in.Precision())
	if o.KeepBodies {
		if err := in.Bodies(&r.End.Bodies); err != nil {
			return BenchmarkResult{}, fmt.Errorf("reading back the bodies: %w", err)
		}
	}
	return r, nil
}
