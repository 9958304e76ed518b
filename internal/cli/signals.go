package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Signalled is the cause of a context that a signal cancelled.
type Signalled struct{ Signal syscall.Signal }

func (s Signalled) Error() string {
	switch s.Signal {
	case syscall.SIGINT:
		return "stopped by SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "stopped by SIGTERM"
	}
	return "stopped by " + s.Signal.String()
}

// NotifyContext returns a context that the first SIGINT or SIGTERM cancels
// with a Signalled cause. A second one ends the program at once, with
// 128 + its number, after cleanup (when not nil): what a program must not
// leave behind (a half-written file's temporary) goes even then.
func NotifyContext(cleanup func()) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		cancel(Signalled{sig.(syscall.Signal)})
		sig = <-signals
		exit(cleanup, 128+int(sig.(syscall.Signal)))
	}()
	return ctx
}

// exit runs cleanup, then ends the process with code.
func exit(cleanup func(), code int) {
	if cleanup != nil {
		cleanup()
	}
	osExit(code)
}

// osExit is os.Exit, which a test replaces.
var osExit = os.Exit

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

// ExitAfter ends the process grace from now, after cleanup (when not
// nil), with InterruptedStatus, when a signal cancelled ctx: for runs that
// have nothing left to save, so that a user who pressed Ctrl-C does not
// wait on work that cannot be cut short.
func ExitAfter(ctx context.Context, grace time.Duration, cleanup func()) {
	if _, ok := SignalOf(ctx); ok {
		time.AfterFunc(grace, func() { exit(cleanup, InterruptedStatus(ctx)) })
	}
}
