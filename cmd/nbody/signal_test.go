package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A signal that comes while the snapshot is being written (here into a
// named pipe that the test holds full) still ends the run as the line on
// stderr says: with the signal's exit status, never 0, and the rest of
// the run unwritten.
func TestSignalDuringOutputNeverExitsZero(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "snapshot")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	reader, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	defer reader.Close()

	// 4096 bodies: a 147 KB snapshot, more than a pipe holds.
	cmd := exec.Command(binary, "-benchmark", "-cpu", "-numbodies=4096", "-i=1", "-output="+fifo)
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := killAfter(cmd, 30*time.Second)

	// The write is under way once a byte comes (before it, with no
	// writer, a read ends at once), and stalls on the full pipe.
	first := make([]byte, 1)
	for deadline := time.Now().Add(20 * time.Second); ; {
		if n, _ := reader.Read(first); n == 1 {
			break
		}
		require.True(t, time.Now().Before(deadline), "nothing written to the pipe")
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	sc := bufio.NewScanner(stderr)
	require.True(t, sc.Scan(), "the acknowledgement")
	assert.Contains(t, sc.Text(), "Interrupted: stopping now; no report")
	_, _ = io.Copy(io.Discard, reader) // let the write end
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	_ = cmd.Wait() // the exit status is checked below
	require.False(t, killed(), "nbody did not stop")
	assert.Equal(t, 143, cmd.ProcessState.ExitCode(), "the signal's status, never 0")
	assert.Empty(t, rest, "nothing more on stderr")
}

// A second Ctrl-C while the -render file is being written ends the
// program at once, and removes the temporary file it was writing: the
// earlier file stays, and no .NAME.XXXXXXXX.tmp is left.
func TestSecondSignalRemovesTheTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.gif")
	require.NoError(t, os.WriteFile(path, []byte("earlier"), 0o644))
	cmd := exec.Command(binary, "-cpu", "-numbodies=4096", "-render="+path, "-frames=100", "-every=10")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	require.NoError(t, cmd.Start())
	killed := killAfter(cmd, 60*time.Second)

	temporary := func() (string, int64) {
		left, _ := filepath.Glob(filepath.Join(dir, ".run.gif.*.tmp"))
		if len(left) == 0 {
			return "", 0
		}
		info, err := os.Stat(left[0])
		if err != nil {
			return "", 0
		}
		return left[0], info.Size()
	}
	deadline := time.Now().Add(20 * time.Second)
	for name, _ := temporary(); name == ""; name, _ = temporary() {
		require.True(t, time.Now().Before(deadline), "no temporary file; stderr: %s", errb.String())
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(time.Second) // some frames to write
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	for {
		// The frames are being written: the temporary file grows.
		name, size := temporary()
		require.NotEmpty(t, name, "the file was written before the test could interrupt it; stderr: %s", errb.String())
		if size > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "nothing written")
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	_ = cmd.Wait() // the exit status is checked below
	require.False(t, killed(), "nbody did not stop")
	assert.Equal(t, 130, cmd.ProcessState.ExitCode(), "stderr: %s", errb.String())
	name, _ := temporary()
	assert.Empty(t, name, "the temporary file is removed")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "earlier", string(got), "the earlier file stays")
	assert.False(t, strings.Contains(errb.String(), "panic"))
}
