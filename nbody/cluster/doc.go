// Package cluster places one process of a simulation that runs over several
// processes, on one machine or many, and joins it to the others.
//
// # Placing
//
// Spec decides the process's rank, the number of ranks and the coordinator's
// address, from typed values the command parsed or from the environment that
// a launcher set (torchrun, Slurm, Open MPI, a Kubernetes Indexed Job).
//
// # Joining
//
// Join meets the other processes over TCP, without MPI: rank 0 listens at the
// coordinator's address, gathers every rank's description and hands all of
// them back with an opaque secret (NCCL's unique id). Rank 0 reads the
// greetings of new connections concurrently, so that anyone else who can
// reach its port cannot hold the ranks back. The connections then stay open
// as a liveness channel and carry the few bulk transfers a run needs
// (Broadcast, Gather). A process that cannot take part calls Withdraw in
// place of Join, and the others' Join ends at once, naming it.
//
// The run over the joined processes is package gpu's (gpu.OpenMember), which
// takes a Session as its gpu.Peers and imports nothing of this package.
//
// # Environment
//
// This is the one package below cmd/ that reads the environment: the
// launchers speak through it, and detecting them is this package's job
// (Spec.Detect). So is what the launched processes are handed for NCCL: where
// its library is (NCCLLibrary) and the NCCL settings this program needs where
// the user left them unset (DefaultNCCLSettings). Everything else takes typed
// values.
package cluster
