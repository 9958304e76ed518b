// Package cuda is a small binding of the CUDA driver API, loaded when the
// program runs: it opens libcuda.so.1 with purego (no cgo, no CUDA toolkit
// at build time), so one binary starts on every machine and uses a GPU only
// where an NVIDIA driver is installed. It knows nothing about n-body; it
// offers what a GPU integrator needs: devices and their attributes, the
// primary context, device and mapped host memory, copies, modules JIT-built
// from PTX, kernel launches, streams and events.
//
// Call Load first. It opens the library, resolves every entry point at once
// and calls cuInit; a missing library (ErrNoDriver), a driver too old to
// export an entry point (ErrMissingSymbol) or cuInit failing (ErrNoDevice,
// for one) come back as errors then, never as a crash at a later call.
// Until Load has succeeded every other function returns ErrNotLoaded.
//
// Every failing driver call returns an *Error that names the call and the
// result ("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"); test for
// a particular result with errors.Is(err, cuda.ErrOutOfMemory).
//
// # Contexts and OS threads
//
// The driver keeps the current context per OS thread, and the Go scheduler
// moves goroutines between threads. A goroutine that makes a context current
// must hold its thread for as long as it makes calls in that context:
//
//	runtime.LockOSThread()
//	defer runtime.UnlockOSThread()
//	ctx, err := dev.PrimaryCtxRetain()
//	...
//	err = ctx.SetCurrent()
//	... memory, module, launch, stream and event calls ...
//	err = dev.PrimaryCtxRelease()
//
// Drive each device from one such goroutine, or make its context current
// again at the start of each batch of calls. Calls that take no context
// (Load, DriverVersion, DeviceCount, DeviceGet and the Device methods) may
// be made from any goroutine.
//
// # Streams and ordering
//
// MemsetD32 and the synchronous copies (MemcpyHtoD, MemcpyDtoH,
// MemcpyDtoD, CopyToDevice, CopyFromDevice) run on the context's default
// stream and have finished when they return. They do not wait for the
// streams StreamCreate makes, which are non-blocking: synchronize such a
// stream (Stream.Synchronize, or CtxSynchronize) before one of these calls
// touches memory its kernels use.
package cuda
