package nbody

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Reference is the float64 integrator that every other one is measured
// against: plain loops over all pairs, parallel over bodies, no tricks.
type Reference struct {
	phys    Physics
	workers int
	// The state after the last whole step: positions (x, y, z, m) and
	// velocities. A step writes the next state into next and nextVel and
	// swaps them in only once every body is done, so a step stopped
	// halfway leaves pos and vel as they were.
	pos, vel      []float64
	next, nextVel []float64
}

// NewReference returns the reference integrator for the given physics,
// with a goroutine per usable CPU (UsableCPUs).
func NewReference(phys Physics) *Reference {
	return &Reference{phys: phys, workers: UsableCPUs()}
}

// Name implements Integrator.
func (r *Reference) Name() string { return "CPU reference (float64)" }

// Precision implements Integrator.
func (r *Reference) Precision() Precision { return Double }

// SetBodies implements Integrator.
func (r *Reference) SetBodies(b Bodies) error {
	if err := b.Validate(); err != nil {
		return err
	}
	r.pos = append(r.pos[:0], b.Pos...)
	r.vel = append(r.vel[:0], b.Vel...)
	r.next = resize(r.next, len(b.Pos))
	r.nextVel = resize(r.nextVel, len(b.Vel))
	return nil
}

// Bodies implements Integrator.
func (r *Reference) Bodies(dst *Bodies) error {
	dst.Pos = append(dst.Pos[:0], r.pos...)
	dst.Vel = append(dst.Vel[:0], r.vel...)
	return nil
}

// Step implements Integrator. Cancelling ctx also stops the step under
// way: every goroutine checks for it before each body, so it ends within
// one body's N interactions (and a yield, see yielder), and the bodies
// stay as the last whole step left them.
func (r *Reference) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if r.pos == nil {
		return 0, errors.New("reference: no bodies set")
	}
	start := time.Now()
	// The loops read a flag that ctx's cancellation sets: one load, where
	// ctx.Err() is a call through however many contexts wrap the one
	// cancelled.
	var stop atomic.Bool
	unregister := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer unregister()
	for range steps {
		if err := ctx.Err(); err != nil {
			return time.Since(start), err
		}
		if !r.step(dt, &stop) {
			// Only the AfterFunc sets stop, once ctx is done.
			return time.Since(start), ctx.Err()
		}
	}
	return time.Since(start), nil
}

// Close implements Integrator.
func (r *Reference) Close() error { return nil }

// step advances the bodies by dt and returns true, or, when stop is set
// before every body is done, leaves them as they were and returns false.
func (r *Reference) step(dt float64, stop *atomic.Bool) bool {
	n := len(r.pos) / 4
	eps2 := r.phys.Softening * r.phys.Softening
	var stopped atomic.Bool
	parallelFor(n, r.workers, func(lo, hi int) {
		var y yielder
		for i := lo; i < hi; i++ {
			if stop.Load() {
				stopped.Store(true)
				return
			}
			y.add(n)
			a := accelRef(r.pos, i, eps2)
			for k := range 3 {
				v := (r.vel[4*i+k] + a[k]*dt) * r.phys.Damping
				r.nextVel[4*i+k] = v
				r.next[4*i+k] = r.pos[4*i+k] + v*dt
			}
			r.next[4*i+3] = r.pos[4*i+3]
			r.nextVel[4*i+3] = r.vel[4*i+3]
		}
	})
	if stopped.Load() {
		return false
	}
	r.pos, r.next = r.next, r.pos
	r.vel, r.nextVel = r.nextVel, r.vel
	return true
}

// accelRef is the acceleration of body i, summed over all bodies.
func accelRef(pos []float64, i int, eps2 float64) [3]float64 {
	xi, yi, zi := pos[4*i], pos[4*i+1], pos[4*i+2]
	var ax, ay, az float64
	for j := 0; j+3 < len(pos); j += 4 {
		dx, dy, dz := pos[j]-xi, pos[j+1]-yi, pos[j+2]-zi
		d2 := dx*dx + dy*dy + dz*dz + eps2
		inv := 1 / math.Sqrt(d2)
		s := pos[j+3] * inv * inv * inv
		ax += dx * s
		ay += dy * s
		az += dz * s
	}
	return [3]float64{ax, ay, az}
}

// ReferenceAccelerations returns the accelerations (ax, ay, az per body,
// 3·N values) of the given positions, computed in float64 by the reference
// formula. Tests and the accuracy check measure every integrator against it.
func ReferenceAccelerations(pos []float64, softening float64) []float64 {
	n := len(pos) / 4
	out := make([]float64, 3*n)
	eps2 := softening * softening
	parallelFor(n, UsableCPUs(), func(lo, hi int) {
		var y yielder
		for i := lo; i < hi; i++ {
			y.add(n)
			a := accelRef(pos, i, eps2)
			copy(out[3*i:], a[:])
		}
	})
	return out
}

// ReferenceAccelerationsOf returns the float64 reference accelerations of
// the bodies at the given indices only (3 values each, in that order),
// from all the positions: K×N interactions, cheap enough to check a sample
// of a large system.
func ReferenceAccelerationsOf(pos []float64, softening float64, indices []int) []float64 {
	out := make([]float64, 3*len(indices))
	eps2 := softening * softening
	parallelFor(len(indices), UsableCPUs(), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			a := accelRef(pos, indices[k], eps2)
			copy(out[3*k:], a[:])
		}
	})
	return out
}

// parallelFor calls body on contiguous ranges that cover [0, n), from up
// to workers goroutines, and waits for them.
func parallelFor(n, workers int, body func(lo, hi int)) {
	workers = max(1, min(workers, n))
	if workers == 1 {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Go(func() { body(lo, hi) })
	}
	wg.Wait()
}

// yieldEvery is how many pair interactions an O(N²) loop computes between
// calls to runtime.Gosched: some 4 ms of the reference on one core of the
// development machine, against some 130 ns for the call.
const yieldEvery = 1 << 20

// yielder gives the scheduler a chance to stop an O(N²) loop every
// yieldEvery interactions. The loops have no other such point: accelRef
// and potentialRow are compiled without a stack check, the reference's
// whole share of a step runs in one call, and GOEXPERIMENT=simd builds of
// the program run with asynchronous preemption off (see the Makefile and
// bench/NOTES.md), so nothing else could stop them between steps. Without
// it a GC's stop-the-world, and any goroutine waiting for a CPU, waits for
// the whole share: a goroutine that slept 50 ms while
// ReferenceAccelerations ran on 16,384 bodies woke after 0.9 to 1.1 s
// instead, when the reference had finished.
type yielder struct{ since int }

// add counts interactions done, yielding once yieldEvery have accumulated.
func (y *yielder) add(interactions int) {
	y.since += interactions
	if y.since >= yieldEvery {
		y.since = 0
		runtime.Gosched()
	}
}
