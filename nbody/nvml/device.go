package nvml

import (
	"errors"
	"fmt"
	"math"
)

// Device is an NVML device handle (an nvmlDevice_t), with its Library: a
// GPU, or a MIG instance when found by a "MIG-…" UUID. The zero Device is
// none, and has no Library to call.
type Device struct {
	l      *Library
	handle uintptr
}

// DeviceCount returns the number of GPUs NVML sees, those it may not talk
// to included (DeviceByIndex then fails with NoPermission).
func (l *Library) DeviceCount() (int, error) {
	const call = "nvmlDeviceGetCount"
	if err := l.use(call); err != nil {
		return 0, err
	}
	var n uint32
	if err := l.check(call, l.deviceCount(&n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

// DeviceByIndex returns the GPU with NVML's index i, 0 to DeviceCount()-1.
// NVML's indices are not CUDA's ordinals: use DeviceByCUDAUUID for a
// CUDA device.
func (l *Library) DeviceByIndex(i int) (Device, error) {
	const call = "nvmlDeviceGetHandleByIndex"
	if err := l.use(call); err != nil {
		return Device{}, err
	}
	if i < 0 || uint64(i) > math.MaxUint32 {
		return Device{}, fmt.Errorf("NVML device %d: %w", i, &Error{Call: call, Return: InvalidArgument})
	}
	var h uintptr
	if err := l.check(call, l.byIndex(uint32(i), &h)); err != nil {
		return Device{}, fmt.Errorf("NVML device %d: %w", i, err)
	}
	return Device{l, h}, nil
}

// DeviceByUUID returns the GPU or MIG instance whose UUID is uuid, as
// NVML writes it ("GPU-…" or "MIG-…", see FormatUUID). A UUID no device
// has is an error that errors.Is NotFound.
func (l *Library) DeviceByUUID(uuid string) (Device, error) {
	const call = "nvmlDeviceGetHandleByUUID"
	if err := l.use(call); err != nil {
		return Device{}, err
	}
	var h uintptr
	if err := l.check(call, l.byUUID(uuid, &h)); err != nil {
		return Device{}, fmt.Errorf("NVML device %s: %w", uuid, err)
	}
	return Device{l, h}, nil
}

// DeviceByCUDAUUID returns the device whose UUID is the CUDA driver's
// (cuda.Device.UUID). The 16 bytes do not say whether they are a GPU's or
// a MIG instance's, so it looks for the GPU, then for the MIG instance.
func (l *Library) DeviceByCUDAUUID(uuid [16]byte) (Device, error) {
	dev, err := l.DeviceByUUID(FormatUUID(uuid, false))
	if errors.Is(err, NotFound) {
		dev, err = l.DeviceByUUID(FormatUUID(uuid, true))
	}
	return dev, err
}

// FormatUUID writes a device's 16-byte UUID as NVML and nvidia-smi do:
// "GPU-" (or "MIG-" for a MIG instance) and the bytes in hexadecimal in
// the 8-4-4-4-12 grouping, e.g. "GPU-01234567-89ab-cdef-0123-456789abcdef".
func FormatUUID(uuid [16]byte, mig bool) string {
	prefix := "GPU"
	if mig {
		prefix = "MIG"
	}
	return fmt.Sprintf("%s-%x-%x-%x-%x-%x", prefix, uuid[0:4], uuid[4:6], uuid[6:8], uuid[8:10], uuid[10:16])
}

// Name returns the device's product name, e.g. "NVIDIA H200".
func (dev Device) Name() (string, error) {
	const call = "nvmlDeviceGetName"
	l := dev.l
	if err := l.use(call); err != nil {
		return "", err
	}
	name, r := text(l.name, dev)
	return name, l.check(call, r)
}

// UUID returns the device's UUID as NVML writes it, e.g.
// "GPU-01234567-89ab-cdef-0123-456789abcdef" (FormatUUID).
func (dev Device) UUID() (string, error) {
	const call = "nvmlDeviceGetUUID"
	l := dev.l
	if err := l.use(call); err != nil {
		return "", err
	}
	uuid, r := text(l.uuid, dev)
	return uuid, l.check(call, r)
}

// textBufferSize is large enough for nvmlDeviceGetName's and
// nvmlDeviceGetUUID's strings and their NUL: nvml.h's
// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE.
const textBufferSize = 96

// text calls query, nvmlDeviceGetName or nvmlDeviceGetUUID, for dev and
// returns the string it wrote ("" when it failed) and its result.
func text(query func(device uintptr, buf *byte, length uint32) int32, dev Device) (string, int32) {
	var buf [textBufferSize]byte
	if r := query(dev.handle, &buf[0], uint32(len(buf))); r != int32(Success) {
		return "", r
	}
	return cString(buf[:]), int32(Success)
}

// cString is the text of buf up to its first NUL.
func cString(buf []byte) string {
	for i, b := range buf {
		if b == 0 {
			return string(buf[:i])
		}
	}
	return string(buf)
}
