package modes

import (
	"context"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// Progress hears how far the steps of a run have come, for a progress bar
// or a status line.
type Progress interface {
	// Steps says that done of total steps of phase are taken, elapsed
	// after the phase began.
	Steps(phase string, done, total int, elapsed time.Duration)
	// Done says that the phase ended, whether or not every step was taken.
	Done(phase string)
}

// chunkTarget is how long one Step call lasts when Progress listens: short
// enough for a lively bar, long enough that the calls' own costs (a GPU
// synchronisation each) stay out of the figures.
const chunkTarget = 200 * time.Millisecond

// advance takes steps steps of dt and returns the time the integrator
// measured, summed over its calls. Without progress it makes exactly one
// Step call, so that the integrator times all steps at once; with it the
// steps are cut into calls of about chunkTarget, each reported.
func advance(ctx context.Context, in nbody.Integrator, dt float64, steps int, phase string, progress Progress) (time.Duration, error) {
	if progress == nil {
		return in.Step(ctx, dt, steps)
	}
	defer progress.Done(phase)
	var total time.Duration
	start := time.Now()
	for done, chunk := 0, 1; done < steps; {
		k := min(chunk, steps-done)
		d, err := in.Step(ctx, dt, k)
		total += d
		if err != nil {
			return total, err
		}
		done += k
		elapsed := time.Since(start)
		progress.Steps(phase, done, steps, elapsed)
		chunk = nextChunk(elapsed / time.Duration(done))
	}
	return total, nil
}

// nextChunk is how many steps of perStep make one call of about
// chunkTarget, at least one.
func nextChunk(perStep time.Duration) int {
	return max(1, int(chunkTarget/max(perStep, time.Nanosecond)))
}

// EndState is where a run left the bodies: Steps steps of DT after the
// initial bodies. Bodies is empty when the run was not asked to keep them.
type EndState struct {
	Bodies nbody.Bodies
	Steps  int
	DT     float64
}

// load puts the bodies into the platform's integrator.
func load(in nbody.Integrator, b nbody.Bodies) error {
	if err := in.SetBodies(b); err != nil {
		return fmt.Errorf("loading %d bodies: %w", b.N(), err)
	}
	return nil
}
