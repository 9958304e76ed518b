package gpu

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

// h200 is the device the defaults were chosen for, as Devices describes
// an H200 (the H100 has the same SMs and clock).
var h200 = Device{Name: "NVIDIA H200", Major: 9, Minor: 0, Multiprocessors: 132, ClockKHz: 1980000}

// kernelShape is what planLaunch needs of a kernel build on a device.
type kernelShape struct {
	name                              string
	blockSize, bodiesPerThread, perSM int
	elem                              int
}

var kernelShapes = []kernelShape{
	{"f32_t256", 256, 8, 2, 16},
	{"f64_t256", 256, 4, 2, 32},
	{"f32_t1024", 1024, 4, 1, 16},
	{"f64_t1024", 1024, 2, 1, 32},
	{"f32_t64", 64, 8, 12, 16},
}

// planner plans count bodies against n as device.planFor does.
func (k kernelShape) planner(n, fixedSplits int) func(int) launchPlan {
	return func(count int) launchPlan {
		return planLaunch(n, count, k.blockSize, k.bodiesPerThread, 132, k.perSM, maxPartialBytes/k.elem, fixedSplits)
	}
}

// estimateOf is sliceStep's estimate of a plan, for a step of full
// estimated at est.
func estimateOf(p, full launchPlan, est time.Duration) time.Duration {
	return time.Duration(float64(est) * float64(p.cost()) / float64(full.cost()))
}

// checkCover holds slices to what every cut promises: every body once, in
// order; whole rows of equal size but the last; each slice on its own
// plan, whose grid covers it; one slice runs on the full plan.
func checkCover(t *testing.T, slices []stepSlice, count int, full launchPlan, planFor func(int) launchPlan, name string) {
	t.Helper()
	require.NotEmpty(t, slices, name)
	row := full.blockSize * full.bodiesPerThread
	next := 0
	// Plain comparisons: at the body limit there are tens of thousands.
	for k, s := range slices {
		switch {
		case s.first != next:
			require.Failf(t, "a gap or an overlap", "%s: slice %d starts at %d, the last ended at %d", name, k, s.first, next)
		case s.count <= 0:
			require.Failf(t, "an empty slice", "%s: slice %d", name, k)
		case k < len(slices)-1 && (s.count%row != 0 || s.count != slices[0].count):
			require.Failf(t, "not whole rows", "%s: slice %d of %d bodies, rows of %d, the first of %d", name, k, s.count, row, slices[0].count)
		case s.plan != planFor(s.count):
			require.Failf(t, "a slice on another plan", "%s: slice %d on %+v, want %+v", name, k, s.plan, planFor(s.count))
		case s.plan.blocks*row < s.count:
			require.Failf(t, "a grid short of the slice", "%s: slice %d of %d bodies on %d blocks", name, k, s.count, s.plan.blocks)
		}
		next += s.count
	}
	assert.Equal(t, count, next, "%s: the slices do not cover the bodies", name)
	if len(slices) == 1 {
		assert.Equal(t, full, slices[0].plan, "%s: a step in one slice runs on the full plan", name)
	}
}

// checkSlices holds sliceStep's slices to its promises: those of every cut
// (checkCover); none estimated over the bound (the target, or one row's
// estimate where that is more), and none that could have taken a row more.
func checkSlices(t *testing.T, slices []stepSlice, count int, full launchPlan, est, target time.Duration, planFor func(int) launchPlan, name string) {
	t.Helper()
	checkCover(t, slices, count, full, planFor, name)
	if len(slices) <= 1 {
		return
	}
	row := full.blockSize * full.bodiesPerThread
	bound := max(target, estimateOf(planFor(min(row, count)), full, est))
	for k, s := range slices {
		// A nanosecond of rounding in the estimate's conversion.
		if e := estimateOf(s.plan, full, est); e > bound+time.Nanosecond {
			require.Failf(t, "a slice over the bound", "%s: slice %d estimated %v, bound %v", name, k, e, bound)
		}
	}
	if bigger := slices[0].count + row; bigger < count {
		assert.Greater(t, estimateOf(planFor(bigger), full, est), bound, "%s: slices of %d bodies would have fit", name, bigger)
	}
}

func TestSliceStepCoversEveryBodyOnce(t *testing.T) {
	for _, k := range kernelShapes {
		for _, n := range []int{1, 31, 4097, 65536, 262144, 1 << 20, 1<<22 + 1, 1 << 24, nbody.MaxBodies} {
			for _, fixed := range []int{0, 1, 6} {
				planFor := k.planner(n, fixed)
				full := planFor(n)
				for _, est := range []time.Duration{time.Millisecond, 300 * time.Millisecond, 2 * time.Second, 8 * time.Second, 35 * time.Minute} {
					for _, target := range []time.Duration{time.Nanosecond, 10 * time.Millisecond, defaultSlice} {
						name := fmt.Sprintf("%s n=%d splits=%d est=%v target=%v", k.name, n, fixed, est, target)
						slices := sliceStep(n, full, est, target, planFor)
						checkSlices(t, slices, n, full, est, target, planFor, name)
					}
				}
			}
		}
	}
}

// A device's share is not all of j: slices of count bodies against n.
func TestSliceStepOfAShare(t *testing.T) {
	k := kernelShapes[0]
	const n = 1<<22 + 7
	for _, count := range []int{1, 2047, 2048, 2049, 1 << 21, n - 1<<21} {
		planFor := k.planner(n, 0)
		full := planFor(count)
		slices := sliceStep(count, full, 8*time.Second, defaultSlice, planFor)
		checkSlices(t, slices, count, full, 8*time.Second, defaultSlice, planFor, fmt.Sprintf("count=%d", count))
	}
	assert.Nil(t, sliceStep(0, launchPlan{}, time.Hour, defaultSlice, k.planner(n, 0)), "a device without bodies has no slices")
}

// The tests' fixed cut (sliceAlways): slices of one row of blocks each,
// so 4097 fp32 bodies in rows of 2048 are three slices, the last of one
// body; a size beyond the count is one slice of the full plan.
func TestCutSlices(t *testing.T) {
	k := kernelShapes[0]
	planFor := k.planner(4097, 0)
	slices := cutSlices(4097, 2048, planFor)
	checkCover(t, slices, 4097, planFor(4097), planFor, "rows of 2048")
	require.Len(t, slices, 3)
	assert.Equal(t, []int{0, 2048, 4096}, []int{slices[0].first, slices[1].first, slices[2].first})
	assert.Equal(t, []int{2048, 2048, 1}, []int{slices[0].count, slices[1].count, slices[2].count})
	assert.Equal(t, 1, slices[2].plan.blocks)
	assert.Equal(t, []stepSlice{{0, 4097, planFor(4097)}}, cutSlices(4097, 8192, planFor))
	assert.Nil(t, cutSlices(0, 2048, planFor))
	// A small step that sliceStep leaves whole: one wave, whatever the target.
	assert.Len(t, sliceStep(4097, planFor(4097), time.Millisecond, time.Nanosecond, planFor), 1)
}

// A step no longer than the target, or of a single row, is one slice of
// the full plan.
func TestSliceStepKeepsShortStepsWhole(t *testing.T) {
	for _, k := range kernelShapes {
		for _, n := range []int{1, 1000, 135168, 1 << 20} {
			planFor := k.planner(n, 0)
			full := planFor(n)
			slices := sliceStep(n, full, defaultSlice, defaultSlice, planFor)
			assert.Equal(t, []stepSlice{{0, n, full}}, slices, "%s n=%d", k.name, n)
		}
		planFor := k.planner(1<<24, 0)
		row := k.blockSize * k.bodiesPerThread
		assert.Len(t, sliceStep(row, planFor(row), time.Hour, defaultSlice, planFor), 1, "%s: one row", k.name)
	}
}

// At the body limit on an H200, at the rates it measured, the largest
// slice takes about a quarter of a second, so a cancel (which waits for two)
// returns within a second: one row of blocks against 2^26 bodies in 64
// splits is all a slice can be.
func TestSlicesAtTheBodyLimit(t *testing.T) {
	for _, c := range []struct {
		k    kernelShape
		rate float64 // interactions per SM per cycle, as measured on the H100
	}{{kernelShapes[0], 8.2}, {kernelShapes[1], 3.1}} {
		n := nbody.MaxBodies
		planFor := c.k.planner(n, 0)
		full := planFor(n)
		est := time.Duration(float64(n) * float64(n) / (c.rate * 132 * 1.98e9) * float64(time.Second))
		slices := sliceStep(n, full, est, defaultSlice, planFor)
		checkSlices(t, slices, n, full, est, defaultSlice, planFor, c.k.name)
		worst := estimateOf(slices[0].plan, full, est)
		t.Logf("%s: a step of %v in %d slices of %d bodies (plan %dx%d), each %v", c.k.name, est, len(slices),
			slices[0].count, slices[0].plan.blocks, slices[0].plan.splits, worst)
		assert.Less(t, sliceWindow*worst, time.Second, c.k.name)
	}
}

func TestStepLimitsDefaults(t *testing.T) {
	l := stepLimits{}.orDefault()
	assert.Equal(t, stepLimits{long: time.Second, slice: 250 * time.Millisecond, queued: 1200 * time.Millisecond}, l)
	assert.Equal(t, stepLimits{long: time.Nanosecond, slice: 250 * time.Millisecond, queued: 1200 * time.Millisecond},
		stepLimits{long: time.Nanosecond}.orDefault())
	assert.False(t, l.sliced(0))
	assert.False(t, l.sliced(time.Second))
	assert.True(t, l.sliced(time.Second+time.Nanosecond))
	// Short steps are queued as they always were: four ahead.
	for _, est := range []time.Duration{0, time.Microsecond, 10 * time.Millisecond, 300 * time.Millisecond} {
		assert.Equal(t, queueDepth, l.wholeStepDepth(est), "%v", est)
	}
	// Longer ones fewer, so that at most 1.2 s is queued, and at least one.
	assert.Equal(t, 3, l.wholeStepDepth(400*time.Millisecond))
	assert.Equal(t, 2, l.wholeStepDepth(520*time.Millisecond), "2^20 fp32 bodies on an H200")
	assert.Equal(t, 1, l.wholeStepDepth(900*time.Millisecond))
	assert.Equal(t, 1, l.wholeStepDepth(time.Hour))
	for _, est := range []time.Duration{time.Millisecond, 250 * time.Millisecond, 400 * time.Millisecond, time.Second} {
		assert.LessOrEqual(t, time.Duration(l.wholeStepDepth(est))*est, l.queued, "%v", est)
	}
}

// Before any step is measured: every benchmark size runs whole on an H200,
// the guess is never below what the H100 measured (bench/RESULTS.md), and
// steps of several seconds are sliced.
func TestGuessStep(t *testing.T) {
	l := stepLimits{}.orDefault()
	measured := func(n int, gis float64) time.Duration {
		return time.Duration(float64(n) * float64(n) / (gis * 1e9) * float64(time.Second))
	}
	for _, c := range []struct {
		n      int
		double bool
		gis    float64 // H100, bench/RESULTS.md
	}{
		{16384, false, 1927.3}, {65536, false, 2108.1}, {135168, false, 2129.6}, {262144, false, 2139.4},
		{1048576, false, 2145.9}, {135168, true, 806.0}, {262144, true, 809.8},
	} {
		guess := guessStep(c.n, c.n, c.double, h200)
		name := fmt.Sprintf("n=%d double=%v: guessed %v", c.n, c.double, guess)
		assert.False(t, l.sliced(guess), name)
		assert.GreaterOrEqual(t, guess, measured(c.n, c.gis), name)
		if m := measured(c.n, c.gis); m <= 300*time.Millisecond {
			assert.Equal(t, queueDepth, l.wholeStepDepth(guess), name)
		}
	}
	for _, c := range []struct {
		n      int
		double bool
	}{{1 << 22, false}, {1 << 20, true}, {nbody.MaxBodies, false}, {nbody.MaxBodies, true}} {
		guess := guessStep(c.n, c.n, c.double, h200)
		assert.True(t, l.sliced(guess), "n=%d double=%v: guessed %v", c.n, c.double, guess)
	}
	// Two devices: each guesses its own share.
	assert.InDelta(t, float64(guessStep(1<<22, 1<<22, false, h200))/2, float64(guessStep(1<<22, 1<<21, false, h200)), 1e3)
	// fp64 on a GPU that runs it at 1/64 of fp32 (compute capability 8.9).
	ada := Device{Major: 8, Minor: 9, Multiprocessors: 128, ClockKHz: 2520000}
	assert.Greater(t, guessStep(262144, 262144, true, ada), 10*guessStep(262144, 262144, false, ada))
	assert.True(t, fullRateFP64(9, 0))
	assert.True(t, fullRateFP64(10, 0))
	assert.False(t, fullRateFP64(8, 6))
	assert.False(t, fullRateFP64(12, 0))
	// A device that reports no clock is taken at 1 GHz, not divided by 0.
	assert.Positive(t, guessStep(1000, 1000, false, Device{}))
}

// The plan's cost is planLaunch's own measure: waves × (perSplit +
// splitOverhead).
func TestPlanCost(t *testing.T) {
	p := planLaunch(1<<20, 1<<20, 256, 8, 132, 2, maxPartialBytes/16, 0)
	assert.Equal(t, ceilDiv(p.blocks*p.splits, 264), p.waves)
	assert.Equal(t, p.waves*(p.perSplit+splitOverhead), p.cost())
	// A row of blocks against 2^26 bodies: 64 splits in one wave.
	p = planLaunch(nbody.MaxBodies, 2048, 256, 8, 132, 2, maxPartialBytes/16, 0)
	assert.Equal(t, 1, p.waves)
	assert.Equal(t, maxSplits, p.splits)
}
