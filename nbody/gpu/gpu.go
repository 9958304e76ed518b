package gpu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// Device describes one CUDA device as the report prints it.
type Device struct {
	Ordinal         int      // the driver's index of the device
	Name            string   // e.g. "NVIDIA H100 80GB HBM3"
	Major, Minor    int      // compute capability
	Multiprocessors int      // SM count; the default N is 4 × blockSize × this
	TotalMemory     uint64   // bytes
	ClockKHz        int      // the multiprocessors' maximum clock, for the chip's limits
	UUID            [16]byte // the driver's UUID, by which NVML finds the device; zero where the driver cannot say
}

// MarshalJSON implements json.Marshaler: the device as a report gives it,
// its compute capability written "9.0".
func (d Device) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Ordinal           int    `json:"ordinal"`
		Name              string `json:"name"`
		ComputeCapability string `json:"compute_capability"`
		Multiprocessors   int    `json:"multiprocessors"`
		TotalMemory       uint64 `json:"total_memory_bytes"`
	}{d.Ordinal, d.Name, fmt.Sprintf("%d.%d", d.Major, d.Minor), d.Multiprocessors, d.TotalMemory})
}

// Options choose how the GPU integrator runs. The zero value, with
// Physics set, runs the single-precision kernels in blocks of
// DefaultBlockSize threads on device 0.
type Options struct {
	Precision nbody.Precision
	Physics   nbody.Physics
	// BlockSize is the threads per block of the step and forces kernels,
	// whole warps from 32 to 1024 (CheckBlockSize); 0 means
	// DefaultBlockSize.
	BlockSize int
	// Device is the first device to use and NumDevices how many from it
	// (0 means 1). Several devices split the bodies in proportion to their
	// multiprocessors and exchange positions after each step as Exchange
	// asks.
	Device     int
	NumDevices int
	// HostMem keeps the bodies in mapped, page-locked host memory, which
	// the kernels read and write over the bus, instead of device memory.
	HostMem bool
	// StageHostMem, with HostMem, copies the positions from host memory
	// into a device buffer once per step (a copy kernel) and lets the
	// forces read them there, instead of every block reading all of them
	// over the bus. It costs a device buffer of every body's position and a
	// copy per step; it was measured a little faster on the H100 (2,086
	// against 2,026 GI/s at 135,168 bodies, bench/NOTES.md), but off is the
	// sample's way of using host memory, so it is a benchmark's choice.
	// Without HostMem it does nothing.
	StageHostMem bool
	// Exchange is how several devices exchange positions after each
	// step; the zero value is ExchangeAuto.
	Exchange ExchangeMode
	// Kernels, when non-nil, replaces the embedded kernels that Precision
	// and BlockSize select (kernels.Select): a module built from
	// kernels/nbody.cu with other macro values, to time variants of the
	// kernels (bench/kernelbench). Its Double must match Precision, and its
	// BodiesPerThread and TileFactor must be the values it was built with:
	// the grid and the shared memory of every launch follow them.
	Kernels *kernels.Set
	// Splits, when positive, cuts the sum over j into that many runs of
	// bodies (fewer where runs of a multiple of 16 bodies cover j in fewer),
	// in place of the launch plan's choice; 1 runs the fused step kernel.
	// It is for tests and benchmarks that need a given grid; 0 leaves the
	// choice to the plan, as every run should.
	Splits int
	// ForcePTX loads the kernels from their PTX, which the driver
	// JIT-compiles, even where machine code for the GPU is embedded (see
	// Integrator.KernelImage): to compare the two, in speed and in start-up.
	ForcePTX bool
	// World, when set, makes this process one of several that run one
	// simulation: its NumDevices devices from Device are the world's
	// global ranks from World.First; the bodies are split over every GPU of
	// the world and exchanged through NCCL (Exchange must be auto or nccl;
	// HostMem is refused). Nil: one process, as before.
	World *World
	// NCCLLibrary is NCCL's library, where NCCL may be used: a path, or
	// "" for nccl.LibraryName as the dynamic loader finds it. NCCL's own
	// settings (NCCL_NVLS_ENABLE, …) come from the environment, which the
	// caller sets.
	NCCLLibrary string

	// ordinals, when set, are the physical devices of the logical devices
	// 0, 1, …, overriding Device and NumDevices; a GPU may appear more than
	// once, so that tests on one GPU run several devices (export_test.go).
	ordinals []int
	// limits, when set, replace the GPU times that decide when a step is
	// sliced for cancellation and how (slice.go), so that tests slice
	// small steps (export_test.go).
	limits stepLimits
}

// DefaultBlockSize is the block size when Options.BlockSize is 0, the
// sample's.
const DefaultBlockSize = 256

// ErrUnavailable wraps every reason the GPU cannot be used at all (no
// driver library, cuInit failing, no device), so that callers can fall
// back to the CPU and print the reason.
var ErrUnavailable = errors.New("no CUDA GPU available")

// openDriver opens the CUDA driver the first time a GPU is asked for, and
// gives every later caller the same Driver or the same reason there is
// none: cuInit and resolving the entry points are done once per process,
// and the driver, once initialized, stays loaded until it ends.
var openDriver = sync.OnceValues(func() (*cuda.Driver, error) { return cuda.Open(cuda.LibraryName) })

// Devices opens the driver and lists the devices. An error wrapping
// ErrUnavailable says why no GPU can be used.
func Devices() ([]Device, error) {
	_, devs, err := devices()
	return devs, err
}

// devices is Devices, with the driver.
func devices() (*cuda.Driver, []Device, error) {
	drv, err := openDriver()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	n, err := drv.DeviceCount()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: counting devices: %w", ErrUnavailable, err)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("%w: the driver sees no CUDA device", ErrUnavailable)
	}
	devs := make([]Device, n)
	for i := range devs {
		if devs[i], err = describe(drv, i); err != nil {
			return nil, nil, err
		}
	}
	return drv, devs, nil
}

// describe reads what the report and the launch plans need of device i.
func describe(drv *cuda.Driver, ordinal int) (Device, error) {
	h, err := drv.DeviceGet(ordinal)
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
	// A driver too old to tell the UUID (before CUDA 11.4) leaves it zero:
	// only telemetry needs it.
	d.UUID, _ = h.UUID()
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
	drv    *cuda.Driver
	devs   []*device
	n      int // bodies set; 0 before SetBodies
	closed bool

	shares []share // each device's bodies, for the bodies set
	// world holds every global device's share with a World (shares being
	// this process's part of it), else the same as shares: the
	// exchange's view.
	world    []share
	route    Route         // how positions travel between devices
	access   peerAccess    // pairs of devices with peer access
	distinct bool          // every device a different GPU
	nccl     *nccl.Library // opened where NCCL may be used; nil elsewhere
	comms    []nccl.Comm
	abort    abortState // Abort against the runner's collectives
	// sharedPos holds the positions every device reads and writes with
	// HostMem on several devices; staging, the host exchange's two
	// page-locked buffers, used in turn (parity). Both are mapped host
	// memory allocated in the first device's context.
	sharedPos, staging [2]buffer
	parity             int

	// perStep is the GPU time of one whole step of perStepN bodies, as the
	// last run that finished one measured it: it decides how the next run
	// is cut (slice.go).
	perStep  time.Duration
	perStepN int
	last     runStats // how the last run went, for tests
}

// runStats say how a run was queued and how far it went.
type runStats struct {
	steps  int   // whole steps done
	depth  int   // whole steps queued at once; 0 when sliced
	slices []int // each device's slices per step; nil when not sliced
}

var _ nbody.Integrator = (*Integrator)(nil)

// CheckBlockSize says why n threads cannot make a block of the kernels: a
// whole number of warps, from one to 32 of them.
func CheckBlockSize(n int) error {
	if n < 32 || n > 1024 || n%32 != 0 {
		return fmt.Errorf("block size %d: want a multiple of 32 from 32 to 1024", n)
	}
	return nil
}

// New opens the devices named by opts and loads the kernels: NumDevices
// devices from Device on, exchanging positions as opts.Exchange says (see
// Integrator.Exchange). A block size that is not a multiple of 32 from 32
// to 1024, a device that does not exist, or an exchange that cannot run
// (NCCL where it does not load) is an error.
func New(opts Options) (*Integrator, error) {
	if opts.BlockSize == 0 {
		opts.BlockSize = DefaultBlockSize
	}
	if opts.NumDevices == 0 {
		opts.NumDevices = 1
	}
	if err := CheckBlockSize(opts.BlockSize); err != nil {
		return nil, fmt.Errorf("gpu: %w", err)
	}
	if opts.Precision != nbody.Single && opts.Precision != nbody.Double {
		return nil, fmt.Errorf("gpu: unknown precision %d", int(opts.Precision))
	}
	if opts.NumDevices < 0 {
		return nil, fmt.Errorf("gpu: %d devices asked for", opts.NumDevices)
	}
	if !opts.Exchange.valid() {
		return nil, fmt.Errorf("gpu: exchange %v: want %s", opts.Exchange, validExchangeWords())
	}
	if opts.Splits < 0 {
		return nil, fmt.Errorf("gpu: %d splits asked for", opts.Splits)
	}
	if opts.World != nil {
		if err := opts.World.check(opts.NumDevices); err != nil {
			return nil, err
		}
		if opts.HostMem || (opts.Exchange != ExchangeAuto && opts.Exchange != ExchangeNCCL) {
			return nil, errors.New("gpu: several processes exchange positions through NCCL, in device memory: not with host memory or another exchange")
		}
	}
	if k := opts.Kernels; k != nil {
		if k.Double != (opts.Precision == nbody.Double) {
			return nil, fmt.Errorf("gpu: the kernels given are not %s precision", opts.Precision)
		}
		if k.BodiesPerThread < 1 || k.TileFactor < 1 {
			return nil, fmt.Errorf("gpu: the kernels given hold %d bodies per thread in tiles of %d blocks: want at least 1 of each",
				k.BodiesPerThread, k.TileFactor)
		}
	}
	drv, all, err := devices()
	if err != nil {
		return nil, err
	}
	ordinals, err := physicalOrdinals(opts, len(all))
	if err != nil {
		return nil, err
	}
	opts.NumDevices = len(ordinals)
	g := &Integrator{opts: opts, drv: drv, distinct: distinct(ordinals)}
	for _, o := range ordinals {
		d, err := openDevice(drv, all[o], opts)
		if err != nil {
			return nil, errors.Join(err, g.Close())
		}
		g.devs = append(g.devs, d)
	}
	if err := g.chooseExchange(ordinals); err != nil {
		return nil, errors.Join(err, g.Close())
	}
	return g, nil
}

// physicalOrdinals returns the GPU of each logical device.
func physicalOrdinals(opts Options, count int) ([]int, error) {
	if opts.ordinals != nil {
		for _, o := range opts.ordinals {
			if o < 0 || o >= count {
				return nil, fmt.Errorf("gpu: device %d does not exist: %d CUDA device(s)", o, count)
			}
		}
		return opts.ordinals, nil
	}
	if opts.Device < 0 || opts.Device >= count {
		return nil, fmt.Errorf("gpu: device %d does not exist: %d CUDA device(s), numbered 0 to %d",
			opts.Device, count, count-1)
	}
	if opts.Device+opts.NumDevices > count {
		return nil, fmt.Errorf("gpu: %d devices from device %d asked for: %d CUDA device(s)",
			opts.NumDevices, opts.Device, count)
	}
	out := make([]int, opts.NumDevices)
	for i := range out {
		out[i] = opts.Device + i
	}
	return out, nil
}

func distinct(ordinals []int) bool {
	seen := map[int]bool{}
	for _, o := range ordinals {
		if seen[o] {
			return false
		}
		seen[o] = true
	}
	return true
}

// chooseExchange enables peer access, loads NCCL where it may be used,
// decides the route and, for NCCL, creates the communicators.
func (g *Integrator) chooseExchange(ordinals []int) error {
	var err error
	if g.opts.World != nil {
		// Across processes NCCL is the one way: its id already exists.
		if err := g.openNCCL(); err != nil {
			return fmt.Errorf("gpu: several processes exchange through NCCL: %w", err)
		}
		g.route = RouteNCCL
		return g.initRanks()
	}
	if len(g.devs) > 1 && !g.opts.HostMem {
		if g.access, err = g.enablePeerAccess(); err != nil {
			return err
		}
	}
	// NCCL is loaded only where it may be chosen: asked for, or auto when
	// peer copies cannot go direct between every pair.
	ncclErr := errors.New("not needed")
	if g.opts.Exchange == ExchangeNCCL ||
		g.opts.Exchange == ExchangeAuto && len(g.devs) > 1 && !g.access.all() {
		ncclErr = g.openNCCL()
	}
	if g.route, err = chooseRoute(g.opts.Exchange, len(g.devs), g.opts.HostMem, g.access, g.distinct, ncclErr); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	if g.route == RouteNCCL {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if g.comms, err = g.nccl.CommInitAll(ordinals); err != nil {
			return fmt.Errorf("gpu: NCCL communicators: %w", err)
		}
	}
	return nil
}

// openNCCL opens NCCL's library as Options.NCCLLibrary names it.
func (g *Integrator) openNCCL() (err error) {
	path := g.opts.NCCLLibrary
	if path == "" {
		path = nccl.LibraryName
	}
	g.nccl, err = nccl.Open(path)
	return err
}

// Devices returns the devices the integrator runs on, in order.
func (g *Integrator) Devices() []Device {
	out := make([]Device, len(g.devs))
	for i, d := range g.devs {
		out[i] = d.info
	}
	return out
}

// Name implements nbody.Integrator. With several devices it says how many
// have bodies when some have none (fewer bodies than devices).
func (g *Integrator) Name() string {
	if w := g.opts.World; w != nil {
		return fmt.Sprintf("%d GPUs in %d processes", len(w.Devices), w.Processes)
	}
	if len(g.devs) == 1 {
		return fmt.Sprintf("GPU %d (%s)", g.devs[0].info.Ordinal, g.devs[0].info.Name)
	}
	name := fmt.Sprintf("%d GPUs", len(g.devs))
	if a := active(g.shares); g.n > 0 && a < len(g.devs) {
		name += fmt.Sprintf(" (%d bodies: %d of them used)", g.n, a)
	}
	return name
}

// Precision implements nbody.Integrator.
func (g *Integrator) Precision() nbody.Precision { return g.opts.Precision }

// SetBodies implements nbody.Integrator: it splits the bodies among the
// devices and loads them. Device (or mapped host) memory is allocated when
// the number of bodies changes; a device too small gives an error naming
// CUDA_ERROR_OUT_OF_MEMORY and the bytes asked for.
func (g *Integrator) SetBodies(b nbody.Bodies) error {
	if g.closed {
		return errClosed
	}
	// Validate holds the count to nbody.MaxBodies, which the kernels'
	// 32-bit indices need (launch.go).
	if err := b.Validate(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	n := b.N()
	g.n = 0
	// Nothing may still read the buffers that are about to change.
	if err := g.synchronize(); err != nil {
		return err
	}
	world, shares := g.split(n)
	where := positions{capacity: n}
	if stride, ok := equalStride(world); ok && g.route == RouteNCCL {
		// The all-gather moves stride bodies from every device.
		where.capacity = stride * len(world)
	}
	bytes := uint64(n) * g.devs[0].elem
	switch g.route {
	case RouteShared:
		if err := g.hostBuffers(&g.sharedPos, bytes); err != nil {
			return err
		}
		where.shared = &g.sharedPos
	case RouteHost:
		if err := g.hostBuffers(&g.staging, bytes); err != nil {
			return err
		}
	}
	for i, d := range g.devs {
		if err := d.setBodies(b, shares[i], where); err != nil {
			return err
		}
		if g.route == RouteHost {
			if err := d.viewStaging(&g.staging); err != nil {
				return err
			}
		}
	}
	g.shares, g.world, g.n, g.parity = shares, world, n, 0
	return nil
}

// hostBuffers makes bufs two mapped, page-locked host buffers of the given
// size, in the first device's context (portable: every context sees them),
// keeping them when the size is unchanged.
func (g *Integrator) hostBuffers(bufs *[2]buffer, bytes uint64) error {
	if bufs[0].bytes == bytes && bufs[1].bytes == bytes {
		return nil
	}
	lead := g.devs[0]
	unbind, err := lead.bind()
	if err != nil {
		return err
	}
	defer unbind()
	for i := range bufs {
		if err := bufs[i].free(); err != nil {
			return lead.wrap(err)
		}
	}
	for i := range bufs {
		if bufs[i], err = allocate(g.drv, bytes, true); err != nil {
			return lead.wrap(errors.Join(fmt.Errorf("%d bodies, shared host positions: %w", bytes/lead.elem, err),
				bufs[0].free(), bufs[1].free()))
		}
	}
	return nil
}

// viewStaging records where the device's kernels see the staging buffers.
func (d *device) viewStaging(staging *[2]buffer) error {
	unbind, err := d.bind()
	if err != nil {
		return err
	}
	defer unbind()
	for i, b := range staging {
		if d.hostView[i], err = d.drv.MemHostGetDevicePointer(b.host); err != nil {
			return d.wrap(fmt.Errorf("staging buffer: %w", err))
		}
	}
	return nil
}

// synchronize waits for every device's stream.
func (g *Integrator) synchronize() error {
	for _, d := range g.devs {
		unbind, err := d.bind()
		if err != nil {
			return err
		}
		err = d.stream.Synchronize()
		unbind()
		if err != nil {
			return d.wrap(err)
		}
	}
	return nil
}

// Bodies implements nbody.Integrator: all positions from the first device
// (every device holds them all after a step), each device's share of the
// velocities.
func (g *Integrator) Bodies(dst *nbody.Bodies) error {
	if g.closed {
		return errClosed
	}
	if g.n == 0 {
		return errNoBodies
	}
	if err := g.synchronize(); err != nil {
		return err
	}
	dst.Pos = resize(dst.Pos, 4*g.n)
	dst.Vel = resize(dst.Vel, 4*g.n)
	for i, d := range g.devs {
		unbind, err := d.bind()
		if err != nil {
			return err
		}
		if i == 0 {
			err = d.positionsTo(dst.Pos)
		}
		if err == nil {
			err = d.velocitiesTo(dst.Vel)
		}
		unbind()
		if err != nil {
			return err
		}
	}
	return nil
}

// Step implements nbody.Integrator: it queues the steps and returns the
// time between CUDA events recorded before the first and after the last,
// as the sample measures it (no warm-up step here: callers that want one
// take it first).
//
// Cancelling ctx ends the run within about a second of GPU work. Steps are
// queued a few ahead of the host, fewer the longer a step is estimated to
// take (from the last step measured, or from N² before any), and a step
// estimated longer than a second is launched in slices of a quarter of a
// second each, ctx checked between them. A cancel lets what is queued
// finish (whole steps, or at most two slices of the step under way, which
// is then abandoned) and returns an error that errors.Is ctx's, with the
// time of the whole steps done. The bodies are then those of the last
// whole step, on every device: Bodies reads them, and a later Step goes on
// from them. A sliced step needs memory for a second copy of each device's
// velocities; where that cannot be had, long steps run whole, one queued
// at a time, and a cancel waits for the step under way.
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
	return g.run(ctx, dt, steps)
}

// Close implements nbody.Integrator: it frees every buffer, the NCCL
// communicators and releases the devices. It is safe to call twice.
func (g *Integrator) Close() error {
	if g.closed {
		return nil
	}
	g.closed = true
	g.abort.mu.Lock()
	aborted := g.abort.aborted.Load()
	g.abort.mu.Unlock()
	errs := []error{g.synchronize()}
	if !aborted {
		// Aborted communicators are freed already.
		for _, c := range g.comms {
			errs = append(errs, c.Destroy())
		}
	}
	g.comms = nil
	if len(g.devs) > 0 {
		if unbind, err := g.devs[0].bind(); err != nil {
			errs = append(errs, err)
		} else {
			for _, b := range []*buffer{&g.sharedPos[0], &g.sharedPos[1], &g.staging[0], &g.staging[1]} {
				errs = append(errs, b.free())
			}
			unbind()
		}
	}
	for _, d := range g.devs {
		errs = append(errs, d.close())
	}
	return errors.Join(errs...)
}

var (
	errClosed   = errors.New("gpu: integrator is closed")
	errNoBodies = errors.New("gpu: no bodies set")
)
