package gpu

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

// These tests run sliced steps (slice.go) on the GPU: forced on small
// steps with sliceAlways, and at the scale with the defaults.

// sliceCase is a way of running the devices that slicing must not change.
type sliceCase struct {
	name     string
	ordinals []int // nil: device 0 alone
	exchange ExchangeMode
	hostMem  bool
	staged   bool
}

var sliceCases = []sliceCase{
	{name: "one device"},
	{name: "one device hostmem", hostMem: true},
	{name: "one device hostmem staged", hostMem: true, staged: true},
	{name: "2 devices peer", ordinals: []int{0, 0}, exchange: ExchangePeer},
	{name: "2 devices host", ordinals: []int{0, 0}, exchange: ExchangeHost},
	{name: "2 devices shared hostmem", ordinals: []int{0, 0}, hostMem: true},
}

func (c sliceCase) options(prec nbody.Precision, splits int) Options {
	opts := Options{Precision: prec, Physics: physics, HostMem: c.hostMem, StageHostMem: c.staged,
		Exchange: c.exchange, Splits: splits}
	if c.ordinals != nil {
		opts = LogicalDevices(opts, c.ordinals...)
	}
	return opts
}

// stepTwice loads b and takes 5 steps of dt in one call, then 2 in
// another (so that slices follow each other across steps and across
// calls), and returns the bodies.
func stepTwice(t *testing.T, g *Integrator, b nbody.Bodies, dt float64) nbody.Bodies {
	t.Helper()
	require.NoError(t, g.SetBodies(b))
	for _, steps := range []int{5, 2} {
		_, err := g.Step(context.Background(), dt, steps)
		require.NoError(t, err)
		require.Equal(t, steps, g.last.steps)
	}
	var out nbody.Bodies
	require.NoError(t, g.Bodies(&out))
	return out
}

// Sliced steps, one row of blocks a slice, follow whole steps, for N that
// is no multiple of the block (4097: fp32 rows of 2048 bodies cut one
// device's step into 2048 + 2048 + 1; two devices hold 2304 and 1793,
// cut 2048 + 256 and 1793; fp64 rows are 1024 bodies). With the fused
// kernel (one split) each body sums the same interactions in the same
// order in a slice as in the whole step, so they match to the bit; with
// the plan's splits a slice of one row splits j otherwise and adds the
// partial sums in another grouping, a few roundings a step. The sliced
// integrator also answers to the float64 reference like any other
// (checkAccelerations: the accuracy contract, every output written).
func TestSlicedStepsFollowWholeSteps(t *testing.T) {
	devicesOrSkip(t)
	const n, dt = 4097, 0.016
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 3)
	require.NoError(t, err)
	random, want := bodiesAndReference(t, nbody.Random, n)
	for _, c := range sliceCases {
		for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
			bound := 1e-5
			if prec == nbody.Double {
				bound = 1e-13
			}
			for _, fused := range []bool{true, false} {
				splits := 0
				if fused {
					splits = 1
				}
				name := fmt.Sprintf("%s %s fused=%v", c.name, prec, fused)
				whole := open(t, c.options(prec, splits))
				sliced := open(t, sliceAlways(c.options(prec, splits), 1))
				wantBodies := stepTwice(t, whole, b, dt)
				assert.Nil(t, whole.last.slices, "%s: the whole steps were sliced", name)
				got := stepTwice(t, sliced, b, dt)
				require.NotNil(t, sliced.last.slices, "%s: not sliced", name)
				row := sliced.devs[0].plan.blockSize * sliced.devs[0].plan.bodiesPerThread
				assert.Equal(t, ceilDiv(sliced.devs[0].count, row), sliced.last.slices[0], "%s: slices of the first device", name)
				t.Logf("%s: slices per device %v, plans %+v", name, sliced.last.slices, sliced.devs[0].plan)
				if fused {
					if k := firstDifference(got.Pos, wantBodies.Pos); k >= 0 {
						assert.Failf(t, "positions differ", "%s: value %d (body %d): %v, whole steps %v", name, k, k/4, got.Pos[k], wantBodies.Pos[k])
					}
					if k := firstDifference(got.Vel, wantBodies.Vel); k >= 0 {
						assert.Failf(t, "velocities differ", "%s: value %d (body %d): %v, whole steps %v", name, k, k/4, got.Vel[k], wantBodies.Vel[k])
					}
				}
				worst := max(largestRelative(got.Pos, wantBodies.Pos), largestRelative(got.Vel, wantBodies.Vel))
				t.Logf("%s: largest relative difference from whole steps after 7 steps: %.3g", name, worst)
				assert.LessOrEqual(t, worst, bound, name)
				everyDeviceHoldsAll(t, sliced, name)
				checkAccelerations(t, sliced, random, want, name)
				require.NotNil(t, sliced.last.slices, "%s: the acceleration step was not sliced", name)
				require.NoError(t, whole.Close())
				require.NoError(t, sliced.Close())
			}
		}
	}
}

// cancelAfter cancels a context after d and records when.
type cancelAfter struct {
	ctx    context.Context
	at     atomic.Int64 // UnixNano of the cancel; 0 before it
	cancel context.CancelFunc
}

func newCancelAfter(d time.Duration) *cancelAfter {
	c := &cancelAfter{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	time.AfterFunc(d, func() {
		c.at.Store(time.Now().UnixNano())
		c.cancel()
	})
	return c
}

// since is how long ago the cancel was.
func (c *cancelAfter) since() time.Duration {
	return time.Duration(time.Now().UnixNano() - c.at.Load())
}

// checkCancelled holds a sliced run of steps steps that ctx cancelled to
// its promises: Step returned ctx's error soon after the cancel, with a
// time only for whole steps; the bodies are those of the whole steps done, to the bit (both
// integrators run the fused kernel), on every device; the integrator steps
// on from them; and it closes.
func checkCancelled(t *testing.T, g, whole *Integrator, b nbody.Bodies, dt float64, steps int, elapsed time.Duration, err error, c *cancelAfter, within time.Duration, name string) {
	t.Helper()
	latency := c.since()
	require.ErrorIs(t, err, context.Canceled, name)
	require.NotZero(t, c.at.Load(), "%s: Step returned before the cancel", name)
	require.NotNil(t, g.last.slices, "%s: the cancelled run was not sliced", name)
	done := g.last.steps
	require.Less(t, done, steps, name)
	t.Logf("%s: Step returned %v after the cancel, %d whole steps done in %v, slices per device %v",
		name, latency, done, elapsed, g.last.slices)
	assert.Less(t, latency, within, "%s: a cancel must end the step soon", name)
	assert.Equal(t, done > 0, elapsed > 0, "%s: %v for %d whole steps", name, elapsed, done)
	compare := func(when string) {
		var got, want nbody.Bodies
		require.NoError(t, g.Bodies(&got), "%s %s", name, when)
		require.NoError(t, whole.Bodies(&want), "%s %s", name, when)
		if k := firstDifference(got.Pos, want.Pos); k >= 0 {
			assert.Failf(t, "positions differ", "%s %s: value %d (body %d): %v, after %d whole steps %v", name, when, k, k/4, got.Pos[k], done, want.Pos[k])
		}
		if k := firstDifference(got.Vel, want.Vel); k >= 0 {
			assert.Failf(t, "velocities differ", "%s %s: value %d (body %d): %v, after %d whole steps %v", name, when, k, k/4, got.Vel[k], done, want.Vel[k])
		}
		everyDeviceHoldsAll(t, g, name+" "+when)
	}
	require.NoError(t, whole.SetBodies(b))
	if done > 0 {
		_, err := whole.Step(context.Background(), dt, done)
		require.NoError(t, err)
	}
	compare("after the cancel")
	// The integrator goes on from there: a whole step (the defaults keep
	// these sizes whole), then a sliced one, in slices of 32 rows.
	g.opts.limits = stepLimits{}
	_, err = g.Step(context.Background(), dt, 1)
	require.NoError(t, err, name)
	assert.Nil(t, g.last.slices, name)
	g.opts.limits = sliceAlways(Options{}, 32).limits
	_, err = g.Step(context.Background(), dt, 1)
	require.NoError(t, err, name)
	require.NotNil(t, g.last.slices, name)
	_, err = whole.Step(context.Background(), dt, 2)
	require.NoError(t, err)
	compare("two steps later")
	require.NoError(t, g.Close(), name)
	assert.ErrorIs(t, g.Bodies(&nbody.Bodies{}), errClosed, name)
}

// A cancel during a long sliced step ends Step within a second, the
// step abandoned: 262,144 bodies sliced into rows of one block (2048 fp32
// bodies against all 262,144 on one multiprocessor: tens of milliseconds
// each, 128 of them a step), cancelled after 50 ms, in the first step;
// 16,384 bodies (8 slices a step) cancelled after 150 ms, after a few
// whole steps and most likely in the middle of one. The bodies stay those
// of the whole steps done.
func TestCancelDuringSlicedStep(t *testing.T) {
	devicesOrSkip(t)
	const dt = 0.016
	for _, c := range []struct {
		n       int
		prec    nbody.Precision
		after   time.Duration
		devices []int
	}{
		{262144, nbody.Single, 50 * time.Millisecond, nil},
		{262144, nbody.Single, 50 * time.Millisecond, []int{0, 0}},
		{16384, nbody.Single, 150 * time.Millisecond, nil},
		{16384, nbody.Double, 150 * time.Millisecond, nil},
		{16384, nbody.Single, 150 * time.Millisecond, []int{0, 0}},
	} {
		name := fmt.Sprintf("n=%d %s devices=%v", c.n, c.prec, c.devices)
		opts := Options{Precision: c.prec, Physics: physics, Splits: 1}
		if c.devices != nil {
			opts = LogicalDevices(opts, c.devices...)
		}
		b, err := nbody.Generate(nbody.Shell, c.n, nbody.DefaultParams(c.n), 5)
		require.NoError(t, err)
		whole := open(t, opts)
		g := open(t, sliceAlways(opts, 1))
		require.NoError(t, g.SetBodies(b))
		cancel := newCancelAfter(c.after)
		elapsed, err := g.Step(cancel.ctx, dt, 1000)
		checkCancelled(t, g, whole, b, dt, 1000, elapsed, err, cancel, time.Second, name)
		cancel.cancel()
		require.NoError(t, whole.Close())
	}
}

// The case, with the default limits: 2^22 fp32 bodies, a step of
// about 8 s on an H200, which no run has measured, so Step guesses it
// (guessStep) and slices it. A cancel 300 ms in ends Step within 2 s (the
// command's promise; slices of a quarter of a second make it about half a
// second), nothing done, the bodies as loaded.
func TestCancelLongStep(t *testing.T) {
	devicesOrSkip(t)
	if testing.Short() {
		t.Skip("2^22 bodies: a second of GPU time and 0.5 GB of host memory")
	}
	const n, dt = 1 << 22, 0.001
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 1)
	require.NoError(t, err)
	g := open(t, Options{Physics: physics})
	require.NoError(t, g.SetBodies(b))
	var before nbody.Bodies
	require.NoError(t, g.Bodies(&before))
	est := g.stepEstimate()
	t.Logf("guessed step: %v, plan %+v", est, g.devs[0].plan)
	cancel := newCancelAfter(300 * time.Millisecond)
	defer cancel.cancel()
	elapsed, err := g.Step(cancel.ctx, dt, 10)
	latency := cancel.since()
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, g.last.slices, "a step guessed at %v was not sliced", est)
	t.Logf("Step returned %v after the cancel; %d slices a step; %d whole steps in %v", latency, g.last.slices[0], g.last.steps, elapsed)
	assert.Less(t, latency, 2*time.Second)
	assert.Zero(t, g.last.steps)
	assert.Zero(t, elapsed)
	var after nbody.Bodies
	require.NoError(t, g.Bodies(&after))
	assert.Equal(t, -1, firstDifference(before.Pos, after.Pos), "positions moved")
	assert.Equal(t, -1, firstDifference(before.Vel, after.Vel), "velocities moved")
}

// Short steps are launched whole, four queued ahead, before and after one
// is measured; the measure is kept for the next run.
func TestShortStepsRunWhole(t *testing.T) {
	devicesOrSkip(t)
	for _, ords := range [][]int{{0}, {0, 0}} {
		g := open(t, LogicalDevices(Options{Physics: physics}, ords...))
		b, err := nbody.Generate(nbody.Shell, 65536, nbody.DefaultParams(65536), 1)
		require.NoError(t, err)
		require.NoError(t, g.SetBodies(b))
		for run := range 2 {
			_, err := g.Step(context.Background(), 0.001, 10)
			require.NoError(t, err)
			assert.Nil(t, g.last.slices, "devices %v run %d", ords, run)
			assert.Equal(t, queueDepth, g.last.depth, "devices %v run %d", ords, run)
			assert.Equal(t, 65536, g.perStepN)
			assert.Positive(t, g.perStep)
			t.Logf("devices %v run %d: a step of %v", ords, run, g.perStep)
		}
	}
}
