// Package gpu is the GPU integrator: bodies in device memory (or mapped host
// memory), the all-pairs kernel from package kernels launched through the
// CUDA driver API of package cuda, on one or several devices.
//
// PLACEHOLDER: the signatures below are the contract that cmd/nbody is
// written against; the GPU work replaces the bodies of these functions.
package gpu

import (
	"context"
	"errors"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// Device describes one CUDA device as the report prints it.
type Device struct {
	Ordinal         int    // the -device index
	Name            string // e.g. "NVIDIA H100 80GB HBM3"
	Major, Minor    int    // compute capability
	Multiprocessors int    // SM count; the default N is 4 × blockSize × this
	TotalMemory     uint64 // bytes
}

// Options choose how the GPU integrator runs.
type Options struct {
	Precision  nbody.Precision
	Physics    nbody.Physics
	BlockSize  int    // threads per block; 0 means 256
	Device     int    // first device to use (-device)
	NumDevices int    // devices to split over (-numdevices); 0 means 1
	HostMem    bool   // keep bodies in mapped, page-locked host memory (-hostmem)
	Exchange   string // multi-device exchange: "auto", "peer", "nccl" or "host"
}

// ErrUnavailable wraps every reason the GPU cannot be used at all (no
// driver library, cuInit failing, no device), so that callers can fall
// back to the CPU and print the reason.
var ErrUnavailable = errors.New("no CUDA GPU available")

// Devices loads the driver and lists the devices. An error wrapping
// ErrUnavailable says why no GPU can be used.
func Devices() ([]Device, error) {
	return nil, errors.Join(ErrUnavailable, errors.New("GPU support not built yet"))
}

// Integrator runs the simulation on one or several GPUs; it implements
// nbody.Integrator.
type Integrator struct{}

var _ nbody.Integrator = (*Integrator)(nil)

// New opens the devices named by opts and loads the kernels.
func New(opts Options) (*Integrator, error) {
	return nil, errors.Join(ErrUnavailable, errors.New("GPU support not built yet"))
}

// Devices returns the devices the integrator runs on, in order.
func (g *Integrator) Devices() []Device { return nil }

// Name implements nbody.Integrator.
func (g *Integrator) Name() string { return "GPU" }

// Precision implements nbody.Integrator.
func (g *Integrator) Precision() nbody.Precision { return nbody.Single }

// SetBodies implements nbody.Integrator.
func (g *Integrator) SetBodies(b nbody.Bodies) error { return errors.New("not built") }

// Bodies implements nbody.Integrator.
func (g *Integrator) Bodies(dst *nbody.Bodies) error { return errors.New("not built") }

// Step implements nbody.Integrator; the duration is measured with device
// events around the steps.
func (g *Integrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	return 0, errors.New("not built")
}

// Close implements nbody.Integrator.
func (g *Integrator) Close() error { return nil }
