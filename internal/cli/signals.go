package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Signalled is the cause of a context that a signal cancelled.
type Signalled struct{ Signal syscall.Signal }

func (s Signalled) Error() string { return "stopped by " + s.Signal.String() }

// NotifyContext returns a context that the first SIGINT or SIGTERM cancels
// with a Signalled cause. The signals' default action is restored at once,
// so that a second one ends the program without waiting.
func NotifyContext() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(Signalled{sig.(syscall.Signal)})
	}()
	return ctx
}

// SignalOf is the signal that cancelled ctx, and whether one did.
func SignalOf(ctx context.Context) (syscall.Signal, bool) {
	var s Signalled
	if errors.As(context.Cause(ctx), &s) {
		return s.Signal, true
	}
	return 0, false
}

// InterruptedStatus is the exit status of a run that ctx's cancellation
// stopped: 128 + the signal's number, as a shell reports a process that a
// signal ended; 130 (SIGINT's) when no signal is named.
func InterruptedStatus(ctx context.Context) int {
	if sig, ok := SignalOf(ctx); ok {
		return 128 + int(sig)
	}
	return 128 + int(syscall.SIGINT)
}

// ExitAfter ends the process grace from now, with InterruptedStatus, when a
// signal cancelled ctx: for runs that have nothing left to save, so that a
// user who pressed Ctrl-C does not wait on work that cannot be cut short.
func ExitAfter(ctx context.Context, grace time.Duration) {
	if _, ok := SignalOf(ctx); ok {
		time.AfterFunc(grace, func() { os.Exit(InterruptedStatus(ctx)) })
	}
}

// StickyWriter passes writes on to W and keeps the first error, so that a
// report that could not be written can fail the run at its end.
type StickyWriter struct {
	W   io.Writer
	Err error
}

func (s *StickyWriter) Write(p []byte) (int, error) {
	if s.Err != nil {
		return 0, s.Err
	}
	n, err := s.W.Write(p)
	s.Err = err
	return n, err
}

// ReportOf is where a process of rank rank writes its report: w for rank
// 0 (and a process on its own), nowhere for the others of a simulation
// over several processes, which print only what fails (on stderr).
func ReportOf(w io.Writer, rank int) io.Writer {
	if rank > 0 {
		return io.Discard
	}
	return w
}

// Asked reports whether args hold the boolean flag name, in any case and
// spelling (-name, --name, -name=true), even when the command line as a
// whole is refused: for a -json that must answer a bad command line too.
func Asked(args []string, name string) bool {
	for _, arg := range args {
		if arg == "--" {
			break
		}
		n, value, _ := strings.Cut(strings.ToLower(strings.TrimLeft(arg, "-")), "=")
		if strings.HasPrefix(arg, "-") && n == name && value != "false" && value != "0" {
			return true
		}
	}
	return false
}
