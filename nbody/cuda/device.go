package cuda

import (
	"fmt"
	"unsafe"
)

// DriverVersion returns the version of the loaded driver as it encodes it:
// 1000*major + 10*minor (13000 is CUDA 13.0; FormatVersion writes it so).
func DriverVersion() (int, error) {
	d, err := get("cuDriverGetVersion")
	if err != nil {
		return 0, err
	}
	return d.version, nil
}

// DeviceCount returns the number of CUDA devices the driver sees.
func DeviceCount() (int, error) {
	d, err := get("cuDeviceGetCount")
	if err != nil {
		return 0, err
	}
	var n int32
	if err := d.call(d.cuDeviceGetCount, uintptr(unsafe.Pointer(&n))); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Device is a CUDA device handle (a CUdevice).
type Device int

// DeviceGet returns the device with the given ordinal, 0 to DeviceCount()-1.
// An ordinal out of range gives an error that errors.Is ErrInvalidDevice.
func DeviceGet(ordinal int) (Device, error) {
	d, err := get("cuDeviceGet")
	if err != nil {
		return 0, err
	}
	if ordinal < 0 || ordinal > 1<<30 {
		return 0, fmt.Errorf("device %d: %w", ordinal, d.newError(d.cuDeviceGet.name, ErrInvalidDevice.Code))
	}
	var dev int32
	if err := d.call(d.cuDeviceGet, uintptr(unsafe.Pointer(&dev)), uintptr(ordinal)); err != nil {
		return 0, fmt.Errorf("device %d: %w", ordinal, err)
	}
	return Device(dev), nil
}

// Name returns the device's marketing name, e.g. "NVIDIA H100 80GB HBM3".
func (dev Device) Name() (string, error) {
	d, err := get("cuDeviceGetName")
	if err != nil {
		return "", err
	}
	var buf [256]byte
	if err := d.call(d.cuDeviceGetName, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(dev)); err != nil {
		return "", err
	}
	n := 0
	for n < len(buf) && buf[n] != 0 {
		n++
	}
	return string(buf[:n]), nil
}

// UUID returns the device's 16-byte UUID (a CUuuid), by which other NVIDIA
// libraries, NVML for one, find the same device whatever its CUDA ordinal;
// for a MIG instance it is the instance's own. It needs cuDeviceGetUuid_v2
// (CUDA 11.4, driver 470, and later): an older driver loads, and this call
// fails with an error that wraps ErrMissingSymbol.
func (dev Device) UUID() ([16]byte, error) {
	d, err := get("cuDeviceGetUuid")
	if err != nil {
		return [16]byte{}, err
	}
	return d.deviceUUID(dev)
}

// deviceUUID is UUID on the driver d.
func (d *driver) deviceUUID(dev Device) ([16]byte, error) {
	var uuid [16]byte
	if d.cuDeviceGetUuid.addr == 0 {
		return uuid, fmt.Errorf("device %d UUID: %w: CUDA driver %s lacks %s (CUDA 11.4 and later)",
			int(dev), ErrMissingSymbol, FormatVersion(d.version), d.cuDeviceGetUuid.symbol)
	}
	if err := d.call(d.cuDeviceGetUuid, uintptr(unsafe.Pointer(&uuid)), uintptr(dev)); err != nil {
		return [16]byte{}, fmt.Errorf("device %d: %w", int(dev), err)
	}
	return uuid, nil
}

// DeviceAttribute is a CUdevice_attribute: a property Device.Attribute reads.
type DeviceAttribute int

// The device attributes we read; the values are cuda.h's.
const (
	MaxThreadsPerBlock               DeviceAttribute = 1
	MaxBlockDimX                     DeviceAttribute = 2
	MaxGridDimX                      DeviceAttribute = 5
	MaxSharedMemoryPerBlock          DeviceAttribute = 8
	TotalConstantMemory              DeviceAttribute = 9
	WarpSize                         DeviceAttribute = 10
	MaxRegistersPerBlock             DeviceAttribute = 12
	ClockRate                        DeviceAttribute = 13 // kHz
	MultiprocessorCount              DeviceAttribute = 16
	KernelExecTimeout                DeviceAttribute = 17
	Integrated                       DeviceAttribute = 18
	CanMapHostMemory                 DeviceAttribute = 19
	ComputeMode                      DeviceAttribute = 20
	ConcurrentKernels                DeviceAttribute = 31
	ECCEnabled                       DeviceAttribute = 32
	PCIBusID                         DeviceAttribute = 33
	PCIDeviceID                      DeviceAttribute = 34
	MemoryClockRate                  DeviceAttribute = 36 // kHz
	GlobalMemoryBusWidth             DeviceAttribute = 37 // bits
	L2CacheSize                      DeviceAttribute = 38 // bytes
	MaxThreadsPerMultiprocessor      DeviceAttribute = 39
	AsyncEngineCount                 DeviceAttribute = 40
	UnifiedAddressing                DeviceAttribute = 41
	PCIDomainID                      DeviceAttribute = 50
	ComputeCapabilityMajor           DeviceAttribute = 75
	ComputeCapabilityMinor           DeviceAttribute = 76
	MaxSharedMemoryPerMultiprocessor DeviceAttribute = 81
	MaxRegistersPerMultiprocessor    DeviceAttribute = 82
	ManagedMemory                    DeviceAttribute = 83
	MultiGPUBoard                    DeviceAttribute = 84
	SingleToDoublePrecisionPerfRatio DeviceAttribute = 87
	MaxSharedMemoryPerBlockOptin     DeviceAttribute = 97
)

// Attribute returns one of the device's attributes.
func (dev Device) Attribute(a DeviceAttribute) (int, error) {
	d, err := get("cuDeviceGetAttribute")
	if err != nil {
		return 0, err
	}
	var v int32
	if err := d.call(d.cuDeviceGetAttribute, uintptr(unsafe.Pointer(&v)), uintptr(a), uintptr(dev)); err != nil {
		return 0, fmt.Errorf("device %d attribute %d: %w", int(dev), int(a), err)
	}
	return int(v), nil
}

// TotalMem returns the device's memory in bytes.
func (dev Device) TotalMem() (uint64, error) {
	d, err := get("cuDeviceTotalMem")
	if err != nil {
		return 0, err
	}
	var n uint64
	if err := d.call(d.cuDeviceTotalMem, uintptr(unsafe.Pointer(&n)), uintptr(dev)); err != nil {
		return 0, err
	}
	return n, nil
}

// CanAccessPeer reports whether contexts on dev can address memory on peer
// once peer access is enabled (EnablePeerAccess).
func CanAccessPeer(dev, peer Device) (bool, error) {
	d, err := get("cuDeviceCanAccessPeer")
	if err != nil {
		return false, err
	}
	var can int32
	if err := d.call(d.cuDeviceCanAccessPeer, uintptr(unsafe.Pointer(&can)), uintptr(dev), uintptr(peer)); err != nil {
		return false, fmt.Errorf("devices %d and %d: %w", int(dev), int(peer), err)
	}
	return can != 0, nil
}
