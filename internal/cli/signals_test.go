package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestInterruptedStatus(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(Signalled{syscall.SIGTERM})
	assert.Equal(t, 143, InterruptedStatus(ctx))
	sig, ok := SignalOf(ctx)
	assert.True(t, ok)
	assert.Equal(t, syscall.SIGTERM, sig)

	plain, stop := context.WithCancel(context.Background())
	stop()
	assert.Equal(t, 130, InterruptedStatus(plain), "no signal named: SIGINT's")
	_, ok = SignalOf(plain)
	assert.False(t, ok)
}

type failingWriter struct{ writes int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	return 0, errors.New("no space left on device")
}

func TestStickyWriterKeepsTheFirstError(t *testing.T) {
	var ok bytes.Buffer
	s := &StickyWriter{W: &ok}
	_, _ = s.Write([]byte("a"))
	assert.NoError(t, s.Err)
	assert.Equal(t, "a", ok.String())

	f := &failingWriter{}
	s = &StickyWriter{W: f}
	_, _ = s.Write([]byte("a"))
	_, _ = s.Write([]byte("b"))
	assert.EqualError(t, s.Err, "no space left on device")
	assert.Equal(t, 1, f.writes, "nothing more is tried after a failure")
}

func TestAsked(t *testing.T) {
	assert.True(t, Asked([]string{"-numbodies=0x10", "-JSON"}, "json"))
	assert.True(t, Asked([]string{"--json=true"}, "json"))
	assert.False(t, Asked([]string{"-json=false"}, "json"))
	assert.False(t, Asked([]string{"--", "-json"}, "json"))
	assert.False(t, Asked([]string{"json"}, "json"), "a stray word is no flag")
}

// Rank 0's report goes where it is asked; the other ranks' nowhere.
func TestReportOf(t *testing.T) {
	var b strings.Builder
	assert.Same(t, &b, ReportOf(&b, 0))
	assert.Equal(t, io.Discard, ReportOf(&b, 1))
}

// The grace period's end runs the cleanup before it exits, with the
// signal's status.
func TestExitAfterCleansUpFirst(t *testing.T) {
	codes := make(chan int, 1)
	var order []string
	osExit = func(code int) { order = append(order, "exit"); codes <- code }
	defer func() { osExit = os.Exit }()
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(Signalled{syscall.SIGTERM})
	ExitAfter(ctx, time.Millisecond, func() { order = append(order, "cleanup") })
	select {
	case code := <-codes:
		assert.Equal(t, 143, code)
	case <-time.After(5 * time.Second):
		t.Fatal("no exit")
	}
	assert.Equal(t, []string{"cleanup", "exit"}, order)

	plain, stop := context.WithCancel(context.Background())
	stop()
	ExitAfter(plain, time.Millisecond, nil)
	select {
	case <-codes:
		t.Fatal("no signal, no exit")
	case <-time.After(50 * time.Millisecond):
	}
}
