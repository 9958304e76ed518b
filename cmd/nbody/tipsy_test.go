package main

import (
	"bytes"
	byteorder "encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The galaxy file that ships with the sample, reached from the repository
// root as ../shared/data.
const galaxy = "../../../shared/data/galaxy_20K.bin"

// -output writes the final bodies; -tipsy reads them back with their own
// count, and the same -seed gives the same file.
func TestOutputThenTipsyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.bin"), filepath.Join(dir, "b.bin"), filepath.Join(dir, "c.bin")
	for _, run := range []struct{ path, seed string }{{a, "-seed=3"}, {b, "-seed=3"}, {c, "-seed=4"}} {
		r := runNbody(t, "-benchmark", "-cpu", "-numbodies=123", "-i=2", run.seed, "-output="+run.path)
		require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	}
	ab, err := os.ReadFile(a)
	require.NoError(t, err)
	bb, err := os.ReadFile(b)
	require.NoError(t, err)
	cb, err := os.ReadFile(c)
	require.NoError(t, err)
	// Standard tipsy, as dark particles: 32-byte header, 36 bytes a record.
	assert.Len(t, ab, 32+123*36)
	assert.Equal(t, ab, bb, "same seed, same bodies, same file")
	assert.NotEqual(t, ab, cb, "another seed, other bodies")

	r := runNbody(t, "-benchmark", "-cpu", "-i=1", "-tipsy="+a)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdoutLines(), "Trying to read file: "+a)
	assert.Contains(t, r.stderrLines(), "Read 123 bodies")
	checkReport(t, r, 123, 1, "single")

	r = runNbody(t, "-benchmark", "-cpu", "-i=1", "-tipsy="+a, "-tipsy-format=native")
	assert.Equal(t, 1, r.code, "a standard file forced to native is refused")
	assert.Len(t, r.stderrLines(), 1, "stderr: %q", r.stderr)
}

func TestGalaxyRuns(t *testing.T) {
	if _, err := os.Stat(galaxy); err != nil {
		t.Skipf("the sample's galaxy file is not here (%v)", err)
	}
	if testing.Short() {
		t.Skip("20,000 bodies take a second or more per step on a small CPU")
	}
	r := runNbody(t, "-benchmark", "-cpu", "-i=1", "-tipsy="+galaxy)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderrLines(), "Read 20000 bodies", "no padding to 20,224")
	checkReport(t, r, 20000, 1, "single")
}

// A snapshot that cannot be written is refused before the run, not after
// it: no report lines, one error line, exit 1.
func TestOutputUnwritableFailsBeforeTheRun(t *testing.T) {
	for _, path := range []string{
		filepath.Join(t.TempDir(), "missing-dir", "after.bin"),
		t.TempDir(), // a directory
	} {
		r := runNbody(t, "-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output="+path)
		assert.Equal(t, 1, r.code, "-output=%s", path)
		assert.NotContains(t, r.stdout, "bodies, total time", "-output=%s: nothing ran", path)
		lines := r.stderrLines()
		require.Len(t, lines, 1, "-output=%s: one line on stderr", path)
		assert.Contains(t, lines[0], "writing "+path)
	}
}

// A tipsy file is held to the same body limit as -numbodies, before
// anything is allocated: a sparse file whose size matches its claim of
// 2^26+1 or 2^31-1 bodies is one line and exit 1, not an out-of-memory
// crash.
func TestTipsyOverTheBodyLimit(t *testing.T) {
	for _, n := range []int64{1<<26 + 1, 1<<31 - 1} {
		path := filepath.Join(t.TempDir(), "huge.bin")
		f, err := os.Create(path)
		require.NoError(t, err)
		// A native header: time, nbodies, ndim 3, nsph 0, ndark n, nstar 0, pad.
		header := make([]byte, 32)
		byteorder.LittleEndian.PutUint32(header[8:], uint32(n))
		byteorder.LittleEndian.PutUint32(header[12:], 3)
		byteorder.LittleEndian.PutUint32(header[20:], uint32(n))
		_, err = f.Write(header)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(32+36*n), "a sparse file of the claimed size")
		require.NoError(t, f.Close())

		r := runNbody(t, "-benchmark", "-cpu", "-tipsy="+path)
		assert.Equal(t, 1, r.code, "stderr: %s", r.stderr)
		lines := r.stderrLines()
		require.Len(t, lines, 1, "one line: %q", r.stderr)
		assert.Contains(t, lines[0], fmt.Sprintf("%d particles: more than the 67108864 bodies a run may have", n))
	}
}

// runNbodyWithin runs the binary as runNbody does, and fails the test if it
// has not ended within d (killing it), so that a run that blocks fails
// instead of hanging the tests.
func runNbodyWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Start())
	killed := killAfter(cmd, d)
	err := cmd.Wait()
	require.False(t, killed(), "nbody %v did not end within %v; stdout: %q", args, d, out.String())
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running nbody %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// A named pipe given to -tipsy is refused at once with one line: opening it
// for reading used to wait for a writer, swallowing the first Ctrl-C.
func TestTipsyNamedPipeRefusedPromptly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	t.Cleanup(func() { // releases a regression blocked opening it
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	r := runNbodyWithin(t, 10*time.Second, "-benchmark", "-cpu", "-tipsy="+fifo)
	assert.Equal(t, 1, r.code)
	lines := r.stderrLines()
	require.Len(t, lines, 1, "stderr: %q", r.stderr)
	assert.Equal(t, "Error: tipsy file "+fifo+": a named pipe, not a regular file", lines[0])
	assert.NotContains(t, r.stdout, "bodies, total time", "nothing ran")
}
