package nvml

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Where NVML cannot be used Load says why: no library (ErrNoLibrary,
// naming it), or a library whose nvmlInit fails (a machine with the
// driver's libraries but no driver running). Every other call then fails
// with ErrNotLoaded rather than crashing.
func TestLoadWithoutNVML(t *testing.T) {
	err := Load()
	if err == nil {
		t.Skip("NVML loads here; the no-NVML path is tested on machines without it")
	}
	t.Logf("Load: %v", err)
	assert.Equal(t, err, Load(), "Load is idempotent")
	var e *Error
	switch {
	case errors.Is(err, ErrNoLibrary):
		assert.True(t, strings.HasPrefix(err.Error(), "NVML library not found: "+LibraryName+": "), err.Error())
	case errors.As(err, &e):
		assert.Equal(t, "nvmlInit", e.Call)
		assert.True(t, strings.HasPrefix(err.Error(), "initializing NVML ("+LibraryName+"): nvmlInit: NVML_ERROR_"), err.Error())
	default:
		t.Errorf("Load failed neither for want of the library nor in nvmlInit: %v", err)
	}
	assert.NotErrorIs(t, err, ErrMissingSymbol)

	calls := map[string]func() error{
		"DeviceCount":      func() error { _, err := DeviceCount(); return err },
		"DeviceByIndex":    func() error { _, err := DeviceByIndex(0); return err },
		"DeviceByUUID":     func() error { _, err := DeviceByUUID(fakeUUID); return err },
		"DeviceByCUDAUUID": func() error { _, err := DeviceByCUDAUUID(fakeUUIDBytes); return err },
		"Name":             func() error { _, err := Device{}.Name(); return err },
		"UUID":             func() error { _, err := Device{}.UUID(); return err },
		"Read":             func() error { _, err := Device{}.Read(); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			assert.ErrorIs(t, err, ErrNotLoaded)
		})
	}
	assert.NoError(t, Shutdown(), "Shutdown without Load does nothing")
}

// A library that is not there is ErrNoLibrary, and the error names it
// and says why, in the loader's words.
func TestOpenMissingLibrary(t *testing.T) {
	const name = "libnbody-no-such-nvml.so.1"
	l, err := open(name)
	require.Error(t, err)
	assert.Nil(t, l)
	assert.ErrorIs(t, err, ErrNoLibrary)
	assert.NotErrorIs(t, err, ErrMissingSymbol)
	assert.Equal(t, "NVML library not found: "+name+": cannot open shared object file: No such file or directory", err.Error())
}

// A library that opens but is not NVML is refused, naming every entry
// point it lacks in one error, before anything in it is called; the
// optional one is not named.
func TestOpenLibraryThatIsNotNVML(t *testing.T) {
	l, err := open("libc.so.6")
	require.Error(t, err)
	assert.Nil(t, l)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.NotErrorIs(t, err, ErrNoLibrary)
	assert.Equal(t, "NVML entry point missing: libc.so.6 lacks nvmlInit_v2, nvmlShutdown, nvmlErrorString, "+
		"nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetHandleByUUID, nvmlDeviceGetName, "+
		"nvmlDeviceGetUUID, nvmlDeviceGetClockInfo, nvmlDeviceGetMaxClockInfo, nvmlDeviceGetTemperature, "+
		"nvmlDeviceGetPowerUsage, nvmlDeviceGetEnforcedPowerLimit, nvmlDeviceGetCurrentClocksThrottleReasons, nvmlDeviceGetTotalEccErrors",
		err.Error())
}

// The table names each entry point once, binds each to its own func, uses
// the versioned symbols nvml.h maps the plain names to, and only the newer
// name of the throttle reasons' call may be missing.
func TestEntryPoints(t *testing.T) {
	l := &library{}
	names := map[string]bool{}
	funcs := map[any]bool{}
	var optional []string
	for _, s := range l.entryPoints() {
		assert.True(t, strings.HasPrefix(s.Name, "nvml"), s.Name)
		assert.False(t, names[s.Name], "%s listed twice", s.Name)
		names[s.Name] = true
		assert.NotNil(t, s.Func, s.Name)
		assert.False(t, funcs[s.Func], "%s bound to a func already bound", s.Name)
		funcs[s.Func] = true
		assert.Nil(t, s.Addr, s.Name)
		if s.Optional {
			optional = append(optional, s.Name)
		}
	}
	assert.Len(t, names, 16)
	assert.Equal(t, []string{"nvmlDeviceGetCurrentClocksEventReasons"}, optional)
	for _, versioned := range []string{"nvmlInit_v2", "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2"} {
		assert.True(t, names[versioned], "binds %s", versioned)
	}
	for _, old := range []string{"nvmlInit", "nvmlDeviceGetCount", "nvmlDeviceGetHandleByIndex"} {
		assert.False(t, names[old], "binds the first version of %s, which is not what nvml.h calls", old)
	}
}

// Load initializes NVML once until Shutdown, and again after it; calls
// between Shutdown and Load fail with ErrNotLoaded.
func TestStartAndShutdown(t *testing.T) {
	notLoaded(t)
	l := newFake()
	inits, shutdowns := 0, 0
	l.init = func() int32 { inits++; return int32(Success) }
	l.shutdown = func() int32 { shutdowns++; return int32(Success) }

	require.NoError(t, l.start())
	require.NoError(t, l.start())
	assert.Equal(t, 1, inits, "initialized once while loaded")
	n, err := DeviceCount()
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, Shutdown())
	assert.Equal(t, 1, shutdowns)
	_, err = DeviceCount()
	assert.ErrorIs(t, err, ErrNotLoaded)
	assert.Equal(t, "nvmlDeviceGetCount: NVML not loaded (nvml.Load has not succeeded)", err.Error())
	require.NoError(t, Shutdown(), "Shutdown again does nothing")
	assert.Equal(t, 1, shutdowns)

	require.NoError(t, l.start())
	assert.Equal(t, 2, inits, "initialized again after Shutdown")
	require.NoError(t, Shutdown())
	assert.Equal(t, 2, shutdowns)
}

// An nvmlInit that fails leaves NVML unloaded, and its error names the
// library, the call and the result; so does a failing nvmlShutdown.
func TestStartAndShutdownFailures(t *testing.T) {
	notLoaded(t)
	l := newFake()
	l.init = func() int32 { return int32(DriverNotLoaded) }
	err := l.start()
	require.Error(t, err)
	assert.ErrorIs(t, err, DriverNotLoaded)
	assert.Equal(t, "initializing NVML (libfake-nvml.so.1): nvmlInit: NVML_ERROR_DRIVER_NOT_LOADED (fake words for 9)", err.Error())
	assert.Nil(t, loaded.Load())

	l.init = func() int32 { return int32(Success) }
	l.shutdown = func() int32 { return int32(Uninitialized) }
	require.NoError(t, l.start())
	err = Shutdown()
	assert.ErrorIs(t, err, Uninitialized)
	assert.Equal(t, "nvmlShutdown: NVML_ERROR_UNINITIALIZED (fake words for 1)", err.Error())
	assert.Nil(t, loaded.Load(), "unloaded even so")
}

// Where the library is installed (with or without a driver running, as on
// a build machine with the driver's libraries), it has every entry point
// we bind, and its words for a result are what errors show.
func TestLibraryHasEveryEntryPoint(t *testing.T) {
	l, err := open(LibraryName)
	if err != nil {
		t.Skipf("no NVML library to look in: %v", err)
	}
	t.Logf("%s has nvmlDeviceGetCurrentClocksEventReasons: %v", LibraryName, l.clocksEvent != nil)
	for _, s := range l.entryPoints() {
		if !s.Optional {
			assert.False(t, reflect.ValueOf(s.Func).Elem().IsNil(), s.Name)
		}
	}
	assert.Equal(t, "nvmlInit: NVML_ERROR_DRIVER_NOT_LOADED (Driver Not Loaded)", l.newError("nvmlInit", int32(DriverNotLoaded)).Error())
	assert.Equal(t, "nvmlDeviceGetPowerUsage: NVML_ERROR_NOT_SUPPORTED (Not Supported)", l.newError("nvmlDeviceGetPowerUsage", int32(NotSupported)).Error())
	for r := range returnNames {
		assert.NotEmpty(t, l.errorString(int32(r)), "%s", r)
	}
}
