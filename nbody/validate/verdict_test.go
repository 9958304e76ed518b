package validate

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// The GPUs of these tests: an H200 as CUDA describes it, and a MIG
// instance of an H100.
var (
	h200    = gpu.Device{Name: "NVIDIA H200", Major: 9, Minor: 0, Multiprocessors: 132, ClockKHz: 1_980_000}
	h100MIG = gpu.Device{Name: "NVIDIA H100 80GB HBM3 MIG 1g.10gb", Major: 9, Minor: 0, Multiprocessors: 16, ClockKHz: 1_980_000}
	// h200Rate is the measured row's fp32 figure (expect's measured.go).
	h200Rate = 2129.7
)

// judgeOptions are a default run's on an H200: 4 × 256 × 132 bodies.
func judgeOptions() Options {
	return Options{Precision: nbody.Single, Bodies: 135168, BlockSize: gpu.DefaultBlockSize}
}

// ran is a GPU that ran its windows at these rates, accurately, with these
// readings taken during the windows.
func ranAt(d gpu.Device, during []Reading, gis ...float64) GPUResult {
	w := make([]modes.Figures, len(gis))
	for i, g := range gis {
		w[i] = modes.Figures{GInteractions: g}
	}
	return GPUResult{Device: d, Windows: w, Checks: len(gis), Accuracy: 1e-7, AccuracyBound: 2e-5, During: during}
}

func ptr[T any](v T) *T { return &v }

// healthy is a reading of a sound H200 at work.
func healthy() Reading {
	return Reading{SMClockMHz: ptr(1980), MaxSMClockMHz: ptr(1980), ThrottleReasons: []string{},
		PowerLimitW: ptr(700.0), DefaultPowerLimitW: ptr(700.0),
		PCIe:         &PCIeLink{Gen: 5, Width: 16, MaxGen: 5, MaxWidth: 16, GPUMaxGen: 5},
		NVLink:       &NVLinks{Up: []int{0, 1, 2, 3}, Down: []int{}},
		RowRemapping: &RowRemapping{}, Processes: []Process{}}
}

// A sound H200 passes, with its share of the measured figure.
func TestSoundGPUPasses(t *testing.T) {
	g := []GPUResult{ranAt(h200, []Reading{healthy()}, 2118.4)}
	judge(g, judgeOptions())
	require.True(t, g[0].Passed, "%v", g[0].Reasons)
	require.NotNil(t, g[0].Expected)
	assert.Equal(t, expect.Measured, g[0].Expected.Source)
	assert.InDelta(t, 2118.4/h200Rate, g[0].Share, 1e-12)
	assert.Empty(t, g[0].NoExpectation)
}

// One GPU is enough: at half its expected rate it fails, with no peer to
// compare it with; and two at half both fail, though each is the median.
func TestHalfSpeedFails(t *testing.T) {
	one := []GPUResult{ranAt(h200, nil, 0.48*2120)}
	judge(one, judgeOptions())
	assert.False(t, one[0].Passed)
	assert.Equal(t, []string{"slow: 47% of the 2,130 GI/s expected of an NVIDIA H200 (measured)"}, one[0].Reasons)

	two := []GPUResult{ranAt(h200, nil, h200Rate/2), ranAt(h200, nil, h200Rate/2)}
	two[1].Device.Ordinal = 1
	judge(two, judgeOptions())
	for i, g := range two {
		assert.False(t, g.Passed, "GPU %d", i)
		assert.InDelta(t, 1, g.Ratio, 1e-12, "each is its peers' median")
		assert.Equal(t, []string{"slow: 50% of the 2,130 GI/s expected of an NVIDIA H200 (measured)"}, g.Reasons)
	}

	// The threshold is an option, and a negative one turns the rule off.
	o := judgeOptions()
	o.MinShare = 0.4
	judge(one, o)
	assert.True(t, one[0].Passed, "%v", one[0].Reasons)
	o.MinShare = -1
	judge(two, o)
	assert.True(t, two[0].Passed, "%v", two[0].Reasons)

	// In fp64 the figure is the fp64 row's.
	o = judgeOptions()
	o.Precision = nbody.Double
	dbl := []GPUResult{ranAt(h200, nil, 805)}
	judge(dbl, o)
	assert.True(t, dbl[0].Passed, "%v", dbl[0].Reasons)
	assert.InDelta(t, 805.5, dbl[0].Expected.GIps, 1e-9)
}

// Hardware and thermal slowdown at 1,100 of 1,980 MHz, seen in one window
// of three, fail the GPU and are named; the rate alone (61%) would too.
func TestClockFaultsFail(t *testing.T) {
	slowed := healthy()
	slowed.SMClockMHz, slowed.ThrottleReasons = ptr(1100), []string{"HwSlowdown", "HwThermalSlowdown"}
	g := []GPUResult{ranAt(h200, []Reading{healthy(), slowed, healthy()}, 2120, 1300, 2120)}
	judge(g, judgeOptions())
	assert.False(t, g[0].Passed)
	assert.Equal(t, []string{"clock faults during the run: HwSlowdown+HwThermalSlowdown (SM 1100 of 1980 MHz)"}, g[0].Reasons,
		"the median window is at full speed: the fault alone fails it")

	for _, fault := range []string{"HwSlowdown", "HwThermalSlowdown", "HwPowerBrakeSlowdown", "SwThermalSlowdown"} {
		r := healthy()
		r.ThrottleReasons = []string{fault}
		g := []GPUResult{ranAt(h200, []Reading{r}, 2120)}
		judge(g, judgeOptions())
		assert.Equal(t, []string{"clock faults during the run: " + fault + " (SM 1980 of 1980 MHz)"}, g[0].Reasons)
	}

	// Seen only before or after the run, it is not the run's.
	g = []GPUResult{ranAt(h200, []Reading{healthy()}, 2120)}
	g[0].Before, g[0].After = &slowed, &slowed
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
}

// A software power cap alone is named, and fails only through the rate.
func TestPowerCapAlone(t *testing.T) {
	capped := healthy()
	capped.ThrottleReasons, capped.PowerLimitW = []string{"SwPowerCap"}, ptr(500.0)
	g := []GPUResult{ranAt(h200, []Reading{capped}, 2110)}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
	line := g[0].String()
	assert.Contains(t, line, ", throttle SwPowerCap")
	assert.Contains(t, line, ", power limit 500 of 700 W")

	g = []GPUResult{ranAt(h200, []Reading{capped}, 922)}
	judge(g, judgeOptions())
	assert.Equal(t, []string{"slow: 43% of the 2,130 GI/s expected of an NVIDIA H200 (measured), with the power cap and a power limit of 500 of the default 700 W"}, g[0].Reasons)
}

// A PCIe link below what the GPU and its slot can do, in every window,
// fails; the link an idle GPU lowers before and after the run does not,
// nor does a slot slower than the GPU.
func TestPCIeLink(t *testing.T) {
	low := healthy()
	low.PCIe = &PCIeLink{Gen: 3, Width: 8, MaxGen: 5, MaxWidth: 16, GPUMaxGen: 5}
	g := []GPUResult{ranAt(h200, []Reading{low, low}, 2120, 2120)}
	judge(g, judgeOptions())
	assert.Equal(t, []string{"pcie: Gen3 x8 of Gen5 x16"}, g[0].Reasons)
	assert.Contains(t, g[0].String(), ", PCIe Gen3 x8 of Gen5 x16")

	// One window at full speed: the link can run at its best.
	g = []GPUResult{ranAt(h200, []Reading{low, healthy()}, 2120, 2120)}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
	assert.Equal(t, &PCIeLink{Gen: 5, Width: 16, MaxGen: 5, MaxWidth: 16, GPUMaxGen: 5}, g[0].Observed.PCIe)

	idle := healthy()
	idle.PCIe = &PCIeLink{Gen: 1, Width: 16, MaxGen: 5, MaxWidth: 16}
	g = []GPUResult{ranAt(h200, []Reading{healthy()}, 2120)}
	g[0].Before, g[0].After = &idle, &idle
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)

	slot := healthy()
	slot.PCIe = &PCIeLink{Gen: 4, Width: 16, MaxGen: 4, MaxWidth: 16, GPUMaxGen: 5}
	g = []GPUResult{ranAt(h200, []Reading{slot}, 2120)}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "a Gen5 GPU in a Gen4 slot: %v", g[0].Reasons)
}

// NVLink links down fail, told from links that are not there.
func TestNVLinks(t *testing.T) {
	down := healthy()
	down.NVLink = &NVLinks{Up: []int{0, 1}, Down: []int{2, 3}}
	g := []GPUResult{ranAt(h200, []Reading{down}, 2120)}
	judge(g, judgeOptions())
	assert.Equal(t, []string{"nvlink: 2 of 4 links down (2, 3)"}, g[0].Reasons)
	assert.Contains(t, g[0].String(), ", NVLink 2 of 4 up")

	// Links that went down during the run: up before, all down after.
	allDown := healthy()
	allDown.NVLink = &NVLinks{Up: []int{}, Down: []int{0, 1, 2, 3}}
	g = []GPUResult{ranAt(h200, []Reading{allDown}, 2120)}
	g[0].Before = ptr(healthy())
	judge(g, judgeOptions())
	assert.Equal(t, []string{"nvlink: 4 of 4 links down (0, 1, 2, 3)"}, g[0].Reasons)

	// Never up: a PCIe card without a bridge, no failure ...
	g = []GPUResult{ranAt(h200, []Reading{allDown}, 2120)}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
	assert.Contains(t, g[0].String(), ", NVLink 0 of 4 up")
	// ... unless a GPU of the same model in the run has links up.
	g = []GPUResult{ranAt(h200, []Reading{allDown}, 2120), ranAt(h200, []Reading{healthy()}, 2120)}
	g[1].Device.Ordinal = 1
	judge(g, judgeOptions())
	assert.Equal(t, []string{"nvlink: all 4 links down, while GPU 1, the same model, has links up"}, g[0].Reasons)
	assert.True(t, g[1].Passed, "%v", g[1].Reasons)

	// No link answered: unknown, nothing said.
	none := healthy()
	none.NVLink = nil
	g = []GPUResult{ranAt(h200, []Reading{none}, 2120)}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed)
	assert.NotContains(t, g[0].String(), "NVLink")
}

// Row remapping pending or failed, and retired pages pending, fail; rows
// remapped in the past are only counted.
func TestMemoryRepairs(t *testing.T) {
	for _, tc := range []struct {
		remap   RowRemapping
		retired bool
		want    []string
	}{
		{RowRemapping{Correctable: 2}, false, nil},
		{RowRemapping{Uncorrectable: 1, Pending: true}, false, []string{"row remapping: pending, the GPU needs a reset"}},
		{RowRemapping{Failed: true}, false, []string{"row remapping: a remapping failed"}},
		{RowRemapping{Failed: true, Pending: true}, false, []string{"row remapping: a remapping failed, and remappings are pending a reset"}},
		{RowRemapping{}, true, []string{"retired pages: pending, the GPU needs a reset"}},
	} {
		r := healthy()
		r.RowRemapping, r.RetiredPagesPending = &tc.remap, ptr(tc.retired)
		g := []GPUResult{ranAt(h200, nil, 2120)}
		g[0].After = &r // any reading counts: these are states, not events
		judge(g, judgeOptions())
		assert.Equal(t, tc.want, g[0].Reasons, "%+v retired %v", tc.remap, tc.retired)
	}
	r := healthy()
	r.RowRemapping = &RowRemapping{Correctable: 2, Uncorrectable: 1}
	g := []GPUResult{ranAt(h200, []Reading{r}, 2120)}
	judge(g, judgeOptions())
	assert.Contains(t, g[0].String(), ", 3 rows remapped")
}

// Other processes on the GPU are named, with their commands where /proc
// shows them, never failed; this process is left out.
func TestOtherProcesses(t *testing.T) {
	defer swapProcesses(map[int]string{4242: "python3"})()
	r := healthy()
	r.Processes = []Process{{PID: selfPID, Kind: "compute"}, {PID: 4242, Kind: "compute"}, {PID: 99, Kind: "graphics"}}
	g := []GPUResult{ranAt(h200, []Reading{r}, 2120)}
	g[0].Before = &Reading{Processes: []Process{{PID: 4242, Kind: "compute"}}}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
	assert.Equal(t, []Process{{PID: 4242, Kind: "compute", Name: "python3"}, {PID: 99, Kind: "graphics"}}, g[0].Observed.OtherProcesses)
	assert.Contains(t, g[0].String(), ", other processes: 4242 (python3), 99: PASS")

	// A driver that gives the host's PIDs, in a container: this process is
	// the one PID that appears once the GPU is open.
	r.Processes = []Process{{PID: 4242, Kind: "compute"}, {PID: 731000, Kind: "compute"}}
	g[0].During = []Reading{r}
	judge(g, judgeOptions())
	assert.Equal(t, []Process{{PID: 4242, Kind: "compute", Name: "python3"}}, g[0].Observed.OtherProcesses)
	// With two new ones, neither can be told for ours: both are named.
	r.Processes = append(r.Processes, Process{PID: 731001, Kind: "compute"})
	g[0].During = []Reading{r}
	judge(g, judgeOptions())
	assert.Len(t, g[0].Observed.OtherProcesses, 3)

	// No list: unknown (nil), not none.
	g = []GPUResult{ranAt(h200, []Reading{{}}, 2120)}
	judge(g, judgeOptions())
	assert.Nil(t, g[0].Observed.OtherProcesses)
}

// swapProcesses makes /proc show these commands, and returns the undo.
func swapProcesses(names map[int]string) func() {
	old := processName
	processName = func(pid int) string { return names[pid] }
	return func() { processName = old }
}

// A reading the driver or the GPU does not give is unknown: no verdict
// from it, null in JSON, left out of the line.
func TestUnknownReadings(t *testing.T) {
	g := []GPUResult{ranAt(h200, []Reading{{}}, 2120)}
	g[0].Before, g[0].After = &Reading{}, &Reading{}
	judge(g, judgeOptions())
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)
	ob := g[0].Observed
	assert.Nil(t, ob.ClockEvents)
	assert.Nil(t, ob.PCIe)
	assert.Nil(t, ob.NVLink)
	assert.Nil(t, ob.RowRemapping)
	assert.Nil(t, ob.RetiredPagesPending)
	assert.Nil(t, ob.PowerLimitW)
	assert.Nil(t, ob.OtherProcesses)
	assert.Equal(t, `GPU 0 "NVIDIA H200": 2120.000 GI/s, 99% of 2,130 expected (measured), 1.000 of the median, accuracy 1e-07 (bound 2e-05): PASS`,
		g[0].String())

	doc, err := json.Marshal(Result{GPUs: g})
	require.NoError(t, err)
	var got struct {
		GPUs []map[string]any `json:"gpus"`
	}
	require.NoError(t, json.Unmarshal(doc, &got))
	for _, k := range []string{"clock_events_during_run", "lowest_sm_clock_mhz_during_run", "pcie", "nvlink", "row_remapping",
		"retired_pages_pending", "power_limit_w", "default_power_limit_w", "other_processes"} {
		v, ok := got.GPUs[0][k]
		assert.True(t, ok, "%s is there", k)
		assert.Nil(t, v, "%s is null", k)
	}
}

// The expectation is unknown, and says why, where nothing is known of the
// chip or the run is not the one the figures are for.
func TestUnknownExpectation(t *testing.T) {
	for _, tc := range []struct {
		dev  gpu.Device
		o    func(*Options)
		want string
	}{
		{gpu.Device{Name: "Tesla K40", Major: 3, Minor: 5, Multiprocessors: 15, ClockKHz: 875_000}, nil, "no figure for compute capability 3.5"},
		{gpu.Device{Name: "x", Major: 9}, nil, "the driver gave no multiprocessor count"},
		{gpu.Device{Name: "NVIDIA L4", Major: 8, Minor: 9, Multiprocessors: 58}, nil, "no maximum SM clock"},
		{h200, func(o *Options) { o.BlockSize = 128 }, "block size 128; the figure is for 256"},
		{h200, func(o *Options) { o.Bodies = 4096 }, "4096 bodies, under half the 135168 the figure is for"},
	} {
		o := judgeOptions()
		if tc.o != nil {
			tc.o(&o)
		}
		g := []GPUResult{ranAt(tc.dev, nil, 1)}
		judge(g, o)
		assert.True(t, g[0].Passed, "%s: no verdict from an unknown expectation: %v", tc.want, g[0].Reasons)
		assert.Nil(t, g[0].Expected)
		assert.Equal(t, tc.want, g[0].NoExpectation)
		assert.Contains(t, g[0].String(), ", expected unknown ("+tc.want+")")
	}
	// Half the N is enough; NVML's maximum clock wins over CUDA's.
	o := judgeOptions()
	o.Bodies = 135168 / 2
	l4 := gpu.Device{Name: "NVIDIA L4", Major: 8, Minor: 9, Multiprocessors: 58, ClockKHz: 1_000_000}
	g := []GPUResult{ranAt(l4, []Reading{{MaxSMClockMHz: ptr(2040)}}, 900)}
	judge(g, o)
	require.NotNil(t, g[0].Expected)
	want, _ := expect.Rate(expect.Chip{Name: "NVIDIA L4", Major: 8, Minor: 9, Multiprocessors: 58, MaxClockMHz: 2040}, false)
	assert.InDelta(t, want.GIps, g[0].Expected.GIps, 1e-9)
	assert.Equal(t, expect.Model, g[0].Expected.Source)
}

// A MIG instance is held to its share of the whole GPU's figure, found by
// the name before " MIG ".
func TestMIGShare(t *testing.T) {
	o := judgeOptions()
	o.Bodies = 4 * 256 * 16
	g := []GPUResult{ranAt(h100MIG, nil, 250)}
	judge(g, o)
	require.NotNil(t, g[0].Expected)
	assert.InDelta(t, 2129.6*16/132, g[0].Expected.GIps, 1e-9)
	assert.Equal(t, "NVIDIA H100 80GB HBM3, 16 of 132 SMs (measured)", g[0].Expected.Basis)
	assert.True(t, g[0].Passed, "%v", g[0].Reasons)

	g = []GPUResult{ranAt(h100MIG, nil, 120)}
	judge(g, o)
	assert.Equal(t, []string{"slow: 46% of the 258 GI/s expected of an NVIDIA H100 80GB HBM3, 16 of 132 SMs (measured)"}, g[0].Reasons)

	// A MIG instance of a chip without a measured row: the model, for the
	// instance's multiprocessors.
	a100 := gpu.Device{Name: "NVIDIA A100-SXM4-40GB MIG 1g.5gb", Major: 8, Minor: 0, Multiprocessors: 14, ClockKHz: 1_410_000}
	o.Bodies = 4 * 256 * 14
	g = []GPUResult{ranAt(a100, nil, 100)}
	judge(g, o)
	require.NotNil(t, g[0].Expected)
	whole, _ := expect.Rate(expect.Chip{Name: "NVIDIA A100-SXM4-40GB", Major: 8, Multiprocessors: 108, MaxClockMHz: 1410}, false)
	assert.InDelta(t, whole.GIps*14/108, g[0].Expected.GIps, 1e-9)
	assert.Equal(t, "NVIDIA A100-SXM4-40GB (model)", g[0].Expected.Basis)
}

// windowTelemetry is a fake NVML: every reading has the window's number in
// its SM clock (1 before, then 2, 3, ... for the readings during windows
// and after), and the third reading, the second window's, has a thermal
// slowdown.
type windowTelemetry struct {
	mu sync.Mutex
	n  int
}

func (w *windowTelemetry) Read(d gpu.Device) (Reading, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	r := healthy()
	r.SMClockMHz = ptr(1000 + w.n)
	if w.n == 3 {
		r.ThrottleReasons = []string{"SwThermalSlowdown"}
	}
	return r, nil
}

// Through a whole run: a reading before, one during every window, one
// after; a fault seen in any window fails the GPU.
func TestReadingsDuringWindows(t *testing.T) {
	phys := nbody.Presets[0].Physics()
	units := []unit{{device: h200, open: func() (nbody.Integrator, error) {
		return clocked{nbody.NewReference(phys), time.Millisecond}, nil
	}}}
	o := validateOptions()
	o.Bodies, o.Steps, o.Duration, o.Window = 256, 0, 200*time.Millisecond, 40*time.Millisecond
	tel := &windowTelemetry{}
	o.Telemetry = tel
	v, err := validate(context.Background(), units, o)
	require.NoError(t, err)
	g := v.GPUs[0]
	require.GreaterOrEqual(t, len(g.Windows), 2)
	assert.Len(t, g.During, len(g.Windows), "one reading a window")
	assert.Equal(t, 1001, *g.Before.SMClockMHz)
	assert.Equal(t, 1002, *g.During[0].SMClockMHz)
	assert.Equal(t, 1002+len(g.Windows), *g.After.SMClockMHz)
	assert.Contains(t, g.Reasons, "clock faults during the run: SwThermalSlowdown (SM 1002 of 1980 MHz)")
	assert.Equal(t, []string{"SwThermalSlowdown"}, g.Observed.ClockEvents)
	assert.Contains(t, g.String(), ", expected unknown (256 bodies, under half the 135168 the figure is for)")
}

// The lines the report prints for the cases above, for the record: a
// sound H200 with every reading, and one slowed by another job and a
// thermal fault.
func TestReportLines(t *testing.T) {
	defer swapProcesses(map[int]string{4242: "python3"})()
	uuid := [16]byte{0x19, 0x2a, 0xe9, 0x4f}
	sound := ranAt(h200, []Reading{healthy()}, 2118.4)
	sound.Device.UUID = uuid
	sound.After = &Reading{SMClockMHz: ptr(1980), TemperatureC: ptr(44), PowerW: ptr(135.0), ThrottleReasons: []string{"GpuIdle"}}
	bad := healthy()
	bad.SMClockMHz, bad.ThrottleReasons, bad.PowerLimitW = ptr(1100), []string{"SwPowerCap", "HwThermalSlowdown"}, ptr(500.0)
	bad.Processes = []Process{{PID: 4242, Kind: "compute"}, {PID: selfPID, Kind: "compute"}}
	slowed := ranAt(h200, []Reading{bad}, 922)
	slowed.Device.Ordinal = 1
	g := []GPUResult{sound, slowed}
	judge(g, judgeOptions())
	for _, l := range g {
		t.Log("> " + l.String())
	}
	assert.Equal(t, `GPU 0 "NVIDIA H200" GPU-192ae94f-0000-0000-0000-000000000000: 2118.400 GI/s, 99% of 2,130 expected (measured), `+
		`1.394 of the median, accuracy 1e-07 (bound 2e-05), SM 1980 MHz, 44 C, 135 W, throttle none, PCIe Gen5 x16, NVLink 4 up: PASS`, g[0].String())
	assert.Equal(t, `GPU 1 "NVIDIA H200": 922.000 GI/s, 43% of 2,130 expected (measured), 0.606 of the median, accuracy 1e-07 (bound 2e-05), `+
		`SM 1100 MHz, throttle SwPowerCap+HwThermalSlowdown, power limit 500 of 700 W, PCIe Gen5 x16, NVLink 4 up, other processes: 4242 (python3): `+
		`FAIL: clock faults during the run: HwThermalSlowdown (SM 1100 of 1980 MHz); slow: 43% of the 2,130 GI/s expected of an NVIDIA H200 (measured), `+
		`with other processes on the GPU: 4242 (python3) and the power cap and a power limit of 500 of the default 700 W; slow: 61% of the median GPU`, g[1].String())

	// Held at its power cap by another process, as on the lent H100: the
	// clock it was held to is named, there being no fault to blame.
	capped := healthy()
	capped.SMClockMHz, capped.ThrottleReasons = ptr(1710), []string{"SwPowerCap"}
	capped.Processes = []Process{{PID: 4242, Kind: "compute"}}
	shared := []GPUResult{ranAt(h200, []Reading{capped}, 905)}
	judge(shared, judgeOptions())
	assert.Equal(t, []string{"slow: 42% of the 2,130 GI/s expected of an NVIDIA H200 (measured), with other processes on the GPU: 4242 (python3) " +
		"and the power cap holding the SM clock to 1710 of 1980 MHz"}, shared[0].Reasons)
}
