package gpu

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nbody-go/nbody/nbody/nccl"
)

// World is a process's place among several that run one simulation
// (Options.World): the GPUs of every process, the global rank of this
// process's first GPU among them, and the id of the NCCL communicator that
// spans them all, which one process made and every process was handed
// (package cluster carries both). The bodies are split over every GPU of
// the world by multiprocessors, exactly as one process splits them over its
// devices, and after each step one all-gather over the communicator brings
// every GPU every position.
type World struct {
	// Devices are every GPU of every process, in global rank order: each
	// process's devices in its order, the processes in theirs. Only their
	// multiprocessor counts decide the split; the rest is for reports.
	Devices []Device
	// First is the global rank of this process's first device; its
	// Options.NumDevices devices are First, First+1, ….
	First int
	// Processes is how many processes the world has, for the name.
	Processes int
	// ID is the communicator's id, the same in every process.
	ID nccl.UniqueID
}

// check refuses a world that the local devices do not fit.
func (w *World) check(local int) error {
	switch {
	case len(w.Devices) == 0:
		return errors.New("gpu: a world without devices")
	case w.First < 0 || w.First+local > len(w.Devices):
		return fmt.Errorf("gpu: %d devices from global rank %d in a world of %d", local, w.First, len(w.Devices))
	}
	return nil
}

// weights are the multiprocessor counts by which the bodies are split:
// the world's devices' when there is a world, else the local ones'.
func (g *Integrator) weights() []int {
	if w := g.opts.World; w != nil {
		out := make([]int, len(w.Devices))
		for i, d := range w.Devices {
			out[i] = d.Multiprocessors
		}
		return out
	}
	out := make([]int, len(g.devs))
	for i, d := range g.devs {
		out[i] = d.info.Multiprocessors
	}
	return out
}

// split divides n bodies over the world's devices (world) and returns
// them with this process's part (local): the same split in every process,
// and the one a single process makes of the same devices.
func (g *Integrator) split(n int) (world, local []share) {
	world = splitBodies(n, g.weights(), g.opts.BlockSize)
	return world, world[g.base() : g.base()+len(g.devs)]
}

// base is the global rank of the first local device (0 without a world).
func (g *Integrator) base() int {
	if g.opts.World != nil {
		return g.opts.World.First
	}
	return 0
}

// initRanks makes one communicator per local device over the world's
// devices, each with its global rank: one ncclCommInitRank per device in
// one group, each with its device's context current (NCCL takes the
// device from it), which returns once every process has joined.
func (g *Integrator) initRanks() error {
	w := g.opts.World
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := g.nccl.GroupStart(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	var err error
	for k, d := range g.devs {
		if err = d.ctx.SetCurrent(); err != nil {
			err = d.wrap(err)
			break
		}
		var c nccl.Comm
		if c, err = g.nccl.CommInitRank(len(w.Devices), w.ID, w.First+k); err != nil {
			err = d.wrap(err)
			break
		}
		g.comms = append(g.comms, c)
	}
	if endErr := g.nccl.GroupEnd(); err == nil {
		err = endErr
	}
	if err != nil {
		return fmt.Errorf("gpu: joining the NCCL communicator of %d GPUs in %d processes: %w", len(w.Devices), w.Processes, err)
	}
	return nil
}

// abortState guards the communicators against Abort from another
// goroutine while the runner queues collectives on them.
type abortState struct {
	mu      sync.Mutex  // held while collectives are queued (gather)
	aborted atomic.Bool // set once, by the Abort that frees the communicators
}

// errAborted is the exchange of an integrator whose communicators Abort
// freed.
var errAborted = errors.New("gpu: the NCCL communicators were aborted (another process of the simulation ended)")

// abortLockWait is how long Abort waits for the runner to finish queueing
// a collective before it aborts regardless: a runner stuck inside NCCL
// (waiting for a process that is gone) only comes out through the abort.
const abortLockWait = time.Second

// Abort frees the NCCL communicators at once, without waiting for their
// work: collectives waiting for a GPU that is gone (its process ended) end,
// so that a Step or Bodies blocked on them can return. It is for another
// goroutine to call when a process of the simulation ends; the integrator
// is of no use after it but to Close, which then frees the rest without
// waiting for the exchange. Safe to call more than once and concurrently.
func (g *Integrator) Abort() error {
	locked := false
	for deadline := time.Now().Add(abortLockWait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if locked = g.abort.mu.TryLock(); locked {
			break
		}
	}
	if locked {
		defer g.abort.mu.Unlock()
	}
	// Exactly one Abort frees the communicators, also when two run at once
	// and neither could take the lock from a runner stuck inside NCCL.
	if !g.abort.aborted.CompareAndSwap(false, true) {
		return nil
	}
	var errs []error
	for _, c := range g.comms {
		errs = append(errs, c.Abort())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("gpu: aborting the NCCL communicators: %w", err)
	}
	return nil
}

// LocalBodies returns the bodies that this process's devices integrate,
// count of them from first, for the bodies set: all of them in a process
// on its own; with a world, this process's contiguous part. Bodies gives
// the velocities of these only.
func (g *Integrator) LocalBodies() (first, count int) {
	if len(g.shares) == 0 {
		return 0, 0
	}
	first = g.shares[0].first
	for _, s := range g.shares {
		count += s.count
	}
	return first, count
}
