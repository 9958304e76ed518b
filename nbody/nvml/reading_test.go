package nvml

import (
	"encoding/binary"
	"testing"
	"unsafe"

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

		DefaultPowerLimitW: 700,
		PCIe:               PCIeLink{Gen: 5, Width: 16, MaxGen: 5, MaxWidth: 16, GPUMaxGen: 5},
		NVLinks:            NVLinks{Up: []int{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, Down: []int{5}},
		RowRemapping:       RowRemapping{Correctable: 3, Uncorrectable: 1, Pending: true},
		Processes: []Process{
			{PID: 4242, UsedMemory: 1 << 30, HasUsedMemory: true},
			{PID: 777},
		},

		HasSMClock: true, HasMaxSMClock: true, HasTemperature: true, HasPower: true, HasPowerLimit: true, HasThrottleReasons: true,
		HasECCUncorrected: true,

		HasDefaultPowerLimit: true, HasPCIe: true, HasPCIeMax: true, HasNVLinks: true, HasRowRemapping: true, HasProcesses: true,
	}, r)
}

// nvmlProcessInfo_t is, in nvml.h, { unsigned int pid; unsigned long long
// usedGpuMemory; unsigned int gpuInstanceId; unsigned int
// computeInstanceId; }: 24 bytes, the memory at 8. A layout off by a word
// would read every process but the first wrong.
func TestProcessInfoLayout(t *testing.T) {
	var p processInfo
	assert.Equal(t, uintptr(24), unsafe.Sizeof(p))
	assert.Equal(t, uintptr(0), unsafe.Offsetof(p.pid))
	assert.Equal(t, uintptr(8), unsafe.Offsetof(p.usedGpuMemory))
	assert.Equal(t, uintptr(16), unsafe.Offsetof(p.gpuInstanceID))
	assert.Equal(t, uintptr(20), unsafe.Offsetof(p.computeInstanceID))

	// The bytes as C writes them for two processes, read back through the
	// struct: the second starts at byte 24.
	raw := make([]byte, 48)
	binary.LittleEndian.PutUint32(raw[0:], 11)
	binary.LittleEndian.PutUint64(raw[8:], 4096)
	binary.LittleEndian.PutUint32(raw[16:], 0xFFFFFFFF)
	binary.LittleEndian.PutUint32(raw[24:], 22)
	binary.LittleEndian.PutUint64(raw[32:], valueNotAvailable)
	infos := unsafe.Slice((*processInfo)(unsafe.Pointer(&raw[0])), 2)
	if !littleEndian() {
		t.Skip("the bytes above are little-endian")
	}
	assert.Equal(t, uint32(11), infos[0].pid)
	assert.Equal(t, uint64(4096), infos[0].usedGpuMemory)
	assert.Equal(t, uint32(22), infos[1].pid)
	assert.Equal(t, valueNotAvailable, infos[1].usedGpuMemory)
}

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// A list longer than the first guess is read whole: NVML says how long
// it is, and the second call gets room for it.
func TestReadManyProcesses(t *testing.T) {
	l := newFake()
	many := make([]processInfo, 50)
	for i := range many {
		many[i] = processInfo{pid: uint32(1000 + i), usedGpuMemory: uint64(i)}
	}
	l.computeProcs = fakeProcesses(many)
	l.graphicsProcs = fakeProcesses([]processInfo{{pid: 9, usedGpuMemory: 5}})
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	require.Len(t, r.Processes, 51)
	assert.Equal(t, Process{PID: 1049, UsedMemory: 49, HasUsedMemory: true}, r.Processes[49])
	assert.Equal(t, Process{PID: 9, Graphics: true, UsedMemory: 5, HasUsedMemory: true}, r.Processes[50])

	l.computeProcs = func(h uintptr, count *uint32, infos *processInfo) int32 { return int32(NoPermission) }
	l.graphicsProcs = l.computeProcs
	r, err = Device{l, fakeHandle}.Read()
	require.NoError(t, err, "a list we may not read (a MIG instance without privileges) is absent")
	assert.False(t, r.HasProcesses)
	assert.Nil(t, r.Processes)
}

// A GPU without NVLink answers NotSupported for every link: no links, not
// a GPU whose links are down. A link number past the device's is left
// out too, and a lost GPU is an error.
func TestReadNVLinks(t *testing.T) {
	l := newFake()
	l.nvLinkState = func(h uintptr, link uint32, active *int32) int32 { return int32(NotSupported) }
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.False(t, r.HasNVLinks)
	assert.Zero(t, r.NVLinks)

	calls := 0
	l.nvLinkState = func(h uintptr, link uint32, active *int32) int32 {
		calls++
		if link >= 4 {
			return int32(InvalidArgument)
		}
		*active = int32(link % 2)
		return int32(Success)
	}
	r, err = Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.True(t, r.HasNVLinks)
	assert.Equal(t, NVLinks{Up: []int{1, 3}, Down: []int{0, 2}}, r.NVLinks)
	assert.Equal(t, 36, calls, "every link number nvml.h allows, once per reading")

	l.nvLinkState = func(h uintptr, link uint32, active *int32) int32 { return int32(GPUIsLost) }
	_, err = Device{l, fakeHandle}.Read()
	assert.ErrorIs(t, err, GPUIsLost)
	assert.Contains(t, err.Error(), "link 0: nvmlDeviceGetNvLinkState: NVML_ERROR_GPU_IS_LOST")
}

// A PCIe link read while idle, and a library that cannot say the GPU's
// own maximum: each part is there or absent on its own.
func TestReadPCIe(t *testing.T) {
	l := newFake()
	l.pcieGen = func(h uintptr, gen *uint32) int32 { *gen = 3; return int32(Success) }
	l.pcieWidth = func(h uintptr, width *uint32) int32 { *width = 8; return int32(Success) }
	l.pcieGPUMaxGen = nil
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.True(t, r.HasPCIe)
	assert.True(t, r.HasPCIeMax)
	assert.Equal(t, PCIeLink{Gen: 3, Width: 8, MaxGen: 5, MaxWidth: 16}, r.PCIe)

	l.pcieMaxWidth = func(h uintptr, width *uint32) int32 { return int32(NotSupported) }
	r, err = Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.True(t, r.HasPCIe)
	assert.False(t, r.HasPCIeMax, "a maximum without its width is no maximum")
	assert.Equal(t, PCIeLink{Gen: 3, Width: 8}, r.PCIe)
}

// A driver older than every optional entry point gives the readings it
// has, the new ones absent: never a failure.
func TestReadOlderDriver(t *testing.T) {
	l := newFake()
	l.defaultPowerLimit, l.pcieGen, l.pcieWidth, l.pcieMaxGen, l.pcieMaxWidth, l.pcieGPUMaxGen = nil, nil, nil, nil, nil, nil
	l.nvLinkState, l.remappedRows, l.retiredPending, l.computeProcs, l.graphicsProcs = nil, nil, nil, nil, nil
	r, err := Device{l, fakeHandle}.Read()
	require.NoError(t, err)
	assert.True(t, r.HasSMClock)
	assert.False(t, r.HasDefaultPowerLimit || r.HasPCIe || r.HasPCIeMax || r.HasNVLinks || r.HasRowRemapping || r.HasRetiredPagesPending || r.HasProcesses)
	assert.Nil(t, r.Processes)
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
	l.defaultPowerLimit, l.pcieGen, l.pcieWidth, l.pcieMaxGen, l.pcieMaxWidth, l.pcieGPUMaxGen = notSupported, notSupported, notSupported, notSupported, notSupported, notSupported
	l.nvLinkState = func(h uintptr, link uint32, active *int32) int32 { return int32(NotSupported) }
	l.remappedRows = func(h uintptr, corr, unc, pending, failed *uint32) int32 { return int32(NotSupported) }
	l.computeProcs = func(h uintptr, count *uint32, infos *processInfo) int32 { return int32(NotSupported) }
	l.graphicsProcs = l.computeProcs
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
