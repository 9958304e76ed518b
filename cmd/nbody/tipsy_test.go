package main

import (
	"bytes"
	byteorder "encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/tipsy"
)

// The galaxy file that ships with the sample, committed in the
// repository's testdata/ (testdata/README.md says where it comes from).
const galaxy = "../../testdata/galaxy_20K.bin"

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
		assert.Contains(t, lines[0], "writing tipsy file "+path)
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

// An existing read-only file given to -output is refused before the run,
// with one line, and left as it is.
func TestOutputReadOnlyFileRefusedBeforeTheRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.bin")
	require.NoError(t, os.WriteFile(path, []byte("an earlier snapshot"), 0o444))
	r := runNbody(t, "-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output="+path)
	assert.Equal(t, 1, r.code)
	assert.NotContains(t, r.stdout, "bodies, total time", "nothing ran")
	lines := r.stderrLines()
	require.Len(t, lines, 1, "stderr: %q", r.stderr)
	assert.Equal(t, "Error: writing tipsy file "+path+": read-only (-r--r--r--): permission denied", lines[0])
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "an earlier snapshot", string(data))
}

// A successful -output replaces an earlier file, keeping its mode, and
// leaves nothing else beside it.
func TestOutputReplacesEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snap.bin")
	require.NoError(t, os.WriteFile(path, []byte("an earlier snapshot"), 0o600))
	require.NoError(t, os.Chmod(path, 0o640))
	r := runNbody(t, "-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output="+path)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, data, 32+64*36, "a standard tipsy file of 64 dark particles")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "the earlier file's mode")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left: %v", entries)
}

// -output=/dev/stdout writes the snapshot after the report, through the
// pipe: it is written in place, not replaced.
func TestOutputToStdout(t *testing.T) {
	r := runNbody(t, "-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output=/dev/stdout")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	const size = 32 + 64*36
	require.Greater(t, len(r.stdout), size)
	report, snapshot := r.stdout[:len(r.stdout)-size], r.stdout[len(r.stdout)-size:]
	assert.Contains(t, report, "64 bodies, total time for 1 iterations")
	assert.True(t, strings.HasSuffix(report, " flops per interaction\n"), "the report's last line comes before the snapshot")
	s, err := tipsy.Read(strings.NewReader(snapshot), size, tipsy.Auto)
	require.NoError(t, err, "the snapshot follows the report")
	assert.Equal(t, 64, s.N())
}

// mixedOrderFile writes a file of n bodies whose header is little-endian
// and whose records are big-endian, as a careless converter makes them: a
// standard file from -output with its header's fields rewritten.
func mixedOrderFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mixed.bin")
	r := runNbody(t, "-benchmark", "-cpu", "-numbodies="+strconv.Itoa(n), "-i=1", "-output="+path)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for off := 8; off < 28; off += 4 { // nbodies, ndim, nsph, ndark, nstar
		v := byteorder.BigEndian.Uint32(data[off:])
		byteorder.LittleEndian.PutUint32(data[off:], v)
	}
	// The time, a float64, is 0 either way.
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// A file whose records are in another byte order than its header is
// refused when it is read, before the run, with one line that names a body
// and the likely cause; it used to run at velocities near 1e32 into NaNs,
// and -output was refused only after the run.
func TestTipsyMixedByteOrderRefusedBeforeTheRun(t *testing.T) {
	mixed := mixedOrderFile(t, 50)
	out := filepath.Join(t.TempDir(), "out.bin")
	for _, args := range [][]string{
		{"-benchmark", "-cpu", "-i=1", "-tipsy=" + mixed},
		{"-benchmark", "-cpu", "-i=1", "-tipsy=" + mixed, "-output=" + out},
	} {
		r := runNbody(t, args...)
		assert.Equal(t, 1, r.code, "%v", args)
		assert.NotContains(t, r.stdout, "bodies, total time", "%v: nothing ran", args)
		lines := r.stderrLines()
		require.Len(t, lines, 1, "%v: stderr: %q", args, r.stderr)
		assert.Regexp(t, `^Error: tipsy file `+regexp.QuoteMeta(mixed)+`: dark particle \d+ \(body \d+\): `+
			`.* is too large \(beyond ±1\.8e\+19\): are the records in another byte order than the header's \(little-endian\)\?$`, lines[0])
	}
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no output written")
}

// -output=/dev/stdout with stdout redirected to a file writes that file in
// place, as before: replacing it would leave the program's own output
// going to a deleted file.
func TestOutputToStdoutRedirectedToAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout.txt")
	require.NoError(t, os.WriteFile(path, []byte("precious log line\n"), 0o644))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // as a shell's >>
	require.NoError(t, err)
	defer f.Close()
	before, err := f.Stat()
	require.NoError(t, err)
	cmd := exec.Command(binary, "-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output=/dev/stdout")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &errb
	require.NoError(t, cmd.Run(), "stderr: %s", errb.String())
	after, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "the file stdout writes to is the one at the name")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "precious log line\n"), "what was there stays")
	assert.Contains(t, string(got), "64 bodies, total time for 1 iterations", "and so does the report")
	snapshot := got[len(got)-(32+64*36):]
	assert.Equal(t, byte(3), snapshot[15], "the snapshot follows them: a big-endian header with ndim 3")
}
