package nvml

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every bit nvml.h defines, by value and name.
func TestThrottleReasonBits(t *testing.T) {
	for _, tc := range []struct {
		bit  ThrottleReasons
		val  uint64
		name string
	}{
		{ThrottleGPUIdle, 0x1, "GpuIdle"},
		{ThrottleApplicationsClocksSetting, 0x2, "ApplicationsClocksSetting"},
		{ThrottleSWPowerCap, 0x4, "SwPowerCap"},
		{ThrottleHWSlowdown, 0x8, "HwSlowdown"},
		{ThrottleSyncBoost, 0x10, "SyncBoost"},
		{ThrottleSWThermalSlowdown, 0x20, "SwThermalSlowdown"},
		{ThrottleHWThermalSlowdown, 0x40, "HwThermalSlowdown"},
		{ThrottleHWPowerBrakeSlowdown, 0x80, "HwPowerBrakeSlowdown"},
		{ThrottleDisplayClockSetting, 0x100, "DisplayClockSetting"},
	} {
		assert.Equal(t, tc.val, uint64(tc.bit), tc.name)
		assert.Equal(t, []string{tc.name}, tc.bit.Names())
		assert.Equal(t, tc.name, tc.bit.String())
	}
	assert.Len(t, throttleNames, 9)
}

func TestThrottleReasonNames(t *testing.T) {
	assert.Nil(t, ThrottleReasons(0).Names())
	assert.Equal(t, "none", ThrottleReasons(0).String())
	both := ThrottleHWSlowdown | ThrottleSWPowerCap
	assert.Equal(t, []string{"SwPowerCap", "HwSlowdown"}, both.Names(), "lowest bit first")
	assert.Equal(t, "SwPowerCap, HwSlowdown", both.String())
	// Bits a later NVML may add read as numbers, so nothing is hidden.
	assert.Equal(t, []string{"GpuIdle", "0x200", "0x8000000000000000"}, ThrottleReasons(0x8000_0000_0000_0201).Names())
	all := ThrottleReasons(0x1ff)
	assert.Equal(t, throttleNames[:], all.Names())
}

// A reading of every figure, with NVML's units turned into ours.
func TestRead(t *testing.T) {
	dev, err := newFake().DeviceByIndex(0)
	require.NoError(t, err)
	r, err := dev.Read()
	require.NoError(t, err)
	assert.Equal(t, Reading{
		Name:            fakeName,
		UUID:            fakeUUID,
		SMClockMHz:      1755,
		MaxSMClockMHz:   1980,
		TemperatureC:    41,
		PowerW:          312.345,
		PowerLimitW:     700,
		ThrottleReasons: ThrottleSWPowerCap,
		ECCUncorrected:  2,

		HasSMClock: true, HasMaxSMClock: true, HasTemperature: true, HasPower: true, HasPowerLimit: true, HasThrottleReasons: true,
		HasECCUncorrected: true,
	}, r)
}

// Readings NVML does not support on a device are absent, not errors, and
// hold no stale value.
func TestReadNotSupported(t *testing.T) {
	l := newFake()
	notSupported := func(h uintptr, out *uint32) int32 { *out = 12345; return int32(NotSupported) }
	l.power = notSupported
	l.powerLimit = notSupported
	l.clock = func(h uintptr, c int32, out *uint32) int32 { return int32(NotSupported) }
	l.throttle = func(h uintptr, reasons *uint64) int32 { return int32(NotSupported) }
	l.eccErrors = func(h uintptr, errorType, counterType uint32, count *uint64) int32 { return int32(NotSupported) } // ECC off
	l.uuid = func(h uintptr, buf *byte, n uint32) int32 { return int32(NotSupported) }
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.Equal(t, Reading{
		Name:          fakeName,
		MaxSMClockMHz: 1980, HasMaxSMClock: true,
		TemperatureC: 41, HasTemperature: true,
	}, r)
}

// Any other failure is an error naming the device and the call.
func TestReadFailure(t *testing.T) {
	l := newFake()
	l.temperature = func(h uintptr, sensor int32, c *uint32) int32 { return int32(GPUIsLost) }
	r, err := Device{l, fakeHandle}.Read()
	require.Error(t, err)
	assert.Zero(t, r)
	assert.ErrorIs(t, err, GPUIsLost)
	assert.Equal(t, "reading NVML device "+fakeUUID+": nvmlDeviceGetTemperature: NVML_ERROR_GPU_IS_LOST (fake words for 15)", err.Error())

	// Before the UUID is known, the device is named as far as it is.
	l.uuid = func(h uintptr, buf *byte, n uint32) int32 { return int32(Unknown) }
	_, err = Device{l, fakeHandle}.Read()
	assert.Equal(t, "reading NVML device NVIDIA H200: nvmlDeviceGetUUID: NVML_ERROR_UNKNOWN (fake words for 999)", err.Error())
	l.name = l.uuid
	_, err = Device{l, fakeHandle}.Read()
	assert.Equal(t, "reading an NVML device: nvmlDeviceGetName: NVML_ERROR_UNKNOWN (fake words for 999)", err.Error())

	_, err = Device{newFake(), 0}.Read()
	assert.ErrorIs(t, err, InvalidArgument, "NVML refuses a null handle")
	assert.Equal(t, "reading an NVML device: nvmlDeviceGetName: NVML_ERROR_INVALID_ARGUMENT (fake words for 2)", err.Error())
}

// Where NVML has nvmlDeviceGetCurrentClocksEventReasons, Read asks it
// rather than the deprecated name for the same mask.
func TestReadPrefersClocksEventReasons(t *testing.T) {
	l := newFake()
	l.throttle = func(h uintptr, reasons *uint64) int32 { panic("the deprecated entry point was called") }
	l.clocksEvent = func(h uintptr, reasons *uint64) int32 {
		*reasons = uint64(ThrottleGPUIdle | ThrottleHWThermalSlowdown)
		return int32(Success)
	}
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.True(t, r.HasThrottleReasons)
	assert.Equal(t, "GpuIdle, HwThermalSlowdown", r.ThrottleReasons.String())

	l.clocksEvent = func(h uintptr, reasons *uint64) int32 { return int32(GPUIsLost) }
	_, err = Device{l, fakeHandle}.Read()
	assert.Contains(t, err.Error(), "nvmlDeviceGetCurrentClocksEventReasons: NVML_ERROR_GPU_IS_LOST")
}
