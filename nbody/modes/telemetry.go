package modes

import (
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// ListGPUs loads the driver and lists the GPUs; with none usable the error
// is a *NoGPUError saying why.
func ListGPUs() ([]gpu.Device, error) {
	devs, err := gpu.Devices()
	if err != nil {
		return nil, &NoGPUError{Reason: unavailableReason(err)}
	}
	return devs, nil
}

// NVMLTelemetry opens NVML and returns the Telemetry that reads each GPU
// through it, found by its UUID. Without NVML (no driver library, a
// library too old) the error says why, and a run goes on without
// telemetry. NVML stays open for the life of the process.
func NVMLTelemetry() (Telemetry, error) {
	lib, err := nvml.Open(nvml.LibraryName)
	if err != nil {
		return nil, err
	}
	return nvmlTelemetry{lib}, nil
}

type nvmlTelemetry struct{ lib *nvml.Library }

// Read implements Telemetry.
func (t nvmlTelemetry) Read(d gpu.Device) (Reading, error) {
	dev, err := t.lib.DeviceByCUDAUUID(d.UUID)
	if err != nil {
		return Reading{}, err
	}
	r, err := dev.Read()
	if err != nil {
		return Reading{}, err
	}
	out := Reading{
		UUID:          r.UUID,
		SMClockMHz:    known(r.HasSMClock, r.SMClockMHz),
		MaxSMClockMHz: known(r.HasMaxSMClock, r.MaxSMClockMHz),
		TemperatureC:  known(r.HasTemperature, r.TemperatureC),
		PowerW:        known(r.HasPower, r.PowerW),
		PowerLimitW:   known(r.HasPowerLimit, r.PowerLimitW),
		ECCErrors:     known(r.HasECCUncorrected, r.ECCUncorrected),
	}
	if r.HasThrottleReasons {
		out.ThrottleReasons = r.ThrottleReasons.Names()
		if out.ThrottleReasons == nil {
			out.ThrottleReasons = []string{}
		}
	}
	return out, nil
}

// known is v where NVML gave it, and nil (null in JSON) where it did not.
func known[T any](ok bool, v T) *T {
	if !ok {
		return nil
	}
	return &v
}
