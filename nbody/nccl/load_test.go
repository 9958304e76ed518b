package nccl

import (
	"os"
	"runtime"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unsetNVLS removes NCCL_NVLS_ENABLE for the test and restores it after.
func unsetNVLS(t *testing.T) {
	t.Helper()
	old, had := os.LookupEnv(nvlsEnv)
	require.NoError(t, os.Unsetenv(nvlsEnv))
	t.Cleanup(func() {
		if had {
			_ = os.Setenv(nvlsEnv, old)
		} else {
			_ = os.Unsetenv(nvlsEnv)
		}
	})
}

// A missing library is an error that names the path and the variable that
// points at another; NVLS is switched off before anything else.
func TestLoadMissingLibrary(t *testing.T) {
	unsetNVLS(t)
	const path = "/nonexistent/libnccl.so.2"
	err := load(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), LibraryEnv)
	assert.Equal(t, "0", os.Getenv(nvlsEnv))
}

// A value the user set is left alone.
func TestLoadKeepsUsersNVLSSetting(t *testing.T) {
	t.Setenv(nvlsEnv, "1")
	_ = load("/nonexistent/libnccl.so.2")
	assert.Equal(t, "1", os.Getenv(nvlsEnv))
}

// NCCL reads its settings with getenv(3), from the C environment: the
// value Load sets through os.Setenv must arrive there in a CGO_ENABLED=0
// binary too.
func TestNVLSReachesTheCEnvironment(t *testing.T) {
	unsetNVLS(t)
	_ = load("/nonexistent/libnccl.so.2")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	libc, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		t.Skipf("no libc.so.6 here: %v", err)
	}
	var getenv func(name string) string
	purego.RegisterLibFunc(&getenv, libc, "getenv")
	assert.Equal(t, "0", getenv(nvlsEnv), "getenv(%s) in C", nvlsEnv)
}

// A library that is not NCCL names what it lacks.
func TestLoadRejectsOtherLibraries(t *testing.T) {
	_, err := open("libc.so.6")
	if err != nil && !assert.NotErrorIs(t, err, ErrNotFound, "libc.so.6 should open") {
		return
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
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
	l := &library{}
	names := map[string]bool{}
	funcs := map[any]bool{}
	for _, s := range l.entryPoints() {
		assert.False(t, names[s.Name], "%s listed twice", s.Name)
		names[s.Name] = true
		assert.False(t, funcs[s.Func], "%s bound to a func already bound", s.Name)
		funcs[s.Func] = true
		assert.Nil(t, s.Addr, s.Name)
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

// Calls before Load name the call and say why.
func TestCallsNeedLoad(t *testing.T) {
	if loaded.Load() != nil {
		t.Skip("NCCL was loaded by an earlier test")
	}
	_, err := CommInitAll([]int{0})
	assert.ErrorIs(t, err, ErrNotLoaded)
	assert.ErrorIs(t, GroupStart(), ErrNotLoaded)
	_, err = GetUniqueID()
	assert.ErrorIs(t, err, ErrNotLoaded)
	_, err = CommInitRank(1, UniqueID{}, 0)
	assert.ErrorIs(t, err, ErrNotLoaded)
	assert.ErrorIs(t, Comm(0).Abort(), ErrNotLoaded)
	_, err = Version()
	assert.ErrorIs(t, err, ErrNotLoaded)
}
