package main

import (
	"bufio"
	"encoding/json"
	"image"
	"image/gif"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	viewSummaryRe = regexp.MustCompile(`^> (\d+) bodies, (\d+) steps? of dt 0\.016: (\d+\.\d{3}) ms of simulation, (\d+\.\d{3}) billion interactions per second, (\d+\.\d{3}) (single|double)-precision GFLOP/s \(\d+\.\d{3} m?s in all\)$`)
	statusRe      = regexp.MustCompile(`^N-Body \(\d+ bodies\): \d+\.\d steps/s \| \d+\.\d{2} GI/s \| \d+\.\d GFLOP/s \| (single|double) precision \| .+$`)
	energyStartRe = regexp.MustCompile(`^> Energy at start: kinetic (\S+), potential (\S+), total (\S+); momentum \(\S+, \S+, \S+\)$`)
	energyEndRe   = regexp.MustCompile(`^> Energy at end:   kinetic (\S+), potential (\S+), total (\S+); momentum \(\S+, \S+, \S+\)$`)
	energyDriftRe = regexp.MustCompile(`^> Energy drift: (\S+) relative, over (\d+) steps? of dt (\S+); momentum change \(\S+, \S+, \S+\)$`)
	energyCostRe  = regexp.MustCompile(`^> Energy measured in \d+\.\d{3} s \(float64, every pair of bodies on the CPU, twice\)$`)
)

// withoutStatus drops the interactive mode's status lines and the GPU
// fallback line, which a piped run may or may not print.
func withoutStatus(lines []string) []string {
	var rest []string
	for _, l := range lines {
		if !statusRe.MatchString(l) && !fallbackRe.MatchString(l) {
			rest = append(rest, l)
		}
	}
	return rest
}

// checkViewSummary finds the interactive mode's summary line and checks
// that its figures follow the benchmark's formulas.
func checkViewSummary(t *testing.T, r result, n, steps int, precision string) {
	t.Helper()
	var m []string
	for _, l := range r.stdoutLines() {
		if m = viewSummaryRe.FindStringSubmatch(l); m != nil {
			break
		}
	}
	require.NotNil(t, m, "summary line in:\n%s", r.stdout)
	assert.Equal(t, []string{strconv.Itoa(n), strconv.Itoa(steps), precision}, []string{m[1], m[2], m[6]})
	ms, _ := strconv.ParseFloat(m[3], 64)
	gi, _ := strconv.ParseFloat(m[4], 64)
	gf, _ := strconv.ParseFloat(m[5], 64)
	require.Greater(t, ms, 0.0)
	// GI/s = N²·steps/ms·1e-6, with ms as printed, rounded to 0.001, and
	// GI/s rounded to 0.001 too.
	interactions := float64(n) * float64(n) * float64(steps) * 1e-6
	lo, hi := interactions/(ms+0.0005)-0.0005, interactions/max(ms-0.0005, 1e-9)+0.0005
	assert.True(t, lo <= gi && gi <= hi, "GI/s %g from %g ms: want %g to %g", gi, ms, lo, hi)
	flops := map[string]float64{"single": 20, "double": 30}[precision]
	assert.InDelta(t, gi*flops, gf, 0.0005*flops+0.0005)
}

// litPixels counts the pixels brighter than black and returns their mean
// position and colour.
func litPixels(img image.Image) (count int, cx, cy float64, rgb [3]float64) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x0800 {
				continue
			}
			count++
			cx += float64(x)
			cy += float64(y)
			rgb[0] += float64(r)
			rgb[1] += float64(g)
			rgb[2] += float64(bl)
		}
	}
	if count > 0 {
		cx /= float64(count)
		cy /= float64(count)
		for k := range rgb {
			rgb[k] /= float64(count)
		}
	}
	return count, cx, cy, rgb
}

// One frame is "1 frame", not "1 frames".
func TestRenderOneFrameWording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "one.gif")
	r := runNbody(t, "-cpu", "-numbodies=64", "-render="+path, "-frames=1", "-every=1")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "> No window here: drawing 1 frame of 720×480, one every 1 step, to "+path)
	assert.Contains(t, r.stdoutLines(), "> Wrote 1 frame of 720×480 to "+path)
}

func TestRenderGIF(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.gif")
	r := runNbody(t, "-cpu", "-numbodies=256", "-render="+path, "-frames=5", "-every=2")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	lines := r.stdoutLines()
	assert.Contains(t, lines, "> No window here: drawing 5 frames of 720×480, one every 2 steps, to "+path)
	assert.Contains(t, lines, "> Wrote 5 frames of 720×480 to "+path)
	checkViewSummary(t, r, 256, 10, "single")
	assert.Empty(t, withoutStatus(r.stderrLines()))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	g, err := gif.DecodeAll(f)
	require.NoError(t, err)
	require.Len(t, g.Image, 5, "one frame per -every steps")
	assert.Equal(t, 720, g.Config.Width)
	assert.Equal(t, 480, g.Config.Height)
	first, last := g.Image[0], g.Image[len(g.Image)-1]
	assert.Equal(t, image.Rect(0, 0, 720, 480), last.Bounds())
	n, cx, cy, _ := litPixels(last)
	assert.Greater(t, n, 50, "bodies are drawn")
	// The shell is centred on the origin, which the camera looks at.
	assert.InDelta(t, 360, cx, 72, "lit pixels centred horizontally")
	assert.InDelta(t, 240, cy, 72, "lit pixels centred vertically")
	assert.NotEqual(t, first.Pix, last.Pix, "the bodies moved between the first and the last frame")
}

func TestRenderPNG(t *testing.T) {
	dir := t.TempDir()
	colours := map[string][3]float64{}
	for _, prec := range []string{"single", "double"} {
		path := filepath.Join(dir, prec+".PNG") // the extension in any case
		args := []string{"-cpu", "-numbodies=200", "-render=" + path, "-frames=2", "-every=3"}
		if prec == "double" {
			args = append(args, "-fp64")
		}
		r := runNbody(t, args...)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
		assert.Contains(t, r.stdoutLines(), "> Wrote the bodies after 6 steps, 720×480, to "+path)
		checkViewSummary(t, r, 200, 6, prec)

		f, err := os.Open(path)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, image.Rect(0, 0, 720, 480), img.Bounds())
		n, _, _, rgb := litPixels(img)
		assert.Greater(t, n, 50, "%s: bodies are drawn", prec)
		colours[prec] = rgb
	}
	// The sample's colours: orange in single precision, green in double.
	assert.Greater(t, colours["single"][0], colours["single"][1], "single: more red than green")
	assert.Greater(t, colours["single"][1], colours["single"][2], "single: more green than blue")
	assert.Greater(t, colours["double"][1], colours["double"][0], "double: more green than red")
}

func TestRenderFullscreenIsLarger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.png")
	r := runNbody(t, "-cpu", "-numbodies=64", "-render="+path, "-frames=1", "-every=1", "-fullscreen")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "> Fullscreen mode")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, []int{1920, 1080}, []int{cfg.Width, cfg.Height})
}

// Bad -render, -frames and -every values: exit 2, one line, nothing on
// stdout, and no file left behind.
func TestBadRenderInput(t *testing.T) {
	dir := t.TempDir()
	gifPath := "-render=" + filepath.Join(dir, "x.gif")
	cases := map[string][]string{
		"jpeg":                    {"-render=" + filepath.Join(dir, "x.jpg")},
		"no extension":            {"-render=" + filepath.Join(dir, "x")},
		"empty render":            {"-render="},
		"with benchmark":          {"-benchmark", gifPath},
		"with compare":            {"-compare", gifPath},
		"zero frames":             {gifPath, "-frames=0"},
		"negative frames":         {gifPath, "-frames=-3"},
		"huge frames":             {gifPath, "-frames=100000"},
		"too many for fullscreen": {gifPath, "-frames=600", "-fullscreen"},
		"zero every":              {gifPath, "-every=0"},
		"huge every":              {gifPath, "-every=1000000000"},
		"frames without render":   {"-frames=10"},
		"every without render":    {"-every=10"},
		"iterations with render":  {gifPath, "-i=5"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := runNbody(t, append(args, "-cpu")...)
			assert.Equal(t, 2, r.code, "exit status")
			lines := r.stderrLines()
			require.Len(t, lines, 1, "one line on stderr: %q", r.stderr)
			assert.True(t, strings.HasPrefix(lines[0], "Error: "), lines[0])
			assert.Empty(t, r.stdout)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing written")
		})
	}
	r := runNbody(t, "-cpu", "-render="+filepath.Join(dir, "x.bmp"))
	assert.Equal(t, "Error: \"render\" specified \""+filepath.Join(dir, "x.bmp")+"\" is invalid.  Value should be a file name ending in .gif or .png\n", r.stderr)
	r = runNbody(t, "-cpu", gifPath, "-frames=200", "-fullscreen")
	assert.Contains(t, r.stderr, "too many for 1920×1080 images.  Value should be <= 103")
}

// A -render file that cannot be created fails before anything is
// simulated: exit 1, one line naming it.
func TestRenderUnwritablePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "run.gif")
	r := runNbody(t, "-cpu", "-numbodies=64", "-render="+path)
	assert.Equal(t, 1, r.code)
	lines := r.stderrLines()
	require.Len(t, lines, 1, "stderr: %q", r.stderr)
	assert.Contains(t, lines[0], path)
	assert.NotContains(t, r.stdout, "of simulation")
}

// energyLines finds -energy's four lines and returns the drift and the
// number of steps they state.
func energyLines(t *testing.T, r result) (drift float64, steps int) {
	t.Helper()
	lines := r.stdoutLines()
	i := -1
	for k, l := range lines {
		if strings.HasPrefix(l, "> Energy at start:") {
			i = k
		}
	}
	require.GreaterOrEqual(t, i, 0, "energy lines in:\n%s", r.stdout)
	require.Greater(t, len(lines), i+3, "four energy lines")
	start := energyStartRe.FindStringSubmatch(lines[i])
	end := energyEndRe.FindStringSubmatch(lines[i+1])
	d := energyDriftRe.FindStringSubmatch(lines[i+2])
	require.NotNil(t, start, lines[i])
	require.NotNil(t, end, lines[i+1])
	require.NotNil(t, d, lines[i+2])
	assert.Regexp(t, energyCostRe, lines[i+3])

	// The printed totals are kinetic + potential, and the drift their
	// relative change.
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		return v
	}
	e0, e1 := num(start[3]), num(end[3])
	// Each is printed to 9 significant digits.
	assert.InDelta(t, num(start[1])+num(start[2]), e0, 1e-8*(math.Abs(num(start[1]))+math.Abs(num(start[2]))))
	assert.InDelta(t, num(end[1])+num(end[2]), e1, 1e-8*(math.Abs(num(end[1]))+math.Abs(num(end[2]))))
	assert.Greater(t, num(start[1]), 0.0, "kinetic energy is positive")
	assert.Less(t, num(start[2]), 0.0, "gravitational potential energy is negative")
	drift = num(d[1])
	assert.False(t, math.IsNaN(drift) || math.IsInf(drift, 0), "finite drift: %s", d[1])
	assert.InDelta(t, (e1-e0)/math.Abs(e0), drift, 1e-7+1e-3*math.Abs(drift))
	steps, err := strconv.Atoi(d[2])
	require.NoError(t, err)
	return drift, steps
}

func TestEnergyInEveryMode(t *testing.T) {
	r := runNbody(t, "-benchmark", "-cpu", "-numbodies=256", "-i=3", "-energy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	_, steps := energyLines(t, r)
	assert.Equal(t, 3, steps, "benchmark: the timed steps (no warm-up on the CPU)")
	assert.Regexp(t, "(?m)"+reportFlops.String(), r.stdout, "the report is still there")

	r = runNbody(t, "-cpu", "-numbodies=256", "-i=5", "-energy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	_, steps = energyLines(t, r)
	assert.Equal(t, 5, steps, "interactive mode")

	r = runNbody(t, "-compare", "-cpu", "-numbodies=256", "-compare-steps=2", "-energy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	drift, steps := energyLines(t, r)
	assert.Equal(t, 2, steps, "compare: its steps")
	assert.Less(t, math.Abs(drift), 1e-3, "two steps of dt 0.001 barely change the energy")
}

func TestEnergyAndViewInJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "end.png")
	r := runNbody(t, "-json", "-cpu", "-numbodies=100", "-render="+path, "-frames=2", "-every=3", "-energy")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Empty(t, r.stderr, "never a status line with -json")
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	require.NoError(t, dec.Decode(&got), "stdout: %s", r.stdout)
	_, err := dec.Token()
	assert.ErrorIs(t, err, io.EOF, "nothing on stdout after the object")
	assert.Equal(t, "interactive", got["mode"])

	v, ok := got["interactive"].(map[string]any)
	require.True(t, ok, "interactive object: %v", got)
	assert.EqualValues(t, 6, v["steps"])
	assert.Equal(t, path, v["render"])
	assert.EqualValues(t, 1, v["frames"], "a PNG holds the last frame")
	assert.EqualValues(t, 720, v["width"])
	assert.Equal(t, false, v["interrupted"])
	ms, gi := v["total_ms"].(float64), v["billion_interactions_per_second"].(float64)
	require.Greater(t, ms, 0.0)
	assert.InEpsilon(t, 100.0*100*6/ms*1e-6, gi, 1e-9)

	e, ok := got["energy"].(map[string]any)
	require.True(t, ok, "energy object: %v", got)
	assert.EqualValues(t, 6, e["steps"])
	drift, ok := e["relative_drift"].(float64)
	require.True(t, ok, "a finite drift is a number, not null: %v", e["relative_drift"])
	start := e["start"].(map[string]any)
	end := e["end"].(map[string]any)
	e0, e1 := start["total"].(float64), end["total"].(float64)
	assert.InEpsilon(t, start["kinetic"].(float64)+start["potential"].(float64), e0, 1e-12)
	assert.InDelta(t, (e1-e0)/math.Abs(e0), drift, 1e-15)
	assert.Len(t, e["momentum_change"], 3)
}

// interruptAfterStatus runs nbody with args and sends it Ctrl-C as soon
// as a status line on stderr satisfies ready (a second or more into the
// run), so that the run is surely under way. signalled is false when it
// ended on its own before that.
func interruptAfterStatus(t *testing.T, sig syscall.Signal, ready func(status string) bool, args ...string) (r result, signalled bool) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// A run without a status line would never be signalled; bound it
	// until one comes, then bound the time Ctrl-C takes.
	killed := killAfter(cmd, 2*time.Minute)
	limit := "no status line within 2 minutes"
	outDone := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(stdout)
		outDone <- b
	}()
	var errb strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		errb.WriteString(sc.Text() + "\n")
		if !signalled && statusRe.MatchString(sc.Text()) && ready(sc.Text()) && !killed() {
			signalled = cmd.Process.Signal(sig) == nil
			killed, limit = killAfter(cmd, 20*time.Second), "nbody did not stop within 20 s of Ctrl-C"
		}
	}
	out := <-outDone
	_ = cmd.Wait() // the callers check the exit status
	require.False(t, killed(), "%s; stderr: %s", limit, errb.String())
	return result{stdout: string(out), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}, signalled
}

var stoppedRe = regexp.MustCompile(`(?m)^> Stopped by Ctrl-C after (\d+) steps?$`)

// Without -render or -i the interactive mode runs until Ctrl-C, which
// ends it as closing the sample's window does: a summary, exit 0.
func TestInteractiveRunsUntilCtrlC(t *testing.T) {
	anyStatus := func(string) bool { return true }
	r, signalled := interruptAfterStatus(t, syscall.SIGINT, anyStatus, "-cpu", "-numbodies=1024", "-energy")
	require.True(t, signalled, "a status line came; stderr: %s", r.stderr)
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	m := stoppedRe.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "stdout: %s", r.stdout)
	steps, _ := strconv.Atoi(m[1])
	require.Greater(t, steps, 0)
	checkViewSummary(t, r, 1024, steps, "single")
	_, energySteps := energyLines(t, r)
	assert.Equal(t, steps, energySteps, "the energy is measured where the run stopped")
	for _, l := range r.stderrLines() {
		assert.Regexp(t, statusRe, l, "stderr holds status lines only (piped: one per second)")
	}
}

// SIGTERM ends the interactive mode as Ctrl-C does, and the summary says
// which it was.
func TestInteractiveEndsOnSIGTERM(t *testing.T) {
	anyStatus := func(string) bool { return true }
	r, signalled := interruptAfterStatus(t, syscall.SIGTERM, anyStatus, "-cpu", "-numbodies=1024")
	require.True(t, signalled, "a status line came; stderr: %s", r.stderr)
	assert.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `(?m)^> Stopped by SIGTERM after \d+ steps?$`, r.stdout)
}

// Ctrl-C during -render writes the frames drawn so far.
func TestRenderCtrlCWritesFramesSoFar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "part.gif")
	// Ctrl-C only once a frame is drawn: before that, it would stop a run
	// with nothing to show (exit 130), however slow the machine is.
	framesDrawn := regexp.MustCompile(`frame [1-9]\d* of 300`)
	r, signalled := interruptAfterStatus(t, syscall.SIGINT, framesDrawn.MatchString, "-cpu", "-numbodies=4096", "-render="+path, "-frames=300", "-every=8")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	if !signalled || !stoppedRe.MatchString(r.stdout) {
		t.Skip("this machine drew all 300 frames before a status line said a frame was drawn")
	}
	m := regexp.MustCompile(`(?m)^> Wrote (\d+) frames? of 720×480 to `).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "stdout: %s", r.stdout)
	wrote, _ := strconv.Atoi(m[1])
	require.Greater(t, wrote, 0)
	assert.Less(t, wrote, 300, "stopped before the last frame")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	g, err := gif.DecodeAll(f)
	require.NoError(t, err)
	assert.Len(t, g.Image, wrote)
}
