package main

import (
	"fmt"
	"os"

	"github.com/nbody-go/nbody/nbody/validate"
)

// hostname names this machine in a cluster's report; tests name theirs.
var hostname = os.Hostname

// validateCluster is -alldevices over several processes (a launcher's, or
// -ranks): validate.RunCluster with this process's share validated as
// -alldevices validates its GPUs (validateHere, and so the tests' fake
// GPUs), bounded by -node-timeout. Rank 0 prints a line per GPU, per node
// and for the cluster; another rank, on stderr, its node's line and why
// its verdict is its own where rank 0's did not come. Every rank fails
// (errValidationFailed) when a GPU of its own failed, rank 0 also when any
// node did. The summary is this rank's node line (rank 0's, then the
// cluster's), for -termination-log.
func (a *app) validateCluster() (string, error) {
	o := a.o
	host, _ := hostname()
	co := validate.ClusterOptions{
		Place: o.place, Host: host, RankHosts: o.place.RankHostsFrom(os.LookupEnv, host), NodeTimeout: o.nodeTimeout,
		Judge: a.validateOptions(), Validate: a.validateHere, GiveUpName: "-duration + half of -node-timeout",
		ShareFailed: func(err error) {
			fmt.Fprintf(a.errw, "Error: rank %d (%s): %s\n", o.place.Rank, host, oneLine(err.Error()))
		},
	}
	if o.network {
		co.Network = &validate.NetworkOptions{Library: o.ncclLibrary, NewID: devices.networkID, Measure: devices.allGather,
			FloorGBps: o.networkFloor, Timeout: o.nodeTimeout}
	}
	out, err := validate.RunCluster(a.ctx, co)
	if err != nil {
		return "", err
	}
	node := out.Node
	summary := node.String()
	if cl := out.Cluster; cl != nil {
		for _, line := range cl.Lines() {
			fmt.Fprintln(a.out, "> "+line)
		}
		a.report.Cluster = cl
		if node.Result != nil {
			a.report.Bodies = node.Result.Bodies
		}
		summary += "\n" + cl.String()
	} else {
		if out.OwnVerdict != nil {
			fmt.Fprintf(a.errw, "> Rank %d (%s): %s; its verdict is its own, among its own GPUs\n", node.Rank, node.Host, oneLine(out.OwnVerdict.Error()))
		}
		if out.Network != nil {
			fmt.Fprintln(a.errw, "> "+out.Network.String())
		}
		fmt.Fprintln(a.errw, "> "+summary)
	}
	if !out.Passed() {
		return summary, errValidationFailed
	}
	return summary, nil
}
