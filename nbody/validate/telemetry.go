package validate

// The telemetry a validation records beside each GPU's figures: what a
// reading holds, the NVML source of it, and the time limit that keeps a
// library that hangs from holding up the run. The verdicts that read it
// are in verdict.go.

import (
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// Telemetry reads a GPU's state, for the record beside its figures.
type Telemetry interface {
	Read(d gpu.Device) (Reading, error)
}

// Reading is a GPU's state at one moment; a field the GPU or the library
// does not report is nil or empty.
type Reading struct {
	UUID            string   `json:"uuid,omitempty"`
	SMClockMHz      *int     `json:"sm_clock_mhz,omitempty"`
	MaxSMClockMHz   *int     `json:"max_sm_clock_mhz,omitempty"`
	TemperatureC    *int     `json:"temperature_c,omitempty"`
	PowerW          *float64 `json:"power_w,omitempty"`
	PowerLimitW     *float64 `json:"power_limit_w,omitempty"`
	ThrottleReasons []string `json:"throttle_reasons"` // null: not reported; []: none active
	// ECCErrors counts the memory errors ECC could not correct since the
	// driver loaded; nil where ECC is off or not reported.
	ECCErrors *uint64 `json:"ecc_uncorrected_errors,omitempty"`
}

// readingLate is how long a reading may take: telemetry that takes longer
// is dropped, with an error saying so.
const readingLate = 2 * time.Second

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

// read takes one telemetry reading, giving up on a library that hangs.
func read(t Telemetry, d gpu.Device) (*Reading, error) {
	if t == nil {
		return nil, nil
	}
	type answer struct {
		r   Reading
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		r, err := t.Read(d)
		ch <- answer{r, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, a.err
		}
		return &a.r, nil
	case <-time.After(readingLate):
		return nil, fmt.Errorf("telemetry of GPU %d: no answer within %s", d.Ordinal, readingLate)
	}
}
