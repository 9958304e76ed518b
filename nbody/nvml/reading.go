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

	HasSMClock, HasMaxSMClock, HasTemperature, HasPower, HasPowerLimit, HasThrottleReasons, HasECCUncorrected bool
}

// NVML's enum values that Read passes.
const (
	clockSM        = 1 // NVML_CLOCK_SM of nvmlClockType_t
	temperatureGPU = 0 // NVML_TEMPERATURE_GPU of nvmlTemperatureSensors_t
	eccUncorrected = 1 // NVML_MEMORY_ERROR_TYPE_UNCORRECTED of nvmlMemoryErrorType_t
	eccVolatile    = 0 // NVML_VOLATILE_ECC of nvmlEccCounterType_t
)

// Read takes a reading of every figure in Reading, one NVML call each.
// A reading NVML does not support on dev (NotSupported) is left absent;
// any other failure is an error that names the device and the call, e.g.
// GPUIsLost.
func (dev Device) Read() (Reading, error) {
	l := dev.l
	if err := l.use("reading an NVML device"); err != nil {
		return Reading{}, err
	}
	h := dev.handle
	var r Reading
	var name, uuid string
	var clock, maxClock, temperature, power, powerLimit uint32
	var reasons, ecc uint64
	throttleCall, throttle := "nvmlDeviceGetCurrentClocksThrottleReasons", l.throttle
	if l.clocksEvent != nil {
		throttleCall, throttle = "nvmlDeviceGetCurrentClocksEventReasons", l.clocksEvent
	}
	for _, q := range []struct {
		call string
		has  *bool // where to say whether the reading is there; nil for the name and UUID, "" when absent
		run  func() int32
	}{
		{"nvmlDeviceGetName", nil, func() (ret int32) { name, ret = text(l.name, dev); return ret }},
		{"nvmlDeviceGetUUID", nil, func() (ret int32) { uuid, ret = text(l.uuid, dev); return ret }},
		{"nvmlDeviceGetClockInfo", &r.HasSMClock, func() int32 { return l.clock(h, clockSM, &clock) }},
		{"nvmlDeviceGetMaxClockInfo", &r.HasMaxSMClock, func() int32 { return l.maxClock(h, clockSM, &maxClock) }},
		{"nvmlDeviceGetTemperature", &r.HasTemperature, func() int32 { return l.temperature(h, temperatureGPU, &temperature) }},
		{"nvmlDeviceGetPowerUsage", &r.HasPower, func() int32 { return l.power(h, &power) }},
		{"nvmlDeviceGetEnforcedPowerLimit", &r.HasPowerLimit, func() int32 { return l.powerLimit(h, &powerLimit) }},
		{throttleCall, &r.HasThrottleReasons, func() int32 { return throttle(h, &reasons) }},
		{"nvmlDeviceGetTotalEccErrors", &r.HasECCUncorrected, func() int32 { return l.eccErrors(h, eccUncorrected, eccVolatile, &ecc) }},
	} {
		ret := q.run()
		switch Return(ret) {
		case Success:
			if q.has != nil {
				*q.has = true
			}
		case NotSupported:
		default:
			return Reading{}, fmt.Errorf("reading %s: %w", describe(name, uuid), l.newError(q.call, ret))
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
