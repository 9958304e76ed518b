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

// newProc names an entry point. The versioned symbols are the ones cuda.h
// maps the plain names to; binding them directly keeps the ABI that the
// arguments in this package are written for.
func newProc(symbol string) proc {
	name := symbol
	if i := strings.LastIndex(symbol, "_v"); i > 0 {
		name = symbol[:i]
	}
	return proc{symbol: symbol, name: name}
}

// driver is the opened library: its version and every entry point this
// package calls, resolved once by open.
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

	// Entry points of newer drivers (optionalEntryPoints): addr stays 0
	// where the driver lacks one, and the call that needs it says so.
	cuDeviceGetUuid proc
}

// entryPoint binds one of driver's procs to the symbol it calls.
type entryPoint struct {
	proc   *proc
	symbol string
}

// entryPoints is the one list of the driver's entry points this package
// calls: each field of d and the symbol the driver exports for it.
func (d *driver) entryPoints() []entryPoint {
	return []entryPoint{
		{&d.cuInit, "cuInit"},
		{&d.cuDriverGetVersion, "cuDriverGetVersion"},
		{&d.cuGetErrorName, "cuGetErrorName"},
		{&d.cuGetErrorString, "cuGetErrorString"},

		{&d.cuDeviceGetCount, "cuDeviceGetCount"},
		{&d.cuDeviceGet, "cuDeviceGet"},
		{&d.cuDeviceGetName, "cuDeviceGetName"},
		{&d.cuDeviceGetAttribute, "cuDeviceGetAttribute"},
		{&d.cuDeviceTotalMem, "cuDeviceTotalMem_v2"},

		{&d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
		{&d.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"},
		{&d.cuDevicePrimaryCtxSetFlags, "cuDevicePrimaryCtxSetFlags_v2"},
		{&d.cuCtxSetCurrent, "cuCtxSetCurrent"},
		{&d.cuCtxGetCurrent, "cuCtxGetCurrent"},
		{&d.cuCtxSynchronize, "cuCtxSynchronize"},
		{&d.cuDeviceCanAccessPeer, "cuDeviceCanAccessPeer"},
		{&d.cuCtxEnablePeerAccess, "cuCtxEnablePeerAccess"},

		{&d.cuMemAlloc, "cuMemAlloc_v2"},
		{&d.cuMemFree, "cuMemFree_v2"},
		{&d.cuMemGetInfo, "cuMemGetInfo_v2"},
		{&d.cuMemsetD32, "cuMemsetD32_v2"},
		{&d.cuMemcpyHtoD, "cuMemcpyHtoD_v2"},
		{&d.cuMemcpyDtoH, "cuMemcpyDtoH_v2"},
		{&d.cuMemcpyDtoD, "cuMemcpyDtoD_v2"},
		{&d.cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2"},
		{&d.cuMemcpyPeerAsync, "cuMemcpyPeerAsync"},
		{&d.cuMemHostAlloc, "cuMemHostAlloc"},
		{&d.cuMemFreeHost, "cuMemFreeHost"},
		{&d.cuMemHostGetDevicePointer, "cuMemHostGetDevicePointer_v2"},

		{&d.cuModuleLoadDataEx, "cuModuleLoadDataEx"},
		{&d.cuModuleGetFunction, "cuModuleGetFunction"},
		{&d.cuModuleUnload, "cuModuleUnload"},
		{&d.cuFuncGetAttribute, "cuFuncGetAttribute"},
		{&d.cuFuncSetAttribute, "cuFuncSetAttribute"},
		{&d.cuLaunchKernel, "cuLaunchKernel"},

		{&d.cuStreamCreate, "cuStreamCreate"},
		{&d.cuStreamSynchronize, "cuStreamSynchronize"},
		{&d.cuStreamWaitEvent, "cuStreamWaitEvent"},
		{&d.cuStreamDestroy, "cuStreamDestroy_v2"},

		{&d.cuEventCreate, "cuEventCreate"},
		{&d.cuEventRecord, "cuEventRecord"},
		{&d.cuEventSynchronize, "cuEventSynchronize"},
		{&d.cuEventDestroy, "cuEventDestroy_v2"},
		// Not cuEventElapsedTime_v2: that one appeared in CUDA 12.8, and
		// drivers since keep exporting the first version with the same
		// signature for older programs.
		{&d.cuEventElapsedTime, "cuEventElapsedTime"},
	}
}

// optionalEntryPoints are the entry points that only newer drivers export:
// a driver without one still loads, and only the call that needs it fails,
// with ErrMissingSymbol.
func (d *driver) optionalEntryPoints() []entryPoint {
	return []entryPoint{
		// CUDA 11.4 (driver 470) and later; unlike cuDeviceGetUuid, it
		// gives a MIG instance's own UUID.
		{&d.cuDeviceGetUuid, "cuDeviceGetUuid_v2"},
	}
}

// newDriver returns a driver whose entry points are named but not resolved.
func newDriver() *driver {
	d := &driver{}
	for _, e := range append(d.entryPoints(), d.optionalEntryPoints()...) {
		*e.proc = newProc(e.symbol)
	}
	return d
}

// symbols is the table that dynlib resolves: each proc's symbol and where
// its address goes, the optional entry points last.
func (d *driver) symbols() []dynlib.Symbol {
	var table []dynlib.Symbol
	for _, e := range d.entryPoints() {
		table = append(table, dynlib.Symbol{Name: e.proc.symbol, Addr: &e.proc.addr})
	}
	for _, e := range d.optionalEntryPoints() {
		table = append(table, dynlib.Symbol{Name: e.proc.symbol, Addr: &e.proc.addr, Optional: true})
	}
	return table
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
