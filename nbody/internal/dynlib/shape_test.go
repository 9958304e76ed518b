package dynlib_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/internal/dynlib"
	"github.com/nbody-go/nbody/nbody/nccl"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// binding is what every NVIDIA binding has, in the one shape: an Open that
// takes the library's path, and the loader's sentinels under its own name.
type binding struct {
	name                                      string // as its errors say it: "CUDA driver"
	open                                      func(path string) error
	errNoLibrary, errMissingSymbol, errClosed error
}

var bindings = []binding{
	{"CUDA driver", func(p string) error { _, err := cuda.Open(p); return err },
		cuda.ErrNoLibrary, cuda.ErrMissingSymbol, cuda.ErrClosed},
	{"NVML", func(p string) error { _, err := nvml.Open(p); return err },
		nvml.ErrNoLibrary, nvml.ErrMissingSymbol, nvml.ErrClosed},
	{"NCCL", func(p string) error { _, err := nccl.Open(p); return err },
		nccl.ErrNoLibrary, nccl.ErrMissingSymbol, nccl.ErrClosed},
}

// Every binding opens its library by path and reports its absence, and a
// library without its entry points, as the loader's sentinels, which it
// re-exports as they are: a caller tests any binding's error the same
// way.
func TestBindingsShareOneShape(t *testing.T) {
	for _, b := range bindings {
		t.Run(b.name, func(t *testing.T) {
			assert.Same(t, dynlib.ErrNotFound, b.errNoLibrary)
			assert.Same(t, dynlib.ErrMissingSymbol, b.errMissingSymbol)
			assert.Same(t, dynlib.ErrClosed, b.errClosed)

			const path = "/nonexistent/libnbody-shape.so.1"
			err := b.open(path)
			require.Error(t, err)
			assert.ErrorIs(t, err, dynlib.ErrNotFound)
			assert.NotErrorIs(t, err, dynlib.ErrMissingSymbol)
			assert.Equal(t, b.name+" library not found: "+path+": cannot open shared object file: No such file or directory", err.Error())

			// libc opens, and is none of these libraries: every entry point
			// the binding looked for and did not find is named.
			err = b.open("libc.so.6")
			require.Error(t, err)
			assert.ErrorIs(t, err, dynlib.ErrMissingSymbol)
			assert.NotErrorIs(t, err, dynlib.ErrNotFound)
			assert.True(t, strings.HasPrefix(err.Error(), b.name+" entry point missing: libc.so.6 "), err.Error())
			var missing *dynlib.MissingSymbolsError
			require.True(t, errors.As(err, &missing), "%v", err)
			assert.Equal(t, "libc.so.6", missing.Library)
			require.NotEmpty(t, missing.Symbols)
			for _, s := range missing.Symbols {
				assert.Contains(t, err.Error(), s)
			}
		})
	}
}
