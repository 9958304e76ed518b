// Package nccl is the part of NVIDIA's collective communications library
// (NCCL) that the multi-GPU integrator uses: communicators over the GPUs of
// one process, grouped all-gathers and broadcasts on CUDA streams. Like
// package cuda it loads its library (libnccl.so.2) when the program runs,
// with purego, so that binaries build without NCCL and start where it is
// absent: Load then says why, and callers choose another way to exchange
// data.
//
// The library is the one the dynamic loader finds as libnccl.so.2, or the
// file that the environment variable NBODY_NCCL_LIBRARY names (pip's
// nvidia-nccl packages install it inside Python's site-packages, where the
// loader does not look). Load sets NCCL_NVLS_ENABLE=0 in the process
// environment unless it is already set: NVLink multicast (NVLS) must stay
// off on the machines this project runs on.
//
// Nothing here knows about n-body; the pointers and streams are package
// cuda's.
package nccl
