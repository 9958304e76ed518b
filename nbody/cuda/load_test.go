package cuda

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// Where no GPU can be used Open says why, the same way every time: no
// driver library (ErrNoLibrary, naming it), or a driver whose cuInit finds
// no device (a machine with the driver's library but no GPU, as a build
// machine with the CUDA toolkit installed is).
func TestOpenWithoutGPU(t *testing.T) {
	d, err := Open(LibraryName)
	if err == nil {
		require.NoError(t, d.Close())
		t.Skip("a CUDA device is usable here; the no-GPU path is tested on machines without one")
	}
	t.Logf("Open: %v", err)
	assert.Nil(t, d)
	var e *Error
	switch {
	case errors.Is(err, ErrNoLibrary):
		assert.True(t, strings.HasPrefix(err.Error(), "CUDA driver library not found: "+LibraryName+": "), err.Error())
	case errors.As(err, &e):
		assert.Equal(t, "cuInit", e.Call)
		assert.Regexp(t, `^initializing CUDA driver \d+\.\d: cuInit: CUDA_ERROR_\w+ \(.+\)$`, err.Error())
	default:
		t.Errorf("Open failed neither for want of the library nor in cuInit: %v", err)
	}
}

// Calls through a zero handle, or on a closed Driver, fail with ErrClosed
// rather than crashing.
func TestCallsNeedAnOpenDriver(t *testing.T) {
	closed := &Driver{path: "libfake-cuda.so.1", version: 13000}
	require.NoError(t, closed.Close())
	require.NoError(t, closed.Close(), "closing twice")
	dev := Device{d: closed}
	calls := map[string]func() error{
		"DeviceCount":   func() error { _, err := closed.DeviceCount(); return err },
		"DeviceGet":     func() error { _, err := closed.DeviceGet(0); return err },
		"Device.Name":   func() error { _, err := dev.Name(); return err },
		"Device.UUID":   func() error { _, err := dev.UUID(); return err },
		"Attribute":     func() error { _, err := dev.Attribute(MultiprocessorCount); return err },
		"TotalMem":      func() error { _, err := dev.TotalMem(); return err },
		"Retain":        func() error { _, err := dev.PrimaryCtxRetain(); return err },
		"zero Device":   func() error { _, err := Device{}.Name(); return err },
		"zero Context":  func() error { return Context{}.SetCurrent() },
		"MemAlloc":      func() error { _, err := closed.MemAlloc(1 << 20); return err },
		"MemHostAlloc":  func() error { _, err := closed.MemHostAlloc(1<<20, HostAllocDeviceMap); return err },
		"CopyToDevice":  func() error { return CopyToDevice(closed, DevicePtr(0), []float32{1, 2}) },
		"ModuleLoad":    func() error { _, err := closed.ModuleLoadData([]byte(".version 7.8")); return err },
		"Launch":        func() error { return closed.LaunchKernel(Function{}, Dim3{X: 1}, Dim3{X: 1}, 0, Stream{}, uint32(1)) },
		"StreamCreate":  func() error { _, err := closed.StreamCreate(); return err },
		"zero Stream":   func() error { return Stream{}.Synchronize() },
		"EventCreate":   func() error { _, err := closed.EventCreate(); return err },
		"zero Event":    func() error { return Event{}.Record(Stream{}) },
		"EventElapsed":  func() error { _, err := closed.EventElapsed(Event{}, Event{}); return err },
		"zero Module":   func() error { _, err := Module{}.Function("f"); return err },
		"zero Function": func() error { _, err := Function{}.Attribute(FuncNumRegs); return err },
		"Synchronize":   closed.CtxSynchronize,
		"nil Driver":    func() error { _, err := (*Driver)(nil).DeviceCount(); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			assert.ErrorIs(t, err, ErrClosed)
		})
	}
	_, err := closed.MemAlloc(1)
	assert.Equal(t, "cuMemAlloc: CUDA driver library not open", err.Error())
	err = Stream{}.Synchronize()
	assert.Equal(t, "cuStreamSynchronize: CUDA driver library not open (a zero handle)", err.Error())
}

// A driver library that is not there is ErrNoLibrary, and the error names
// it as the CLI prints it.
func TestOpenMissingLibrary(t *testing.T) {
	const name = "libnbody-no-such-driver.so.1"
	d, err := Open(name)
	require.Error(t, err)
	assert.Nil(t, d)
	assert.ErrorIs(t, err, ErrNoLibrary)
	assert.NotErrorIs(t, err, ErrMissingSymbol)
	assert.Equal(t, "CUDA driver library not found: "+name+": cannot open shared object file: No such file or directory", err.Error())
}

// A library that opens but is no CUDA driver is refused by name, before
// anything is called in it.
func TestOpenLibraryWithoutCUDA(t *testing.T) {
	_, err := Open("libc.so.6")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	assert.NotErrorIs(t, err, ErrNoLibrary)
	var missing *dynlib.MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, []string{"cuDriverGetVersion"}, missing.Symbols)
	assert.Equal(t, "CUDA driver entry point missing: libc.so.6 has no cuDriverGetVersion: not a CUDA driver library", err.Error())
}

// Every entry point has a func of its own and a symbol, the versioned ones
// are the ones cuda.h maps to, and only the entry points of newer drivers
// are optional.
func TestEntryPoints(t *testing.T) {
	d := &Driver{}
	seen := map[string]bool{}
	funcs := map[any]bool{}
	var optional []string
	for _, s := range d.entryPoints() {
		require.NotEmpty(t, s.Name)
		assert.True(t, strings.HasPrefix(s.Name, "cu"), s.Name)
		assert.False(t, seen[s.Name], "%s listed twice", s.Name)
		seen[s.Name] = true
		assert.False(t, funcs[s.Func], "%s bound to a func already bound", s.Name)
		funcs[s.Func] = true
		if s.Optional {
			optional = append(optional, s.Name)
		}
	}
	assert.Equal(t, []string{"cuDeviceGetUuid_v2"}, optional)
	assert.Len(t, seen, 45)
	for _, s := range []string{"cuMemAlloc_v2", "cuMemFree_v2", "cuMemGetInfo_v2", "cuMemcpyHtoD_v2",
		"cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2", "cuMemcpyDtoDAsync_v2", "cuMemsetD32_v2",
		"cuMemHostGetDevicePointer_v2", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRelease_v2",
		"cuDevicePrimaryCtxSetFlags_v2", "cuStreamDestroy_v2", "cuEventDestroy_v2", "cuEventElapsedTime"} {
		assert.True(t, seen[s], "binds %s", s)
	}
	for _, old := range []string{"cuMemAlloc", "cuCtxCreate", "cuDeviceTotalMem", "cuStreamDestroy"} {
		assert.False(t, seen[old], "binds the first version of %s, which is not what cuda.h calls", old)
	}
}

// A driver without cuDeviceGetUuid_v2 opens; asking for a UUID then says
// what is missing, and from which driver, instead of calling nil.
func TestUUIDWithoutEntryPoint(t *testing.T) {
	d := &Driver{version: 11020}
	uuid, err := Device{d, 3}.UUID()
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
	d := &Driver{path: "libc.so.6"}
	table := d.entryPoints()
	var want []string
	for i, s := range table {
		switch s.Func {
		case any(&d.cuDriverGetVersion):
			table[i].Name = "strlen"
		case any(&d.cuInit):
			table[i].Name = "getpid"
		default:
			if !s.Optional {
				want = append(want, s.Name)
			}
		}
	}
	require.Len(t, want, len(table)-3)

	err = d.resolve(lib, table)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingSymbol)
	var missing *dynlib.MissingSymbolsError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, want, missing.Symbols)
	assert.Equal(t, "CUDA driver entry point missing: libc.so.6 is CUDA driver 0.0 and lacks "+
		strings.Join(want, ", ")+"; a newer NVIDIA driver is needed", err.Error())
	assert.Nil(t, d.cuInit, "a refused driver has no entry points to call")
	assert.Nil(t, d.cuGetErrorName)
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
			var d *Driver // not open: the fallback names
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
	var d *Driver
	assert.NotErrorIs(t, d.newError("cuMemAlloc", 2), d.newError("cuMemHostAlloc", 2))
	assert.ErrorIs(t, d.newError("cuMemAlloc", 2), d.newError("cuMemAlloc", 2))
}

// A JIT failure reads with its log and unwraps to the driver's error.
func TestJITError(t *testing.T) {
	var d *Driver
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
	assert.False(t, errors.Is(ErrNoLibrary, ErrMissingSymbol))
	assert.False(t, errors.Is(ErrNoLibrary, ErrNotFound), "the library's absence is not CUDA_ERROR_NOT_FOUND")
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
	for _, s := range d.entryPoints() {
		if !s.Optional {
			assert.False(t, reflect.ValueOf(s.Func).Elem().IsNil(), s.Name)
		}
	}
	for code, want := range knownResults {
		name, ok := resultString(d.cuGetErrorName, code)
		if assert.True(t, ok, "the driver names %d", code) {
			assert.Equal(t, want.name, name)
		}
		message, ok := resultString(d.cuGetErrorString, code)
		if assert.True(t, ok, "the driver describes %d", code) {
			assert.Equal(t, want.message, message, "%d", code)
		}
	}
	_, ok := resultString(d.cuGetErrorName, 12345)
	assert.False(t, ok, "the driver does not name a result it does not have")
	assert.Equal(t, "cuMemFree: CUresult(12345)", d.newError("cuMemFree", 12345).Error())
}
