package modes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/cpu"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// Default numbers of bodies where none is given (see Platform.DefaultBodies).
const (
	DefaultCPUBodies     = 8192 // the sample's OpenMP build; ours uses every core too
	DefaultCompareBodies = 4096 // the sample's -compare default
)

// PlatformOptions choose where a run happens.
type PlatformOptions struct {
	Precision  nbody.Precision
	Physics    nbody.Physics
	CPU        bool             // run on the CPU and never touch the GPU
	BlockSize  int              // GPU threads per block; 0 means gpu.DefaultBlockSize
	Device     int              // the first GPU used
	NumDevices int              // GPUs to split the bodies over; 0 means 1
	HostMem    bool             // keep the bodies in mapped, page-locked host memory
	Exchange   gpu.ExchangeMode // how several GPUs exchange positions
	// NCCLLibrary is NCCL's library where NCCL may be used: a path, or ""
	// for nccl.LibraryName as the dynamic loader finds it.
	NCCLLibrary string
	// RequireGPU makes a missing GPU an error (a *NoGPUError) instead of
	// a fallback to the CPU.
	RequireGPU bool
	// Cluster, when it is one of several processes (Multi; resolved by
	// the caller with Detect), makes this process's GPUs its part of one
	// simulation over all of them (see Run); the CPU is then refused and a
	// missing GPU is an error.
	Cluster cluster.Spec
}

// Platform is where a run happens: an integrator, and the GPUs behind it.
type Platform struct {
	Integrator nbody.Integrator
	GPU        *gpu.Integrator // nil on the CPU
	Devices    []gpu.Device    // the GPUs used, in order; none on the CPU
	Physics    nbody.Physics
	BlockSize  int
	// FellBack says that the GPU could not be used and the CPU stands in
	// (never with PlatformOptions.CPU); Unavailable says why, as the driver
	// put it, on one line (it may be empty).
	FellBack    bool
	Unavailable string
	// Session, in a simulation over several processes, is this process's
	// membership (nil otherwise), Rank its rank: Devices are then every
	// GPU of every process.
	Session *cluster.Session
	Rank    int
}

// NoGPUError says why no GPU could be used when one was required.
type NoGPUError struct {
	Reason string // as the driver put it, on one line; may be empty
}

func (e *NoGPUError) Error() string {
	if e.Reason == "" {
		return "no usable CUDA GPU"
	}
	return "no usable CUDA GPU (" + e.Reason + ")"
}

// ListGPUs loads the driver and lists the GPUs; with none usable the error
// is a *NoGPUError saying why.
func ListGPUs() ([]gpu.Device, error) {
	devs, err := gpu.Devices()
	if err != nil {
		return nil, &NoGPUError{Reason: unavailableReason(err)}
	}
	return devs, nil
}

// DeviceRangeError is a first GPU that does not exist.
type DeviceRangeError struct {
	Device, Count int
}

func (e *DeviceRangeError) Error() string {
	return fmt.Sprintf("device %d: only %d CUDA devices available (0 to %d)", e.Device, e.Count, e.Count-1)
}

// OpenPlatform opens the GPUs the options ask for (this process's part of
// a simulation over several, with o.Cluster), or the CPU when they ask
// for it or no GPU can be used at all (no driver, no device); then
// FellBack and Unavailable say so, unless the options require a GPU. A GPU that exists but fails to open,
// more GPUs than there are, or a first GPU out of range is an error.
// Close the platform when done.
func OpenPlatform(o PlatformOptions) (*Platform, error) {
	return openPlatform(context.Background(), o, nil)
}

// openPlatform is OpenPlatform; ctx bounds the join of several processes.
func openPlatform(ctx context.Context, o PlatformOptions, obs Observer) (*Platform, error) {
	if o.BlockSize == 0 {
		o.BlockSize = gpu.DefaultBlockSize
	}
	if o.Cluster.Multi() {
		return openCluster(ctx, o, obs)
	}
	onCPU := func(fellBack bool, reason string) (*Platform, error) {
		if fellBack && o.RequireGPU {
			return nil, &NoGPUError{Reason: reason}
		}
		// The CPU integrator starts a goroutine per core: it is built
		// only when it runs.
		return &Platform{Integrator: cpu.New(o.Precision, o.Physics), Physics: o.Physics,
			BlockSize: o.BlockSize, FellBack: fellBack, Unavailable: reason}, nil
	}
	if o.CPU {
		return onCPU(false, "")
	}
	devs, err := gpu.Devices()
	if err == nil && len(devs) == 0 {
		err = fmt.Errorf("%w: no CUDA device found", gpu.ErrUnavailable)
	}
	if err != nil {
		if errors.Is(err, gpu.ErrUnavailable) {
			return onCPU(true, unavailableReason(err))
		}
		return nil, fmt.Errorf("listing CUDA devices: %w", err)
	}
	want := max(1, o.NumDevices)
	if want > len(devs) {
		// The sample's words.
		return nil, fmt.Errorf("only %d Devices available, %d requested.  Exiting.", len(devs), want)
	}
	if o.Device >= len(devs) {
		return nil, &DeviceRangeError{Device: o.Device, Count: len(devs)}
	}
	g, err := gpu.New(gpu.Options{
		Precision:   o.Precision,
		Physics:     o.Physics,
		BlockSize:   o.BlockSize,
		Device:      o.Device,
		NumDevices:  want,
		HostMem:     o.HostMem,
		Exchange:    o.Exchange,
		NCCLLibrary: o.NCCLLibrary,
	})
	if err != nil {
		if errors.Is(err, gpu.ErrUnavailable) {
			return onCPU(true, unavailableReason(err))
		}
		return nil, fmt.Errorf("opening the GPU: %w", err)
	}
	used := g.Devices()
	if len(used) == 0 {
		used = devs[o.Device : o.Device+want]
	}
	return &Platform{Integrator: g, GPU: g, Devices: used, Physics: o.Physics, BlockSize: o.BlockSize}, nil
}

// Close releases the integrator.
func (p *Platform) Close() error { return p.Integrator.Close() }

// DefaultBodies is the sample's number of bodies where none is given: 4096
// to compare; 4 × block size × multiprocessors, summed over the GPUs used;
// on the CPU the sample's OpenMP figure.
func (p *Platform) DefaultBodies(compare bool) int {
	if compare {
		return DefaultCompareBodies
	}
	n := 0
	for _, d := range p.Devices {
		n += 4 * p.BlockSize * d.Multiprocessors
	}
	if p.GPU == nil || n < 1 {
		return DefaultCPUBodies
	}
	return n
}

// unavailableReason is the part of an ErrUnavailable error that says why,
// on one line: "libcuda.so.1 not found" rather than the sentinel's words.
func unavailableReason(err error) string {
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	msg = strings.TrimPrefix(msg, gpu.ErrUnavailable.Error())
	return strings.TrimLeft(msg, ":; ")
}
