package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// binary is the nbody command built once for the tests that run it.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv(asNbody) != "" {
		os.Exit(runAsNbody()) // a process of a test, with fake GPUs (fakegpu_test.go)
	}
	dir, err := os.MkdirTemp("", "nbody-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "nbody")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building nbody:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// stderrLines returns stderr's lines, without the final newline's empty one.
func (r result) stderrLines() []string {
	s := strings.TrimSuffix(r.stderr, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (r result) stdoutLines() []string {
	return strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
}

// runNbody runs the binary with args, piped (so never with a progress bar).
func runNbody(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running nbody %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// killAfter kills cmd's process unless it has ended d from now, so that a
// run that ignores Ctrl-C fails its test instead of hanging it until go
// test's own time-out (reading its output blocks until it exits). Call
// the returned function once cmd.Wait has returned: it reports whether
// the process had to be killed.
func killAfter(cmd *exec.Cmd, d time.Duration) (killed func() bool) {
	var fired atomic.Bool
	timer := time.AfterFunc(d, func() {
		fired.Store(true)
		_ = cmd.Process.Kill()
	})
	return func() bool {
		timer.Stop()
		return fired.Load()
	}
}
