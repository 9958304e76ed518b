package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/validate"
)

// hostname names this machine in a cluster's report; tests name theirs.
var hostname = os.Hostname

// validateCluster is -alldevices over several processes (a launcher's, or
// -ranks): each validates its share of its machine's GPUs (cluster.Share:
// all of them for one process a machine) and sends its record to rank 0,
// which holds every GPU to those of its model on every node, prints a line
// per GPU, per node and for the cluster, and hands each rank back its
// GPUs' verdicts. Rank 0 waits -node-timeout for the ranks to connect and
// -duration + -node-timeout from its start for their records; a rank that
// never came, ended, fell silent or gave nothing by then is a failed node,
// and the others' verdicts stand. Every rank fails (errValidationFailed)
// when a GPU of its own failed, rank 0 also when any node did. The
// summary is this rank's node line (rank 0's, then the cluster's), for
// -termination-log.
func (a *app) validateCluster() (string, error) {
	o := a.o
	began := time.Now()
	host, _ := hostname()
	place := o.place
	part, err := cluster.JoinPartial(context.WithoutCancel(a.ctx), cluster.Config{
		Ranks: place.Ranks, Rank: place.Rank, Coordinator: place.Coordinator, Info: []byte(host), JoinTimeout: o.nodeTimeout,
		Job: place.Job, Key: place.Key(),
	})
	if err != nil {
		return "", err
	}
	defer part.Close()
	deadline := began.Add(o.duration + o.nodeTimeout)

	node, err := a.validateShare(began.Add(o.duration + o.nodeTimeout/2))
	node.Rank, node.Host = place.Rank, host
	if err != nil {
		node.Err = fmt.Errorf("cannot validate its GPUs: %s", oneLine(err.Error()))
		fmt.Fprintf(a.errw, "Error: rank %d (%s): %s\n", place.Rank, host, oneLine(err.Error()))
	}
	data, err := validate.EncodeNode(node)
	if err != nil {
		return "", err
	}
	if place.Rank != 0 {
		return a.reportToRankZero(part, node, data, deadline)
	}

	contribs, err := part.GatherEach(a.ctx, data, deadline)
	if err != nil {
		return "", err
	}
	hosts := place.RankHostsFrom(os.LookupEnv, host) // this host as the report names it
	nodes := make([]validate.Node, len(contribs))
	for r, c := range contribs {
		nodes[r] = nodeOf(c, hosts)
	}
	nodes[0] = node
	opts := a.validateOptions()
	validate.JudgeCluster(nodes, opts)
	parts := make([][]byte, len(nodes))
	for r, n := range nodes {
		if r > 0 && n.Result != nil {
			parts[r], _ = validate.EncodeVerdicts(validate.VerdictsOf(n)) // a node without its verdicts keeps its own
		}
	}
	_, _ = part.Scatter(parts, deadline)
	cl := validate.Cluster{Nodes: nodes, Elapsed: time.Since(began)}
	for _, line := range cl.Lines() {
		fmt.Fprintln(a.out, "> "+line)
	}
	a.report.Cluster = &cl
	if node.Result != nil {
		a.report.Bodies = node.Result.Bodies
	}
	summary := node.String() + "\n" + cl.String()
	if !cl.Passed() {
		return summary, errValidationFailed
	}
	return summary, nil
}

// validateShare validates this process's share of its machine's GPUs
// (cluster.Share, by the launcher's local rank), giving up at giveUp: a
// GPU or a driver that hangs must not keep the rank from reporting, nor
// from ending (the stuck goroutine ends with the process).
func (a *app) validateShare(giveUp time.Time) (validate.Node, error) {
	type outcome struct {
		res   validate.Result
		share string
		err   error
	}
	done := make(chan outcome, 1)
	go func() {
		local, size, _ := a.o.place.Local()
		res, share, err := a.validateHere(func(n int) []int { return cluster.Share(n, local, size) })
		done <- outcome{res, share, err}
	}()
	timer := time.NewTimer(time.Until(giveUp))
	defer timer.Stop()
	select {
	case out := <-done:
		if out.err != nil {
			return validate.Node{Share: out.share}, out.err
		}
		return validate.Node{Share: out.share, Result: &out.res}, nil
	case <-timer.C:
		return validate.Node{}, fmt.Errorf("its validation did not end within -duration + half of -node-timeout, %s (a GPU or its driver hangs)",
			a.o.duration+a.o.nodeTimeout/2)
	}
}

// nodeOf is rank 0's record of a rank: what it sent, or a failed node
// named by the host it greeted with, else the launcher's, and why.
func nodeOf(c cluster.Contribution, hosts []string) validate.Node {
	host := string(c.Info)
	if host == "" && c.Rank < len(hosts) {
		host = hosts[c.Rank]
	}
	if c.Err != nil {
		return validate.Node{Rank: c.Rank, Host: host, Err: errors.New(c.Err.Reason)}
	}
	n, err := validate.DecodeNode(c.Data)
	if err != nil {
		return validate.Node{Rank: c.Rank, Host: host, Err: err}
	}
	n.Rank = c.Rank
	if n.Host == "" {
		n.Host = host
	}
	return n
}

// reportToRankZero is a rank's part after its validation: its record to
// rank 0, and the verdicts rank 0 gives back (its GPUs judged among every
// node's). Where rank 0 cannot be reached or does not answer, the rank's
// verdict is its own, judged among its own GPUs, and stderr says why.
func (a *app) reportToRankZero(part *cluster.Partial, node validate.Node, data []byte, deadline time.Time) (string, error) {
	o := a.o
	// Rank 0 answers by its own deadline; it may have started up to the
	// join's limit before this rank.
	_, err := part.GatherEach(context.WithoutCancel(a.ctx), data, deadline)
	if err == nil {
		var answer []byte
		answer, err = part.Scatter(nil, deadline.Add(o.nodeTimeout))
		if err == nil && node.Result != nil {
			err = validate.ApplyVerdicts(node.Result, answer)
		}
	}
	if err != nil {
		fmt.Fprintf(a.errw, "> Rank %d (%s): %s; its verdict is its own, among its own GPUs\n", node.Rank, node.Host, oneLine(err.Error()))
	}
	summary := node.String()
	fmt.Fprintln(a.errw, "> "+summary)
	if !node.Passed() {
		return summary, errValidationFailed
	}
	return summary, nil
}
