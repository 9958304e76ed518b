package validate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/nvml"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// Defaults of a validation run (the verdicts' own are in verdict.go).
const (
	DefaultSample     = 256         // bodies whose accelerations are checked
	DefaultWindow     = time.Second // one timed window of a -duration run
	defaultValidateDT = 0.016       // the sample's first preset
)

// Options set a validation run: every GPU runs its own simulation
// of the same bodies at once, and each gets a verdict.
type Options struct {
	Precision nbody.Precision
	Physics   nbody.Physics
	BlockSize int // 0: gpu.DefaultBlockSize
	Bodies    int // per GPU; 0: the smallest of the GPUs' default numbers
	Seed      uint64
	// Steps are timed, as one window, when Duration is 0. With Duration
	// the GPUs keep stepping until it has passed, in windows of about
	// Window (0: a second), checking accuracy after each.
	Steps    int
	Duration time.Duration
	Window   time.Duration
	// Sample is how many bodies, chosen at random, have their
	// accelerations held to the float64 reference (0: DefaultSample).
	Sample int
	// SlowRatio fails a GPU slower than this share of the median of the
	// GPUs (with two or more; 0: DefaultSlowRatio). MinGIPS fails a GPU
	// below that many billion interactions a second (0: none).
	// ThrottleDrop fails a GPU whose window falls this far below its own
	// first (with Duration; 0: DefaultThrottleDrop).
	SlowRatio, MinGIPS, ThrottleDrop float64
	// MinShare fails a GPU below this share of the rate expected of it
	// (package expect; 0: expect.DefaultMinShare; below 0: never).
	MinShare float64
	// Telemetry reads each GPU's state before the run, half-way through
	// every window and after the run; nil reads nothing.
	Telemetry Telemetry
	// OnWindow, when set, hears every window of every GPU as it ends
	// (from the GPUs' goroutines, one at a time).
	OnWindow func(gpu int, w modes.Figures)
	// Devices are the GPUs to validate; nil: every visible one.
	Devices []gpu.Device
	// Open opens the integrator that runs on a device; nil: gpu.New with
	// the options above. Tests run whole validations with it on devices
	// that are not GPUs.
	Open func(d gpu.Device) (nbody.Integrator, error)
}

// GPUResult is one GPU's validation: its figures, its accuracy, its state,
// and the verdict.
type GPUResult struct {
	Device gpu.Device
	// Host is the GPU's machine in a cluster's validation (Cluster), by
	// its host name; "" for a machine on its own.
	Host    string
	Windows []modes.Figures // timed windows, in order
	// Accuracy is the largest relative L2 error of the sampled bodies'
	// accelerations against the float64 reference over every check;
	// Checks counts them.
	Accuracy, AccuracyBound float64
	Checks                  int
	Before, After           *Reading // telemetry; nil without it
	// During are the readings taken while the windows ran, one a window
	// (none for a window whose reading failed).
	During       []Reading
	TelemetryErr error // the first failed reading of each kind: before, during, after
	Err          error // the run could not go on
	// Observed is what the readings add up to.
	Observed Observed
	// Expected is the rate a sound GPU of its kind reaches in this run, and
	// Share the median window's rate over it; nil and 0 where none is
	// known, and NoExpectation says why.
	Expected      *expect.Expectation
	Share         float64
	NoExpectation string
	// Ratio is the median window's rate over the median of the GPUs'.
	Ratio   float64
	Passed  bool
	Reasons []string // why it failed

	// bodies is the run's number of bodies where it is not the judge's
	// Options.Bodies: a cluster's node chose its own (JudgeCluster).
	bodies int
}

// UUID is the GPU's UUID as NVML writes it ("GPU-…"), or "" where
// neither NVML nor the driver told it.
func (r GPUResult) UUID() string {
	switch {
	case r.Before != nil && r.Before.UUID != "":
		return r.Before.UUID
	case r.Device.UUID != [16]byte{}:
		return nvml.FormatUUID(r.Device.UUID, false)
	}
	return ""
}

// Rate is the GPU's median window rate, in billion interactions a second.
func (r GPUResult) Rate() float64 {
	if len(r.Windows) == 0 {
		return 0
	}
	rates := make([]float64, len(r.Windows))
	for i, w := range r.Windows {
		rates[i] = w.GInteractions
	}
	return median(rates)
}

// Result is a validation run's record.
type Result struct {
	Bodies      int
	Steps       int           // timed steps of a run without Duration
	Duration    time.Duration // asked for; 0 without
	Elapsed     time.Duration
	Interrupted bool // the context ended the run before its end
	GPUs        []GPUResult
}

// Passed reports whether every GPU passed.
func (v Result) Passed() bool {
	for _, g := range v.GPUs {
		if !g.Passed {
			return false
		}
	}
	return len(v.GPUs) > 0
}

// All validates every visible GPU: each runs its own simulation of
// the same bodies, on its own context and goroutine, all at once. A GPU
// that fails to open or to run fails; the others go on. Cancelling ctx
// ends the run early with the record so far. With no usable GPU the error
// is a *modes.NoGPUError.
func All(ctx context.Context, o Options) (Result, error) {
	devs := o.Devices
	if devs == nil {
		var err error
		if devs, err = modes.ListGPUs(); err != nil {
			return Result{}, err
		}
	}
	if o.BlockSize == 0 {
		o.BlockSize = gpu.DefaultBlockSize
	}
	units := make([]unit, len(devs))
	for i, d := range devs {
		units[i] = unit{device: d, open: func() (nbody.Integrator, error) {
			if o.Open != nil {
				return o.Open(d)
			}
			return gpu.New(gpu.Options{Precision: o.Precision, Physics: o.Physics, BlockSize: o.BlockSize, Device: d.Ordinal})
		}}
	}
	if o.Bodies == 0 {
		o.Bodies = defaultValidateBodies(devs, o.BlockSize)
	}
	return validate(ctx, units, o)
}

// defaultValidateBodies is the sample's default N of the smallest GPU, so
// that every GPU runs the same simulation at a size that fills it.
func defaultValidateBodies(devs []gpu.Device, blockSize int) int {
	n := 0
	for _, d := range devs {
		if m := 4 * blockSize * d.Multiprocessors; n == 0 || m < n {
			n = m
		}
	}
	return max(n, modes.DefaultCompareBodies)
}

// unit is one device under test: how to open its integrator.
type unit struct {
	device gpu.Device
	open   func() (nbody.Integrator, error)
}

// validate runs every unit at once and judges them.
func validate(ctx context.Context, units []unit, o Options) (Result, error) {
	if o.Duration == 0 && o.Steps < 1 {
		return Result{}, fmt.Errorf("%d timed steps: want at least 1, or a duration", o.Steps)
	}
	b, err := nbody.Generate(nbody.Shell, o.Bodies, nbody.DefaultParams(o.Bodies), o.Seed)
	if err != nil {
		return Result{}, err
	}
	v := Result{Bodies: o.Bodies, Duration: o.Duration, GPUs: make([]GPUResult, len(units))}
	if o.Duration == 0 {
		v.Steps = o.Steps
	}
	began := time.Now()
	var mu sync.Mutex // serializes OnWindow
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() {
			onWindow := func(w modes.Figures) {
				if o.OnWindow != nil {
					mu.Lock()
					defer mu.Unlock()
					o.OnWindow(i, w)
				}
			}
			v.GPUs[i] = runUnit(ctx, u, b, o, onWindow)
		})
	}
	wg.Wait()
	v.Elapsed = time.Since(began)
	v.Interrupted = ctx.Err() != nil
	judge(v.GPUs, o)
	return v, nil
}

// runUnit validates one device: telemetry, a warm-up step, the timed
// windows with an accuracy check after each, telemetry again.
func runUnit(ctx context.Context, u unit, b nbody.Bodies, o Options, onWindow func(modes.Figures)) (r GPUResult) {
	r = GPUResult{Device: u.device, AccuracyBound: nbody.AccuracyBound(o.Precision)}
	r.Before, r.TelemetryErr = read(o.Telemetry, u.device)
	// The result is named so that this reading, taken once the GPU is
	// done, is in what the function returns.
	defer func() {
		after, err := read(o.Telemetry, u.device)
		r.After, r.TelemetryErr = after, errors.Join(r.TelemetryErr, err)
	}()
	in, err := u.open()
	if err != nil {
		r.Err = fmt.Errorf("opening: %w", err)
		return r
	}
	defer in.Close()
	if err := in.SetBodies(b); err != nil {
		r.Err = fmt.Errorf("loading %d bodies: %w", b.N(), err)
		return r
	}
	dt := defaultValidateDT
	perStep, err := in.Step(ctx, dt, 1)
	if err != nil {
		if ctx.Err() == nil {
			r.Err = fmt.Errorf("warm-up step: %w", err)
		}
		return r
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(u.device.Ordinal)))
	window := cmpOr(o.Window, DefaultWindow)
	deadline := time.Now().Add(o.Duration)
	var duringErr error
	for {
		steps := o.Steps
		if o.Duration > 0 {
			steps = max(1, int(window/max(perStep, 1)))
		}
		reading := readDuring(o.Telemetry, u.device, time.Duration(steps)*perStep)
		d, err := in.Step(ctx, dt, steps)
		if got, err := reading(); got != nil {
			r.During = append(r.During, *got)
		} else if err != nil && duringErr == nil {
			duringErr = err
			r.TelemetryErr = errors.Join(r.TelemetryErr, fmt.Errorf("during the run: %w", err))
		}
		if err != nil {
			if ctx.Err() == nil {
				r.Err = fmt.Errorf("step: %w", err)
			}
			break // a cancelled window is not counted
		}
		perStep = d / time.Duration(steps)
		w := modes.Throughput(b.N(), steps, d, o.Precision)
		r.Windows = append(r.Windows, w)
		onWindow(w)
		// The check runs to the end even once ctx is cancelled: a
		// report needs it, and it takes one step and K×N on the CPU.
		if err := checkSample(context.WithoutCancel(ctx), in, b, &r, o, rng); err != nil {
			r.Err = err
			break
		}
		if o.Duration == 0 || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
	}
	return r
}

// checkSample holds the accelerations of o.Sample random bodies, as the
// integrator computes them for the run's first positions, to the float64
// reference from those same positions (K×N interactions on the CPU), and
// puts the integrator back where it was. The first positions, not the
// current ones: once the sample's shell has clumped, a body's pulls cancel
// and fp32 sums of 10^5 of them drift past the contract's bound however
// sound the GPU (7.7e-5 on H200s after 5 s), while the same arithmetic on
// the same first positions every window shows a GPU that goes wrong
// during the run.
func checkSample(ctx context.Context, in nbody.Integrator, first nbody.Bodies, r *GPUResult, o Options, rng *rand.Rand) error {
	var now nbody.Bodies
	if err := in.Bodies(&now); err != nil {
		return fmt.Errorf("reading back the bodies: %w", err)
	}
	got, err := nbody.Accelerations(ctx, in, first)
	if err != nil {
		return err
	}
	if err := in.SetBodies(now); err != nil {
		return fmt.Errorf("putting the bodies back after the accuracy check: %w", err)
	}
	k := min(cmpOr(o.Sample, DefaultSample), first.N())
	idx := rng.Perm(first.N())[:k]
	sample := make([]float64, 0, 3*k)
	for _, i := range idx {
		sample = append(sample, got[3*i:3*i+3]...)
	}
	e := nbody.RelativeL2(sample, nbody.ReferenceAccelerationsOf(first.Pos, o.Physics.Softening, idx))
	if r.Checks == 0 || e > r.Accuracy || e != e {
		r.Accuracy = e
	}
	r.Checks++
	return nil
}

// cmpOr is v, or def when v is zero.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
