package nccl

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// onGPUWithNCCL loads the CUDA driver and NCCL, retains device 0's primary
// context and makes it current on the test's locked thread; it skips,
// saying why, where either is missing.
func onGPUWithNCCL(t *testing.T) {
	t.Helper()
	if err := cuda.Load(); err != nil {
		t.Skipf("no usable CUDA GPU here: %v", err)
	}
	if err := Load(); err != nil {
		t.Skipf("NCCL does not load here (%s=%q): %v", LibraryEnv, os.Getenv(LibraryEnv), err)
	}
	v, err := Version()
	require.NoError(t, err)
	path, _ := Path()
	t.Logf("NCCL %s from %s", FormatVersion(v), path)
	dev, err := cuda.DeviceGet(0)
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
}

// One rank: the all-gather of one slice and the broadcast from rank 0
// copy the send buffer into the receive buffer, in and out of place. That
// exercises every entry point and argument the integrator passes.
func TestOneRankGatherAndBroadcast(t *testing.T) {
	onGPUWithNCCL(t)
	comms, err := CommInitAll([]int{0})
	require.NoError(t, err)
	require.Len(t, comms, 1)
	defer func() { assert.NoError(t, comms[0].Destroy()) }()
	stream, err := cuda.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, stream.Destroy()) }()

	const n = 4099 // odd, so no accidental alignment
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i)*0.5 - 7
	}
	bytes := uint64(4 * n)
	send, err := cuda.MemAlloc(bytes)
	require.NoError(t, err)
	defer func() { assert.NoError(t, cuda.MemFree(send)) }()
	recv, err := cuda.MemAlloc(bytes)
	require.NoError(t, err)
	defer func() { assert.NoError(t, cuda.MemFree(recv)) }()
	require.NoError(t, cuda.CopyToDevice(send, src))

	check := func(what string, run func() error) {
		require.NoError(t, cuda.MemsetD32(recv, 0x7fc00000, n)) // NaN: an unwritten value shows
		require.NoError(t, GroupStart(), what)
		require.NoError(t, run(), what)
		require.NoError(t, GroupEnd(), what)
		require.NoError(t, stream.Synchronize(), what)
		got := make([]float32, n)
		require.NoError(t, cuda.CopyFromDevice(got, recv), what)
		assert.Equal(t, src, got, what)
	}
	check("all-gather of float32", func() error { return AllGather(send, recv, n, Float32, comms[0], stream) })
	check("all-gather of bytes", func() error { return AllGather(send, recv, bytes, Uint8, comms[0], stream) })
	check("broadcast", func() error { return Broadcast(send, recv, n, Float32, 0, comms[0], stream) })
	// In place: the receive buffer already holds the data.
	require.NoError(t, cuda.CopyToDevice(recv, src))
	require.NoError(t, AllGather(recv, recv, bytes, Uint8, comms[0], stream))
	require.NoError(t, stream.Synchronize())
	got := make([]float32, n)
	require.NoError(t, cuda.CopyFromDevice(got, recv))
	assert.Equal(t, src, got, "in-place all-gather")
}

// A root that is not a rank is NCCL's error, by name.
func TestErrorsByName(t *testing.T) {
	onGPUWithNCCL(t)
	comms, err := CommInitAll([]int{0})
	require.NoError(t, err)
	defer func() { assert.NoError(t, comms[0].Destroy()) }()
	err = Broadcast(0, 0, 16, Float32, 5, comms[0], 0)
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
	_, err = CommInitAll([]int{0, 0})
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
	onGPUWithNCCL(t)
	id, err := GetUniqueID()
	require.NoError(t, err)
	assert.NotEqual(t, UniqueID{}, id, "NCCL left the id empty")
	require.NoError(t, GroupStart())
	comm, initErr := CommInitRank(1, id, 0)
	require.NoError(t, GroupEnd())
	require.NoError(t, initErr)
	stream, err := cuda.StreamCreate()
	require.NoError(t, err)
	defer func() { assert.NoError(t, stream.Destroy()) }()
	const n = 1031
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i) + 0.25
	}
	buf, err := cuda.MemAlloc(4 * n)
	require.NoError(t, err)
	defer func() { assert.NoError(t, cuda.MemFree(buf)) }()
	out, err := cuda.MemAlloc(4 * n)
	require.NoError(t, err)
	defer func() { assert.NoError(t, cuda.MemFree(out)) }()
	require.NoError(t, cuda.CopyToDevice(buf, src))
	require.NoError(t, AllGather(buf, out, 4*n, Uint8, comm, stream))
	require.NoError(t, stream.Synchronize())
	got := make([]float32, n)
	require.NoError(t, cuda.CopyFromDevice(got, out))
	assert.Equal(t, src, got)
	assert.NoError(t, comm.Abort())
}
