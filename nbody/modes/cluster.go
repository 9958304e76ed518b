package modes

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// A simulation over several processes: every process opens its GPUs,
// joins the others (package cluster: rank 0 hands out NCCL's unique id and
// every process's GPUs), and runs the same run as every other, step for
// step, with one NCCL communicator spanning every GPU of every process.
// Rank 0 alone reports and writes; its integrator's Bodies gathers every
// velocity from the others (over the rendezvous connections), and so does
// every other rank's, so that every rank's run computes the same.

// clusterGrace is how long a rank waits, once another has ended, for its
// GPU work to come out of the aborted exchange before giving up on it:
// with the liveness channel's 4 s for a silent peer, the rank still ends
// within 10 s of the other's end.
const clusterGrace = 3 * time.Second

// ClusterError is a run over several processes that cannot be run as
// asked (the CPU, host memory, the interactive mode).
type ClusterError struct{ Msg string }

// Error returns the message.
func (e *ClusterError) Error() string { return e.Msg }

// peerDevice is what a process tells the others of each of its GPUs.
type peerDevice struct {
	Host            string `json:"host"`
	Ordinal         int    `json:"ordinal"`
	Name            string `json:"name"`
	Major           int    `json:"major"`
	Minor           int    `json:"minor"`
	Multiprocessors int    `json:"multiprocessors"`
	TotalMemory     uint64 `json:"total_memory"`
	ClockKHz        int    `json:"clock_khz"`
}

// openCluster opens this process's GPUs as its part of a simulation over
// several processes (o.Cluster, resolved): it joins the others, learns
// every GPU of every process and the communicator's id, and opens the
// integrator over them all. A failure after the join is told to the other
// ranks, which end too.
func openCluster(ctx context.Context, o PlatformOptions) (*Platform, error) {
	spec := o.Cluster
	if o.CPU || o.HostMem {
		return nil, &ClusterError{"a simulation over several processes runs in GPU memory: not on the CPU, nor in host memory"}
	}
	// A process that cannot take part still joins, to tell the others at
	// once rather than leave them waiting for the join's time limit.
	local, setupErr := localGPUs(o)
	host, _ := os.Hostname()
	mine := make([]peerDevice, len(local))
	for i, d := range local {
		mine[i] = peerDevice{host, d.Ordinal, d.Name, d.Major, d.Minor, d.Multiprocessors, d.TotalMemory, d.ClockKHz}
	}
	info, err := json.Marshal(mine)
	if err != nil {
		return nil, fmt.Errorf("describing the GPUs to the other processes: %w", err)
	}
	// Rank 0 makes the id before the join, so that the others get it with
	// the table of GPUs.
	var secret []byte
	if spec.Rank == 0 && setupErr == nil {
		var id nccl.UniqueID
		var lib *nccl.Library
		if lib, setupErr = nccl.Open(cmp.Or(o.NCCLLibrary, nccl.LibraryName)); setupErr == nil {
			id, setupErr = lib.GetUniqueID()
		}
		if setupErr != nil {
			setupErr = fmt.Errorf("several processes exchange through NCCL: %w", setupErr)
		}
		secret = id.Internal[:]
	}
	s, err := cluster.Join(ctx, cluster.Config{Ranks: spec.Ranks, Rank: spec.Rank, Coordinator: spec.Coordinator,
		Info: info, Secret: secret})
	if err != nil {
		if setupErr != nil {
			// Why this process could not take part says more than the
			// join that failed after it.
			return nil, errors.Join(setupErr, fmt.Errorf("joining %d processes as rank %d: %w", spec.Ranks, spec.Rank, err))
		}
		return nil, fmt.Errorf("joining %d processes as rank %d: %w", spec.Ranks, spec.Rank, err)
	}
	fail := func(err error) (*Platform, error) {
		s.Fail(err)
		_ = s.Close()
		return nil, err
	}
	// What this rank finds wrong with the others' part (no GPUs, no id)
	// comes of their failure, which they are telling: report theirs.
	theirs := func(err error) (*Platform, error) {
		select {
		case <-s.Done():
			if perr := s.Err(); perr != nil {
				return nil, perr
			}
		case <-time.After(time.Second):
		}
		return fail(err)
	}
	if setupErr != nil {
		return fail(setupErr)
	}
	world, first, err := worldDevices(s.Infos, spec.Rank)
	if err != nil {
		return theirs(err)
	}
	w := &gpu.World{Devices: world, First: first, Processes: spec.Ranks}
	if copy(w.ID.Internal[:], s.Secret) != nccl.UniqueIDBytes {
		return theirs(fmt.Errorf("rank 0 handed out an NCCL id of %d bytes, not %d", len(s.Secret), nccl.UniqueIDBytes))
	}
	want := len(local)
	var g *gpu.Integrator
	ci := &clusterIntegrator{s: s}
	err = ci.guard(func() error {
		var err error
		g, err = gpu.New(gpu.Options{Precision: o.Precision, Physics: o.Physics, BlockSize: o.BlockSize,
			Device: local[0].Ordinal, NumDevices: want, Exchange: o.Exchange, World: w, NCCLLibrary: o.NCCLLibrary})
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("opening the GPU: %w", err))
	}
	ci.g = g
	return &Platform{Integrator: ci, GPU: g, Devices: world, Physics: o.Physics, BlockSize: o.BlockSize,
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

// worldDevices decodes every rank's GPUs, in rank order, and the global
// rank of the first of rank's.
func worldDevices(infos [][]byte, rank int) ([]gpu.Device, int, error) {
	var world []gpu.Device
	first := 0
	for r, in := range infos {
		var ds []peerDevice
		if err := json.Unmarshal(in, &ds); err != nil || len(ds) == 0 {
			return nil, 0, fmt.Errorf("rank %d described its GPUs as %q", r, in)
		}
		if r == rank {
			first = len(world)
		}
		for _, d := range ds {
			world = append(world, gpu.Device{Ordinal: d.Ordinal, Name: d.Name, Major: d.Major, Minor: d.Minor,
				Multiprocessors: d.Multiprocessors, TotalMemory: d.TotalMemory, ClockKHz: d.ClockKHz})
		}
	}
	return world, first, nil
}

// clusterIntegrator is one process's part of a simulation over several:
// the GPU integrator over the world, whose every call gives way when
// another process ends (its communicators aborted, the call abandoned
// after clusterGrace), and whose Bodies hold every velocity.
type clusterIntegrator struct {
	g worldPart
	s *cluster.Session
	// perStep is the wall time per step of the last Step call that
	// finished (0 before one), lastEnd when it returned; slack, the time
	// a call may take beyond stepLimitFactor times that (0:
	// stepLimitSlack). See stepLimit.
	perStep, slack time.Duration
	lastEnd        time.Time
}

// A Step call that takes stepLimitFactor times longer per step than the
// last, plus stepLimitSlack, is taken for a rank that hangs while its
// process lives (a GPU that stopped, a process stopped in a debugger): the
// liveness channel cannot see that, but every other rank then waits in
// the exchange. The limit is wide, as a false alarm ends a sound run.
const (
	stepLimitFactor = 10
	stepLimitSlack  = 30 * time.Second
)

// readBackLimit bounds reading the bodies back from this process's GPUs,
// a copy of a few gigabytes at most: past it a GPU hangs, and the other
// ranks, waiting for this one's velocities, would wait forever.
const readBackLimit = 2 * time.Minute

var errReadBackHangs = fmt.Errorf("reading the bodies back from the GPUs took over %s: a GPU hangs", readBackLimit)

// StepTimeError ends a run whose steps stopped progressing: some rank
// hangs, which one this rank cannot tell.
type StepTimeError struct {
	Steps          int
	Took, Expected time.Duration
}

// Error says how long the steps took against what they took before.
func (e *StepTimeError) Error() string {
	return fmt.Sprintf("%d steps took over %s where the steps before took %s each: a rank hangs (its GPU or its process stopped)",
		e.Steps, e.Took.Round(time.Second), e.Expected.Round(time.Millisecond))
}

// stepLimit is how long a Step call of steps steps may take; 0: no limit
// yet (no step measured). Twice the time since the last call ended is
// added: the ranks do the same work on their CPUs between steps (the
// comparison's float64 reference, the energy), and a faster rank waits in
// its next step's exchange for a slower one.
func (c *clusterIntegrator) stepLimit(steps int) time.Duration {
	if c.perStep <= 0 {
		return 0
	}
	slack := c.slack
	if slack <= 0 {
		slack = stepLimitSlack
	}
	return time.Duration(stepLimitFactor*steps)*c.perStep + slack + 2*time.Since(c.lastEnd)
}

// worldPart is what clusterIntegrator needs of the GPU integrator
// (*gpu.Integrator), and what the tests fake.
type worldPart interface {
	nbody.Integrator
	Abort() error
	LocalBodies() (first, count int)
}

var (
	_ nbody.Integrator = (*clusterIntegrator)(nil)
	_ worldPart        = (*gpu.Integrator)(nil)
	_ Observer         = quiet{}
)

func (c *clusterIntegrator) Name() string               { return c.g.Name() }
func (c *clusterIntegrator) Precision() nbody.Precision { return c.g.Precision() }

func (c *clusterIntegrator) SetBodies(b nbody.Bodies) error {
	return c.guard(func() error { return c.g.SetBodies(b) })
}

// Step steps the world; another process's end cancels it.
func (c *clusterIntegrator) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.s.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	var d time.Duration
	limit := c.stepLimit(steps)
	start := time.Now()
	late := &StepTimeError{Steps: steps, Took: limit, Expected: c.perStep}
	err := c.guardFor(limit, late, func() error {
		var err error
		d, err = c.g.Step(ctx, dt, steps)
		return err
	})
	if err != nil {
		// d is not read then: guard may have left the step running.
		return 0, err
	}
	if c.lastEnd = time.Now(); steps > 0 {
		c.perStep = c.lastEnd.Sub(start) / time.Duration(steps)
	}
	return d, nil
}

// Bodies reads every position from this process's GPUs and every velocity
// from every process: each rank's part gathered at rank 0, the whole
// handed back to every rank.
func (c *clusterIntegrator) Bodies(dst *nbody.Bodies) error {
	if err := c.guardFor(readBackLimit, errReadBackHangs, func() error { return c.g.Bodies(dst) }); err != nil {
		return err
	}
	first, count := c.g.LocalBodies()
	parts, err := c.s.Gather(encodeSpan(first, dst.Vel[4*first:4*(first+count)]))
	if err != nil {
		return fmt.Errorf("gathering the velocities: %w", err)
	}
	var all []byte
	if c.s.Rank == 0 {
		for r, p := range parts[1:] {
			if err := decodeSpan(p, dst.Vel); err != nil {
				return fmt.Errorf("the velocities of rank %d: %w", r+1, err)
			}
		}
		all = encodeSpan(0, dst.Vel)
	}
	if all, err = c.s.Broadcast(all); err != nil {
		return fmt.Errorf("sharing the velocities: %w", err)
	}
	if c.s.Rank != 0 {
		if err := decodeSpan(all, dst.Vel); err != nil {
			return fmt.Errorf("the velocities from rank 0: %w", err)
		}
	}
	return nil
}

// Close frees the GPUs and says goodbye to the other processes, once
// every process has come this far (no process frees its communicators
// while another may still use them). After another process's end (or
// this one's failure) the exchange may never complete: the communicators
// are aborted, in the background, and the rest is left to the process's
// exit, which is near.
func (c *clusterIntegrator) Close() error {
	if c.s.Err() == nil {
		if _, err := c.s.Gather(nil); err == nil {
			_, _ = c.s.Broadcast(nil)
		}
	}
	if c.s.Err() != nil {
		if c.g != nil {
			go c.g.Abort() // nothing waits for it: the process ends
		}
		return nil
	}
	var err error
	if c.g != nil {
		err = c.g.Close()
	}
	return errors.Join(err, c.s.Close())
}

// guard runs fn, which drives the GPUs, and returns its error, unless the
// session ends with another process's end first: then it aborts the
// communicators (in the background: NCCL's abort may itself wait for the
// network), waits up to clusterGrace for fn to come out, and returns the
// session's error, which names the rank.
func (c *clusterIntegrator) guard(fn func() error) error { return c.guardFor(0, nil, fn) }

// guardFor is guard with a time limit for fn (0: none), past which this
// rank fails with late, telling the others, and ends as when another rank
// ends.
func (c *clusterIntegrator) guardFor(limit time.Duration, late error, fn func() error) error {
	if err := c.s.Err(); err != nil {
		return err
	}
	var timeout <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		timeout = t.C
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if perr := c.s.Err(); perr != nil {
			return perr // fn failed because the other process ended
		}
		return err
	case <-c.s.Done():
	case <-timeout:
		c.s.Fail(late)
	}
	if c.s.Err() == nil {
		return <-done // closed, not failed
	}
	if c.g != nil {
		go c.g.Abort() // the session's error says what happened
	}
	select {
	case <-done:
	case <-time.After(clusterGrace):
	}
	return c.s.Err()
}

// encodeSpan writes float64 values, those of the bodies from first, with
// their position.
func encodeSpan(first int, vals []float64) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(first))
	out = binary.LittleEndian.AppendUint64(out, uint64(len(vals)))
	for _, v := range vals {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return out
}

// decodeSpan puts an encodeSpan's values in their place in dst.
func decodeSpan(b []byte, dst []float64) error {
	if len(b) < 16 {
		return errors.New("a short message")
	}
	first, n := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	b = b[16:]
	if n != uint64(len(b)/8) || uint64(len(b))%8 != 0 || 4*first+n > uint64(len(dst)) {
		return fmt.Errorf("%d values from body %d do not fit %d bodies", n, first, len(dst)/4)
	}
	for i := range n {
		dst[4*first+i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return nil
}

// shareBodies hands rank 0's bodies (read from a file) to every rank.
func shareBodies(s *cluster.Session, b nbody.Bodies) (nbody.Bodies, error) {
	var msg []byte
	if s.Rank == 0 {
		msg = append(encodeSpan(0, b.Pos), encodeSpan(0, b.Vel)...)
	}
	msg, err := s.Broadcast(msg)
	if err != nil {
		return nbody.Bodies{}, fmt.Errorf("receiving the bodies from rank 0: %w", err)
	}
	if s.Rank == 0 {
		return b, nil
	}
	if len(msg) < 16 {
		return nbody.Bodies{}, errors.New("rank 0 sent no bodies")
	}
	n := binary.LittleEndian.Uint64(msg[8:])
	if n%4 != 0 || uint64(len(msg)) < 16+8*n || n/4 > nbody.MaxBodies {
		return nbody.Bodies{}, fmt.Errorf("rank 0 sent %d values, not whole bodies", n)
	}
	out := nbody.NewBodies(int(n / 4))
	half := 16 + 8*n
	if err := decodeSpan(msg[:half], out.Pos); err != nil {
		return nbody.Bodies{}, fmt.Errorf("the positions from rank 0: %w", err)
	}
	if err := decodeSpan(msg[half:], out.Vel); err != nil {
		return nbody.Bodies{}, fmt.Errorf("the velocities from rank 0: %w", err)
	}
	return out, nil
}

// quiet is the observer of ranks other than 0, which report nothing.
type quiet struct{}

func (quiet) Opened(*Platform)             {}
func (quiet) Reading(string)               {}
func (quiet) Bodies(BodiesInfo)            {}
func (quiet) Long(int, int, time.Duration) {}
func (quiet) Benchmarked(BenchmarkResult)  {}
func (quiet) Compared(Comparison)          {}
func (quiet) Viewing(ViewPlan)             {}
func (quiet) Status(Status)                {}
func (quiet) Viewed(ViewResult)            {}
func (quiet) Drawn(Drawing)                {}
func (quiet) Energy(EnergyResult)          {}
func (quiet) Saved(string)                 {}
