package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

func TestFallbackLine(t *testing.T) {
	assert.Equal(t, "> No CUDA GPU available (libcuda.so.1 not found); running on the CPU", fallbackLine("libcuda.so.1 not found"))
	assert.Equal(t, "> No CUDA GPU available; running on the CPU", fallbackLine(""))
}

func TestBlockSizes(t *testing.T) {
	for _, n := range []int{32, 64, 96, 128, 256, 384, 512, 1024} {
		assert.NoError(t, gpu.CheckBlockSize(n), n)
	}
	for _, n := range []int{-256, 0, 1, 16, 31, 48, 100, 1000, 2048} {
		assert.Error(t, gpu.CheckBlockSize(n), n)
	}
	_, err := parseFlags([]string{"-blockSize=100"})
	assert.EqualError(t, err, `Error: "blockSize" specified 100 is invalid.  Value should be a multiple of 32 from 32 to 1024`)
}

func TestReportFollowsTheSamplesFormat(t *testing.T) {
	// The sample's H100 run (bench/ANCHORS.md: 1,517.6 GI/s at the default
	// N) took 120.38896 ms by its event timer;
	// the same figures must come out, line for line.
	f := modes.Throughput(135168, 10, 120388960*time.Nanosecond, nbody.Single)
	var b bytes.Buffer
	printReport(&b, f)
	assert.Equal(t, "135168 bodies, total time for 10 iterations: 120.389 ms\n"+
		"= 1517.613 billion interactions per second\n"+
		"= 30352.265 single-precision GFLOP/s at 20 flops per interaction\n", b.String())
}

// A comparison whose positions pass but whose accelerations break the
// bound fails, and prints no "  OK".
func TestComparisonVerdict(t *testing.T) {
	host := []float64{1, 2, 3, 1, 4, 5, 6, 1}
	pos, err := nbody.ComparePositions(host, host, 0.0005)
	require.NoError(t, err)
	good := modes.Comparison{Steps: 1, DT: 0.001, Compared: "test", Positions: pos,
		Acceleration: nbody.AccelerationCheck{Error: 1e-7, Bound: 2e-5}}
	assert.True(t, good.Passed())
	lines := comparisonLines(good)
	require.Len(t, lines, 2)
	assert.Equal(t, "  OK", lines[0])
	assert.Regexp(t, summaryRe, lines[1])
	assert.True(t, strings.HasSuffix(lines[1], ": PASS"))

	badAccel := good
	badAccel.Acceleration.Error = 3e-4
	assert.False(t, badAccel.Passed())
	lines = comparisonLines(badAccel)
	assert.NotContains(t, strings.Join(lines, "\n"), "  OK")
	assert.True(t, strings.HasSuffix(lines[len(lines)-1], ": FAIL"))
}

// comparisonLines is what printComparison prints for c, line by line.
func comparisonLines(c modes.Comparison) []string {
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
	c := modes.Comparison{Steps: 2, DT: 0.001, Compared: "test", Positions: pos,
		Acceleration: nbody.AccelerationCheck{Error: 1e-7, Bound: 2e-5}}
	assert.False(t, c.Passed())
	lines := comparisonLines(c)
	require.Len(t, lines, 12)
	assert.Equal(t, "Error: (host)0.000000 != (device)0.125000", lines[0], "the sample's %f format")
	assert.Equal(t, "Error: (host)4.500000 != (device)4.625000", lines[9])
	assert.Equal(t, "... and 3 more values outside the tolerance", lines[10])
	m := summaryRe.FindStringSubmatch(lines[11])
	require.NotNil(t, m, lines[11])
	assert.Equal(t, []string{"8", "2", "13", "32", "FAIL"}, m[1:])

}
