package validate

// The telemetry a validation records beside each GPU's figures: what a
// reading holds, the NVML source of it, and the time limit that keeps a
// library that hangs from holding up the run. What the readings of a run
// add up to is in observed.go; the verdicts that judge it, in verdict.go.

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
	// DefaultPowerLimitW is the power limit the GPU boots with.
	DefaultPowerLimitW *float64      `json:"default_power_limit_w,omitempty"`
	PCIe               *PCIeLink     `json:"pcie,omitempty"`
	NVLink             *NVLinks      `json:"nvlink,omitempty"` // nil: no link answered (no NVLink, or not reported)
	RowRemapping       *RowRemapping `json:"row_remapping,omitempty"`
	// RetiredPagesPending: memory pages wait for a reset to be retired.
	RetiredPagesPending *bool `json:"retired_pages_pending,omitempty"`
	// Processes are every process NVML lists on the GPU, this one
	// included; null: not reported.
	Processes []Process `json:"processes"`
}

// PCIeLink is a GPU's PCIe link; a figure not reported is 0, and left out
// of JSON.
type PCIeLink struct {
	Gen       int `json:"gen,omitempty"`         // the generation it runs at now
	Width     int `json:"width,omitempty"`       // lanes now
	MaxGen    int `json:"max_gen,omitempty"`     // the most the GPU and its slot can do together
	MaxWidth  int `json:"max_width,omitempty"`   // likewise, in lanes
	GPUMaxGen int `json:"gpu_max_gen,omitempty"` // the most the GPU itself can do
}

// NVLinks are a GPU's NVLink links by number: those up and those down.
type NVLinks struct {
	Up   []int `json:"up"`
	Down []int `json:"down"`
}

// RowRemapping is the state of a GPU memory's row remapper.
type RowRemapping struct {
	Correctable   int  `json:"correctable"`   // rows remapped for correctable errors
	Uncorrectable int  `json:"uncorrectable"` // rows remapped for uncorrectable errors
	Pending       bool `json:"pending"`       // remappings wait for a reset
	Failed        bool `json:"failed"`        // a remapping has failed, some time
}

// Process is a process with a context on the GPU.
type Process struct {
	PID  int    `json:"pid"`
	Kind string `json:"kind"` // "compute" or "graphics"
	// UsedMemoryBytes is its share of the GPU's memory; nil where NVML
	// does not say.
	UsedMemoryBytes *uint64 `json:"used_memory_bytes,omitempty"`
	// Name is its command (/proc/PID/comm), where this process can read
	// it; set for the other processes of a result only.
	Name string `json:"name,omitempty"`
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
	out.DefaultPowerLimitW = known(r.HasDefaultPowerLimit, r.DefaultPowerLimitW)
	if r.HasPCIe || r.HasPCIeMax || r.PCIe.GPUMaxGen > 0 {
		out.PCIe = &PCIeLink{Gen: r.PCIe.Gen, Width: r.PCIe.Width, MaxGen: r.PCIe.MaxGen, MaxWidth: r.PCIe.MaxWidth, GPUMaxGen: r.PCIe.GPUMaxGen}
	}
	if r.HasNVLinks {
		out.NVLink = &NVLinks{Up: nonNil(r.NVLinks.Up), Down: nonNil(r.NVLinks.Down)}
	}
	if r.HasRowRemapping {
		m := r.RowRemapping
		out.RowRemapping = &RowRemapping{Correctable: m.Correctable, Uncorrectable: m.Uncorrectable, Pending: m.Pending, Failed: m.Failed}
	}
	out.RetiredPagesPending = known(r.HasRetiredPagesPending, r.RetiredPagesPending)
	if r.HasProcesses {
		out.Processes = make([]Process, len(r.Processes))
		for i, p := range r.Processes {
			out.Processes[i] = Process{PID: p.PID, Kind: "compute", UsedMemoryBytes: known(p.HasUsedMemory, p.UsedMemory)}
			if p.Graphics {
				out.Processes[i].Kind = "graphics"
			}
		}
	}
	return out, nil
}

// nonNil is s, or an empty slice for nil, so that JSON has [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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

// readDuring starts a reading of d half-way through a window expected to
// take about window, while the kernels run: then the clocks and their
// event reasons are those of the GPU at work, and the PCIe link runs at
// the generation a busy GPU gives it (an idle one lowers it). The func
// returned waits for the reading; a window that ends before its half-way
// mark was guessed (the first one's guess comes from the warm-up step) is
// read at its end. Nothing waits longer than the reading itself takes.
func readDuring(t Telemetry, d gpu.Device, window time.Duration) func() (*Reading, error) {
	if t == nil {
		return func() (*Reading, error) { return nil, nil }
	}
	type answer struct {
		r   *Reading
		err error
	}
	ended := make(chan struct{})
	ch := make(chan answer, 1)
	go func() {
		timer := time.NewTimer(window / 2)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ended:
		}
		r, err := read(t, d)
		ch <- answer{r, err}
	}()
	return func() (*Reading, error) {
		close(ended)
		a := <-ch
		return a.r, a.err
	}
}
