package nvml

import (
	"math"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// NVML's UUIDs are the 16 bytes in order, in lower-case hexadecimal,
// grouped 8-4-4-4-12 after "GPU-" or "MIG-".
func TestFormatUUID(t *testing.T) {
	assert.Equal(t, fakeUUID, FormatUUID(fakeUUIDBytes, false))
	assert.Equal(t, "MIG-0badcafe-0123-4567-89ab-cdef01234567", FormatUUID(fakeUUIDBytes, true))
	assert.Equal(t, "GPU-00000000-0000-0000-0000-000000000000", FormatUUID([16]byte{}, false))
	var ff [16]byte
	for i := range ff {
		ff[i] = 0xff
	}
	assert.Equal(t, "MIG-ffffffff-ffff-ffff-ffff-ffffffffffff", FormatUUID(ff, true))
	var counting [16]byte
	for i := range counting {
		counting[i] = byte(i)
	}
	s := FormatUUID(counting, false)
	assert.Equal(t, "GPU-00010203-0405-0607-0809-0a0b0c0d0e0f", s)
	assert.Len(t, s, 40, "NVML_DEVICE_UUID_ASCII_LEN is 41, the NUL included")
	assert.Regexp(t, regexp.MustCompile(`^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`), s)
}

func TestCString(t *testing.T) {
	assert.Equal(t, "NVIDIA H200", cString([]byte("NVIDIA H200\x00\x00garbage")))
	assert.Equal(t, "", cString(make([]byte, 8)))
	assert.Equal(t, "abc", cString([]byte("abc")), "no NUL: the whole buffer")
}

// Devices are found by index, by UUID, and by the CUDA driver's UUID
// bytes, which are tried as a GPU's and then as a MIG instance's.
func TestDeviceLookups(t *testing.T) {
	l := newFake()
	n, err := l.DeviceCount()
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	dev, err := l.DeviceByIndex(0)
	require.NoError(t, err)
	assert.Equal(t, Device{l, fakeHandle}, dev)
	name, err := dev.Name()
	require.NoError(t, err)
	assert.Equal(t, fakeName, name)
	uuid, err := dev.UUID()
	require.NoError(t, err)
	assert.Equal(t, fakeUUID, uuid)

	dev, err = l.DeviceByUUID(fakeUUID)
	require.NoError(t, err)
	assert.Equal(t, Device{l, fakeHandle}, dev)
	dev, err = l.DeviceByCUDAUUID(fakeUUIDBytes)
	require.NoError(t, err)
	assert.Equal(t, Device{l, fakeHandle}, dev)

	// A MIG instance: NVML knows its UUID only as "MIG-…".
	var asked []string
	l.byUUID = func(uuid string, h *uintptr) int32 {
		asked = append(asked, uuid)
		if uuid != "MIG-0badcafe-0123-4567-89ab-cdef01234567" {
			return int32(NotFound)
		}
		*h = fakeHandle + 1
		return int32(Success)
	}
	dev, err = l.DeviceByCUDAUUID(fakeUUIDBytes)
	require.NoError(t, err)
	assert.Equal(t, Device{l, fakeHandle + 1}, dev)
	assert.Equal(t, []string{fakeUUID, "MIG-0badcafe-0123-4567-89ab-cdef01234567"}, asked)

	// No such device at all; and an error other than NotFound is not
	// tried again.
	asked = nil
	_, err = l.DeviceByCUDAUUID([16]byte{1})
	assert.ErrorIs(t, err, NotFound)
	assert.Equal(t, "NVML device MIG-01000000-0000-0000-0000-000000000000: nvmlDeviceGetHandleByUUID: NVML_ERROR_NOT_FOUND (fake words for 6)", err.Error())
	assert.Len(t, asked, 2)
	asked = nil
	l.byUUID = func(uuid string, h *uintptr) int32 { asked = append(asked, uuid); return int32(GPUIsLost) }
	_, err = l.DeviceByCUDAUUID(fakeUUIDBytes)
	assert.ErrorIs(t, err, GPUIsLost)
	assert.Equal(t, []string{fakeUUID}, asked)
}

// An index NVML has no device for, or one that does not fit its unsigned
// int, is InvalidArgument, naming the index.
func TestDeviceByIndexOutOfRange(t *testing.T) {
	l := newFake()
	tooBig := uint64(math.MaxUint32) + 1
	for _, i := range []int{1, -1, int(tooBig)} {
		_, err := l.DeviceByIndex(i)
		require.Error(t, err, "%d", i)
		assert.ErrorIs(t, err, InvalidArgument, "%d", i)
		assert.Contains(t, err.Error(), "nvmlDeviceGetHandleByIndex: NVML_ERROR_INVALID_ARGUMENT", "%d", i)
	}
	_, err := l.DeviceByIndex(-1)
	assert.Equal(t, "NVML device -1: nvmlDeviceGetHandleByIndex: NVML_ERROR_INVALID_ARGUMENT", err.Error())

	_, err = Device{l, 0}.Name()
	assert.ErrorIs(t, err, InvalidArgument, "NVML refuses a null handle")
	_, err = Device{}.Name()
	assert.ErrorIs(t, err, ErrClosed, "the zero Device has no Library")
	assert.Equal(t, "nvmlDeviceGetName: NVML library not open (a zero Device)", err.Error())
}
