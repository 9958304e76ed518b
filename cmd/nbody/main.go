// Command nbody is a drop-in for NVIDIA's CUDA nbody sample, in Go: the
// same flags and the same report, line for line, on one or several GPUs
// (through the CUDA driver, loaded at run time) or on the CPU when no GPU
// can be used. Run "nbody -help" for the flags; README.md explains the
// output.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Ctrl-C cancels ctx: the integrators stop between steps and run
	// reports it. After the first signal the default action is restored,
	// so a second Ctrl-C ends the program at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, terminalWriter(os.Stderr)))
}
