package main

import (
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
)

// printHeader prints the sample's lines that describe the run, in its
// order: mode, memory, precision, device count, then the CPU line or the
// GPU device lines.
func printHeader(w io.Writer, o options, p *modes.Platform) {
	mode := "Windowed"
	if o.fullscreen {
		mode = "Fullscreen"
	}
	// Ours says "system" on the CPU, where the bodies are; the sample
	// prints "video" for -cpu because it decides the memory after printing.
	memory := "video"
	if o.hostmem || p.GPU == nil {
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
	if p.GPU != nil {
		devices = len(p.Devices)
	}
	fmt.Fprintf(w, "> %d Devices used for simulation\n", devices)
	if p.GPU == nil {
		fmt.Fprintln(w, "> Simulation with CPU")
		return
	}
	first := p.Devices[0]
	fmt.Fprintf(w, "GPU Device %d: %q with compute capability %d.%d\n\n", first.Ordinal, first.Name, first.Major, first.Minor)
	for _, d := range p.Devices {
		fmt.Fprintf(w, "> Compute %d.%d CUDA device: [%s]\n", d.Major, d.Minor, d.Name)
	}
}

// fallbackLine is the one line on stderr that says the GPU is not used.
func fallbackLine(reason string) string {
	if reason == "" {
		return "> No CUDA GPU available; running on the CPU"
	}
	return fmt.Sprintf("> No CUDA GPU available (%s); running on the CPU", reason)
}

// printFP64Advisory prints the sample's warning for long double-precision
// benchmarks (it is about Windows display-driver time-outs; we keep it so
// that output stays line for line the sample's).
func printFP64Advisory(w io.Writer) {
	fmt.Fprint(w, "Advisory: setting a high number of iterations\n"+
		"in benchmark mode may cause failure on Windows\n"+
		"Vista and Win7. On these OSes, set iterations <= 10\n")
}

// printReport prints the sample's three benchmark lines.
func printReport(w io.Writer, f modes.Figures) {
	fmt.Fprintf(w, "%d bodies, total time for %d iterations: %.3f ms\n", f.Bodies, f.Steps, f.Milliseconds)
	fmt.Fprintf(w, "= %.3f billion interactions per second\n", f.GInteractions)
	fmt.Fprintf(w, "= %.3f %s-precision GFLOP/s at %d flops per interaction\n", f.GFLOPS, f.Precision, f.FlopsPerInteraction)
}

// printComparison prints the sample's compare lines (an Error line per
// value outside the tolerance, up to ten, then how many more; "  OK" when
// everything passed) and our one summary line.
func printComparison(w io.Writer, c modes.Comparison) {
	for _, m := range c.Positions.Mismatches {
		fmt.Fprintf(w, "Error: (host)%f != (device)%f\n", m.Host, m.Device)
	}
	if c.Positions.More > 0 {
		fmt.Fprintf(w, "... and %d more values outside the tolerance\n", c.Positions.More)
	}
	verdict := "FAIL"
	if c.Passed() {
		fmt.Fprintln(w, "  OK")
		verdict = "PASS"
	}
	fmt.Fprintf(w, "> Compared %d bodies after %d %s of dt %g, %s against the float64 CPU reference: "+
		"%d of %d position values outside %.3g; max relative error %.3g, RMS %.3g; "+
		"acceleration L2 error %.3g (bound %.3g): %s\n",
		c.Positions.Values/4, c.Steps, plural(c.Steps, "step", "steps"), c.DT, c.Compared,
		c.Positions.Outside(), c.Positions.Values, c.Positions.Tolerance,
		c.Positions.MaxRelError, c.Positions.RMSRelError,
		c.Acceleration.Error, c.Acceleration.Bound, verdict)
}

// printEnergy prints -energy's four lines: the energies and momentum at
// the start and the end, the relative drift of the total energy, and what
// measuring them cost.
func printEnergy(w io.Writer, r modes.EnergyResult) {
	state := func(label string, s nbody.EnergyState) {
		fmt.Fprintf(w, "> Energy at %s kinetic %.9g, potential %.9g, total %.9g; momentum (%.3g, %.3g, %.3g)\n",
			label, s.Kinetic, s.Potential, s.Total(), s.Momentum[0], s.Momentum[1], s.Momentum[2])
	}
	state("start:", r.Start)
	state("end:  ", r.End)
	dp := r.MomentumChange()
	fmt.Fprintf(w, "> Energy drift: %.3e relative, over %d %s of dt %g; momentum change (%.3g, %.3g, %.3g)\n",
		r.Drift(), r.Steps, plural(r.Steps, "step", "steps"), r.DT, dp[0], dp[1], dp[2])
	fmt.Fprintf(w, "> Energy measured in %.3f s (float64, every pair of bodies on the CPU, twice)\n", r.Took.Seconds())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
