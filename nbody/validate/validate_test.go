package validate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cpu"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// clocked takes real steps but reports perStep for each, so that the rates
// the verdicts compare do not depend on how busy the machine is.
type clocked struct {
	nbody.Integrator
	perStep time.Duration
}

func (c clocked) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	_, err := c.Integrator.Step(ctx, dt, steps)
	return time.Duration(steps) * c.perStep, err
}

// wrong computes slightly wrong physics: a softening 1% off, which the
// accuracy contract must catch.
func wrong(prec nbody.Precision) nbody.Integrator {
	phys := nbody.Presets[0].Physics()
	phys.Softening *= 1.01
	return cpu.New(prec, phys)
}

func cpuUnit(ordinal int, in func() nbody.Integrator) unit {
	return unit{device: gpu.Device{Ordinal: ordinal, Name: "fake"}, open: func() (nbody.Integrator, error) { return in(), nil }}
}

// fakeTelemetry reads every GPU as running at 1980 MHz.
type fakeTelemetry struct{}

func (fakeTelemetry) Read(d gpu.Device) (Reading, error) {
	clock := 1980
	return Reading{UUID: fmt.Sprintf("GPU-fake-%d", d.Ordinal), SMClockMHz: &clock, ThrottleReasons: []string{}}, nil
}

func validateOptions() Options {
	return Options{Precision: nbody.Single, Physics: nbody.Presets[0].Physics(), Bodies: 512, Steps: 3, Seed: 1}
}

func TestValidateGivesEachGPUAVerdict(t *testing.T) {
	phys := nbody.Presets[0].Physics()
	good := func() nbody.Integrator { return clocked{nbody.NewReference(phys), time.Millisecond} }
	units := []unit{
		cpuUnit(0, good),
		cpuUnit(1, good),
		cpuUnit(2, func() nbody.Integrator { return clocked{nbody.NewReference(phys), 2 * time.Millisecond} }),
		cpuUnit(3, func() nbody.Integrator { return clocked{wrong(nbody.Single), time.Millisecond} }),
		{device: gpu.Device{Ordinal: 4}, open: func() (nbody.Integrator, error) { return nil, errors.New("CUDA_ERROR_ECC_UNCORRECTABLE") }},
	}
	o := validateOptions()
	o.Telemetry = fakeTelemetry{}
	v, err := validate(context.Background(), units, o)
	require.NoError(t, err)
	require.Len(t, v.GPUs, 5)
	for i, g := range v.GPUs {
		require.NotNil(t, g.Before, "GPU %d: telemetry before the run", i)
		require.NotNil(t, g.After, "GPU %d: telemetry after the run, also after a failure", i)
		assert.Equal(t, fmt.Sprintf("GPU-fake-%d", i), g.UUID())
	}
	assert.False(t, v.Passed())
	for i := range 2 {
		g := v.GPUs[i]
		assert.True(t, g.Passed, "GPU %d: %v", i, g.Reasons)
		assert.Equal(t, 1, g.Checks)
		assert.Less(t, g.Accuracy, 1e-12, "the reference against itself")
		require.Len(t, g.Windows, 1)
		assert.Equal(t, 3, g.Windows[0].Steps)
	}
	assert.False(t, v.GPUs[2].Passed)
	assert.Contains(t, strings.Join(v.GPUs[2].Reasons, ";"), "slow: ")
	assert.False(t, v.GPUs[3].Passed)
	assert.Contains(t, strings.Join(v.GPUs[3].Reasons, ";"), "accuracy: relative L2 error")
	assert.False(t, v.GPUs[4].Passed)
	assert.Equal(t, []string{"error: opening: CUDA_ERROR_ECC_UNCORRECTABLE"}, v.GPUs[4].Reasons)
}

func TestJudgeRules(t *testing.T) {
	win := func(gis ...float64) []modes.Figures {
		out := make([]modes.Figures, len(gis))
		for i, g := range gis {
			out[i] = modes.Figures{GInteractions: g}
		}
		return out
	}
	ok := func(w []modes.Figures) GPUResult {
		return GPUResult{Windows: w, Checks: 1, Accuracy: 1e-7, AccuracyBound: 2e-5}
	}

	one := []GPUResult{ok(win(100))}
	judge(one, Options{})
	assert.True(t, one[0].Passed, "a single GPU has no peers to be slow against")
	assert.InDelta(t, 1, one[0].Ratio, 1e-12)

	peers := []GPUResult{ok(win(100)), ok(win(99)), ok(win(89))}
	judge(peers, Options{})
	assert.True(t, peers[0].Passed)
	assert.True(t, peers[1].Passed)
	assert.False(t, peers[2].Passed, "below 90% of the median (99)")
	judge(peers, Options{SlowRatio: 0.8})
	assert.True(t, peers[2].Passed, "the threshold is an option")

	floor := []GPUResult{ok(win(100))}
	judge(floor, Options{MinGIPS: 150})
	assert.Equal(t, []string{"below 150 GI/s"}, floor[0].Reasons)

	throttled := []GPUResult{ok(win(100, 98, 89))}
	judge(throttled, Options{Duration: time.Minute})
	assert.Equal(t, []string{"throttled: window 3 at 89% of the first"}, throttled[0].Reasons)
	judge(throttled, Options{})
	assert.True(t, throttled[0].Passed, "without a duration there is one window, no throttling rule")

	nan := []GPUResult{{Windows: win(100), Checks: 1, Accuracy: nanValue(), AccuracyBound: 2e-5}}
	judge(nan, Options{})
	assert.False(t, nan[0].Passed, "a NaN accuracy fails")

	none := []GPUResult{{}}
	judge(none, Options{})
	assert.Equal(t, []string{"no timed window finished"}, none[0].Reasons)
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

// With a duration the GPUs step in windows until it has passed, checking
// accuracy after each; cancelling ends the run early with the record so far.
func TestValidateDurationAndCancel(t *testing.T) {
	phys := nbody.Presets[0].Physics()
	units := []unit{cpuUnit(0, func() nbody.Integrator { return clocked{nbody.NewReference(phys), time.Millisecond} })}
	o := validateOptions()
	o.Bodies, o.Steps, o.Duration, o.Window = 256, 0, 400*time.Millisecond, 50*time.Millisecond
	var heard int
	o.OnWindow = func(int, modes.Figures) { heard++ }
	v, err := validate(context.Background(), units, o)
	require.NoError(t, err)
	g := v.GPUs[0]
	assert.True(t, g.Passed, "%v", g.Reasons)
	assert.GreaterOrEqual(t, len(g.Windows), 3, "windows of about 50 ms over 400 ms")
	assert.Equal(t, len(g.Windows), g.Checks, "an accuracy check after every window")
	assert.Equal(t, len(g.Windows), heard)
	assert.GreaterOrEqual(t, v.Elapsed, 400*time.Millisecond)
	assert.Less(t, v.Elapsed, 2*time.Second)
	assert.False(t, v.Interrupted)

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	o.Duration = time.Hour
	v, err = validate(ctx, units, o)
	require.NoError(t, err)
	assert.True(t, v.Interrupted)
	assert.Less(t, v.Elapsed, 2*time.Second, "a cancelled run ends at once")
	assert.NotEmpty(t, v.GPUs[0].Windows, "the windows so far are reported")
	assert.True(t, v.GPUs[0].Passed, "%v", v.GPUs[0].Reasons)
}

func TestValidateRefusesNonsense(t *testing.T) {
	o := validateOptions()
	o.Steps = 0
	_, err := validate(context.Background(), nil, o)
	assert.ErrorContains(t, err, "want at least 1, or a duration")
	o = validateOptions()
	o.Bodies = nbody.MaxBodies + 1
	_, err = validate(context.Background(), nil, o)
	assert.Error(t, err)
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 0.0, median(nil))
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
}

func TestValidationText(t *testing.T) {
	clock, temp, power := 1980, 41, 312.4
	g := GPUResult{
		Device:  gpu.Device{Ordinal: 1, Name: "NVIDIA H200", UUID: [16]byte{0x4d, 0x44, 0xb1, 0x88}},
		Windows: []modes.Figures{{GInteractions: 2100}, {GInteractions: 2130}, {GInteractions: 2120}},
		Ratio:   1, Accuracy: 3.61e-7, AccuracyBound: 2e-5, Checks: 3, Passed: true,
		After: &Reading{SMClockMHz: &clock, TemperatureC: &temp, PowerW: &power, ThrottleReasons: []string{}},
	}
	assert.Equal(t, `GPU 1 "NVIDIA H200" GPU-4d44b188-0000-0000-0000-000000000000: 2120.000 GI/s (min 2100.000, max 2130.000 over 3 windows), `+
		`1.000 of the median, accuracy 3.61e-07 (bound 2e-05), SM 1980 MHz, 41 C, 312 W, throttle none: PASS`, g.String())
	g.After.ThrottleReasons = []string{"SwPowerCap", "HwSlowdown"}
	g.Passed, g.Reasons = false, []string{"slow: 85% of the median GPU", "below 3000 GI/s"}
	g.Windows = g.Windows[:1]
	assert.Equal(t, `GPU 1 "NVIDIA H200" GPU-4d44b188-0000-0000-0000-000000000000: 2100.000 GI/s, `+
		`1.000 of the median, accuracy 3.61e-07 (bound 2e-05), SM 1980 MHz, 41 C, 312 W, throttle SwPowerCap+HwSlowdown: `+
		`FAIL: slow: 85% of the median GPU; below 3000 GI/s`, g.String())
	broken := GPUResult{Device: gpu.Device{Ordinal: 0, Name: "x"}, Reasons: []string{"error: opening: boom"}}
	assert.Equal(t, `GPU 0 "x": FAIL: error: opening: boom`, broken.String())

	v := Result{Bodies: 135168, Steps: 10, GPUs: []GPUResult{g, {Passed: true}}}
	assert.Equal(t, "Validated 2 GPUs, 135168 bodies each, 10 timed steps: 1 passed, 1 failed: FAIL", v.String())
	v = Result{Bodies: 4096, Duration: time.Minute, Elapsed: 10*time.Second + 30*time.Millisecond, Interrupted: true, GPUs: []GPUResult{{Passed: true}}}
	assert.Equal(t, "Validated 1 GPUs, 4096 bodies each, 10s of the 1m0s asked, stopped early by a signal: 1 passed, 0 failed: PASS", v.String())
}

func TestJudgeECC(t *testing.T) {
	zero, two := uint64(0), uint64(2)
	g := []GPUResult{{Windows: []modes.Figures{{GInteractions: 100}}, Checks: 1, AccuracyBound: 2e-5,
		Before: &Reading{ECCErrors: &zero}, After: &Reading{ECCErrors: &two}}}
	judge(g, Options{})
	assert.Equal(t, []string{"ecc: 2 uncorrected memory errors during the run"}, g[0].Reasons)
	g[0].Before = &Reading{ECCErrors: &two}
	judge(g, Options{})
	assert.True(t, g[0].Passed, "errors from before the run are not this run's")
	g[0].Before = &Reading{}
	judge(g, Options{})
	assert.True(t, g[0].Passed, "no count before: nothing to compare")
}
