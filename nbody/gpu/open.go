package gpu

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/nccl"
)

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
