package gpu

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody"
)

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
