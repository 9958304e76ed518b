package nccl

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// Comm is one rank's communicator (an ncclComm_t), with its Library. The
// zero Comm is none.
type Comm struct {
	l    *Library
	comm uintptr
}

// DataType is an ncclDataType_t: how NCCL counts and reduces elements.
// Gathers and broadcasts only move bytes, so Uint8 moves anything.
type DataType int32

// The data types of nccl.h that this project uses.
const (
	Uint8   DataType = 1
	Float32 DataType = 7
	Float64 DataType = 8
)

// CommInitAll creates one communicator per CUDA device ordinal in devices,
// all in this process, rank i on devices[i]. The devices must be distinct
// GPUs: NCCL refuses two ranks on one device.
func (l *Library) CommInitAll(devices []int) ([]Comm, error) {
	if err := l.use("ncclCommInitAll"); err != nil {
		return nil, err
	}
	if len(devices) == 0 {
		return nil, fmt.Errorf("ncclCommInitAll: no devices")
	}
	list := make([]int32, len(devices))
	for i, d := range devices {
		list[i] = int32(d)
	}
	raw := make([]uintptr, len(devices))
	if err := l.check("ncclCommInitAll", l.commInitAll(&raw[0], int32(len(list)), &list[0]), 0); err != nil {
		return nil, fmt.Errorf("devices %v: %w", devices, err)
	}
	comms := make([]Comm, len(raw))
	for i, c := range raw {
		comms[i] = Comm{l, c}
	}
	return comms, nil
}

// UniqueIDBytes is the size of an ncclUniqueId (NCCL_UNIQUE_ID_BYTES).
const UniqueIDBytes = 128

// UniqueID is an ncclUniqueId: opaque bytes that one process makes with
// GetUniqueID and hands to every process that joins the communicator
// (over any channel), which passes it to CommInitRank. It names a
// listening socket of the process that made it.
type UniqueID struct{ Internal [UniqueIDBytes]byte }

// GetUniqueID makes the id of a new communicator over several processes;
// NCCL_SOCKET_IFNAME and NCCL_COMM_ID choose where it listens.
func (l *Library) GetUniqueID() (UniqueID, error) {
	var id UniqueID
	if err := l.use("ncclGetUniqueId"); err != nil {
		return id, err
	}
	return id, l.check("ncclGetUniqueId", l.getUniqueID(&id), 0)
}

// CommInitRank joins the communicator of id as rank of ranks, on the CUDA
// device of the calling thread's current context. It blocks until every
// rank has joined, unless it is called between GroupStart and GroupEnd,
// which is how one thread joins several of its GPUs (one call each, its
// context current).
func (l *Library) CommInitRank(ranks int, id UniqueID, rank int) (Comm, error) {
	if err := l.use("ncclCommInitRank"); err != nil {
		return Comm{}, err
	}
	var c uintptr
	if err := l.check("ncclCommInitRank", l.commInitRank(&c, int32(ranks), id, int32(rank)), 0); err != nil {
		return Comm{}, fmt.Errorf("rank %d of %d: %w", rank, ranks, err)
	}
	return Comm{l, c}, nil
}

// Abort frees the communicator without waiting for its work: collectives
// that wait for a rank that is gone end (their kernels see NCCL's abort
// flag), so that a stream waiting for them can be synchronised. It may be
// called from another thread than the one that queued them, which is what
// it is for; the communicator must not be used after.
func (c Comm) Abort() error {
	l := c.l
	if err := l.use("ncclCommAbort"); err != nil {
		return err
	}
	return l.check("ncclCommAbort", l.commAbort(c.comm), 0)
}

// Destroy frees the communicator once the work queued on it is done.
func (c Comm) Destroy() error {
	l := c.l
	if err := l.use("ncclCommDestroy"); err != nil {
		return err
	}
	return l.check("ncclCommDestroy", l.commDestroy(c.comm), c.comm)
}

// GroupStart opens a group: the collectives queued until GroupEnd are
// launched together, which is how one thread drives several ranks without
// deadlocking on the first.
func (l *Library) GroupStart() error {
	if err := l.use("ncclGroupStart"); err != nil {
		return err
	}
	return l.check("ncclGroupStart", l.groupStart(), 0)
}

// GroupEnd closes the group and queues its collectives on their streams.
func (l *Library) GroupEnd() error {
	if err := l.use("ncclGroupEnd"); err != nil {
		return err
	}
	return l.check("ncclGroupEnd", l.groupEnd(), 0)
}

// AllGather queues on s, for this rank of c, the gather of every rank's
// count elements of send into recv, rank r's at element r × count. The
// gather is in place when send is recv plus this rank's offset.
func (c Comm) AllGather(send, recv cuda.DevicePtr, count uint64, dt DataType, s cuda.Stream) error {
	l := c.l
	if err := l.use("ncclAllGather"); err != nil {
		return err
	}
	return l.check("ncclAllGather", l.allGather(uintptr(send), uintptr(recv), uintptr(count), int32(dt), c.comm, s.Handle()), c.comm)
}

// Broadcast queues on s, for this rank of c, the copy of root's count
// elements of send into every rank's recv (send is read on root only; in
// place when it is recv).
func (c Comm) Broadcast(send, recv cuda.DevicePtr, count uint64, dt DataType, root int, s cuda.Stream) error {
	l := c.l
	if err := l.use("ncclBroadcast"); err != nil {
		return err
	}
	return l.check("ncclBroadcast", l.broadcast(uintptr(send), uintptr(recv), uintptr(count), int32(dt), int32(root), c.comm, s.Handle()), c.comm)
}
