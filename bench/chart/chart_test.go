package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dataDir is the committed data, bench/data, seen from this package.
const dataDir = "../data"

// Every committed file reads, and each says where its figures came from.
func TestCommittedDataParses(t *testing.T) {
	runs, err := ReadRuns([]string{dataDir})
	require.NoError(t, err)
	require.NotEmpty(t, runs)
	for _, r := range runs {
		assert.NotEmpty(t, r.Points, r.Path)
		assert.NotEmpty(t, r.Commands, r.Path)
		assert.NotEmpty(t, r.Devices, r.Path)
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}-`, filepath.Base(r.Path), "files are named by the run's day first")
		assert.Equal(t, r.Date, filepath.Base(r.Path)[:10], "%s: the name's day is the run's", r.Path)
	}
}

// The H200 chart draws exactly the measured figures of issue 14's list:
// one line per program, precision and number of GPUs, where a figure given
// by two runs comes from the earlier file (the single-GPU sweeps before the
// two-GPU tables' one-GPU columns).
func TestChartLinesFromCommittedData(t *testing.T) {
	runs, err := ReadRuns([]string{dataDir})
	require.NoError(t, err)
	lines, err := collect(runs, "NVIDIA H200")
	require.NoError(t, err)
	got := map[string]map[int]float64{}
	var order []string
	for _, s := range lines {
		order = append(order, s.label())
		got[s.label()] = map[int]float64{}
		for _, p := range s.points {
			got[s.label()][p.N] = p.GIs
		}
	}
	assert.Equal(t, []string{
		"nbody-go, fp32, 2 GPUs", "nbody-go, fp32, 1 GPU", "nbody-go, fp64, 2 GPUs", "nbody-go, fp64, 1 GPU",
		"CUDA sample, fp32, 2 GPUs", "CUDA sample, fp32, 1 GPU", "CUDA sample, fp64, 2 GPUs", "CUDA sample, fp64, 1 GPU",
	}, order)
	assert.Equal(t, map[string]map[int]float64{
		"nbody-go, fp32, 1 GPU":     {16384: 1909.0, 65536: 2108.6, 135168: 2129.7, 262144: 2140.4, 1048576: 2145.1},
		"nbody-go, fp64, 1 GPU":     {135168: 805.5, 262144: 809.2, 524288: 810.6},
		"nbody-go, fp32, 2 GPUs":    {262144: 4265.6, 1048576: 4286.3},
		"nbody-go, fp64, 2 GPUs":    {524288: 1617.9},
		"CUDA sample, fp32, 1 GPU":  {16384: 497.2, 65536: 1410, 135168: 1507, 262144: 1522, 1048576: 1575.5, 4194304: 1626.1},
		"CUDA sample, fp64, 1 GPU":  {135168: 649, 262144: 674.5, 524288: 691.3},
		"CUDA sample, fp32, 2 GPUs": {262144: 2853.8, 1048576: 3098.4, 4194304: 3213.5},
		"CUDA sample, fp64, 2 GPUs": {524288: 1334.1},
	}, got)
	for _, s := range lines {
		for i := 1; i < len(s.points); i++ {
			assert.Less(t, s.points[i-1].N, s.points[i].N, "%s: in order of N", s.label())
		}
	}

	_, err = collect(runs, "NVIDIA B200")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no figures for GPU "NVIDIA B200"`)
	assert.Contains(t, err.Error(), `"NVIDIA H200"`, "it names the GPUs there are")
}

// The chart renders from the committed data to a PNG of the chart's size,
// the same bytes each time.
func TestChartRenders(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	for _, out := range []string{a, b} {
		cfg, err := parseFlags([]string{"-o", out, dataDir}, os.Stderr)
		require.NoError(t, err)
		require.NoError(t, run(cfg))
	}
	first, err := os.ReadFile(a)
	require.NoError(t, err)
	second, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, first, second, "the same data gives the same bytes")

	img, err := png.Decode(bytes.NewReader(first))
	require.NoError(t, err)
	assert.Equal(t, 800, img.Bounds().Dx())
	assert.Equal(t, 500, img.Bounds().Dy())

	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, left, 2, "no temporary file left behind")
}

// A bad file stops the chart before anything is written.
func TestChartStopsOnBadData(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "2026-11-30-bad.tsv")
	require.NoError(t, os.WriteFile(bad, []byte("# program: ours\ngpus\tprecision\tn\tgis\n1\tsingle\t5\tfast\n"), 0o644))
	out := filepath.Join(dir, "speed.png")
	cfg, err := parseFlags([]string{"-o", out, dir}, os.Stderr)
	require.NoError(t, err)
	err = run(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+`:3: gis "fast": not a number`)
	assert.NoFileExists(t, out)
}
