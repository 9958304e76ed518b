package validate

import (
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// The rate each GPU is held to (package expect), from what the GPU says of
// itself, and the runs it holds for.

// chipOf is what g's device says of itself, as package expect takes it.
//
// The maximum SM clock is NVML's (the first reading that has it), else the
// CUDA attribute's. A MIG instance shows up as a CUDA device of its own,
// with its own multiprocessors and a name of the whole GPU's followed by
// " MIG " and the profile ("NVIDIA H100 80GB HBM3 MIG 1g.10gb", as CUDA
// and NVML both name it): the name before " MIG " finds the measured row,
// whose full chip's multiprocessors the instance's share is taken of.
// Inside an instance nothing gives the whole GPU's multiprocessors (CUDA
// sees only the instance, and NVML's nvmlDeviceGetAttributes answers for
// MIG handles only), so FullMultiprocessors stays 0: the model scales with
// the multiprocessors it is given and needs no more, and its basis then
// names the instance's count without the whole chip's.
func chipOf(g *GPUResult) expect.Chip {
	d := g.Device
	name := d.Name
	if i := strings.Index(name, " MIG "); i > 0 {
		name = name[:i]
	}
	c := expect.Chip{Name: name, Major: d.Major, Minor: d.Minor, Multiprocessors: d.Multiprocessors, MaxClockMHz: d.ClockKHz / 1000}
	for _, r := range append(append([]*Reading{g.Before}, readingPtrs(g.During)...), g.After) {
		if r != nil && r.MaxSMClockMHz != nil && *r.MaxSMClockMHz > 0 {
			c.MaxClockMHz = *r.MaxSMClockMHz
			break
		}
	}
	return c
}

// readingPtrs points at each reading of rs.
func readingPtrs(rs []Reading) []*Reading {
	out := make([]*Reading, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// expectation is the rate g should reach in a run with o, or nil and why
// there is none. The figures are for the validation's default block size
// and N (4 × 256 × the GPU's multiprocessors); a run with another block
// size has none, and neither has one with fewer than half that N, where
// the kernel's rate falls off (bench/data: 0.99 of the figure at 65,536 of
// 135,168 bodies on H100, 0.905 at 16,384).
func expectation(g *GPUResult, o Options) (*expect.Expectation, string) {
	c := chipOf(g)
	e, ok := expect.Rate(c, o.Precision == nbody.Double)
	switch {
	case !ok && c.Multiprocessors <= 0:
		return nil, "the driver gave no multiprocessor count"
	case !ok && c.MaxClockMHz <= 0:
		return nil, "no maximum SM clock"
	case !ok:
		return nil, fmt.Sprintf("no figure for compute capability %d.%d", c.Major, c.Minor)
	case o.BlockSize != 0 && o.BlockSize != gpu.DefaultBlockSize:
		return nil, fmt.Sprintf("block size %d; the figure is for %d", o.BlockSize, gpu.DefaultBlockSize)
	}
	if full := 4 * gpu.DefaultBlockSize * c.Multiprocessors; 2*o.Bodies < full {
		return nil, fmt.Sprintf("%d bodies, under half the %d the figure is for", o.Bodies, full)
	}
	return &e, ""
}
