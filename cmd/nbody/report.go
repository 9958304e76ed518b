package main

import (
	"fmt"
	"io"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// printHeader prints the sample's lines that describe the run, in its
// order: mode, memory, precision, device count, then the CPU line or the
// GPU device lines.
func printHeader(w io.Writer, o options, p platform) {
	mode := "Windowed"
	if o.fullscreen {
		mode = "Fullscreen"
	}
	// Ours says "system" on the CPU, where the bodies are; the sample
	// prints "video" for -cpu because it decides the memory after printing.
	memory := "video"
	if o.hostmem || p.gpu == nil {
		memory = "system"
	}
	precision := "Single"
	if o.fp64 {
		precision = "Double"
	}
	fmt.Fprintf(w, "> %s mode\n", mode)
	fmt.Fprintf(w, "> Simulation data stored in %s memory\n", memory)
	fmt.Fprintf(w, "> %s precision floating point simulation\n", precision)
	// The CPU counts as one device, whatever -numdevices asked of GPUs
	// that are not used.
	devices := 1
	if p.gpu != nil {
		devices = len(p.devices)
	}
	fmt.Fprintf(w, "> %d Devices used for simulation\n", devices)
	if p.gpu == nil {
		fmt.Fprintln(w, "> Simulation with CPU")
		return
	}
	first := p.devices[0]
	fmt.Fprintf(w, "GPU Device %d: %q with compute capability %d.%d\n\n", first.Ordinal, first.Name, first.Major, first.Minor)
	for _, d := range p.devices {
		fmt.Fprintf(w, "> Compute %d.%d CUDA device: [%s]\n", d.Major, d.Minor, d.Name)
	}
}

// printFP64Advisory prints the sample's warning for long double-precision
// benchmarks (it is about Windows display-driver time-outs; we keep it so
// that output stays line for line the sample's).
func printFP64Advisory(w io.Writer) {
	fmt.Fprint(w, "Advisory: setting a high number of iterations\n"+
		"in benchmark mode may cause failure on Windows\n"+
		"Vista and Win7. On these OSes, set iterations <= 10\n")
}

// benchmarkFigures are what the sample's three report lines say.
type benchmarkFigures struct {
	Bodies, Iterations  int
	Milliseconds        float64
	GInteractions       float64 // billions of interactions per second
	GFLOPS              float64
	FlopsPerInteraction int
	Precision           nbody.Precision
}

// figures computes the sample's figures: N² · iterations / ms · 1e-6
// billion interactions per second, times 20 (single) or 30 (double) for
// GFLOP/s. N² is computed exactly in float64 (the sample rounds it to
// float32, which can move the last printed digit above 2^24 bodies).
func figures(n, iterations int, elapsed time.Duration, prec nbody.Precision) benchmarkFigures {
	ms := float64(elapsed) / float64(time.Millisecond)
	gi := float64(n) * float64(n) * float64(iterations) / ms * 1e-6
	fpi := prec.FlopsPerInteraction()
	return benchmarkFigures{
		Bodies:              n,
		Iterations:          iterations,
		Milliseconds:        ms,
		GInteractions:       gi,
		GFLOPS:              gi * float64(fpi),
		FlopsPerInteraction: fpi,
		Precision:           prec,
	}
}

// printReport prints the sample's three benchmark lines.
func printReport(w io.Writer, f benchmarkFigures) {
	fmt.Fprintf(w, "%d bodies, total time for %d iterations: %.3f ms\n", f.Bodies, f.Iterations, f.Milliseconds)
	fmt.Fprintf(w, "= %.3f billion interactions per second\n", f.GInteractions)
	fmt.Fprintf(w, "= %.3f %s-precision GFLOP/s at %d flops per interaction\n", f.GFLOPS, f.Precision, f.FlopsPerInteraction)
}

// printComparison prints the sample's compare lines (an Error line per
// value outside the tolerance, up to ten, then how many more; "  OK" when
// everything passed) and our one summary line.
func printComparison(w io.Writer, c comparisonRun) {
	for _, m := range c.positions.Mismatches {
		fmt.Fprintf(w, "Error: (host)%f != (device)%f\n", m.Host, m.Device)
	}
	if c.positions.More > 0 {
		fmt.Fprintf(w, "... and %d more values outside the tolerance\n", c.positions.More)
	}
	if c.passed() {
		fmt.Fprintln(w, "  OK")
	}
	verdict := "PASS"
	if !c.passed() {
		verdict = "FAIL"
	}
	steps := "steps"
	if c.steps == 1 {
		steps = "step"
	}
	fmt.Fprintf(w, "> Compared %d bodies after %d %s of dt %g, %s against the float64 CPU reference: "+
		"%d of %d position values outside %.3g; max relative error %.3g, RMS %.3g; "+
		"acceleration L2 error %.3g (bound %.3g): %s\n",
		c.positions.Values/4, c.steps, steps, c.dt, c.device,
		c.positions.Outside(), c.positions.Values, c.positions.Tolerance,
		c.positions.MaxRelError, c.positions.RMSRelError,
		c.accel.Error, c.accel.Bound, verdict)
}
