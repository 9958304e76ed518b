package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nbody-go/nbody/internal/console"
	"github.com/nbody-go/nbody/internal/procstart"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/render"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1   // a run-time error, or -compare found a difference
	exitUsage       = 2   // a mistake on the command line
	exitInterrupted = 130 // 128 + SIGINT, as a shell reports it; SIGTERM gives 143
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
	if err != nil {
		fmt.Fprintln(stderr, err)
		if jsonAsked(args) {
			// A script that asked for JSON gets a document to read.
			_ = writeJSON(stdout, &jsonFailure{Mode: o.mode(), Error: jsonError{"usage", strings.TrimPrefix(err.Error(), "Error: ")}, ExitStatus: exitUsage})
		}
		return exitUsage
	}
	if o.help {
		printHelp(stdout)
		return exitOK
	}
	// A report that cannot be written (a full disk, a closed pipe) is a
	// failure, not a success with nothing to show.
	report := &stickyWriter{w: stdout}
	a := &app{ctx: ctx, o: o, stdout: report, out: report, errw: stderr, params: nbody.Presets[0]}
	if o.fp64 {
		a.prec = nbody.Double
	}
	a.report.Mode, a.report.Precision = o.mode(), a.prec.String()
	a.report.BlockSize, a.report.HostMem = o.blockSize, o.hostmem
	a.statusW = stderr
	if terminal != nil {
		a.progress = console.NewBar(terminal, progressAfter)
		a.statusW, a.statusTerminal = terminal, true
	}
	if o.json {
		a.out, a.progress, a.statusW = io.Discard, nil, nil
	}
	var once sync.Once
	acknowledge := func() { once.Do(func() { fmt.Fprintln(stderr, interruptedLine) }) }
	if !o.interactive() {
		defer context.AfterFunc(ctx, func() {
			acknowledge()
			exitAfterGrace(ctx)
		})()
	}
	code, failure := a.outcome(a.main(), acknowledge)
	if o.json {
		a.report.ExitStatus, a.report.Error = code, failure
		if err := writeJSON(report, &a.report); err != nil && code == exitOK {
			fmt.Fprintln(stderr, "Error: "+err.Error())
			return exitFailure
		}
	}
	if code == exitOK && report.err != nil {
		fmt.Fprintln(stderr, "Error: writing the report to standard output: "+report.err.Error())
		return exitFailure
	}
	return code
}

// outcome turns the run's error into the exit status, says what failed on
// stderr, and names it for -json with a stable code.
func (a *app) outcome(err error, acknowledge func()) (int, *jsonError) {
	var noGPU *modes.NoGPUError
	switch {
	case err == nil:
		return exitOK, nil
	case errors.Is(err, context.Canceled) || a.ctx.Err() != nil:
		acknowledge()
		return interruptedStatus(a.ctx), &jsonError{"interrupted", context.Cause(a.ctx).Error()}
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

// exitAfterGrace ends the process graceAfterSignal from now when a signal
// stopped the run: nothing is left to save outside the interactive mode,
// and a user who pressed Ctrl-C should not wait on work that cannot be cut
// short.
func exitAfterGrace(ctx context.Context) {
	var s signalled
	if errors.As(context.Cause(ctx), &s) {
		time.AfterFunc(graceAfterSignal, func() { os.Exit(interruptedStatus(ctx)) })
	}
}

// interruptedStatus is the exit status of a run that ctx's cancellation
// stopped: 128 + the signal's number, as a shell reports a process that a
// signal ended; 130 (SIGINT) when no signal is named.
func interruptedStatus(ctx context.Context) int {
	var s signalled
	if errors.As(context.Cause(ctx), &s) {
		return 128 + int(s.sig)
	}
	return exitInterrupted
}

// stickyWriter keeps the first error of its writes, so that a report that
// could not be written fails the run at the end.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// main runs the modes the options ask for, printing as the sample does.
func (a *app) main() error {
	o := a.o
	printBanner(a.out)
	if o.numDevices > 0 {
		fmt.Fprintf(a.out, "number of CUDA devices  = %d\n", o.numDevices)
	}
	p, err := modes.OpenPlatform(modes.PlatformOptions{
		Precision:  a.prec,
		Physics:    a.params.Physics(),
		CPU:        o.cpu,
		BlockSize:  o.blockSize,
		Device:     o.device,
		NumDevices: o.numDevices,
		HostMem:    o.hostmem,
		Exchange:   o.exchange,
		RequireGPU: o.gpuAsked,
	})
	var dre *modes.DeviceRangeError
	var noGPU *modes.NoGPUError
	switch {
	case errors.As(err, &dre):
		return fmt.Errorf("-device=%d: only %d CUDA devices available (0 to %d)", dre.Device, dre.Count, dre.Count-1)
	case errors.As(err, &noGPU):
		return fmt.Errorf("%w; -gpu, -device, -numdevices and -hostmem need one. Check that nvidia-smi sees it; "+
			"in a container, start it with --gpus=all (the NVIDIA Container Toolkit must be installed)", noGPU)
	case err != nil:
		return err
	}
	defer p.Close()
	if p.FellBack {
		fmt.Fprintln(a.errw, fallbackLine(p.Unavailable))
	}
	printHeader(a.out, o, p)
	printExchange(a.out, p)
	a.describePlatform(p)

	if o.output != "" {
		// Fail before the run, not after it, when the snapshot cannot be written.
		if err := tipsy.CheckWritable(o.output); err != nil {
			return fmt.Errorf("writing %s: %w", o.output, err)
		}
	}
	in, err := a.initialBodies(p)
	if err != nil {
		return err
	}
	var energy *modes.EnergyCheck
	if o.energy {
		energy = modes.StartEnergy(in.Bodies, a.params.Softening)
	}
	end, compareErr, err := a.runModes(p, in.Bodies)
	if err != nil {
		return err
	}
	if energy != nil && end != nil {
		r := energy.Finish(*end)
		printEnergy(a.out, r)
		a.report.Energy = &r
	}
	if o.output != "" && end != nil {
		if err := in.Save(o.output, end.Bodies); err != nil {
			return fmt.Errorf("writing %s: %w", o.output, err)
		}
		a.report.Output = o.output
	}
	return compareErr
}

// runModes runs the interactive mode, or the benchmark and the comparison
// the options ask for. It returns where the run left the bodies (the
// benchmark's when both ran), and errCompareFailed apart from other
// errors, since a failed comparison still reports and writes its output.
func (a *app) runModes(p *modes.Platform, b nbody.Bodies) (end *modes.EndState, compareErr, err error) {
	o := a.o
	if o.interactive() {
		end, err = a.view(p, b)
		return end, nil, err
	}
	if o.benchmark {
		if o.fp64 && o.iterations > defaultIterations {
			printFP64Advisory(a.out)
		}
		r, err := modes.Benchmark(a.ctx, p, b, modes.BenchmarkOptions{
			Steps: o.iterations, DT: a.params.DT, KeepBodies: o.output != "" || o.energy,
		}, a.progress)
		if err != nil {
			return nil, nil, err
		}
		printReport(a.out, r.Figures)
		a.report.Benchmark = &r
		startup := float64(r.TimedFrom.Sub(procstart.Start())) / float64(time.Millisecond)
		a.report.StartupMs = &startup
		end = &r.End
	}
	if o.compare {
		c, got, err := modes.Compare(a.ctx, p, b, modes.CompareOptions{Steps: o.compareSteps}, a.progress)
		if err != nil {
			return nil, nil, err
		}
		printComparison(a.out, c)
		a.report.Compare = &c
		if !c.Passed() {
			compareErr = errCompareFailed
		}
		if end == nil {
			end = &got
		}
	}
	return end, compareErr, nil
}

// warnIfLong says on stderr, before the first step, when the run cannot
// take less than an hour here: a number of bodies picked by mistake should
// not cost the user an hour before they notice.
func (a *app) warnIfLong(p *modes.Platform, n int) {
	o := a.o
	steps, compareSteps := 0, 0
	switch {
	case o.interactive() && o.render != "":
		steps = o.frames * o.every
	case o.interactive():
		steps = 1 // until Ctrl-C: at least one step
		if o.iterationsSet {
			steps = o.iterations
		}
	default:
		if o.benchmark {
			steps = o.iterations
		}
		if o.compare {
			compareSteps = o.compareSteps
		}
	}
	if d := p.ShortestTime(n, steps, compareSteps, a.prec); d > time.Hour {
		fmt.Fprintf(a.errw, "> Warning: %d bodies for %d %s cannot take less than %.1f hours here; Ctrl-C stops the run\n",
			n, steps+compareSteps, plural(steps+compareSteps, "step", "steps"), d.Hours())
	}
}

// initialBodies generates the sample's shell of bodies, or reads the
// tipsy file.
func (a *app) initialBodies(p *modes.Platform) (modes.Initial, error) {
	o := a.o
	if o.tipsy != "" {
		fmt.Fprintf(a.out, "Trying to read file: %s\n", o.tipsy)
		in, err := modes.ReadTipsy(o.tipsy, o.tipsyFormat)
		if err != nil {
			return in, err
		}
		fmt.Fprintf(a.errw, "Read %d bodies\n", in.Bodies.N())
		a.warnIfLong(p, in.Bodies.N())
		a.report.Bodies, a.report.Source = in.Bodies.N(), in.Source
		return in, nil
	}
	n := o.numBodies
	if n == 0 {
		n = p.DefaultBodies(o.compare)
	} else {
		fmt.Fprintf(a.out, "number of bodies = %d\n", n)
	}
	a.warnIfLong(p, n)
	in, err := modes.Generate(n, o.seed)
	a.report.Bodies, a.report.Source, a.report.Seed = n, in.Source, in.Seed
	return in, err
}

// view runs the interactive mode: it draws the bodies to the -render file
// (frames × every steps), or runs -i steps or until Ctrl-C, with the
// window title's figures on a status line. Ctrl-C ends it as closing the
// sample's window does: the frames so far are written and the summary
// printed.
func (a *app) view(p *modes.Platform, b nbody.Bodies) (*modes.EndState, error) {
	o := a.o
	v := modes.ViewOptions{DT: a.params.DT, Every: o.every}
	width, height := render.Size(o.fullscreen)
	var rec *render.Recording
	switch {
	case o.render != "":
		var err error
		if rec, err = render.Create(o.render, width, height, a.params, a.prec); err != nil {
			return nil, fmt.Errorf("-render: %w", err)
		}
		defer rec.Abandon()
		v.Steps, v.Frames = o.frames*o.every, rec
	case o.iterationsSet:
		v.Steps = o.iterations
	}
	a.announceView(v, rec, width, height)
	status := newStatusLine(a.statusW, a.statusTerminal, b.N(), a.prec)
	v.OnStatus = func(s modes.Status) { status.show(s, where(v, s.Done)) }
	r, err := modes.View(a.ctx, p, b, v)
	status.clear()
	if err != nil {
		return nil, err
	}
	a.summarizeView(r)
	if rec != nil {
		if err := rec.Write(); err != nil {
			return nil, err
		}
		printWritten(a.out, rec, r.End.Steps, width, height)
	}
	return &r.End, nil
}
