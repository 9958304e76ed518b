package nvml_test

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/nvml"
)

// Without NVML there is no telemetry, which is no failure: a caller tells
// that case apart and goes on. (A path that exists nowhere stands in for
// a machine without the library, so that the output is the same
// everywhere; a program opens nvml.LibraryName.)
func ExampleOpen() {
	lib, err := nvml.Open("/nonexistent/libnvidia-ml.so.1")
	switch {
	case errors.Is(err, nvml.ErrNoLibrary):
		fmt.Println("no NVML here, so no telemetry")
		return
	case err != nil:
		fmt.Println("no telemetry:", err)
		return
	}
	defer lib.Close()
	// With a CUDA device's UUID (cuda.Device.UUID):
	//	dev, err := lib.DeviceByCUDAUUID(uuid)
	//	r, err := dev.Read()
	// Output:
	// no NVML here, so no telemetry
}

// A CUDA device's 16-byte UUID, as NVML and nvidia-smi write it: the
// form DeviceByUUID takes.
func ExampleFormatUUID() {
	uuid := [16]byte{0x0b, 0xad, 0xca, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67}
	fmt.Println(nvml.FormatUUID(uuid, false))
	fmt.Println(nvml.FormatUUID(uuid, true))
	// Output:
	// GPU-0badcafe-0123-4567-89ab-cdef01234567
	// MIG-0badcafe-0123-4567-89ab-cdef01234567
}
