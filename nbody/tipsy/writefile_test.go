//go:build unix

package tipsy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// earlierFile writes the bytes of an earlier snapshot to name in dir, with
// mode perm, and returns its path and bytes.
func earlierFile(t *testing.T, dir, name string, perm fs.FileMode) (string, []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	data := encode(t, mixedSnapshot(Native, []byte{9, 9, 9, 9}))
	require.NoError(t, os.WriteFile(path, data, 0o600))
	require.NoError(t, os.Chmod(path, perm))
	return path, data
}

// assertOnly checks that dir holds exactly names: no temporary file is
// left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got, "the files in %s", dir)
}

// assertUnchanged checks that the file at path still holds data, with mode
// perm.
func assertUnchanged(t *testing.T, path string, data []byte, perm fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err, "the earlier file is still there")
	assert.True(t, bytes.Equal(data, got), "the earlier file's bytes changed")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, perm, info.Mode().Perm(), "the earlier file's mode")
}

// withFileSizeLimit limits the size of the files this process writes, as a
// full disk does (writes beyond it fail with EFBIG; Go ignores SIGXFSZ),
// for as long as f runs.
func withFileSizeLimit(t *testing.T, limit uint64, f func()) {
	t.Helper()
	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old))
	if old.Max < limit {
		t.Skipf("the file size limit's ceiling is %d bytes", old.Max)
	}
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: old.Max}))
	defer func() { require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)) }()
	f()
}

// A write that fails partway (here at a file size limit, as on a full
// disk) leaves the earlier file as it was and no temporary file: writing
// in place used to truncate it, then remove it.
func TestWriteFileFailureKeepsEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path, data := earlierFile(t, dir, "snap.bin", 0o644)
	s := mixedSnapshot(Standard, nil) // 536 bytes
	var err error
	withFileSizeLimit(t, 100, func() { err = WriteFile(path, s) })
	assert.EqualError(t, err, "tipsy file "+path+": tipsy: writing snapshot: file too large", "the user's file named, not the temporary one")
	assertUnchanged(t, path, data, 0o644)
	assertOnly(t, dir, "snap.bin")
}

// A read-only file is refused, and left as it is, even where it could be
// replaced (by root, or by renaming over it in a folder we may write).
func TestWriteFileRefusesReadOnlyFile(t *testing.T) {
	dir := t.TempDir()
	path, data := earlierFile(t, dir, "snap.bin", 0o444)
	err := WriteFile(path, mixedSnapshot(Standard, nil))
	assert.EqualError(t, err, "tipsy file "+path+": read-only (-r--r--r--): permission denied")
	assert.ErrorIs(t, err, fs.ErrPermission)
	assertUnchanged(t, path, data, 0o444)
	assertOnly(t, dir, "snap.bin")
}

// A named pipe with nothing reading it is refused at once, rather than
// filling the pipe's buffer and losing the snapshot, or waiting for a
// reader that may never come.
func TestWriteFileRefusesPipeWithoutReader(t *testing.T) {
	path := mkfifo(t)
	err := within(t, "WriteFile to a named pipe without a reader", func() error {
		return WriteFile(path, mixedSnapshot(Standard, nil))
	})
	assert.EqualError(t, err, "tipsy file "+path+": a named pipe with no reader")
	info, statErr := os.Stat(path)
	require.NoError(t, statErr)
	assert.NotZero(t, info.Mode()&fs.ModeNamedPipe, "still a pipe")
}

// A write that fails midway, for any reason, leaves the earlier file as
// it was and no temporary file; while it is being written, the earlier
// file is still whole under its name, which is what a program killed at
// that moment leaves.
func TestWriteFileFailureMidwayKeepsEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path, data := earlierFile(t, dir, "snap.bin", 0o640)
	err := writeFile(path, func(w io.Writer) error {
		_, err := w.Write(data[:100])
		require.NoError(t, err)
		assertUnchanged(t, path, data, 0o640)
		return errors.New("the disk is on fire")
	})
	assert.EqualError(t, err, "tipsy file "+path+": the disk is on fire")
	assertUnchanged(t, path, data, 0o640)
	assertOnly(t, dir, "snap.bin")
}

// A new file gets the permissions os.Create gives; an earlier file's are
// kept, whatever the umask would have made of them.
func TestWriteFilePermissions(t *testing.T) {
	dir := t.TempDir()
	s := mixedSnapshot(Standard, nil)

	ref, err := os.Create(filepath.Join(dir, "by-os-create"))
	require.NoError(t, err)
	require.NoError(t, ref.Close())
	refInfo, err := os.Stat(ref.Name())
	require.NoError(t, err)
	path := filepath.Join(dir, "new.bin")
	require.NoError(t, WriteFile(path, s))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, refInfo.Mode(), info.Mode(), "a new file's mode is os.Create's")

	for _, perm := range []fs.FileMode{0o600, 0o640, 0o664, 0o777, 0o200} {
		path, _ := earlierFile(t, dir, "earlier.bin", perm)
		require.NoError(t, WriteFile(path, s), "%v", perm)
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, perm, info.Mode().Perm(), "the earlier file's mode")
		if perm&0o400 != 0 {
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, encode(t, s), got, "replaced")
		}
	}
	assertOnly(t, dir, "by-os-create", "new.bin", "earlier.bin")
}

// A symbolic link is kept, and the file it names replaced.
func TestWriteFileFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	path, _ := earlierFile(t, dir, "snap.bin", 0o644)
	link := filepath.Join(dir, "link.bin")
	require.NoError(t, os.Symlink("snap.bin", link))
	s := mixedSnapshot(Standard, nil)
	require.NoError(t, WriteFile(link, s))
	dest, err := os.Readlink(link)
	require.NoError(t, err)
	assert.Equal(t, "snap.bin", dest, "still a link")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, encode(t, s), got)
	assertOnly(t, dir, "snap.bin", "link.bin")

	dangling := filepath.Join(dir, "dangling.bin")
	require.NoError(t, os.Symlink("missing.bin", dangling))
	err = WriteFile(dangling, s)
	assert.EqualError(t, err, "tipsy file "+dangling+": a symbolic link to a missing file")
	assert.EqualError(t, CheckWritable(dangling), err.Error())
}

// A folder is refused, and nothing is created in it or beside it.
func TestWriteFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	err := WriteFile(sub, mixedSnapshot(Standard, nil))
	assert.EqualError(t, err, "tipsy file "+sub+": is a directory")
	assertOnly(t, dir, "sub")
	assertOnly(t, sub)
}

// In a folder that takes no new file, an earlier file cannot be replaced
// even when it may be written: it is left as it was.
func TestWriteFileReadOnlyFolder(t *testing.T) {
	// Root creates files in a read-only folder: as root, the test runs
	// again as nobody.
	if rerunUnprivileged(t) {
		return
	}
	dir := t.TempDir()
	path, data := earlierFile(t, dir, "snap.bin", 0o644)
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	err := WriteFile(path, mixedSnapshot(Standard, nil))
	assert.EqualError(t, err, "tipsy file "+path+": creating a temporary file in "+dir+": permission denied")
	assert.EqualError(t, CheckWritable(path), err.Error())
	assertUnchanged(t, path, data, 0o644)
	assertOnly(t, dir, "snap.bin")
}

// A device is written in place and left as it is.
func TestWriteFileDevice(t *testing.T) {
	const null = "/dev/null"
	if _, err := os.Stat(null); err != nil {
		t.Skipf("%s is not here: %v", null, err)
	}
	require.NoError(t, CheckWritable(null))
	require.NoError(t, WriteFile(null, mixedSnapshot(Standard, nil)))
	info, err := os.Stat(null)
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&fs.ModeCharDevice, "still a device")
}

// A named pipe with a reader gets the snapshot through it, and stays a
// pipe.
func TestWriteFilePipeWithReader(t *testing.T) {
	path := mkfifo(t)
	require.NoError(t, CheckWritable(path), "a pipe with no reader yet passes the check")
	// Open without blocking: no writer is there yet. Read only once the
	// writer has come and gone, since a pipe without a writer reads as
	// ended; the snapshot fits in the pipe's buffer meanwhile.
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	defer r.Close()
	s := mixedSnapshot(Standard, nil)
	require.NoError(t, within(t, "WriteFile to a pipe with a reader", func() error { return WriteFile(path, s) }))
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, encode(t, s), data)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&fs.ModeNamedPipe, "still a pipe")
}

// CheckWritable refuses exactly what WriteFile refuses, with the same
// error, and changes nothing.
func TestCheckWritableAgreesWithWriteFile(t *testing.T) {
	for _, tc := range []struct {
		name, path, err string // path and err within the test's folder, DIR
	}{
		{"new file", "new.bin", ""},
		{"earlier file", "plain.bin", ""},
		{"link", "link.bin", ""},
		{"read-only file", "read-only.bin", "read-only (-r--r--r--): permission denied"},
		{"directory", "sub", "is a directory"},
		{"missing folder", "missing/x.bin", "creating a temporary file in DIR/missing: no such file or directory"},
		{"below a file", "plain.bin/x.bin", "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			plain, plainData := earlierFile(t, dir, "plain.bin", 0o644)
			readOnly, readOnlyData := earlierFile(t, dir, "read-only.bin", 0o444)
			require.NoError(t, os.Symlink("plain.bin", filepath.Join(dir, "link.bin")))
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			path := filepath.Join(dir, tc.path)

			checkErr := CheckWritable(path)
			assertOnly(t, dir, "plain.bin", "read-only.bin", "link.bin", "sub")
			assertUnchanged(t, plain, plainData, 0o644)
			assertUnchanged(t, readOnly, readOnlyData, 0o444)

			writeErr := WriteFile(path, mixedSnapshot(Standard, nil))
			if tc.err == "" {
				assert.NoError(t, checkErr)
				assert.NoError(t, writeErr)
				return
			}
			want := "tipsy file " + path + ": " + strings.ReplaceAll(tc.err, "DIR", dir)
			assert.EqualError(t, checkErr, want)
			assert.EqualError(t, writeErr, want)
		})
	}
}

// A link through /proc to a pipe, as /dev/stdout is when output is piped,
// has no name to resolve; it is written in place through the link.
func TestWriteFileProcLinkToPipe(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skipf("no /proc/self/fd here: %v", err)
	}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	got := make(chan []byte, 1)
	go func() {
		data, _ := io.ReadAll(r)
		got <- data
	}()
	path := fmt.Sprintf("/proc/self/fd/%d", w.Fd())
	s := mixedSnapshot(Standard, nil)
	require.NoError(t, CheckWritable(path))
	require.NoError(t, within(t, "WriteFile to a piped /proc link", func() error { return WriteFile(path, s) }))
	require.NoError(t, w.Close())
	select {
	case data := <-got:
		assert.Equal(t, encode(t, s), data)
	case <-time.After(5 * time.Second):
		require.FailNow(t, "the reader saw no end of the data")
	}
}
