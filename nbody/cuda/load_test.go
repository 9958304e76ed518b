package cuda

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// Where no GPU can be used Load says why, the same way every time: no
// driver library (ErrNoDriver, naming it), or a driver whose cuInit finds
// no device (a machine with the driver's library but no GPU, as a build
// machine with the CUDA toolkit installed is). Every other call then fails
// with ErrNotLoaded rather than crashing.
func TestLoadWithoutGPU(t *testing.T) {
	err := Load()
	if err == nil {
		t.Skip("a CUDA device is usable here; the no-GPU path is tested on machines without one")
	}
	t.Logf("Load: %v", err)
	assert.Equal(t, err, Load(), "Load is idempotent")
	var e *Error
	switch {
	case errors.Is(err, ErrNoDriver):
		assert.Contains(t, err.Error(), LibraryName)
	case errors.As(err, &e):
		assert.Equal(t, "cuInit", e.Call)
		assert.Regexp(t, `^initializing CUDA driver \d+\.\d: cuInit: CUDA_ERROR_\w+ \(.+\)$`, err.Error())
	default:
		t.Errorf("Load failed neither for want of the library nor in cuInit: %v", err)
	}

	calls := map[string]func() error{
		"DriverVersion": func() error { _, err := DriverVersion(); return err },
		"DeviceCount":   func() error { _, err := DeviceCount(); return err },
		"DeviceGet":     func() error { _, err := DeviceGet(0); return err },
		"Device.Name":   func() error { _, err := Device(0).Name(); return err },
		"Device.UUID":   func() error { _, err := Device(0).UUID(); return err },
		"Attribute":     func() error { _, err := Device(0).Attribute(MultiprocessorCount); return err },
		"TotalMem":      func() error { _, err := Device(0).TotalMem(); return err },
		"Retain":        func() error { _, err := Device(0).PrimaryCtxRetain(); return err },
		"SetCurrent":    func() error { return Context(0).SetCurrent() },
		"MemAlloc":      func() error { _, err := MemAlloc(1 << 20); return err },
		"MemHostAlloc":  func() error { _, err := MemHostAlloc(1<<20, HostAllocDeviceMap); return err },
		"CopyToDevice":  func() error { return CopyToDevice(DevicePtr(0), []float32{1, 2}) },
		"ModuleLoad":    func() error { _, err := ModuleLoadData([]byte(".version 7.8")); return err },
		"Launch":        func() error { return LaunchKernel(0, Dim3{X: 1}, Dim3{X: 1}, 0, 0, uint32(1)) },
		"StreamCreate":  func() error { _, err := StreamCreate(); return err },
		"EventCreate":   func() error { _, err := EventCreate(); return err },
		"EventElapsed":  func() error { _, err := EventElapsed(0, 0); return err },
		"Synchronize":   CtxSynchronize,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			assert.ErrorIs(t, err, ErrNotLoaded)
		})
	}
}

// A driver library that is not there is ErrNoDriver, and the error names
// it.
func TestLoadMissingLibrary(t *testing.T) {
	const name = "libnbody-no-such-driver.so.1"
	err := load(name)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNoDriver)
	assert.Contains(t, err.Error(), name)
	assert.True(t, strings.HasPrefix(err.Error(), "CUDA driver library not found: "+name+": "), err.Error())
}

// A library that opens but is no CUDA driver is refused by name, before
// anything is called in it.
func TestOpenLibraryWithoutCUDA(t *testing.T) {
	err := load("libc.so.6")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.NotErrorIs(t, err, ErrNoDriver)
	assert.Contains(t, err.Error(), "cuDriverGetVersion")
	assert.Contains(t, err.Error(), "libc.so.6")
	assert.Equal(t, "CUDA driver entry point missing: libc.so.6 has no cuDriverGetVersion: not a CUDA driver library", err.Error())
}

// Every entry point has a symbol, the versioned ones are the ones cuda.h
// maps to, errors name the call without its version, and only the entry
// points of newer drivers are optional.
func TestEntryPoints(t *testing.T) {
	d := newDriver()
	seen := map[string]bool{}
	procs := map[*proc]bool{}
	optional := map[string]bool{}
	for _, e := range d.optionalEntryPoints() {
		optional[e.symbol] = true
	}
	assert.Equal(t, map[string]bool{"cuDeviceGetUuid_v2": true}, optional)
	for _, e := range append(d.entryPoints(), d.optionalEntryPoints()...) {
		require.NotEmpty(t, e.symbol)
		assert.Equal(t, e.symbol, e.proc.symbol, "newDriver names every proc")
		assert.False(t, seen[e.symbol], "%s listed twice", e.symbol)
		seen[e.symbol] = true
		assert.False(t, procs[e.proc], "%s bound to a field already bound", e.symbol)
		procs[e.proc] = true
		assert.Zero(t, e.proc.addr)
	}
	table := d.symbols()
	require.Len(t, table, len(seen))
	for _, s := range table {
		assert.True(t, seen[s.Name], s.Name)
		assert.NotNil(t, s.Addr, s.Name)
		assert.Equal(t, optional[s.Name], s.Optional, "%s: only the entry points of newer drivers are optional", s.Name)
	}
	for _, s := range []string{"cuMemAlloc_v2", "cuMemFree_v2", "cuMemGetInfo_v2", "cuMemcpyHtoD_v2",
		"cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2", "cuMemcpyDtoDAsync_v2", "cuMemsetD32_v2",
		"cuMemHostGetDevicePointer_v2", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRelease_v2",
		"cuDevicePrimaryCtxSetFlags_v2", "cuStreamDestroy_v2", "cuEventDestroy_v2"} {
		assert.True(t, seen[s], "binds %s", s)
	}
	assert.Equal(t, "cuMemAlloc", d.cuMemAlloc.name)
	assert.Equal(t, "cuDriverGetVersion", d.cuDriverGetVersion.name)
	assert.Equal(t, "cuDevicePrimaryCtxRelease", d.cuDevicePrimaryCtxRelease.name)
	assert.Equal(t, "cuDeviceGetUuid", d.cuDeviceGetUuid.name)
}

// A driver without cuDeviceGetUuid_v2 loads; asking for a UUID then says
// what is missing, and from which driver, instead of calling address 0.
func TestUUIDWithoutEntryPoint(t *testing.T) {
	d := newDriver()
	d.version = 11020
	uuid, err := d.deviceUUID(3)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.Zero(t, uuid)
	assert.Equal(t, "device 3 UUID: CUDA driver entry point missing: CUDA driver 11.2 lacks cuDeviceGetUuid_v2 (CUDA 11.4 and later)", err.Error())
}

// A driver too old for some entry points is refused with its version and
// every entry point it lacks, in one error. libc stands in for it: its
// strlen, called as cuDriverGetVersion(&v) with v zero, returns 0
// (CUDA_SUCCESS) and leaves v 0, a "driver 0.0"; getpid stands in for
// cuInit, so that one is found.
func TestMissingEntryPointsNamedWithVersion(t *testing.T) {
	lib, err := dynlib.Open("libc.so.6")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, lib.Close()) })
	d := newDriver()
	d.lib = lib
	d.cuDriverGetVersion.symbol = "strlen"
	d.cuInit.symbol = "getpid"

	err = d.resolve()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	var want []string
	for _, e := range d.entryPoints() {
		if e.proc != &d.cuDriverGetVersion && e.proc != &d.cuInit {
			want = append(want, e.symbol)
		}
	}
	require.Len(t, want, len(d.entryPoints())-2)
	assert.Equal(t, "CUDA driver entry point missing: libc.so.6 is CUDA driver 0.0 and lacks "+
		strings.Join(want, ", ")+"; a newer NVIDIA driver is needed", err.Error())
	assert.Zero(t, d.cuInit.addr, "a refused driver has no entry points to call")
	assert.Zero(t, d.cuGetErrorName.addr)
}

// Errors are named as the driver names them, with a fallback for when it
// cannot, and errors.Is matches the sentinel of the same result.
func TestErrorNaming(t *testing.T) {
	tests := []struct {
		call     string
		code     int
		text     string
		sentinel error
	}{
		{"cuMemAlloc", 2, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)", ErrOutOfMemory},
		{"cuInit", 100, "cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)", ErrNoDevice},
		{"cuDeviceGet", 101, "cuDeviceGet: CUDA_ERROR_INVALID_DEVICE (invalid device ordinal)", ErrInvalidDevice},
		{"cuModuleLoadDataEx", 218, "cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed)", ErrInvalidPTX},
		{"cuCtxSynchronize", 700, "cuCtxSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)", ErrIllegalAddress},
		{"cuLaunchKernel", 701, "cuLaunchKernel: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (too many resources requested for launch)", ErrLaunchOutOfResources},
		{"cuMemFree", 12345, "cuMemFree: CUresult(12345)", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			var d *driver // not loaded: the fallback names
			err := fmt.Errorf("context: %w", d.newError(tc.call, tc.code))
			assert.Equal(t, "context: "+tc.text, err.Error())
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.call, e.Call)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
			for _, other := range []error{ErrInvalidValue, ErrUnknown, ErrNotFound} {
				assert.NotErrorIs(t, err, other)
			}
		})
	}
	// A sentinel reads without a call, and an *Error for one call does not
	// match the same result from another call.
	assert.Equal(t, "CUDA_ERROR_OUT_OF_MEMORY (out of memory)", ErrOutOfMemory.Error())
	var d *driver
	assert.NotErrorIs(t, d.newError("cuMemAlloc", 2), d.newError("cuMemHostAlloc", 2))
	assert.ErrorIs(t, d.newError("cuMemAlloc", 2), d.newError("cuMemAlloc", 2))
}

// A JIT failure reads with its log and unwraps to the driver's error.
func TestJITError(t *testing.T) {
	var d *driver
	err := error(&JITError{Err: d.newError("cuModuleLoadDataEx", 218), Log: "ptxas fatal: something"})
	assert.ErrorIs(t, err, ErrInvalidPTX)
	assert.Contains(t, err.Error(), "CUDA_ERROR_INVALID_PTX")
	assert.Contains(t, err.Error(), "ptxas fatal: something")
	assert.Equal(t, "", cString(make([]byte, 8), 8), "an untouched buffer is no log")
	assert.Equal(t, "abc", cString([]byte("abc\n\x00zzz"), 100), "cut at the NUL")
	assert.Equal(t, "ab", cString([]byte("abcdef"), 2), "cut at the reported length")
}

func TestPackParams(t *testing.T) {
	ptr := DevicePtr(0x7f00_1234_5678)
	values, err := packParams([]any{uint32(7), int32(-3), uint64(1 << 40), int64(-1 << 40),
		float32(1.5), float64(-2.25), ptr})
	require.NoError(t, err)
	require.Len(t, values, 7)
	at := func(i int) unsafe.Pointer { return unsafe.Pointer(&values[i]) }
	assert.Equal(t, uint32(7), *(*uint32)(at(0)))
	assert.Equal(t, int32(-3), *(*int32)(at(1)))
	assert.Equal(t, uint64(1<<40), *(*uint64)(at(2)))
	assert.Equal(t, int64(-1<<40), *(*int64)(at(3)))
	assert.Equal(t, float32(1.5), *(*float32)(at(4)))
	assert.Equal(t, float64(-2.25), *(*float64)(at(5)))
	assert.Equal(t, uint64(ptr), *(*uint64)(at(6)))

	values, err = packParams(nil)
	require.NoError(t, err)
	assert.Empty(t, values)

	for _, bad := range []struct {
		arg  any
		want string
	}{
		{42, "kernel argument 1: int has no fixed C width"},
		{"x", "kernel argument 1: string is not a kernel parameter type"},
		{[]float32{1}, "kernel argument 1: []float32 is not"},
		{nil, "kernel argument 1: <nil> is not"},
	} {
		_, err := packParams([]any{uint32(1), bad.arg})
		require.Error(t, err)
		assert.Contains(t, err.Error(), bad.want)
	}
}

func TestDim3(t *testing.T) {
	assert.Equal(t, Dim3{7, 1, 1}, Dim3{X: 7}.orOne())
	assert.Equal(t, Dim3{1, 1, 1}, Dim3{}.orOne())
	assert.Equal(t, Dim3{2, 3, 4}, Dim3{2, 3, 4}.orOne())
}

func TestFormats(t *testing.T) {
	assert.Equal(t, "13.0", FormatVersion(13000))
	assert.Equal(t, "12.8", FormatVersion(12080))
	assert.Equal(t, "11.8", FormatVersion(11080))
	assert.Equal(t, "512 bytes", formatBytes(512))
	assert.Equal(t, "17179869184 bytes (16.0 GiB)", formatBytes(16<<30))
	assert.Equal(t, "1536 bytes (1.5 KiB)", formatBytes(1536))
	assert.Equal(t, "1125899906842624 bytes (1.0 PiB)", formatBytes(1<<50))
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(ErrNoDriver, ErrMissingSymbol))
	assert.False(t, errors.Is(ErrOutOfMemory, ErrNoDevice))
	assert.True(t, errors.Is(ErrOutOfMemory, ErrOutOfMemory))
}

// Where a driver library is installed (with or without a GPU), it resolves
// every entry point we bind, and it names every result in knownResults as
// the fallback table does: the table is what users read when the driver
// cannot be asked.
func TestKnownResultsMatchDriver(t *testing.T) {
	d, err := open(LibraryName)
	if err != nil {
		t.Skipf("no driver library to compare with: %v", err)
	}
	t.Logf("%s: CUDA driver %s", LibraryName, FormatVersion(d.version))
	for _, e := range d.entryPoints() {
		assert.NotZero(t, e.proc.addr, e.symbol)
	}
	for code, want := range knownResults {
		name, ok := d.resultString(d.cuGetErrorName, code)
		if assert.True(t, ok, "the driver names %d", code) {
			assert.Equal(t, want.name, name)
		}
		message, ok := d.resultString(d.cuGetErrorString, code)
		if assert.True(t, ok, "the driver describes %d", code) {
			assert.Equal(t, want.message, message, "%d", code)
		}
	}
	_, ok := d.resultString(d.cuGetErrorName, 12345)
	assert.False(t, ok, "the driver does not name a result it does not have")
	assert.Equal(t, "cuMemFree: CUresult(12345)", d.newError("cuMemFree", 12345).Error())
}
