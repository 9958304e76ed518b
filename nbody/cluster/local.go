package cluster

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// What a launcher says of the machines it started the processes on: how
// many share this process's machine (Local), which GPUs are this
// process's share of it (Share), and every rank's host, to name a rank
// that never came (RankHosts).

// Local is this process's place among the processes of its machine, as
// its launcher (s.Launcher, after Detect) says: its local rank and how
// many there are (torchrun's LOCAL_RANK and LOCAL_WORLD_SIZE, Open MPI's
// OMPI_COMM_WORLD_LOCAL_RANK and _LOCAL_SIZE, Slurm's SLURM_LOCALID and
// the step's tasks on this node, SLURM_STEP_TASKS_PER_NODE at
// SLURM_NODEID); ok is false where it says neither (a Kubernetes pod, or
// values given as options), and the process counts as alone.
func (s Spec) Local() (rank, size int, ok bool) { return s.LocalFrom(os.LookupEnv) }

// LocalFrom is Local, from the environment that lookup reads.
func (s Spec) LocalFrom(lookup lookupFunc) (rank, size int, ok bool) {
	if !s.HasLocalRank {
		return 0, 1, false
	}
	num := func(name string) (int, bool) {
		v, ok := lookup(name)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, ok && err == nil && n > 0
	}
	switch s.Launcher {
	case "torchrun":
		size, ok = num("LOCAL_WORLD_SIZE")
	case "openmpi":
		size, ok = num("OMPI_COMM_WORLD_LOCAL_SIZE")
	case "slurm":
		if counts, err := taskCounts(lookup); err == nil {
			node, okNode := lookup("SLURM_NODEID")
			i, err := strconv.Atoi(strings.TrimSpace(node))
			if okNode && err == nil && i >= 0 && i < len(counts) {
				size, ok = counts[i], true
			}
		}
		if !ok {
			size, ok = num("SLURM_NTASKS_PER_NODE")
		}
	}
	if !ok || s.LocalRank >= size {
		return 0, 1, false
	}
	return s.LocalRank, size, true
}

// Share is which of the n GPUs this process sees are its own (Local's
// place on its machine, the environment's binding): ShareOf.
func (s Spec) Share(n int) []int { return s.ShareFrom(os.LookupEnv, n) }

// ShareFrom is Share, from the environment that lookup reads. A process
// whose CUDA_VISIBLE_DEVICES is set counts as bound to the GPUs it sees
// (Slurm's --gpus-per-task, a launcher's or a user's own binding); one
// without it sees its machine's GPUs, as every process beside it does.
func (s Spec) ShareFrom(lookup lookupFunc, n int) []int {
	local, size, _ := s.LocalFrom(lookup)
	_, bound := lookup("CUDA_VISIBLE_DEVICES")
	return ShareOf(n, local, size, bound)
}

// ShareOf is which of the n GPUs a process sees are its own, local rank
// rank of size on its machine: GPUs rank, rank+size, rank+2×size, …, so
// that processes that see the same GPUs never validate one at once (a
// GPU shared is a GPU slowed). Where there are fewer GPUs than processes,
// the processes past the last GPU get none, unless bound: a process bound
// to fewer GPUs than its machine has processes sees only its own, and
// takes every one it sees.
func ShareOf(n, rank, size int, bound bool) []int {
	var out []int
	if size <= 1 || (bound && n < size) {
		for i := range n {
			out = append(out, i)
		}
		return out
	}
	for i := rank; i < n; i += size {
		out = append(out, i)
	}
	return out
}

// RankHosts is every rank's host name, by rank, as far as the launcher
// tells, for a rank that never came: Slurm's node list of the step (else
// the job), with its tasks per node in Slurm's block distribution; a
// Kubernetes Indexed Job's pods, named after the job and their index as
// this pod's own host name is. Nil where nothing tells (torchrun, Open
// MPI, options).
func (s Spec) RankHosts() []string {
	host, _ := os.Hostname()
	return s.RankHostsFrom(os.LookupEnv, host)
}

// RankHostsFrom is RankHosts, from the environment that lookup reads and
// this machine's host name.
func (s Spec) RankHostsFrom(lookup lookupFunc, hostname string) []string {
	switch s.Launcher {
	case "slurm":
		return slurmRankHosts(lookup, s.Ranks)
	case "kubernetes":
		// An Indexed Job's pod is named, and its host name is,
		// JOB-INDEX (with subdomain, JOB-INDEX.SERVICE...).
		short, _, _ := strings.Cut(hostname, ".")
		suffix := "-" + strconv.Itoa(s.Rank)
		if !strings.HasSuffix(short, suffix) {
			return nil
		}
		base := strings.TrimSuffix(short, suffix)
		out := make([]string, s.Ranks)
		for r := range out {
			out[r] = base + "-" + strconv.Itoa(r)
		}
		return out
	}
	return nil
}

// slurmRankHosts is every rank's host of a Slurm step of ranks tasks.
func slurmRankHosts(lookup lookupFunc, ranks int) []string {
	list, ok := lookup("SLURM_STEP_NODELIST")
	if !ok || list == "" {
		list, _ = lookup("SLURM_JOB_NODELIST")
	}
	hosts, err := ExpandHosts(list)
	if err != nil {
		return nil
	}
	counts, err := taskCounts(lookup)
	if err != nil || len(counts) != len(hosts) {
		if len(hosts) != ranks {
			return nil // several tasks on some nodes, and no way to say which
		}
		counts = make([]int, len(hosts))
		for i := range counts {
			counts[i] = 1
		}
	}
	var out []string
	for i, h := range hosts {
		for range counts[i] {
			out = append(out, h)
		}
	}
	if len(out) != ranks {
		return nil
	}
	return out
}

// taskCounts reads Slurm's tasks per node, "2(x3),1" being 2, 2, 2 and 1:
// the step's, else the job's.
func taskCounts(lookup lookupFunc) ([]int, error) {
	v, ok := lookup("SLURM_STEP_TASKS_PER_NODE")
	if !ok || v == "" {
		v, ok = lookup("SLURM_TASKS_PER_NODE")
	}
	if !ok || v == "" {
		return nil, fmt.Errorf("no tasks per node")
	}
	var out []int
	for _, part := range strings.Split(v, ",") {
		m := taskCount.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, fmt.Errorf("tasks per node %q: not Slurm's form", v)
		}
		n, _ := strconv.Atoi(m[1])
		times := 1
		if m[2] != "" {
			times, _ = strconv.Atoi(m[2])
		}
		if len(out)+times > maxHosts {
			return nil, fmt.Errorf("tasks per node %q: too many nodes", v)
		}
		for range times {
			out = append(out, n)
		}
	}
	return out, nil
}

var taskCount = regexp.MustCompile(`^(\d+)(?:\(x(\d+)\))?$`)
