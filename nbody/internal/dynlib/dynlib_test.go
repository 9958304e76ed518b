package dynlib

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libc is a library every linux machine has, with symbols whose results a
// test can check; the bindings' own libraries may be absent here.
const libc = "libc.so.6"

func openLibc(t *testing.T) *Library {
	t.Helper()
	lib, err := Open(libc)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, lib.Close()) })
	return lib
}

// A library that is not there is ErrNotFound, named, then the loader says
// why: the CLI prints this after "CUDA driver ".
func TestOpenMissingLibraryNamesIt(t *testing.T) {
	const name = "libnbody-no-such-library.so.7"
	lib, err := Open(name)
	require.Error(t, err)
	assert.Nil(t, lib)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.NotErrorIs(t, err, ErrMissingSymbol)
	assert.Equal(t, "library not found: "+name+": cannot open shared object file: No such file or directory", err.Error())

	const path = "/nonexistent/libnbody.so.7"
	_, err = Open(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.True(t, strings.HasPrefix(err.Error(), "library not found: "+path+": "), err.Error())
}

func TestOpenLookupAndCall(t *testing.T) {
	lib := openLibc(t)
	assert.Equal(t, libc, lib.Name())
	getpid, err := lib.Lookup("getpid")
	require.NoError(t, err)
	require.NotZero(t, getpid)
	pid, _, _ := purego.SyscallN(getpid)
	assert.Equal(t, os.Getpid(), int(pid))
}

func TestLookupMissingSymbolNamesIt(t *testing.T) {
	lib := openLibc(t)
	addr, err := lib.Lookup("nbody_no_such_symbol")
	require.Error(t, err)
	assert.Zero(t, addr)
	assert.Equal(t, "libc.so.6 lacks nbody_no_such_symbol", err.Error())
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.NotErrorIs(t, err, ErrNotFound)
	var missing *MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, libc, missing.Library)
	assert.Equal(t, []string{"nbody_no_such_symbol"}, missing.Symbols)
}

// A table binds every func, and the funcs call into C.
func TestResolve(t *testing.T) {
	lib := openLibc(t)
	var getpid func() int32
	var strlen func(s string) uint64
	var abs func(int32) int32
	require.NoError(t, lib.Resolve([]Symbol{
		{Name: "getpid", Func: &getpid},
		{Name: "strlen", Func: &strlen},
		{Name: "abs", Func: &abs},
	}))
	require.NotNil(t, getpid)
	assert.Equal(t, os.Getpid(), int(getpid()))
	require.NotNil(t, strlen)
	assert.Equal(t, uint64(5), strlen("hello"))
	require.NotNil(t, abs)
	assert.Equal(t, int32(7), abs(-7))
}

// Every missing symbol is named in one error, in table order, and nothing
// is stored: a binding never holds half a table.
func TestResolveNamesEveryMissingSymbol(t *testing.T) {
	lib := openLibc(t)
	var getpid, missingA func() int32
	var strlen, missingB func(string) uint64
	err := lib.Resolve([]Symbol{
		{Name: "getpid", Func: &getpid},
		{Name: "nbody_missing_a", Func: &missingA},
		{Name: "strlen", Func: &strlen},
		{Name: "nbody_missing_b", Func: &missingB},
		{Name: "nbody_missing_optional", Func: &missingA, Optional: true},
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.Equal(t, "libc.so.6 lacks nbody_missing_a, nbody_missing_b", err.Error())
	var missing *MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, libc, missing.Library)
	assert.Equal(t, []string{"nbody_missing_a", "nbody_missing_b"}, missing.Symbols)
	assert.Nil(t, getpid, "nothing registered when the table fails")
	assert.Nil(t, strlen, "nothing registered when the table fails")
}

// An optional symbol the library lacks is no error and keeps its zero
// value, so the binding can test for it.
func TestResolveOptional(t *testing.T) {
	lib := openLibc(t)
	var strlen, newer func(string) uint64
	require.NoError(t, lib.Resolve([]Symbol{
		{Name: "strlen", Func: &strlen, Optional: true},
		{Name: "nbody_newer_entry_point", Func: &newer, Optional: true},
	}))
	require.NotNil(t, strlen, "an optional symbol that is there is bound")
	assert.Equal(t, uint64(3), strlen("abc"))
	assert.Nil(t, newer)
}

// A table entry Resolve cannot fill is the binding's mistake: named, and
// nothing is looked up or stored.
func TestResolveRejectsBadEntries(t *testing.T) {
	lib := openLibc(t)
	var fn func() int32
	var notFunc int
	for _, tc := range []struct {
		entry Symbol
		want  string
	}{
		{Symbol{Func: &fn}, "entry 1: no symbol name"},
		{Symbol{Name: "getpid"}, "entry 1: getpid: Func is a <nil>, not a pointer to a func variable"},
		{Symbol{Name: "getpid", Func: fn}, "entry 1: getpid: Func is a func() int32, not a pointer to a func variable"},
		{Symbol{Name: "getpid", Func: &notFunc}, "entry 1: getpid: Func is a *int, not a pointer to a func variable"},
		{Symbol{Name: "getpid", Func: (*func())(nil)}, "entry 1: getpid: Func is a *func(), not a pointer to a func variable"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			var first func(string) uint64
			err := lib.Resolve([]Symbol{{Name: "strlen", Func: &first}, tc.entry})
			require.Error(t, err)
			assert.Equal(t, "resolving symbols of libc.so.6: "+tc.want, err.Error())
			assert.Nil(t, first)
		})
	}
}

// Close is safe to call twice; lookups after it fail with ErrClosed
// instead of handing a dead handle to dlsym.
func TestClose(t *testing.T) {
	lib, err := Open(libc)
	require.NoError(t, err)
	require.NoError(t, lib.Close())
	assert.NoError(t, lib.Close(), "closing twice")

	_, err = lib.Lookup("getpid")
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, "looking up getpid in libc.so.6: library not open", err.Error())
	var getpid func() int32
	err = lib.Resolve([]Symbol{{Name: "getpid", Func: &getpid}})
	assert.ErrorIs(t, err, ErrClosed)
	assert.Contains(t, err.Error(), libc)
	assert.Nil(t, getpid)
}

// Lookups and Close may race (go test -race): a lookup either finds the
// symbol or ErrClosed.
func TestConcurrentLookupAndClose(t *testing.T) {
	lib, err := Open(libc)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if _, err := lib.Lookup("getpid"); err != nil {
					assert.ErrorIs(t, err, ErrClosed)
					return
				}
			}
		})
	}
	assert.NoError(t, lib.Close())
	wg.Wait()
}
