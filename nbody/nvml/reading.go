package nvml

import (
	"fmt"
	"math/bits"
	"strings"
)

// Reading is one device's state at one moment, as Device.Read takes it.
// NVML does not support every reading on every device (not every board
// measures its power, and a MIG instance lacks readings of the whole GPU):
// such a reading is absent, its Has… flag false and its value zero, rather
// than an error.
type Reading struct {
	Name string // product name, e.g. "NVIDIA H200"; "" where NVML does not say
	UUID string // "GPU-…" or "MIG-…" (FormatUUID); "" where NVML does not say

	SMClockMHz    int     // SM clock now
	MaxSMClockMHz int     // highest SM clock the device runs at
	TemperatureC  int     // GPU die temperature, in °C
	PowerW        float64 // board power draw; averaged over the last second on Ampere (except GA100) and later, instantaneous before
	PowerLimitW   float64 // the power limit the driver enforces, all limiters considered

	// ThrottleReasons are why the clocks are where they are now (NVML's
	// clocks event reasons), none when they are as high as they go.
	ThrottleReasons ThrottleReasons

	// ECCUncorrected counts the memory errors ECC detected but could not
	// correct since the driver loaded (NVML's volatile count); absent
	// where ECC is off or not there.
	ECCUncorrected uint64

	// DefaultPowerLimitW is the power limit the device boots with; an
	// enforced limit below it was lowered by someone.
	DefaultPowerLimitW float64
	// PCIe is the device's PCIe link: HasPCIe says Gen and Width are
	// there, HasPCIeMax MaxGen and MaxWidth; GPUMaxGen is 0 where absent.
	PCIe PCIeLink
	// NVLinks are the device's NVLink links that answered (state.go).
	NVLinks NVLinks
	// RowRemapping is the state of the memory's row remapper.
	RowRemapping RowRemapping
	// RetiredPagesPending: memory pages wait for a reset to be retired.
	RetiredPagesPending bool
	// Processes use the device now, compute ones first; HasProcesses is
	// true where either list could be read.
	Processes []Process

	HasSMClock, HasMaxSMClock, HasTemperature, HasPower, HasPowerLimit, HasThrottleReasons, HasECCUncorrected bool

	HasDefaultPowerLimit, HasPCIe, HasPCIeMax, HasNVLinks, HasRowRemapping, HasRetiredPagesPending, HasProcesses bool
}

// NVML's enum values that Read passes.
const (
	clockSM        = 1 // NVML_CLOCK_SM of nvmlClockType_t
	temperatureGPU = 0 // NVML_TEMPERATURE_GPU of nvmlTemperatureSensors_t
	eccUncorrected = 1 // NVML_MEMORY_ERROR_TYPE_UNCORRECTED of nvmlMemoryErrorType_t
	eccVolatile    = 0 // NVML_VOLATILE_ECC of nvmlEccCounterType_t
)

// Read takes a reading of every figure in Reading: one NVML call each,
// one per link number for the NVLink links (36) and two for each list of
// processes. A reading NVML does not support on dev (NotSupported), may
// not give (NoPermission), or lacks the entry point for (an older driver)
// is left absent; any other failure is an error that names the device
// and the call, e.g. GPUIsLost.
func (dev Device) Read() (Reading, error) {
	l := dev.l
	if err := l.use("reading an NVML device"); err != nil {
		return Reading{}, err
	}
	h := dev.handle
	var r Reading
	var name, uuid string
	var clock, maxClock, temperature, power, powerLimit, defaultLimit uint32
	var gen, width, maxGen, maxWidth, gpuMaxGen, corrRows, uncRows, remapPending, remapFailed uint32
	var retiredPending int32
	var hasGen, hasWidth, hasMaxGen, hasMaxWidth, hasGPUMaxGen bool
	var reasons, ecc uint64
	throttleCall, throttle := "nvmlDeviceGetCurrentClocksThrottleReasons", l.throttle
	if l.clocksEvent != nil {
		throttleCall, throttle = "nvmlDeviceGetCurrentClocksEventReasons", l.clocksEvent
	}
	for _, q := range []struct {
		call string
		has  *bool // where to say whether the reading is there; nil for the name and UUID, "" when absent
		run  func() int32
		skip bool // the library lacks the entry point: the reading is absent
	}{
		{"nvmlDeviceGetName", nil, func() (ret int32) { name, ret = text(l.name, dev); return ret }, false},
		{"nvmlDeviceGetUUID", nil, func() (ret int32) { uuid, ret = text(l.uuid, dev); return ret }, false},
		{"nvmlDeviceGetClockInfo", &r.HasSMClock, func() int32 { return l.clock(h, clockSM, &clock) }, false},
		{"nvmlDeviceGetMaxClockInfo", &r.HasMaxSMClock, func() int32 { return l.maxClock(h, clockSM, &maxClock) }, false},
		{"nvmlDeviceGetTemperature", &r.HasTemperature, func() int32 { return l.temperature(h, temperatureGPU, &temperature) }, false},
		{"nvmlDeviceGetPowerUsage", &r.HasPower, func() int32 { return l.power(h, &power) }, false},
		{"nvmlDeviceGetEnforcedPowerLimit", &r.HasPowerLimit, func() int32 { return l.powerLimit(h, &powerLimit) }, false},
		{throttleCall, &r.HasThrottleReasons, func() int32 { return throttle(h, &reasons) }, false},
		{"nvmlDeviceGetTotalEccErrors", &r.HasECCUncorrected, func() int32 { return l.eccErrors(h, eccUncorrected, eccVolatile, &ecc) }, false},
		{"nvmlDeviceGetPowerManagementDefaultLimit", &r.HasDefaultPowerLimit, func() int32 { return l.defaultPowerLimit(h, &defaultLimit) }, l.defaultPowerLimit == nil},
		{"nvmlDeviceGetCurrPcieLinkGeneration", &hasGen, func() int32 { return l.pcieGen(h, &gen) }, l.pcieGen == nil},
		{"nvmlDeviceGetCurrPcieLinkWidth", &hasWidth, func() int32 { return l.pcieWidth(h, &width) }, l.pcieWidth == nil},
		{"nvmlDeviceGetMaxPcieLinkGeneration", &hasMaxGen, func() int32 { return l.pcieMaxGen(h, &maxGen) }, l.pcieMaxGen == nil},
		{"nvmlDeviceGetMaxPcieLinkWidth", &hasMaxWidth, func() int32 { return l.pcieMaxWidth(h, &maxWidth) }, l.pcieMaxWidth == nil},
		{"nvmlDeviceGetGpuMaxPcieLinkGeneration", &hasGPUMaxGen, func() int32 { return l.pcieGPUMaxGen(h, &gpuMaxGen) }, l.pcieGPUMaxGen == nil},
		{"nvmlDeviceGetRemappedRows", &r.HasRowRemapping, func() int32 {
			return l.remappedRows(h, &corrRows, &uncRows, &remapPending, &remapFailed)
		}, l.remappedRows == nil},
		{"nvmlDeviceGetRetiredPagesPendingStatus", &r.HasRetiredPagesPending, func() int32 { return l.retiredPending(h, &retiredPending) }, l.retiredPending == nil},
	} {
		if q.skip {
			continue
		}
		ret := q.run()
		switch {
		case ret == int32(Success):
			if q.has != nil {
				*q.has = true
			}
		case absent(ret):
		default:
			return Reading{}, fmt.Errorf("reading %s: %w", describe(name, uuid), l.newError(q.call, ret))
		}
	}
	if l.nvLinkState != nil {
		links, found, err := l.readNVLinks(h)
		if err != nil {
			return Reading{}, fmt.Errorf("reading %s: %w", describe(name, uuid), err)
		}
		r.NVLinks, r.HasNVLinks = links, found
	}
	for _, list := range []struct {
		call     string
		fn       func(uintptr, *uint32, *processInfo) int32
		graphics bool
	}{
		{"nvmlDeviceGetComputeRunningProcesses", l.computeProcs, false},
		{"nvmlDeviceGetGraphicsRunningProcesses", l.graphicsProcs, true},
	} {
		if list.fn == nil {
			continue
		}
		procs, ok, err := l.readProcesses(list.call, list.fn, h, list.graphics)
		if err != nil {
			return Reading{}, fmt.Errorf("reading %s: %w", describe(name, uuid), err)
		}
		if ok {
			r.Processes, r.HasProcesses = append(r.Processes, procs...), true
		}
	}
	r.Name, r.UUID = name, uuid
	if r.HasSMClock {
		r.SMClockMHz = int(clock)
	}
	if r.HasMaxSMClock {
		r.MaxSMClockMHz = int(maxClock)
	}
	if r.HasTemperature {
		r.TemperatureC = int(temperature)
	}
	if r.HasPower {
		r.PowerW = float64(power) / 1000
	}
	if r.HasPowerLimit {
		r.PowerLimitW = float64(powerLimit) / 1000
	}
	if r.HasThrottleReasons {
		r.ThrottleReasons = ThrottleReasons(reasons)
	}
	if r.HasECCUncorrected {
		r.ECCUncorrected = ecc
	}
	if r.HasDefaultPowerLimit {
		r.DefaultPowerLimitW = float64(defaultLimit) / 1000
	}
	if r.HasPCIe = hasGen && hasWidth; r.HasPCIe {
		r.PCIe.Gen, r.PCIe.Width = int(gen), int(width)
	}
	if r.HasPCIeMax = hasMaxGen && hasMaxWidth; r.HasPCIeMax {
		r.PCIe.MaxGen, r.PCIe.MaxWidth = int(maxGen), int(maxWidth)
	}
	if hasGPUMaxGen {
		r.PCIe.GPUMaxGen = int(gpuMaxGen)
	}
	if r.HasRowRemapping {
		r.RowRemapping = RowRemapping{Correctable: int(corrRows), Uncorrectable: int(uncRows), Pending: remapPending != 0, Failed: remapFailed != 0}
	}
	if r.HasRetiredPagesPending {
		r.RetiredPagesPending = retiredPending == 1 // NVML_FEATURE_ENABLED
	}
	return r, nil
}

// describe names a device in an error by what is known of it.
func describe(name, uuid string) string {
	switch {
	case uuid != "":
		return "NVML device " + uuid
	case name != "":
		return "NVML device " + name
	}
	return "an NVML device"
}

// ThrottleReasons is NVML's bit mask of why the clocks are below their
// maximum (nvmlClocksEventReasons, once named nvmlClocksThrottleReasons).
type ThrottleReasons uint64

// The reasons of nvml.h, named as there without the nvmlClocksEventReason
// prefix; String and Names spell them exactly so.
const (
	ThrottleGPUIdle                   ThrottleReasons = 0x1   // nothing runs, the clocks drop to idle
	ThrottleApplicationsClocksSetting ThrottleReasons = 0x2   // clocks set to application clocks (no longer used)
	ThrottleSWPowerCap                ThrottleReasons = 0x4   // held under the power limit
	ThrottleHWSlowdown                ThrottleReasons = 0x8   // hardware slowdown: too hot, power brake, or power draw too high
	ThrottleSyncBoost                 ThrottleReasons = 0x10  // held to the slowest GPU of a sync boost group
	ThrottleSWThermalSlowdown         ThrottleReasons = 0x20  // held under the maximum operating temperature
	ThrottleHWThermalSlowdown         ThrottleReasons = 0x40  // hardware slowdown: too hot
	ThrottleHWPowerBrakeSlowdown      ThrottleReasons = 0x80  // hardware slowdown: external power brake
	ThrottleDisplayClockSetting       ThrottleReasons = 0x100 // limited by the display clock setting
)

// throttleNames are the names of the bits above, lowest first.
var throttleNames = [...]string{
	"GpuIdle",
	"ApplicationsClocksSetting",
	"SwPowerCap",
	"HwSlowdown",
	"SyncBoost",
	"SwThermalSlowdown",
	"HwThermalSlowdown",
	"HwPowerBrakeSlowdown",
	"DisplayClockSetting",
}

// Names are the reasons set, lowest bit first, each as nvml.h names it
// ("SwPowerCap"); a bit nvml.h does not define reads in hexadecimal
// ("0x200"). None set is no names.
func (t ThrottleReasons) Names() []string {
	var names []string
	for m := uint64(t); m != 0; m &= m - 1 {
		bit := bits.TrailingZeros64(m)
		if bit < len(throttleNames) {
			names = append(names, throttleNames[bit])
		} else {
			names = append(names, fmt.Sprintf("%#x", uint64(1)<<bit))
		}
	}
	return names
}

// String is Names joined by ", ", or "none".
func (t ThrottleReasons) String() string {
	if t == 0 {
		return "none"
	}
	return strings.Join(t.Names(), ", ")
}
