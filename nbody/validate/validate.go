package modes

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// Defaults of a validation run.
const (
	DefaultSample       = 256             // bodies whose accelerations are checked
	DefaultSlowRatio    = 0.9             // of the median GPU's rate
	DefaultThrottleDrop = 0.10            // below the GPU's own first window
	DefaultWindow       = time.Second     // one timed window of a -duration run
	defaultValidateDT   = 0.016           // the sample's first preset
	readingLate         = 2 * time.Second // telemetry that takes longer is dropped
)

// ValidateOptions set a validation run: every GPU runs its own simulation
// of the same bodies at once, and each gets a verdict.
type ValidateOptions struct {
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
	// Telemetry reads each GPU's clocks, temperature and power before and
	// after the run; nil reads nothing.
	Telemetry Telemetry
	// OnWindow, when set, hears every window of every GPU as it ends
	// (from the GPUs' goroutines, one at a time).
	OnWindow func(gpu int, w Figures)
	// Devices are the GPUs to validate; nil: every visible one.
	Devices []gpu.Device
}

// Telemetry reads a GPU's state, for the record beside its figures.
type Telemetry interface {
	Read(d gpu.Device) (Reading, error)
}

// Reading is a GPU's state at one moment; a field the GPU or the library
// does not report is nil or empty.
type Reading struct {
	UUID            string   `json:"uuid,omitempty"`
	SMClockMHz      *int     `json:"sm_clock_mhz,omitempty"`
	MaxSMClockMHz   *int     `json:"max_sm_clock_mhz,omitempty"`
	TemperatureC    *int     `json:"temperature_c,omitempty"`
	PowerW          *float64 `json:"power_w,omitempty"`
	PowerLimitW     *float64 `json:"power_limit_w,omitempty"`
	ThrottleReasons []string `json:"throttle_reasons"` // null: not reported; []: none active
	// ECCErrors counts the memory errors ECC could not correct since the
	// driver loaded; nil where ECC is off or not reported.
	ECCErrors *uint64 `json:"ecc_uncorrected_errors,omitempty"`
}

// GPUResult is one GPU's validation: its figures, its accuracy, its state,
// and the verdict.
type GPUResult struct {
	Device  gpu.Device
	Windows []Figures // timed windows, in order
	// Accuracy is the largest relative L2 error of the sampled bodies'
	// accelerations against the float64 reference over every check;
	// Checks counts them.
	Accuracy, AccuracyBound float64
	Checks                  int
	Before, After           *Reading // telemetry; nil without it
	TelemetryErr            error
	Err                     error // the run could not go on
	// Ratio is the median window's rate over the median of the GPUs'.
	Ratio   float64
	Passed  bool
	Reasons []string // why it failed
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

// Validation is a validation run's record.
type Validation struct {
	Bodies      int
	Steps       int           // timed steps of a run without Duration
	Duration    time.Duration // asked for; 0 without
	Elapsed     time.Duration
	Interrupted bool // the context ended the run before its end
	GPUs        []GPUResult
}

// Passed reports whether every GPU passed.
func (v Validation) Passed() bool {
	for _, g := range v.GPUs {
		if !g.Passed {
			return false
		}
	}
	return len(v.GPUs) > 0
}

// ValidateAll validates every visible GPU: each runs its own simulation of
// the same bodies, on its own context and goroutine, all at once. A GPU
// that fails to open or to run fails; the others go on. Cancelling ctx
// ends the run early with the record so far. With no usable GPU the error
// is a *NoGPUError.
func ValidateAll(ctx context.Context, o ValidateOptions) (Validation, error) {
	devs := o.Devices
	if devs == nil {
		var err error
		if devs, err = ListGPUs(); err != nil {
			return Validation{}, err
		}
	}
	if o.BlockSize == 0 {
		o.BlockSize = gpu.DefaultBlockSize
	}
	units := make([]unit, len(devs))
	for i, d := range devs {
		units[i] = unit{device: d, open: func() (nbody.Integrator, error) {
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
	return max(n, DefaultCompareBodies)
}

// unit is one device under test: how to open its integrator.
type unit struct {
	device gpu.Device
	open   func() (nbody.Integrator, error)
}

// validate runs every unit at once and judges them.
func validate(ctx context.Context, units []unit, o ValidateOptions) (Validation, error) {
	if err := nbody.CheckCount(o.Bodies); err != nil {
		return Validation{}, err
	}
	if o.Duration == 0 && o.Steps < 1 {
		return Validation{}, fmt.Errorf("%d timed steps: want at least 1, or a duration", o.Steps)
	}
	b, err := nbody.Generate(nbody.Shell, o.Bodies, nbody.DefaultParams(o.Bodies), o.Seed)
	if err != nil {
		return Validation{}, err
	}
	v := Validation{Bodies: o.Bodies, Duration: o.Duration, GPUs: make([]GPUResult, len(units))}
	if o.Duration == 0 {
		v.Steps = o.Steps
	}
	began := time.Now()
	var mu sync.Mutex // serializes OnWindow
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() {
			onWindow := func(w Figures) {
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
func runUnit(ctx context.Context, u unit, b nbody.Bodies, o ValidateOptions, onWindow func(Figures)) (r GPUResult) {
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
	if _, err := in.Step(ctx, dt, 1); err != nil {
		if ctx.Err() == nil {
			r.Err = fmt.Errorf("warm-up step: %w", err)
		}
		return r
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(u.device.Ordinal)))
	window := cmpOr(o.Window, DefaultWindow)
	deadline := time.Now().Add(o.Duration)
	perStep := time.Duration(0)
	for {
		steps := o.Steps
		if o.Duration > 0 {
			steps = 1
			if perStep > 0 {
				steps = max(1, int(window/perStep))
			}
		}
		d, err := in.Step(ctx, dt, steps)
		if err != nil {
			if ctx.Err() == nil {
				r.Err = fmt.Errorf("step: %w", err)
			}
			break // a cancelled window is not counted
		}
		perStep = d / time.Duration(steps)
		w := Throughput(b.N(), steps, d, o.Precision)
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
func checkSample(ctx context.Context, in nbody.Integrator, first nbody.Bodies, r *GPUResult, o ValidateOptions, rng *rand.Rand) error {
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

// read takes one telemetry reading, giving up on a library that hangs.
func read(t Telemetry, d gpu.Device) (*Reading, error) {
	if t == nil {
		return nil, nil
	}
	type answer struct {
		r   Reading
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		r, err := t.Read(d)
		ch <- answer{r, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, a.err
		}
		return &a.r, nil
	case <-time.After(readingLate):
		return nil, fmt.Errorf("telemetry of GPU %d: no answer within %s", d.Ordinal, readingLate)
	}
}

// judge gives every GPU its verdict: it fails when it could not run, when
// its accuracy check failed, when ECC saw uncorrected errors during the run, when it ran below MinGIPS, when a later window
// fell more than ThrottleDrop below its first, or, among two or more GPUs,
// when its rate is below SlowRatio of the median.
func judge(gpus []GPUResult, o ValidateOptions) {
	rates := make([]float64, 0, len(gpus))
	for _, g := range gpus {
		if g.Err == nil && len(g.Windows) > 0 {
			rates = append(rates, g.Rate())
		}
	}
	mid := median(rates)
	slow := cmpOr(o.SlowRatio, DefaultSlowRatio)
	drop := cmpOr(o.ThrottleDrop, DefaultThrottleDrop)
	for i := range gpus {
		g := &gpus[i]
		g.Reasons = nil
		if mid > 0 {
			g.Ratio = g.Rate() / mid
		}
		switch {
		case g.Err != nil:
			g.Reasons = append(g.Reasons, "error: "+g.Err.Error())
		case len(g.Windows) == 0:
			g.Reasons = append(g.Reasons, "no timed window finished")
		}
		if g.Checks > 0 && !(g.Accuracy <= g.AccuracyBound) {
			g.Reasons = append(g.Reasons, fmt.Sprintf("accuracy: relative L2 error %.3g above %.3g", g.Accuracy, g.AccuracyBound))
		}
		if b, a := g.Before, g.After; b != nil && a != nil && b.ECCErrors != nil && a.ECCErrors != nil && *a.ECCErrors > *b.ECCErrors {
			g.Reasons = append(g.Reasons, fmt.Sprintf("ecc: %d uncorrected memory errors during the run", *a.ECCErrors-*b.ECCErrors))
		}
		if len(g.Windows) > 0 {
			if o.MinGIPS > 0 && g.Rate() < o.MinGIPS {
				g.Reasons = append(g.Reasons, fmt.Sprintf("below %g GI/s", o.MinGIPS))
			}
			if o.Duration > 0 && len(g.Windows) > 1 {
				first := g.Windows[0].GInteractions
				for k, w := range g.Windows[1:] {
					if w.GInteractions < (1-drop)*first {
						g.Reasons = append(g.Reasons, fmt.Sprintf("throttled: window %d at %.0f%% of the first", k+2, 100*w.GInteractions/first))
						break
					}
				}
			}
			if len(rates) >= 2 && g.Ratio < slow {
				g.Reasons = append(g.Reasons, fmt.Sprintf("slow: %.0f%% of the median GPU", 100*g.Ratio))
			}
		}
		g.Passed = len(g.Reasons) == 0
	}
}

// median is the middle value (the mean of the two middle ones for an even
// count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// cmpOr is v, or def when v is zero.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
