// Command cpubench measures the CPU integrators in billions of interactions
// per second (GI/s) beside the C peer on the same cores.
//
// # Goals
//
// It prints one table with the ratios to the project's speed goals: the fast
// path in float32 at least half the vectorized C build, the float64 reference
// at least half the plain C build.
//
// # Usage
//
// bench/cpu-bench.sh builds it with GOEXPERIMENT=simd, compiles the C peer
// (bench/cpu-peer.c) twice and passes the folder of its builds:
//
//	cpubench [-numbodies=16384] [-i=4] [-repeat=3] [-workers=0] [-peer=DIR]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpubench:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cpubench:", err)
		os.Exit(1)
	}
}

// config is what one run measures.
type config struct {
	n, iters, repeat, workers int
	peer                      string // folder of the C peer's builds; empty leaves the C rows out
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("cpubench", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a bad flag gets one line from main, not the usage too
	fs.IntVar(&c.n, "numbodies", 16384, "number of bodies")
	fs.IntVar(&c.iters, "i", 4, "steps timed per measurement")
	fs.IntVar(&c.repeat, "repeat", 3, "measurements per row; the table shows the best and the spread")
	fs.IntVar(&c.workers, "workers", 0, "goroutines for the fast path (0: one per CPU)")
	fs.StringVar(&c.peer, "peer", "", "folder with the C peer's builds, plain and simd, of bench/cpu-peer.c (empty: no C rows)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "Usage: cpubench [flags]  (bench/cpu-bench.sh runs it with the C peer)")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.n < 2 || c.n > 1<<20:
		return c, fmt.Errorf("-numbodies=%d: want 2 to %d", c.n, 1<<20)
	case c.iters < 1 || c.iters > 10000:
		return c, fmt.Errorf("-i=%d: want 1 to 10000", c.iters)
	case c.repeat < 1 || c.repeat > 100:
		return c, fmt.Errorf("-repeat=%d: want 1 to 100", c.repeat)
	case c.workers < 0:
		return c, fmt.Errorf("-workers=%d: want 0 (all CPUs) or more", c.workers)
	}
	return c, nil
}
