package cuda

import "fmt"

// DeviceCount returns the number of CUDA devices the driver sees.
func (d *Driver) DeviceCount() (int, error) {
	const call = "cuDeviceGetCount"
	if err := d.use(call); err != nil {
		return 0, err
	}
	var n int32
	if err := d.check(call, d.cuDeviceGetCount(&n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Device is a CUDA device (a CUdevice), with the Driver that found it.
type Device struct {
	d   *Driver
	dev int32
}

// Ordinal returns the device's ordinal, as DeviceGet took it.
func (dev Device) Ordinal() int { return int(dev.dev) }

// DeviceGet returns the device with the given ordinal, 0 to DeviceCount()-1.
// An ordinal out of range gives an error that errors.Is ErrInvalidDevice.
func (d *Driver) DeviceGet(ordinal int) (Device, error) {
	const call = "cuDeviceGet"
	if err := d.use(call); err != nil {
		return Device{}, err
	}
	if ordinal < 0 || ordinal > 1<<30 {
		return Device{}, fmt.Errorf("device %d: %w", ordinal, d.newError(call, ErrInvalidDevice.Code))
	}
	var dev int32
	if err := d.check(call, d.cuDeviceGet(&dev, int32(ordinal))); err != nil {
		return Device{}, fmt.Errorf("device %d: %w", ordinal, err)
	}
	return Device{d, dev}, nil
}

// Name returns the device's marketing name, e.g. "NVIDIA H100 80GB HBM3".
func (dev Device) Name() (string, error) {
	const call = "cuDeviceGetName"
	d := dev.d
	if err := d.use(call); err != nil {
		return "", err
	}
	var buf [256]byte
	if err := d.check(call, d.cuDeviceGetName(&buf[0], int32(len(buf)), dev.dev)); err != nil {
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
// (CUDA 11.4, driver 470, and later): an older driver opens, and this call
// fails with an error that wraps ErrMissingSymbol.
func (dev Device) UUID() ([16]byte, error) {
	const call = "cuDeviceGetUuid"
	d := dev.d
	var uuid [16]byte
	if err := d.use(call); err != nil {
		return uuid, err
	}
	if d.cuDeviceGetUuid == nil {
		return uuid, fmt.Errorf("device %d UUID: CUDA driver %w: CUDA driver %s lacks cuDeviceGetUuid_v2 (CUDA 11.4 and later)",
			dev.dev, ErrMissingSymbol, FormatVersion(d.version))
	}
	if err := d.check(call, d.cuDeviceGetUuid(&uuid, dev.dev)); err != nil {
		return [16]byte{}, fmt.Errorf("device %d: %w", dev.dev, err)
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
	const call = "cuDeviceGetAttribute"
	d := dev.d
	if err := d.use(call); err != nil {
		return 0, err
	}
	var v int32
	if err := d.check(call, d.cuDeviceGetAttribute(&v, int32(a), dev.dev)); err != nil {
		return 0, fmt.Errorf("device %d attribute %d: %w", dev.dev, int(a), err)
	}
	return int(v), nil
}

// TotalMem returns the device's memory in bytes.
func (dev Device) TotalMem() (uint64, error) {
	const call = "cuDeviceTotalMem"
	d := dev.d
	if err := d.use(call); err != nil {
		return 0, err
	}
	var n uint64
	if err := d.check(call, d.cuDeviceTotalMem(&n, dev.dev)); err != nil {
		return 0, err
	}
	return n, nil
}

// CanAccessPeer reports whether contexts on dev can address memory on peer
// once peer access is enabled (EnablePeerAccess).
func (d *Driver) CanAccessPeer(dev, peer Device) (bool, error) {
	const call = "cuDeviceCanAccessPeer"
	if err := d.use(call); err != nil {
		return false, err
	}
	var can int32
	if err := d.check(call, d.cuDeviceCanAccessPeer(&can, dev.dev, peer.dev)); err != nil {
		return false, fmt.Errorf("devices %d and %d: %w", dev.dev, peer.dev, err)
	}
	return can != 0, nil
}
