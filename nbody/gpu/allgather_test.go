package gpu

import (
	"cmp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// The bandwidths as nccl-tests defines them for an all-gather: 64 MiB a
// rank over 4 ranks, 20 gathers in 40 ms, is 256 MiB a gather in 2 ms:
// 134.2 GB/s of algorithm bandwidth, three quarters of it on the bus.
func TestAllGatherBandwidths(t *testing.T) {
	f := AllGatherFigure{BytesPerRank: 64 << 20, Ranks: 4, Iterations: 20, Elapsed: 40 * time.Millisecond}
	assert.InDelta(t, 134.217728, f.AlgorithmGBps(), 1e-9)
	assert.InDelta(t, 134.217728*3/4, f.BusGBps(), 1e-9)
	assert.Zero(t, AllGatherFigure{Ranks: 2, Iterations: 1}.BusGBps(), "no time: no figure")
	one := AllGatherFigure{BytesPerRank: 1 << 20, Ranks: 1, Iterations: 1, Elapsed: time.Millisecond}
	assert.Zero(t, one.BusGBps(), "one rank moves nothing over a bus")
}

// A rank's share: 64 MiB up to 16 ranks, then 1 GiB in all, never below 1
// MiB.
func TestAllGatherBytes(t *testing.T) {
	assert.Equal(t, uint64(64<<20), AllGatherBytes(2))
	assert.Equal(t, uint64(64<<20), AllGatherBytes(16))
	assert.Equal(t, uint64(32<<20), AllGatherBytes(32))
	assert.Equal(t, uint64(2<<20), AllGatherBytes(512))
	assert.Equal(t, uint64(1<<20), AllGatherBytes(4096))
	assert.Zero(t, AllGatherBytes(3)%4096, "whole pages")
}

// Bad options are refused before anything is opened.
func TestMeasureAllGatherRefusesBadOptions(t *testing.T) {
	_, err := MeasureAllGather(AllGatherOptions{Rank: 2, Ranks: 2, ID: make([]byte, nccl.UniqueIDBytes)})
	assert.ErrorContains(t, err, "rank 2 of 2")
	_, err = MeasureAllGather(AllGatherOptions{Rank: 0, Ranks: 1, ID: []byte{1}})
	assert.ErrorContains(t, err, "an NCCL id of 1 bytes")
}

// On the GPUs: every GPU a rank of one communicator (in one process, as
// NCCL allows on distinct GPUs), each gathering 8 MiB; every rank's
// figure is positive, and with two or more GPUs so is the bus bandwidth.
func TestMeasureAllGatherOnTheGPUs(t *testing.T) {
	devs := devicesOrSkip(t)
	require.NoError(t, cluster.DefaultNCCLSettings())
	library := cmp.Or(cluster.NCCLLibrary(), nccl.LibraryName)
	id, err := NewWorldID(library)
	if err != nil {
		t.Skipf("NCCL does not open here (%s=%q): %v", cluster.NCCLLibraryEnv, cluster.NCCLLibrary(), err)
	}
	ranks := min(len(devs), 8)
	figs := make([]AllGatherFigure, ranks)
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r := range ranks {
		wg.Go(func() {
			figs[r], errs[r] = MeasureAllGather(AllGatherOptions{Device: r, Library: library, ID: id, Rank: r, Ranks: ranks,
				BytesPerRank: 8 << 20, Iterations: 5})
		})
	}
	wg.Wait()
	for r := range ranks {
		require.NoError(t, errs[r], "rank %d", r)
		assert.Positive(t, figs[r].Elapsed, "rank %d", r)
		t.Logf("rank %d of %d: %v for 5 gathers, algorithm %.1f GB/s, bus %.1f GB/s", r, ranks, figs[r].Elapsed,
			figs[r].AlgorithmGBps(), figs[r].BusGBps())
		if ranks > 1 {
			assert.Positive(t, figs[r].BusGBps())
		}
	}
}
