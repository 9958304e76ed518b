package cuda

import (
	"fmt"
	"unsafe"
)

// DevicePtr is an address in device memory (a CUdeviceptr). With unified
// addressing it may also be the device's view of mapped host memory.
type DevicePtr uintptr

// MemAlloc allocates bytes of device memory in the current context. When
// the device cannot hold them the error names the size asked for and
// errors.Is ErrOutOfMemory.
func (d *Driver) MemAlloc(bytes uint64) (DevicePtr, error) {
	const call = "cuMemAlloc"
	if err := d.use(call); err != nil {
		return 0, err
	}
	var p uintptr
	if err := d.check(call, d.cuMemAlloc(&p, bytes)); err != nil {
		return 0, fmt.Errorf("allocating %s of device memory: %w", formatBytes(bytes), err)
	}
	return DevicePtr(p), nil
}

// MemFree frees device memory from MemAlloc.
func (d *Driver) MemFree(p DevicePtr) error {
	const call = "cuMemFree"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuMemFree(uintptr(p)))
}

// MemGetInfo returns the free and total memory of the current context's
// device, in bytes.
func (d *Driver) MemGetInfo() (free, total uint64, err error) {
	const call = "cuMemGetInfo"
	if err := d.use(call); err != nil {
		return 0, 0, err
	}
	if err := d.check(call, d.cuMemGetInfo(&free, &total)); err != nil {
		return 0, 0, err
	}
	return free, total, nil
}

// MemsetD32 sets count 32-bit words from p to value (a float32's bits, for
// instance, to poison an output), and returns when they are set.
func (d *Driver) MemsetD32(p DevicePtr, value uint32, count uint64) error {
	const call = "cuMemsetD32"
	if err := d.use(call); err != nil {
		return err
	}
	if err := d.check(call, d.cuMemsetD32(uintptr(p), value, count)); err != nil {
		return err
	}
	return d.finishDefaultStream()
}

// MemcpyHtoD copies bytes from host memory at src to device memory at dst,
// and returns when they have arrived.
func (d *Driver) MemcpyHtoD(dst DevicePtr, src unsafe.Pointer, bytes uint64) error {
	const call = "cuMemcpyHtoD"
	if err := d.use(call); err != nil {
		return err
	}
	if err := d.check(call, d.cuMemcpyHtoD(uintptr(dst), src, bytes)); err != nil {
		return err
	}
	return d.finishDefaultStream()
}

// MemcpyDtoH copies bytes from device memory at src to host memory at dst,
// and returns when they have arrived.
func (d *Driver) MemcpyDtoH(dst unsafe.Pointer, src DevicePtr, bytes uint64) error {
	const call = "cuMemcpyDtoH"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuMemcpyDtoH(dst, uintptr(src), bytes))
}

// MemcpyDtoD copies bytes between two places in device memory, and
// returns when they have been copied.
func (d *Driver) MemcpyDtoD(dst, src DevicePtr, bytes uint64) error {
	const call = "cuMemcpyDtoD"
	if err := d.use(call); err != nil {
		return err
	}
	if err := d.check(call, d.cuMemcpyDtoD(uintptr(dst), uintptr(src), bytes)); err != nil {
		return err
	}
	return d.finishDefaultStream()
}

// finishDefaultStream waits for the default stream. The driver's
// "synchronous" memset, device-to-device copy and copy from pageable host
// memory may return before the device has done them; waiting here makes
// them done on return, so that work on the non-blocking streams that
// StreamCreate makes, which nothing orders with the default stream, sees
// their result.
func (d *Driver) finishDefaultStream() error {
	return d.check("cuStreamSynchronize", d.cuStreamSynchronize(0))
}

// MemcpyDtoDAsync queues a copy between two places in device memory on s.
func (d *Driver) MemcpyDtoDAsync(dst, src DevicePtr, bytes uint64, s Stream) error {
	const call = "cuMemcpyDtoDAsync"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuMemcpyDtoDAsync(uintptr(dst), uintptr(src), bytes, s.stream))
}

// MemcpyPeerAsync queues on s a copy from memory of srcCtx's device to
// memory of dstCtx's device, over NVLink or PCIe where peer access allows,
// through the host otherwise.
func (d *Driver) MemcpyPeerAsync(dst DevicePtr, dstCtx Context, src DevicePtr, srcCtx Context, bytes uint64, s Stream) error {
	const call = "cuMemcpyPeerAsync"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuMemcpyPeerAsync(uintptr(dst), dstCtx.ctx, uintptr(src), srcCtx.ctx, bytes, s.stream))
}

// Element is a type whose values copy between host and device as plain
// bytes: the numbers kernels read and write.
type Element interface {
	~float32 | ~float64 | ~int32 | ~uint32 | ~int64 | ~uint64
}

// CopyToDevice copies all of src to device memory at dst, through d. (A
// function, not a method: methods cannot have type parameters.)
func CopyToDevice[T Element](d *Driver, dst DevicePtr, src []T) error {
	if len(src) == 0 {
		return nil
	}
	return d.MemcpyHtoD(dst, unsafe.Pointer(unsafe.SliceData(src)), uint64(len(src))*uint64(unsafe.Sizeof(src[0])))
}

// CopyFromDevice fills all of dst from device memory at src, through d.
func CopyFromDevice[T Element](d *Driver, dst []T, src DevicePtr) error {
	if len(dst) == 0 {
		return nil
	}
	return d.MemcpyDtoH(unsafe.Pointer(unsafe.SliceData(dst)), src, uint64(len(dst))*uint64(unsafe.Sizeof(dst[0])))
}

// HostAllocFlags choose how MemHostAlloc's page-locked memory is seen.
type HostAllocFlags uint32

// The MemHostAlloc flags (CU_MEMHOSTALLOC_*).
const (
	HostAllocPortable      HostAllocFlags = 0x1 // page-locked for every context, not only the current one
	HostAllocDeviceMap     HostAllocFlags = 0x2 // mapped into the device's address space (MemHostGetDevicePointer)
	HostAllocWriteCombined HostAllocFlags = 0x4 // write-combined: fast for the device to read, slow for the host to read
)

// MemHostAlloc allocates bytes of page-locked host memory, outside the Go
// heap. View it with unsafe.Slice; free it with MemFreeHost.
func (d *Driver) MemHostAlloc(bytes uint64, flags HostAllocFlags) (unsafe.Pointer, error) {
	const call = "cuMemHostAlloc"
	if err := d.use(call); err != nil {
		return nil, err
	}
	var p unsafe.Pointer
	if err := d.check(call, d.cuMemHostAlloc(&p, bytes, uint32(flags))); err != nil {
		return nil, fmt.Errorf("allocating %s of page-locked host memory: %w", formatBytes(bytes), err)
	}
	return p, nil
}

// MemFreeHost frees memory from MemHostAlloc.
func (d *Driver) MemFreeHost(p unsafe.Pointer) error {
	const call = "cuMemFreeHost"
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuMemFreeHost(p))
}

// MemHostGetDevicePointer returns the address at which kernels in the
// current context see mapped host memory from MemHostAlloc with
// HostAllocDeviceMap.
func (d *Driver) MemHostGetDevicePointer(p unsafe.Pointer) (DevicePtr, error) {
	const call = "cuMemHostGetDevicePointer"
	if err := d.use(call); err != nil {
		return 0, err
	}
	var dp uintptr
	if err := d.check(call, d.cuMemHostGetDevicePointer(&dp, p, 0)); err != nil {
		return 0, err
	}
	return DevicePtr(dp), nil
}

// formatBytes writes a size exactly and readably: "17179869184 bytes (16.0 GiB)".
func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	value, prefix := float64(n)/unit, 0
	for value >= unit && prefix < 5 {
		value /= unit
		prefix++
	}
	return fmt.Sprintf("%d bytes (%.1f %ciB)", n, value, "KMGTPE"[prefix])
}
