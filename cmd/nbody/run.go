package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1 // a run-time error, or -compare found a difference
	exitUsage       = 2 // a mistake on the command line
	exitInterrupted = 130
)

// errCompareFailed ends a run whose comparison failed; the report has
// already said why.
var errCompareFailed = errors.New("comparison failed")

// app is one run of the command.
type app struct {
	ctx    context.Context
	o      options
	stdout io.Writer // where -json writes
	out    io.Writer // the text report: stdout, or nowhere with -json
	errw   io.Writer
	steps  stepper
	report jsonReport
	energy *energyCheck // -energy's start, nil without it

	// Where the interactive mode's status line goes: stderr, rewritten in
	// place when it is a terminal, plain lines otherwise; nowhere with -json.
	statusW        io.Writer
	statusTerminal bool

	prec   nbody.Precision
	params nbody.Params // the sample's first preset: dt, softening, damping
}

// run is the whole program: it returns the exit status. progress is where
// a progress bar may go (nil for none).
func run(ctx context.Context, args []string, stdout, stderr, progress io.Writer) int {
	o, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if o.help {
		printHelp(stdout)
		return exitOK
	}
	a := &app{ctx: ctx, o: o, stdout: stdout, out: stdout, errw: stderr, params: nbody.Presets[0]}
	if o.fp64 {
		a.prec = nbody.Double
	}
	a.steps = stepper{ctx: ctx, w: progress, after: progressAfter}
	a.statusW, a.statusTerminal = stderr, false
	if progress != nil {
		a.statusW, a.statusTerminal = progress, true
	}
	if o.json {
		a.out = io.Discard
		a.steps.w = nil
		a.statusW = nil
	}
	err = a.main()
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(stderr, "> Interrupted: stopped between steps; no report")
		return exitInterrupted
	case errors.Is(err, errCompareFailed):
		return exitFailure
	case isUsage(err):
		fmt.Fprintln(stderr, err)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "Error: "+oneLine(err.Error()))
		return exitFailure
	}
}

// main runs the modes the options ask for, printing as the sample does.
func (a *app) main() error {
	o := a.o
	printBanner(a.out)
	if o.numDevices > 0 {
		fmt.Fprintf(a.out, "number of CUDA devices  = %d\n", o.numDevices)
	}
	p, err := choosePlatform(o, a.prec, a.params.Physics())
	if err != nil {
		return err
	}
	defer p.integrator.Close()
	if p.fellBack {
		fmt.Fprintln(a.errw, fallbackLine(p.fallback))
	}
	printHeader(a.out, o, p)
	printExchange(a.out, p)
	a.describePlatform(p)

	if o.output != "" {
		// Fail before the run, not after it, when the snapshot cannot be written.
		if err := checkWritable(o.output); err != nil {
			return fmt.Errorf("writing %s: %w", o.output, err)
		}
	}
	bodies, saveAs, err := a.initialBodies(p)
	if err != nil {
		return err
	}
	a.measureStartEnergy(bodies)
	end, compareErr, err := a.runModes(p, bodies)
	if err != nil {
		return err
	}
	if end != nil {
		a.reportEnergy(*end)
	}
	if o.output != "" && end != nil {
		if err := saveAs(o.output, end.bodies); err != nil {
			return fmt.Errorf("writing %s: %w", o.output, err)
		}
		a.report.Output = o.output
	}
	if o.json {
		if err := writeJSON(a.stdout, &a.report); err != nil {
			return err
		}
	}
	return compareErr
}

// runModes runs the interactive mode, or the benchmark and the comparison
// the options ask for. It returns where the run left the bodies (the
// benchmark's when both ran), and errCompareFailed apart from other
// errors, since a failed comparison still reports and writes its output.
func (a *app) runModes(p platform, bodies nbody.Bodies) (end *endState, compareErr, err error) {
	if a.o.interactive() {
		end, err = a.view(p, bodies)
		return end, nil, err
	}
	if a.o.benchmark {
		if end, err = a.benchmark(p, bodies); err != nil {
			return nil, nil, err
		}
	}
	if a.o.compare {
		got, err := a.compare(p, bodies)
		if err != nil && !errors.Is(err, errCompareFailed) {
			return nil, nil, err
		}
		compareErr = err
		if end == nil && got != nil {
			end = &endState{bodies: *got, steps: a.o.compareSteps, dt: compareDT}
		}
	}
	return end, compareErr, nil
}

// describePlatform fills the JSON report's platform fields.
func (a *app) describePlatform(p platform) {
	r := &a.report
	switch {
	case a.o.interactive():
		r.Mode = "interactive"
	case a.o.benchmark && a.o.compare:
		r.Mode = "benchmark+compare"
	case a.o.compare:
		r.Mode = "compare"
	default:
		r.Mode = "benchmark"
	}
	r.Platform = "cpu"
	if p.gpu != nil {
		r.Platform = "gpu"
	}
	r.Integrator = p.integrator.Name()
	r.GPUUnavailable = p.fallback
	for _, d := range p.devices {
		r.Devices = append(r.Devices, jsonDevice{
			Ordinal:           d.Ordinal,
			Name:              d.Name,
			ComputeCapability: fmt.Sprintf("%d.%d", d.Major, d.Minor),
			Multiprocessors:   d.Multiprocessors,
			TotalMemory:       d.TotalMemory,
		})
	}
	if p.gpu != nil && len(p.devices) > 1 {
		r.Exchange = describeExchange(p.gpu.Exchange())
	}
	r.Precision = a.prec.String()
	r.BlockSize = a.o.blockSize
	r.HostMem = a.o.hostmem
}

// initialBodies generates the sample's shell of bodies, or reads the
// tipsy file, and says how -output writes bodies back.
func (a *app) initialBodies(p platform) (nbody.Bodies, func(string, nbody.Bodies) error, error) {
	if a.o.tipsy != "" {
		fmt.Fprintf(a.out, "Trying to read file: %s\n", a.o.tipsy)
		in, err := readTipsy(a.o.tipsy, a.o.tipsyFormat)
		if err != nil {
			return nbody.Bodies{}, nil, err
		}
		fmt.Fprintf(a.errw, "Read %d bodies\n", in.bodies.N())
		a.report.Bodies = in.bodies.N()
		a.report.Source = a.o.tipsy
		return in.bodies, in.save, nil
	}
	n := a.o.numBodies
	if n == 0 {
		n = defaultBodies(a.o, p)
	} else {
		fmt.Fprintf(a.out, "number of bodies = %d\n", n)
	}
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), a.o.seed)
	if err != nil {
		return nbody.Bodies{}, nil, err
	}
	seed := a.o.seed
	a.report.Bodies = n
	a.report.Source = nbody.Shell.String()
	a.report.Seed = &seed
	return b, writeTipsy, nil
}

// benchmark times -i steps as the sample does (on a GPU after one untimed
// warm-up step) and prints the three report lines. It returns where the
// steps left the bodies, read back only when -output or -energy needs
// them.
func (a *app) benchmark(p platform, b nbody.Bodies) (*endState, error) {
	in := p.integrator
	if err := in.SetBodies(b); err != nil {
		return nil, fmt.Errorf("loading %d bodies: %w", b.N(), err)
	}
	dt := a.params.DT
	end := &endState{dt: dt, steps: a.o.iterations}
	if p.gpu != nil {
		if _, err := in.Step(a.ctx, dt, 1); err != nil {
			return nil, fmt.Errorf("warm-up step: %w", err)
		}
		end.steps++
	}
	if a.o.fp64 && a.o.iterations > defaultIterations {
		printFP64Advisory(a.out)
	}
	elapsed, err := a.steps.run(in, dt, a.o.iterations, "benchmark")
	if err != nil {
		return nil, fmt.Errorf("benchmark: %w", err)
	}
	f := figures(b.N(), a.o.iterations, elapsed, a.prec)
	printReport(a.out, f)
	a.report.Benchmark = &jsonBenchmark{
		Iterations:          f.Iterations,
		TimeStep:            dt,
		TotalMilliseconds:   jsonFloat(f.Milliseconds),
		GInteractions:       jsonFloat(f.GInteractions),
		GFLOPS:              jsonFloat(f.GFLOPS),
		FlopsPerInteraction: f.FlopsPerInteraction,
	}
	if a.o.output != "" || a.o.energy {
		if err := in.Bodies(&end.bodies); err != nil {
			return nil, fmt.Errorf("reading back the bodies: %w", err)
		}
	}
	return end, nil
}
