package nvml_test

import (
	"errors"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// These tests need a real NVML with a driver and a GPU, and skip, saying
// why, where there is none.

var gpuUUID = regexp.MustCompile(`^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// openNVML opens NVML for the test, closing it after, or skips the test
// with the reason.
func openNVML(t *testing.T) *nvml.Library {
	t.Helper()
	lib, err := nvml.Open(nvml.LibraryName)
	if err != nil {
		t.Skipf("NVML does not open here: %v", err)
	}
	t.Cleanup(func() { assert.NoError(t, lib.Close()) })
	return lib
}

// Every GPU is found by index and by its UUID, and reads as a GPU should:
// a data-center GPU supports every reading.
func TestRealDevices(t *testing.T) {
	lib := openNVML(t)
	n, err := lib.DeviceCount()
	require.NoError(t, err)
	require.Positive(t, n, "NVML loads but sees no GPU")
	for i := range n {
		dev, err := lib.DeviceByIndex(i)
		require.NoError(t, err, "device %d", i)
		name, err := dev.Name()
		require.NoError(t, err)
		assert.NotEmpty(t, name)
		uuid, err := dev.UUID()
		require.NoError(t, err)
		assert.Regexp(t, gpuUUID, uuid)

		same, err := lib.DeviceByUUID(uuid)
		require.NoError(t, err)
		sameUUID, err := same.UUID()
		require.NoError(t, err)
		assert.Equal(t, uuid, sameUUID)

		r, err := dev.Read()
		require.NoError(t, err)
		t.Logf("NVML device %d: %+v; throttle reasons: %s", i, r, r.ThrottleReasons)
		assert.Equal(t, name, r.Name)
		assert.Equal(t, uuid, r.UUID)
		if assert.True(t, r.HasSMClock) && assert.True(t, r.HasMaxSMClock) {
			assert.Positive(t, r.SMClockMHz)
			assert.Positive(t, r.MaxSMClockMHz)
			assert.LessOrEqual(t, r.SMClockMHz, r.MaxSMClockMHz+50, "the SM clock above its maximum")
		}
		if assert.True(t, r.HasTemperature) {
			assert.Greater(t, r.TemperatureC, 0)
			assert.Less(t, r.TemperatureC, 120)
		}
		if assert.True(t, r.HasPower) && assert.True(t, r.HasPowerLimit) {
			assert.Positive(t, r.PowerW)
			assert.Positive(t, r.PowerLimitW)
			assert.Less(t, r.PowerW, 2*r.PowerLimitW)
		}
		assert.True(t, r.HasThrottleReasons)
	}

	// An index past the last is InvalidArgument, in NVML's words too.
	_, err = lib.DeviceByIndex(n)
	require.Error(t, err)
	t.Logf("device %d: %v", n, err)
	assert.ErrorIs(t, err, nvml.InvalidArgument)
	var e *nvml.Error
	require.ErrorAs(t, err, &e)
	assert.NotEmpty(t, e.Message, "nvmlErrorString has words for it")

	// A well-formed UUID that no device has is NotFound: DeviceByCUDAUUID
	// counts on it to try a MIG instance next.
	_, err = lib.DeviceByUUID(nvml.FormatUUID([16]byte{}, false))
	t.Logf("a UUID no GPU has: %v", err)
	assert.ErrorIs(t, err, nvml.NotFound)
	_, err = lib.DeviceByCUDAUUID([16]byte{})
	assert.ErrorIs(t, err, nvml.NotFound)
}

// Every CUDA device is found by the UUID the CUDA driver gives, and is the
// same device: NVML writes its UUID from the same bytes, and names it the
// same.
func TestCUDADevicesByUUID(t *testing.T) {
	lib := openNVML(t)
	drv, err := cuda.Open(cuda.LibraryName)
	if err != nil {
		t.Skipf("no usable CUDA GPU here: %v", err)
	}
	n, err := drv.DeviceCount()
	require.NoError(t, err)
	seen := map[string]int{}
	for i := range n {
		cdev, err := drv.DeviceGet(i)
		require.NoError(t, err)
		raw, err := cdev.UUID()
		if errors.Is(err, cuda.ErrMissingSymbol) {
			t.Skipf("the CUDA driver cannot say UUIDs: %v", err)
		}
		require.NoError(t, err)
		cudaName, err := cdev.Name()
		require.NoError(t, err)

		dev, err := lib.DeviceByCUDAUUID(raw)
		require.NoError(t, err, "CUDA device %d", i)
		uuid, err := dev.UUID()
		require.NoError(t, err)
		t.Logf("CUDA device %d (%s) is NVML's %s", i, cudaName, uuid)
		assert.Contains(t, []string{nvml.FormatUUID(raw, false), nvml.FormatUUID(raw, true)}, uuid)
		name, err := dev.Name()
		require.NoError(t, err)
		assert.Equal(t, cudaName, name)
		if j, dup := seen[uuid]; dup {
			t.Errorf("CUDA devices %d and %d are both %s", j, i, uuid)
		}
		seen[uuid] = i
	}
}

// NVML is thread-safe: readings from many goroutines at once all succeed.
func TestConcurrentReads(t *testing.T) {
	lib := openNVML(t)
	dev, err := lib.DeviceByIndex(0)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := dev.Read(); err != nil {
					assert.NoError(t, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Close shuts this Library's NVML down and calls on it then say so; NVML
// counts its initializations, so another Library opened before goes on
// working, and one opened after works too.
func TestCloseAndOpenAgain(t *testing.T) {
	lib := openNVML(t)
	other, err := nvml.Open(nvml.LibraryName)
	require.NoError(t, err)
	require.NoError(t, other.Close())
	_, err = other.DeviceCount()
	assert.ErrorIs(t, err, nvml.ErrClosed)
	require.NoError(t, other.Close(), "Close again does nothing")

	n, err := lib.DeviceCount()
	require.NoError(t, err, "the first Library is still initialized")
	assert.Positive(t, n)
	again := openNVML(t)
	dev, err := again.DeviceByIndex(0)
	require.NoError(t, err)
	_, err = dev.Read()
	assert.NoError(t, err)
}
