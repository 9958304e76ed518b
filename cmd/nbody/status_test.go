package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
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

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestStatusLineRefreshesOncePerInterval(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		var w bytes.Buffer
		clock := &fakeClock{t: time.Unix(1000, 0)}
		s := newStatusLine(&w, terminal, 1000, nbody.Single)
		s.now, s.since = clock.now, clock.t

		clock.t = clock.t.Add(400 * time.Millisecond)
		s.add(10, 300*time.Millisecond, "step 10")
		assert.Empty(t, w.String(), "nothing before a second has passed")

		clock.t = clock.t.Add(700 * time.Millisecond)
		s.add(30, 700*time.Millisecond, "step 40")
		// The interval's figures: 40 steps in 1 s of simulation, 1.1 s in all.
		want := statusText(1000, 40, time.Second, 1100*time.Millisecond, nbody.Single, "step 40")
		assert.Contains(t, want, "40.0 steps/s")
		if terminal {
			assert.Equal(t, "\r"+want+"\x1b[K", w.String(), "rewritten in place")
		} else {
			assert.Equal(t, want+"\n", w.String(), "a line of its own")
		}

		w.Reset()
		clock.t = clock.t.Add(1100 * time.Millisecond)
		s.add(5, 500*time.Millisecond, "step 45")
		assert.Contains(t, w.String(), "10.0 steps/s", "the next interval starts afresh: 5 steps in 0.5 s")

		w.Reset()
		s.clear()
		if terminal {
			assert.Equal(t, "\r\x1b[K", w.String(), "the terminal line is cleared")
		} else {
			assert.Empty(t, w.String(), "plain lines stay")
		}
	}
}

func TestStatusLineWithoutWriter(t *testing.T) {
	var s *statusLine
	s.add(1, time.Second, "x") // nil: no panic, nothing shown
	s.clear()
	quiet := newStatusLine(nil, false, 10, nbody.Single)
	quiet.since = time.Time{}
	quiet.add(1, time.Second, "x")
	assert.Zero(t, quiet.steps, "nothing is counted without a writer")
}

func TestRenderFormatAndFrameBudget(t *testing.T) {
	for name, want := range map[string]string{
		"a.gif": "gif", "b.GIF": "gif", "dir.png/c.png": "png", "d.Png": "png",
		"e.jpg": "", "f": "", "gif": "", "g.gif.txt": "",
	} {
		assert.Equal(t, want, renderFormat(name), name)
	}
	assert.Equal(t, maxFrames, maxGIFFrames(720, 480), "the window size is bounded by -frames' own limit")
	full := maxGIFFrames(1920, 1080)
	require.Less(t, full, maxFrames)
	assert.LessOrEqual(t, full*gifBytesPerPx*1920*1080, maxGIFBytes)
	assert.Greater(t, (full+1)*gifBytesPerPx*1920*1080, maxGIFBytes)
}

func TestPrintEnergy(t *testing.T) {
	r := nbody.EnergyReport{
		Start: nbody.EnergyState{Kinetic: 2, Potential: -6, Momentum: [3]float64{1, 0, 0}},
		End:   nbody.EnergyState{Kinetic: 2.5, Potential: -6.3, Momentum: [3]float64{1, 0.5, 0}},
	}
	var w bytes.Buffer
	printEnergy(&w, r, 1, 0.016, 250*time.Millisecond)
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "> Energy at start: kinetic 2, potential -6, total -4; momentum (1, 0, 0)", lines[0])
	assert.Equal(t, "> Energy at end:   kinetic 2.5, potential -6.3, total -3.8; momentum (1, 0.5, 0)", lines[1])
	// (−3.8 − (−4)) / 4 = 0.05.
	assert.Equal(t, "> Energy drift: 5.000e-02 relative, over 1 step of dt 0.016; momentum change (0, 0.5, 0)", lines[2])
	assert.Equal(t, "> Energy measured in 0.250 s (float64, every pair of bodies on the CPU, twice)", lines[3])

	j := jsonEnergyReport(r, 1, 0.016, 250*time.Millisecond)
	assert.InDelta(t, 0.05, float64(j.Drift), 1e-15)
	assert.Equal(t, jsonFloat(-4), j.Start.Total)

	zero := nbody.EnergyReport{}
	assert.True(t, math.IsNaN(zero.Drift()))
	b, err := jsonEnergyReport(zero, 1, 0.016, 0).Drift.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "null", string(b), "a drift from zero energy means nothing")
}
