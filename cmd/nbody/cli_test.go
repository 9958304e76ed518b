package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// sampleBanner is what the CUDA sample prints first on every run, as its
// nbody.cpp prints it: tabs before the options, a space ending two lines.
var sampleBanner = strings.Join([]string{
	`Run "nbody -benchmark [-numbodies=<numBodies>]" to measure performance.`,
	"\t-fullscreen       (run n-body simulation in fullscreen mode)",
	"\t-fp64             (use double precision floating point values for simulation)",
	"\t-hostmem          (stores simulation data in host memory)",
	"\t-benchmark        (run benchmark to measure performance) ",
	"\t-numbodies=<N>    (number of bodies (>= 1) to run in simulation) ",
	"\t-device=<d>       (where d=0,1,2.... for the CUDA device to use)",
	"\t-numdevices=<i>   (where i=(number of CUDA devices > 0) to use for simulation)",
	"\t-compare          (compares simulation results running once on the default GPU and once on the CPU)",
	"\t-cpu              (run n-body simulation on the CPU)",
	"\t-tipsy=<file.bin> (load a tipsy model file for simulation)",
	"",
	"NOTE: The CUDA Samples are not meant for performance measurements. Results may vary when GPU Boost is enabled.",
	"",
	"",
}, "\n")

var (
	reportTotal = regexp.MustCompile(`^(\d+) bodies, total time for (\d+) iterations: (\d+\.\d{3}) ms$`)
	reportGI    = regexp.MustCompile(`^= (\d+\.\d{3}) billion interactions per second$`)
	reportFlops = regexp.MustCompile(`^= (\d+\.\d{3}) (single|double)-precision GFLOP/s at (20|30) flops per interaction$`)
	fallbackRe  = regexp.MustCompile(`^> No CUDA GPU available( \(.+\))?; running on the CPU$`)
	summaryRe   = regexp.MustCompile(`^> Compared (\d+) bodies after (\d+) steps? of dt 0\.001, .+ against the float64 CPU reference: (\d+) of (\d+) position values outside \S+; max relative error \S+, RMS \S+; acceleration L2 error \S+ \(bound \S+\): (PASS|FAIL)$`)
)

// report finds the sample's three report lines and checks that their
// figures follow its formulas.
func checkReport(t *testing.T, r result, n, iterations int, precision string) {
	t.Helper()
	lines := r.stdoutLines()
	require.GreaterOrEqual(t, len(lines), 3, "stdout:\n%s", r.stdout)
	tail := lines[len(lines)-3:]
	m := reportTotal.FindStringSubmatch(tail[0])
	require.NotNil(t, m, "report line 1: %q", tail[0])
	assert.Equal(t, strconv.Itoa(n), m[1])
	assert.Equal(t, strconv.Itoa(iterations), m[2])
	ms, _ := strconv.ParseFloat(m[3], 64)
	require.Greater(t, ms, 0.0)

	g := reportGI.FindStringSubmatch(tail[1])
	require.NotNil(t, g, "report line 2: %q", tail[1])
	gi, _ := strconv.ParseFloat(g[1], 64)
	// GI/s = N²·i/ms·1e-6, with ms as printed, rounded to 0.001 (a small
	// run prints ms like 0.006, a few percent off), and GI/s rounded too.
	interactions := float64(n) * float64(n) * float64(iterations) * 1e-6
	lo, hi := interactions/(ms+0.0005)-0.0005, interactions/max(ms-0.0005, 1e-9)+0.0005
	assert.True(t, lo <= gi && gi <= hi, "GI/s = N²·i/ms·1e-6: %g from %g ms, want %g to %g", gi, ms, lo, hi)

	f := reportFlops.FindStringSubmatch(tail[2])
	require.NotNil(t, f, "report line 3: %q", tail[2])
	assert.Equal(t, precision, f[2])
	flops := map[string]float64{"single": 20, "double": 30}[precision]
	assert.Equal(t, strconv.Itoa(int(flops)), f[3])
	gf, _ := strconv.ParseFloat(f[1], 64)
	assert.InDelta(t, gi*flops, gf, 0.0005*flops+0.0005)
}

// gpuAbsent reports whether this machine has no usable GPU, which is when
// the fallback line must appear.
func gpuAbsent() bool {
	_, err := gpu.Devices()
	return err != nil
}

func TestBenchmarkOutputIsTheSamples(t *testing.T) {
	r := runNbody(t, "-benchmark", "-numbodies=1000", "-i=2", "-cpu")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.True(t, strings.HasPrefix(r.stdout, sampleBanner), "the banner comes first, byte for byte:\n%q", r.stdout)
	body := strings.Split(strings.TrimPrefix(r.stdout, sampleBanner), "\n")
	assert.Equal(t, []string{
		"> Windowed mode",
		"> Simulation data stored in system memory",
		"> Single precision floating point simulation",
		"> 1 Devices used for simulation",
		"> Simulation with CPU",
		"number of bodies = 1000", // never rounded up to 1024
	}, body[:6])
	checkReport(t, r, 1000, 2, "single")
	assert.Empty(t, r.stderr, "-cpu never touches the GPU, so no fallback line")
}

func TestFP64Wording(t *testing.T) {
	r := runNbody(t, "-benchmark", "-fp64", "-numbodies=300", "-i=1", "-cpu")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "> Double precision floating point simulation")
	checkReport(t, r, 300, 1, "double")
}

func TestFP64AdvisoryAboveTenIterations(t *testing.T) {
	r := runNbody(t, "-benchmark", "-fp64", "-numbodies=64", "-i=11", "-cpu")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	lines := r.stdoutLines()
	require.GreaterOrEqual(t, len(lines), 6)
	assert.Equal(t, []string{
		"Advisory: setting a high number of iterations",
		"in benchmark mode may cause failure on Windows",
		"Vista and Win7. On these OSes, set iterations <= 10",
	}, lines[len(lines)-6:len(lines)-3])
	checkReport(t, r, 64, 11, "double")

	single := runNbody(t, "-benchmark", "-numbodies=64", "-i=11", "-cpu")
	assert.NotContains(t, single.stdout, "Advisory", "single precision has no advisory")
}

func TestFallbackLineWithoutGPU(t *testing.T) {
	if !gpuAbsent() {
		t.Skip("a GPU is usable here, so there is no fallback to see")
	}
	for _, args := range [][]string{
		{"-benchmark", "-numbodies=256", "-i=1"},
		{"-BENCHMARK", "-numBodies=256", "-I=1"}, // the sample's names in any case
	} {
		r := runNbody(t, args...)
		require.Equal(t, 0, r.code, "%v: stderr: %s", args, r.stderr)
		lines := r.stderrLines()
		require.Len(t, lines, 1, "%v: exactly the fallback line on stderr", args)
		assert.Regexp(t, fallbackRe, lines[0])
		assert.NotContains(t, lines[0], "\n")
		assert.Contains(t, r.stdoutLines(), "> Simulation with CPU")
		checkReport(t, r, 256, 1, "single")
	}
}

func TestDoubleDashFlags(t *testing.T) {
	r := runNbody(t, "--benchmark", "--numbodies=64", "--i=1", "--cpu")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "number of bodies = 64")
	checkReport(t, r, 64, 1, "single")
}

func TestDefaultCPUBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("8192 bodies take a while on a slow machine")
	}
	r := runNbody(t, "-benchmark", "-cpu", "-i=1")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.NotContains(t, r.stdout, "number of bodies =", "only printed when N was given")
	checkReport(t, r, modes.DefaultCPUBodies, 1, "single")
}

// Without -benchmark or -compare the sample's interactive mode runs,
// headless: -i bounds it here, and it reports its own summary, not the
// benchmark's lines.
func TestNoModeRunsTheInteractiveMode(t *testing.T) {
	r := runNbody(t, "-numbodies=64", "-i=3", "-cpu", "-fullscreen")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	lines := r.stdoutLines()
	assert.Contains(t, lines, "> Fullscreen mode")
	assert.Contains(t, lines, "> No window here: running 3 steps; live figures on stderr")
	checkViewSummary(t, r, 64, 3, "single")
	assert.NotContains(t, r.stdout, "bodies, total time for", "no benchmark report")
	assert.NotContains(t, r.stderr, "not available")
	assert.Empty(t, withoutStatus(r.stderrLines()), "only status lines on stderr")
}

func TestCompareOK(t *testing.T) {
	for _, args := range [][]string{
		{"-compare", "-numbodies=512"},
		{"-qatest", "-numbodies=300", "-fp64"},
		{"-compare", "-numbodies=257", "-compare-steps=3", "-cpu"},
	} {
		r := runNbody(t, args...)
		require.Equal(t, 0, r.code, "%v: stdout %s stderr %s", args, r.stdout, r.stderr)
		lines := r.stdoutLines()
		require.GreaterOrEqual(t, len(lines), 2)
		assert.Equal(t, "  OK", lines[len(lines)-2], "%v", args)
		m := summaryRe.FindStringSubmatch(lines[len(lines)-1])
		require.NotNil(t, m, "%v: summary %q", args, lines[len(lines)-1])
		assert.Equal(t, "0", m[3])
		assert.Equal(t, "PASS", m[5])
		assert.NotContains(t, r.stdout, "Error:")
	}
	r := runNbody(t, "-compare", "-numbodies=257", "-compare-steps=3")
	m := summaryRe.FindStringSubmatch(r.stdoutLines()[len(r.stdoutLines())-1])
	require.NotNil(t, m)
	assert.Equal(t, []string{"257", "3", "1028"}, []string{m[1], m[2], m[4]}, "every value of every body")
}

func TestCompareDefaultsTo4096Bodies(t *testing.T) {
	r := runNbody(t, "-compare", "-cpu")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	m := summaryRe.FindStringSubmatch(r.stdoutLines()[len(r.stdoutLines())-1])
	require.NotNil(t, m, "summary: %s", r.stdout)
	assert.Equal(t, "4096", m[1])
}

func TestJSONHasEveryFigureAndNothingElse(t *testing.T) {
	r := runNbody(t, "-benchmark", "-compare", "-json", "-numbodies=200", "-i=3", "-seed=7")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var got map[string]any
	require.NoError(t, dec.Decode(&got), "stdout: %s", r.stdout)
	_, err := dec.Token()
	assert.ErrorIs(t, err, io.EOF, "nothing on stdout after the object")

	assert.Equal(t, "benchmark+compare", got["mode"])
	assert.Contains(t, []any{"cpu", "gpu"}, got["platform"])
	assert.NotEmpty(t, got["integrator"])
	assert.Equal(t, "single", got["precision"])
	assert.EqualValues(t, 200, got["bodies"])
	assert.EqualValues(t, 7, got["seed"])
	assert.Equal(t, "shell", got["source"])
	if got["platform"] == "gpu" {
		assert.EqualValues(t, 256, got["block_size"])
		assert.Equal(t, false, got["hostmem"])
	} else {
		assert.NotContains(t, got, "block_size", "the GPU's settings are not a CPU run's")
		assert.NotContains(t, got, "hostmem")
	}

	b, ok := got["benchmark"].(map[string]any)
	require.True(t, ok, "benchmark object: %v", got)
	assert.EqualValues(t, 3, b["iterations"])
	assert.EqualValues(t, 0.016, b["dt"])
	assert.EqualValues(t, 20, b["flops_per_interaction"])
	ms, gi, gf := b["total_ms"].(float64), b["billion_interactions_per_second"].(float64), b["gflops"].(float64)
	require.Greater(t, ms, 0.0)
	assert.InEpsilon(t, 200.0*200*3/ms*1e-6, gi, 1e-12)
	assert.InEpsilon(t, gi*20, gf, 1e-12)
	startup, ok := got["startup_ms"].(float64)
	require.True(t, ok, "startup_ms: %v", got)
	assert.Positive(t, startup, "from the process's start to the first timed step")

	c, ok := got["compare"].(map[string]any)
	require.True(t, ok, "compare object: %v", got)
	for _, key := range []string{"compared", "reference", "steps", "dt", "values", "tolerance", "outside", "errors",
		"max_relative_error", "rms_relative_error", "acceleration_l2_error", "acceleration_bound", "passed"} {
		assert.Contains(t, c, key)
	}
	assert.EqualValues(t, 800, c["values"])
	assert.EqualValues(t, 0.0005, c["tolerance"])
	assert.Equal(t, true, c["passed"])
	assert.Empty(t, c["errors"])

	if got["platform"] == "gpu" {
		assert.Regexp(t, `^(sm_\d+|ptx-jit)`, got["kernel_image"])
	} else {
		assert.NotContains(t, got, "kernel_image", "no GPU kernels on the CPU")
	}
	if gpuAbsent() {
		assert.NotEmpty(t, got["gpu_unavailable"], "the fallback's reason is in the JSON too")
		lines := r.stderrLines()
		require.Len(t, lines, 1)
		assert.Regexp(t, fallbackRe, lines[0])
	}
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-help", "--help", "-h"} {
		r := runNbody(t, flag)
		require.Equal(t, 0, r.code, flag)
		assert.True(t, strings.HasPrefix(r.stdout, "\n> Command line options\n\t-fullscreen "), "%s: %q", flag, r.stdout)
		for _, ours := range []string{"-seed=", "-json", "-compare-steps=", "-tipsy-format=", "-output=", "-exchange=", "-blockSize=", "-i=",
			"-render=", "-frames=", "-every=", "-energy"} {
			assert.Contains(t, r.stdout, "\t"+ours, "%s lists %s", flag, ours)
		}
		assert.Empty(t, r.stderr)
	}
}

// Every bad value: exit 2, one line on stderr, nothing on stdout, never a
// usage dump or a Go panic.
func TestBadInput(t *testing.T) {
	cases := map[string][]string{
		"zero bodies":               {"-benchmark", "-numbodies=0"},
		"negative bodies":           {"-benchmark", "-numbodies=-5"},
		"non-numeric bodies":        {"-benchmark", "-numbodies=lots"},
		"float bodies":              {"-benchmark", "-numbodies=1.5"},
		"absurd bodies":             {"-benchmark", "-numbodies=100000000000"},
		"overflowing bodies":        {"-benchmark", "-numbodies=99999999999999999999999"},
		"zero iterations":           {"-benchmark", "-i=0"},
		"negative iterations":       {"-benchmark", "-i=-1"},
		"empty iterations":          {"-benchmark", "-i="},
		"block not a warp multiple": {"-benchmark", "-blockSize=100"},
		"block too small":           {"-benchmark", "-blockSize=16"},
		"block too large":           {"-benchmark", "-blockSize=2048"},
		"block zero":                {"-benchmark", "-blockSize=0"},
		"zero devices":              {"-benchmark", "-numdevices=0"},
		"negative device":           {"-benchmark", "-device=-1"},
		"devices with device":       {"-benchmark", "-numdevices=2", "-device=1"},
		"bad tipsy format":          {"-benchmark", "-tipsy-format=bigendian"},
		"bad exchange":              {"-benchmark", "-numdevices=2", "-exchange=carrier-pigeon"},
		"zero compare steps":        {"-compare", "-compare-steps=0"},
		"negative seed":             {"-benchmark", "-seed=-1"},
		"empty tipsy":               {"-benchmark", "-tipsy="},
		"empty output":              {"-benchmark", "-output="},
		"tipsy with numbodies":      {"-benchmark", "-tipsy=x.bin", "-numbodies=10"},
		"cpu and gpu":               {"-benchmark", "-cpu", "-gpu"},
		"unknown flag":              {"-benchmark", "-frobnicate"},
		"unknown double dash":       {"--bench"},
		"stray argument":            {"-benchmark", "extra"},
		"value on a bool":           {"-benchmark=yes"},
		"hexadecimal bodies":        {"-benchmark", "-numbodies=0x100"},
		"octal iterations":          {"-benchmark", "-i=0o17"},
		"seed with tipsy":           {"-benchmark", "-tipsy=x.bin", "-seed=3"},
		"tipsy-format alone":        {"-benchmark", "-tipsy-format=native"},
		"exchange on one device":    {"-benchmark", "-exchange=peer"},
		"exchange on the cpu":       {"-benchmark", "-cpu", "-exchange=host"},
		"cpu with numdevices":       {"-benchmark", "-cpu", "-numdevices=1000"},
		"cpu with device":           {"-benchmark", "-cpu", "-device=3"},
		"cpu with hostmem":          {"-benchmark", "-cpu", "-hostmem"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := runNbody(t, args...)
			assert.Equal(t, 2, r.code, "exit status")
			lines := r.stderrLines()
			assert.Len(t, lines, 1, "one line on stderr: %q", r.stderr)
			assert.NotContains(t, r.stderr, "goroutine")
			assert.NotContains(t, r.stderr, "panic")
			assert.NotContains(t, r.stderr, "Usage")
			assert.Empty(t, r.stdout)
		})
	}
}

// Error lines say what to do: where the flags are listed, which range a
// value must be in.
func TestErrorsSayWhatToDo(t *testing.T) {
	r := runNbody(t, "-frobnicate")
	assert.Equal(t, "Error: flag provided but not defined: -frobnicate (nbody -help lists the flags)\n", r.stderr)
	// A refused value is shown as it was written, once, with what the
	// flag wants, never the flag package's "parse error".
	for args, want := range map[string]string{
		"-seed=-1":                  "Error: -seed=-1: want a decimal number from 0 to 18446744073709551615",
		"-numbodies=0x100":          "Error: -numbodies=0x100: want a decimal number from 1 to 67108864",
		"-Benchmark=yes":            "Error: -benchmark=yes: want true or false, or the flag alone",
		"-alldevices -duration=abc": "Error: -duration=abc: want a duration such as 90s, 10m or 1h30m",
		"-ranks=0":                  "Error: -ranks=0: want a number of processes, 1 or more",
		"-ranks=2 -rank=x":          "Error: -rank=x: want a rank, 0 or more",
	} {
		r = runNbody(t, strings.Fields(args)...)
		assert.Equal(t, 2, r.code, args)
		assert.Equal(t, want+"\n", r.stderr, args)
	}
}

// The sample matches flag names in any case; so do we. Values keep theirs.
func TestFlagsInAnyCase(t *testing.T) {
	r := runNbody(t, "-Benchmark", "-CPU", "-numBodies=64", "-I=2", "-FP64", "--Seed=7")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "number of bodies = 64")
	checkReport(t, r, 64, 2, "double")
	_, err := parseFlags([]string{"-blocksize=64", "-NumDevices=2", "-HOSTMEM"})
	assert.NoError(t, err, "the GPU's flags too")
	r = runNbody(t, "-benchmark", "-cpu", "-TIPSY=/nonexistent/Galaxy.BIN")
	assert.Contains(t, r.stderr, "/nonexistent/Galaxy.BIN", "the value keeps its case")
}

// With -json a failed or refused run still prints one object: the mode,
// the error's stable code and message, and the exit status.
func TestJSONOnFailure(t *testing.T) {
	for _, c := range []struct {
		args []string
		code string
		exit int
	}{
		{[]string{"-json", "-benchmark", "-numbodies=0x10"}, "usage", 2},
		{[]string{"-benchmark", "-cpu", "-tipsy=/nonexistent.bin", "-JSON"}, "error", 1},
	} {
		r := runNbody(t, c.args...)
		assert.Equal(t, c.exit, r.code, "%v", c.args)
		var doc struct {
			Mode  string `json:"mode"`
			Error struct {
				Code, Message string
			} `json:"error"`
			ExitStatus int `json:"exit_status"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), "%v: stdout %q", c.args, r.stdout)
		assert.Equal(t, "benchmark", doc.Mode)
		assert.Equal(t, c.code, doc.Error.Code, "%v", c.args)
		assert.NotEmpty(t, doc.Error.Message)
		assert.Equal(t, c.exit, doc.ExitStatus)
	}
	r := runNbody(t, "-json", "-benchmark", "-cpu", "-numbodies=64", "-i=1")
	require.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, `"exit_status": 0`)
	assert.NotContains(t, r.stdout, `"error"`)
}

func TestSampleWordingOfErrors(t *testing.T) {
	r := runNbody(t, "-numbodies=0")
	assert.Equal(t, "Error: \"number of bodies\" specified 0 is invalid.  Value should be >= 1 (and <= 67108864)\n", r.stderr)
	r = runNbody(t, "-numdevices=0")
	assert.Equal(t, "Error: \"number of CUDA devices\" specified 0 is invalid.  Value should be >= 1\n", r.stderr)
	r = runNbody(t, "-numdevices=2", "-device=0")
	assert.Equal(t, "You can't use --numdevices and --device at the same time.\n", r.stderr)
}

// The sample refuses -device only with several devices: one device
// starting at -device is what -device alone asks for. Either asks for a
// GPU: without one, that is exit 1 with the reason, never a CPU figure.
func TestOneDeviceWithDevice(t *testing.T) {
	r := runNbody(t, "-benchmark", "-numbodies=64", "-i=1", "-numdevices=1", "-device=0")
	if gpuAbsent() {
		assert.Equal(t, 1, r.code, "stderr: %s", r.stderr)
		assert.Contains(t, r.stderr, "no usable CUDA GPU")
		assert.NotContains(t, r.stdout, "bodies, total time")
		return
	}
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "number of CUDA devices  = 1")
	checkReport(t, r, 64, 1, "single")
}

// A GPU flag on the command line asks for a GPU: without one the run
// fails (exit 1) and says what to check, as the sample does; -cpu with a
// GPU flag is a contradiction (exit 2).
func TestGPUFlagsNeedAGPU(t *testing.T) {
	for _, args := range [][]string{{"-gpu"}, {"-numdevices=2"}, {"-device=3"}, {"-hostmem"}, {"-blockSize=128"}, {"-GPU"}} {
		args = append(args, "-benchmark", "-numbodies=64", "-i=1")
		r := runNbody(t, args...)
		if !gpuAbsent() {
			continue // a GPU answers; the GPU tests cover it
		}
		assert.Equal(t, 1, r.code, "%v: stderr: %s", args, r.stderr)
		lines := r.stderrLines()
		require.Len(t, lines, 1, "%v: %q", args, r.stderr)
		assert.Contains(t, lines[0], "no usable CUDA GPU (")
		assert.Contains(t, lines[0], "--gpus=all")
	}
	for _, flag := range []string{"-gpu", "-numdevices=2", "-device=3", "-hostmem", "-blockSize=128"} {
		r := runNbody(t, "-cpu", flag, "-benchmark")
		assert.Equal(t, 2, r.code, "-cpu %s: stderr: %s", flag, r.stderr)
	}
}

func TestMissingTipsyFile(t *testing.T) {
	r := runNbody(t, "-benchmark", "-cpu", "-tipsy=/nonexistent/galaxy.bin")
	assert.Equal(t, 1, r.code)
	lines := r.stderrLines()
	require.Len(t, lines, 1, "stderr: %q", r.stderr)
	assert.Contains(t, lines[0], "/nonexistent/galaxy.bin")
	assert.Contains(t, r.stdoutLines(), "Trying to read file: /nonexistent/galaxy.bin")
	assert.NotContains(t, r.stdout, "bodies, total time")
}

// Ctrl-C or SIGTERM stops the run: one line, exit status 128 + the
// signal's number (130 for SIGINT, 143 for SIGTERM).
func TestInterruptStopsCleanly(t *testing.T) {
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		cmd := exec.Command(binary, "-benchmark", "-cpu", "-numbodies=2048", "-i=100000")
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // the header is printed after the signal handler is installed
			if sc.Text() == "number of bodies = 2048" {
				break
			}
		}
		require.NoError(t, cmd.Process.Signal(sig))
		killed := killAfter(cmd, 20*time.Second)
		rest, _ := io.ReadAll(stdout)
		_ = cmd.Wait() // the exit status is checked below
		require.False(t, killed(), "nbody did not stop within 20 s of %v", sig)
		assert.Equal(t, want, cmd.ProcessState.ExitCode(), "%v", sig)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		require.Len(t, lines, 1, "stderr: %q", errb.String())
		assert.Contains(t, lines[0], "Interrupted")
		assert.NotContains(t, string(rest), "bodies, total time", "no report for an interrupted run")
	}
}

// A run that cannot take less than an hour says so before it starts, and
// a signal ends it within 2 s, whatever it is doing (here: making 8M
// bodies, then a step that would take hours on a CPU).
func TestLongRunWarnsAndStopsWithin2s(t *testing.T) {
	cmd := exec.Command(binary, "-benchmark", "-cpu", "-numbodies=8388608", "-i=5000")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := killAfter(cmd, time.Minute)
	sc := bufio.NewScanner(stderr)
	require.True(t, sc.Scan(), "a line on stderr")
	assert.Regexp(t, `^> Warning: 8388608 bodies for 5000 steps cannot take less than \d+\.\d hours here; Ctrl-C stops the run$`, sc.Text())
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	signalled := time.Now()
	for sc.Scan() {
	}
	_ = cmd.Wait() // the exit status is checked below
	took := time.Since(signalled)
	require.False(t, killed(), "nbody did not stop")
	assert.Equal(t, 143, cmd.ProcessState.ExitCode())
	assert.Less(t, took, 2500*time.Millisecond, "stopped within 2 s of SIGTERM (plus the test's own slack)")
}

// A report that cannot be written is a failure: exit 1 with one line.
func TestUnwritableReportFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	for _, args := range [][]string{
		{"-benchmark", "-cpu", "-numbodies=64"},
		{"-benchmark", "-cpu", "-numbodies=64", "-json"},
	} {
		cmd := exec.Command(binary, args...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		_ = cmd.Run() // the exit status is checked below
		assert.Equal(t, 1, cmd.ProcessState.ExitCode(), "%v: stderr %q", args, errb.String())
		assert.Contains(t, errb.String(), "no space left on device", args)
	}
}

// An interrupted run with -json still prints its one object: the error's
// code is "interrupted" and the exit status the signal's.
func TestJSONWhenInterrupted(t *testing.T) {
	if !gpuAbsent() {
		t.Skip("the fallback line on stderr is what says the run has started")
	}
	cmd := exec.Command(binary, "-benchmark", "-numbodies=2048", "-i=100000", "-json")
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := killAfter(cmd, 20*time.Second)
	sc := bufio.NewScanner(stderr)
	require.True(t, sc.Scan(), "the fallback line")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	for sc.Scan() {
	}
	_ = cmd.Wait() // the exit status is checked below
	require.False(t, killed())
	assert.Equal(t, 130, cmd.ProcessState.ExitCode())
	var doc struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
		ExitStatus int `json:"exit_status"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc), "stdout: %q", out.String())
	assert.Equal(t, "interrupted", doc.Error.Code)
	assert.Equal(t, 130, doc.ExitStatus)
	checkSchema(t, out.Bytes())
}
