package cuda

import (
	"sync/atomic"
	"unsafe"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// Driver is the CUDA driver, opened by Open: its version and every entry
// point this package calls, resolved once, as Go funcs that purego built
// from their C signatures. A CUresult, a C enum, is an int32; a handle
// (CUcontext, CUstream, CUevent, CUmodule, CUfunction) or a CUdeviceptr
// is a uintptr; a CUdevice is an int32. A Driver is safe for concurrent
// use, as the driver is.
type Driver struct {
	path    string
	version int // cuDriverGetVersion: 1000*major + 10*minor
	closed  atomic.Bool

	cuInit             func(flags uint32) int32
	cuDriverGetVersion func(version *int32) int32
	cuGetErrorName     func(result int32, name **byte) int32
	cuGetErrorString   func(result int32, message **byte) int32

	cuDeviceGetCount     func(count *int32) int32
	cuDeviceGet          func(dev *int32, ordinal int32) int32
	cuDeviceGetName      func(name *byte, length int32, dev int32) int32
	cuDeviceGetAttribute func(value *int32, attrib int32, dev int32) int32
	cuDeviceTotalMem     func(bytes *uint64, dev int32) int32

	cuDevicePrimaryCtxRetain   func(ctx *uintptr, dev int32) int32
	cuDevicePrimaryCtxRelease  func(dev int32) int32
	cuDevicePrimaryCtxSetFlags func(dev int32, flags uint32) int32
	cuCtxSetCurrent            func(ctx uintptr) int32
	cuCtxGetCurrent            func(ctx *uintptr) int32
	cuCtxSynchronize           func() int32
	cuDeviceCanAccessPeer      func(can *int32, dev, peer int32) int32
	cuCtxEnablePeerAccess      func(peer uintptr, flags uint32) int32

	cuMemAlloc                func(dptr *uintptr, bytes uint64) int32
	cuMemFree                 func(dptr uintptr) int32
	cuMemGetInfo              func(free, total *uint64) int32
	cuMemsetD32               func(dst uintptr, value uint32, count uint64) int32
	cuMemcpyHtoD              func(dst uintptr, src unsafe.Pointer, bytes uint64) int32
	cuMemcpyDtoH              func(dst unsafe.Pointer, src uintptr, bytes uint64) int32
	cuMemcpyDtoD              func(dst, src uintptr, bytes uint64) int32
	cuMemcpyDtoDAsync         func(dst, src uintptr, bytes uint64, stream uintptr) int32
	cuMemcpyPeerAsync         func(dst, dstCtx, src, srcCtx uintptr, bytes uint64, stream uintptr) int32
	cuMemHostAlloc            func(p *unsafe.Pointer, bytes uint64, flags uint32) int32
	cuMemFreeHost             func(p unsafe.Pointer) int32
	cuMemHostGetDevicePointer func(dptr *uintptr, p unsafe.Pointer, flags uint32) int32

	cuModuleLoadDataEx  func(module *uintptr, image *byte, numOptions uint32, options *int32, values *uintptr) int32
	cuModuleGetFunction func(f *uintptr, module uintptr, name *byte) int32
	cuModuleUnload      func(module uintptr) int32
	cuFuncGetAttribute  func(value *int32, attrib int32, f uintptr) int32
	cuFuncSetAttribute  func(f uintptr, attrib int32, value int32) int32
	cuLaunchKernel      func(f uintptr, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes uint32,
		stream uintptr, params *unsafe.Pointer, extra uintptr) int32

	cuStreamCreate      func(stream *uintptr, flags uint32) int32
	cuStreamSynchronize func(stream uintptr) int32
	cuStreamWaitEvent   func(stream, event uintptr, flags uint32) int32
	cuStreamDestroy     func(stream uintptr) int32

	cuEventCreate      func(event *uintptr, flags uint32) int32
	cuEventRecord      func(event, stream uintptr) int32
	cuEventSynchronize func(event uintptr) int32
	cuEventDestroy     func(event uintptr) int32
	cuEventElapsedTime func(ms *float32, start, end uintptr) int32

	// Entry points of newer drivers (Optional in entryPoints): nil where
	// the driver lacks one, and the call that needs it says so.
	cuDeviceGetUuid func(uuid *[16]byte, dev int32) int32
}

// entryPoints is the one list of the driver's entry points this package
// calls: the symbol the driver exports for each field of d. The versioned
// symbols are the ones cuda.h maps the plain names to; binding them
// directly keeps the ABI that the signatures above are written for.
// Errors name each call without its version ("cuMemAlloc").
func (d *Driver) entryPoints() []dynlib.Symbol {
	return []dynlib.Symbol{
		{Name: "cuInit", Func: &d.cuInit},
		{Name: "cuDriverGetVersion", Func: &d.cuDriverGetVersion},
		{Name: "cuGetErrorName", Func: &d.cuGetErrorName},
		{Name: "cuGetErrorString", Func: &d.cuGetErrorString},

		{Name: "cuDeviceGetCount", Func: &d.cuDeviceGetCount},
		{Name: "cuDeviceGet", Func: &d.cuDeviceGet},
		{Name: "cuDeviceGetName", Func: &d.cuDeviceGetName},
		{Name: "cuDeviceGetAttribute", Func: &d.cuDeviceGetAttribute},
		{Name: "cuDeviceTotalMem_v2", Func: &d.cuDeviceTotalMem},

		{Name: "cuDevicePrimaryCtxRetain", Func: &d.cuDevicePrimaryCtxRetain},
		{Name: "cuDevicePrimaryCtxRelease_v2", Func: &d.cuDevicePrimaryCtxRelease},
		{Name: "cuDevicePrimaryCtxSetFlags_v2", Func: &d.cuDevicePrimaryCtxSetFlags},
		{Name: "cuCtxSetCurrent", Func: &d.cuCtxSetCurrent},
		{Name: "cuCtxGetCurrent", Func: &d.cuCtxGetCurrent},
		{Name: "cuCtxSynchronize", Func: &d.cuCtxSynchronize},
		{Name: "cuDeviceCanAccessPeer", Func: &d.cuDeviceCanAccessPeer},
		{Name: "cuCtxEnablePeerAccess", Func: &d.cuCtxEnablePeerAccess},

		{Name: "cuMemAlloc_v2", Func: &d.cuMemAlloc},
		{Name: "cuMemFree_v2", Func: &d.cuMemFree},
		{Name: "cuMemGetInfo_v2", Func: &d.cuMemGetInfo},
		{Name: "cuMemsetD32_v2", Func: &d.cuMemsetD32},
		{Name: "cuMemcpyHtoD_v2", Func: &d.cuMemcpyHtoD},
		{Name: "cuMemcpyDtoH_v2", Func: &d.cuMemcpyDtoH},
		{Name: "cuMemcpyDtoD_v2", Func: &d.cuMemcpyDtoD},
		{Name: "cuMemcpyDtoDAsync_v2", Func: &d.cuMemcpyDtoDAsync},
		{Name: "cuMemcpyPeerAsync", Func: &d.cuMemcpyPeerAsync},
		{Name: "cuMemHostAlloc", Func: &d.cuMemHostAlloc},
		{Name: "cuMemFreeHost", Func: &d.cuMemFreeHost},
		{Name: "cuMemHostGetDevicePointer_v2", Func: &d.cuMemHostGetDevicePointer},

		{Name: "cuModuleLoadDataEx", Func: &d.cuModuleLoadDataEx},
		{Name: "cuModuleGetFunction", Func: &d.cuModuleGetFunction},
		{Name: "cuModuleUnload", Func: &d.cuModuleUnload},
		{Name: "cuFuncGetAttribute", Func: &d.cuFuncGetAttribute},
		{Name: "cuFuncSetAttribute", Func: &d.cuFuncSetAttribute},
		{Name: "cuLaunchKernel", Func: &d.cuLaunchKernel},

		{Name: "cuStreamCreate", Func: &d.cuStreamCreate},
		{Name: "cuStreamSynchronize", Func: &d.cuStreamSynchronize},
		{Name: "cuStreamWaitEvent", Func: &d.cuStreamWaitEvent},
		{Name: "cuStreamDestroy_v2", Func: &d.cuStreamDestroy},

		{Name: "cuEventCreate", Func: &d.cuEventCreate},
		{Name: "cuEventRecord", Func: &d.cuEventRecord},
		{Name: "cuEventSynchronize", Func: &d.cuEventSynchronize},
		{Name: "cuEventDestroy_v2", Func: &d.cuEventDestroy},
		// Not cuEventElapsedTime_v2: that one appeared in CUDA 12.8, and
		// drivers since keep exporting the first version with the same
		// signature for older programs.
		{Name: "cuEventElapsedTime", Func: &d.cuEventElapsedTime},

		// CUDA 11.4 (driver 470) and later; unlike cuDeviceGetUuid, it
		// gives a MIG instance's own UUID. A driver without it still
		// opens, and only Device.UUID fails, with ErrMissingSymbol.
		{Name: "cuDeviceGetUuid_v2", Func: &d.cuDeviceGetUuid, Optional: true},
	}
}
