package validate

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/internal/jsonnum"
	"github.com/nbody-go/nbody/nbody/modes"
)

// A cluster's validation: every node validates its own GPUs (All), the
// nodes' records come together (EncodeNode, DecodeNode: how they travel),
// and JudgeCluster holds every GPU to those of its model on all the nodes.
// RunCluster (runcluster.go) moves the records between the ranks over
// package cluster; what is printed is the caller's.

// Node is one process's part of a cluster's validation: its GPUs'
// record, or why there is none.
type Node struct {
	Rank int
	Host string // the machine's host name; "" where nobody knows it
	// Result is the node's validation; nil where none came (Err says why).
	Result *Result
	// Share says which of the machine's GPUs were this process's where
	// several processes share it ("local rank 1 of 2: GPUs 1, 3"); "" for
	// all of them.
	Share string
	// Err is why the node failed as a whole: it never connected, its
	// process ended or fell silent, its results did not come in time, or
	// it could not list its GPUs.
	Err error
	// Network says that the rank takes part in a network measurement
	// (it was started with ClusterOptions.Network).
	Network bool
}

// Passed reports whether the node gave its record and every GPU of it
// passed, in a run that no signal cut short. A node whose share holds no
// GPU (more processes than GPUs on its machine) passes with none.
func (n Node) Passed() bool {
	if n.Err != nil || n.Result == nil || n.Result.Interrupted {
		return false
	}
	for _, g := range n.Result.GPUs {
		if !g.Passed {
			return false
		}
	}
	return true
}

// Reasons are why the node failed: its own error, or a line per GPU that
// failed; none when it passed.
func (n Node) Reasons() []string {
	switch {
	case n.Err != nil:
		return []string{n.Err.Error()}
	case n.Result == nil:
		return []string{"no results"}
	}
	var out []string
	if n.Result.Interrupted {
		out = append(out, "stopped early by a signal")
	}
	for _, g := range n.Result.GPUs {
		if !g.Passed {
			out = append(out, fmt.Sprintf("GPU %d: %s", g.Device.Ordinal, strings.Join(g.Reasons, "; ")))
		}
	}
	return out
}

// Cluster is a cluster's validation: every node's, in rank order.
type Cluster struct {
	Nodes []Node
	// Network is the network's measurement, where one was asked for.
	Network *Network
	Elapsed time.Duration // from rank 0's start to its report
}

// GPUs counts the GPUs of every node that gave its record, and those that
// passed.
func (c Cluster) GPUs() (all, passed int) {
	for _, n := range c.Nodes {
		if n.Result == nil {
			continue
		}
		for _, g := range n.Result.GPUs {
			all++
			if g.Passed {
				passed++
			}
		}
	}
	return all, passed
}

// Passed reports whether every node passed, with a GPU among them, and
// the network, where it was measured.
func (c Cluster) Passed() bool {
	for _, n := range c.Nodes {
		if !n.Passed() {
			return false
		}
	}
	if c.Network != nil && !c.Network.Passed() {
		return false
	}
	all, _ := c.GPUs()
	return all > 0
}

// JudgeCluster gives every GPU of every node its verdict (Judge), each
// held to the GPUs of its model on all the nodes, and names each GPU's
// node in it (GPUResult.Host).
func JudgeCluster(nodes []Node, o Options) {
	var all []GPUResult
	var ranks []int
	for _, n := range nodes {
		if n.Result == nil {
			continue
		}
		for _, g := range n.Result.GPUs {
			g.Host, g.bodies = n.Host, n.Result.Bodies
			all, ranks = append(all, g), append(ranks, n.Rank)
		}
	}
	judge(all, o)
	failShared(all, ranks)
	k := 0
	for _, n := range nodes {
		if n.Result == nil {
			continue
		}
		for i := range n.Result.GPUs {
			n.Result.GPUs[i] = all[k]
			k++
		}
	}
}

// failShared fails every GPU that two or more ranks of one machine
// validated at once (the same UUID on the same host; ranks[i] is the rank
// of all[i]): each run slowed the other, so no rate of it is the GPU's
// own. It happens where the processes of a machine are bound to the same
// GPU, or see fewer GPUs than there are processes while bound to them.
func failShared(all []GPUResult, ranks []int) {
	type place struct{ host, uuid string }
	by := map[place][]int{}
	for i, g := range all {
		if u := g.UUID(); u != "" {
			k := place{g.Host, u}
			by[k] = append(by[k], i)
		}
	}
	for _, idx := range by {
		if len(idx) < 2 {
			continue
		}
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = strconv.Itoa(ranks[i])
		}
		why := fmt.Sprintf("shared: validated at once by ranks %s of this machine, each slowing the others; "+
			"give each process its own GPUs (Slurm's --gpus-per-task) or start one process per machine",
			strings.Join(names, " and "))
		for _, i := range idx {
			all[i].Reasons = append(all[i].Reasons, why)
			all[i].Passed = false
		}
	}
}

// Lines are the cluster's report: a line per GPU with its node's host
// name, a line per node, and one for the cluster, the last.
func (c Cluster) Lines() []string {
	var lines []string
	for _, n := range c.Nodes {
		if n.Result == nil {
			continue
		}
		for _, g := range n.Result.GPUs {
			lines = append(lines, hostOf(n)+" "+g.String())
		}
	}
	for _, n := range c.Nodes {
		lines = append(lines, n.String())
	}
	if c.Network != nil {
		lines = append(lines, c.Network.Lines()...)
	}
	return append(lines, c.String())
}

// hostOf names n's machine in a line: its host name, or that it is unknown.
func hostOf(n Node) string {
	if n.Host == "" {
		return "(host unknown)"
	}
	return n.Host
}

// String is the node's line: "Node gpu07 (rank 3): 8 GPUs, 8 passed: PASS",
// or why it failed.
func (n Node) String() string {
	head := fmt.Sprintf("Node %s (rank %d)", hostOf(n), n.Rank)
	if n.Share != "" {
		head += ", " + n.Share
	}
	if n.Err != nil || n.Result == nil {
		return head + ": FAIL: " + strings.Join(n.Reasons(), "; ")
	}
	passed := 0
	for _, g := range n.Result.GPUs {
		if g.Passed {
			passed++
		}
	}
	head += fmt.Sprintf(": %d GPUs, %d passed", len(n.Result.GPUs), passed)
	if len(n.Result.GPUs) == 0 {
		head += " (no GPU in its share)"
	}
	if n.Passed() {
		return head + ": PASS"
	}
	return head + ": FAIL: " + strings.Join(n.Reasons(), "; ")
}

// String is the cluster's one summary line.
func (c Cluster) String() string {
	passed := 0
	for _, n := range c.Nodes {
		if n.Passed() {
			passed++
		}
	}
	all, gpusPassed := c.GPUs()
	verdict := "PASS"
	if !c.Passed() {
		verdict = "FAIL"
	}
	network := ""
	if n := c.Network; n != nil && n.Passed() {
		network = fmt.Sprintf("; network %.1f GB/s", n.WorldBusGBps())
	} else if n != nil {
		network = "; network failed"
	}
	return fmt.Sprintf("Validated a cluster of %d nodes in %s: %d nodes passed, %d failed; %d GPUs, %d passed, %d failed%s: %s",
		len(c.Nodes), c.Elapsed.Round(100*time.Millisecond), passed, len(c.Nodes)-passed, all, gpusPassed, all-gpusPassed, network, verdict)
}

// MarshalJSON implements json.Marshaler: the cluster's verdict and counts,
// and a record per node with its own verdict, its reasons and its
// validation (null where none came), whose GPUs are as Result writes them.
func (c Cluster) MarshalJSON() ([]byte, error) {
	type nodeJSON struct {
		Rank       int      `json:"rank"`
		Host       *string  `json:"host"` // null: unknown
		Share      string   `json:"share,omitempty"`
		Passed     bool     `json:"passed"`
		Reasons    []string `json:"reasons"`
		Err        string   `json:"error,omitempty"`
		Validation *Result  `json:"validation"`
	}
	nodes := make([]nodeJSON, len(c.Nodes))
	passed := 0
	for i, n := range c.Nodes {
		nodes[i] = nodeJSON{Rank: n.Rank, Share: n.Share, Passed: n.Passed(), Reasons: n.Reasons(), Validation: n.Result}
		if n.Host != "" {
			nodes[i].Host = &n.Host
		}
		if nodes[i].Reasons == nil {
			nodes[i].Reasons = []string{}
		}
		if n.Err != nil {
			nodes[i].Err = n.Err.Error()
		}
		if nodes[i].Passed {
			passed++
		}
	}
	all, gpusPassed := c.GPUs()
	return json.Marshal(struct {
		ElapsedSeconds jsonnum.Float `json:"elapsed_seconds"`
		Passed         bool          `json:"passed"`
		NodesPassed    int           `json:"nodes_passed"`
		NodesFailed    int           `json:"nodes_failed"`
		GPUs           int           `json:"gpus"`
		GPUsPassed     int           `json:"gpus_passed"`
		Nodes          []nodeJSON    `json:"nodes"`
		Network        *Network      `json:"network,omitempty"` // where -network asked for it
	}{jsonnum.Float(c.Elapsed.Seconds()), c.Passed(), passed, len(c.Nodes) - passed, all, gpusPassed, nodes, c.Network})
}

// wireNode is a Node as it travels: errors as their text, and of each GPU
// what its verdict is made from (JudgeCluster makes the rest again).
type wireNode struct {
	Host, Share, Err string
	HasResult        bool
	Network          bool
	Bodies, Steps    int
	Duration         time.Duration
	Elapsed          time.Duration
	Interrupted      bool
	GPUs             []wireGPU
}

type wireGPU struct {
	Device                  gpu.Device
	Windows                 []modes.Figures
	Accuracy, AccuracyBound float64
	Checks                  int
	Before, After           *Reading
	During                  []Reading
	TelemetryErr, Err       string
}

// EncodeNode writes n for another process (DecodeNode reads it): its host,
// share and error, and every GPU's figures, accuracy and readings; the
// verdicts are left to the judge that has every node's.
func EncodeNode(n Node) ([]byte, error) {
	w := wireNode{Host: n.Host, Share: n.Share, Err: errText(n.Err), HasResult: n.Result != nil, Network: n.Network}
	if r := n.Result; r != nil {
		w.Bodies, w.Steps, w.Duration, w.Elapsed, w.Interrupted = r.Bodies, r.Steps, r.Duration, r.Elapsed, r.Interrupted
		for _, g := range r.GPUs {
			w.GPUs = append(w.GPUs, wireGPU{g.Device, g.Windows, g.Accuracy, g.AccuracyBound, g.Checks, g.Before, g.After, g.During,
				errText(g.TelemetryErr), errText(g.Err)})
		}
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(w); err != nil {
		return nil, fmt.Errorf("encoding the node's validation: %w", err)
	}
	return b.Bytes(), nil
}

// DecodeNode reads what EncodeNode wrote; the GPUs are yet to be judged.
func DecodeNode(data []byte) (Node, error) {
	var w wireNode
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return Node{}, fmt.Errorf("decoding a node's validation: %w", err)
	}
	n := Node{Host: w.Host, Share: w.Share, Err: textErr(w.Err), Network: w.Network}
	if w.HasResult {
		r := &Result{Bodies: w.Bodies, Steps: w.Steps, Duration: w.Duration, Elapsed: w.Elapsed, Interrupted: w.Interrupted,
			GPUs: make([]GPUResult, len(w.GPUs))}
		for i, g := range w.GPUs {
			r.GPUs[i] = GPUResult{Device: g.Device, Windows: g.Windows, Accuracy: g.Accuracy, AccuracyBound: g.AccuracyBound,
				Checks: g.Checks, Before: g.Before, After: g.After, During: g.During, TelemetryErr: textErr(g.TelemetryErr), Err: textErr(g.Err)}
		}
		n.Result = r
	}
	return n, nil
}

// Verdicts are what rank 0 hands each node back once it has judged the
// cluster: each GPU's verdict and reasons, in the node's order.
type Verdicts struct {
	Passed  []bool
	Reasons [][]string
}

// VerdictsOf are n's GPUs' verdicts.
func VerdictsOf(n Node) Verdicts {
	var v Verdicts
	if n.Result != nil {
		for _, g := range n.Result.GPUs {
			v.Passed = append(v.Passed, g.Passed)
			v.Reasons = append(v.Reasons, g.Reasons)
		}
	}
	return v
}

// EncodeVerdicts writes v for the node it is for.
func EncodeVerdicts(v Verdicts) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the verdicts: %w", err)
	}
	return b.Bytes(), nil
}

// ApplyVerdicts puts the verdicts that data holds (EncodeVerdicts) on r's
// GPUs, in place of r's own: the cluster's judge saw every node's GPUs.
// An answer that does not fit r (another number of GPUs) is an error and
// changes nothing.
func ApplyVerdicts(r *Result, data []byte) error {
	var v Verdicts
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&v); err != nil {
		return fmt.Errorf("decoding the cluster's verdicts: %w", err)
	}
	if len(v.Passed) != len(r.GPUs) || len(v.Reasons) != len(r.GPUs) {
		return fmt.Errorf("the cluster's verdicts are for %d GPUs, this node has %d", len(v.Passed), len(r.GPUs))
	}
	for i := range r.GPUs {
		r.GPUs[i].Passed, r.GPUs[i].Reasons = v.Passed[i], v.Reasons[i]
	}
	return nil
}

// errText is err's message, "" for none.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// textErr is an error of message s, nil for "".
func textErr(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}
