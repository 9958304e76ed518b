package main

import (
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// printExchange prints, after the device lines and only when several GPUs
// share the simulation, how they exchange positions after each step
// (ours; the sample has no such line).
func printExchange(w io.Writer, p *modes.Platform) {
	if p.GPU == nil || len(p.Devices) < 2 {
		return
	}
	fmt.Fprintf(w, "> Exchange: %s\n", describeExchange(p.GPU.Exchange()))
}

// describeExchange is the words for how the GPUs exchange positions, as
// the header prints them after "> Exchange: " and -json gives them.
func describeExchange(x gpu.ExchangeInfo) string {
	switch x.Route {
	case gpu.RoutePeer:
		switch {
		case x.SharedGPU:
			return "peer (device-to-device copies: the devices share one GPU)"
		case x.PeerPairs == x.Pairs:
			return "peer (NVLink/PCIe peer copies)"
		case x.PeerPairs == 0:
			return "peer (copies staged by the driver: no pair has peer access)"
		}
		return fmt.Sprintf("peer (NVLink/PCIe peer copies where %d of %d pairs have peer access, staged by the driver elsewhere)", x.PeerPairs, x.Pairs)
	case gpu.RouteNCCL:
		op := "all-gather"
		if !x.AllGather {
			op = "broadcast from each device"
		}
		return fmt.Sprintf("nccl (NCCL %s %s)", x.NCCLVersion, op)
	case gpu.RouteHost:
		return "host (through page-locked host memory)"
	case gpu.RouteShared:
		return "shared host memory (-hostmem: every device reads the one mapped copy)"
	}
	return "none (one device)"
}
