// Package nvml is the small part of the NVIDIA Management Library that a
// per-GPU validation reports beside its figures, loaded at run time from
// libnvidia-ml.so.1 with purego.
//
// # Loading
//
// Like package cuda it opens its library when the program runs, so that
// binaries build without cgo and start where NVML is absent: Open returns
// a *Library, or says why there is none with an error that wraps
// ErrNoLibrary, ErrMissingSymbol or the Return of nvmlInit; callers go on
// without telemetry. These sentinels are the loader's, shared with
// packages cuda and nccl.
//
// # Devices and readings
//
// Each device's name, UUID, SM clock, temperature, power and its limits,
// throttle reasons, uncorrected ECC errors, PCIe link, NVLink links, row
// remapping, pending retired pages and the processes that use it come from
// Device.Read, one reading at a time. The entry points of the health
// readings (state.go) are optional: where the driver lacks one, its
// reading is absent, never a failure. NVML numbers devices
// its own way, not as CUDA does (CUDA_VISIBLE_DEVICES renumbers CUDA's):
// find a CUDA device's NVML twin by its UUID, with
// Library.DeviceByCUDAUUID. NVML is thread-safe, and so is this package.
package nvml
