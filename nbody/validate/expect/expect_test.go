package expect

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	h100 = Chip{Name: "NVIDIA H100 80GB HBM3", Major: 9, Minor: 0, Multiprocessors: 132, MaxClockMHz: 1980}
	h200 = Chip{Name: "NVIDIA H200", Major: 9, Minor: 0, Multiprocessors: 132, MaxClockMHz: 1980}
)

// The model, with the measured rows out of the way, must land within 10%
// of what we measured on H100 and H200 (issue 23).
func TestModelPredictsTheMeasuredChips(t *testing.T) {
	for _, c := range []Chip{h100, h200} {
		row, ok := lookup(c.Name)
		require.True(t, ok, c.Name)
		for _, double := range []bool{false, true} {
			want := row.gips32
			if double {
				want = row.gips64
			}
			got, ok := model(c, double)
			require.True(t, ok)
			assert.InEpsilon(t, want, got, 0.10, "%s double=%v: model %.1f, measured %.1f", c.Name, double, got, want)
		}
	}
}

// The efficiencies are what the measured table says they are, so that a
// new figure in the table cannot leave them behind unnoticed.
func TestEfficienciesFollowFromTheMeasuredRows(t *testing.T) {
	var sum32, sum64 float64
	for _, c := range []Chip{h100, h200} {
		row, _ := lookup(c.Name)
		lim32, _ := limit(c, false)
		lim64, _ := limit(c, true)
		sum32 += row.gips32 / lim32
		sum64 += row.gips64 / lim64
	}
	assert.InDelta(t, sum32/2, efficiency32, 1e-4)
	assert.InDelta(t, sum64/2, efficiency64, 1e-4)
	// And the limits are issue 9's: 2,573 GI/s fp32, 1,045 fp64 on Hopper.
	lim32, _ := limit(h100, false)
	lim64, _ := limit(h100, true)
	assert.InDelta(t, 2573.4, lim32, 0.1)
	assert.InDelta(t, 1045.44, lim64, 0.01)
}

// Every measured row is the figure its bench/data file holds at the
// validation's default N, 4 × 256 × SMs.
func TestMeasuredMatchesBenchData(t *testing.T) {
	for _, r := range measured {
		n := 4 * 256 * r.multiprocessors
		got := readSweep(t, filepath.Join("..", "..", "..", "bench", "data", r.source), n)
		assert.Equal(t, r.name, got.gpu, r.source)
		assert.Equal(t, r.gips32, got.single, "%s fp32 at n=%d", r.source, n)
		assert.Equal(t, r.gips64, got.double, "%s fp64 at n=%d", r.source, n)
	}
}

type sweep struct {
	gpu            string
	single, double float64
}

// readSweep takes the one-GPU device-memory rows at n from a bench/data
// file (bench/data/README.md gives the format).
func readSweep(t *testing.T, path string, n int) sweep {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var s sweep
	var cols map[string]int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# gpu:"); ok {
			s.gpu = strings.TrimSpace(v)
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = map[string]int{}
			for i, name := range fields {
				cols[name] = i
			}
			continue
		}
		field := func(name string) string {
			i, ok := cols[name]
			if !ok {
				return ""
			}
			return fields[i]
		}
		if field("gpus") != "1" || field("n") != strconv.Itoa(n) || (field("memory") != "" && field("memory") != "device") {
			continue
		}
		v, err := strconv.ParseFloat(field("gis"), 64)
		require.NoError(t, err, line)
		switch field("precision") {
		case "single":
			s.single = v
		case "double":
			s.double = v
		}
	}
	require.NoError(t, sc.Err())
	return s
}

func TestMeasuredWinsOverTheModel(t *testing.T) {
	e, ok := Rate(h200, false)
	require.True(t, ok)
	modelled, ok := model(h200, false)
	require.True(t, ok)
	assert.Equal(t, Expectation{GIps: 2129.7, Source: Measured, Basis: "NVIDIA H200 (measured)", ModelGIps: modelled}, e)
	assert.InEpsilon(t, e.GIps, e.ModelGIps, 0.10, "the model within 10% of the measured row")

	e, ok = Rate(h100, true)
	require.True(t, ok)
	assert.Equal(t, Measured, e.Source)
	assert.Equal(t, 806.0, e.GIps)

	// A name the table lacks, with the same figures, gets the model.
	pcie := h100
	pcie.Name = "NVIDIA H100 PCIe"
	pcie.Multiprocessors, pcie.MaxClockMHz = 114, 1755
	e, ok = Rate(pcie, false)
	require.True(t, ok)
	assert.Equal(t, Model, e.Source)
	assert.Equal(t, "NVIDIA H100 PCIe (model)", e.Basis)
	// 114 SMs × 128/13 × 1.755 GHz × 0.82757.
	assert.InDelta(t, 114*128.0/13*1.755*efficiency32, e.GIps, 1e-9)
	assert.Equal(t, e.GIps, e.ModelGIps)
}

// A MIG instance gets its share of the SMs, of the measured row or of the
// model alike.
func TestMIGGetsItsShareOfTheMultiprocessors(t *testing.T) {
	slice := h100
	slice.Multiprocessors, slice.FullMultiprocessors = 16, 132
	e, ok := Rate(slice, false)
	require.True(t, ok)
	assert.Equal(t, Measured, e.Source)
	assert.InDelta(t, 2129.6*16/132, e.GIps, 1e-9)
	assert.Equal(t, "NVIDIA H100 80GB HBM3, 16 of 132 SMs (measured)", e.Basis)

	a100 := Chip{Name: "NVIDIA A100-SXM4-40GB", Major: 8, Minor: 0, Multiprocessors: 108, MaxClockMHz: 1410}
	whole, ok := Rate(a100, true)
	require.True(t, ok)
	a100.Multiprocessors, a100.FullMultiprocessors = 14, 108 // 1g.5gb
	part, ok := Rate(a100, true)
	require.True(t, ok)
	assert.InDelta(t, whole.GIps*14/108, part.GIps, 1e-9)
	assert.Equal(t, "NVIDIA A100-SXM4-40GB, 14 of 108 SMs (model)", part.Basis)
}

// What the table does not know gets no expectation, never a guess.
func TestUnknownGetsNoExpectation(t *testing.T) {
	for name, c := range map[string]Chip{
		"capability 10.3":                   {Name: "NVIDIA B300", Major: 10, Minor: 3, Multiprocessors: 148, MaxClockMHz: 2000},
		"capability 3.5":                    {Name: "Tesla K40", Major: 3, Minor: 5, Multiprocessors: 15, MaxClockMHz: 875},
		"capability 13.0":                   {Name: "future", Major: 13, Multiprocessors: 100, MaxClockMHz: 2000},
		"no clock":                          {Name: "NVIDIA L4", Major: 8, Minor: 9, Multiprocessors: 58},
		"no multiprocessors":                {Name: "NVIDIA L4", Major: 8, Minor: 9, MaxClockMHz: 2040},
		"measured name, no multiprocessors": {Name: "NVIDIA H200", Major: 9},
	} {
		_, ok := Rate(c, false)
		assert.False(t, ok, name)
		_, ok = Rate(c, true)
		assert.False(t, ok, name)
	}
}

// The binding unit changes with the chip: the issue slots on Hopper in
// fp32, the FP32 lanes on 64-lane chips, the two FP64 lanes of GeForce.
func TestTheTightestUnitBinds(t *testing.T) {
	per := func(c Chip, double bool) float64 {
		lim, ok := limit(c, double)
		require.True(t, ok)
		return lim / float64(c.Multiprocessors) / (float64(c.MaxClockMHz) / 1e3)
	}
	assert.InDelta(t, 128.0/13, per(h100, false), 1e-12) // issue
	assert.InDelta(t, 64.0/16, per(h100, true), 1e-12)   // FP64 lanes
	v100 := Chip{Major: 7, Multiprocessors: 80, MaxClockMHz: 1530}
	assert.InDelta(t, 64.0/12, per(v100, false), 1e-12) // FP32 lanes
	rtx := Chip{Major: 8, Minor: 9, Multiprocessors: 128, MaxClockMHz: 2520}
	assert.InDelta(t, 2.0/16, per(rtx, true), 1e-12) // FP64 lanes
	p100 := Chip{Major: 6, Multiprocessors: 56, MaxClockMHz: 1328}
	assert.InDelta(t, 64.0/13, per(p100, false), 1e-12) // 2 schedulers
	for cc, l := range byCapability {
		assert.Positive(t, l.fp32, cc)
		assert.Positive(t, l.fp64, cc)
		assert.Positive(t, l.sfu, cc)
		assert.Positive(t, l.issue, cc)
	}
}

// The model against the CUDA sample's `nbody -benchmark` figures that
// users posted for other GPUs, scaled by our measured ratio to the sample.
//
// Which ratio: where the same unit bounds both kernels on both chips, our
// ratio to the sample measured on Hopper carries over. In fp64 both are
// bound by the FP64 lanes on Hopper, A100 and P100 alike (the sample's
// double rsqrt costs it some 18 fp64 instructions to our 16), so the fp64
// ratio at the nearest N we measured is used: 809.8 ÷ 674.2 = 1.201 on
// H100 and 809.2 ÷ 674.5 = 1.200 on H200 at 262,144 bodies
// (bench/data/2026-11-25-h100-sweep-ours.tsv and 2026-11-30-h200-sweep-ours.tsv
// against bench/RESULTS.md's and bench/data/2026-11-30-h200-sample.tsv's
// sample figures); 1.20. (At the sample's default N, 135,168 on Hopper, it
// is 1.24: the sample's rate still grows with N there, so the ratio of the
// posted run's N matters, and both posts ran N well above that.) The fp32
// ratio (1.40 at 135,168) is not used for other architectures: on Hopper it
// comes from the issue slots, which bind neither kernel on a chip with 64
// FP32 lanes per SM, and no citable fp32 post from a 128-lane chip (8.6,
// 8.9) with a known clock was found.
//
// Tolerance: the model may err low by up to 25% and high by up to 10%.
// Low: its efficiency is Hopper's, whose FP64 pipes are twice as wide per
// SM as A100's and P100's and the hardest to keep fed; on narrower pipes
// the kernel (and the sample: 92% of the A100's FP64 lanes, 70% of the
// H100's) gets closer to the limit, so the model under-predicts, which
// only makes a sound GPU's share higher. High would be a sound GPU called
// slow, so that side is held to 10%. The clocks are NVIDIA's maximum boost
// clocks of the two boards, as NVML reports them for data-centre parts.
func TestModelAgainstPublishedSampleFigures(t *testing.T) {
	const fp64Ratio = 1.20
	for _, tc := range []struct {
		name   string
		chip   Chip
		sample float64 // the post's GI/s
	}{
		// https://github.com/EPCCed/eidf-docs/blob/main/docs/services/gpuservice/training/L1_getting_started.md
		// (EIDF GPU service docs): "Compute 8.0 CUDA device: [NVIDIA
		// A100-SXM4-40GB]", nbody-cuda11.7.1, -fp64 -numbodies=512000:
		// 247.989 GI/s. A100 SXM4: 108 SMs, 1,410 MHz.
		{"A100-SXM4-40GB fp64", Chip{Name: "NVIDIA A100-SXM4-40GB", Major: 8, Minor: 0, Multiprocessors: 108, MaxClockMHz: 1410}, 247.989},
		// https://github.com/eth-cscs/sarus/blob/1.6.1/doc/cookbook/gpu/cuda_nbody.rst
		// (Sarus docs, Piz Daint): "Compute 6.0 CUDA device: [Tesla
		// P100-PCIE-16GB]", CUDA 9.2 samples, -fp64 -numbodies=200000
		// (run as 200,192): 102.054 GI/s. P100 PCIe: 56 SMs, 1,328 MHz.
		{"P100-PCIE-16GB fp64", Chip{Name: "Tesla P100-PCIE-16GB", Major: 6, Minor: 0, Multiprocessors: 56, MaxClockMHz: 1328}, 102.054},
	} {
		e, ok := Rate(tc.chip, true)
		require.True(t, ok, tc.name)
		require.Equal(t, Model, e.Source, tc.name)
		want := tc.sample * fp64Ratio
		rel := e.GIps/want - 1
		t.Logf("%s: model %.1f GI/s, sample × %.2f = %.1f, %+.1f%%", tc.name, e.GIps, fp64Ratio, want, rel*100)
		assert.GreaterOrEqual(t, rel, -0.25, tc.name)
		assert.LessOrEqual(t, rel, 0.10, tc.name)
	}
}

func TestShare(t *testing.T) {
	e := Expectation{GIps: 2000, Source: Model, Basis: "x (model)"}
	assert.InDelta(t, 0.5, Share(1000, e), 1e-12)
	assert.InDelta(t, 1.05, Share(2100, e), 1e-12)
	assert.Zero(t, Share(1000, Expectation{}))
}

func TestSlow(t *testing.T) {
	h, ok := Rate(h200, false)
	require.True(t, ok)

	// The issue's example, and the H100 held at its power cap.
	reason, slow := Slow(0.48*2120, Expectation{GIps: 2120, Source: Measured, Basis: "NVIDIA H200 (measured)"}, DefaultMinShare)
	assert.True(t, slow)
	assert.Equal(t, "slow: 48% of the 2,120 GI/s expected of an NVIDIA H200 (measured)", reason)
	h1, _ := Rate(h100, false)
	reason, slow = Slow(922, h1, DefaultMinShare)
	assert.True(t, slow)
	assert.Equal(t, "slow: 43% of the 2,130 GI/s expected of an NVIDIA H100 80GB HBM3 (measured)", reason)

	// Every figure we measured at the validation's N passes, the lowest
	// (2,114.7 GI/s on H200 under -alldevices) included.
	for _, gips := range []float64{2114.7, 2116.3, 2120.2, 2122.1, 2129.7, 2131.3} {
		_, slow = Slow(gips, h, DefaultMinShare)
		assert.False(t, slow, gips)
	}
	// Just under the bound is slow, and says 74%, not 75%.
	reason, slow = Slow(0.7499*h.GIps, h, DefaultMinShare)
	assert.True(t, slow)
	assert.Contains(t, reason, "slow: 74% of the 2,130 GI/s")
	_, slow = Slow(0.75*h.GIps, h, DefaultMinShare)
	assert.False(t, slow)

	// No expectation, no verdict.
	_, slow = Slow(1, Expectation{}, DefaultMinShare)
	assert.False(t, slow)

	// The article follows the name.
	reason, _ = Slow(1, Expectation{GIps: 100, Basis: "Tesla T4 (model)"}, DefaultMinShare)
	assert.Equal(t, "slow: 1% of the 100 GI/s expected of a Tesla T4 (model)", reason)
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999.4: "999", 999.6: "1,000", 2129.7: "2,130", 1234567: "1,234,567"} {
		assert.Equal(t, want, thousands(v), v)
	}
}
