package main

import (
	"flag"
	"fmt"
	"io"
)

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
