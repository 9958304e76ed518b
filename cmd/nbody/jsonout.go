package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
)

// describePlatform fills the JSON report's platform fields.
func (a *app) describePlatform(p *modes.Platform) {
	r := &a.report
	r.Platform, r.Integrator, r.GPUUnavailable, r.Devices = "cpu", p.Integrator.Name(), p.Unavailable, p.Devices
	if p.GPU != nil {
		r.Platform, r.KernelImage = "gpu", p.GPU.KernelImage()
		if len(p.Devices) > 1 {
			r.Exchange = describeExchange(p.GPU.Exchange())
		}
	} else {
		r.BlockSize, r.HostMem = nil, nil // a run on the CPU has no GPU settings
	}
}

// setGPUSettings puts the GPU's settings of o into the report, unless the
// run is on the CPU (-cpu): a CPU run has no block size or host memory, and
// describePlatform takes them out again where a run falls back to the CPU.
func (r *jsonReport) setGPUSettings(o options) {
	if o.cpu {
		return
	}
	blockSize, hostMem := o.blockSize, o.hostmem
	r.BlockSize, r.HostMem = &blockSize, &hostMem
}

// jsonReport is what -json prints: one object with every figure of the
// run, at full precision (the text report rounds to three decimals). Its
// schema is docs/run.schema.json, or docs/validate.schema.json for
// -alldevices; schema_test.go holds every document the program prints to
// them.
type jsonReport struct {
	Mode           string                 `json:"mode"`               // "interactive", "benchmark", "compare" or "benchmark+compare"
	Platform       string                 `json:"platform,omitempty"` // "gpu" or "cpu"
	Integrator     string                 `json:"integrator,omitempty"`
	GPUUnavailable string                 `json:"gpu_unavailable,omitempty"` // the fallback's reason
	Devices        []gpu.Device           `json:"devices,omitempty"`
	Exchange       string                 `json:"exchange,omitempty"`     // how several GPUs exchange positions
	KernelImage    string                 `json:"kernel_image,omitempty"` // "sm_90" (embedded machine code) or "ptx-jit", per device where they differ
	Precision      string                 `json:"precision"`              // "single" or "double"
	Bodies         int                    `json:"bodies,omitempty"`
	Source         string                 `json:"source,omitempty"` // "shell" or the tipsy file
	Seed           *uint64                `json:"seed,omitempty"`
	BlockSize      *int                   `json:"block_size,omitempty"` // the GPU's; absent for a run on the CPU
	HostMem        *bool                  `json:"hostmem,omitempty"`    // the GPU's; absent for a run on the CPU
	Benchmark      *modes.BenchmarkResult `json:"benchmark,omitempty"`
	StartupMs      *float64               `json:"startup_ms,omitempty"` // from the process's start (procstart.Start) to the first timed step
	Compare        *modes.Comparison      `json:"compare,omitempty"`
	View           *modes.ViewResult      `json:"interactive,omitempty"`
	Energy         *modes.EnergyResult    `json:"energy,omitempty"`
	Validation     *validate.Result       `json:"validation,omitempty"` // -alldevices
	Cluster        *validate.Cluster      `json:"cluster,omitempty"`    // -alldevices over several processes, on rank 0
	Output         string                 `json:"output,omitempty"`
	Error          *jsonError             `json:"error,omitempty"` // why the run failed
	ExitStatus     int                    `json:"exit_status"`
}

// jsonError says why a run failed: a stable code ("usage", "no_gpu",
// "comparison_failed", "interrupted" or "error") and the message.
type jsonError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jsonFailure is what -json prints for a command line that was refused:
// nothing is known of the run but its mode.
type jsonFailure struct {
	Mode       string    `json:"mode"`
	Error      jsonError `json:"error"`
	ExitStatus int       `json:"exit_status"`
}

func writeJSON(w io.Writer, r any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}
