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
