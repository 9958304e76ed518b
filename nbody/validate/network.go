package validate

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/internal/jsonnum"
)

// The network between a cluster's ranks, measured after their GPUs have
// been judged: NCCL's all-gather, the exchange a simulation over several
// processes makes every step, timed on every rank at once; rank 0 reports
// each rank's bus bandwidth and the world's, the slowest rank's.

// NetworkOptions ask a cluster's validation to measure the network.
type NetworkOptions struct {
	// Library is NCCL's library ("" for the one the dynamic loader finds).
	Library string
	// NewID makes the NCCL communicator's id from Library, on rank 0 (nil:
	// gpu.NewWorldID).
	NewID func(library string) ([]byte, error)
	// Measure is one rank's measurement (nil: gpu.MeasureAllGather); the
	// validation fills in the GPU, the id, the rank and Library.
	Measure func(gpu.AllGatherOptions) (gpu.AllGatherFigure, error)
	// FloorGBps fails the cluster where the world's bus bandwidth is below
	// it; 0: no floor.
	FloorGBps float64
	// Timeout bounds each rank's measurement, joining included: a rank
	// that never joins keeps the others inside NCCL.
	Timeout time.Duration
}

// Network is a cluster's network measurement, as rank 0 has it.
type Network struct {
	// NotMeasured says why nothing was measured (a node without its
	// record or without a GPU, no NCCL); "" when it was.
	NotMeasured string
	// Ranks are every rank's figure or why there is none, in rank order.
	Ranks     []NetworkRank
	FloorGBps float64
}

// NetworkRank is one rank's part of the measurement.
type NetworkRank struct {
	Rank   int
	Host   string
	Figure gpu.AllGatherFigure
	Err    error
}

// WorldBusGBps is the world's bus bandwidth: the slowest rank's, since
// every all-gather waits for it; 0 when a rank has no figure.
func (n Network) WorldBusGBps() float64 {
	if n.NotMeasured != "" || len(n.Ranks) == 0 {
		return 0
	}
	world := 0.0
	for i, r := range n.Ranks {
		if r.Err != nil {
			return 0
		}
		if b := r.Figure.BusGBps(); i == 0 || b < world {
			world = b
		}
	}
	return world
}

// Passed reports whether the network was measured on every rank and, with
// a floor, reached it.
func (n Network) Passed() bool {
	if n.NotMeasured != "" || len(n.Ranks) == 0 {
		return false
	}
	for _, r := range n.Ranks {
		if r.Err != nil {
			return false
		}
	}
	return n.FloorGBps <= 0 || n.WorldBusGBps() >= n.FloorGBps
}

// Lines are the report's network lines: one per rank, then the world's
// with its verdict.
func (n Network) Lines() []string {
	if n.NotMeasured != "" {
		return []string{"Network: not measured: " + n.NotMeasured + ": FAIL"}
	}
	var lines []string
	for _, r := range n.Ranks {
		lines = append(lines, r.String())
	}
	world := fmt.Sprintf("Network of %d ranks: all-gather bus bandwidth %.1f GB/s (the slowest rank's)", len(n.Ranks), n.WorldBusGBps())
	if n.WorldBusGBps() == 0 {
		world = fmt.Sprintf("Network of %d ranks: all-gather bus bandwidth unknown", len(n.Ranks))
	}
	if n.FloorGBps > 0 {
		world += fmt.Sprintf(", floor %g GB/s", n.FloorGBps)
	}
	var why []string
	for _, r := range n.Ranks {
		if r.Err != nil {
			why = append(why, fmt.Sprintf("rank %d has no figure", r.Rank))
		}
	}
	if len(why) == 0 && !n.Passed() {
		why = append(why, fmt.Sprintf("below the floor of %g GB/s", n.FloorGBps))
	}
	if len(why) > 0 {
		return append(lines, world+": FAIL: "+strings.Join(why, "; "))
	}
	return append(lines, world+": PASS")
}

// String is the rank's line: "Network rank 1 (gpu02): all-gather of 64
// MiB a rank, bus 180.0 GB/s, algorithm 270.0 GB/s (20 in 7.46ms)", or
// why it has no figure.
func (r NetworkRank) String() string {
	head := fmt.Sprintf("Network rank %d (%s)", r.Rank, cmpHost(r.Host))
	if r.Err != nil {
		return head + ": FAIL: " + oneLine(r.Err.Error())
	}
	f := r.Figure
	return fmt.Sprintf("%s: all-gather of %s a rank, bus %.1f GB/s, algorithm %.1f GB/s (%d in %s)",
		head, mib(f.BytesPerRank), f.BusGBps(), f.AlgorithmGBps(), f.Iterations, f.Elapsed.Round(10*time.Microsecond))
}

// cmpHost names a rank's machine, or says it is unknown.
func cmpHost(h string) string {
	if h == "" {
		return "host unknown"
	}
	return h
}

// mib writes a size in MiB where it is whole ones, else in bytes.
func mib(b uint64) string {
	if b%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%d bytes", b)
}

// MarshalJSON implements json.Marshaler: whether it was measured and
// passed, the world's and every rank's bandwidths.
func (n Network) MarshalJSON() ([]byte, error) {
	type rankJSON struct {
		Rank         int            `json:"rank"`
		Host         *string        `json:"host"`
		BytesPerRank uint64         `json:"bytes_per_rank,omitempty"`
		Iterations   int            `json:"iterations,omitempty"`
		Seconds      *jsonnum.Float `json:"seconds"`
		BusGBps      *jsonnum.Float `json:"bus_gbps"`
		AlgGBps      *jsonnum.Float `json:"algorithm_gbps"`
		Err          string         `json:"error,omitempty"`
	}
	ranks := make([]rankJSON, len(n.Ranks))
	for i, r := range n.Ranks {
		ranks[i] = rankJSON{Rank: r.Rank}
		if r.Host != "" {
			ranks[i].Host = &n.Ranks[i].Host
		}
		if r.Err != nil {
			ranks[i].Err = r.Err.Error()
			continue
		}
		f := r.Figure
		s, bus, alg := jsonnum.Float(f.Elapsed.Seconds()), jsonnum.Float(f.BusGBps()), jsonnum.Float(f.AlgorithmGBps())
		ranks[i].BytesPerRank, ranks[i].Iterations, ranks[i].Seconds, ranks[i].BusGBps, ranks[i].AlgGBps = f.BytesPerRank, f.Iterations, &s, &bus, &alg
	}
	var world, floor *jsonnum.Float
	if w := n.WorldBusGBps(); w > 0 {
		v := jsonnum.Float(w)
		world = &v
	}
	if n.FloorGBps > 0 {
		v := jsonnum.Float(n.FloorGBps)
		floor = &v
	}
	return json.Marshal(struct {
		Passed      bool           `json:"passed"`
		NotMeasured string         `json:"not_measured,omitempty"`
		WorldBus    *jsonnum.Float `json:"world_bus_gbps"`
		Floor       *jsonnum.Float `json:"floor_gbps"`
		Ranks       []rankJSON     `json:"ranks"`
	}{n.Passed(), n.NotMeasured, world, floor, ranks})
}

// networkReady says why the network cannot be measured on these nodes,
// or "": every rank must have given its record, been started to take part
// and have a GPU that ran to gather on.
func networkReady(nodes []Node) string {
	var missing, without, empty []string
	for _, n := range nodes {
		switch _, ok := networkGPU(n); {
		case n.Err != nil || n.Result == nil:
			missing = append(missing, fmt.Sprint(n.Rank))
		case !n.Network:
			without = append(without, fmt.Sprint(n.Rank))
		case !ok:
			empty = append(empty, fmt.Sprint(n.Rank))
		}
	}
	switch {
	case len(missing) > 0:
		return "rank " + strings.Join(missing, ", ") + " gave no validation, and every rank must take part"
	case len(without) > 0:
		return "rank " + strings.Join(without, ", ") + " was started without the network measurement"
	case len(empty) > 0:
		return "rank " + strings.Join(empty, ", ") + " has no usable GPU in its share to gather on"
	}
	return ""
}

// networkGPU is the ordinal of the GPU a node gathers on: the first of its
// share that ran without an error.
func networkGPU(n Node) (int, bool) {
	if n.Result == nil {
		return 0, false
	}
	for _, g := range n.Result.GPUs {
		if g.Err == nil {
			return g.Device.Ordinal, true
		}
	}
	return 0, false
}
