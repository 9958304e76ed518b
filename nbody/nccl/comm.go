package nccl

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// Comm is one rank's communicator (an ncclComm_t).
type Comm uintptr

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
func CommInitAll(devices []int) ([]Comm, error) {
	l, err := get("ncclCommInitAll")
	if err != nil {
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
		comms[i] = Comm(c)
	}
	return comms, nil
}

// Destroy frees the communicator once the work queued on it is done.
func (c Comm) Destroy() error {
	l, err := get("ncclCommDestroy")
	if err != nil {
		return err
	}
	return l.check("ncclCommDestroy", l.commDestroy(uintptr(c)), uintptr(c))
}

// GroupStart opens a group: the collectives queued until GroupEnd are
// launched together, which is how one thread drives several ranks without
// deadlocking on the first.
func GroupStart() error {
	l, err := get("ncclGroupStart")
	if err != nil {
		return err
	}
	return l.check("ncclGroupStart", l.groupStart(), 0)
}

// GroupEnd closes the group and queues its collectives on their streams.
func GroupEnd() error {
	l, err := get("ncclGroupEnd")
	if err != nil {
		return err
	}
	return l.check("ncclGroupEnd", l.groupEnd(), 0)
}

// AllGather queues on s, for this rank of c, the gather of every rank's
// count elements of send into recv, rank r's at element r × count. The
// gather is in place when send is recv plus this rank's offset.
func AllGather(send, recv cuda.DevicePtr, count uint64, dt DataType, c Comm, s cuda.Stream) error {
	l, err := get("ncclAllGather")
	if err != nil {
		return err
	}
	return l.check("ncclAllGather", l.allGather(uintptr(send), uintptr(recv), uintptr(count), int32(dt), uintptr(c), uintptr(s)), uintptr(c))
}

// Broadcast queues on s, for this rank of c, the copy of root's count
// elements of send into every rank's recv (send is read on root only; in
// place when it is recv).
func Broadcast(send, recv cuda.DevicePtr, count uint64, dt DataType, root int, c Comm, s cuda.Stream) error {
	l, err := get("ncclBroadcast")
	if err != nil {
		return err
	}
	return l.check("ncclBroadcast", l.broadcast(uintptr(send), uintptr(recv), uintptr(count), int32(dt), int32(root), uintptr(c), uintptr(s)), uintptr(c))
}
