package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// One device, or the CPU, prints no exchange line: the header stays the
// sample's.
func TestNoExchangeLineWithoutSeveralGPUs(t *testing.T) {
	for _, p := range []*modes.Platform{
		{},
		{Devices: []gpu.Device{{Name: "a"}, {Name: "b"}}}, // the CPU fallback keeps no GPU
	} {
		var out bytes.Buffer
		printExchange(&out, p)
		assert.Empty(t, out.String())
	}
}

// Every wording of the exchange line, to the byte.
func TestDescribeExchange(t *testing.T) {
	for _, c := range []struct {
		x    gpu.ExchangeInfo
		want string
	}{
		{gpu.ExchangeInfo{Route: gpu.RoutePeer, Pairs: 2, PeerPairs: 2},
			"peer (NVLink/PCIe peer copies)"},
		{gpu.ExchangeInfo{Route: gpu.RoutePeer, SharedGPU: true, Pairs: 2, PeerPairs: 2},
			"peer (device-to-device copies: the devices share one GPU)"},
		{gpu.ExchangeInfo{Route: gpu.RoutePeer, Pairs: 6, PeerPairs: 2},
			"peer (NVLink/PCIe peer copies where 2 of 6 pairs have peer access, staged by the driver elsewhere)"},
		{gpu.ExchangeInfo{Route: gpu.RoutePeer, Pairs: 2},
			"peer (copies staged by the driver: no pair has peer access)"},
		{gpu.ExchangeInfo{Route: gpu.RouteNCCL, AllGather: true, NCCLVersion: "2.27.3", Pairs: 2, PeerPairs: 2},
			"nccl (NCCL 2.27.3 all-gather)"},
		{gpu.ExchangeInfo{Route: gpu.RouteNCCL, NCCLVersion: "2.28.9", Pairs: 6, PeerPairs: 2},
			"nccl (NCCL 2.28.9 broadcast from each device)"},
		{gpu.ExchangeInfo{Route: gpu.RouteHost, Pairs: 2, PeerPairs: 2},
			"host (through page-locked host memory)"},
		{gpu.ExchangeInfo{Route: gpu.RouteShared},
			"shared host memory (-hostmem: every device reads the one mapped copy)"},
		{gpu.ExchangeInfo{Route: gpu.RouteNone},
			"none (one device)"},
	} {
		assert.Equal(t, c.want, describeExchange(c.x), "%+v", c.x)
	}
}
