//go:build unix

package tipsy

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mkfifo makes a named pipe in a test's folder. Whatever a test leaves
// blocked opening it for reading is released when the test ends, by
// opening it for writing once.
func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(path, 0o644))
	t.Cleanup(func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return path
}

// within runs f and returns its error, or fails the test if f has not
// returned after a few seconds: a regression that blocks then fails
// instead of hanging the tests.
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		require.FailNow(t, what+" blocked for 5 s")
		return nil
	}
}

// A named pipe given to ReadFile is refused at once: opening it for
// reading would wait for a writer that never comes.
func TestReadFileRefusesFIFOWithoutBlocking(t *testing.T) {
	path := mkfifo(t)
	err := within(t, "ReadFile of a named pipe", func() error {
		s, err := ReadFile(path, Auto)
		assert.Nil(t, s)
		return err
	})
	assert.EqualError(t, err, "tipsy file "+path+": a named pipe, not a regular file")
}

// The check after opening: a file that was regular when ReadFile looked
// at it and is a pipe when it opens it (a swap in between) is opened
// without blocking and refused.
func TestOpenRegularRefusesFIFOWithoutBlocking(t *testing.T) {
	path := mkfifo(t)
	err := within(t, "openRegular of a named pipe", func() error {
		f, _, err := openRegular(path)
		assert.Nil(t, f)
		return err
	})
	assert.EqualError(t, err, "a named pipe, not a regular file")
}
