package gpu

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// device is one GPU's share of the work: its context, kernels, stream,
// timing events and buffers. Every method that calls the driver runs as a
// batch inside bind, on a locked OS thread with the context current.
type device struct {
	drv      *cuda.Driver
	info     Device
	handle   cuda.Device
	ctx      cuda.Context
	retained bool
	opts     Options
	double   bool
	elem     uint64 // bytes of one body's 4-vector: 16 or 32

	module                            cuda.Module
	set                               kernels.Set
	image                             string // what the kernels were loaded from (KernelImage)
	step, forces, integrate, copyFunc cuda.Function
	blocksPerSM                       int // of the forces kernel, at opts.BlockSize
	forcesRegs                        int // registers per thread of the forces kernel
	stream                            cuda.Stream
	start, stop                       cuda.Event
	inFlight                          [queueDepth]cuda.Event // one per queued step, a ring
	// With several devices: ready completes when this device's part of the
	// latest step (compute and exchange) is done; sent, in the host
	// exchange, when its share has reached the page-locked staging buffer.
	ready, sent cuda.Event
	// hostView is where this device's kernels see the integrator's
	// page-locked staging buffers of the host exchange.
	hostView [2]cuda.DevicePtr

	// stageHostMem: Options.StageHostMem with Options.HostMem.
	stageHostMem bool

	n, first, count int // bodies in all, and this device's share
	plan            launchPlan
	pos             [2]buffer // positions, double-buffered; pos[cur] is current
	cur             int
	vel             buffer // velocities of this device's share
	partial         buffer // per-split partial accelerations, when plan.splits > 1
	staged          buffer // device copy of the positions, with stageHostMem
	// A sliced step (slice.go) writes its new velocities to velNext, a
	// copy of vel made when the step begins, and swaps the two only when
	// every slice is done, so that a step abandoned half-way leaves vel as
	// the last whole step left it; sliceParts holds one slice's partial
	// sums. Both are allocated by the first sliced step.
	velNext, sliceParts buffer
}

// queueDepth is how many steps Step lets the device run ahead of the
// host: enough that the GPU never waits for a launch, few enough that a
// cancelled context stops the run soon.
const queueDepth = 4

// openDevice retains info's primary context, loads the kernels of
// opts.Precision (image.go) and creates the stream and events.
func openDevice(drv *cuda.Driver, info Device, opts Options) (_ *device, err error) {
	// The result is unnamed: the deferred clean-up below must see the
	// device, not the nil that a failing return assigns.
	d := &device{drv: drv, info: info, opts: opts, double: opts.Precision == nbody.Double, elem: 16}
	if d.double {
		d.elem = 32
	}
	d.stageHostMem = opts.HostMem && opts.StageHostMem
	d.set = kernels.Select(d.double, opts.BlockSize)
	if opts.Kernels != nil {
		d.set = *opts.Kernels
	}
	if d.handle, err = drv.DeviceGet(info.Ordinal); err != nil {
		return nil, d.wrap(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if opts.HostMem {
		// Mapped host memory needs the map-host flag on contexts of old
		// drivers; with unified addressing (every 64-bit Linux driver) it
		// is implied, and a driver that refuses to change the flags of an
		// active primary context is no obstacle then.
		_ = d.handle.PrimaryCtxSetFlags(cuda.CtxMapHost)
	}
	if d.ctx, err = d.handle.PrimaryCtxRetain(); err != nil {
		return nil, d.wrap(err)
	}
	d.retained = true
	defer func() {
		if err != nil {
			// Free what was made before the failure (module, stream,
			// events); close skips what is zero. If even that fails, still
			// give the context back.
			if d.close() != nil {
				_ = d.release()
			}
		}
	}()
	if err = d.ctx.SetCurrent(); err != nil {
		return nil, d.wrap(err)
	}
	if err = d.loadKernels(); err != nil {
		return nil, err
	}
	if d.blocksPerSM, d.forcesRegs, err = blocksPerMultiprocessor(d.forces, d.handle, opts.BlockSize, d.sharedBytes()); err != nil {
		return nil, d.wrap(err)
	}
	if d.blocksPerSM < 1 {
		return nil, d.wrap(fmt.Errorf("kernel %s does not fit on a multiprocessor in blocks of %d threads", d.set.Forces, opts.BlockSize))
	}
	if d.stream, err = drv.StreamCreate(); err != nil {
		return nil, d.wrap(err)
	}
	for _, e := range append([]*cuda.Event{&d.start, &d.stop, &d.ready, &d.sent}, ringPointers(&d.inFlight)...) {
		if *e, err = drv.EventCreate(); err != nil {
			return nil, d.wrap(err)
		}
	}
	return d, nil
}

func ringPointers(r *[queueDepth]cuda.Event) []*cuda.Event {
	out := make([]*cuda.Event, len(r))
	for i := range r {
		out[i] = &r[i]
	}
	return out
}

// bind locks the calling goroutine to its OS thread and makes the device's
// context current; call the returned function when the batch is done.
func (d *device) bind() (func(), error) {
	runtime.LockOSThread()
	if err := d.ctx.SetCurrent(); err != nil {
		runtime.UnlockOSThread()
		return nil, d.wrap(err)
	}
	return runtime.UnlockOSThread, nil
}

// wrap names the device in an error.
func (d *device) wrap(err error) error {
	return fmt.Errorf("gpu: device %d (%s): %w", d.info.Ordinal, d.info.Name, err)
}

// close frees everything the device holds and releases its context.
func (d *device) close() error {
	if !d.retained {
		return nil
	}
	unbind, err := d.bind()
	if err != nil {
		return err
	}
	defer unbind()
	var errs []error
	if d.stream != (cuda.Stream{}) {
		// Before the stream exists nothing is queued: the default stream's
		// copies are done when they return.
		errs = append(errs, d.stream.Synchronize())
	}
	errs = append(errs, d.freeBuffers())
	for _, e := range append([]cuda.Event{d.start, d.stop, d.ready, d.sent}, d.inFlight[:]...) {
		if e != (cuda.Event{}) {
			errs = append(errs, e.Destroy())
		}
	}
	if d.stream != (cuda.Stream{}) {
		errs = append(errs, d.stream.Destroy())
	}
	if d.module != (cuda.Module{}) {
		errs = append(errs, d.module.Unload())
	}
	errs = append(errs, d.release())
	if err := errors.Join(errs...); err != nil {
		return d.wrap(err)
	}
	return nil
}

// release gives back the primary context retained by openDevice.
func (d *device) release() error {
	if !d.retained {
		return nil
	}
	d.retained = false
	return d.handle.PrimaryCtxRelease()
}
