// Package cuda is the small part of the CUDA driver API that a GPU
// integrator needs, loaded at run time from libcuda.so.1 with purego.
//
// # Loading
//
// One binary, built without cgo or a CUDA toolkit, starts on every machine
// and uses a GPU only where an NVIDIA driver is installed: Open opens the
// driver library into a *Driver, resolves every entry point this package
// calls and initializes the driver, or says why it cannot, with an error
// that wraps ErrNoLibrary, ErrMissingSymbol (naming every entry point the
// driver lacks, and its version) or the *Error of cuInit. These sentinels
// are the loader's, shared with packages nvml and nccl.
//
// # Calls
//
// The calls that take no handle are methods of the Driver (DeviceGet,
// MemAlloc, ModuleLoadData, LaunchKernel, …); the handles it returns
// (Device, Context, Module, Function, Stream, Event) carry it, and their
// calls are their methods. It covers devices, the primary context,
// memory, PTX and cubin modules, launches, streams and events, and knows
// nothing about n-body.
package cuda
