package cuda_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// These tests run on a CUDA device and skip, saying why, where none can be
// used. They share device 0's primary context, retained once; each test
// locks its goroutine to its OS thread and makes the context current there.

var primary struct {
	once sync.Once
	drv  *cuda.Driver
	dev  cuda.Device
	ctx  cuda.Context
	err  error // from Open: no usable GPU, so skip
	fail error // after Open: a real failure

	mapHost error // PrimaryCtxSetFlags(CtxMapHost), which CUDA 13 refuses
}

func TestMain(m *testing.M) {
	code := m.Run()
	if primary.ctx != (cuda.Context{}) {
		if err := primary.dev.PrimaryCtxRelease(); err != nil {
			fmt.Fprintln(os.Stderr, "releasing the primary context:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// onGPU makes device 0's primary context current on the test's thread, or
// skips the test where no GPU can be used.
func onGPU(t *testing.T) cuda.Device {
	t.Helper()
	primary.once.Do(func() {
		if primary.drv, primary.err = cuda.Open(cuda.LibraryName); primary.err != nil {
			return
		}
		if primary.dev, primary.fail = primary.drv.DeviceGet(0); primary.fail != nil {
			return
		}
		// Before the first retain, while the flags may still change, as a
		// program that supports older drivers would; TestMappedHostMemory
		// shows whether mapping works when the driver refuses the flag.
		primary.mapHost = primary.dev.PrimaryCtxSetFlags(cuda.CtxMapHost)
		primary.ctx, primary.fail = primary.dev.PrimaryCtxRetain()
	})
	if primary.err != nil {
		t.Skipf("no usable CUDA GPU here: %v", primary.err)
	}
	require.NoError(t, primary.fail, "opening device 0")
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	require.NoError(t, primary.ctx.SetCurrent())
	return primary.dev
}

func loadAxpy(t *testing.T) cuda.Module {
	t.Helper()
	ptx, err := os.ReadFile("testdata/axpy.ptx")
	require.NoError(t, err)
	mod, err := primary.drv.ModuleLoadData(ptx)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, mod.Unload()) })
	return mod
}

func blocks(n, block int) cuda.Dim3 { return cuda.Dim3{X: uint32((n + block - 1) / block)} }

func TestDevices(t *testing.T) {
	onGPU(t)
	version := primary.drv.Version()
	assert.GreaterOrEqual(t, version, 11080, "PTX ISA 7.8 needs CUDA 11.8 or later")
	n, err := primary.drv.DeviceCount()
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	t.Logf("CUDA driver %s, %d device(s)", cuda.FormatVersion(version), n)
	for i := range n {
		dev, err := primary.drv.DeviceGet(i)
		require.NoError(t, err)
		name, err := dev.Name()
		require.NoError(t, err)
		assert.NotEmpty(t, name)
		attr := func(a cuda.DeviceAttribute) int {
			v, err := dev.Attribute(a)
			require.NoError(t, err, "attribute %d", a)
			return v
		}
		major, minor := attr(cuda.ComputeCapabilityMajor), attr(cuda.ComputeCapabilityMinor)
		sms, clock := attr(cuda.MultiprocessorCount), attr(cuda.ClockRate)
		threads, warp := attr(cuda.MaxThreadsPerBlock), attr(cuda.WarpSize)
		shared, optin := attr(cuda.MaxSharedMemoryPerBlock), attr(cuda.MaxSharedMemoryPerBlockOptin)
		total, err := dev.TotalMem()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, major, 5, "compute capability")
		assert.GreaterOrEqual(t, minor, 0)
		assert.Positive(t, sms)
		assert.Positive(t, clock)
		assert.GreaterOrEqual(t, threads, 512)
		assert.Equal(t, 32, warp)
		assert.GreaterOrEqual(t, optin, shared, "opt-in shared memory is at least the default")
		assert.Equal(t, 1, attr(cuda.CanMapHostMemory))
		assert.Equal(t, 1, attr(cuda.UnifiedAddressing))
		assert.Greater(t, total, uint64(1<<30))
		t.Logf("device %d: %s, compute %d.%d, %d SMs at %d MHz, %d threads/block, %d/%d KiB shared/block, %.1f GiB",
			i, name, major, minor, sms, clock/1000, threads, shared>>10, optin>>10, float64(total)/(1<<30))
	}
	for _, bad := range []int{n, -1} {
		_, err = primary.drv.DeviceGet(bad)
		assert.ErrorIs(t, err, cuda.ErrInvalidDevice)
		assert.Contains(t, err.Error(), fmt.Sprintf("device %d", bad))
	}
	_, err = primary.dev.Attribute(cuda.DeviceAttribute(100000))
	assert.ErrorIs(t, err, cuda.ErrInvalidValue)
}

func TestPrimaryContext(t *testing.T) {
	dev := onGPU(t)
	current, err := primary.drv.CurrentContext()
	require.NoError(t, err)
	assert.NotZero(t, current)
	again, err := dev.PrimaryCtxRetain()
	require.NoError(t, err)
	assert.Equal(t, current, again, "the primary context is one per device")
	assert.NoError(t, dev.PrimaryCtxRelease())
	assert.NoError(t, primary.drv.CtxSynchronize())
}

func TestMemoryRoundTrip(t *testing.T) {
	onGPU(t)
	free, total, err := primary.drv.MemGetInfo()
	require.NoError(t, err)
	assert.Positive(t, free)
	assert.LessOrEqual(t, free, total)

	const n = 1<<20 + 3
	a, err := primary.drv.MemAlloc(n * 4)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(a)) }()
	b, err := primary.drv.MemAlloc(n * 4)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(b)) }()

	// Memset reaches every word.
	require.NoError(t, primary.drv.MemsetD32(a, 0xDEADBEEF, n))
	got := make([]uint32, n)
	require.NoError(t, cuda.CopyFromDevice(primary.drv, got, a))
	assert.Zero(t, countUnequal(got, func(int) uint32 { return 0xDEADBEEF }), "words memset")

	// Host → device → device → host brings every word back.
	pattern := func(i int) uint32 { return uint32(i) * 2654435761 }
	src := make([]uint32, n)
	for i := range src {
		src[i] = pattern(i)
	}
	require.NoError(t, cuda.CopyToDevice(primary.drv, a, src))
	require.NoError(t, primary.drv.MemcpyDtoD(b, a, n*4))
	clear(got)
	require.NoError(t, cuda.CopyFromDevice(primary.drv, got, b))
	assert.Zero(t, countUnequal(got, pattern), "words through HtoD, DtoD, DtoH")

	// The same through a stream.
	s, err := primary.drv.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Destroy()) }()
	// The memset has finished when it returns, though s does not wait for
	// the default stream.
	require.NoError(t, primary.drv.MemsetD32(a, 0, n))
	require.NoError(t, primary.drv.MemcpyDtoDAsync(a, b, n*4, s))
	require.NoError(t, s.Synchronize())
	clear(got)
	require.NoError(t, primary.drv.MemcpyDtoH(unsafe.Pointer(&got[0]), a, n*4))
	assert.Zero(t, countUnequal(got, pattern), "words through DtoDAsync")
}

func countUnequal[T comparable](got []T, want func(int) T) int {
	bad := 0
	for i, v := range got {
		if v != want(i) {
			bad++
		}
	}
	return bad
}

// A hand-written PTX kernel, JIT-compiled and launched on a stream between
// two events, writes every element and nothing past the end.
func TestLaunchSaxpy(t *testing.T) {
	onGPU(t)
	mod := loadAxpy(t)
	saxpy, err := mod.Function("saxpy")
	require.NoError(t, err)
	regs, err := saxpy.Attribute(cuda.FuncNumRegs)
	require.NoError(t, err)
	assert.Positive(t, regs)
	maxThreads, err := saxpy.Attribute(cuda.FuncMaxThreadsPerBlock)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, maxThreads, 256)
	binary, err := saxpy.Attribute(cuda.FuncBinaryVersion)
	require.NoError(t, err)
	t.Logf("saxpy: %d registers, up to %d threads per block, SASS for sm_%d", regs, maxThreads, binary)

	const n, pad, block = 1_000_003, 1000, 256 // n is no multiple of the block
	const a = float32(1.5)
	// Small integers and a = 1.5: every product and sum is exact, so the
	// device's fused multiply-add and the host's arithmetic agree exactly.
	x, y := make([]float32, n), make([]float32, n)
	for i := range n {
		x[i], y[i] = float32(i%4096), float32(i%777)
	}
	dx, err := primary.drv.MemAlloc(n * 4)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(dx)) }()
	dy, err := primary.drv.MemAlloc((n + pad) * 4)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(dy)) }()
	require.NoError(t, cuda.CopyToDevice(primary.drv, dx, x))
	require.NoError(t, cuda.CopyToDevice(primary.drv, dy, y))
	poison := math.Float32bits(float32(math.NaN()))
	require.NoError(t, primary.drv.MemsetD32(dy+n*4, poison, pad))

	s, err := primary.drv.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Destroy()) }()
	start, err := primary.drv.EventCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, start.Destroy()) }()
	end, err := primary.drv.EventCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, end.Destroy()) }()

	// The copies and the memset have finished, though s does not wait for
	// the default stream they ran on.
	require.NoError(t, start.Record(s))
	require.NoError(t, primary.drv.LaunchKernel(saxpy, blocks(n, block), cuda.Dim3{X: block}, 0, s, uint32(n), a, dx, dy))
	require.NoError(t, end.Record(s))
	require.NoError(t, end.Synchronize())
	elapsed, err := primary.drv.EventElapsed(start, end)
	require.NoError(t, err)
	assert.Positive(t, elapsed)
	assert.Less(t, elapsed, time.Second)
	t.Logf("saxpy over %d elements: %v by the events", n, elapsed)

	got := make([]float32, n+pad)
	require.NoError(t, cuda.CopyFromDevice(primary.drv, got, dy))
	assert.Zero(t, countUnequal(got[:n], func(i int) float32 { return a*x[i] + y[i] }), "elements of y = a*x + y")
	tail := make([]uint32, pad)
	for i, v := range got[n:] {
		tail[i] = math.Float32bits(v)
	}
	assert.Zero(t, countUnequal(tail, func(int) uint32 { return poison }), "words past the end")
}

// A float64 parameter and float64 arithmetic, on the default stream.
func TestLaunchDaxpy(t *testing.T) {
	onGPU(t)
	daxpy, err := loadAxpy(t).Function("daxpy")
	require.NoError(t, err)
	const n, block = 4097, 128
	a := 1.0 / 3
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i], y[i] = math.Sqrt(float64(i)), math.Cos(float64(i))
	}
	dx, err := primary.drv.MemAlloc(n * 8)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(dx)) }()
	dy, err := primary.drv.MemAlloc(n * 8)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(dy)) }()
	require.NoError(t, cuda.CopyToDevice(primary.drv, dx, x))
	require.NoError(t, cuda.CopyToDevice(primary.drv, dy, y))
	require.NoError(t, primary.drv.LaunchKernel(daxpy, blocks(n, block), cuda.Dim3{X: block}, 0, cuda.Stream{}, uint32(n), a, dx, dy))
	require.NoError(t, primary.drv.CtxSynchronize())
	got := make([]float64, n)
	require.NoError(t, cuda.CopyFromDevice(primary.drv, got, dy))
	// fma.rn.f64 rounds once, as math.FMA does: the results are identical.
	assert.Zero(t, countUnequal(got, func(i int) float64 { return math.FMA(a, x[i], y[i]) }), "elements")
}

// A kernel reads and writes mapped page-locked host memory directly, as
// -hostmem has it do.
func TestMappedHostMemory(t *testing.T) {
	onGPU(t)
	t.Logf("PrimaryCtxSetFlags(CtxMapHost) before the first retain: %v", primary.mapHost)
	if primary.mapHost != nil {
		var e *cuda.Error
		assert.ErrorAs(t, primary.mapHost, &e, "a refusal is a driver result")
	}
	saxpy, err := loadAxpy(t).Function("saxpy")
	require.NoError(t, err)
	const n, block = 4097, 256
	const a = float32(-2)
	hx, err := primary.drv.MemHostAlloc(n*4, cuda.HostAllocPortable|cuda.HostAllocDeviceMap|cuda.HostAllocWriteCombined)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFreeHost(hx)) }()
	hy, err := primary.drv.MemHostAlloc(n*4, cuda.HostAllocPortable|cuda.HostAllocDeviceMap)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFreeHost(hy)) }()
	x, y := unsafe.Slice((*float32)(hx), n), unsafe.Slice((*float32)(hy), n)
	for i := range n {
		x[i], y[i] = float32(i), float32(3*i+1)
	}
	dx, err := primary.drv.MemHostGetDevicePointer(hx)
	require.NoError(t, err)
	dy, err := primary.drv.MemHostGetDevicePointer(hy)
	require.NoError(t, err)
	require.NoError(t, primary.drv.LaunchKernel(saxpy, blocks(n, block), cuda.Dim3{X: block}, 0, cuda.Stream{}, uint32(n), a, dx, dy))
	require.NoError(t, primary.drv.CtxSynchronize())
	assert.Zero(t, countUnequal(y, func(i int) float32 { return float32(i + 1) }), "elements the kernel wrote to host memory")
}

// Broken PTX fails to load with the JIT compiler's log in the error.
func TestBrokenPTX(t *testing.T) {
	onGPU(t)
	ptx, err := os.ReadFile("testdata/axpy.ptx")
	require.NoError(t, err)
	const good, bad = "fma.rn.f32 \t%f4, %f1, %f2, %f3;", "fma.rn.f32 \t%f4, %f1, %f2, %f_undeclared;"
	require.Contains(t, string(ptx), good)
	_, err = primary.drv.ModuleLoadData([]byte(strings.Replace(string(ptx), good, bad, 1)))
	require.Error(t, err)
	t.Logf("%v", err)
	var jit *cuda.JITError
	require.ErrorAs(t, err, &jit)
	assert.NotEmpty(t, jit.Log)
	assert.Contains(t, err.Error(), jit.Log)
	assert.ErrorIs(t, err, cuda.ErrInvalidPTX)

	for _, empty := range [][]byte{nil, []byte(" \n\x00")} {
		_, err = primary.drv.ModuleLoadData(empty)
		assert.Error(t, err)
	}
	_, err = loadAxpy(t).Function("no_such_kernel")
	assert.ErrorIs(t, err, cuda.ErrNotFound)
	assert.Contains(t, err.Error(), "no_such_kernel")
}

// Asking for more memory than the device has is ErrOutOfMemory, the error
// names the size, and the context goes on working.
func TestOutOfMemory(t *testing.T) {
	dev := onGPU(t)
	total, err := dev.TotalMem()
	require.NoError(t, err)
	ask := 4 * total
	p, err := primary.drv.MemAlloc(ask)
	if err == nil {
		assert.NoError(t, primary.drv.MemFree(p))
	}
	require.Error(t, err)
	t.Logf("%v", err)
	assert.ErrorIs(t, err, cuda.ErrOutOfMemory)
	assert.Contains(t, err.Error(), fmt.Sprint(ask))
	p, err = primary.drv.MemAlloc(1 << 20)
	require.NoError(t, err)
	assert.NoError(t, primary.drv.MemFree(p))
}

// A launch the driver refuses, or arguments we refuse, give errors and
// leave the context usable.
func TestLaunchErrors(t *testing.T) {
	onGPU(t)
	saxpy, err := loadAxpy(t).Function("saxpy")
	require.NoError(t, err)
	err = primary.drv.LaunchKernel(saxpy, cuda.Dim3{X: 1}, cuda.Dim3{X: 1 << 16}, 0, cuda.Stream{},
		uint32(0), float32(1), cuda.DevicePtr(0), cuda.DevicePtr(0))
	var e *cuda.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "cuLaunchKernel", e.Call)
	t.Logf("block of 65536 threads: %v", err)

	err = primary.drv.LaunchKernel(saxpy, cuda.Dim3{X: 1}, cuda.Dim3{X: 32}, 0, cuda.Stream{}, 0, float32(1), cuda.DevicePtr(0), cuda.DevicePtr(0))
	require.Error(t, err)
	assert.False(t, errors.As(err, &e), "refused before the driver is called")
	assert.Contains(t, err.Error(), "int has no fixed C width")
	assert.NoError(t, primary.drv.CtxSynchronize())
}

// Two devices copy between each other's memory (skipped with one device).
func TestPeerCopy(t *testing.T) {
	dev0 := onGPU(t)
	n, err := primary.drv.DeviceCount()
	require.NoError(t, err)
	if n < 2 {
		t.Skipf("%d device here; peer copies need two", n)
	}
	ctx0, err := primary.drv.CurrentContext()
	require.NoError(t, err)
	dev1, err := primary.drv.DeviceGet(1)
	require.NoError(t, err)
	ctx1, err := dev1.PrimaryCtxRetain()
	require.NoError(t, err)
	defer func() { assert.NoError(t, dev1.PrimaryCtxRelease()) }()
	can, err := primary.drv.CanAccessPeer(dev0, dev1)
	require.NoError(t, err)
	t.Logf("device 0 can access device 1: %v", can)
	if can {
		require.NoError(t, primary.drv.EnablePeerAccess(ctx1))
		require.NoError(t, primary.drv.EnablePeerAccess(ctx1), "enabling twice is no error")
	}

	const words = 1 << 20
	pattern := func(i int) uint32 { return uint32(i) ^ 0x5A5A5A5A }
	src := make([]uint32, words)
	for i := range src {
		src[i] = pattern(i)
	}
	from, err := primary.drv.MemAlloc(words * 4)
	require.NoError(t, err)
	defer func() { assert.NoError(t, primary.drv.MemFree(from)) }()
	require.NoError(t, cuda.CopyToDevice(primary.drv, from, src))

	require.NoError(t, ctx1.SetCurrent())
	to, err := primary.drv.MemAlloc(words * 4)
	require.NoError(t, err)
	require.NoError(t, primary.drv.MemsetD32(to, 0, words))
	require.NoError(t, ctx0.SetCurrent())

	s, err := primary.drv.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Destroy()) }()
	require.NoError(t, primary.drv.MemcpyPeerAsync(to, ctx1, from, ctx0, words*4, s))
	require.NoError(t, s.Synchronize())

	require.NoError(t, ctx1.SetCurrent())
	got := make([]uint32, words)
	require.NoError(t, cuda.CopyFromDevice(primary.drv, got, to))
	assert.NoError(t, primary.drv.MemFree(to))
	require.NoError(t, ctx0.SetCurrent())
	assert.Zero(t, countUnequal(got, pattern), "words copied between devices")
}
