package nvml

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// Where NVML cannot be used Open says why: no library (ErrNoLibrary,
// naming it), or a library whose nvmlInit fails (a machine with the
// driver's libraries but no driver running).
func TestOpenWithoutNVML(t *testing.T) {
	l, err := Open(LibraryName)
	if err == nil {
		require.NoError(t, l.Close())
		t.Skip("NVML opens here; the no-NVML path is tested on machines without it")
	}
	t.Logf("Open: %v", err)
	assert.Nil(t, l)
	var e *Error
	switch {
	case errors.Is(err, ErrNoLibrary):
		assert.True(t, strings.HasPrefix(err.Error(), "NVML library not found: "+LibraryName+": "), err.Error())
	case errors.As(err, &e):
		assert.Equal(t, "nvmlInit", e.Call)
		assert.True(t, strings.HasPrefix(err.Error(), "initializing NVML ("+LibraryName+"): nvmlInit: NVML_ERROR_"), err.Error())
	default:
		t.Errorf("Open failed neither for want of the library nor in nvmlInit: %v", err)
	}
	assert.NotErrorIs(t, err, ErrMissingSymbol)
}

// A library that is not there is ErrNoLibrary, and the error names it
// and says why, in the loader's words.
func TestOpenMissingLibrary(t *testing.T) {
	const name = "libnbody-no-such-nvml.so.1"
	l, err := Open(name)
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
	var missing *dynlib.MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Len(t, missing.Symbols, 15, "every required entry point")
	assert.Equal(t, "NVML entry point missing: libc.so.6 lacks nvmlInit_v2, nvmlShutdown, nvmlErrorString, "+
		"nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetHandleByUUID, nvmlDeviceGetName, "+
		"nvmlDeviceGetUUID, nvmlDeviceGetClockInfo, nvmlDeviceGetMaxClockInfo, nvmlDeviceGetTemperature, "+
		"nvmlDeviceGetPowerUsage, nvmlDeviceGetEnforcedPowerLimit, nvmlDeviceGetCurrentClocksThrottleReasons, nvmlDeviceGetTotalEccErrors",
		err.Error())
}

// The table names each entry point once, binds each to its own func, uses
// the versioned symbols nvml.h maps the plain names to, and only the newer
// name of the throttle reasons' call and the health readings (state.go)
// may be missing.
func TestEntryPoints(t *testing.T) {
	l := &Library{}
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
		if s.Optional {
			optional = append(optional, s.Name)
		}
	}
	assert.Len(t, names, 27)
	assert.Equal(t, []string{"nvmlDeviceGetCurrentClocksEventReasons",
		"nvmlDeviceGetPowerManagementDefaultLimit", "nvmlDeviceGetCurrPcieLinkGeneration", "nvmlDeviceGetCurrPcieLinkWidth",
		"nvmlDeviceGetMaxPcieLinkGeneration", "nvmlDeviceGetMaxPcieLinkWidth", "nvmlDeviceGetGpuMaxPcieLinkGeneration",
		"nvmlDeviceGetNvLinkState", "nvmlDeviceGetRemappedRows", "nvmlDeviceGetRetiredPagesPendingStatus",
		"nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetGraphicsRunningProcesses_v3"}, optional,
		"only the entry points an older driver may lack are optional")
	for _, versioned := range []string{"nvmlInit_v2", "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2"} {
		assert.True(t, names[versioned], "binds %s", versioned)
	}
	for _, old := range []string{"nvmlInit", "nvmlDeviceGetCount", "nvmlDeviceGetHandleByIndex"} {
		assert.False(t, names[old], "binds the first version of %s, which is not what nvml.h calls", old)
	}
}

// Open initializes NVML and Close shuts it down, once; calls after Close
// fail with ErrClosed, and another Library initializes NVML again.
func TestStartAndClose(t *testing.T) {
	l := newFake()
	inits, shutdowns := 0, 0
	l.init = func() int32 { inits++; return int32(Success) }
	l.shutdown = func() int32 { shutdowns++; return int32(Success) }

	require.NoError(t, l.start())
	assert.Equal(t, 1, inits)
	n, err := l.DeviceCount()
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	dev, err := l.DeviceByIndex(0)
	require.NoError(t, err)

	require.NoError(t, l.Close())
	assert.Equal(t, 1, shutdowns)
	_, err = l.DeviceCount()
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, "nvmlDeviceGetCount: NVML library not open", err.Error())
	calls := map[string]func() error{
		"DeviceByIndex":    func() error { _, err := l.DeviceByIndex(0); return err },
		"DeviceByUUID":     func() error { _, err := l.DeviceByUUID(fakeUUID); return err },
		"DeviceByCUDAUUID": func() error { _, err := l.DeviceByCUDAUUID(fakeUUIDBytes); return err },
		"Name":             func() error { _, err := dev.Name(); return err },
		"UUID":             func() error { _, err := dev.UUID(); return err },
		"Read":             func() error { _, err := dev.Read(); return err },
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		assert.ErrorIs(t, err, ErrClosed, name)
	}
	require.NoError(t, l.Close(), "Close again does nothing")
	assert.Equal(t, 1, shutdowns)
}

// An nvmlInit that fails names the library, the call and the result; so
// does a failing nvmlShutdown, which leaves the Library closed even so.
func TestStartAndCloseFailures(t *testing.T) {
	l := newFake()
	l.init = func() int32 { return int32(DriverNotLoaded) }
	err := l.start()
	require.Error(t, err)
	assert.ErrorIs(t, err, DriverNotLoaded)
	assert.Equal(t, "initializing NVML (libfake-nvml.so.1): nvmlInit: NVML_ERROR_DRIVER_NOT_LOADED (fake words for 9)", err.Error())

	l = newFake()
	l.shutdown = func() int32 { return int32(Uninitialized) }
	require.NoError(t, l.start())
	err = l.Close()
	assert.ErrorIs(t, err, Uninitialized)
	assert.Equal(t, "nvmlShutdown: NVML_ERROR_UNINITIALIZED (fake words for 1)", err.Error())
	_, err = l.DeviceCount()
	assert.ErrorIs(t, err, ErrClosed, "closed even so")
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
