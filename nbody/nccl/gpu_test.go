package nccl

import (
	"cmp"
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// onGPUWithNCCL opens the CUDA driver and NCCL (where the launchers'
// environment says, as the command finds it, and with the command's NCCL
// settings), retains device 0's primary context and makes it current on
// the test's locked thread; it skips, saying why, where either is missing.
func onGPUWithNCCL(t *testing.T) (*cuda.Driver, *Library) {
	t.Helper()
	drv, err := cuda.Open(cuda.LibraryName)
	if err != nil {
		t.Skipf("no usable CUDA GPU here: %v", err)
	}
	require.NoError(t, cluster.DefaultNCCLSettings())
	l, err := Open(cmp.Or(cluster.NCCLLibrary(), LibraryName))
	if err != nil {
		t.Skipf("NCCL does not open here (%s=%q): %v", cluster.NCCLLibraryEnv, cluster.NCCLLibrary(), err)
	}
	t.Logf("NCCL %s from %s", FormatVersion(l.Version()), l.Path())
	dev, err := drv.DeviceGet(0)
	require.NoError(t, err)
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	ctx, err := dev.PrimaryCtxRetain()
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, dev.PrimaryCtxRelease()) })
	require.NoError(t, ctx.SetCurrent())
	// NCCL switches the thread's device while it works: make ours current
	// again after each test's NCCL calls with this.
	t.Cleanup(func() { _ = ctx.SetCurrent() })
	return drv, l
}

// One rank: the all-gather of one slice and the broadcast from rank 0
// copy the send buffer into the receive buffer, in and out of place. That
// exercises every entry point and argument the integrator passes.
func TestOneRankGatherAndBroadcast(t *testing.T) {
	drv, l := onGPUWithNCCL(t)
	comms, err := l.CommInitAll([]int{0})
	require.NoError(t, err)
	require.Len(t, comms, 1)
	defer func() { assert.NoError(t, comms[0].Destroy()) }()
	stream, err := drv.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, stream.Destroy()) }()

	const n = 4099 // odd, so no accidental alignment
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i)*0.5 - 7
	}
	bytes := uint64(4 * n)
	send, err := drv.MemAlloc(bytes)
	require.NoError(t, err)
	defer func() { assert.NoError(t, drv.MemFree(send)) }()
	recv, err := drv.MemAlloc(bytes)
	require.NoError(t, err)
	defer func() { assert.NoError(t, drv.MemFree(recv)) }()
	require.NoError(t, cuda.CopyToDevice(drv, send, src))

	check := func(what string, run func() error) {
		require.NoError(t, drv.MemsetD32(recv, 0x7fc00000, n)) // NaN: an unwritten value shows
		require.NoError(t, l.GroupStart(), what)
		require.NoError(t, run(), what)
		require.NoError(t, l.GroupEnd(), what)
		require.NoError(t, stream.Synchronize(), what)
		got := make([]float32, n)
		require.NoError(t, cuda.CopyFromDevice(drv, got, recv), what)
		assert.Equal(t, src, got, what)
	}
	check("all-gather of float32", func() error { return comms[0].AllGather(send, recv, n, Float32, stream) })
	check("all-gather of bytes", func() error { return comms[0].AllGather(send, recv, bytes, Uint8, stream) })
	check("broadcast", func() error { return comms[0].Broadcast(send, recv, n, Float32, 0, stream) })
	// In place: the receive buffer already holds the data.
	require.NoError(t, cuda.CopyToDevice(drv, recv, src))
	require.NoError(t, comms[0].AllGather(recv, recv, bytes, Uint8, stream))
	require.NoError(t, stream.Synchronize())
	got := make([]float32, n)
	require.NoError(t, cuda.CopyFromDevice(drv, got, recv))
	assert.Equal(t, src, got, "in-place all-gather")
}

// A root that is not a rank is NCCL's error, by name.
func TestErrorsByName(t *testing.T) {
	_, l := onGPUWithNCCL(t)
	comms, err := l.CommInitAll([]int{0})
	require.NoError(t, err)
	defer func() { assert.NoError(t, comms[0].Destroy()) }()
	err = comms[0].Broadcast(0, 0, 16, Float32, 5, cuda.Stream{})
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, "ncclBroadcast", e.Call)
	assert.Equal(t, InvalidArgument, e.Result, "%v", err)
	assert.NotEmpty(t, e.Message)
	t.Logf("error: %v", err)
	// Two ranks cannot share a GPU. NCCL 2.28 sets no last-error message
	// for that: the broadcast's must not be repeated as if it were this
	// error's cause.
	_, err = l.CommInitAll([]int{0, 0})
	require.Error(t, err)
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, InvalidUsage, e.Result, "%v", err)
	assert.NotContains(t, err.Error(), "invalid root", "an earlier error's message")
	t.Logf("two ranks on device 0: %v", err)
}

// One rank joined by a unique id, as every process of a multi-process run
// joins (the id passed by value through purego's copy onto the C stack):
// its all-gather copies the slice, and Abort frees it.
func TestCommInitRankOneRank(t *testing.T) {
	drv, l := onGPUWithNCCL(t)
	id, err := l.GetUniqueID()
	require.NoError(t, err)
	assert.NotEqual(t, UniqueID{}, id, "NCCL left the id empty")
	require.NoError(t, l.GroupStart())
	comm, initErr := l.CommInitRank(1, id, 0)
	require.NoError(t, l.GroupEnd())
	require.NoError(t, initErr)
	stream, err := drv.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, stream.Destroy()) }()
	const n = 1031
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i) + 0.25
	}
	buf, err := drv.MemAlloc(4 * n)
	require.NoError(t, err)
	defer func() { assert.NoError(t, drv.MemFree(buf)) }()
	out, err := drv.MemAlloc(4 * n)
	require.NoError(t, err)
	defer func() { assert.NoError(t, drv.MemFree(out)) }()
	require.NoError(t, cuda.CopyToDevice(drv, buf, src))
	require.NoError(t, comm.AllGather(buf, out, 4*n, Uint8, stream))
	require.NoError(t, stream.Synchronize())
	got := make([]float32, n)
	require.NoError(t, cuda.CopyFromDevice(drv, got, out))
	assert.Equal(t, src, got)
	assert.NoError(t, comm.Abort())
}
