package main

import (
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

// ourOptions lists the flags the sample does not document or does not
// have, in the same style; only -help prints it, so that every run's
// opening block stays the sample's.
const ourOptions = "> More options (nbody-go)\n" +
	"\t-i=<n>             (iterations timed by -benchmark, default 10; without a mode, steps to run, default until Ctrl-C)\n" +
	"\t-blockSize=<n>     (GPU threads per block, a power of two from 32 to 1024; default 256)\n" +
	"\t-qatest            (same as -compare)\n" +
	"\t-gpu               (run on the GPU, and fail when there is none; without it and without -device,\n" +
	"\t                    -numdevices or -hostmem, no GPU means a run on the CPU)\n" +
	"\t-seed=<s>          (seed of the generated bodies; default 1)\n" +
	"\t-compare-steps=<k> (steps of dt 0.001 that -compare takes before comparing; default 1)\n" +
	"\t-tipsy-format=<f>  (auto, native or standard; default auto)\n" +
	"\t-output=<file.bin> (write the final bodies as a tipsy snapshot)\n" +
	"\t-exchange=<x>      (how several GPUs exchange bodies: auto, peer, nccl or host; default auto)\n" +
	"\t-render=<file>     (without -benchmark or -compare: draw the bodies to an animated .gif or a final .png)\n" +
	"\t-frames=<k>        (frames -render draws; default 60, at most 600)\n" +
	"\t-every=<s>         (steps between two frames; default 4)\n" +
	"\t-energy            (print the energy and momentum at the start and the end, and the energy drift)\n" +
	"\t-json              (print one JSON object with every figure instead of the report)\n" +
	"\t-help, -h          (print this list and exit)\n" +
	"> Flag names are matched in any case (-numBodies works); numbers are decimal.\n\n"

// printHelp answers -help as the sample does, then lists our own flags.
func printHelp(w io.Writer) {
	fmt.Fprint(w, "\n> Command line options\n"+sampleOptions+ourOptions)
}

// printBanner prints what the sample prints first on every run.
func printBanner(w io.Writer) {
	fmt.Fprint(w, "Run \"nbody -benchmark [-numbodies=<numBodies>]\" to measure performance.\n"+
		sampleOptions+
		"NOTE: The CUDA Samples are not meant for performance measurements. "+
		"Results may vary when GPU Boost is enabled.\n\n")
}
