package nvml

import (
	"fmt"
	"unsafe"
)

// A fake NVML: a library whose entry points are Go funcs that answer as
// NVML would for one H200, so that what this package does with NVML's
// answers is tested where there is no NVML.
const (
	fakeHandle = uintptr(0x5000)
	fakeName   = "NVIDIA H200"
	fakeUUID   = "GPU-0badcafe-0123-4567-89ab-cdef01234567"
)

// fakeUUIDBytes is fakeUUID as the CUDA driver gives it.
var fakeUUIDBytes = [16]byte{0x0b, 0xad, 0xca, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67}

func newFake() *Library {
	device := func(h uintptr) bool { return h == fakeHandle }
	value := func(h uintptr, out *uint32, v uint32) int32 {
		if !device(h) || out == nil {
			return int32(InvalidArgument)
		}
		*out = v
		return int32(Success)
	}
	return &Library{
		path:        "libfake-nvml.so.1",
		init:        func() int32 { return int32(Success) },
		shutdown:    func() int32 { return int32(Success) },
		errorString: func(r int32) string { return fmt.Sprintf("fake words for %d", r) },
		deviceCount: func(n *uint32) int32 { *n = 1; return int32(Success) },
		byIndex: func(i uint32, h *uintptr) int32 {
			if i != 0 {
				return int32(InvalidArgument)
			}
			*h = fakeHandle
			return int32(Success)
		},
		byUUID: func(uuid string, h *uintptr) int32 {
			if uuid != fakeUUID {
				return int32(NotFound)
			}
			*h = fakeHandle
			return int32(Success)
		},
		name: func(h uintptr, buf *byte, n uint32) int32 { return fakeText(h, buf, n, fakeName) },
		uuid: func(h uintptr, buf *byte, n uint32) int32 { return fakeText(h, buf, n, fakeUUID) },
		clock: func(h uintptr, c int32, mhz *uint32) int32 {
			if c != clockSM {
				return int32(InvalidArgument)
			}
			return value(h, mhz, 1755)
		},
		maxClock: func(h uintptr, c int32, mhz *uint32) int32 {
			if c != clockSM {
				return int32(InvalidArgument)
			}
			return value(h, mhz, 1980)
		},
		temperature: func(h uintptr, sensor int32, c *uint32) int32 {
			if sensor != temperatureGPU {
				return int32(InvalidArgument)
			}
			return value(h, c, 41)
		},
		power:      func(h uintptr, mw *uint32) int32 { return value(h, mw, 312_345) },
		powerLimit: func(h uintptr, mw *uint32) int32 { return value(h, mw, 700_000) },
		throttle: func(h uintptr, reasons *uint64) int32 {
			if !device(h) {
				return int32(InvalidArgument)
			}
			*reasons = uint64(ThrottleSWPowerCap)
			return int32(Success)
		},
		eccErrors: func(h uintptr, errorType, counterType uint32, count *uint64) int32 {
			if !device(h) || errorType != eccUncorrected || counterType != eccVolatile {
				return int32(InvalidArgument)
			}
			*count = 2
			return int32(Success)
		},
		defaultPowerLimit: func(h uintptr, mw *uint32) int32 { return value(h, mw, 700_000) },
		pcieGen:           func(h uintptr, gen *uint32) int32 { return value(h, gen, 5) },
		pcieWidth:         func(h uintptr, width *uint32) int32 { return value(h, width, 16) },
		pcieMaxGen:        func(h uintptr, gen *uint32) int32 { return value(h, gen, 5) },
		pcieMaxWidth:      func(h uintptr, width *uint32) int32 { return value(h, width, 16) },
		pcieGPUMaxGen:     func(h uintptr, gen *uint32) int32 { return value(h, gen, 5) },
		// 18 links, as on H100 and H200: link 5 down; past 17 none.
		nvLinkState: func(h uintptr, link uint32, active *int32) int32 {
			switch {
			case !device(h) || active == nil:
				return int32(InvalidArgument)
			case link >= 18:
				return int32(NotSupported)
			}
			*active = 1
			if link == 5 {
				*active = 0
			}
			return int32(Success)
		},
		remappedRows: func(h uintptr, corr, unc, pending, failed *uint32) int32 {
			if !device(h) {
				return int32(InvalidArgument)
			}
			*corr, *unc, *pending, *failed = 3, 1, 1, 0
			return int32(Success)
		},
		retiredPending: func(h uintptr, pending *int32) int32 { return int32(NotSupported) }, // Ampere and later remap rows instead
		computeProcs:   fakeProcesses([]processInfo{{pid: 4242, usedGpuMemory: 1 << 30}, {pid: 777, usedGpuMemory: valueNotAvailable}}),
		graphicsProcs:  fakeProcesses(nil),
	}
}

// fakeProcesses lists procs as NVML does: the count alone when asked with
// too short a list, with NVML_ERROR_INSUFFICIENT_SIZE.
func fakeProcesses(procs []processInfo) func(h uintptr, count *uint32, infos *processInfo) int32 {
	return func(h uintptr, count *uint32, infos *processInfo) int32 {
		if h != fakeHandle || count == nil {
			return int32(InvalidArgument)
		}
		if int(*count) < len(procs) {
			*count = uint32(len(procs))
			return int32(InsufficientSize)
		}
		*count = uint32(len(procs))
		if len(procs) > 0 {
			copy(unsafe.Slice(infos, len(procs)), procs)
		}
		return int32(Success)
	}
}

// fakeText writes s and its NUL into the n bytes at buf, as NVML does.
func fakeText(h uintptr, buf *byte, n uint32, s string) int32 {
	if h != fakeHandle || buf == nil {
		return int32(InvalidArgument)
	}
	if int(n) < len(s)+1 {
		return int32(InsufficientSize)
	}
	dst := unsafe.Slice(buf, n)
	copy(dst, s)
	dst[len(s)] = 0
	return int32(Success)
}
