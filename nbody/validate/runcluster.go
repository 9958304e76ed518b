package validate

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// A cluster's validation as one rank runs it (RunCluster): join the
// others over package cluster's tolerant gathering, validate this
// process's share with a time to give up by, and either judge every node
// (rank 0) or send its record to rank 0 and take back its verdicts.

// ClusterOptions set one rank's part of a cluster's validation.
type ClusterOptions struct {
	// Place is this process's place among the ranks (after Spec.Detect):
	// its rank, rank 0's address, the job and its secret, and the
	// launcher that says which of its machine's GPUs are its share
	// (Spec.Local, Spec.Share).
	Place cluster.Spec
	// Host is this machine's host name, which the report names it by and
	// rank 0 is told as the rank greets it.
	Host string
	// RankHosts is every rank's host name, by rank, as the launcher tells
	// (Spec.RankHostsFrom): rank 0 names by it a rank that never greeted.
	// Nil where nothing tells.
	RankHosts []string
	// NodeTimeout bounds the waits: rank 0 waits this long for the ranks
	// to connect, and Judge.Duration + NodeTimeout from its start for
	// their records; a rank gives its own validation Judge.Duration + half
	// of it before it reports that the validation hangs.
	NodeTimeout time.Duration
	// Judge are the settings every GPU is judged by at rank 0 (Options
	// without its devices, which are each node's own); Judge.Duration is
	// also how long every rank's validation runs.
	Judge Options
	// Validate validates this process's share of its machine's GPUs:
	// share(n) are the indices of its own among the n the process sees
	// (Pick chooses them and names them in words, which it returns). It
	// runs in a goroutine of its own, which a GPU that hangs leaves
	// behind.
	Validate func(share func(n int) []int) (res Result, shareText string, err error)
	// GiveUpName names Judge.Duration + NodeTimeout/2 as the caller's user
	// knows it (a command: by its flags), in the failure of a rank whose
	// validation hangs; "" names only the time.
	GiveUpName string
	// ShareFailed, when set, hears at once why this rank's validation
	// failed as a whole (no GPU could be listed, it hung); the rank goes on
	// to report the failure to rank 0 as its node's.
	ShareFailed func(error)
	// Network, when set, measures the network between the ranks once rank
	// 0 has judged their GPUs (network.go).
	Network *NetworkOptions
}

// ClusterOutcome is what one rank's part of a cluster's validation ends
// with.
type ClusterOutcome struct {
	// Node is this rank's record: its GPUs with the verdicts rank 0 gave
	// them among every node's, else its own (OwnVerdict says why).
	Node Node
	// Cluster is every node's record, on rank 0; nil on the others.
	Cluster *Cluster
	// OwnVerdict, on a rank other than 0, is why its GPUs' verdicts are
	// its own, judged among its own GPUs: rank 0 could not be reached, did
	// not answer in time, or answered for another number of GPUs. Nil where
	// the cluster's verdicts came, and on rank 0.
	OwnVerdict error
	// Network, on a rank other than 0 that took part in a network
	// measurement, is its own figure or why it has none.
	Network *NetworkRank
}

// Passed reports whether the rank's validation passed: on rank 0 the
// whole cluster's, on the others their own node's.
func (o ClusterOutcome) Passed() bool {
	if o.Cluster != nil {
		return o.Cluster.Passed()
	}
	return o.Node.Passed()
}

// RunCluster is one rank's part of a cluster's validation. Each rank
// validates its share of its machine's GPUs (o.Validate) and sends its
// record to rank 0, which holds every GPU to those of its model on every
// node (JudgeCluster) and hands each rank back its GPUs' verdicts. A rank
// that never came, ended, fell silent or gave nothing by rank 0's
// deadline is a failed node, and the others' verdicts stand; no rank
// waits past its own bounds (ClusterOptions.NodeTimeout). Only a
// gathering that cannot begin (a listener that cannot open) or, on rank
// 0, cannot be collected is an error; a rank's own failure is its node's.
func RunCluster(ctx context.Context, o ClusterOptions) (ClusterOutcome, error) {
	began := time.Now()
	place := o.Place
	part, err := cluster.JoinPartial(context.WithoutCancel(ctx), cluster.Config{
		Ranks: place.Ranks, Rank: place.Rank, Coordinator: place.Coordinator, Info: []byte(o.Host), JoinTimeout: o.NodeTimeout,
		Job: place.Job, Key: place.Key(),
	})
	if err != nil {
		return ClusterOutcome{}, err
	}
	defer part.Close()
	deadline := began.Add(o.Judge.Duration + o.NodeTimeout)

	node, err := validateShare(o, began.Add(o.Judge.Duration+o.NodeTimeout/2))
	node.Rank, node.Host, node.Network = place.Rank, o.Host, o.Network != nil
	if err != nil {
		node.Err = fmt.Errorf("cannot validate its GPUs: %s", oneLine(err.Error()))
		if o.ShareFailed != nil {
			o.ShareFailed(err)
		}
	}
	data, err := EncodeNode(node)
	if err != nil {
		return ClusterOutcome{}, err
	}
	if place.Rank != 0 {
		out := ClusterOutcome{Node: node}
		var networkID []byte
		networkID, out.OwnVerdict = reportToRankZero(ctx, part, node, data, deadline, o.NodeTimeout)
		if o.Network != nil && networkID != nil {
			mine := measureNetwork(ctx, o, node, networkID)
			out.Network = &mine
			_, _ = part.GatherEach(context.WithoutCancel(ctx), encodeNetworkRank(mine), time.Now().Add(o.NodeTimeout))
		}
		return out, nil
	}

	contribs, err := part.GatherEach(ctx, data, deadline)
	if err != nil {
		return ClusterOutcome{}, err
	}
	nodes := make([]Node, len(contribs))
	for r, c := range contribs {
		nodes[r] = nodeOf(c, o.RankHosts)
	}
	nodes[0] = node
	JudgeCluster(nodes, o.Judge)
	network, networkID := startNetwork(o, nodes)
	parts := make([][]byte, len(nodes))
	for r, n := range nodes {
		if r == 0 {
			continue
		}
		a := answer{NetworkID: networkID}
		if n.Result != nil {
			a.Verdicts, _ = EncodeVerdicts(VerdictsOf(n)) // a node without its verdicts keeps its own
		}
		parts[r] = encodeAnswer(a)
	}
	_, _ = part.Scatter(parts, deadline)
	if networkID != nil {
		if network.Ranks, err = gatherNetwork(ctx, part, o, nodes, networkID); err != nil {
			return ClusterOutcome{}, err
		}
	}
	return ClusterOutcome{Node: node, Cluster: &Cluster{Nodes: nodes, Network: network, Elapsed: time.Since(began)}}, nil
}

// startNetwork is rank 0's start of the network measurement where o asks
// for one: its record, and the NCCL id to hand every rank, nil where the
// network cannot be measured (the record says why). Nil, nil without
// o.Network.
func startNetwork(o ClusterOptions, nodes []Node) (*Network, []byte) {
	if o.Network == nil {
		return nil, nil
	}
	n := &Network{FloorGBps: o.Network.FloorGBps, NotMeasured: networkReady(nodes)}
	if n.NotMeasured != "" {
		return n, nil
	}
	newID := o.Network.NewID
	if newID == nil {
		newID = gpu.NewWorldID
	}
	id, err := newID(o.Network.Library)
	if err != nil {
		n.NotMeasured = "no NCCL communicator: " + oneLine(err.Error())
		return n, nil
	}
	return n, id
}

// gatherNetwork is rank 0's part of the network measurement once every
// rank has the id: its own figure, then every other rank's (or why none
// came), in rank order, named by the nodes' hosts.
func gatherNetwork(ctx context.Context, part *cluster.Partial, o ClusterOptions, nodes []Node, id []byte) ([]NetworkRank, error) {
	// Every rank began as the answer reached it: the others' figures are
	// due by the same timeout, and half a node timeout for the way.
	deadline := time.Now().Add(o.Network.Timeout + o.NodeTimeout/2)
	mine := measureNetwork(ctx, o, nodes[0], id)
	figures, err := part.GatherEach(ctx, encodeNetworkRank(mine), deadline)
	if err != nil {
		return nil, err
	}
	ranks := make([]NetworkRank, len(figures))
	for r, c := range figures {
		switch {
		case r == 0:
			ranks[r] = mine
		case c.Err != nil:
			ranks[r].Err = fmt.Errorf("no figure: %s", c.Err.Reason)
		default:
			if ranks[r], err = decodeNetworkRank(c.Data); err != nil {
				ranks[r] = NetworkRank{Err: err}
			}
		}
		ranks[r].Rank, ranks[r].Host = r, nodes[r].Host
	}
	return ranks, nil
}

// answer is what rank 0 hands each rank after judging: the verdicts of its
// GPUs, and the NCCL id of the network measurement where there is one.
type answer struct {
	Verdicts, NetworkID []byte
}

func encodeAnswer(a answer) []byte {
	var b bytes.Buffer
	_ = gob.NewEncoder(&b).Encode(a) // two byte slices always encode
	return b.Bytes()
}

func decodeAnswer(data []byte) (answer, error) {
	var a answer
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&a); err != nil {
		return answer{}, fmt.Errorf("decoding rank 0's answer: %w", err)
	}
	return a, nil
}

// measureNetwork is this rank's part of the network measurement, on the
// first GPU of its share that ran, given up after the options' timeout or
// when ctx ends (the measurement, stuck in NCCL, ends with the process).
func measureNetwork(ctx context.Context, o ClusterOptions, node Node, id []byte) NetworkRank {
	nr := NetworkRank{Rank: o.Place.Rank, Host: o.Host}
	ordinal, ok := networkGPU(node)
	if !ok {
		nr.Err = errors.New("no usable GPU in its share to gather on")
		return nr
	}
	type outcome struct {
		f   gpu.AllGatherFigure
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		measure := o.Network.Measure
		if measure == nil {
			measure = gpu.MeasureAllGather
		}
		f, err := measure(gpu.AllGatherOptions{Device: ordinal, Library: o.Network.Library, ID: id, Rank: o.Place.Rank, Ranks: o.Place.Ranks})
		done <- outcome{f, err}
	}()
	timer := time.NewTimer(o.Network.Timeout)
	defer timer.Stop()
	select {
	case out := <-done:
		nr.Figure, nr.Err = out.f, out.err
	case <-timer.C:
		nr.Err = fmt.Errorf("the all-gather did not end within %s (a rank did not join, or the network hangs)", o.Network.Timeout)
	case <-ctx.Done():
		nr.Err = fmt.Errorf("the all-gather was stopped: %w", context.Cause(ctx))
	}
	return nr
}

// networkWire is a rank's network figure as it travels.
type networkWire struct {
	Figure gpu.AllGatherFigure
	Err    string
}

func encodeNetworkRank(nr NetworkRank) []byte {
	var b bytes.Buffer
	_ = gob.NewEncoder(&b).Encode(networkWire{nr.Figure, errText(nr.Err)})
	return b.Bytes()
}

func decodeNetworkRank(data []byte) (NetworkRank, error) {
	var w networkWire
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return NetworkRank{}, fmt.Errorf("decoding a rank's network figure: %w", err)
	}
	return NetworkRank{Figure: w.Figure, Err: textErr(w.Err)}, nil
}

// validateShare validates this process's share of its machine's GPUs
// (cluster.Spec.Share: by the launcher's local rank and the
// process's binding), giving up at giveUp: a
// GPU or a driver that hangs must not keep the rank from reporting, nor
// from ending (the stuck goroutine ends with the process).
func validateShare(o ClusterOptions, giveUp time.Time) (Node, error) {
	type outcome struct {
		res   Result
		share string
		err   error
	}
	done := make(chan outcome, 1)
	go func() {
		res, share, err := o.Validate(o.Place.Share)
		done <- outcome{res, share, err}
	}()
	timer := time.NewTimer(time.Until(giveUp))
	defer timer.Stop()
	select {
	case out := <-done:
		if out.err != nil {
			return Node{Share: out.share}, out.err
		}
		return Node{Share: out.share, Result: &out.res}, nil
	case <-timer.C:
		limit := (o.Judge.Duration + o.NodeTimeout/2).String()
		if o.GiveUpName != "" {
			limit = o.GiveUpName + ", " + limit
		}
		return Node{}, fmt.Errorf("its validation did not end within %s (a GPU or its driver hangs)", limit)
	}
}

// nodeOf is rank 0's record of a rank: what it sent, or a failed node
// named by the host it greeted with, else the launcher's, and why.
func nodeOf(c cluster.Contribution, hosts []string) Node {
	host := string(c.Info)
	if host == "" && c.Rank < len(hosts) {
		host = hosts[c.Rank]
	}
	if c.Err != nil {
		return Node{Rank: c.Rank, Host: host, Err: errors.New(c.Err.Reason)}
	}
	n, err := DecodeNode(c.Data)
	if err != nil {
		return Node{Rank: c.Rank, Host: host, Err: err}
	}
	n.Rank = c.Rank
	if n.Host == "" {
		n.Host = host
	}
	return n
}

// reportToRankZero is a rank's part after its validation: its record to
// rank 0, and the verdicts rank 0 gives back (its GPUs judged among every
// node's), put on node's GPUs, and the NCCL id of a network measurement
// where rank 0 starts one. Its error says why, where rank 0 cannot be
// reached or does not answer, the node's verdict stays its own.
func reportToRankZero(ctx context.Context, part *cluster.Partial, node Node, data []byte, deadline time.Time, nodeTimeout time.Duration) (networkID []byte, err error) {
	// Rank 0 answers by its own deadline; it may have started up to the
	// join's limit before this rank.
	if _, err = part.GatherEach(context.WithoutCancel(ctx), data, deadline); err != nil {
		return nil, err
	}
	raw, err := part.Scatter(nil, deadline.Add(nodeTimeout))
	if err != nil {
		return nil, err
	}
	a, err := decodeAnswer(raw)
	if err != nil {
		return nil, err
	}
	if node.Result != nil {
		err = ApplyVerdicts(node.Result, a.Verdicts)
	}
	return a.NetworkID, err
}

// Pick is the devices of share among devs (share(len(devs)) are their
// indices) and the words a node's line names them by ("its share of 4
// GPUs: 0, 2"); with share nil, or taking every device, devs and "".
func Pick(devs []gpu.Device, share func(n int) []int) ([]gpu.Device, string) {
	if share == nil {
		return devs, ""
	}
	idx := share(len(devs))
	if len(idx) >= len(devs) {
		return devs, ""
	}
	if len(idx) == 0 {
		return []gpu.Device{}, fmt.Sprintf("its share of %d GPUs: none", len(devs))
	}
	mine := make([]gpu.Device, len(idx))
	ords := make([]string, len(idx))
	for i, k := range idx {
		mine[i], ords[i] = devs[k], fmt.Sprint(devs[k].Ordinal)
	}
	return mine, fmt.Sprintf("its share of %d GPUs: %s", len(devs), strings.Join(ords, ", "))
}

// oneLine joins a message of several lines into one, for a node's line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
}
