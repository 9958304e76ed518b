package validate

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// freeAddr is a loopback address no one listens at, for rank 0.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// fakeShare is a Validate of a machine whose GPUs are rated: GPU i of
// model names[i] ran at rates[i] GI/s. It takes the share it is given.
func fakeShare(names []string, rates []float64) func(share func(n int) []int) (Result, string, error) {
	return func(share func(n int) []int) (Result, string, error) {
		devs := make([]gpu.Device, len(names))
		for i, name := range names {
			devs[i] = gpu.Device{Ordinal: i, Name: name}
		}
		mine, text := Pick(devs, share)
		r := Result{Bodies: 256, Steps: 1}
		for _, d := range mine {
			r.GPUs = append(r.GPUs, rated(d.Ordinal, d.Name, rates[d.Ordinal]))
		}
		Judge(r.GPUs, Options{MinShare: -1}) // a node's own verdicts, as All gives them
		return r, text, nil
	}
}

// runRanks runs RunCluster for each of opts at once, in process, and
// returns what each ended with, in order.
func runRanks(t *testing.T, opts ...ClusterOptions) []ClusterOutcome {
	t.Helper()
	outs := make([]ClusterOutcome, len(opts))
	errs := make([]error, len(opts))
	var wg sync.WaitGroup
	for i, o := range opts {
		wg.Go(func() { outs[i], errs[i] = RunCluster(context.Background(), o) })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "rank %d", i)
	}
	return outs
}

// rankOptions are rank r of ranks at addr on host, validating with v.
func rankOptions(addr string, ranks, r int, host string, v func(func(int) []int) (Result, string, error)) ClusterOptions {
	return ClusterOptions{Place: cluster.Spec{Ranks: ranks, Rank: r, Coordinator: addr}, Host: host, NodeTimeout: 4 * time.Second,
		Judge: Options{Precision: nbody.Single, MinShare: -1}, Validate: v}
}

// Two ranks in one process over loopback: rank 0 has every node's record,
// judged across the cluster, so that rank 1's one H100 at half the rate
// of rank 0's fails though alone on its node it passed; rank 1 gets that
// verdict back in place of its own. A rank whose launcher says it shares
// its machine validates its share (local rank 1 of 2: GPUs 1 and 3).
func TestRunClusterJudgesAcrossRanks(t *testing.T) {
	t.Setenv("LOCAL_WORLD_SIZE", "2") // torchrun's, which Spec.Local reads for rank 1
	addr := freeAddr(t)
	zero := rankOptions(addr, 2, 0, "node-a", fakeShare([]string{"H100", "H100"}, []float64{10, 10}))
	one := rankOptions(addr, 2, 1, "node-b", fakeShare([]string{"A100", "H100", "A100", "A100"}, []float64{4, 5, 4, 4}))
	one.Place.Launcher, one.Place.LocalRank, one.Place.HasLocalRank = "torchrun", 1, true
	began := time.Now()
	outs := runRanks(t, zero, one)
	assert.Less(t, time.Since(began), 3*time.Second, "nobody waits for a rank that already gave its record")

	cl := outs[0].Cluster
	require.NotNil(t, cl, "rank 0 has the cluster")
	require.Len(t, cl.Nodes, 2)
	assert.Equal(t, []string{"node-a", "node-b"}, []string{cl.Nodes[0].Host, cl.Nodes[1].Host})
	assert.Equal(t, "its share of 4 GPUs: 1, 3", cl.Nodes[1].Share)
	assert.True(t, cl.Nodes[0].Passed())
	assert.Equal(t, []string{"GPU 1: slow: 50% of the median GPU"}, cl.Nodes[1].Reasons())
	assert.False(t, outs[0].Passed(), "rank 0 fails with any node")
	assert.True(t, outs[0].Node.Passed(), "its own node passed")

	assert.Nil(t, outs[1].Cluster, "only rank 0 has the cluster")
	assert.NoError(t, outs[1].OwnVerdict, "rank 0's verdicts came")
	assert.Equal(t, "Node node-b (rank 1), its share of 4 GPUs: 1, 3: 2 GPUs, 1 passed: FAIL: GPU 1: slow: 50% of the median GPU",
		outs[1].Node.String(), "alone among its own GPUs the H100 passed; the cluster's verdict replaced that")
	assert.False(t, outs[1].Passed())
}

// A rank whose validation hangs gives up by Judge.Duration + half of
// NodeTimeout, says so at once (ShareFailed) and reports a failed node,
// named as the caller names the limit; a rank that never connects is a
// failed node named by the launcher's host; rank 0's own verdict stands.
func TestRunClusterFailedRanks(t *testing.T) {
	addr := freeAddr(t)
	stuck := make(chan struct{})
	defer close(stuck)
	hang := func(func(int) []int) (Result, string, error) {
		<-stuck
		return Result{}, "", nil
	}
	zero := rankOptions(addr, 3, 0, "gpu10", fakeShare([]string{"H100"}, []float64{10}))
	zero.RankHosts = []string{"gpu10", "gpu11", "gpu12"}
	hung := rankOptions(addr, 3, 1, "gpu11", hang)
	hung.GiveUpName = "the limit"
	var heard []error
	hung.ShareFailed = func(err error) { heard = append(heard, err) }
	for _, o := range []*ClusterOptions{&zero, &hung} {
		o.NodeTimeout = 2 * time.Second
	}
	began := time.Now()
	outs := runRanks(t, zero, hung)
	assert.Less(t, time.Since(began), 2*time.Second+time.Second, "within Judge.Duration + NodeTimeout, and a little")

	cl := outs[0].Cluster
	require.NotNil(t, cl)
	require.Len(t, cl.Nodes, 3)
	assert.True(t, cl.Nodes[0].Passed(), "rank 0's verdict stands")
	assert.EqualError(t, cl.Nodes[1].Err, "cannot validate its GPUs: its validation did not end within the limit, 1s (a GPU or its driver hangs)")
	assert.Equal(t, "gpu12", cl.Nodes[2].Host, "named by the launcher's list")
	assert.ErrorContains(t, cl.Nodes[2].Err, "never connected")
	assert.False(t, outs[0].Passed())
	assert.Regexp(t, `^Validated a cluster of 3 nodes in 2(\.\d)?s: 1 nodes passed, 2 failed; 1 GPUs, 1 passed, 0 failed: FAIL$`, cl.String())

	require.Len(t, heard, 1)
	assert.EqualError(t, heard[0], "its validation did not end within the limit, 1s (a GPU or its driver hangs)")
	assert.False(t, outs[1].Passed())
	assert.Nil(t, outs[1].Node.Result)
}

// A rank whose rank 0 never comes keeps its own verdicts, judged among its
// own GPUs, and says why; it does not wait past its bounds.
func TestRunClusterWithoutRankZero(t *testing.T) {
	o := rankOptions(freeAddr(t), 2, 1, "gpu11", fakeShare([]string{"H100", "H100", "H100"}, []float64{10, 10, 5}))
	o.NodeTimeout = time.Second
	began := time.Now()
	out, err := RunCluster(context.Background(), o)
	require.NoError(t, err)
	assert.Less(t, time.Since(began), 3*time.Second, "the join's limit, rank 0's deadline and its answer's, and a little")
	assert.Error(t, out.OwnVerdict)
	assert.Nil(t, out.Cluster)
	assert.False(t, out.Passed(), "its own verdict: the slow H100 fails among its own GPUs")
	assert.Equal(t, []string{"GPU 2: slow: 50% of the median GPU"}, out.Node.Reasons())
}

// Pick takes the share's devices and names them; nil, or every device,
// is all of them without words; an empty share is none.
func TestPick(t *testing.T) {
	devs := []gpu.Device{{Ordinal: 0}, {Ordinal: 1}, {Ordinal: 2}, {Ordinal: 3}}
	mine, text := Pick(devs, func(n int) []int { return cluster.ShareOf(n, 0, 2, false) })
	assert.Equal(t, []gpu.Device{devs[0], devs[2]}, mine)
	assert.Equal(t, "its share of 4 GPUs: 0, 2", text)
	mine, text = Pick(devs, nil)
	assert.Equal(t, devs, mine)
	assert.Empty(t, text)
	mine, text = Pick(devs, func(n int) []int { return cluster.ShareOf(n, 0, 1, false) })
	assert.Len(t, mine, 4)
	assert.Empty(t, text)
	mine, text = Pick(devs, func(int) []int { return nil })
	assert.Empty(t, mine)
	assert.Equal(t, "its share of 4 GPUs: none", text)
}
