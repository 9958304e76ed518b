// Command nbody is a drop-in for NVIDIA's CUDA nbody sample, in Go: the same
// flags and the same report, line for line.
//
// # Platforms
//
// It runs on one or several GPUs, through the CUDA driver loaded at run time,
// or on the CPU when no GPU can be used.
//
// # Usage
//
// Run "nbody -help" for the flags; README.md explains the output.
package main

import (
	"fmt"
	"os"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/internal/console"
	"github.com/nbody-go/nbody/nbody/cluster"
)

func main() {
	// NCCL's settings that this program needs (NVLink multicast off),
	// where the user left them unset: set before NCCL first reads them,
	// which no binding below cmd/ may do for it.
	if err := cluster.DefaultNCCLSettings(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	// The first Ctrl-C or SIGTERM cancels the run's context: the run stops
	// within a step and the exit status says which signal it was; a
	// second one ends the program at once, removing the temporary file of
	// a -render or -output under way.
	ctx := cli.NotifyContext(atomicfile.AbortAll)
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, console.Terminal(os.Stderr)))
}
