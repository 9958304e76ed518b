package gpu

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/nbody-go/nbody/nbody/cuda"
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
