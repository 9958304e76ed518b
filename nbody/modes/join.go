package modes

import (
	"context"
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// A simulation over several processes, as the modes see it: this process
// lists its GPUs, joins the others through package cluster (handing over
// its GPUs' description and, at rank 0, the communicator's id), and gives
// the session to gpu.OpenMember, which runs its part of the world.

// ClusterError is a run over several processes that cannot be run as
// asked (the CPU, host memory, the interactive mode).
type ClusterError struct{ Msg string }

// Error returns the message.
func (e *ClusterError) Error() string { return e.Msg }

// openCluster opens this process's GPUs as its part of a simulation over
// several processes (o.Cluster, resolved): it joins the others, learns
// every GPU of every process and the communicator's id, and opens the
// integrator over them all. A failure after the join is told to the other
// ranks, which end too.
func openCluster(ctx context.Context, o PlatformOptions, obs Observer) (*Platform, error) {
	spec := o.Cluster
	if o.CPU || o.HostMem {
		return nil, &ClusterError{"a simulation over several processes runs in GPU memory: not on the CPU, nor in host memory"}
	}
	local, setupErr := localGPUs(o)
	info, err := gpu.DescribeDevices(local)
	if err != nil {
		return nil, fmt.Errorf("describing the GPUs to the other processes: %w", err)
	}
	// Rank 0 makes the id before the join, so that the others get it with
	// the table of GPUs.
	var secret []byte
	if spec.Rank == 0 && setupErr == nil {
		if secret, setupErr = gpu.NewWorldID(o.NCCLLibrary); setupErr != nil {
			setupErr = fmt.Errorf("several processes exchange through NCCL: %w", setupErr)
		}
	}
	cfg := cluster.Config{Ranks: spec.Ranks, Rank: spec.Rank, Coordinator: spec.Coordinator, Info: info, Secret: secret,
		Job: spec.Job, Key: spec.Key()}
	if setupErr != nil {
		// Say so now, then tell the others, which end at once instead of
		// waiting for the join's time limit; rank 0 answers every rank
		// that comes until all have heard.
		obs.tell(Withdrawing{Rank: spec.Rank, Ranks: spec.Ranks, Reason: setupErr, Limit: cluster.DefaultJoinTimeout})
		if werr := cluster.Withdraw(ctx, cfg, setupErr); werr != nil {
			return nil, errors.Join(setupErr, fmt.Errorf("telling the other processes: %w", werr))
		}
		return nil, setupErr
	}
	s, err := cluster.Join(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("joining %d processes as rank %d: %w", spec.Ranks, spec.Rank, err)
	}
	m, err := gpu.OpenMember(gpu.Options{Precision: o.Precision, Physics: o.Physics, BlockSize: o.BlockSize,
		Device: local[0].Ordinal, NumDevices: len(local), Exchange: o.Exchange, NCCLLibrary: o.NCCLLibrary},
		gpu.Membership{Peers: s, Rank: spec.Rank, Processes: spec.Ranks, Infos: s.Infos, ID: s.Secret})
	if err != nil {
		return nil, err
	}
	return &Platform{Integrator: m, GPU: m.Local(), Devices: m.Devices(), Physics: o.Physics, BlockSize: o.BlockSize,
		Session: s, Rank: spec.Rank}, nil
}

// localGPUs lists the GPUs this process contributes: NumDevices from
// Device on, as in one process; but where a launcher started a process
// per GPU and left every GPU visible to each (its local rank known, more
// than one GPU seen, neither Device nor NumDevices asked for), the GPU of
// the local rank, as launched programs do (torch.cuda.set_device).
func localGPUs(o PlatformOptions) ([]gpu.Device, error) {
	devs, err := gpu.Devices()
	if err != nil {
		if errors.Is(err, gpu.ErrUnavailable) {
			return nil, &NoGPUError{Reason: unavailableReason(err)}
		}
		return nil, fmt.Errorf("listing CUDA devices: %w", err)
	}
	want, first := max(1, o.NumDevices), o.Device
	if c := o.Cluster; c.HasLocalRank && first == 0 && want == 1 && len(devs) > 1 {
		if c.LocalRank >= len(devs) {
			return nil, fmt.Errorf("%s started this process as number %d on its machine, which has %d GPUs: start at most one process per GPU",
				c.Launcher, c.LocalRank, len(devs))
		}
		first = c.LocalRank
	}
	if first >= len(devs) {
		return nil, &DeviceRangeError{Device: first, Count: len(devs)}
	}
	if first+want > len(devs) {
		return nil, fmt.Errorf("only %d Devices available, %d requested.  Exiting.", len(devs)-first, want)
	}
	return devs[first : first+want], nil
}
