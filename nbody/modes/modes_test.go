package modes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// countingIntegrator records its Step calls and reports a fixed time per
// step, so that the sums can be checked exactly.
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

// recorder is a Progress that keeps what it heard.
type recorder struct {
	done  []int
	ended []string
}

func (r *recorder) Steps(_ string, done, _ int, _ time.Duration) { r.done = append(r.done, done) }
func (r *recorder) Done(phase string)                            { r.ended = append(r.ended, phase) }

func TestAdvanceWithoutProgressMakesOneCall(t *testing.T) {
	in := &countingIntegrator{perStep: 3 * time.Millisecond}
	d, err := advance(context.Background(), in, 0.1, 7, "test", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, in.calls, "unobserved runs time all steps in one Step call")
	assert.Equal(t, 7, in.steps)
	assert.Equal(t, 21*time.Millisecond, d)
}

func TestAdvanceReportsProgress(t *testing.T) {
	in := &countingIntegrator{perStep: 2 * time.Millisecond}
	var r recorder
	d, err := advance(context.Background(), in, 0.1, 12, "bench", &r)
	require.NoError(t, err)
	assert.Equal(t, 12, in.steps, "every step is taken once")
	assert.Greater(t, in.calls, 1, "split so that progress can be seen")
	assert.Equal(t, 24*time.Millisecond, d, "the durations of the calls add up")
	require.NotEmpty(t, r.done)
	assert.Equal(t, 12, r.done[len(r.done)-1])
	assert.IsIncreasing(t, r.done)
	assert.Equal(t, []string{"bench"}, r.ended)
}

func TestAdvanceStopsOnCancel(t *testing.T) {
	for _, progress := range []Progress{nil, &recorder{}} {
		ctx, cancel := context.WithCancel(context.Background())
		in := &countingIntegrator{perStep: time.Millisecond, cancelAt: 3, cancel: cancel}
		_, err := advance(ctx, in, 0.1, 1000, "x", progress)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 3, in.steps, "stops at the next step boundary")
		cancel()
	}
}

func TestThroughputFollowsTheSamplesFormulas(t *testing.T) {
	// The sample's H100 run: 135168 bodies, 10 steps, 120.38896 ms
	// (bench/ANCHORS.md: 1,517.6 GI/s).
	f := Throughput(135168, 10, 120388960*time.Nanosecond, nbody.Single)
	assert.InDelta(t, 1517.613, f.GInteractions, 5e-4)
	assert.InDelta(t, 30352.265, f.GFLOPS, 5e-3)
	assert.Equal(t, 20, f.FlopsPerInteraction)
	d := Throughput(1000, 3, 2*time.Second, nbody.Double)
	assert.Equal(t, 30, d.FlopsPerInteraction)
	assert.InDelta(t, 1000.0*1000*3/2000*1e-6, d.GInteractions, 1e-15)
	assert.InDelta(t, d.GInteractions*30, d.GFLOPS, 1e-12)
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
}

func TestDefaultBodies(t *testing.T) {
	onCPU := &Platform{BlockSize: 256}
	assert.Equal(t, DefaultCPUBodies, onCPU.DefaultBodies(false))
	assert.Equal(t, DefaultCompareBodies, onCPU.DefaultBodies(true))
	twoGPUs := &Platform{GPU: &gpu.Integrator{}, BlockSize: 128,
		Devices: []gpu.Device{{Multiprocessors: 132}, {Multiprocessors: 66}}}
	assert.Equal(t, 4*128*(132+66), twoGPUs.DefaultBodies(false), "summed over the GPUs used")
	assert.Equal(t, DefaultCompareBodies, twoGPUs.DefaultBodies(true))
}

// The interactive mode says it was interrupted only when the cancellation
// came before its last step: one that lands during the last call stops
// nothing.
func TestViewInterruptedOnlyBeforeTheLastStep(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 64, nbody.DefaultParams(64), 1)
	require.NoError(t, err)
	for _, c := range []struct {
		cancelAt    int
		interrupted bool
	}{
		{cancelAt: 1, interrupted: true}, // after the first call (one step) of five
		{cancelAt: 5, interrupted: false},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		in := &countingIntegrator{
			Integrator: nbody.NewReference(nbody.Presets[0].Physics()),
			perStep:    time.Millisecond, cancelAt: c.cancelAt, cancel: cancel,
		}
		r, err := View(ctx, &Platform{Integrator: in}, b, ViewOptions{Steps: 5})
		cancel()
		require.NoError(t, err, "cancelled at step %d", c.cancelAt)
		assert.Equal(t, c.interrupted, r.Interrupted, "cancelled at step %d", c.cancelAt)
		assert.Equal(t, b.N(), r.End.Bodies.N(), "the bodies where they stopped")
		if !c.interrupted {
			assert.Equal(t, 5, r.End.Steps)
		}
	}
}

// frameCounter is a Frames that counts what it is given.
type frameCounter struct {
	every bool
	added int
}

func (f *frameCounter) EveryFrame() bool          { return f.every }
func (f *frameCounter) Add(nbody.Bodies)          { f.added++ }
func (f *frameCounter) Path() string              { return "frames" }
func (f *frameCounter) Size() (width, height int) { return 8, 6 }
func (f *frameCounter) Count() int {
	if f.every {
		return f.added
	}
	return min(f.added, 1)
}

func TestViewDrawsEveryFrameOrTheLast(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 32, nbody.DefaultParams(32), 1)
	require.NoError(t, err)
	p := &Platform{Integrator: nbody.NewReference(nbody.Presets[0].Physics())}
	anim := &frameCounter{every: true}
	r, err := View(context.Background(), p, b, ViewOptions{Steps: 12, Every: 3, Frames: anim})
	require.NoError(t, err)
	assert.Equal(t, 4, anim.added, "a frame after every 3 steps")
	assert.Equal(t, 12, r.End.Steps)
	assert.Equal(t, Drawing{Path: "frames", Frames: 4, Every: 3, Width: 8, Height: 6}, r.Drawn)

	still := &frameCounter{}
	_, err = View(context.Background(), p, b, ViewOptions{Steps: 12, Every: 3, Frames: still})
	require.NoError(t, err)
	assert.Equal(t, 1, still.added, "a still image is drawn once, after the last step")
}

func TestInitialBodies(t *testing.T) {
	in, err := GenerateShell(100, 7)
	require.NoError(t, err)
	assert.Equal(t, 100, in.Bodies.N())
	assert.Equal(t, "shell", in.Source)
	require.NotNil(t, in.Seed)
	assert.Equal(t, uint64(7), *in.Seed)
	_, err = GenerateShell(nbody.MaxBodies+1, 1)
	assert.ErrorContains(t, err, "at most 67108864")
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestMeterSumsEachInterval(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	m := newMeter(time.Second)
	m.now, m.since = clock.now, clock.t

	clock.t = clock.t.Add(400 * time.Millisecond)
	_, ok := m.add(10, 300*time.Millisecond, 10)
	assert.False(t, ok, "nothing before a second has passed")

	clock.t = clock.t.Add(700 * time.Millisecond)
	s, ok := m.add(30, 700*time.Millisecond, 40)
	require.True(t, ok)
	assert.Equal(t, Status{Steps: 40, Simulated: time.Second, Wall: 1100 * time.Millisecond, Done: 40}, s)

	clock.t = clock.t.Add(1100 * time.Millisecond)
	s, ok = m.add(5, 500*time.Millisecond, 45)
	require.True(t, ok)
	assert.Equal(t, Status{Steps: 5, Simulated: 500 * time.Millisecond, Wall: 1100 * time.Millisecond, Done: 45}, s, "the next interval starts afresh")
}

func TestShortestTimeIsALowerBound(t *testing.T) {
	h200 := &Platform{GPU: &gpu.Integrator{}, Devices: []gpu.Device{{Multiprocessors: 132, ClockKHz: 1980000}}}
	// The chip's limit (bench/ANCHORS.md): about 2,570 GI/s in fp32; we measured
	// 2,100 to 2,150 at large N, and 806 in fp64.
	assert.InDelta(t, 2573e9, h200.PeakRate(nbody.Single), 1e9)
	assert.Greater(t, h200.PeakRate(nbody.Double), 806e9)
	// One step of 4M bodies took 8 s on an H200: the bound is below it.
	step := h200.ShortestTime(1<<22, 1, 0, nbody.Single)
	assert.Less(t, step, 8*time.Second)
	assert.Greater(t, step, 5*time.Second)
	// 2^26 bodies for 10 steps is hours even there.
	assert.Greater(t, h200.ShortestTime(nbody.MaxBodies, 10, 0, nbody.Single), time.Hour)

	onCPU := &Platform{}
	assert.Less(t, onCPU.ShortestTime(8192, 10, 0, nbody.Single), time.Second, "the CPU default is quick")
	assert.Greater(t, onCPU.ShortestTime(1<<20, 1, 1, nbody.Single), onCPU.ShortestTime(1<<20, 1, 0, nbody.Single),
		"a comparison adds the reference's steps")
	assert.Greater(t, onCPU.ShortestTime(nbody.MaxBodies, 1, 0, nbody.Single), time.Hour)
}

// stampingIntegrator notes when bodies were set and when Step was first
// called.
type stampingIntegrator struct {
	nbody.Integrator
	set, firstStep time.Time
}

func (s *stampingIntegrator) SetBodies(b nbody.Bodies) error {
	s.set = time.Now()
	return s.Integrator.SetBodies(b)
}

func (s *stampingIntegrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if s.firstStep.IsZero() {
		s.firstStep = time.Now()
	}
	return s.Integrator.Step(ctx, dt, steps)
}

// TimedFrom falls between loading the bodies and the first timed step.
func TestBenchmarkSaysWhenTheTimedStepsBegan(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 32, nbody.DefaultParams(32), 1)
	require.NoError(t, err)
	in := &stampingIntegrator{Integrator: nbody.NewReference(nbody.Presets[0].Physics())}
	r, err := Benchmark(context.Background(), &Platform{Integrator: in}, b, BenchmarkOptions{Steps: 2}, nil)
	require.NoError(t, err)
	require.False(t, r.TimedFrom.IsZero())
	assert.False(t, r.TimedFrom.Before(in.set), "after the bodies were loaded")
	assert.False(t, r.TimedFrom.After(in.firstStep), "before the first timed step")
}

// recordingObserver keeps the names of the events it hears, in order.
type recordingObserver struct{ events []string }

func (r *recordingObserver) add(e string) { r.events = append(r.events, e) }

// observe is the Observer that records.
func (r *recordingObserver) observe(e Event) {
	switch e := e.(type) {
	case Opened:
		r.add("opened")
	case ReadingFile:
		r.add("reading")
	case BodiesInfo:
		r.add("bodies")
	case LongRun:
		r.add("long")
	case BenchmarkResult:
		r.add("benchmarked")
	case Comparison:
		r.add(fmt.Sprint("compared ", e.Passed()))
	case ViewPlan:
		r.add("viewing")
	case Status:
	case ViewResult:
		r.add("viewed")
	case Drawing:
		r.add("drawn")
	case EnergyResult:
		r.add("energy")
	case Saved:
		r.add("saved")
	default:
		r.add(fmt.Sprintf("unknown %T", e))
	}
}

func TestRunTellsItsEventsInOrder(t *testing.T) {
	dir := t.TempDir()
	base := RunOptions{Platform: PlatformOptions{CPU: true, Physics: nbody.Presets[0].Physics()}, Params: nbody.Presets[0], Bodies: 128, Seed: 1}

	both := base
	both.Benchmark, both.Steps, both.Compare, both.CompareSteps = true, 2, true, 1
	both.Energy, both.Output = true, dir+"/end.bin"
	var obs recordingObserver
	require.NoError(t, Run(context.Background(), both, obs.observe))
	assert.Equal(t, []string{"opened", "bodies", "benchmarked", "compared true", "energy", "saved"}, obs.events)

	view := base
	view.Tipsy, view.Render, view.Frames, view.Every = dir+"/end.bin", dir+"/a.gif", 2, 1
	view.Bodies, view.LongerThan = 0, time.Nanosecond
	obs = recordingObserver{}
	require.NoError(t, Run(context.Background(), view, obs.observe))
	assert.Equal(t, []string{"opened", "reading", "bodies", "long", "viewing", "viewed", "drawn"}, obs.events)

	bad := base
	bad.Render = dir + "/missing/a.gif"
	var frames *FramesFileError
	assert.ErrorAs(t, Run(context.Background(), bad, (&recordingObserver{}).observe), &frames)
	bad = base
	bad.Benchmark, bad.Steps, bad.Output = true, 1, dir+"/missing/x.bin"
	var output *OutputError
	assert.ErrorAs(t, Run(context.Background(), bad, (&recordingObserver{}).observe), &output)
}

// slowStep is an integrator whose one step takes until ctx is cancelled,
// as a step of 2^26 bodies on a CPU does in practice.
type slowStep struct{ nbody.Integrator }

func (s slowStep) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// The interactive mode ends within a step that would never end: the
// integrator stops inside it, and with nothing to show the run is
// interrupted.
func TestViewStopsInsideALongStep(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 64, nbody.DefaultParams(64), 1)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = View(ctx, &Platform{Integrator: slowStep{nbody.NewReference(nbody.Presets[0].Physics())}}, b, ViewOptions{})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "nothing to show: the run was interrupted")
	assert.Less(t, time.Since(began), time.Second)
}

// A frames file that cannot be written does not cost the run its
// snapshot: the bodies are saved, and the error still reported.
func TestRunSavesWhenTheFramesFail(t *testing.T) {
	dir := t.TempDir()
	o := RunOptions{Platform: PlatformOptions{CPU: true, Physics: nbody.Presets[0].Physics()}, Params: nbody.Presets[0],
		Bodies: 64, Seed: 1, Render: dir + "/gone/a.png", Frames: 1, Every: 2, Output: dir + "/end.bin"}
	require.NoError(t, os.Mkdir(dir+"/gone", 0o755))
	obs := &removeDirOnView{dir: dir + "/gone"}
	err := Run(context.Background(), o, obs.observe)
	assert.ErrorContains(t, err, "a.png", "the frames' failure is reported")
	assert.Contains(t, obs.events, "saved", "and the snapshot written all the same")
	_, statErr := os.Stat(dir + "/end.bin")
	assert.NoError(t, statErr)
}

// removeDirOnView takes the frames' folder away once the run has drawn,
// so that writing the frames fails.
type removeDirOnView struct {
	recordingObserver
	dir string
}

func (r *removeDirOnView) observe(e Event) {
	if _, ok := e.(ViewResult); ok {
		_ = os.RemoveAll(r.dir)
	}
	r.recordingObserver.observe(e)
}

// closeCounter counts the Close calls of the integrator it wraps.
type closeCounter struct {
	nbody.Integrator
	closed int
}

func (c *closeCounter) Close() error {
	c.closed++
	return c.Integrator.Close()
}

// With ExitAfter, a run that succeeded leaves its platform for the
// process's exit; one that failed still closes it, and so does every run
// without ExitAfter.
func TestRunLeavesThePlatformToTheExitOnlyAfterASuccess(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		exitAfter bool
		output    string
		closes    int
	}{
		{"without ExitAfter", false, "", 1},
		{"ExitAfter, a success", true, "", 0},
		{"ExitAfter, a failure", true, dir + "/missing/x.bin", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := RunOptions{Platform: PlatformOptions{CPU: true, Physics: nbody.Presets[0].Physics()}, Params: nbody.Presets[0],
				Bodies: 64, Seed: 1, Benchmark: true, Steps: 1, Output: tc.output, ExitAfter: tc.exitAfter}
			var counter *closeCounter
			err := Run(context.Background(), o, func(e Event) {
				if opened, ok := e.(Opened); ok {
					counter = &closeCounter{Integrator: opened.Platform.Integrator}
					opened.Platform.Integrator = counter
				}
			})
			assert.Equal(t, tc.output != "", err != nil, "the run fails only when its snapshot cannot be written: %v", err)
			require.NotNil(t, counter)
			assert.Equal(t, tc.closes, counter.closed)
			if counter.closed == 0 {
				require.NoError(t, counter.Integrator.Close())
			}
		})
	}
}
