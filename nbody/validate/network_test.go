package validate

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/gpu"
)

// fakeNetwork measures as if every rank's link carried busGBps[rank]
// (bus bandwidth over 2 ranks: half the algorithm's), after checking that
// every rank got the id rank 0 made; a negative rate is a measurement
// that fails, a rate of 0 one that never ends.
type fakeNetwork struct {
	busGBps []float64
	mu      sync.Mutex
	seen    map[int][]byte // the id each rank measured with, and its GPU
	ordinal map[int]int
}

func (f *fakeNetwork) options(floor float64) *NetworkOptions {
	return &NetworkOptions{
		NewID: func(string) ([]byte, error) { return []byte("the id"), nil },
		Measure: func(o gpu.AllGatherOptions) (gpu.AllGatherFigure, error) {
			rank, ranks := o.Rank, o.Ranks
			f.mu.Lock()
			f.seen[rank], f.ordinal[rank] = o.ID, o.Device
			f.mu.Unlock()
			switch bus := f.busGBps[rank]; {
			case bus < 0:
				return gpu.AllGatherFigure{}, errors.New("ncclCommInitRank: unhandled system error")
			case bus == 0:
				select {}
			default:
				// bus = alg × (n−1)/n; 64 MiB a rank.
				alg := bus * float64(ranks) / float64(ranks-1)
				per := float64(ranks) * (64 << 20) / (alg * 1e9)
				return gpu.AllGatherFigure{BytesPerRank: 64 << 20, Ranks: ranks, Iterations: 10,
					Elapsed: time.Duration(10 * per * float64(time.Second))}, nil
			}
		},
		FloorGBps: floor,
		Timeout:   time.Second,
	}
}

func newFakeNetwork(bus ...float64) *fakeNetwork {
	return &fakeNetwork{busGBps: bus, seen: map[int][]byte{}, ordinal: map[int]int{}}
}

// Three ranks measure the network after their GPUs are judged: every rank
// joins with rank 0's id on the first GPU of its share, rank 0 reports
// each rank's bus bandwidth and the world's (the slowest), and holds the
// world to the floor.
func TestRunClusterMeasuresTheNetwork(t *testing.T) {
	for _, floor := range []float64{0, 150, 190} {
		addr := freeAddr(t)
		net := newFakeNetwork(200, 180, 195)
		opts := make([]ClusterOptions, 3)
		for r := range opts {
			opts[r] = rankOptions(addr, 3, r, []string{"gpu01", "gpu02", "gpu03"}[r], fakeShare([]string{"H100", "H100"}, []float64{10, 10}))
			opts[r].Network = net.options(floor)
		}
		outs := runRanks(t, opts...)
		c := outs[0].Cluster
		require.NotNil(t, c)
		require.NotNil(t, c.Network)
		n := *c.Network
		assert.Empty(t, n.NotMeasured)
		require.Len(t, n.Ranks, 3)
		for r := range 3 {
			assert.Equal(t, []byte("the id"), net.seen[r], "rank %d joined rank 0's communicator", r)
			assert.Equal(t, 0, net.ordinal[r], "on the first GPU of its share")
			assert.Equal(t, r, n.Ranks[r].Rank)
			assert.InDelta(t, net.busGBps[r], n.Ranks[r].Figure.BusGBps(), 1e-4)
		}
		assert.Equal(t, "gpu02", n.Ranks[1].Host)
		assert.InDelta(t, 180, n.WorldBusGBps(), 1e-4)
		assert.Equal(t, floor < 180, c.Passed(), "floor %g", floor)
		lines := c.Lines()
		world := lines[len(lines)-2]
		t.Log(lines[len(lines)-5:])
		assert.Contains(t, lines[len(lines)-4], "Network rank 1 (gpu02): all-gather of 64 MiB a rank, bus 180.0 GB/s, algorithm 270.0 GB/s (10 in ")
		if floor < 180 {
			assert.Contains(t, world, "Network of 3 ranks: all-gather bus bandwidth 180.0 GB/s (the slowest rank's)")
			assert.True(t, len(world) > 5 && world[len(world)-4:] == "PASS", world)
			assert.Contains(t, lines[len(lines)-1], "; network 180.0 GB/s: PASS")
		} else {
			assert.Contains(t, world, "floor 190 GB/s: FAIL: below the floor of 190 GB/s")
			assert.Contains(t, lines[len(lines)-1], "; network failed: FAIL")
		}
		require.NotNil(t, outs[2].Network, "rank 2 has its own figure")
		assert.InDelta(t, 195, outs[2].Network.Figure.BusGBps(), 1e-4)
		doc, err := json.Marshal(c)
		require.NoError(t, err)
		assert.Contains(t, string(doc), `"network":{"passed":`)
	}
}

// No measurement where a rank cannot take part (it gave no validation, or
// has no GPU), said in one line; a rank whose measurement fails, or never
// ends, is named, and the cluster fails.
func TestRunClusterNetworkFailures(t *testing.T) {
	addr := freeAddr(t)
	net := newFakeNetwork(200, 200)
	zero := rankOptions(addr, 2, 0, "gpu01", fakeShare([]string{"H100"}, []float64{10}))
	one := rankOptions(addr, 2, 1, "gpu02", fakeShare(nil, nil))
	zero.Network, one.Network = net.options(0), net.options(0)
	outs := runRanks(t, zero, one)
	n := outs[0].Cluster.Network
	require.NotNil(t, n)
	assert.Equal(t, "rank 1 has no usable GPU in its share to gather on", n.NotMeasured)
	assert.Empty(t, net.seen, "nobody joined a communicator")
	assert.Equal(t, []string{"Network: not measured: rank 1 has no usable GPU in its share to gather on: FAIL"}, n.Lines())
	assert.False(t, outs[0].Cluster.Passed())

	for _, bus := range []float64{-1, 0} {
		addr := freeAddr(t)
		net := newFakeNetwork(200, bus)
		zero := rankOptions(addr, 2, 0, "gpu01", fakeShare([]string{"H100"}, []float64{10}))
		one := rankOptions(addr, 2, 1, "gpu02", fakeShare([]string{"H100"}, []float64{10}))
		zero.Network, one.Network = net.options(0), net.options(0)
		outs := runRanks(t, zero, one)
		n := outs[0].Cluster.Network
		require.NotNil(t, n)
		require.Len(t, n.Ranks, 2)
		require.Error(t, n.Ranks[1].Err)
		if bus < 0 {
			assert.Contains(t, n.Ranks[1].Err.Error(), "unhandled system error")
		} else {
			assert.Contains(t, n.Ranks[1].Err.Error(), "did not end within 1s")
		}
		lines := n.Lines()
		assert.Contains(t, lines[len(lines)-1], "FAIL: rank 1 has no figure")
		assert.False(t, outs[0].Cluster.Passed())
		assert.True(t, outs[0].Cluster.Nodes[1].Passed(), "the network fails the cluster, not the node's GPUs")
	}
}

// A node gathers on the first GPU of its share that ran; one whose GPUs
// all failed, or that gave no record, has none.
func TestNetworkGPU(t *testing.T) {
	broken := rated(0, "H100", 10)
	broken.Err = errors.New("opening: boom")
	n := Node{Result: &Result{GPUs: []GPUResult{broken, rated(2, "H100", 10)}}}
	ordinal, ok := networkGPU(n)
	assert.True(t, ok)
	assert.Equal(t, 2, ordinal)
	_, ok = networkGPU(Node{Result: &Result{GPUs: []GPUResult{broken}}})
	assert.False(t, ok)
	_, ok = networkGPU(Node{Err: errors.New("never connected")})
	assert.False(t, ok)
}

// A rank started without the network measurement, while rank 0 asks for
// it, is named at once: nobody waits inside NCCL for it.
func TestRunClusterNetworkRankWithout(t *testing.T) {
	addr := freeAddr(t)
	net := newFakeNetwork(200, 200)
	zero := rankOptions(addr, 2, 0, "gpu01", fakeShare([]string{"H100"}, []float64{10}))
	one := rankOptions(addr, 2, 1, "gpu02", fakeShare([]string{"H100"}, []float64{10}))
	zero.Network = net.options(0)
	began := time.Now()
	outs := runRanks(t, zero, one)
	assert.Less(t, time.Since(began), 2*time.Second)
	n := outs[0].Cluster.Network
	require.NotNil(t, n)
	assert.Equal(t, "rank 1 was started without the network measurement", n.NotMeasured)
	assert.Empty(t, net.seen)
}
