// Package gpu is the GPU integrator: bodies in device memory (or mapped,
// page-locked host memory), the all-pairs kernels of package kernels
// JIT-compiled from PTX and launched through the CUDA driver API of package
// cuda, which is loaded when the program runs.
//
// Each device is driven through a device value that holds its context,
// kernels, stream and buffers; every batch of driver calls locks the OS
// thread and makes that context current first, so that several devices can
// be driven the same way later. One device is supported today.
package gpu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// Device describes one CUDA device as the report prints it.
type Device struct {
	Ordinal         int    // the -device index
	Name            string // e.g. "NVIDIA H100 80GB HBM3"
	Major, Minor    int    // compute capability
	Multiprocessors int    // SM count; the default N is 4 × blockSize × this
	TotalMemory     uint64 // bytes
	ClockKHz        int    // the multiprocessors' maximum clock, for the chip's limits
}

// Options choose how the GPU integrator runs.
type Options struct {
	Precision  nbody.Precision
	Physics    nbody.Physics
	BlockSize  int    // threads per block, a power of two from 32 to 1024; 0 means 256
	Device     int    // first device to use (-device)
	NumDevices int    // devices to split over (-numdevices); 0 means 1
	HostMem    bool   // keep bodies in mapped, page-locked host memory (-hostmem)
	Exchange   string // multi-device exchange: "auto", "peer", "nccl" or "host"
}

// DefaultBlockSize is the block size when Options.BlockSize is 0, the
// sample's.
const DefaultBlockSize = 256

// ErrUnavailable wraps every reason the GPU cannot be used at all (no
// driver library, cuInit failing, no device), so that callers can fall
// back to the CPU and print the reason.
var ErrUnavailable = errors.New("no CUDA GPU available")

// Devices loads the driver and lists the devices. An error wrapping
// ErrUnavailable says why no GPU can be used.
func Devices() ([]Device, error) {
	if err := cuda.Load(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	n, err := cuda.DeviceCount()
	if err != nil {
		return nil, fmt.Errorf("%w: counting devices: %w", ErrUnavailable, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: the driver sees no CUDA device", ErrUnavailable)
	}
	devs := make([]Device, n)
	for i := range devs {
		if devs[i], err = describe(i); err != nil {
			return nil, err
		}
	}
	return devs, nil
}

// describe reads what the report and the launch plans need of device i.
func describe(ordinal int) (Device, error) {
	h, err := cuda.DeviceGet(ordinal)
	if err != nil {
		return Device{}, err
	}
	d := Device{Ordinal: ordinal}
	if d.Name, err = h.Name(); err != nil {
		return Device{}, fmt.Errorf("device %d name: %w", ordinal, err)
	}
	if d.TotalMemory, err = h.TotalMem(); err != nil {
		return Device{}, fmt.Errorf("device %d memory: %w", ordinal, err)
	}
	for _, a := range []struct {
		dst  *int
		attr cuda.DeviceAttribute
	}{
		{&d.Major, cuda.ComputeCapabilityMajor},
		{&d.Minor, cuda.ComputeCapabilityMinor},
		{&d.Multiprocessors, cuda.MultiprocessorCount},
		{&d.ClockKHz, cuda.ClockRate},
	} {
		if *a.dst, err = h.Attribute(a.attr); err != nil {
			return Device{}, err
		}
	}
	return d, nil
}

// Integrator runs the simulation on one or several GPUs; it implements
// nbody.Integrator.
type Integrator struct {
	opts   Options
	devs   []*device
	n      int // bodies set; 0 before SetBodies
	closed bool
}

var _ nbody.Integrator = (*Integrator)(nil)

// New opens the devices named by opts and loads the kernels. A block size
// that is not a power of two from 32 to 1024 or a device that does not
// exist is an error; so, for now, is more than one device.
func New(opts Options) (*Integrator, error) {
	if opts.BlockSize == 0 {
		opts.BlockSize = DefaultBlockSize
	}
	if opts.NumDevices == 0 {
		opts.NumDevices = 1
	}
	if bs := opts.BlockSize; bs < 32 || bs > 1024 || bs&(bs-1) != 0 {
		return nil, fmt.Errorf("gpu: block size %d: want a power of two from 32 to 1024", bs)
	}
	if opts.Precision != nbody.Single && opts.Precision != nbody.Double {
		return nil, fmt.Errorf("gpu: unknown precision %d", int(opts.Precision))
	}
	if opts.NumDevices < 0 {
		return nil, fmt.Errorf("gpu: %d devices asked for", opts.NumDevices)
	}
	if opts.NumDevices > 1 {
		return nil, fmt.Errorf("gpu: %d devices asked for: running on several devices is not supported yet", opts.NumDevices)
	}
	all, err := Devices()
	if err != nil {
		return nil, err
	}
	if opts.Device < 0 || opts.Device >= len(all) {
		return nil, fmt.Errorf("gpu: device %d does not exist: %d CUDA device(s), numbered 0 to %d",
			opts.Device, len(all), len(all)-1)
	}
	d, err := openDevice(all[opts.Device], opts)
	if err != nil {
		return nil, err
	}
	return &Integrator{opts: opts, devs: []*device{d}}, nil
}

// Devices returns the devices the integrator runs on, in order.
func (g *Integrator) Devices() []Device {
	out := make([]Device, len(g.devs))
	for i, d := range g.devs {
		out[i] = d.info
	}
	return out
}

// LaunchShape describes how the current bodies are launched on each device,
// for benchmark notes: e.g. "66x6 blocks of 256 threads, 8 bodies each,
// 22528 j per split, 3 blocks/SM".
func (g *Integrator) LaunchShape() string {
	var parts []string
	for _, d := range g.devs {
		p := d.plan
		parts = append(parts, fmt.Sprintf("%dx%d blocks of %d threads, %d bodies each, %d j per split, %d blocks/SM",
			p.blocks, p.splits, p.blockSize, p.bodiesPerThread, p.perSplit, d.blocksPerSM))
	}
	return strings.Join(parts, "; ")
}

// Name implements nbody.Integrator.
func (g *Integrator) Name() string {
	if len(g.devs) == 1 {
		return fmt.Sprintf("GPU %d (%s)", g.devs[0].info.Ordinal, g.devs[0].info.Name)
	}
	return fmt.Sprintf("%d GPUs", len(g.devs))
}

// Precision implements nbody.Integrator.
func (g *Integrator) Precision() nbody.Precision { return g.opts.Precision }

// SetBodies implements nbody.Integrator. Device (or mapped host) memory is
// allocated when the number of bodies changes; a device too small gives an
// error naming CUDA_ERROR_OUT_OF_MEMORY and the bytes asked for.
func (g *Integrator) SetBodies(b nbody.Bodies) error {
	if g.closed {
		return errClosed
	}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	n := b.N()
	if n > math.MaxInt32 {
		return fmt.Errorf("gpu: %d bodies: the kernels index at most %d", n, math.MaxInt32)
	}
	for _, d := range g.devs {
		if err := d.setBodies(b, 0, n); err != nil {
			g.n = 0
			return err
		}
	}
	g.n = n
	return nil
}

// Bodies implements nbody.Integrator.
func (g *Integrator) Bodies(dst *nbody.Bodies) error {
	if g.closed {
		return errClosed
	}
	if g.n == 0 {
		return errNoBodies
	}
	return g.devs[0].bodies(dst)
}

// Step implements nbody.Integrator: it queues the steps and returns the
// time between CUDA events recorded before the first and after the last,
// as the sample measures it (no warm-up step here: callers that want one
// take it first). Cancelling ctx stops queueing more steps; at most a few
// queued ones still run.
func (g *Integrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if g.closed {
		return 0, errClosed
	}
	if g.n == 0 {
		return 0, errNoBodies
	}
	if steps < 0 {
		return 0, fmt.Errorf("gpu: %d steps", steps)
	}
	return g.devs[0].run(ctx, dt, steps)
}

// Close implements nbody.Integrator: it frees every buffer and releases
// the devices. It is safe to call twice.
func (g *Integrator) Close() error {
	if g.closed {
		return nil
	}
	g.closed = true
	var errs []error
	for _, d := range g.devs {
		errs = append(errs, d.close())
	}
	return errors.Join(errs...)
}

var (
	errClosed   = errors.New("gpu: integrator is closed")
	errNoBodies = errors.New("gpu: no bodies set")
)
