// Package cuda is the small part of the CUDA driver API that a GPU
// integrator needs (devices, the primary context, memory, PTX modules,
// launches, streams and events), loaded at run time from libcuda.so.1 with
// purego, so that one binary built without cgo or a CUDA toolkit starts on
// every machine and uses a GPU only where an NVIDIA driver is installed.
// Call Load first; it knows nothing about n-body.
package cuda
