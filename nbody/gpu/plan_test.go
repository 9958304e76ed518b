package gpu

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every plan must cover every local body once and every body of j once,
// whatever the sizes; the benchmark sizes must keep an H100 (132 SMs) busy.
func TestPlanCoversEveryBodyOnce(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 17, 31, 256, 1000, 4097, 16384, 65536, 135168, 262144, 1048576} {
		for _, c := range []struct{ blockSize, bodiesPerThread, blocksPerSM int }{
			{256, 8, 3}, {256, 4, 3}, {1024, 4, 2}, {1024, 2, 1}, {32, 8, 32}, {64, 4, 16},
		} {
			p := planLaunch(n, n, c.blockSize, c.bodiesPerThread, 132, c.blocksPerSM, maxPartialBytes/16, 0)
			name := fmt.Sprintf("n=%d %+v", n, c)
			assert.GreaterOrEqual(t, p.blocks*p.blockSize*p.bodiesPerThread, n, name)
			assert.Less(t, (p.blocks-1)*p.blockSize*p.bodiesPerThread, n, name)
			assert.GreaterOrEqual(t, p.splits, 1, name)
			assert.LessOrEqual(t, p.splits, maxSplits, name)
			assert.GreaterOrEqual(t, p.splits*p.perSplit, n, name+": j not covered")
			assert.Less(t, (p.splits-1)*p.perSplit, n, name+": an empty split")
			if p.splits > 1 {
				assert.Zero(t, p.perSplit%splitGranule, name)
			}
			assert.LessOrEqual(t, p.efficiency, 1.0, name)
		}
	}
}

func TestPlanFillsTheDeviceAtBenchmarkSizes(t *testing.T) {
	for _, n := range []int{16384, 65536, 135168, 262144, 1048576} {
		for _, c := range []struct{ bodiesPerThread, blocksPerSM int }{{8, 3}, {4, 3}} {
			p := planLaunch(n, n, 256, c.bodiesPerThread, 132, c.blocksPerSM, maxPartialBytes/32, 0)
			assert.GreaterOrEqual(t, p.efficiency, 0.95, "n=%d %+v: %+v", n, c, p)
		}
	}
	// Small N needs splits to reach every multiprocessor: 16384 bodies
	// in blocks of 256 threads of 8 bodies are only 8 blocks.
	p := planLaunch(16384, 16384, 256, 8, 132, 3, maxPartialBytes/16, 0)
	assert.Greater(t, p.splits*p.blocks, 132*2, "%+v", p)
}

func TestPlanRespectsThePartialSumsLimit(t *testing.T) {
	p := planLaunch(1<<20, 1<<20, 256, 8, 132, 3, 2<<20, 0)
	assert.LessOrEqual(t, p.splits*(1<<20), 2<<20, "%+v", p)
	p = planLaunch(1<<20, 1<<20, 256, 8, 132, 3, 0, 0)
	assert.Equal(t, 1, p.splits, "%+v", p)
}

// Options.Splits fixes the splits, whatever the plan would choose and
// whatever the limits; runs stay multiples of splitGranule with none
// empty, so a count that cannot be cut so finely gets fewer.
func TestPlanWithFixedSplits(t *testing.T) {
	for _, c := range []struct{ n, fixed, splits, perSplit int }{
		{135168, 6, 6, 22528},
		{135168, 4, 4, 33792},
		{1 << 20, 1, 1, 1 << 20},
		{16384, 1, 1, 16384},
		{16384, 100, 94, 176}, // beyond maxSplits, kept: runs of 176 cover j in 94
		{1000, 3, 3, 336},     // ceil(1000/3) = 334, rounded up to 336
		{31, 64, 2, 16},       // runs of 16 cover 31 in 2
		{4097, 1, 1, 4097},    // one split takes all of j, unrounded
		{100000, 7, 7, 14288}, // ceil(100000/7) = 14286 → 14288
		{65536, 64, 64, 1 << 10},
	} {
		p := planLaunch(c.n, c.n, 256, 8, 132, 2, 0, c.fixed) // no room for partials: fixed ignores that too
		assert.Equal(t, c.splits, p.splits, "%+v", c)
		assert.Equal(t, c.perSplit, p.perSplit, "%+v", c)
		assert.Equal(t, ceilDiv(c.n, 8*256), p.blocks, "%+v", c)
	}
}

// The partial sums hold a 4-vector for every split and local body.
func TestPartialBytes(t *testing.T) {
	p := launchPlan{splits: 6}
	assert.Equal(t, uint64(6*135168*16), p.partialBytes(135168, 16))
	assert.Equal(t, uint64(6*135168*32), p.partialBytes(135168, 32))
}

func TestOccupancyArithmetic(t *testing.T) {
	const regs, threads, shared = 65536, 2048, 228 << 10
	// 80 registers × 256 threads: 20480 per block, 3 fit in 65536.
	assert.Equal(t, 3, occupancy(80, 256*16, 256, regs, threads, shared))
	// 64 registers × 1024 threads fill the register file once.
	assert.Equal(t, 1, occupancy(64, 1024*32, 1024, regs, threads, shared))
	// 32 registers × 256 threads: the thread limit (2048) allows 8.
	assert.Equal(t, 8, occupancy(32, 0, 256, regs, threads, shared))
	// Shared memory can be the limit.
	assert.Equal(t, 2, occupancy(16, 100<<10, 128, regs, threads, shared))
	// A block that does not fit at all.
	assert.Equal(t, 0, occupancy(255, 0, 1024, regs, threads, shared))
}
