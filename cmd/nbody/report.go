package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// printHeader prints the sample's lines that describe the run, in its
// order: mode, memory, precision, device count, then the CPU line (no
// GPUs) or the GPU device lines.
func printHeader(w io.Writer, o options, gpus []gpu.Device) {
	mode := "Windowed"
	if o.fullscreen {
		mode = "Fullscreen"
	}
	// Ours says "system" on the CPU, where the bodies are; the sample
	// prints "video" for -cpu because it decides the memory after printing.
	memory := "video"
	if o.hostmem || len(gpus) == 0 {
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
	fmt.Fprintf(w, "> %d Devices used for simulation\n", max(1, len(gpus)))
	if len(gpus) == 0 {
		fmt.Fprintln(w, "> Simulation with CPU")
		return
	}
	first := gpus[0]
	fmt.Fprintf(w, "GPU Device %d: %q with compute capability %d.%d\n\n", first.Ordinal, first.Name, first.Major, first.Minor)
	for _, d := range gpus {
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
	if c.Passed() {
		fmt.Fprintln(w, "  OK")
	}
	fmt.Fprintln(w, "> "+c.Summary())
}

// printEnergy prints -energy's four lines.
func printEnergy(w io.Writer, r modes.EnergyResult) {
	for _, line := range r.Lines() {
		fmt.Fprintln(w, "> "+line)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// printExchange prints, after the device lines and only when several GPUs
// share the simulation, how they exchange positions after each step
// (ours; the sample has no such line).
func printExchange(w io.Writer, p *modes.Platform) {
	if p.GPU == nil || len(p.Devices) < 2 {
		return
	}
	fmt.Fprintf(w, "> Exchange: %s\n", describeExchange(p.GPU.Exchange()))
}

// describeExchange is the words for how the GPUs exchange positions, as
// the header prints them after "> Exchange: " and -json gives them.
func describeExchange(x gpu.ExchangeInfo) string {
	switch x.Route {
	case gpu.RoutePeer:
		switch {
		case x.SharedGPU:
			return "peer (device-to-device copies: the devices share one GPU)"
		case x.PeerPairs == x.Pairs:
			return "peer (NVLink/PCIe peer copies)"
		case x.PeerPairs == 0:
			return "peer (copies staged by the driver: no pair has peer access)"
		}
		return fmt.Sprintf("peer (NVLink/PCIe peer copies where %d of %d pairs have peer access, staged by the driver elsewhere)", x.PeerPairs, x.Pairs)
	case gpu.RouteNCCL:
		op := "all-gather"
		if !x.AllGather {
			op = "broadcast from each device"
		}
		return fmt.Sprintf("nccl (NCCL %s %s)", x.NCCLVersion, op)
	case gpu.RouteHost:
		return "host (through page-locked host memory)"
	case gpu.RouteShared:
		return "shared host memory (-hostmem: every device reads the one mapped copy)"
	}
	return "none (one device)"
}

// sampleOptions is the sample's option list, byte for byte: each line
// starts with a tab, two end with a space, and an empty line follows.
const sampleOptions = "\t-fullscreen       (run n-body simulation in fullscreen mode)\n" +
	"\t-fp64             (use double precision floating point values for simulation)\n" +
	"\t-hostmem          (stores simulation data in host memory)\n" +
	"\t-benchmark        (run benchmark to measure performance) \n" +
	"\t-numbodies=<N>    (number of bodies (>= 1) to run in simulation) \n" +
	"\t-device=<d>       (where d=0,1,2.... for the CUDA device to use)\n" +
	"\t-numdevices=<i>   (where i=(number of CUDA devices > 0) to use for simulation)\n" +
	"\t-compare          (compares simulation results running once on the default GPU and once on the CPU)\n" +
	"\t-cpu              (run n-body simulation on the CPU)\n" +
	"\t-tipsy=<file.bin> (load a tipsy model file for simulation)\n\n"

// printHelp answers -help as the sample does, then lists our own flags
// from their definitions, in the same style: only -help prints them, so
// that every run's opening block stays the sample's.
func printHelp(w io.Writer) {
	fmt.Fprint(w, "\n> Command line options\n"+sampleOptions+"> More options (nbody-go)\n")
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		if usage == "" {
			return // the sample's, described above
		}
		name := "-" + f.Name
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); !isBool {
			name += "=<" + value + ">"
		}
		fmt.Fprintf(w, "\t%-24s (%s)\n", name, usage)
	})
	fmt.Fprint(w, "> Flag names are matched in any case (-numBodies works); numbers are decimal.\n\n")
}

// printBanner prints what the sample prints first on every run.
func printBanner(w io.Writer) {
	fmt.Fprint(w, "Run \"nbody -benchmark [-numbodies=<numBodies>]\" to measure performance.\n"+
		sampleOptions+
		"NOTE: The CUDA Samples are not meant for performance measurements. "+
		"Results may vary when GPU Boost is enabled.\n\n")
}
