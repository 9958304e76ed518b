// Package nccl is the part of NVIDIA's collective communications library
// (NCCL) that the multi-GPU integrator uses, loaded at run time with
// purego.
//
// # Loading
//
// Like package cuda it opens its library when the program runs, so that
// binaries build without NCCL and start where it is absent: Open takes the
// library's path from the caller (LibraryName, as the loader finds it, or
// a path such as pip's nvidia-nccl package installs) and returns a
// *Library, or says why there is none with an error that wraps
// ErrNoLibrary or ErrMissingSymbol; callers exchange data another way.
// These sentinels are the loader's, shared with packages cuda and nvml.
//
// # Settings
//
// NCCL reads its own settings from the environment when it initializes
// (NCCL_SOCKET_IFNAME, NCCL_NVLS_ENABLE, …). This package reads and sets
// none: a program that needs one set sets it before its first
// communicator (cmd/nbody turns NVLink multicast off, through package
// cluster, unless the user said otherwise).
//
// # Communicators
//
// Communicators over the GPUs of one process (CommInitAll), or over the
// GPUs of several processes that share a unique id one of them made
// (GetUniqueID, CommInitRank); grouped all-gathers and broadcasts on
// package cuda's streams; and the abort that frees a communicator whose
// peer is gone.
package nccl
