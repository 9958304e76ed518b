package gpu

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// Integrator runs the simulation on one or several GPUs; it implements
// nbody.Integrator.
type Integrator struct {
	opts   Options
	drv    *cuda.Driver
	devs   []*device
	n      int // bodies set; 0 before SetBodies
	closed bool

	shares []share // each device's bodies, for the bodies set
	// world holds every global device's share with a World (shares being
	// this process's part of it), else the same as shares: the
	// exchange's view.
	world    []share
	route    Route         // how positions travel between devices
	access   peerAccess    // pairs of devices with peer access
	distinct bool          // every device a different GPU
	nccl     *nccl.Library // opened where NCCL may be used; nil elsewhere
	comms    []nccl.Comm
	abort    abortState // Abort against the runner's collectives
	// sharedPos holds the positions every device reads and writes with
	// HostMem on several devices; staging, the host exchange's two
	// page-locked buffers, used in turn (parity). Both are mapped host
	// memory allocated in the first device's context.
	sharedPos, staging [2]buffer
	parity             int

	// perStep is the GPU time of one whole step of perStepN bodies, as the
	// last run that finished one measured it: it decides how the next run
	// is cut (slice.go).
	perStep  time.Duration
	perStepN int
	last     runStats // how the last run went, for tests
}

// runStats say how a run was queued and how far it went.
type runStats struct {
	steps  int   // whole steps done
	depth  int   // whole steps queued at once; 0 when sliced
	slices []int // each device's slices per step; nil when not sliced
}

var _ nbody.Integrator = (*Integrator)(nil)

// Devices returns the devices the integrator runs on, in order.
func (g *Integrator) Devices() []Device {
	out := make([]Device, len(g.devs))
	for i, d := range g.devs {
		out[i] = d.info
	}
	return out
}

// Name implements nbody.Integrator. With several devices it says how many
// have bodies when some have none (fewer bodies than devices).
func (g *Integrator) Name() string {
	if w := g.opts.World; w != nil {
		return fmt.Sprintf("%d GPUs in %d processes", len(w.Devices), w.Processes)
	}
	if len(g.devs) == 1 {
		return fmt.Sprintf("GPU %d (%s)", g.devs[0].info.Ordinal, g.devs[0].info.Name)
	}
	name := fmt.Sprintf("%d GPUs", len(g.devs))
	if a := active(g.shares); g.n > 0 && a < len(g.devs) {
		name += fmt.Sprintf(" (%d bodies: %d of them used)", g.n, a)
	}
	return name
}

// Precision implements nbody.Integrator.
func (g *Integrator) Precision() nbody.Precision { return g.opts.Precision }

// Step implements nbody.Integrator: it queues the steps and returns the
// time between CUDA events recorded before the first and after the last,
// as the sample measures it (no warm-up step here: callers that want one
// take it first).
//
// Cancelling ctx ends the run within about a second of GPU work. Steps are
// queued a few ahead of the host, fewer the longer a step is estimated to
// take (from the last step measured, or from N² before any), and a step
// estimated longer than a second is launched in slices of a quarter of a
// second each, ctx checked between them. A cancel lets what is queued
// finish (whole steps, or at most two slices of the step under way, which
// is then abandoned) and returns an error that errors.Is ctx's, with the
// time of the whole steps done. The bodies are then those of the last
// whole step, on every device: Bodies reads them, and a later Step goes on
// from them. A sliced step needs memory for a second copy of each device's
// velocities; where that cannot be had, long steps run whole, one queued
// at a time, and a cancel waits for the step under way.
func (g *Integrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if g.closed {
		return 0, errClosed
	}
	if g.n == 0 {
		return 0, errNoBodies
	}
	if steps < 0 {
		return 0, fmt.Errorf("gpu: %d steps", steps)
	}
	return g.run(ctx, dt, steps)
}

var (
	errClosed   = errors.New("gpu: integrator is closed")
	errNoBodies = errors.New("gpu: no bodies set")
)
