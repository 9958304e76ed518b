package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/internal/console"
	"github.com/nbody-go/nbody/internal/pathname"
	"github.com/nbody-go/nbody/internal/procstart"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a run-time error, or -compare found a difference
	exitUsage   = 2 // a mistake on the command line
)

// errCompareFailed ends a run whose comparison failed; the report has
// already said why.
var errCompareFailed = errors.New("comparison failed")

// app is one run of the command: what it was asked, and where it prints.
type app struct {
	ctx    context.Context
	o      options
	stdout io.Writer // where -json writes
	out    io.Writer // the text report: stdout, or nowhere with -json
	errw   io.Writer
	report jsonReport

	// progress draws a bar for long runs on a terminal; nil otherwise.
	progress modes.Progress
	// Where the interactive mode's status line goes: stderr, rewritten in
	// place when it is a terminal, plain lines otherwise; nowhere with -json.
	statusW        io.Writer
	statusTerminal bool
	status         *statusLine    // the interactive mode's, once it runs
	view           modes.ViewPlan // what the interactive mode does

	prec   nbody.Precision
	params nbody.Params // the sample's first preset: dt, softening, damping
}

// progressAfter is how long a run must be expected to take before a
// progress bar is worth showing.
const progressAfter = 2 * time.Second

// interruptedLine acknowledges Ctrl-C or SIGTERM at once, outside the
// interactive mode (where they end the run as closing the window does).
const interruptedLine = "> Interrupted: stopping now; no report (a second Ctrl-C quits at once)"

// run is the whole program: it returns the exit status. terminal is
// stderr when it is a terminal, where a progress bar may go (nil for none).
// Cancelling ctx stops the run; a cause of type signalled sets the exit
// status for that signal.
func run(ctx context.Context, args []string, stdout, stderr, terminal io.Writer) int {
	o, err := parseFlags(args)
	if err == nil && !o.help {
		err = o.checkFiles(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		if cli.Asked(args, "json") {
			// A script that asked for JSON gets a document to read.
			_ = writeJSON(stdout, &jsonFailure{Mode: o.mode(), Error: jsonError{"usage", strings.TrimPrefix(err.Error(), "Error: ")}, ExitStatus: exitUsage})
		}
		return exitUsage
	}
	for _, line := range o.notices {
		fmt.Fprintln(stderr, line)
	}
	if o.help {
		help := &cli.StickyWriter{W: stdout}
		printHelp(help)
		if help.Err != nil {
			fmt.Fprintln(stderr, "Error: writing the help to standard output: "+withoutPath(help.Err).Error())
			return exitFailure
		}
		return exitOK
	}
	// A report that cannot be written (a full disk, a closed pipe) is a
	// failure, not a success with nothing to show. Once a signal is
	// acknowledged, nothing more of it is printed.
	gate := &cli.Gate{W: cli.ReportOf(stdout, o.place.Rank)}
	report := &cli.StickyWriter{W: gate}
	a := &app{ctx: ctx, o: o, stdout: report, out: report, errw: stderr, params: nbody.Presets[0]}
	if o.fp64 {
		a.prec = nbody.Double
	}
	a.report.Mode, a.report.Precision = o.mode(), a.prec.String()
	a.report.setGPUSettings(o)
	a.statusW = stderr
	if terminal != nil {
		a.progress = console.NewBar(terminal, progressAfter)
		a.statusW, a.statusTerminal = terminal, true
	}
	if o.json {
		a.out, a.progress, a.statusW = io.Discard, nil, nil
	}
	var once sync.Once
	var acknowledged atomic.Bool
	acknowledge := func() {
		once.Do(func() {
			// What the line promises holds from here on: no report
			// follows it, no file is written, and the exit status is the
			// signal's.
			gate.Close()
			atomicfile.AbortAll()
			acknowledged.Store(true)
			fmt.Fprintln(stderr, interruptedLine)
		})
	}
	// The interactive mode and a validation end on a signal with their
	// report; every other run stops without one.
	stopsOnSignal := !o.interactive() && !o.allDevices
	if stopsOnSignal {
		defer context.AfterFunc(ctx, func() {
			acknowledge()
			cli.ExitAfter(ctx, graceAfterSignal, atomicfile.AbortAll)
		})()
	}
	work := a.simulate
	if o.allDevices {
		work = a.validate
	}
	err = work()
	if stopsOnSignal && ctx.Err() != nil {
		// A run that ended as the signal came, or whose snapshot was
		// written meanwhile, still stops as the line said.
		acknowledge()
		err = errors.Join(err, context.Cause(ctx))
	}
	code, failure := a.outcome(err, acknowledge)
	if o.json {
		if acknowledged.Load() {
			// The document says why there is no report, and holds none.
			r := &a.report
			r.Benchmark, r.StartupMs, r.Compare, r.Energy, r.Output = nil, nil, nil, nil, ""
			gate.Open()
		}
		a.report.ExitStatus, a.report.Error = code, failure
		if err := writeJSON(report, &a.report); err != nil && code == exitOK {
			fmt.Fprintln(stderr, "Error: "+err.Error())
			return exitFailure
		}
	}
	if code == exitOK && report.Err != nil {
		fmt.Fprintln(stderr, "Error: writing the report to standard output: "+withoutPath(report.Err).Error())
		return exitFailure
	}
	return code
}

// withoutPath is err without the os package's "write /dev/stdout: ",
// which names standard output by a name the user never gave.
func withoutPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// outcome turns the run's error into the exit status, says what failed on
// stderr, and names it for -json with a stable code.
func (a *app) outcome(err error, acknowledge func()) (int, *jsonError) {
	var noGPU *modes.NoGPUError
	switch {
	case err == nil:
		return exitOK, nil
	case errors.Is(err, errValidationFailed):
		return exitFailure, &jsonError{"validation_failed", err.Error()}
	case errors.Is(err, context.Canceled) || a.ctx.Err() != nil:
		acknowledge()
		return cli.InterruptedStatus(a.ctx), &jsonError{"interrupted", context.Cause(a.ctx).Error()}
	case errors.Is(err, errCompareFailed):
		return exitFailure, &jsonError{"comparison_failed", "the comparison with the float64 reference failed"}
	case errors.As(err, &noGPU):
		fmt.Fprintln(a.errw, "Error: "+oneLine(err.Error()))
		return exitFailure, &jsonError{"no_gpu", oneLine(err.Error())}
	default:
		fmt.Fprintln(a.errw, "Error: "+oneLine(err.Error()))
		return exitFailure, &jsonError{"error", oneLine(err.Error())}
	}
}

// graceAfterSignal is how long a run that a signal stopped may take to
// wind down (the integrators stop within a step, or a slice of one, but
// making a million bodies or reading a large file does not look back)
// before the process ends regardless, with the signal's exit status.
const graceAfterSignal = 1500 * time.Millisecond

// simulate runs the simulation the options ask for (the benchmark, the
// comparison or the interactive mode), printing as the sample does.
func (a *app) simulate() error {
	o := a.o
	printBanner(a.out)
	if o.numDevices > 0 {
		fmt.Fprintf(a.out, "number of CUDA devices  = %d\n", o.numDevices)
	}
	viewSteps := 0
	if o.iterationsSet {
		viewSteps = o.iterations
	}
	err := modes.Run(a.ctx, modes.RunOptions{
		Platform: modes.PlatformOptions{
			Precision: a.prec, Physics: a.params.Physics(), CPU: o.cpu, BlockSize: o.blockSize,
			Device: o.device, NumDevices: o.numDevices, HostMem: o.hostmem, Exchange: o.exchange,
			NCCLLibrary: o.ncclLibrary, RequireGPU: o.gpuAsked, Cluster: o.place,
		},
		Params: a.params, Tipsy: o.tipsy, TipsyFormat: o.tipsyFormat, Bodies: o.numBodies, Seed: o.seed,
		Benchmark: o.benchmark, Steps: o.iterations, Compare: o.compare, CompareSteps: o.compareSteps,
		ViewSteps: viewSteps, Render: o.render, Frames: o.frames, Every: o.every, Fullscreen: o.fullscreen,
		Energy: o.energy, Output: o.output, LongerThan: time.Hour, Progress: a.progress,
		ExitAfter: true, // main exits with run's status
	}, a.observe)
	a.status.clear()
	var dre *modes.DeviceRangeError
	var noGPU *modes.NoGPUError
	var frames *modes.FramesFileError
	var inUse *cluster.PortInUseError
	switch {
	case errors.As(err, &dre):
		return fmt.Errorf("-device=%d: only %d CUDA devices available (0 to %d)", dre.Device, dre.Count, dre.Count-1)
	case errors.As(err, &noGPU):
		return fmt.Errorf("%w; -gpu, -device, -numdevices, -hostmem, -blockSize and -ranks need one. Check that nvidia-smi sees it; "+
			"in a container, start it with --gpus=all (the NVIDIA Container Toolkit must be installed)", err)
	case errors.As(err, &frames):
		return fmt.Errorf("-render: %w", frames.Err)
	case errors.As(err, &inUse) && o.place.PortDerived:
		return fmt.Errorf("%w: choose another with -coordinator=HOST:PORT or -job=ID", err)
	case errors.As(err, &inUse):
		return fmt.Errorf("%w: choose another with -coordinator=HOST:PORT", err)
	case errors.Is(err, nccl.ErrNoLibrary) && o.ncclLibrary == "":
		// Only NCCL's absence fails a run: the driver's is a fallback to
		// the CPU or a *NoGPUError, and NVML's leaves out telemetry.
		return fmt.Errorf("%w (set %s to its path)", err, cluster.NCCLLibraryEnv)
	case err == nil && a.report.Compare != nil && !a.report.Compare.Passed():
		return errCompareFailed
	}
	return err
}

// observe reports each of the run's events as it happens: a line of the
// report or of stderr, and its part of the JSON report (a modes.Observer).
func (a *app) observe(e modes.Event) {
	switch e := e.(type) {
	case modes.Withdrawing:
		fmt.Fprintf(a.errw, "Rank %d of %d cannot take part: %s; telling the other ranks as they join (for up to %s)\n",
			e.Rank, e.Ranks, oneLine(e.Reason.Error()), e.Limit)
	case modes.Opened:
		a.opened(e.Platform)
	case modes.ReadingFile:
		fmt.Fprintf(a.out, "Trying to read file: %s\n", pathname.Show(e.Path))
	case modes.BodiesInfo:
		a.bodies(e)
	case modes.LongRun:
		a.long(e)
	case modes.BenchmarkResult:
		a.benchmarked(e)
	case modes.Comparison:
		printComparison(a.out, e)
		a.report.Compare = &e
	case modes.ViewPlan:
		a.viewing(e)
	case modes.Status:
		a.status.show(e, where(a.view, e.Done))
	case modes.ViewResult:
		a.viewed(e)
	case modes.Drawing:
		a.drawn(e)
	case modes.EnergyResult:
		printEnergy(a.out, e)
		a.report.Energy = &e
	case modes.BrokeDown:
		a.brokeDown(e)
	case modes.Saved:
		a.report.Output = e.Path
	}
}

// opened prints the fallback line and the sample's header, and fills the
// platform's part of the JSON report.
func (a *app) opened(p *modes.Platform) {
	if p.FellBack {
		fmt.Fprintln(a.errw, fallbackLine(p.Unavailable))
	}
	var gpus []gpu.Device
	if p.GPU != nil {
		gpus = p.Devices // the CPU counts as one device, whatever -numdevices asked
	}
	printHeader(a.out, a.o, gpus)
	printExchange(a.out, p)
	a.describePlatform(p)
}

// bodies prints the sample's line for the bodies,
// and the advisory it prints before a long double-precision benchmark.
func (a *app) bodies(b modes.BodiesInfo) {
	switch {
	case b.Seed == nil:
		fmt.Fprintf(a.errw, "Read %d bodies\n", b.N)
	case b.Given:
		fmt.Fprintf(a.out, "number of bodies = %d\n", b.N)
	}
	a.report.Bodies, a.report.Source, a.report.Seed = b.N, b.Source, b.Seed
	if a.o.benchmark && a.o.fp64 && a.o.iterations > defaultIterations {
		printFP64Advisory(a.out)
	}
}

// long warns of a long run: a number of bodies picked by mistake should
// not cost the user an hour before they notice.
func (a *app) long(l modes.LongRun) {
	fmt.Fprintf(a.errw, "> Warning: %d bodies for %d %s cannot take less than %.1f hours here; Ctrl-C stops the run\n",
		l.N, l.Steps, plural(l.Steps, "step", "steps"), l.Least.Hours())
}

// brokeDown warns that the bodies went NaN: the figures of a run whose
// bodies broke down mean little, and a snapshot of them cannot be
// written; say so rather than exit 0 in silence.
func (a *app) brokeDown(b modes.BrokeDown) {
	fmt.Fprintf(a.errw, "> Warning: %d of %d bodies ended with a position or velocity that is NaN or infinite: the simulation broke down "+
		"(too many or too heavy bodies for the time step: try fewer with -numbodies, or check the -tipsy file's values)\n", b.Bad, b.All)
}

// benchmarked prints the sample's benchmark lines and keeps the figures
// and the start-up time for the JSON report.
func (a *app) benchmarked(r modes.BenchmarkResult) {
	printReport(a.out, r.Figures)
	a.report.Benchmark = &r
	startup := float64(r.TimedFrom.Sub(procstart.Start())) / float64(time.Millisecond)
	a.report.StartupMs = &startup
}
