package validate

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// rated is a GPU of model name that ran one window at rate GI/s.
func rated(ordinal int, name string, rate float64) GPUResult {
	return GPUResult{Device: gpu.Device{Ordinal: ordinal, Name: name}, Windows: []modes.Figures{{GInteractions: rate}},
		AccuracyBound: 1e-5, Checks: 1}
}

// A node travels as bytes and comes back whole: figures, errors and
// readings (NaN accuracy included); the verdicts are the judge's.
func TestNodeEncodesAndDecodes(t *testing.T) {
	clock := 1980
	g := rated(1, "Fake H100", 2.5)
	g.Accuracy, g.Err, g.After = math.NaN(), errors.New("step: CUDA_ERROR_ILLEGAL_ADDRESS"), &Reading{SMClockMHz: &clock}
	in := Node{Rank: 3, Host: "gpu07", Share: "its share of 4 GPUs: 1, 3",
		Result: &Result{Bodies: 256, Duration: time.Second, Elapsed: 2 * time.Second, GPUs: []GPUResult{g}}}
	data, err := EncodeNode(in)
	require.NoError(t, err)
	out, err := DecodeNode(data)
	require.NoError(t, err)
	assert.Equal(t, "gpu07", out.Host)
	assert.Equal(t, in.Share, out.Share)
	require.NotNil(t, out.Result)
	require.Len(t, out.Result.GPUs, 1)
	o := out.Result.GPUs[0]
	assert.Equal(t, g.Device, o.Device)
	assert.True(t, math.IsNaN(o.Accuracy))
	assert.EqualError(t, o.Err, "step: CUDA_ERROR_ILLEGAL_ADDRESS")
	assert.Equal(t, 1980, *o.After.SMClockMHz)
	assert.Equal(t, 256, out.Result.Bodies)

	failed, err := EncodeNode(Node{Host: "gpu09", Err: errors.New("cannot validate its GPUs: no GPU")})
	require.NoError(t, err)
	n, err := DecodeNode(failed)
	require.NoError(t, err)
	assert.Nil(t, n.Result)
	assert.EqualError(t, n.Err, "cannot validate its GPUs: no GPU")
	_, err = DecodeNode([]byte("not a node"))
	assert.Error(t, err)
}

// Every GPU is held to those of its model on every node: one slow H100
// alone on its node fails there; an A100 beside faster H100s does not;
// a failed node fails the cluster without touching the others' verdicts.
// The verdicts go back to their node whole.
func TestJudgeClusterByModel(t *testing.T) {
	nodes := []Node{
		{Rank: 0, Host: "a", Result: &Result{GPUs: []GPUResult{rated(0, "H100", 10), rated(1, "H100", 10)}}},
		{Rank: 1, Host: "b", Result: &Result{GPUs: []GPUResult{rated(0, "A100", 4), rated(1, "H100", 5)}}},
		{Rank: 2, Host: "c", Err: errors.New("never connected")},
	}
	JudgeCluster(nodes, Options{Precision: nbody.Single, MinShare: -1})
	assert.True(t, nodes[0].Passed())
	b := nodes[1].Result.GPUs
	assert.True(t, b[0].Passed, "%v", b[0].Reasons)
	assert.Equal(t, []string{"slow: 50% of the median GPU"}, b[1].Reasons)
	assert.Equal(t, "b", b[1].Host)
	assert.Equal(t, []string{"GPU 1: slow: 50% of the median GPU"}, nodes[1].Reasons())
	c := Cluster{Nodes: nodes, Elapsed: 3 * time.Second}
	assert.False(t, c.Passed())
	lines := c.Lines()
	require.Len(t, lines, 4+3+1)
	assert.Equal(t, "Node c (rank 2): FAIL: never connected", lines[6])
	assert.Equal(t, "Validated a cluster of 3 nodes in 3s: 1 nodes passed, 2 failed; 4 GPUs, 3 passed, 1 failed: FAIL", lines[7])

	v, err := EncodeVerdicts(VerdictsOf(nodes[1]))
	require.NoError(t, err)
	local := &Result{GPUs: []GPUResult{rated(0, "A100", 4), rated(1, "H100", 5)}}
	judge(local.GPUs, Options{MinShare: -1})
	assert.True(t, local.GPUs[1].Passed, "alone on its node, the H100 passes")
	require.NoError(t, ApplyVerdicts(local, v))
	assert.False(t, local.GPUs[1].Passed)
	assert.Error(t, ApplyVerdicts(&Result{}, v), "verdicts for another number of GPUs")
}

// Two ranks of one machine that validated the same GPU (one UUID on one
// host) both fail, told why; the same UUID on two machines, or on one
// machine without a UUID, is no sharing.
func TestJudgeClusterSharedGPU(t *testing.T) {
	uuid := func(g GPUResult, b byte) GPUResult { g.Device.UUID = [16]byte{b}; return g }
	nodes := []Node{
		{Rank: 0, Host: "vm", Result: &Result{GPUs: []GPUResult{uuid(rated(0, "H100", 10), 1)}}},
		{Rank: 1, Host: "vm", Result: &Result{GPUs: []GPUResult{uuid(rated(0, "H100", 10), 1)}}},
		{Rank: 2, Host: "other", Result: &Result{GPUs: []GPUResult{uuid(rated(0, "H100", 10), 1), rated(1, "H100", 10)}}},
		{Rank: 3, Host: "other", Result: &Result{GPUs: []GPUResult{rated(1, "H100", 10)}}},
	}
	JudgeCluster(nodes, Options{Precision: nbody.Single, MinShare: -1})
	want := "shared: validated at once by ranks 0 and 1 of this machine, each slowing the others; " +
		"give each process its own GPUs (Slurm's --gpus-per-task) or start one process per machine"
	for r := range 2 {
		g := nodes[r].Result.GPUs[0]
		assert.False(t, g.Passed)
		assert.Equal(t, []string{want}, g.Reasons, "rank %d", r)
	}
	assert.True(t, nodes[2].Passed(), "%v", nodes[2].Reasons())
	assert.True(t, nodes[3].Passed(), "no UUID: nothing to tell sharing by")
}
