package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/render"
)

func TestStatusTextFigures(t *testing.T) {
	// 4096² interactions × 30 steps in 1.5 s: 20 steps/s, 0.33554432 GI/s,
	// × 20 flops = 6.71 GFLOP/s in single precision, × 30 = 10.07 in double.
	second := time.Second
	assert.Equal(t, "N-Body (4096 bodies): 20.0 steps/s | 0.34 GI/s | 6.7 GFLOP/s | single precision | step 30",
		statusText(4096, 30, 1500*time.Millisecond, 1600*time.Millisecond, nbody.Single, "step 30"))
	assert.Equal(t, "N-Body (4096 bodies): 20.0 steps/s | 0.34 GI/s | 10.1 GFLOP/s | double precision | frame 3 of 9",
		statusText(4096, 30, 1500*time.Millisecond, 1500*time.Millisecond, nbody.Double, "frame 3 of 9"))
	// The sample's H100 figure: 135168 bodies, 10 steps in 120.38896 ms.
	assert.Equal(t, "N-Body (135168 bodies): 83.1 steps/s | 1517.61 GI/s | 30352.3 GFLOP/s | single precision | x",
		statusText(135168, 10, 120388960*time.Nanosecond, 130*time.Millisecond, nbody.Single, "x"))
	// Drawing that slows the run shows: 10 steps in 0.1 s of simulation
	// but 2 s in all.
	assert.Equal(t, "N-Body (1000 bodies): 100.0 steps/s | 0.10 GI/s | 2.0 GFLOP/s | single precision | x | 5.0 steps/s in all",
		statusText(1000, 10, second/10, 2*second, nbody.Single, "x"))
	// A clock too coarse to see the steps gives large figures, never Inf or NaN.
	zero := statusText(64, 5, 0, 0, nbody.Single, "x")
	assert.NotContains(t, zero, "Inf")
	assert.NotContains(t, zero, "NaN")
	assert.Regexp(t, statusRe, zero)
}

func TestRenderFormatAndFrameBudget(t *testing.T) {
	for name, want := range map[string]render.FileFormat{
		"a.gif": render.GIF, "b.GIF": render.GIF, "dir.png/c.png": render.PNG, "d.Png": render.PNG,
		"e.jpg": 0, "f": 0, "gif": 0, "g.gif.txt": 0,
	} {
		got, ok := render.FileFormatOf(name)
		assert.Equal(t, want, got, name)
		assert.Equal(t, want != 0, ok, name)
	}
	assert.Less(t, maxFrames, render.MaxGIFFrames(720, 480), "the window size is bounded by -frames' own limit")
	assert.Equal(t, 103, render.MaxGIFFrames(1920, 1080), "docs/view.md's figure at -fullscreen")
}

func TestPrintEnergy(t *testing.T) {
	r := nbody.EnergyReport{
		Start: nbody.EnergyState{Kinetic: 2, Potential: -6, Momentum: [3]float64{1, 0, 0}},
		End:   nbody.EnergyState{Kinetic: 2.5, Potential: -6.3, Momentum: [3]float64{1, 0.5, 0}},
	}
	var w bytes.Buffer
	res := modes.EnergyResult{EnergyReport: r, Steps: 1, DT: 0.016, Took: 250 * time.Millisecond}
	printEnergy(&w, res)
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "> Energy at start: kinetic 2, potential -6, total -4; momentum (1, 0, 0)", lines[0])
	assert.Equal(t, "> Energy at end:   kinetic 2.5, potential -6.3, total -3.8; momentum (1, 0.5, 0)", lines[1])
	// (−3.8 − (−4)) / 4 = 0.05.
	assert.Equal(t, "> Energy drift: 5.000e-02 relative, over 1 step of dt 0.016; momentum change (0, 0.5, 0)", lines[2])
	assert.Equal(t, "> Energy measured in 0.250 s (float64, every pair of bodies on the CPU, twice)", lines[3])

}
