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
// Jobs never mix: every greeting names its job (Spec.Job: the launcher's
// job or run id, or the one given), and rank 0 turns away a rank of
// another job (*RefusedError) while it waits on for its own; where the
// launcher gives a host but no port (Slurm), the port is the job's
// (JobPort). A shared secret (Spec.Key: a file, or NBODY_SECRET) keeps
// strangers out: rank 0 opens every connection with a random challenge,
// the rank answers with an HMAC-SHA256 under the secret of the challenge
// and its whole greeting (with a nonce of its own), and rank 0's welcome
// carries an HMAC of both nonces and the welcome, so that each side
// proves it knows the secret without sending it, and a recorded greeting
// proves nothing on another connection. It authenticates the meeting; it
// does not encrypt what follows.
//
// This is the one package below cmd/ that reads the environment: the
// launchers speak through it, and detecting them is this package's job
// (Spec.Detect). So is what the launched processes are handed for NCCL: where
// its library is (NCCLLibrary) and the NCCL settings this program needs where
// the user left them unset (DefaultNCCLSettings). Everything else takes typed
// values.
package cluster
