// Package gpu is the GPU integrator: it steps bodies with the all-pairs
// kernels of package kernels on one or several CUDA devices, in this
// process or over the GPUs of several.
//
// # Devices
//
// The kernels run through the driver API of package cuda, which is loaded
// when the program runs. Several devices split the bodies in proportion to
// their multiprocessors and exchange positions after every step (see
// ExchangeMode). Options are typed values: the package reads no
// environment and knows no command-line flag.
//
// # Several processes
//
// A simulation over several processes is here too (worldrun.go, with
// World in world.go), beside the integrator it extends and the NCCL it
// runs on: the split over every GPU of every process is the one a single
// process makes, the exchange is one NCCL all-gather, and the
// communicator's id is made here (NewWorldID), where NCCL is used. What
// the processes need of one another beyond that (meeting, a liveness
// channel, a few bulk transfers) is the rendezvous's, package cluster;
// this package names it as the small interface Peers and does not import
// it, so that the command's modes hand a joined session over (OpenMember)
// without touching a binding themselves.
package gpu
