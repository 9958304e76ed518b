package nbody

import (
	"context"
	"time"
)

// Integrator advances a set of bodies in time. Every implementation — the
// float64 reference, the fast CPU path, one or several GPUs — computes the
// same physics (see the package documentation) and answers to the
// reference on the same bodies.
//
// An Integrator is not safe for concurrent use.
type Integrator interface {
	// Name describes the integrator for reports, e.g. "CPU reference".
	Name() string
	// Precision is the width the integrator computes in.
	Precision() Precision
	// SetBodies replaces the state with a copy of b, converted to the
	// integrator's precision. The number of bodies may change.
	SetBodies(b Bodies) error
	// Bodies copies the current state into dst, resizing it as needed.
	Bodies(dst *Bodies) error
	// Step advances the bodies by steps steps of dt and returns the time
	// they took as the integrator best measures it (wall clock on the CPU,
	// device events on a GPU).
	//
	// When ctx is cancelled Step stops early and returns an error for
	// which errors.Is(err, ctx.Err()) holds. The bodies are then those of
	// the last whole step, positions and velocities alike, never a step
	// half done: Bodies returns them, and a later Step goes on from them
	// exactly as if the cancelled step had not begun. The CPU integrators
	// abandon the step under way too: the fast one (nbody/cpu) within a
	// tile of at most 64·1024 interactions, the reference within one
	// body's N, both milliseconds up to millions of bodies. The GPU one
	// lets the work it has queued finish, about a second of it at most
	// (see gpu.Integrator.Step); others may stop only between steps.
	Step(ctx context.Context, dt float64, steps int) (time.Duration, error)
	// Close releases what the integrator holds. It is safe to call twice.
	Close() error
}
