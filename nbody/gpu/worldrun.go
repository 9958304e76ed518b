package gpu

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
	"github.com/nbody-go/nbody/nbody/nccl"
)

// A simulation over several processes: every process opens its GPUs,
// joins the others through a rendezvous (package cluster: rank 0 hands
// out the NCCL id of NewWorldID and every process's DescribeDevices), and
// runs the same run as every other, step for step, with one NCCL
// communicator spanning every GPU of every process (World). Rank 0 alone
// reports and writes; its Member's Bodies gathers every velocity from the
// others (over the rendezvous connections), and so does every other
// rank's, so that every rank's run computes the same.

// Peers is what a process needs of the others beside the communicator:
// the rendezvous that joined them, kept open as a liveness channel and
// for the few bulk transfers a run needs. *cluster.Session satisfies it;
// this package names only what it uses, and imports no rendezvous.
type Peers interface {
	// Gather collects every rank's data at rank 0, in rank order; the
	// other ranks get nil. Broadcast hands rank 0's data to every rank.
	// Every rank calls them at the same point of its run.
	Gather(data []byte) ([][]byte, error)
	Broadcast(data []byte) ([]byte, error)
	// Fail ends the session because this process failed, telling the
	// others; Close ends it after a run that succeeded.
	Fail(err error)
	Close() error
	// Done is closed when the session ends; Err then says why: another
	// process's end or this one's failure (nil after Close).
	Done() <-chan struct{}
	Err() error
}

// Membership is a process's place in a world, as the rendezvous gave it.
type Membership struct {
	Peers     Peers
	Rank      int      // this process's, from 0
	Processes int      // in the world
	Infos     [][]byte // every rank's DescribeDevices, in rank order
	ID        []byte   // the communicator's id, rank 0's NewWorldID
}

// worldGrace is how long a rank waits, once another has ended, for its
// GPU work to come out of the aborted exchange before giving up on it:
// with the liveness channel's 4 s for a silent peer, the rank still ends
// within 10 s of the other's end.
const worldGrace = 3 * time.Second

// NewWorldID opens NCCL (the library at library, or nccl.LibraryName as
// the dynamic loader finds it when empty) and makes the id of a world's
// communicator, which one process (rank 0) makes before the join and hands
// to every other.
func NewWorldID(library string) ([]byte, error) {
	lib, err := nccl.Open(cmp.Or(library, nccl.LibraryName))
	if err != nil {
		return nil, err
	}
	id, err := lib.GetUniqueID()
	if err != nil {
		return nil, err
	}
	return id.Internal[:], nil
}

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

// DescribeDevices is what a process tells the others of its GPUs, for
// Membership.Infos: each one's host, ordinal, name and figures.
func DescribeDevices(devs []Device) ([]byte, error) {
	host, _ := os.Hostname()
	mine := make([]peerDevice, len(devs))
	for i, d := range devs {
		mine[i] = peerDevice{host, d.Ordinal, d.Name, d.Major, d.Minor, d.Multiprocessors, d.TotalMemory, d.ClockKHz}
	}
	return json.Marshal(mine)
}

// OpenMember opens this process's GPUs (o.Device, o.NumDevices of them)
// as its part of the world m: every GPU of every process, split and
// exchanged as one. A failure is told to the other processes, which end
// too; a world that the others described wrong is their failure, which
// they are telling, and the error is theirs where it comes within a
// second. Close the Member when done.
func OpenMember(o Options, m Membership) (*Member, error) {
	fail := func(err error) (*Member, error) {
		m.Peers.Fail(err)
		_ = m.Peers.Close()
		return nil, err
	}
	// What this rank finds wrong with the others' part (no GPUs, no id)
	// comes of their failure, which they are telling: report theirs.
	theirs := func(err error) (*Member, error) {
		select {
		case <-m.Peers.Done():
			if perr := m.Peers.Err(); perr != nil {
				return nil, perr
			}
		case <-time.After(time.Second):
		}
		return fail(err)
	}
	world, first, err := worldDevices(m.Infos, m.Rank)
	if err != nil {
		return theirs(err)
	}
	w := &World{Devices: world, First: first, Processes: m.Processes}
	if copy(w.ID.Internal[:], m.ID) != nccl.UniqueIDBytes {
		return theirs(fmt.Errorf("rank 0 handed out an NCCL id of %d bytes, not %d", len(m.ID), nccl.UniqueIDBytes))
	}
	o.World = w
	var g *Integrator
	c := &Member{peers: m.Peers, rank: m.Rank, world: world}
	err = c.guard(func() error {
		var err error
		g, err = New(o)
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("opening the GPU: %w", err))
	}
	c.g, c.local = g, g
	return c, nil
}

// worldDevices decodes every rank's GPUs, in rank order, and the global
// rank of the first of rank's.
func worldDevices(infos [][]byte, rank int) ([]Device, int, error) {
	var world []Device
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
			world = append(world, Device{Ordinal: d.Ordinal, Name: d.Name, Major: d.Major, Minor: d.Minor,
				Multiprocessors: d.Multiprocessors, TotalMemory: d.TotalMemory, ClockKHz: d.ClockKHz})
		}
	}
	return world, first, nil
}

// Member is one process's part of a simulation over several: the GPU
// integrator over the world, whose every call gives way when another
// process ends (its communicators aborted, the call abandoned after
// worldGrace), and whose Bodies hold every velocity.
type Member struct {
	g     worldPart
	local *Integrator // g, where it is one (not in tests)
	peers Peers
	rank  int
	world []Device
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
func (c *Member) stepLimit(steps int) time.Duration {
	if c.perStep <= 0 {
		return 0
	}
	slack := c.slack
	if slack <= 0 {
		slack = stepLimitSlack
	}
	return time.Duration(stepLimitFactor*steps)*c.perStep + slack + 2*time.Since(c.lastEnd)
}

// worldPart is what Member needs of the GPU integrator, and what the
// tests fake.
type worldPart interface {
	nbody.Integrator
	Abort() error
	LocalBodies() (first, count int)
}

var (
	_ nbody.Integrator = (*Member)(nil)
	_ worldPart        = (*Integrator)(nil)
)

// Local is this process's GPU integrator, over its devices of the world.
func (c *Member) Local() *Integrator { return c.local }

// Devices are every GPU of every process, in global rank order.
func (c *Member) Devices() []Device { return c.world }

func (c *Member) Name() string               { return c.g.Name() }
func (c *Member) Precision() nbody.Precision { return c.g.Precision() }

func (c *Member) SetBodies(b nbody.Bodies) error {
	return c.guard(func() error { return c.g.SetBodies(b) })
}

// Step steps the world; another process's end cancels it.
func (c *Member) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.peers.Done():
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
func (c *Member) Bodies(dst *nbody.Bodies) error {
	if err := c.guardFor(readBackLimit, errReadBackHangs, func() error { return c.g.Bodies(dst) }); err != nil {
		return err
	}
	first, count := c.g.LocalBodies()
	parts, err := c.peers.Gather(encodeSpan(first, dst.Vel[4*first:4*(first+count)]))
	if err != nil {
		return fmt.Errorf("gathering the velocities: %w", err)
	}
	var all []byte
	if c.rank == 0 {
		for r, p := range parts[1:] {
			if err := decodeSpan(p, dst.Vel); err != nil {
				return fmt.Errorf("the velocities of rank %d: %w", r+1, err)
			}
		}
		all = encodeSpan(0, dst.Vel)
	}
	if all, err = c.peers.Broadcast(all); err != nil {
		return fmt.Errorf("sharing the velocities: %w", err)
	}
	if c.rank != 0 {
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
func (c *Member) Close() error {
	if c.peers.Err() == nil {
		if _, err := c.peers.Gather(nil); err == nil {
			_, _ = c.peers.Broadcast(nil)
		}
	}
	if c.peers.Err() != nil {
		if c.g != nil {
			go c.g.Abort() // nothing waits for it: the process ends
		}
		return nil
	}
	var err error
	if c.g != nil {
		err = c.g.Close()
	}
	return errors.Join(err, c.peers.Close())
}

// guard runs fn, which drives the GPUs, and returns its error, unless the
// session ends with another process's end first: then it aborts the
// communicators (in the background: NCCL's abort may itself wait for the
// network), waits up to worldGrace for fn to come out, and returns the
// session's error, which names the rank.
func (c *Member) guard(fn func() error) error { return c.guardFor(0, nil, fn) }

// guardFor is guard with a time limit for fn (0: none), past which this
// rank fails with late, telling the others, and ends as when another rank
// ends.
func (c *Member) guardFor(limit time.Duration, late error, fn func() error) error {
	if err := c.peers.Err(); err != nil {
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
		if perr := c.peers.Err(); perr != nil {
			return perr // fn failed because the other process ended
		}
		return err
	case <-c.peers.Done():
	case <-timeout:
		c.peers.Fail(late)
	}
	if c.peers.Err() == nil {
		return <-done // closed, not failed
	}
	if c.g != nil {
		go c.g.Abort() // the session's error says what happened
	}
	select {
	case <-done:
	case <-time.After(worldGrace):
	}
	return c.peers.Err()
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

// ShareBodies hands rank 0's bodies (read from a file) to every rank: rank
// 0 passes them and gets them back, the others pass none and get rank 0's.
// Every rank calls it at the same point of its run.
func ShareBodies(p Peers, rank int, b nbody.Bodies) (nbody.Bodies, error) {
	var msg []byte
	if rank == 0 {
		msg = append(encodeSpan(0, b.Pos), encodeSpan(0, b.Vel)...)
	}
	msg, err := p.Broadcast(msg)
	if err != nil {
		return nbody.Bodies{}, fmt.Errorf("receiving the bodies from rank 0: %w", err)
	}
	if rank == 0 {
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
