package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// jsonReport is what -json prints: one object with every figure of the
// run, at full precision (the text report rounds to three decimals).
type jsonReport struct {
	Mode           string         `json:"mode"`     // "interactive", "benchmark", "compare" or "benchmark+compare"
	Platform       string         `json:"platform"` // "gpu" or "cpu"
	Integrator     string         `json:"integrator"`
	GPUUnavailable string         `json:"gpu_unavailable,omitempty"` // the fallback's reason
	Devices        []jsonDevice   `json:"devices,omitempty"`
	Exchange       string         `json:"exchange,omitempty"` // how several GPUs exchange positions
	Precision      string         `json:"precision"`          // "single" or "double"
	Bodies         int            `json:"bodies"`
	Source         string         `json:"source"` // "shell" or the tipsy file
	Seed           *uint64        `json:"seed,omitempty"`
	BlockSize      int            `json:"block_size"`
	HostMem        bool           `json:"hostmem"`
	Benchmark      *jsonBenchmark `json:"benchmark,omitempty"`
	Compare        *jsonCompare   `json:"compare,omitempty"`
	View           *jsonView      `json:"interactive,omitempty"`
	Energy         *jsonEnergy    `json:"energy,omitempty"`
	Output         string         `json:"output,omitempty"`
}

type jsonDevice struct {
	Ordinal           int    `json:"ordinal"`
	Name              string `json:"name"`
	ComputeCapability string `json:"compute_capability"`
	Multiprocessors   int    `json:"multiprocessors"`
	TotalMemory       uint64 `json:"total_memory_bytes"`
}

type jsonBenchmark struct {
	Iterations          int       `json:"iterations"`
	TimeStep            float64   `json:"dt"`
	TotalMilliseconds   jsonFloat `json:"total_ms"`
	GInteractions       jsonFloat `json:"billion_interactions_per_second"`
	GFLOPS              jsonFloat `json:"gflops"`
	FlopsPerInteraction int       `json:"flops_per_interaction"`
}

type jsonCompare struct {
	Compared    string         `json:"compared"`  // the integrator held to the reference
	Reference   string         `json:"reference"` // the float64 CPU reference
	Steps       int            `json:"steps"`
	TimeStep    float64        `json:"dt"`
	Values      int            `json:"values"`
	Tolerance   float64        `json:"tolerance"`
	Outside     int            `json:"outside"`
	Errors      []jsonMismatch `json:"errors"`
	MaxRelError jsonFloat      `json:"max_relative_error"`
	RMSRelError jsonFloat      `json:"rms_relative_error"`
	AccelError  jsonFloat      `json:"acceleration_l2_error"`
	AccelBound  float64        `json:"acceleration_bound"`
	Passed      bool           `json:"passed"`
}

// jsonView is the interactive mode's run: its steps, their simulation
// time and figures, and the file -render wrote.
type jsonView struct {
	Steps             int       `json:"steps"`
	TimeStep          float64   `json:"dt"`
	Interrupted       bool      `json:"interrupted"` // stopped by Ctrl-C
	TotalMilliseconds jsonFloat `json:"total_ms"`    // simulation time, as the integrator measured it
	WallSeconds       jsonFloat `json:"wall_seconds"`
	GInteractions     jsonFloat `json:"billion_interactions_per_second"`
	GFLOPS            jsonFloat `json:"gflops"`
	Render            string    `json:"render,omitempty"`
	Frames            int       `json:"frames,omitempty"` // frames written
	Every             int       `json:"every,omitempty"`
	Width             int       `json:"width,omitempty"`
	Height            int       `json:"height,omitempty"`
}

// jsonEnergy is -energy's comparison of the start and the end.
type jsonEnergy struct {
	Steps          int             `json:"steps"`
	TimeStep       float64         `json:"dt"`
	Start          jsonEnergyState `json:"start"`
	End            jsonEnergyState `json:"end"`
	Drift          jsonFloat       `json:"relative_drift"`
	MomentumChange [3]jsonFloat    `json:"momentum_change"`
	MeasureSeconds float64         `json:"measure_seconds"`
}

type jsonEnergyState struct {
	Kinetic   jsonFloat    `json:"kinetic"`
	Potential jsonFloat    `json:"potential"`
	Total     jsonFloat    `json:"total"`
	Momentum  [3]jsonFloat `json:"momentum"`
}

type jsonMismatch struct {
	Body      int       `json:"body"`
	Component string    `json:"component"` // x, y, z or mass
	Host      jsonFloat `json:"host"`
	Device    jsonFloat `json:"device"`
}

// jsonFloat is a float64 that encodes NaN and infinities as null, which
// encoding/json would otherwise refuse.
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func writeJSON(w io.Writer, r *jsonReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}
