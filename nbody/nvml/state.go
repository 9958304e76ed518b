package nvml

import (
	"fmt"
	"unsafe"
)

// The readings of a device's health beside its clocks: its PCIe link, its
// NVLink links, its memory's row remapping and page retirement, and the
// processes that use it. Each entry point is optional (an older driver
// lacks some), and each reading is absent where the library lacks the call
// or the device does not support it.

// PCIeLink is a device's PCIe link: the generation and width it runs at
// now, and the most it can run at.
type PCIeLink struct {
	// Gen and Width are the link now. An idle GPU lowers its link's
	// generation to save power, so read them while it works.
	Gen, Width int
	// MaxGen and MaxWidth are the most this device and the slot it sits in
	// can do together (a Gen5 GPU in a Gen4 slot: 4).
	MaxGen, MaxWidth int
	// GPUMaxGen is the most the device itself can do, whatever the slot;
	// 0 where the library cannot say (before NVML 11.5).
	GPUMaxGen int
}

// NVLinks are the states of a device's NVLink links, by link number.
type NVLinks struct {
	Up, Down []int // links that are active, and links that are not
}

// maxNVLinks is nvml.h's NVML_NVLINK_MAX_LINKS (36 since CUDA 12.3; 18
// before): the link numbers a device may have.
const maxNVLinks = 36

// RowRemapping is the state of the row remapper of a device's memory
// (nvmlDeviceGetRemappedRows, Ampere and later).
type RowRemapping struct {
	// Correctable and Uncorrectable count the rows remapped for
	// correctable and uncorrectable errors.
	Correctable, Uncorrectable int
	// Pending: remappings wait for a reset of the GPU.
	Pending bool
	// Failed: a remapping has failed, some time in the past.
	Failed bool
}

// Process is a process that uses a device, as NVML lists it.
type Process struct {
	PID      int
	Graphics bool // a graphics context (OpenGL, Vulkan); false: a compute one
	// UsedMemory is the device memory it uses, in bytes; absent where
	// NVML does not say (HasUsedMemory false).
	UsedMemory    uint64
	HasUsedMemory bool
}

// processInfo is nvml.h's nvmlProcessInfo_v2_t, which the _v3 calls fill
// (nvmlProcessInfo_t is its other name): an unsigned int, an unsigned long
// long aligned to 8, and two unsigned ints, 24 bytes on every 64-bit
// platform. The padding is spelled out, so that the layout is C's on any
// platform Go aligns a uint64 otherwise.
type processInfo struct {
	pid               uint32
	_                 uint32
	usedGpuMemory     uint64
	gpuInstanceID     uint32
	computeInstanceID uint32
}

// valueNotAvailable is nvml.h's NVML_VALUE_NOT_AVAILABLE, which
// usedGpuMemory holds where NVML cannot say.
const valueNotAvailable = ^uint64(0)

// absent says whether a call's result means the reading is not there, not
// that it failed: the device does not support it, or we may not read it
// (a MIG instance's processes need privileges).
func absent(r int32) bool {
	return Return(r) == NotSupported || Return(r) == NoPermission
}

// readNVLinks asks the state of every link number a device may have. A
// link number the device lacks answers NotSupported or InvalidArgument and
// is left out; none answering is no NVLink (false).
func (l *Library) readNVLinks(h uintptr) (NVLinks, bool, error) {
	const call = "nvmlDeviceGetNvLinkState"
	var links NVLinks
	found := false
	for link := range uint32(maxNVLinks) {
		var active int32
		r := l.nvLinkState(h, link, &active)
		switch {
		case r == int32(Success):
			found = true
			if active == 1 { // NVML_FEATURE_ENABLED
				links.Up = append(links.Up, int(link))
			} else {
				links.Down = append(links.Down, int(link))
			}
		case absent(r) || Return(r) == InvalidArgument:
		default:
			return NVLinks{}, false, fmt.Errorf("link %d: %w", link, l.newError(call, r))
		}
	}
	return links, found, nil
}

// readProcesses lists the processes of one kind (compute or graphics) on
// a device, growing the list while NVML says it is too short (processes
// may start between two calls).
func (l *Library) readProcesses(call string, list func(uintptr, *uint32, *processInfo) int32, h uintptr, graphics bool) ([]Process, bool, error) {
	buf := make([]processInfo, 32)
	for range 4 {
		n := uint32(len(buf))
		r := list(h, &n, unsafe.SliceData(buf))
		switch {
		case r == int32(Success):
			out := make([]Process, 0, n)
			for _, p := range buf[:min(int(n), len(buf))] {
				out = append(out, Process{PID: int(p.pid), Graphics: graphics, UsedMemory: p.usedGpuMemory,
					HasUsedMemory: p.usedGpuMemory != valueNotAvailable})
				if !out[len(out)-1].HasUsedMemory {
					out[len(out)-1].UsedMemory = 0
				}
			}
			return out, true, nil
		case Return(r) == InsufficientSize:
			buf = make([]processInfo, int(n)+16)
		case absent(r):
			return nil, false, nil
		default:
			return nil, false, l.newError(call, r)
		}
	}
	return nil, false, fmt.Errorf("%s: the list kept growing past %d processes", call, len(buf))
}
