package nccl

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// A missing library is ErrNoLibrary, and the error names the path and
// says why, in the loader's words.
func TestOpenMissingLibrary(t *testing.T) {
	const path = "/nonexistent/libnccl.so.2"
	l, err := Open(path)
	require.Error(t, err)
	assert.Nil(t, l)
	assert.ErrorIs(t, err, ErrNoLibrary)
	assert.NotErrorIs(t, err, ErrMissingSymbol)
	assert.Equal(t, "NCCL library not found: "+path+": cannot open shared object file: No such file or directory", err.Error())
}

// A library that is not NCCL names what it lacks.
func TestLoadRejectsOtherLibraries(t *testing.T) {
	_, err := Open("libc.so.6")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrNoLibrary, "libc.so.6 should open")
	assert.ErrorIs(t, err, ErrMissingSymbol)
	var missing *dynlib.MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Len(t, missing.Symbols, 11, "every required entry point")
	assert.Contains(t, err.Error(), "ncclCommInitAll")
	// Every required entry point is named in the one error; the optional
	// ncclGetLastError is not.
	assert.Equal(t, "NCCL entry point missing: libc.so.6 lacks ncclGetVersion, ncclGetErrorString, "+
		"ncclCommInitAll, ncclCommDestroy, ncclGetUniqueId, ncclCommInitRank, ncclCommAbort, ncclGroupStart, ncclGroupEnd, ncclAllGather, ncclBroadcast: not NCCL 2.x",
		err.Error())
}

// The table names each entry point once, binds each to its own func, and
// only ncclGetLastError (NCCL 2.13 and later) may be missing.
func TestEntryPoints(t *testing.T) {
	l := &Library{}
	names := map[string]bool{}
	funcs := map[any]bool{}
	for _, s := range l.entryPoints() {
		assert.False(t, names[s.Name], "%s listed twice", s.Name)
		names[s.Name] = true
		assert.False(t, funcs[s.Func], "%s bound to a func already bound", s.Name)
		funcs[s.Func] = true
		assert.Equal(t, s.Name == "ncclGetLastError", s.Optional, s.Name)
	}
	assert.Len(t, names, 12)
}

// The id travels by value in 128 bytes, as ncclUniqueId does: purego
// copies the struct onto the C stack only if its size is NCCL's.
func TestUniqueIDSize(t *testing.T) {
	assert.Equal(t, uintptr(UniqueIDBytes), unsafe.Sizeof(UniqueID{}))
}

func TestFormatVersion(t *testing.T) {
	for code, want := range map[int]string{22703: "2.27.3", 21805: "2.18.5", 20903: "2.9.3", 2804: "2.8.4"} {
		assert.Equal(t, want, FormatVersion(code), "%d", code)
	}
}

func TestErrorWords(t *testing.T) {
	e := &Error{Call: "ncclCommInitAll", Result: InvalidUsage, Message: "invalid usage", Detail: "Duplicate GPU detected"}
	assert.Equal(t, "ncclCommInitAll: ncclInvalidUsage (invalid usage): Duplicate GPU detected", e.Error())
	assert.ErrorIs(t, e, &Error{Result: InvalidUsage})
	assert.NotErrorIs(t, e, &Error{Result: SystemError})
	assert.NotErrorIs(t, e, &Error{Call: "ncclAllGather", Result: InvalidUsage})
	assert.Equal(t, "ncclResult(42)", Result(42).String())
}

// Calls through a zero Comm, or on a closed Library, name the call and
// fail with ErrClosed rather than crashing.
func TestCallsNeedAnOpenLibrary(t *testing.T) {
	l := &Library{path: "libfake-nccl.so.2"}
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "closing twice")
	_, err := l.CommInitAll([]int{0})
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, "ncclCommInitAll: NCCL library not open", err.Error())
	assert.ErrorIs(t, l.GroupStart(), ErrClosed)
	assert.ErrorIs(t, l.GroupEnd(), ErrClosed)
	_, err = l.GetUniqueID()
	assert.ErrorIs(t, err, ErrClosed)
	_, err = l.CommInitRank(1, UniqueID{}, 0)
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, Comm{l: l}.Destroy(), ErrClosed)
	err = Comm{}.Abort()
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, "ncclCommAbort: NCCL library not open (a zero Comm)", err.Error())
	assert.ErrorIs(t, Comm{}.AllGather(0, 0, 1, Uint8, cuda.Stream{}), ErrClosed)
	assert.ErrorIs(t, Comm{}.Broadcast(0, 0, 1, Uint8, 0, cuda.Stream{}), ErrClosed)
}
