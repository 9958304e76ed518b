package cuda

import (
	"errors"
	"fmt"
	"unsafe"
)

// Context is a CUDA context (a CUcontext). This package uses the device's
// primary context, the one the CUDA runtime uses too.
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
type Context uintptr

// ContextFlags are the primary context's scheduling and mapping flags.
type ContextFlags uint32

// The primary context flags (CU_CTX_*).
const (
	CtxSchedAuto         ContextFlags = 0x0 // spin while there are fewer active contexts than cores, else yield
	CtxSchedSpin         ContextFlags = 0x1 // spin while waiting for the GPU: lowest latency, one busy core
	CtxSchedYield        ContextFlags = 0x2 // yield the thread while waiting
	CtxSchedBlockingSync ContextFlags = 0x4 // block the thread on a synchronization primitive while waiting
	// CtxMapHost asks older drivers to allow mapped page-locked host memory
	// (HostAllocDeviceMap). With unified addressing mapping is always on,
	// and CUDA 13.0's cuDevicePrimaryCtxSetFlags refuses this flag with
	// CUDA_ERROR_INVALID_VALUE (seen on driver 580.159): ignore that error.
	CtxMapHost ContextFlags = 0x8
)

// PrimaryCtxSetFlags sets the flags the device's primary context is created
// with. Call it before the first PrimaryCtxRetain of the device: drivers
// may refuse to change the flags of an active primary context.
func (dev Device) PrimaryCtxSetFlags(flags ContextFlags) error {
	d, err := get("cuDevicePrimaryCtxSetFlags")
	if err != nil {
		return err
	}
	return d.call(d.cuDevicePrimaryCtxSetFlags, uintptr(dev), uintptr(flags))
}

// PrimaryCtxRetain retains the device's primary context, creating it on the
// first retain, and returns it. It does not make it current (SetCurrent
// does). Balance each retain with PrimaryCtxRelease.
func (dev Device) PrimaryCtxRetain() (Context, error) {
	d, err := get("cuDevicePrimaryCtxRetain")
	if err != nil {
		return 0, err
	}
	var ctx uintptr
	if err := d.call(d.cuDevicePrimaryCtxRetain, uintptr(unsafe.Pointer(&ctx)), uintptr(dev)); err != nil {
		return 0, fmt.Errorf("device %d: %w", int(dev), err)
	}
	return Context(ctx), nil
}

// PrimaryCtxRelease releases one retain of the device's primary context;
// the last release destroys it, with every allocation, module, stream and
// event made in it.
func (dev Device) PrimaryCtxRelease() error {
	d, err := get("cuDevicePrimaryCtxRelease")
	if err != nil {
		return err
	}
	return d.call(d.cuDevicePrimaryCtxRelease, uintptr(dev))
}

// SetCurrent makes the context current on the calling OS thread. Lock the
// goroutine to its thread first (runtime.LockOSThread).
func (c Context) SetCurrent() error {
	d, err := get("cuCtxSetCurrent")
	if err != nil {
		return err
	}
	return d.call(d.cuCtxSetCurrent, uintptr(c))
}

// CurrentContext returns the context current on the calling OS thread, or
// 0 if there is none.
func CurrentContext() (Context, error) {
	d, err := get("cuCtxGetCurrent")
	if err != nil {
		return 0, err
	}
	var ctx uintptr
	if err := d.call(d.cuCtxGetCurrent, uintptr(unsafe.Pointer(&ctx))); err != nil {
		return 0, err
	}
	return Context(ctx), nil
}

// CtxSynchronize waits until the current context has finished all its work,
// and returns the error of any that failed.
func CtxSynchronize() error {
	d, err := get("cuCtxSynchronize")
	if err != nil {
		return err
	}
	return d.call(d.cuCtxSynchronize)
}

// EnablePeerAccess lets the current context address memory allocated in
// peer (another device's context); check CanAccessPeer first. Access that
// is already enabled is not an error.
func EnablePeerAccess(peer Context) error {
	d, err := get("cuCtxEnablePeerAccess")
	if err != nil {
		return err
	}
	err = d.call(d.cuCtxEnablePeerAccess, uintptr(peer), 0)
	if errors.Is(err, ErrPeerAccessAlreadyEnabled) {
		return nil
	}
	return err
}
