package cuda

import (
	"strings"

	"github.com/ebitengine/purego"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// proc is one driver entry point: the symbol the library exports and, once
// resolved, its address.
type proc struct {
	symbol string  // exported name, versioned where the driver versions it: "cuMemAlloc_v2"
	name   string  // the name errors use, without the version: "cuMemAlloc"
	addr   uintptr // 0 until resolved
}

func (p *proc) lookup(lib *dynlib.Library) error {
	addr, err := lib.Lookup(p.symbol)
	if err != nil {
		return err
	}
	p.addr = addr
	return nil
}

// newProc names an entry point. The versioned symbols are the ones cuda.h
// maps the plain names to; binding them directly keeps the ABI that the
// arguments below are written for.
func newProc(symbol string) proc {
	name := symbol
	if i := strings.LastIndex(symbol, "_v"); i > 0 {
		name = symbol[:i]
	}
	return proc{symbol: symbol, name: name}
}

// driver is the opened library: its handle, version and every entry point
// this package calls, resolved once by open.
type driver struct {
	lib     *dynlib.Library
	version int // cuDriverGetVersion: 1000*major + 10*minor

	cuInit, cuDriverGetVersion, cuGetErrorName, cuGetErrorString proc

	cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute, cuDeviceTotalMem proc

	cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuDevicePrimaryCtxSetFlags proc
	cuCtxSetCurrent, cuCtxGetCurrent, cuCtxSynchronize                              proc
	cuDeviceCanAccessPeer, cuCtxEnablePeerAccess                                    proc

	cuMemAlloc, cuMemFree, cuMemGetInfo, cuMemsetD32                 proc
	cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyDtoD                         proc
	cuMemcpyDtoDAsync, cuMemcpyPeerAsync                             proc
	cuMemHostAlloc, cuMemFreeHost, cuMemHostGetDevicePointer         proc
	cuModuleLoadDataEx, cuModuleGetFunction, cuModuleUnload          proc
	cuFuncGetAttribute, cuFuncSetAttribute, cuLaunchKernel           proc
	cuStreamCreate, cuStreamSynchronize, cuStreamWaitEvent           proc
	cuStreamDestroy                                                  proc
	cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventDestroy proc
	cuEventElapsedTime                                               proc
}

func newDriver() *driver {
	return &driver{
		cuInit:             newProc("cuInit"),
		cuDriverGetVersion: newProc("cuDriverGetVersion"),
		cuGetErrorName:     newProc("cuGetErrorName"),
		cuGetErrorString:   newProc("cuGetErrorString"),

		cuDeviceGetCount:     newProc("cuDeviceGetCount"),
		cuDeviceGet:          newProc("cuDeviceGet"),
		cuDeviceGetName:      newProc("cuDeviceGetName"),
		cuDeviceGetAttribute: newProc("cuDeviceGetAttribute"),
		cuDeviceTotalMem:     newProc("cuDeviceTotalMem_v2"),

		cuDevicePrimaryCtxRetain:   newProc("cuDevicePrimaryCtxRetain"),
		cuDevicePrimaryCtxRelease:  newProc("cuDevicePrimaryCtxRelease_v2"),
		cuDevicePrimaryCtxSetFlags: newProc("cuDevicePrimaryCtxSetFlags_v2"),
		cuCtxSetCurrent:            newProc("cuCtxSetCurrent"),
		cuCtxGetCurrent:            newProc("cuCtxGetCurrent"),
		cuCtxSynchronize:           newProc("cuCtxSynchronize"),
		cuDeviceCanAccessPeer:      newProc("cuDeviceCanAccessPeer"),
		cuCtxEnablePeerAccess:      newProc("cuCtxEnablePeerAccess"),

		cuMemAlloc:                newProc("cuMemAlloc_v2"),
		cuMemFree:                 newProc("cuMemFree_v2"),
		cuMemGetInfo:              newProc("cuMemGetInfo_v2"),
		cuMemsetD32:               newProc("cuMemsetD32_v2"),
		cuMemcpyHtoD:              newProc("cuMemcpyHtoD_v2"),
		cuMemcpyDtoH:              newProc("cuMemcpyDtoH_v2"),
		cuMemcpyDtoD:              newProc("cuMemcpyDtoD_v2"),
		cuMemcpyDtoDAsync:         newProc("cuMemcpyDtoDAsync_v2"),
		cuMemcpyPeerAsync:         newProc("cuMemcpyPeerAsync"),
		cuMemHostAlloc:            newProc("cuMemHostAlloc"),
		cuMemFreeHost:             newProc("cuMemFreeHost"),
		cuMemHostGetDevicePointer: newProc("cuMemHostGetDevicePointer_v2"),

		cuModuleLoadDataEx:  newProc("cuModuleLoadDataEx"),
		cuModuleGetFunction: newProc("cuModuleGetFunction"),
		cuModuleUnload:      newProc("cuModuleUnload"),
		cuFuncGetAttribute:  newProc("cuFuncGetAttribute"),
		cuFuncSetAttribute:  newProc("cuFuncSetAttribute"),
		cuLaunchKernel:      newProc("cuLaunchKernel"),

		cuStreamCreate:      newProc("cuStreamCreate"),
		cuStreamSynchronize: newProc("cuStreamSynchronize"),
		cuStreamWaitEvent:   newProc("cuStreamWaitEvent"),
		cuStreamDestroy:     newProc("cuStreamDestroy_v2"),

		cuEventCreate:      newProc("cuEventCreate"),
		cuEventRecord:      newProc("cuEventRecord"),
		cuEventSynchronize: newProc("cuEventSynchronize"),
		cuEventDestroy:     newProc("cuEventDestroy_v2"),
		// Not cuEventElapsedTime_v2: that one appeared in CUDA 12.8, and
		// drivers since keep exporting the first version with the same
		// signature for older programs.
		cuEventElapsedTime: newProc("cuEventElapsedTime"),
	}
}

// procs lists every entry point, for resolving them all at once.
func (d *driver) procs() []*proc {
	return []*proc{
		&d.cuInit, &d.cuDriverGetVersion, &d.cuGetErrorName, &d.cuGetErrorString,
		&d.cuDeviceGetCount, &d.cuDeviceGet, &d.cuDeviceGetName, &d.cuDeviceGetAttribute, &d.cuDeviceTotalMem,
		&d.cuDevicePrimaryCtxRetain, &d.cuDevicePrimaryCtxRelease, &d.cuDevicePrimaryCtxSetFlags,
		&d.cuCtxSetCurrent, &d.cuCtxGetCurrent, &d.cuCtxSynchronize,
		&d.cuDeviceCanAccessPeer, &d.cuCtxEnablePeerAccess,
		&d.cuMemAlloc, &d.cuMemFree, &d.cuMemGetInfo, &d.cuMemsetD32,
		&d.cuMemcpyHtoD, &d.cuMemcpyDtoH, &d.cuMemcpyDtoD, &d.cuMemcpyDtoDAsync, &d.cuMemcpyPeerAsync,
		&d.cuMemHostAlloc, &d.cuMemFreeHost, &d.cuMemHostGetDevicePointer,
		&d.cuModuleLoadDataEx, &d.cuModuleGetFunction, &d.cuModuleUnload,
		&d.cuFuncGetAttribute, &d.cuFuncSetAttribute, &d.cuLaunchKernel,
		&d.cuStreamCreate, &d.cuStreamSynchronize, &d.cuStreamWaitEvent, &d.cuStreamDestroy,
		&d.cuEventCreate, &d.cuEventRecord, &d.cuEventSynchronize, &d.cuEventDestroy, &d.cuEventElapsedTime,
	}
}

// call calls an entry point and turns its CUresult into an error. Every
// entry point bound here takes only integers and pointers and returns a
// CUresult, which is what purego.SyscallN passes. Arguments that are Go
// pointers must be converted to uintptr in the call expression itself:
// go:uintptrescapes then keeps what they point to alive, and where the
// collector cannot free it, until the call returns.
//
//go:uintptrescapes
func (d *driver) call(p proc, args ...uintptr) error {
	r, _, _ := purego.SyscallN(p.addr, args...)
	// CUresult is a C int: only the low 32 bits of the register are set.
	if code := int32(r); code != 0 {
		return d.newError(p.name, int(code))
	}
	return nil
}
