// Package nvml is the small part of the NVIDIA Management Library that a
// per-GPU validation reports beside its figures: each device's name, UUID,
// SM clock, temperature, power and active throttle reasons. Like package
// cuda it loads its library (libnvidia-ml.so.1) when the program runs, so
// that binaries build without cgo and start where NVML is absent: Load then
// says why, and callers go on without telemetry.
//
// NVML numbers devices its own way, not as CUDA does (CUDA_VISIBLE_DEVICES
// renumbers CUDA's): find a CUDA device's NVML twin by its UUID, with
// DeviceByCUDAUUID. NVML is thread-safe, and so is this package.
package nvml
