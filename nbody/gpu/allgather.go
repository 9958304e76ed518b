package gpu

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// The bandwidth between processes, as the multi-process simulation uses
// it: NCCL's all-gather, every rank's share of the positions to every
// rank, timed alone at a size where bandwidth, not latency, decides.

// AllGatherOptions set one rank's part of an all-gather measurement.
type AllGatherOptions struct {
	// Device is the ordinal of the GPU this rank gathers into.
	Device int
	// Library is NCCL's library ("" for nccl.LibraryName).
	Library string
	// ID is the communicator's id that rank 0 made (NewWorldID) and handed
	// to every rank.
	ID          []byte
	Rank, Ranks int
	// BytesPerRank is each rank's share (0: AllGatherBytes(Ranks)).
	BytesPerRank uint64
	// Iterations are the timed all-gathers (0: DefaultAllGatherIterations),
	// after as many untimed ones as warm-up.
	Iterations int
}

// DefaultAllGatherIterations are the timed all-gathers of a measurement.
const DefaultAllGatherIterations = 20

// AllGatherBytes is each rank's share in a measurement of ranks: 64 MiB,
// where NVLink and InfiniBand are well past their latency (nccl-tests'
// curves flatten from a few MiB), while the whole gathered (every rank's
// share, which every rank receives) stays within 1 GiB: above 16 ranks
// the share shrinks, to no less than 1 MiB, so that a large cluster's
// measurement neither fills a GPU's memory nor outlasts its time limit.
func AllGatherBytes(ranks int) uint64 {
	const most, whole, least = 64 << 20, 1 << 30, 1 << 20
	if ranks < 1 {
		return most
	}
	per := uint64(whole / ranks)
	per -= per % 4096
	return min(most, max(least, per))
}

// AllGatherFigure is one rank's measurement.
type AllGatherFigure struct {
	BytesPerRank uint64
	Ranks        int
	Iterations   int
	Elapsed      time.Duration // of the timed all-gathers, on the GPU's clock
}

// AlgorithmGBps is the algorithm bandwidth as nccl-tests reports it: the
// bytes each rank ends with (every rank's share) over the time of one
// all-gather, in GB/s (10⁹ bytes).
func (f AllGatherFigure) AlgorithmGBps() float64 {
	if f.Elapsed <= 0 || f.Iterations <= 0 {
		return 0
	}
	per := f.Elapsed.Seconds() / float64(f.Iterations)
	return float64(f.BytesPerRank) * float64(f.Ranks) / per / 1e9
}

// BusGBps is the bus bandwidth as nccl-tests reports it for an
// all-gather: the algorithm bandwidth × (ranks − 1) / ranks, what each
// link carried, comparable with the hardware's peak whatever the number
// of ranks.
func (f AllGatherFigure) BusGBps() float64 {
	if f.Ranks <= 0 {
		return 0
	}
	return f.AlgorithmGBps() * float64(f.Ranks-1) / float64(f.Ranks)
}

// MeasureAllGather joins the communicator of o.Ranks processes from o.ID
// on GPU o.Device and times o.Iterations all-gathers of o.BytesPerRank a
// rank. It returns once every rank has joined and gathered: a rank that
// never calls it keeps the others waiting inside NCCL, so callers bound it
// with a time of their own.
func MeasureAllGather(o AllGatherOptions) (f AllGatherFigure, err error) {
	o.BytesPerRank = cmp.Or(o.BytesPerRank, AllGatherBytes(o.Ranks))
	o.Iterations = cmp.Or(o.Iterations, DefaultAllGatherIterations)
	if o.Ranks < 1 || o.Rank < 0 || o.Rank >= o.Ranks {
		return f, fmt.Errorf("gpu: all-gather: rank %d of %d", o.Rank, o.Ranks)
	}
	var id nccl.UniqueID
	if copy(id.Internal[:], o.ID) != nccl.UniqueIDBytes {
		return f, fmt.Errorf("gpu: all-gather: an NCCL id of %d bytes, not %d", len(o.ID), nccl.UniqueIDBytes)
	}
	drv, all, err := devices()
	if err != nil {
		return f, err
	}
	if o.Device < 0 || o.Device >= len(all) {
		return f, fmt.Errorf("gpu: all-gather: device %d of %d", o.Device, len(all))
	}
	lib, err := nccl.Open(cmp.Or(o.Library, nccl.LibraryName))
	if err != nil {
		return f, err
	}
	handle, err := drv.DeviceGet(o.Device)
	if err != nil {
		return f, err
	}
	// NCCL takes the device from the current context: one OS thread
	// throughout.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx, err := handle.PrimaryCtxRetain()
	if err != nil {
		return f, err
	}
	defer func() { err = errors.Join(err, handle.PrimaryCtxRelease()) }()
	if err := ctx.SetCurrent(); err != nil {
		return f, err
	}
	send, err := drv.MemAlloc(o.BytesPerRank)
	if err != nil {
		return f, err
	}
	defer func() { err = errors.Join(err, drv.MemFree(send)) }()
	recv, err := drv.MemAlloc(o.BytesPerRank * uint64(o.Ranks))
	if err != nil {
		return f, err
	}
	defer func() { err = errors.Join(err, drv.MemFree(recv)) }()
	stream, err := drv.StreamCreate()
	if err != nil {
		return f, err
	}
	defer func() { err = errors.Join(err, stream.Destroy()) }()
	var start, stop cuda.Event
	for _, e := range []*cuda.Event{&start, &stop} {
		if *e, err = drv.EventCreate(); err != nil {
			return f, err
		}
		defer func() { err = errors.Join(err, e.Destroy()) }()
	}
	comm, err := lib.CommInitRank(o.Ranks, id, o.Rank)
	if err != nil {
		return f, fmt.Errorf("gpu: joining the NCCL communicator of %d ranks: %w", o.Ranks, err)
	}
	defer func() {
		// After a failure the communicator may wait on a peer that is gone:
		// abort it rather than wait for its work to finish.
		if err != nil {
			err = errors.Join(err, comm.Abort())
			return
		}
		err = comm.Destroy()
	}()

	gather := func(times int) error {
		for range times {
			if err := comm.AllGather(send, recv, o.BytesPerRank, nccl.Uint8, stream); err != nil {
				return err
			}
		}
		return nil
	}
	if err := gather(o.Iterations); err != nil { // warm-up: connections set up, buffers registered
		return f, err
	}
	if err := start.Record(stream); err != nil {
		return f, err
	}
	if err := gather(o.Iterations); err != nil {
		return f, err
	}
	if err := stop.Record(stream); err != nil {
		return f, err
	}
	if err := stop.Synchronize(); err != nil {
		return f, err
	}
	elapsed, err := drv.EventElapsed(start, stop)
	if err != nil {
		return f, err
	}
	return AllGatherFigure{BytesPerRank: o.BytesPerRank, Ranks: o.Ranks, Iterations: o.Iterations, Elapsed: elapsed}, nil
}
