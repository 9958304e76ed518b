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
// telemetry.
func NVMLTelemetry() (Telemetry, error) {
	if err := nvml.Load(); err != nil {
		return nil, err
	}
	return nvmlTelemetry{}, nil
}

type nvmlTelemetry struct{}

// Read implements Telemetry.
func (nvmlTelemetry) Read(d gpu.Device) (Reading, error) {
	dev, err := nvml.DeviceByCUDAUUID(d.UUID)
	if err != nil {
		return Reading{}, err
	}
	r, err := dev.Read()
	if err != nil {
		return Reading{}, err
	}
	out := Reading{UUID: r.UUID}
	if r.HasSMClock {
		out.SMClockMHz = &r.SMClockMHz
	}
	if r.HasMaxSMClock {
		out.MaxSMClockMHz = &r.MaxSMClockMHz
	}
	if r.HasTemperature {
		out.TemperatureC = &r.TemperatureC
	}
	if r.HasPower {
		out.PowerW = &r.PowerW
	}
	if r.HasPowerLimit {
		out.PowerLimitW = &r.PowerLimitW
	}
	if r.HasECCUncorrected {
		out.ECCErrors = &r.ECCUncorrected
	}
	if r.HasThrottleReasons {
		out.ThrottleReasons = r.ThrottleReasons.Names()
		if out.ThrottleReasons == nil {
			out.ThrottleReasons = []string{}
		}
	}
	return out, nil
}
