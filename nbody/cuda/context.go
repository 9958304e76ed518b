package cuda

import (
	"errors"
	"fmt"
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
//	ctx, err := dev.PrimaryCtxRetain() // dev from drv.DeviceGet
//	...
//	err = ctx.SetCurrent()
//	... memory, module, launch, stream and event calls ...
//	err = dev.PrimaryCtxRelease()
//
// Drive each device from one such goroutine, or make its context current
// again at the start of each batch of calls. Calls that take no context
// (Open, DeviceCount, DeviceGet and the Device methods) may be made from
// any goroutine. The zero Context is none.
type Context struct {
	d   *Driver
	ctx uintptr
}

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
	const call = "cuDevicePrimaryCtxSetFlags"
	d := dev.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuDevicePrimaryCtxSetFlags(dev.dev, uint32(flags)))
}

// PrimaryCtxRetain retains the device's primary context, creating it on the
// first retain, and returns it. It does not make it current (SetCurrent
// does). Balance each retain with PrimaryCtxRelease.
func (dev Device) PrimaryCtxRetain() (Context, error) {
	const call = "cuDevicePrimaryCtxRetain"
	d := dev.d
	if err := d.use(call); err != nil {
		return Context{}, err
	}
	var ctx uintptr
	if err := d.check(call, d.cuDevicePrimaryCtxRetain(&ctx, dev.dev)); err != nil {
		return Context{}, fmt.Errorf("device %d: %w", dev.dev, err)
	}
	return Context{d, ctx}, nil
}

// PrimaryCtxRelease releases one retain of the device's primary context;
// the last release destroys it, with every allocation, module, stream and
// event made in it.
func (dev Device) PrimaryCtxRelease() error {
	const call = "cuDevicePrimaryCtxRelease"
	d := dev.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuDevicePrimaryCtxRelease(dev.dev))
}

// SetCurrent makes the context current on the calling OS thread. Lock the
// goroutine to its thread first (runtime.LockOSThread).
func (c Context) SetCurrent() error {
	const call = "cuCtxSetCurrent"
	d := c.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuCtxSetCurrent(c.ctx))
}

// CurrentContext returns the context current on the calling OS thread, or
// the zero Context if there is none.
func (d *Driver) CurrentContext() (Context, error) {
	const call = "cuCtxGetCurrent"
	if err := d.use(call); err != nil {
		return Context{}, err
	}
	var ctx uintptr
	if err := d.check(call, d.cuCtxGetCurrent(&ctx)); err != nil {
		return Context{}, err
	}
	if ctx == 0 {
		return Context{}, nil
	}
	return Context{d, ctx}, nil
}

// CtxSynchronize waits until the current context has finished all its work,
// and returns the error of any that failed.
func (d *Driver) CtxSynchronize() error {
	const call = "cuCtxSynchronize"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuCtxSynchronize())
}

// EnablePeerAccess lets the current context address memory allocated in
// peer (another device's context); check CanAccessPeer first. Access that
// is already enabled is not an error.
func (d *Driver) EnablePeerAccess(peer Context) error {
	const call = "cuCtxEnablePeerAccess"
	if err := d.use(call); err != nil {
		return err
	}
	err := d.check(call, d.cuCtxEnablePeerAccess(peer.ctx, 0))
	if errors.Is(err, ErrPeerAccessAlreadyEnabled) {
		return nil
	}
	return err
}
