package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's rules (links, pipes, modes, failures mid-write) are tested
// through tipsy.WriteFile and tipsy.CheckWritable; this tests the life of
// a Pending file, which render.Recording holds across a run.

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	require.NoError(t, err)
	return left
}

func TestPendingAbortLeavesTheEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(path, []byte("earlier"), 0o640))

	p, err := Begin(path)
	require.NoError(t, err)
	assert.Len(t, temporaries(t, dir), 1, "the temporary file exists from Begin")
	p.Abort()
	p.Abort() // twice is harmless

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "earlier", string(got))
	assert.Empty(t, temporaries(t, dir))
	assert.Error(t, p.Commit(writeString("late")), "an aborted file cannot be committed")
	var none *Pending
	none.Abort()
}

func TestPendingCommitReplacesOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(path, []byte("earlier"), 0o640))

	p, err := Begin(path)
	require.NoError(t, err)
	require.NoError(t, p.Commit(writeString("new")))
	p.Abort() // after Commit, a deferred Abort does nothing

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "the earlier file's mode")
	assert.Empty(t, temporaries(t, dir))
	assert.Error(t, p.Commit(writeString("again")), "a second Commit is refused")
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
}

func TestBeginFailsWhereNoFileCanBeCreated(t *testing.T) {
	_, err := Begin(filepath.Join(t.TempDir(), "missing", "out"))
	assert.Error(t, err)
	assert.Error(t, Check(t.TempDir()), "a folder")
}

// AbortAll removes the temporary files of writes not yet committed, and
// no file is replaced or begun after it: the earlier file stays.
func TestAbortAllRemovesTemporariesAndStopsWrites(t *testing.T) {
	var r registry // the process's own stays open for the other tests
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(path, []byte("earlier"), 0o644))

	p, err := r.begin(path)
	require.NoError(t, err)
	require.Len(t, temporaries(t, dir), 1)
	r.abortAll()
	assert.Empty(t, temporaries(t, dir), "removed at once")
	assert.ErrorIs(t, p.Commit(writeString("late")), errAborted)
	p.Abort() // harmless after it
	_, err = r.begin(filepath.Join(dir, "new"))
	assert.ErrorIs(t, err, errAborted, "nothing is begun after it")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "earlier", string(got))
	assert.Empty(t, temporaries(t, dir))
}

// A write that fails names no temporary file: the caller names the file.
func TestWriteErrorsNameNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(filepath.Join(dir, "out"), func(w io.Writer) error {
		w.(unnamed).f.Close() // as a full disk would, the next write fails
		_, err := w.Write([]byte("x"))
		return err
	})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), ".tmp")
	assert.Empty(t, temporaries(t, dir))
}
