package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// DefaultPort is the coordinator's port where the launcher gives a host
// but no port (Slurm) and the job has no identity. It is not torchrun's
// 29500, which its agent may hold.
const DefaultPort = 29517

// Ports that JobPort derives from a job's identity: from 20000 to 29499,
// below torchrun's 29500, Kubernetes' node ports (30000 to 32767) and
// Linux's ephemeral ports (32768 to 60999), which outgoing connections
// take; DefaultPort is not among them.
const (
	jobPortBase  = 20000
	jobPortRange = 9500
)

// JobPort is the coordinator's port for the job named job, where the
// launcher gives a host but no port: 20000 plus the job's FNV-1a hash
// modulo 9500, the same on every rank of the job (and on every machine
// and every build), different for most pairs of jobs; DefaultPort for a
// job with no identity (""). Two jobs whose ports coincide meet as any
// two jobs on one port do: the second rank 0 finds its port in use, and
// the first turns the other job's ranks away.
func JobPort(job string) int {
	if job == "" {
		return DefaultPort
	}
	h := fnv.New64a()
	_, _ = io.WriteString(h, job)
	return jobPortBase + int(h.Sum64()%jobPortRange)
}

// SecretEnv is the variable that holds the shared secret where no secret
// file is given: launchers pass it on to every process (srun's default
// --export=ALL, mpirun -x NBODY_SECRET, a Kubernetes Secret as an
// environment variable).
const SecretEnv = "NBODY_SECRET"

// maxSecret bounds a secret file: a key, not a document.
const maxSecret = 64 << 10

// maxJob bounds a job's identity, which every greeting carries.
const maxJob = 256

// Spec is a process's place in a simulation over several processes: Ranks
// processes, this one Rank of them (from 0), rank 0 listening at
// Coordinator (host:port). The command sets what it was given with
// SetRanks, SetRank and SetCoordinator; Detect completes the rest from a
// launcher's environment. After Detect, Ranks is 0 or 1 for a process on
// its own.
type Spec struct {
	Ranks, Rank int
	Coordinator string
	// Launcher names where the place came from, after Detect: "options"
	// (all given), "torchrun", "slurm", "openmpi", "kubernetes", or ""
	// for a process on its own.
	Launcher string
	// LocalRank, when HasLocalRank, is the process's rank among those of
	// its machine, as the launcher says (LOCAL_RANK,
	// OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID): launchers that start a
	// process per GPU and leave every GPU visible to each expect it to take
	// the GPU of that index.
	LocalRank    int
	HasLocalRank bool
	// Job is the job's identity, which every rank's greeting carries and
	// rank 0 checks, so that two jobs never mix: as given (SetJob), else,
	// after Detect, the launcher's (see DetectFrom); "" for none.
	Job string
	// PortDerived reports, after Detect, that the coordinator's port is
	// JobPort's choice for the job (the launcher gave a host but no port),
	// so that another job identity would move it.
	PortDerived bool

	key []byte // the shared secret (Key)

	ranksGiven, rankGiven, coordGiven, jobGiven, keyGiven bool
}

// UsageError is a place that is half given or out of range: a mistake
// in how the processes were started, which the command reports as a
// usage error. It names what is missing in words and the launchers'
// variables by name, never the command's flags, which this package does
// not know.
type UsageError struct{ Msg string }

// Error returns the message, which says what is missing.
func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{fmt.Sprintf(format, args...)}
}

// SetRanks sets the number of ranks from its decimal text, as given. Its
// error, as the other setters', says what it wants: the caller, a flag
// set, names the value.
func (s *Spec) SetRanks(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return errors.New("want a number of processes, 1 or more")
	}
	s.Ranks, s.ranksGiven = n, true
	return nil
}

// SetRank sets this process's rank from its decimal text, as given.
func (s *Spec) SetRank(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("want a rank, 0 or more")
	}
	s.Rank, s.rankGiven = n, true
	return nil
}

// SetCoordinator sets rank 0's address, host:port, as given.
func (s *Spec) SetCoordinator(v string) error {
	if err := checkAddress(v); err != nil {
		return err
	}
	s.Coordinator, s.coordGiven = v, true
	return nil
}

// SetJob sets the job's identity, as given; it wins over the launcher's.
// Every rank of a job must be given the same.
func (s *Spec) SetJob(v string) error {
	if err := checkJob(v); err != nil {
		return err
	}
	s.Job, s.jobGiven = v, true
	return nil
}

// checkJob accepts a job identity that fits in a greeting and a line.
func checkJob(v string) error {
	switch {
	case v == "":
		return errors.New("want a job's name or id")
	case len(v) > maxJob:
		return fmt.Errorf("a job identity of %d bytes: want at most %d", len(v), maxJob)
	case strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0:
		return errors.New("want a job identity without spaces or control characters")
	}
	return nil
}

// SetSecretFile reads the shared secret from the file at path, as given:
// its bytes less the white space around them (the newline an editor or
// `openssl rand -hex 32 >file` leaves). It wins over NBODY_SECRET.
func (s *Spec) SetSecretFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecret+1))
	if err != nil {
		return fmt.Errorf("reading the secret: %w", err)
	}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > maxSecret:
		return fmt.Errorf("%s: more than %d KiB: want a secret, such as 32 random bytes in hex", path, maxSecret>>10)
	case len(b) == 0:
		return fmt.Errorf("%s is empty: want a secret, such as 32 random bytes in hex", path)
	}
	s.key, s.keyGiven = b, true
	return nil
}

// Key is the shared secret that proves a greeting is of this job's ranks
// (Config.Key): the secret file's, else NBODY_SECRET's after Detect; nil
// for none. It is never printed.
func (s Spec) Key() []byte { return s.key }

// Multi reports whether the place is one of several processes.
func (s Spec) Multi() bool { return s.Ranks > 1 }

// Detect completes the place from the launcher's environment (os.LookupEnv)
// where the command did not give it; see DetectFrom.
func (s *Spec) Detect() error { return s.DetectFrom(os.LookupEnv) }

// Given reports whether the command gave any of the place's values
// (SetRanks, SetRank or SetCoordinator), rather than none at all.
func (s Spec) Given() bool { return s.ranksGiven || s.rankGiven || s.coordGiven }

// Launch is what a launcher's environment says of the processes it
// started, read without judging it: for a command that runs in one
// process whatever the environment says, and tells its user so.
type Launch struct {
	Launcher string // as Spec.Launcher names it: "torchrun", "openmpi", "slurm" or "kubernetes"
	Rank     string // this process's rank, as the launcher set it
	Ranks    int    // the processes in all; 0 where the launcher says none (Kubernetes)
}

// String says what the launcher started, for a line that ignores it:
// "the Slurm job step's 4 tasks".
func (l Launch) String() string {
	n := ""
	if l.Ranks > 0 {
		n = strconv.Itoa(l.Ranks) + " "
	}
	switch l.Launcher {
	case "kubernetes":
		return fmt.Sprintf("the Kubernetes Indexed Job's completion index %s", l.Rank)
	case "slurm":
		return fmt.Sprintf("the Slurm job step's %stasks", n)
	case "openmpi":
		return fmt.Sprintf("Open MPI's %sprocesses", n)
	}
	return fmt.Sprintf("%s's %sprocesses", l.Launcher, n)
}

// LaunchedBy reads the environment that lookup reads as DetectFrom would
// and reports the launcher that started this process among others, if
// one did: one whose rank variable is set, and that started more than one
// process or does not say how many (a Kubernetes Indexed Job). Values
// that DetectFrom would refuse count as several processes: they are a
// launcher's all the same.
func LaunchedBy(lookup func(string) (string, bool)) (Launch, bool) {
	for _, l := range launchers {
		rank, ok := lookup(l.rank)
		if !ok {
			continue
		}
		launch := Launch{Launcher: l.name, Rank: strings.TrimSpace(rank)}
		if l.ranks == "" {
			return launch, true
		}
		if l.name == "slurm" {
			// The step's tasks, which srun starts, before the job's.
			if v, ok := lookup("SLURM_STEP_NUM_TASKS"); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					launch.Ranks = n
					return launch, n != 1
				}
			}
		}
		v, _ := lookup(l.ranks)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err == nil {
			launch.Ranks = n
		}
		return launch, n != 1
	}
	return Launch{}, false
}

// launcher is one launcher's environment: the variables of the rank and
// of the number of ranks, and how it names the coordinator.
type launcher struct {
	name        string
	rank, ranks string // variables; ranks "" when the launcher sets none
	local       string // the rank within the machine; "" when none
	// coordinator is rank 0's address, and whether its port is JobPort's
	// choice for job.
	coordinator func(env lookupFunc, job string) (string, bool, error)
	job         func(env lookupFunc) string // the job's identity; "" when none
}

type lookupFunc = func(string) (string, bool)

// launchers in the order they are tried: the first whose rank variable
// is set decides. torchrun comes first and Open MPI before Slurm because
// they run inside Slurm allocations, whose variables their processes
// inherit (an mpirun under sbatch sees SLURM_PROCID=0 in every process).
var launchers = []launcher{
	{"torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK", torchrunCoordinator, torchrunJob},
	{"openmpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", nil, openMPIJob},
	{"slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", slurmCoordinator, slurmJob},
	{"kubernetes", "JOB_COMPLETION_INDEX", "", "", nil, kubernetesJob},
}

// DetectFrom completes the place from the environment that lookup reads.
// Values given to the Set methods win, each on its own; the rest come from
// the first launcher whose rank variable is set: torchrun's RANK,
// WORLD_SIZE, MASTER_ADDR and MASTER_PORT; Open MPI's OMPI_COMM_WORLD_RANK
// and OMPI_COMM_WORLD_SIZE (the coordinator must be given); Slurm's
// SLURM_PROCID and SLURM_NTASKS, the coordinator being the first host of
// SLURM_STEP_NODELIST (else SLURM_JOB_NODELIST) at JobPort of the job; a
// Kubernetes Indexed Job's JOB_COMPLETION_INDEX (the number of ranks and
// the coordinator, the first pod's name under a headless Service, must be
// given). Nothing given and no launcher: a process on its own.
//
// The job's identity, where SetJob gave none, is the launcher's: Slurm's
// job and step ids as Slurm writes them, "1234.0" (SLURM_JOB_ID and
// SLURM_STEP_ID; the job's alone outside a step), so that two steps of a
// job never mix either; torchrun's run id (TORCHELASTIC_RUN_ID, its
// --rdzv-id, unless it is torchrun's default "none"); Open MPI's job id
// (OMPI_MCA_ess_base_jobid, which mpirun sets up to Open MPI 4, else
// PMIX_NAMESPACE, Open MPI 5's); a Kubernetes Indexed Job's name, from the
// pod's host name, which the Job controller sets to the job's name, a dash
// and the completion index (HOSTNAME, where it ends in that index; a pod
// template that sets its own hostname gives none). A place whose every
// value was given takes no launcher's identity either. The shared secret,
// where no secret file gave one, is NBODY_SECRET's (empty: none).
//
// A place half given (a rank without the number of ranks, several ranks
// without a coordinator, a launcher's rank variable without its size) or
// out of range is a *UsageError naming what is missing. One rank in all is
// a process on its own, whatever else is set, so that a single-task srun
// or mpirun runs as before.
func (s *Spec) DetectFrom(lookup func(string) (string, bool)) error {
	var from *launcher
	for i := range launchers {
		if _, ok := lookup(launchers[i].rank); ok {
			from = &launchers[i]
			break
		}
	}
	given := s.ranksGiven || s.rankGiven || s.coordGiven
	if s.ranksGiven && s.rankGiven && s.coordGiven {
		from = nil // all given: no launcher has a say
	}
	if from == nil && !given {
		*s = Spec{}
		return nil
	}
	s.Launcher = "options"
	if from != nil {
		if err := s.fill(from, lookup); err != nil {
			return err
		}
	}
	if !s.keyGiven {
		if v, _ := lookup(SecretEnv); strings.TrimSpace(v) != "" {
			s.key = []byte(strings.TrimSpace(v))
		}
	}
	switch {
	case !s.ranksGiven && s.Ranks == 0:
		return usagef("the number of processes is missing: give it%s", besides(from))
	case s.Ranks == 1 && s.Rank == 0:
		return nil // one process in all runs on its own, whatever else is set
	case !s.rankGiven && from == nil:
		return usagef("this process's rank among the %d is missing: give it", s.Ranks)
	case s.Rank >= s.Ranks:
		return usagef("rank %d of %d processes: want a rank from 0 to %d", s.Rank, s.Ranks, s.Ranks-1)
	case s.Ranks == 1:
		return nil
	case s.Coordinator == "":
		return usagef("%d processes need rank 0's address, the coordinator: give it as HOST:PORT%s", s.Ranks, besides(from))
	}
	return nil
}

// fill takes from the launcher's environment what the Set methods did not
// give.
func (s *Spec) fill(l *launcher, lookup lookupFunc) error {
	s.Launcher = l.name
	if v, ok := lookup(l.local); ok && l.local != "" {
		if r, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && r >= 0 {
			s.LocalRank, s.HasLocalRank = r, true
		}
	}
	if !s.rankGiven {
		v, _ := lookup(l.rank)
		r, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || r < 0 {
			return usagef("%s=%q (set by %s): want a rank, 0 or more", l.rank, v, l.name)
		}
		s.Rank = r
	}
	if !s.ranksGiven && l.ranks != "" {
		v, ok := lookup(l.ranks)
		if !ok {
			return usagef("%s is set but not %s: give the number of processes, or start them with %s", l.rank, l.ranks, l.name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return usagef("%s=%q (set by %s): want a number of processes, 1 or more", l.ranks, v, l.name)
		}
		s.Ranks = n
	}
	if !s.jobGiven {
		s.Job = l.job(lookup)
	}
	if !s.coordGiven && l.coordinator != nil && s.Ranks > 1 {
		c, derived, err := l.coordinator(lookup, s.Job)
		if err != nil {
			return err
		}
		s.Coordinator, s.PortDerived = c, derived
	}
	return nil
}

// besides says which launcher's variables were read, for a usage error.
func besides(l *launcher) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf(" (the environment of %s gives only part of it)", l.name)
}

// torchrunCoordinator is MASTER_ADDR:MASTER_PORT, or the port after it
// where torchrun's agent holds MASTER_PORT for its own store
// (TORCHELASTIC_USE_AGENT_STORE=True): rank 0 could not listen there.
func torchrunCoordinator(lookup lookupFunc, _ string) (string, bool, error) {
	host, okH := lookup("MASTER_ADDR")
	port, okP := lookup("MASTER_PORT")
	if !okH || !okP || host == "" {
		return "", false, usagef("RANK and WORLD_SIZE are set but not MASTER_ADDR and MASTER_PORT: give the coordinator as HOST:PORT")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", false, usagef("MASTER_PORT=%q: want a port from 1 to 65535", port)
	}
	if v, _ := lookup("TORCHELASTIC_USE_AGENT_STORE"); strings.EqualFold(v, "true") {
		if p == 65535 {
			return "", false, usagef("MASTER_PORT=65535 is torchrun's store, and no port follows it for rank 0: give the coordinator as HOST:PORT")
		}
		p++
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), false, nil
}

// slurmCoordinator is the first host of the step's (else the job's) node
// list at the job's port (JobPort): with Slurm's block distribution, task
// 0 runs there.
func slurmCoordinator(lookup lookupFunc, job string) (string, bool, error) {
	name := "SLURM_STEP_NODELIST"
	list, ok := lookup(name)
	if !ok || list == "" {
		name = "SLURM_JOB_NODELIST"
		list, ok = lookup(name)
	}
	if !ok || list == "" {
		return "", false, usagef("SLURM_PROCID is set but not SLURM_JOB_NODELIST: give the coordinator as HOST:PORT")
	}
	host, err := FirstHost(list)
	if err != nil {
		return "", false, usagef("%s=%q: %v", name, list, err)
	}
	return net.JoinHostPort(host, strconv.Itoa(JobPort(job))), true, nil
}

// firstOf is the value of the first of names that is set and not blank.
func firstOf(lookup lookupFunc, names ...string) string {
	for _, n := range names {
		if v, _ := lookup(n); strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// slurmJob is "job.step" (SLURM_JOB_ID, SLURM_STEP_ID, or their older
// names), or the job's id alone outside a step.
func slurmJob(lookup lookupFunc) string {
	job := firstOf(lookup, "SLURM_JOB_ID", "SLURM_JOBID")
	step := firstOf(lookup, "SLURM_STEP_ID", "SLURM_STEPID")
	if job != "" && step != "" {
		return job + "." + step
	}
	return job
}

// torchrunJob is torchrun's run id, unless it is its default "none",
// which every run shares.
func torchrunJob(lookup lookupFunc) string {
	if id := firstOf(lookup, "TORCHELASTIC_RUN_ID"); id != "none" {
		return id
	}
	return ""
}

// openMPIJob is mpirun's job id: ORTE's (Open MPI up to 4), else PMIx's
// namespace (Open MPI 5's PRRTE).
func openMPIJob(lookup lookupFunc) string {
	return firstOf(lookup, "OMPI_MCA_ess_base_jobid", "PMIX_NAMESPACE")
}

// kubernetesJob is an Indexed Job's name: the pod's host name, which the
// Job controller sets to "<job name>-<completion index>", less that
// suffix; "" where the host name does not end in it.
func kubernetesJob(lookup lookupFunc) string {
	host := firstOf(lookup, "HOSTNAME")
	index := firstOf(lookup, "JOB_COMPLETION_INDEX")
	if name, ok := strings.CutSuffix(host, "-"+index); ok && index != "" && name != "" {
		return name
	}
	return ""
}

// checkAddress accepts host:port with a host and a port from 1 to 65535.
func checkAddress(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("want HOST:PORT")
	}
	p, err := strconv.Atoi(port)
	switch {
	case host == "":
		return errors.New("want HOST:PORT, with rank 0's host name or address")
	case err != nil || p < 1 || p > 65535:
		return errors.New("want a port from 1 to 65535")
	}
	return nil
}

// errHostList is a node list that is not in Slurm's compressed form.
var errHostList = errors.New("not a Slurm host list")
