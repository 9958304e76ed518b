package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody/modes"
)

// describePlatform fills the JSON report's platform fields.
func (a *app) describePlatform(p *modes.Platform) {
	r := &a.report
	switch {
	case a.o.interactive():
		r.Mode = "interactive"
	case a.o.benchmark && a.o.compare:
		r.Mode = "benchmark+compare"
	case a.o.compare:
		r.Mode = "compare"
	default:
		r.Mode = "benchmark"
	}
	r.Platform = "cpu"
	if p.GPU != nil {
		r.Platform = "gpu"
	}
	r.Integrator = p.Integrator.Name()
	r.GPUUnavailable = p.Unavailable
	for _, d := range p.Devices {
		r.Devices = append(r.Devices, jsonDevice{
			Ordinal:           d.Ordinal,
			Name:              d.Name,
			ComputeCapability: fmt.Sprintf("%d.%d", d.Major, d.Minor),
			Multiprocessors:   d.Multiprocessors,
			TotalMemory:       d.TotalMemory,
		})
	}
	if p.GPU != nil && len(p.Devices) > 1 {
		r.Exchange = p.GPU.Exchange()
	}
	r.Precision = a.prec.String()
	r.BlockSize = a.o.blockSize
	r.HostMem = a.o.hostmem
}

// jsonReport is what -json prints: one object with every figure of the
// run, at full precision (the text report rounds to three decimals).
type jsonReport struct {
	Mode           string                 `json:"mode"`     // "interactive", "benchmark", "compare" or "benchmark+compare"
	Platform       string                 `json:"platform"` // "gpu" or "cpu"
	Integrator     string                 `json:"integrator"`
	GPUUnavailable string                 `json:"gpu_unavailable,omitempty"` // the fallback's reason
	Devices        []jsonDevice           `json:"devices,omitempty"`
	Exchange       string                 `json:"exchange,omitempty"` // how several GPUs exchange positions
	Precision      string                 `json:"precision"`          // "single" or "double"
	Bodies         int                    `json:"bodies"`
	Source         string                 `json:"source"` // "shell" or the tipsy file
	Seed           *uint64                `json:"seed,omitempty"`
	BlockSize      int                    `json:"block_size"`
	HostMem        bool                   `json:"hostmem"`
	Benchmark      *modes.BenchmarkResult `json:"benchmark,omitempty"`
	Compare        *modes.Comparison      `json:"compare,omitempty"`
	View           *modes.ViewResult      `json:"interactive,omitempty"`
	Energy         *modes.EnergyResult    `json:"energy,omitempty"`
	Output         string                 `json:"output,omitempty"`
}

type jsonDevice struct {
	Ordinal           int    `json:"ordinal"`
	Name              string `json:"name"`
	ComputeCapability string `json:"compute_capability"`
	Multiprocessors   int    `json:"multiprocessors"`
	TotalMemory       uint64 `json:"total_memory_bytes"`
}

func writeJSON(w io.Writer, r *jsonReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}
