package cpu

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nbody-go/nbody/nbody"
)

// Option adjusts the integrator that New builds.
type Option func(*config)

type config struct {
	workers int
	path    simdPath
}

// Workers sets how many goroutines share each step; n < 1 (the default)
// means one per CPU the process may use (see DefaultWorkers). At most
// maxWorkers are started.
func Workers(n int) Option {
	return func(c *config) { c.workers = n }
}

// maxWorkers bounds Workers: more goroutines than this cannot help on any
// machine we run on, and an absurd count must not start millions.
const maxWorkers = 1024

// DefaultWorkers is the number of goroutines a step uses when Workers is
// not given: one per CPU the process may run on, nbody.UsableCPUs
// (min(GOMAXPROCS, NumCPU): GOMAXPROCS alone can be set far above the
// cores, and extra workers would only take turns on the same cores).
func DefaultWorkers() int {
	return nbody.UsableCPUs()
}

// withPath forces a vector path (tests use it to cover every path on one
// machine); a path the CPU or build lacks makes newIntegrator fail.
func withPath(p simdPath) Option {
	return func(c *config) { c.path = p }
}

// New returns the fast CPU integrator (the sample's -cpu): it computes in
// the requested precision, on every core, over cache-sized tiles of
// bodies, with the widest vector instructions this CPU and build support
// (AVX-512, else AVX2, else plain Go; see Name). Its accelerations answer
// to the reference within nbody.AccuracyBound(prec). Close stops its
// worker goroutines.
func New(prec nbody.Precision, phys nbody.Physics, opts ...Option) nbody.Integrator {
	in, err := newIntegrator(prec, phys, opts...)
	if err != nil {
		// Only a forced path (withPath, for tests) can fail; the widest
		// supported path always builds.
		in, _ = newIntegrator(prec, phys, append(opts, withPath(pathAuto))...)
	}
	return in
}

// newIntegrator builds the integrator, failing when a forced path cannot
// run.
func newIntegrator(prec nbody.Precision, phys nbody.Physics, opts ...Option) (nbody.Integrator, error) {
	cfg := config{path: pathAuto}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.workers < 1 {
		cfg.workers = DefaultWorkers()
	}
	cfg.workers = min(cfg.workers, maxWorkers)
	if cfg.path == pathAuto {
		cfg.path = bestPath()
	}
	if prec == nbody.Double {
		return newOf[float64](nbody.Double, phys, cfg)
	}
	return newOf[float32](nbody.Single, phys, cfg)
}

// integrator is the fast integrator computing in T.
type integrator[T nbody.Float] struct {
	phys   nbody.Physics
	prec   nbody.Precision
	path   simdPath
	kernel blockKernel[T]
	lanes  int // partial sums per body and axis the kernel keeps
	tile   int // source bodies per cache tile

	pool    *workerPool
	scratch []accum[T] // one per worker
	work    func(worker int)
	chunks  atomic.Int64 // next chunk of targets to claim in a step
	dt      T
	// stop is set when the ctx of the Step under way is cancelled (a new
	// flag for each call, so that a late AfterFunc of an earlier call
	// cannot stop a later one); a worker that sees it leaves its share
	// unfinished and sets stopped.
	stop    *atomic.Bool
	stopped atomic.Bool

	n, padded, chunk int
	// The state after the last whole step is pos[cur] and vel[cur]; a
	// step writes the next one into the other buffers and flips cur once
	// every chunk is done, so no worker sees a half-done step and a step
	// stopped halfway changes nothing.
	pos    [2]positions[T]
	vel    [2]velocities[T]
	cur    int
	vw     []float64 // the unused fourth component, carried exactly
	closed bool
}

// tileBytes sets the tile of source bodies: 16 KiB of four values per
// body (1024 bodies in float32, 512 in float64). The vector kernels read
// five arrays of it (x, y, z and the two mass factors), 20 KiB, which stay
// in a 32 KiB L1 data cache while a chunk of targets sweeps them. On the
// development machine (Zen 4) tiles of 256 to 16384 bodies measured within
// noise of each other at N=16384: the loop is bound by arithmetic, and the
// tiling keeps it so on CPUs with smaller caches.
const tileBytes = 16 << 10

// yieldEvery is how many interactions a worker computes between calls to
// runtime.Gosched: a few milliseconds on the scalar path, a fraction of
// one on the vector paths, against about 130 ns for the call.
const yieldEvery = 1 << 20

// maxChunk caps the number of targets a worker claims at once: small enough
// for the workers to balance, large enough that each tile is reused.
const maxChunk = 64

func newOf[T nbody.Float](prec nbody.Precision, phys nbody.Physics, cfg config) (*integrator[T], error) {
	kernel, lanes, ok := kernelFor[T](cfg.path)
	if !ok {
		return nil, fmt.Errorf("fast integrator: %s path unavailable: %s", cfg.path, unsupportedReason(cfg.path))
	}
	var zero T
	f := &integrator[T]{
		phys:   phys,
		prec:   prec,
		path:   cfg.path,
		kernel: kernel,
		lanes:  lanes,
		tile:   roundUp(tileBytes/(4*int(unsafe.Sizeof(zero))), padMultiple),
		pool:   newWorkerPool(cfg.workers),
	}
	f.work = f.runChunks
	// Workers reference only the pool, so an integrator dropped without
	// Close is still collected, and this stops its goroutines.
	runtime.AddCleanup(f, func(p *workerPool) { p.stop() }, f.pool)
	return f, nil
}

// Name implements nbody.Integrator, e.g. "CPU (AVX-512, float32, 2 threads)".
func (f *integrator[T]) Name() string {
	threads := "threads"
	if f.pool.size() == 1 {
		threads = "thread"
	}
	typ := "float32"
	if f.prec == nbody.Double {
		typ = "float64"
	}
	return fmt.Sprintf("CPU (%s, %s, %d %s)", f.path, typ, f.pool.size(), threads)
}

// Precision implements nbody.Integrator.
func (f *integrator[T]) Precision() nbody.Precision { return f.prec }

// SetBodies implements nbody.Integrator.
func (f *integrator[T]) SetBodies(b nbody.Bodies) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("fast integrator: %w", err)
	}
	n := b.N()
	f.n, f.padded = n, roundUp(n, padMultiple)
	mass, m25, m15 := make([]T, f.padded), make([]T, f.padded), make([]T, f.padded)
	f.pos = [2]positions[T]{newPositions(f.padded, mass, m25, m15), newPositions(f.padded, mass, m25, m15)}
	f.vel = [2]velocities[T]{newVelocities[T](n), newVelocities[T](n)}
	f.cur = 0
	f.vw = make([]float64, n)
	p, v := &f.pos[0], &f.vel[0]
	for i := range n {
		p.x[i], p.y[i], p.z[i], mass[i] = T(b.Pos[4*i]), T(b.Pos[4*i+1]), T(b.Pos[4*i+2]), T(b.Pos[4*i+3])
		m25[i], m15[i] = 2.5*mass[i], -1.5*mass[i]
		v.x[i], v.y[i], v.z[i], f.vw[i] = T(b.Vel[4*i]), T(b.Vel[4*i+1]), T(b.Vel[4*i+2]), b.Vel[4*i+3]
	}
	// Enough chunks that every worker gets several, no more than maxChunk
	// targets in each.
	f.chunk = min(maxChunk, max(1, n/(4*f.pool.size())))
	f.scratch = make([]accum[T], f.pool.size())
	for w := range f.scratch {
		f.scratch[w] = newAccum[T](f.chunk, f.lanes)
	}
	return nil
}

// Bodies implements nbody.Integrator.
func (f *integrator[T]) Bodies(dst *nbody.Bodies) error {
	if f.n == 0 {
		return errors.New("fast integrator: no bodies set")
	}
	dst.Pos, dst.Vel = resize(dst.Pos, 4*f.n), resize(dst.Vel, 4*f.n)
	p, v := &f.pos[f.cur], &f.vel[f.cur]
	for i := range f.n {
		dst.Pos[4*i], dst.Pos[4*i+1], dst.Pos[4*i+2], dst.Pos[4*i+3] = float64(p.x[i]), float64(p.y[i]), float64(p.z[i]), float64(p.m[i])
		dst.Vel[4*i], dst.Vel[4*i+1], dst.Vel[4*i+2], dst.Vel[4*i+3] = float64(v.x[i]), float64(v.y[i]), float64(v.z[i]), f.vw[i]
	}
	return nil
}

// Step implements nbody.Integrator. Cancelling ctx also stops the step
// under way: the workers check for it before each tile (a chunk's targets
// against one tile of sources, at most 64·1024 interactions), and the
// bodies stay as the last whole step left them.
func (f *integrator[T]) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if f.closed {
		return 0, errors.New("fast integrator: step after Close")
	}
	if f.n == 0 {
		return 0, errors.New("fast integrator: no bodies set")
	}
	f.dt = T(dt)
	start := time.Now()
	// The workers read a flag that ctx's cancellation sets: one load per
	// tile, where ctx.Err() is a call through however many contexts wrap
	// the one cancelled.
	stop := new(atomic.Bool)
	f.stop = stop
	unregister := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer unregister()
	for range steps {
		if err := ctx.Err(); err != nil {
			return time.Since(start), fmt.Errorf("fast integrator: %w", err)
		}
		f.chunks.Store(0)
		f.stopped.Store(false)
		f.pool.run(f.work)
		if f.stopped.Load() {
			// Only the AfterFunc sets stop, once ctx is done.
			return time.Since(start), fmt.Errorf("fast integrator: %w", ctx.Err())
		}
		f.cur = 1 - f.cur
	}
	return time.Since(start), nil
}

// Close implements nbody.Integrator: it stops the worker goroutines.
func (f *integrator[T]) Close() error {
	f.closed = true
	f.pool.stop()
	return nil
}

// runChunks is one worker's share of a step: it claims chunks of targets
// until none are left, sums each chunk's accelerations tile by tile from
// the current positions, and writes the chunk's new velocities and
// positions into the other buffers. When the step's ctx is cancelled it
// returns at the next tile, leaving the step unfinished.
func (f *integrator[T]) runChunks(worker int) {
	acc := f.scratch[worker]
	stop := f.stop
	src, dst := &f.pos[f.cur], &f.pos[1-f.cur]
	vel, next := &f.vel[f.cur], &f.vel[1-f.cur]
	eps2 := T(f.phys.Softening * f.phys.Softening)
	dt, damping := f.dt, T(f.phys.Damping)
	since := 0 // interactions since this worker last yielded
	for {
		i0 := int(f.chunks.Add(1)-1) * f.chunk
		if i0 >= f.n {
			return
		}
		i1 := min(i0+f.chunk, f.n)
		acc.clear()
		for j0 := 0; j0 < f.padded; j0 += f.tile {
			if stop.Load() {
				f.stopped.Store(true)
				return
			}
			j1 := min(j0+f.tile, f.padded)
			f.kernel(src, i0, i1, j0, j1, eps2, acc)
			// The kernel leaves the upper vector state dirty. Clear it
			// before the scalar update below, and before the next kernel
			// call: its stack check is where the scheduler may switch this
			// thread to another goroutine, which must not inherit it.
			zeroUpperVectors()
			// Programs built with GOEXPERIMENT=simd run with asynchronous
			// preemption off (bench/NOTES.md) and the scalar kernel has no
			// stack check, so without this a GC's stop-the-world, or the
			// goroutine that cancels a step, would wait for the worker's
			// whole share of a step. Counted per tile, not per chunk: a
			// chunk of 64 targets is 4·10⁹ interactions at N = 2^26.
			if since += (i1 - i0) * (j1 - j0); since >= yieldEvery {
				since = 0
				runtime.Gosched()
			}
		}
		for i := i0; i < i1; i++ {
			ax, ay, az := acc.sum(i-i0, f.lanes)
			vx := (vel.x[i] + ax*dt) * damping
			vy := (vel.y[i] + ay*dt) * damping
			vz := (vel.z[i] + az*dt) * damping
			next.x[i], next.y[i], next.z[i] = vx, vy, vz
			dst.x[i] = src.x[i] + vx*dt
			dst.y[i] = src.y[i] + vy*dt
			dst.z[i] = src.z[i] + vz*dt
		}
	}
}
