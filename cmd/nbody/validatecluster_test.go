package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rank of a loopback cluster: the test binary as nbody with fake GPUs
// (fakegpu_test.go), its environment and arguments.
type fakeRank struct {
	host, gpus, fault string
	env               []string
	args              []string
	skip              bool // never started: a rank that never connects
}

// runFakeCluster starts every rank at once and waits for all of them, each
// within limit; it returns their results in rank order and how long the
// slowest took.
func runFakeCluster(t *testing.T, limit time.Duration, ranks []fakeRank) ([]result, time.Duration) {
	t.Helper()
	out := make([]result, len(ranks))
	var wg sync.WaitGroup
	start := time.Now()
	for r, fr := range ranks {
		if fr.skip {
			out[r].code = -1
			continue
		}
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], fr.args...)
			cmd.Env = append(os.Environ(), asNbody+"=1", fakeGPUsEnv+"="+fr.gpus, fakeFaultEnv+"="+fr.fault, fakeHostEnv+"="+fr.host)
			cmd.Env = append(cmd.Env, fr.env...)
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			require.NoError(t, cmd.Start())
			killed := killAfter(cmd, limit)
			err := cmd.Wait()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			}
			assert.False(t, killed(), "rank %d had to be killed after %s: it waited forever; stderr %q", r, limit, e.String())
			out[r] = result{o.String(), e.String(), code}
		})
	}
	wg.Wait()
	return out, time.Since(start)
}

// loopback is a free loopback address for rank 0.
func loopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// lineWith is the one line of s that holds every one of parts, or "".
func lineWith(s string, parts ...string) string {
next:
	for _, l := range strings.Split(s, "\n") {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		return l
	}
	return ""
}

// Three processes with GPUs of two models: rank 0 prints one report and
// one JSON document for all; every GPU is held to those of its model on
// every node, so that rank 2's one H100, at half the others' rate, fails
// there though it is the only H100 of its machine, and the A100s, slower
// than the H100s but all alike, pass. Every rank's exit status and
// termination log are its own verdict, rank 0's the cluster's too.
func TestClusterValidationJudgesEachModelAcrossNodes(t *testing.T) {
	addr, dir := loopback(t), t.TempDir()
	args := func(r int, more ...string) []string {
		return append([]string{"-alldevices", "-numbodies=256", "-duration=2s", "-node-timeout=8s", "-ranks=3",
			fmt.Sprintf("-rank=%d", r), "-coordinator=" + addr, "-termination-log=" + filepath.Join(dir, fmt.Sprint(r))}, more...)
	}
	rs, took := runFakeCluster(t, 40*time.Second, []fakeRank{
		{host: "node-a", gpus: "Fake H100:4,Fake H100:4", args: args(0, "-json")},
		{host: "node-b", gpus: "Fake H100:4,Fake A100:10", args: args(1)},
		{host: "node-c", gpus: "Fake A100:10,Fake H100:8", args: args(2)},
	})
	assert.Less(t, took, 20*time.Second)
	assert.Equal(t, []int{1, 0, 1}, []int{rs[0].code, rs[1].code, rs[2].code}, "exit statuses; stderr %q", []string{rs[0].stderr, rs[1].stderr, rs[2].stderr})
	assert.Empty(t, rs[1].stdout, "only rank 0 prints a report")

	checkSchema(t, []byte(rs[0].stdout))
	var doc struct {
		Mode       string `json:"mode"`
		ExitStatus int    `json:"exit_status"`
		Cluster    struct {
			Passed      bool `json:"passed"`
			NodesPassed int  `json:"nodes_passed"`
			GPUs        int  `json:"gpus"`
			Nodes       []struct {
				Rank       int      `json:"rank"`
				Host       string   `json:"host"`
				Passed     bool     `json:"passed"`
				Reasons    []string `json:"reasons"`
				Validation struct {
					GPUs []struct {
						Name   string  `json:"name"`
						Ratio  float64 `json:"ratio_to_median"`
						Passed bool    `json:"passed"`
					} `json:"gpus"`
				} `json:"validation"`
			} `json:"nodes"`
		} `json:"cluster"`
	}
	require.NoError(t, json.Unmarshal([]byte(rs[0].stdout), &doc), rs[0].stdout)
	c := doc.Cluster
	assert.Equal(t, "validate", doc.Mode)
	assert.Equal(t, 1, doc.ExitStatus)
	assert.False(t, c.Passed)
	assert.Equal(t, 2, c.NodesPassed)
	assert.Equal(t, 6, c.GPUs)
	require.Len(t, c.Nodes, 3)
	for r, host := range []string{"node-a", "node-b", "node-c"} {
		assert.Equal(t, r, c.Nodes[r].Rank)
		assert.Equal(t, host, c.Nodes[r].Host)
	}
	assert.True(t, c.Nodes[1].Passed, "the A100 at 10 ms is held to the A100s, not the H100s: %v", c.Nodes[1].Reasons)
	assert.False(t, c.Nodes[2].Passed)
	require.Len(t, c.Nodes[2].Validation.GPUs, 2)
	h100 := c.Nodes[2].Validation.GPUs[1]
	assert.Equal(t, "Fake H100", h100.Name)
	assert.InDelta(t, 0.5, h100.Ratio, 1e-9, "half the median of the cluster's H100s")
	assert.Equal(t, []string{"GPU 1: slow: 50% of the median GPU"}, c.Nodes[2].Reasons)

	logs := make([]string, 3)
	for r := range logs {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprint(r)))
		require.NoError(t, err, "rank %d's termination log", r)
		logs[r] = string(b)
	}
	assert.Regexp(t, `^Node node-a \(rank 0\): 2 GPUs, 2 passed: PASS\nValidated a cluster of 3 nodes in .*: 2 nodes passed, 1 failed; 6 GPUs, 5 passed, 1 failed: FAIL\n$`, logs[0])
	assert.Equal(t, "Node node-b (rank 1): 2 GPUs, 2 passed: PASS\n", logs[1])
	assert.Equal(t, "Node node-c (rank 2): 2 GPUs, 1 passed: FAIL: GPU 1: slow: 50% of the median GPU\n", logs[2],
		"rank 2 has its verdict from rank 0, who saw every H100")
}

// Ranks that do not answer, each its own way, beside one that passes: rank
// 0 reports every one as a failed node with its host and why, within its
// bound (-duration + -node-timeout), and its own verdict stands; no rank
// waits forever. The ranks are a Slurm step's, the coordinator given:
// the rank that never started is named by the step's node list.
func TestClusterValidationReportsRanksThatDoNotAnswer(t *testing.T) {
	addr := loopback(t)
	const ranks = 6
	slurm := func(r int) []string {
		return []string{"SLURM_NTASKS=6", "SLURM_STEP_NUM_TASKS=6", fmt.Sprintf("SLURM_PROCID=%d", r), "SLURM_LOCALID=0",
			fmt.Sprintf("SLURM_NODEID=%d", r), "SLURM_STEP_NODELIST=gpu[10-15]", "SLURM_JOB_NODELIST=gpu[10-15]",
			"SLURM_STEP_TASKS_PER_NODE=1(x6)", "SLURM_JOB_ID=4242", "SLURM_STEP_ID=0"}
	}
	args := []string{"-alldevices", "-numbodies=256", "-duration=2s", "-node-timeout=6s", "-coordinator=" + addr}
	faults := []string{"", "die-before", "die-during", "", "hang", "nogpu"}
	fr := make([]fakeRank, ranks)
	for r := range fr {
		fr[r] = fakeRank{host: fmt.Sprintf("gpu%d", 10+r), gpus: "Fake H100:4,Fake H100:4", fault: faults[r], env: slurm(r), args: args}
	}
	fr[3].skip = true
	rs, took := runFakeCluster(t, 40*time.Second, fr)
	assert.Less(t, took, 2*time.Second+6*time.Second+5*time.Second, "rank 0 reports within -duration + -node-timeout, and a little")
	report := rs[0].stdout
	t.Log(report)
	assert.Equal(t, 1, rs[0].code, "rank 0 fails: nodes failed; stderr %q", rs[0].stderr)
	assert.NotEmpty(t, lineWith(report, "> Node gpu10 (rank 0): 2 GPUs, 2 passed: PASS"), "rank 0's own verdict stands")
	assert.NotEmpty(t, lineWith(report, "> gpu10 GPU 0 \"Fake H100\"", "PASS"))
	assert.NotEmpty(t, lineWith(report, "> Node gpu11 (rank 1): FAIL: "), "died before: %s", report)
	assert.NotEmpty(t, lineWith(report, "> Node gpu12 (rank 2): FAIL: its connection closed (the process ended or was killed)"), "died during")
	assert.NotEmpty(t, lineWith(report, "> Node gpu13 (rank 3): FAIL: never connected within the join's time limit (6s)"),
		"never connected, named by SLURM_STEP_NODELIST")
	assert.NotEmpty(t, lineWith(report, "> Node gpu14 (rank 4): FAIL: cannot validate its GPUs: its validation did not end within"), "hung")
	assert.NotEmpty(t, lineWith(report, "> Node gpu15 (rank 5): FAIL: cannot validate its GPUs: ", "no CUDA-capable device"), "no GPU")
	assert.NotEmpty(t, lineWith(report, "> Validated a cluster of 6 nodes", "1 nodes passed, 5 failed", "FAIL"))
	assert.Equal(t, 3, rs[1].code)
	assert.Equal(t, 3, rs[2].code)
	assert.Equal(t, 1, rs[4].code, "the hung rank gives up and fails: %q", rs[4].stderr)
	assert.Equal(t, 1, rs[5].code, "%q", rs[5].stderr)
}

// Two processes on a machine of one GPU, as torchrun starts them: the
// GPU is local rank 0's alone, since two validations of one GPU at once
// would each see it at half its rate; rank 1's share is empty and passes.
// Bound (CUDA_VISIBLE_DEVICES set, as Slurm's --gpus-per-task does), each
// process takes the GPU it sees: its own, a GPU of another UUID, passes;
// one GPU that both are bound to fails on both ranks as shared.
func TestClusterValidationOneGPUTwoProcesses(t *testing.T) {
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	require.NoError(t, os.Unsetenv("CUDA_VISIBLE_DEVICES")) // restored after the test
	for _, bind := range []string{"unbound", "bound", "bound to one"} {
		addr := loopback(t)
		_, port, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		fr := make([]fakeRank, 2)
		for r := range fr {
			env := []string{fmt.Sprintf("RANK=%d", r), "WORLD_SIZE=2", fmt.Sprintf("LOCAL_RANK=%d", r), "LOCAL_WORLD_SIZE=2",
				"MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port, "TORCHELASTIC_RUN_ID=one-gpu"}
			gpus := "Fake H100:4"
			switch bind {
			case "bound":
				env, gpus = append(env, "CUDA_VISIBLE_DEVICES=0"), fmt.Sprintf("Fake H100:4:%d", r+1)
			case "bound to one":
				env = append(env, "CUDA_VISIBLE_DEVICES=0")
			}
			fr[r] = fakeRank{host: "vm", gpus: gpus, env: env,
				args: []string{"-alldevices", "-numbodies=256", "-i=3", "-node-timeout=10s"}}
		}
		rs, _ := runFakeCluster(t, 40*time.Second, fr)
		report := rs[0].stdout
		switch bind {
		case "unbound":
			assert.Equal(t, []int{0, 0}, []int{rs[0].code, rs[1].code}, "%q %q", rs[0].stderr, rs[1].stderr)
			assert.NotEmpty(t, lineWith(report, "> Node vm (rank 0): 1 GPUs, 1 passed: PASS"), "%s", report)
			assert.NotEmpty(t, lineWith(report, "> Node vm (rank 1), its share of 1 GPUs: none: 0 GPUs, 0 passed (no GPU in its share): PASS"), "%s", report)
			assert.Equal(t, 1, strings.Count(report, "> vm GPU "), "the one GPU validated once: %s", report)
		case "bound":
			assert.Equal(t, []int{0, 0}, []int{rs[0].code, rs[1].code}, "%q %q", rs[0].stderr, rs[1].stderr)
			assert.NotEmpty(t, lineWith(report, "> Node vm (rank 1): 1 GPUs, 1 passed: PASS"), "%s", report)
			assert.Equal(t, 2, strings.Count(report, "> vm GPU "), "each bound process its own: %s", report)
		case "bound to one":
			assert.Equal(t, []int{1, 1}, []int{rs[0].code, rs[1].code}, "%q %q", rs[0].stderr, rs[1].stderr)
			assert.NotEmpty(t, lineWith(report, "> Node vm (rank 1): 1 GPUs, 0 passed: FAIL: GPU 0: shared: validated at once by ranks 0 and 1 of this machine"), "%s", report)
			assert.Contains(t, rs[1].stderr, "shared: validated at once by ranks 0 and 1", "rank 1 gets rank 0's verdict")
		}
	}
}

// -network after a cluster's validation: rank 0 prints each rank's bus
// bandwidth and the world's (the slowest), and holds it to
// -network-floor; its -json holds to the schema; a rank whose NCCL fails
// is named, and rank 0 fails the cluster while the rank's own GPUs pass.
func TestClusterValidationNetwork(t *testing.T) {
	for _, c := range []struct {
		floor string
		bus   [2]string
		code  [2]int
		want  string
	}{
		{"", [2]string{"200", "180"}, [2]int{0, 0}, "> Network of 2 ranks: all-gather bus bandwidth 180.0 GB/s (the slowest rank's): PASS"},
		{"-network-floor=190", [2]string{"200", "180"}, [2]int{1, 0}, "floor 190 GB/s: FAIL: below the floor of 190 GB/s"},
		{"", [2]string{"200", "fail"}, [2]int{1, 0}, "> Network of 2 ranks: all-gather bus bandwidth unknown: FAIL: rank 1 has no figure"},
	} {
		addr := loopback(t)
		fr := make([]fakeRank, 2)
		for r := range fr {
			args := []string{"-alldevices", "-network", "-numbodies=256", "-i=3", "-node-timeout=10s", "-json", "-ranks=2", fmt.Sprintf("-rank=%d", r), "-coordinator=" + addr}
			if c.floor != "" {
				args = append(args, c.floor)
			}
			fr[r] = fakeRank{host: fmt.Sprintf("gpu%02d", r+1), gpus: "Fake H100:4", env: []string{fakeBusEnv + "=" + c.bus[r]}, args: args}
		}
		rs, _ := runFakeCluster(t, 40*time.Second, fr)
		assert.Equal(t, c.code, [2]int{rs[0].code, rs[1].code}, "%s %v: %q %q", c.floor, c.bus, rs[0].stderr, rs[1].stderr)
		checkSchema(t, []byte(rs[0].stdout))
		var doc struct {
			Validation struct {
				Network struct {
					Passed bool     `json:"passed"`
					World  *float64 `json:"world_bus_gbps"`
				} `json:"network"`
			} `json:"cluster"`
		}
		require.NoError(t, json.Unmarshal([]byte(rs[0].stdout), &doc), rs[0].stdout)
		assert.Equal(t, c.code[0] == 0, doc.Validation.Network.Passed)
		assert.Contains(t, rs[1].stderr, "> Network rank 1 (gpu02): ")

		// The same run in text.
		for r := range fr {
			fr[r].args = slices.DeleteFunc(fr[r].args, func(a string) bool { return a == "-json" })
		}
		addr = loopback(t)
		for r := range fr {
			fr[r].args = append(fr[r].args, "-coordinator="+addr)
		}
		rs, _ = runFakeCluster(t, 40*time.Second, fr)
		t.Log(rs[0].stdout)
		assert.NotEmpty(t, lineWith(rs[0].stdout, c.want), "%s", rs[0].stdout)
		if c.bus[1] != "fail" {
			assert.NotEmpty(t, lineWith(rs[0].stdout, "> Network rank 1 (gpu02): all-gather of 64 MiB a rank, bus 180.0 GB/s, algorithm 360.0 GB/s (20 in "))
		} else {
			assert.NotEmpty(t, lineWith(rs[0].stdout, "> Network rank 1 (gpu02): FAIL: fake NCCL: ncclCommInitRank: unhandled system error"))
		}
	}
}

// -network is refused where there is no network to measure, in one line.
func TestNetworkFlagRefusals(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-benchmark", "-network"}, "Error: -network needs -alldevices"},
		{[]string{"-alldevices", "-network-floor=10"}, "Error: -network-floor needs -network"},
		{[]string{"-alldevices", "-network"}, "Error: -network measures the network between several processes"},
		{[]string{"-alldevices", "-network", "-network-floor=-1"}, "network-floor"},
	} {
		r := runNbody(t, c.args...)
		assert.Equal(t, 2, r.code, "%v: %q", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
}

// srun's environment of a 4-task step, two tasks on each of two nodes, as
// srun sets it: a 4-rank validation of the cluster, each task taking its
// share of its node's GPUs by its local rank (local rank i of 2: GPUs i
// and i+2); the same environment with -cpu -benchmark, a plain CPU run
// that ignores it with one line.
func TestClusterValidationUnderSrun(t *testing.T) {
	addr := loopback(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	env := func(r int) []string {
		return []string{"SLURM_NTASKS=4", "SLURM_STEP_NUM_TASKS=4", fmt.Sprintf("SLURM_PROCID=%d", r), fmt.Sprintf("SLURM_LOCALID=%d", r%2),
			fmt.Sprintf("SLURM_NODEID=%d", r/2), "SLURM_STEP_NODELIST=localhost,node2", "SLURM_JOB_NODELIST=localhost,node2",
			"SLURM_STEP_TASKS_PER_NODE=2(x2)", "SLURM_TASKS_PER_NODE=2(x2)", "SLURM_JOB_ID=77", "SLURM_STEP_ID=3", "SLURM_NNODES=2"}
	}
	fr := make([]fakeRank, 4)
	for r := range fr {
		// Slurm's coordinator is the step's first host at port 29517; the
		// test's own port keeps parallel runs apart.
		fr[r] = fakeRank{host: []string{"localhost", "node2"}[r/2], gpus: "Fake H100:4,Fake H100:4,Fake H100:4,Fake H100:4", env: env(r),
			args: []string{"-alldevices", "-numbodies=256", "-i=3", "-node-timeout=10s", "-coordinator=localhost:" + port}}
	}
	rs, _ := runFakeCluster(t, 40*time.Second, fr)
	for r, res := range rs {
		assert.Equal(t, 0, res.code, "rank %d: %q", r, res.stderr)
	}
	report := rs[0].stdout
	t.Log(report)
	assert.NotEmpty(t, lineWith(report, "> Node localhost (rank 0), its share of 4 GPUs: 0, 2: 2 GPUs, 2 passed: PASS"))
	assert.NotEmpty(t, lineWith(report, "> Node localhost (rank 1), its share of 4 GPUs: 1, 3: 2 GPUs, 2 passed: PASS"))
	assert.NotEmpty(t, lineWith(report, "> Node node2 (rank 3), its share of 4 GPUs: 1, 3: 2 GPUs, 2 passed: PASS"))
	assert.NotEmpty(t, lineWith(report, "> Validated a cluster of 4 nodes", "4 nodes passed, 0 failed; 8 GPUs, 8 passed, 0 failed: PASS"))
	assert.Equal(t, 8, strings.Count(report, "> localhost GPU ")+strings.Count(report, "> node2 GPU "), "a line per GPU")

	cmd := exec.Command(binary, "-cpu", "-benchmark", "-numbodies=64", "-i=1")
	cmd.Env = append(os.Environ(), env(1)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Run(), errb.String())
	assert.Equal(t, "> Ignoring the Slurm job step's 4 tasks: -cpu runs in one process", strings.Split(errb.String(), "\n")[0])
}
