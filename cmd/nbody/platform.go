package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// platform is where the simulation runs, decided before anything is
// printed after the banner.
type platform struct {
	integrator nbody.Integrator
	gpu        *gpu.Integrator // nil on the CPU
	devices    []gpu.Device    // the GPUs used, in order
	fellBack   bool            // the GPU could not be used, so the CPU runs (not set by -cpu)
	fallback   string          // why the GPU could not be used, as the driver put it (may be empty)
}

// runtimeError is a failure after the command line was accepted: one
// line, exit status 1.
type runtimeError struct{ err error }

func (e runtimeError) Error() string { return e.err.Error() }
func (e runtimeError) Unwrap() error { return e.err }

// choosePlatform opens the GPU(s) the options ask for, or falls back to
// the CPU with the reason when no GPU can be used. -cpu never touches the
// GPU.
func choosePlatform(o options, prec nbody.Precision, phys nbody.Physics) (platform, error) {
	// The fast CPU integrator starts a goroutine per core: build it only
	// when it runs, since nothing would close it on a GPU run.
	cpu := func(fellBack bool, reason string) platform {
		return platform{integrator: nbody.NewFast(prec, phys), fellBack: fellBack, fallback: reason}
	}
	if o.cpu {
		return cpu(false, ""), nil
	}
	devs, err := gpu.Devices()
	if err == nil && len(devs) == 0 {
		err = fmt.Errorf("%w: no CUDA device found", gpu.ErrUnavailable)
	}
	if err != nil {
		if errors.Is(err, gpu.ErrUnavailable) {
			return cpu(true, unavailableReason(err)), nil
		}
		return platform{}, runtimeError{fmt.Errorf("listing CUDA devices: %w", err)}
	}
	want := max(1, o.numDevices)
	if want > len(devs) {
		return platform{}, runtimeError{fmt.Errorf("only %d Devices available, %d requested.  Exiting.", len(devs), want)}
	}
	first := 0
	if o.deviceSet {
		if o.device >= len(devs) {
			return platform{}, runtimeError{fmt.Errorf("-device=%d: only %d CUDA devices available (0 to %d)", o.device, len(devs), len(devs)-1)}
		}
		first = o.device
	}
	g, err := gpu.New(gpu.Options{
		Precision:  prec,
		Physics:    phys,
		BlockSize:  o.blockSize,
		Device:     first,
		NumDevices: want,
		HostMem:    o.hostmem,
		Exchange:   o.exchangeMode,
	})
	if err != nil {
		if errors.Is(err, gpu.ErrUnavailable) {
			return cpu(true, unavailableReason(err)), nil
		}
		return platform{}, runtimeError{fmt.Errorf("opening the GPU: %w", err)}
	}
	used := g.Devices()
	if len(used) == 0 {
		used = devs[first : first+want]
	}
	return platform{integrator: g, gpu: g, devices: used}, nil
}

// unavailableReason is the part of an ErrUnavailable error that says why,
// on one line: "libcuda.so.1 not found" rather than the sentinel's words.
func unavailableReason(err error) string {
	msg := oneLine(err.Error())
	msg = strings.TrimPrefix(msg, gpu.ErrUnavailable.Error())
	msg = strings.TrimLeft(msg, ":; ")
	return msg
}

// fallbackLine is the one line on stderr that says the GPU is not used.
func fallbackLine(reason string) string {
	if reason == "" {
		return "> No CUDA GPU available; running on the CPU"
	}
	return fmt.Sprintf("> No CUDA GPU available (%s); running on the CPU", reason)
}

// defaultBodies is the sample's default N for the platform: 4096 for
// -compare, 4 × blockSize × multiprocessors summed over the GPUs used,
// and on the CPU the sample's OpenMP figure.
func defaultBodies(o options, p platform) int {
	if o.compare {
		return defaultCompareBodies
	}
	if p.gpu == nil {
		return defaultCPUBodies
	}
	n := 0
	for _, d := range p.devices {
		n += 4 * o.blockSize * d.Multiprocessors
	}
	if n < 1 {
		return defaultCPUBodies
	}
	return n
}
