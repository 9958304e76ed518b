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

	"github.com/nbody-go/nbody/internal/console"
)

func main() {
	// The first Ctrl-C or SIGTERM cancels ctx with the signal as its
	// cause: the run stops within a step and the exit status says which
	// signal it was. The default action is restored at once, so that a
	// second signal ends the program without waiting.
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(signalled{sig.(syscall.Signal)})
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, console.Terminal(os.Stderr)))
}

// signalled is the cause of a run stopped by a signal.
type signalled struct{ sig syscall.Signal }

func (s signalled) Error() string { return "stopped by " + s.sig.String() }
