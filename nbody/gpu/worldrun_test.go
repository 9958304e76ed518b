package gpu

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
)

// fakePart is one process's part of a world of two, without a GPU: it
// holds the bodies, its velocities are those of its half only (as a GPU
// integrator's are), and with block set its Step waits until Abort, as a
// collective waits for a process that is gone.
type fakePart struct {
	rank    int
	b       nbody.Bodies
	block   bool
	aborted chan struct{}
	once    sync.Once
}

func newFakePart(rank int) *fakePart { return &fakePart{rank: rank, aborted: make(chan struct{})} }

func (f *fakePart) Name() string               { return "fake" }
func (f *fakePart) Precision() nbody.Precision { return nbody.Double }
func (f *fakePart) Close() error               { return nil }
func (f *fakePart) SetBodies(b nbody.Bodies) error {
	f.b = nbody.Bodies{Pos: append([]float64(nil), b.Pos...), Vel: append([]float64(nil), b.Vel...)}
	return nil
}

func (f *fakePart) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	if f.block {
		<-f.aborted
		return 0, context.Canceled
	}
	return time.Millisecond, nil
}

// Bodies gives every position and the velocities of this part's half.
func (f *fakePart) Bodies(dst *nbody.Bodies) error {
	dst.Pos = append(dst.Pos[:0], f.b.Pos...)
	dst.Vel = make([]float64, len(f.b.Vel))
	first, count := f.LocalBodies()
	copy(dst.Vel[4*first:4*(first+count)], f.b.Vel[4*first:4*(first+count)])
	return nil
}

func (f *fakePart) LocalBodies() (int, int) {
	n := f.b.N()
	if f.rank == 0 {
		return 0, n / 3
	}
	return n / 3, n - n/3
}

func (f *fakePart) Abort() error {
	f.once.Do(func() { close(f.aborted) })
	return nil
}

// joinTwo joins two ranks over the loopback address.
func joinTwo(t *testing.T) [2]*cluster.Session {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var ss [2]*cluster.Session
	var errs [2]error
	var wg sync.WaitGroup
	for r := range 2 {
		wg.Go(func() {
			ss[r], errs[r] = cluster.Join(context.Background(), cluster.Config{Ranks: 2, Rank: r, Coordinator: addr,
				Info: []byte("[]"), Secret: make([]byte, 128), JoinTimeout: 10 * time.Second, Heartbeat: 100 * time.Millisecond})
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	return ss
}

// Every rank's Bodies holds every velocity, each from the rank that
// integrates it, and rank 0's bodies read from a file reach the others.
func TestClusterBodies(t *testing.T) {
	ss := joinTwo(t)
	in, err := nbody.Generate(nbody.Shell, 1001, nbody.DefaultParams(1001), 7)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := [2]nbody.Bodies{}
	for r := range 2 {
		wg.Go(func() {
			src := in
			if r != 0 {
				src = nbody.Bodies{} // as if only rank 0 could read the file
			}
			b, err := ShareBodies(ss[r], r, src)
			if !assert.NoError(t, err) {
				return
			}
			c := &Member{g: newFakePart(r), peers: ss[r], rank: r}
			assert.NoError(t, c.SetBodies(b))
			_, err = c.Step(context.Background(), 0.01, 3)
			assert.NoError(t, err)
			assert.NoError(t, c.Bodies(&got[r]))
			assert.NoError(t, c.Close())
		})
	}
	wg.Wait()
	for r := range 2 {
		assert.Equal(t, in, got[r], "rank %d", r)
		assert.NoError(t, ss[r].Err())
	}
}

// The failure case in the library: rank 1 ends while rank 0's
// step waits on the exchange; rank 0's step aborts the communicators and
// returns an error naming rank 1, well within 10 s.
func TestClusterPeerEndsMidStep(t *testing.T) {
	ss := joinTwo(t)
	part := newFakePart(0)
	part.block = true
	c := &Member{g: part, peers: ss[0]}
	go func() {
		time.Sleep(200 * time.Millisecond)
		ss[1].Fail(assert.AnError) // rank 1 dies: its connection ends with its word
	}()
	start := time.Now()
	_, err := c.Step(context.Background(), 0.01, 10)
	took := time.Since(start)
	var pe *cluster.PeerError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Rank)
	assert.Less(t, took, 10*time.Second)
	select {
	case <-part.aborted:
	default:
		t.Fatal("the communicators were not aborted")
	}
	// The platform closes without waiting for the aborted exchange.
	assert.NoError(t, c.Close())
}

// A step that does not come out of the aborted exchange is abandoned
// after worldGrace: the process can still exit.
func TestClusterGuardGivesUp(t *testing.T) {
	ss := joinTwo(t)
	c := &Member{g: newFakePart(0), peers: ss[0]}
	stuck := make(chan struct{})
	defer close(stuck)
	go ss[1].Fail(assert.AnError)
	start := time.Now()
	err := c.guard(func() error { <-stuck; return nil })
	var pe *cluster.PeerError
	require.ErrorAs(t, err, &pe)
	assert.InDelta(t, worldGrace.Seconds(), time.Since(start).Seconds(), 1)
}

func TestSpanCodec(t *testing.T) {
	dst := make([]float64, 12)
	require.NoError(t, decodeSpan(encodeSpan(1, []float64{1, 2, 3, 4, 5}), dst))
	assert.Equal(t, []float64{0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0}, dst)
	assert.Error(t, decodeSpan(encodeSpan(2, make([]float64, 8)), dst), "past the end")
	assert.Error(t, decodeSpan([]byte{1, 2}, dst))
}

// A step far slower than the ones before (a rank that hangs while its
// process lives) ends the run with a *StepTimeError, told to the other
// ranks, which end naming this one.
func TestClusterStepTimeLimit(t *testing.T) {
	ss := joinTwo(t)
	part := newFakePart(0)
	c := &Member{g: part, peers: ss[0], slack: 300 * time.Millisecond}
	require.NoError(t, c.SetBodies(nbody.NewBodies(8)))
	assert.Zero(t, c.stepLimit(5), "no limit before a step is measured")
	_, err := c.Step(context.Background(), 0.01, 5)
	require.NoError(t, err)
	assert.Greater(t, c.stepLimit(5), 300*time.Millisecond)
	part.block = true // the next step waits, as for a rank that hangs
	start := time.Now()
	_, err = c.Step(context.Background(), 0.01, 5)
	var te *StepTimeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 5, te.Steps)
	assert.Less(t, time.Since(start), 5*time.Second)
	select {
	case <-part.aborted:
	default:
		t.Fatal("the communicators were not aborted")
	}
	select {
	case <-ss[1].Done():
	case <-time.After(5 * time.Second):
		t.Fatal("rank 1 did not hear of it")
	}
	var pe *cluster.PeerError
	require.ErrorAs(t, ss[1].Err(), &pe)
	assert.Equal(t, 0, pe.Rank)
	assert.Contains(t, pe.Reason, "a rank hangs")
}

// What a process tells of its GPUs makes, in every process, the same
// world, with each process's first GPU at its global rank.
func TestWorldDevices(t *testing.T) {
	a, err := DescribeDevices([]Device{{Ordinal: 0, Name: "a", Multiprocessors: 132}, {Ordinal: 1, Name: "a", Multiprocessors: 132}})
	require.NoError(t, err)
	b, err := DescribeDevices([]Device{{Ordinal: 3, Name: "b", Multiprocessors: 78, ClockKHz: 1980000}})
	require.NoError(t, err)
	world, first, err := worldDevices([][]byte{a, b}, 1)
	require.NoError(t, err)
	require.Len(t, world, 3)
	assert.Equal(t, 2, first)
	assert.Equal(t, Device{Ordinal: 3, Name: "b", Multiprocessors: 78, ClockKHz: 1980000}, world[2])
	none, err := DescribeDevices(nil)
	require.NoError(t, err)
	_, _, err = worldDevices([][]byte{a, none}, 0)
	assert.ErrorContains(t, err, "rank 1 described its GPUs as")
}
