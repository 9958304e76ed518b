package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// countingIntegrator records its Step calls and reports a fixed time per
// step, so that the stepper's sums can be checked exactly.
type countingIntegrator struct {
	nbody.Integrator
	calls, steps int
	perStep      time.Duration
	cancelAt     int // cancel after this many steps (0: never)
	cancel       context.CancelFunc
}

func (c *countingIntegrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	c.calls++
	for range steps {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c.steps++
		time.Sleep(time.Millisecond)
		if c.steps == c.cancelAt {
			c.cancel()
		}
	}
	return time.Duration(steps) * c.perStep, nil
}

func TestStepperWithoutTerminalMakesOneCall(t *testing.T) {
	in := &countingIntegrator{perStep: 3 * time.Millisecond}
	d, err := stepper{ctx: context.Background()}.run(in, 0.1, 7, "test")
	require.NoError(t, err)
	assert.Equal(t, 1, in.calls, "piped runs time all steps in one Step call")
	assert.Equal(t, 7, in.steps)
	assert.Equal(t, 21*time.Millisecond, d)
}

func TestStepperShowsProgressOnLongRuns(t *testing.T) {
	var w bytes.Buffer
	in := &countingIntegrator{perStep: 2 * time.Millisecond}
	d, err := stepper{ctx: context.Background(), w: &w, after: 0}.run(in, 0.1, 12, "bench")
	require.NoError(t, err)
	assert.Equal(t, 12, in.steps, "every step is taken once")
	assert.Greater(t, in.calls, 1, "split so the bar can move")
	assert.Equal(t, 24*time.Millisecond, d, "the durations of the calls add up")
	assert.Contains(t, w.String(), "bench", "the bar was drawn with its description")

	var quiet bytes.Buffer
	in = &countingIntegrator{perStep: time.Millisecond}
	_, err = stepper{ctx: context.Background(), w: &quiet, after: time.Hour}.run(in, 0.1, 5, "short")
	require.NoError(t, err)
	assert.Empty(t, quiet.String(), "no bar for a short run")
	assert.Equal(t, 5, in.steps)
}

func TestStepperStopsOnCancel(t *testing.T) {
	for _, w := range []*bytes.Buffer{nil, new(bytes.Buffer)} {
		ctx, cancel := context.WithCancel(context.Background())
		in := &countingIntegrator{perStep: time.Millisecond, cancelAt: 3, cancel: cancel}
		s := stepper{ctx: ctx, after: 0}
		if w != nil {
			s.w = w
		}
		_, err := s.run(in, 0.1, 1000, "x")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 3, in.steps, "stops at the next step boundary")
		cancel()
	}
}

func TestUnavailableReason(t *testing.T) {
	cases := map[string]error{
		"libcuda.so.1 not found":    fmt.Errorf("%w: libcuda.so.1 not found", gpu.ErrUnavailable),
		"GPU support not built yet": errors.Join(gpu.ErrUnavailable, errors.New("GPU support not built yet")),
		"":                          gpu.ErrUnavailable,
		"cuInit: CUDA_ERROR_NO_DEVICE; no devices": fmt.Errorf("%w: cuInit: CUDA_ERROR_NO_DEVICE\nno devices", gpu.ErrUnavailable),
	}
	for want, err := range cases {
		assert.Equal(t, want, unavailableReason(err))
	}
	assert.Equal(t, "> No CUDA GPU available (libcuda.so.1 not found); running on the CPU", fallbackLine("libcuda.so.1 not found"))
	assert.Equal(t, "> No CUDA GPU available; running on the CPU", fallbackLine(""))
}

func TestValidBlockSize(t *testing.T) {
	for _, n := range []int{32, 64, 128, 256, 512, 1024} {
		assert.True(t, validBlockSize(n), n)
	}
	for _, n := range []int{-256, 0, 1, 16, 31, 48, 100, 1000, 2048} {
		assert.False(t, validBlockSize(n), n)
	}
}

func TestFiguresFollowTheSamplesFormulas(t *testing.T) {
	// The sample's H100 run (SPEC.md) took 120.38896 ms by its event timer;
	// the same figures must come out, line for line.
	f := figures(135168, 10, 120388960*time.Nanosecond, nbody.Single)
	var b bytes.Buffer
	printReport(&b, f)
	assert.Equal(t, "135168 bodies, total time for 10 iterations: 120.389 ms\n"+
		"= 1517.613 billion interactions per second\n"+
		"= 30352.265 single-precision GFLOP/s at 20 flops per interaction\n", b.String())
	d := figures(1000, 3, 2*time.Second, nbody.Double)
	assert.Equal(t, 30, d.FlopsPerInteraction)
	assert.InDelta(t, 1000.0*1000*3/2000*1e-6, d.GInteractions, 1e-15)
	assert.InDelta(t, d.GInteractions*30, d.GFLOPS, 1e-12)
}

// A comparison whose positions pass but whose accelerations break the
// bound fails, and prints no "  OK".
func TestComparisonVerdict(t *testing.T) {
	host := []float64{1, 2, 3, 1, 4, 5, 6, 1}
	pos, err := nbody.ComparePositions(host, host, 0.0005)
	require.NoError(t, err)
	good := comparisonRun{steps: 1, dt: 0.001, device: "test", positions: pos,
		accel: nbody.AccelerationCheck{Error: 1e-7, Bound: 2e-5}}
	assert.True(t, good.passed())
	lines := comparisonLines(good)
	require.Len(t, lines, 2)
	assert.Equal(t, "  OK", lines[0])
	assert.Regexp(t, summaryRe, lines[1])
	assert.True(t, strings.HasSuffix(lines[1], ": PASS"))

	badAccel := good
	badAccel.accel.Error = 3e-4
	assert.False(t, badAccel.passed())
	lines = comparisonLines(badAccel)
	assert.NotContains(t, strings.Join(lines, "\n"), "  OK")
	assert.True(t, strings.HasSuffix(lines[len(lines)-1], ": FAIL"))
}

// comparisonLines is what printComparison prints for c, line by line.
func comparisonLines(c comparisonRun) []string {
	var b bytes.Buffer
	printComparison(&b, c)
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

func TestComparisonErrorLines(t *testing.T) {
	n := 8
	host := make([]float64, 4*n)
	dev := make([]float64, 4*n)
	for i := range host {
		host[i] = float64(i) * 0.25
		dev[i] = host[i]
	}
	for i := 0; i < 13; i++ {
		dev[2*i] += 0.125
	}
	pos, err := nbody.ComparePositions(host, dev, 0.0005)
	require.NoError(t, err)
	c := comparisonRun{steps: 2, dt: 0.001, device: "test", positions: pos,
		accel: nbody.AccelerationCheck{Error: 1e-7, Bound: 2e-5}}
	assert.False(t, c.passed())
	lines := comparisonLines(c)
	require.Len(t, lines, 12)
	assert.Equal(t, "Error: (host)0.000000 != (device)0.125000", lines[0], "the sample's %f format")
	assert.Equal(t, "Error: (host)4.500000 != (device)4.625000", lines[9])
	assert.Equal(t, "... and 3 more values outside the tolerance", lines[10])
	m := summaryRe.FindStringSubmatch(lines[11])
	require.NotNil(t, m, lines[11])
	assert.Equal(t, []string{"8", "2", "13", "32", "FAIL"}, m[1:])

	j := jsonComparison(c)
	assert.Equal(t, 13, j.Outside)
	require.Len(t, j.Errors, 10)
	assert.Equal(t, jsonMismatch{Body: 0, Component: "z", Host: 0.5, Device: 0.625}, j.Errors[1])
	assert.False(t, j.Passed)
}

// The interactive mode says it was stopped by Ctrl-C only when Ctrl-C
// stopped it before its last step: one that lands during the last chunk
// of steps stops nothing.
func TestViewInterruptedOnlyBeforeTheLastStep(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 64, nbody.DefaultParams(64), 1)
	require.NoError(t, err)
	for _, c := range []struct {
		cancelAt    int
		interrupted bool
	}{
		{cancelAt: 1, interrupted: true}, // after the first chunk (one step) of five
		{cancelAt: 5, interrupted: false},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		in := &countingIntegrator{
			Integrator: nbody.NewReference(nbody.Presets[0].Physics()),
			perStep:    time.Millisecond, cancelAt: c.cancelAt, cancel: cancel,
		}
		var out bytes.Buffer
		a := &app{ctx: ctx, out: &out, params: nbody.Presets[0],
			o: options{iterations: 5, iterationsSet: true, every: defaultEvery, frames: defaultFrames}}
		end, err := a.view(platform{integrator: in}, b)
		cancel()
		require.NoError(t, err, "cancelled at step %d", c.cancelAt)
		require.NotNil(t, end)
		assert.Equal(t, c.interrupted, a.report.View.Interrupted, "cancelled at step %d", c.cancelAt)
		assert.Equal(t, c.interrupted, strings.Contains(out.String(), "Stopped by Ctrl-C"), "output: %s", out.String())
		if !c.interrupted {
			assert.Equal(t, 5, end.steps)
		}
	}
}
