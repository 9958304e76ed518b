package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// A -render that fills the disk (here: the file size limit of ulimit -f)
// names the user's file, not the hidden temporary one, and leaves none.
func TestRenderWriteErrorNamesTheUsersFile(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", `ulimit -f 8 && exec "$0" "$@"`, binary, "-cpu", "-numbodies=512", "-render=r.gif", "-frames=3")
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	_ = cmd.Run() // the exit status is checked below
	assert.Equal(t, 1, cmd.ProcessState.ExitCode(), "stderr: %q", errb.String())
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	require.NotEmpty(t, lines)
	last := lines[len(lines)-1]
	assert.Regexp(t, `^Error: writing r\.gif: .*file too large$`, last)
	assert.NotContains(t, last, ".tmp")
	left, err := filepath.Glob(filepath.Join(dir, ".*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file left")
}

// Bodies that go to NaN are warned of on stderr, and the refusal of their
// snapshot names the file. Two bodies at ±1.7e19 square to infinity; the
// vectorized kernel's reciprocal square root turns that into NaN (the
// portable one into 0, where nothing breaks down).
func TestNaNBodiesWarned(t *testing.T) {
	dir := t.TempDir()
	b := nbody.NewBodies(2)
	b.Pos = []float64{-1.7e19, 0, 0, 1, 1.7e19, 0, 0, 1}
	s, err := tipsy.FromBodies(b)
	require.NoError(t, err)
	in := filepath.Join(dir, "far.bin")
	require.NoError(t, tipsy.WriteFile(in, s))

	r := runNbody(t, "-cpu", "-tipsy="+in, "-benchmark", "-i=2", "-energy")
	require.Equal(t, 0, r.code, "stderr: %q", r.stderr)
	if !strings.Contains(r.stdout, "total NaN") {
		t.Skip("this build's kernel keeps these bodies finite")
	}
	warning := "> Warning: 2 of 2 bodies ended with a position or velocity that is NaN or infinite: the simulation broke down"
	assert.Contains(t, r.stderr, warning)

	r = runNbody(t, "-cpu", "-tipsy="+in, "-i=2")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, warning, "the interactive mode too")

	r = runNbody(t, "-cpu", "-tipsy="+in, "-benchmark", "-i=2")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, warning, "a plain benchmark too: its bodies are read back to tell")

	out := filepath.Join(dir, "after.bin")
	r = runNbody(t, "-cpu", "-tipsy="+in, "-benchmark", "-i=2", "-output="+out)
	assert.Equal(t, 1, r.code)
	lines := r.stderrLines()
	require.NotEmpty(t, lines)
	assert.Contains(t, lines[len(lines)-1], "tipsy file "+out+": cannot write snapshot")
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err))
}

// A file name with a newline is quoted, not split over lines or shown as
// another name.
func TestControlCharactersInNamesQuoted(t *testing.T) {
	r := runNbody(t, "-cpu", "-benchmark", "-tipsy=a\nb.bin")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, []string{`Error: tipsy file "a\nb.bin": no such file or directory`}, r.stderrLines())
	assert.Contains(t, r.stdoutLines(), `Trying to read file: "a\nb.bin"`)
}

// A file whose size the system gives as 0 but that has bytes (procfs) is
// read and judged by what it holds.
func TestZeroSizedProcFileRead(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	r := runNbody(t, "-cpu", "-benchmark", "-tipsy=/proc/self/status")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, 1, len(r.stderrLines()), "stderr: %q", r.stderr)
	assert.Contains(t, r.stderr, "Error: tipsy file /proc/self/status: not a tipsy file")
}
