// Package nccl is the part of NVIDIA's collective communications library
// (NCCL) that the multi-GPU integrator uses: communicators over the GPUs of
// one process (CommInitAll), or over the GPUs of several processes that
// share a unique id one of them made (GetUniqueID, CommInitRank); grouped
// all-gathers and broadcasts on package cuda's streams; and the abort that
// frees a communicator whose peer is gone. Like package cuda it loads its
// library when the program runs, so that binaries build without NCCL and
// start where it is absent: Load then says why, and callers exchange data
// another way.
package nccl
