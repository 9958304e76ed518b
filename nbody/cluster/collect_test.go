package cluster

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// partialRankZero starts rank 0 of a tolerant gathering of ranks at a
// free loopback address, closed when the test ends, and the Config of
// each rank: host name "h" and its rank, a join of 2 s, heartbeats of 0.1 s.
func partialRankZero(t *testing.T, ranks int) (string, func(r int) Config, *Partial) {
	t.Helper()
	addr := freeAddress(t)
	cfg := func(r int) Config {
		return Config{Ranks: ranks, Rank: r, Coordinator: addr, Info: []byte{'h', byte('0' + r)}, JoinTimeout: 2 * time.Second, Heartbeat: 100 * time.Millisecond}
	}
	zero, err := JoinPartial(context.Background(), cfg(0))
	require.NoError(t, err)
	t.Cleanup(zero.Close)
	return addr, cfg, zero
}

// A tolerant gathering of four ranks: rank 1 gives its data and gets its
// answer, rank 2 never comes, rank 3 comes and its connection closes
// before its data. Rank 0 has each one's part or why none came, by its
// deadline, and nobody waits for rank 2.
func TestJoinPartialGathersWhatComes(t *testing.T) {
	addr, cfg, zero := partialRankZero(t, 4)
	one, err := JoinPartial(context.Background(), cfg(1))
	require.NoError(t, err)
	defer one.Close()

	// Rank 3 greets by hand, then hangs up.
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	p := newPeer(0, conn)
	challenge, err := p.readChallenge()
	require.NoError(t, err)
	require.NoError(t, p.write(kindHello, greetingBody(Config{Ranks: 4, Rank: 3}, []byte("h3"), newNonce(), challenge)))
	kind, _, err := p.readFrame(0, maxGreeting)
	require.NoError(t, err)
	assert.Equal(t, kindWelcome, kind)
	require.NoError(t, conn.Close())

	deadline := time.Now().Add(4 * time.Second)
	answered := make(chan []byte, 1)
	go func() {
		_, err := one.GatherEach(context.Background(), []byte("data 1"), deadline)
		assert.NoError(t, err)
		a, err := one.Scatter(nil, deadline.Add(time.Second))
		assert.NoError(t, err)
		answered <- a
	}()
	start := time.Now()
	got, err := zero.GatherEach(context.Background(), []byte("data 0"), deadline)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 3500*time.Millisecond, "rank 2 costs the join's limit, not the deadline")
	require.Len(t, got, 4)
	assert.Equal(t, "data 0", string(got[0].Data))
	assert.Equal(t, "data 1", string(got[1].Data))
	assert.Equal(t, "h1", string(got[1].Info))
	assert.Nil(t, got[1].Err)
	require.NotNil(t, got[2].Err)
	assert.Equal(t, 2, got[2].Err.Rank)
	assert.Equal(t, "never connected within the join's time limit (2s)", got[2].Err.Reason)
	assert.Nil(t, got[2].Info)
	require.NotNil(t, got[3].Err)
	assert.Equal(t, "h3", string(got[3].Info))
	assert.Contains(t, got[3].Err.Reason, "its connection closed")

	mine, err := zero.Scatter([][]byte{[]byte("a0"), []byte("a1"), nil, nil}, deadline)
	require.NoError(t, err)
	assert.Equal(t, "a0", string(mine))
	select {
	case a := <-answered:
		assert.Equal(t, "a1", string(a))
	case <-time.After(5 * time.Second):
		t.Fatal("rank 1 got no answer")
	}
}

// A second round of a gathering (the network measurement after the
// validation's records): every rank's second data reaches rank 0 as that
// round's, in order, and the answers of both rounds come back in order;
// a rank that ended after the first round is reported as gone in the
// second.
func TestJoinPartialSecondRound(t *testing.T) {
	_, cfg, zero := partialRankZero(t, 3)
	deadline := time.Now().Add(4 * time.Second)
	answers := make([]chan []byte, 3)
	for r := 1; r < 3; r++ {
		rank, err := JoinPartial(context.Background(), cfg(r))
		require.NoError(t, err)
		answers[r] = make(chan []byte, 2)
		go func() {
			defer rank.Close()
			_, err := rank.GatherEach(context.Background(), []byte(fmt.Sprintf("record %d", r)), deadline)
			assert.NoError(t, err)
			a, err := rank.Scatter(nil, deadline)
			assert.NoError(t, err)
			answers[r] <- a
			if r == 2 {
				return // ends after the first round
			}
			_, err = rank.GatherEach(context.Background(), []byte(fmt.Sprintf("figure %d", r)), deadline)
			assert.NoError(t, err)
			a, err = rank.Scatter(nil, deadline)
			assert.NoError(t, err)
			answers[r] <- a
		}()
	}
	got, err := zero.GatherEach(context.Background(), []byte("record 0"), deadline)
	require.NoError(t, err)
	assert.Equal(t, []string{"record 0", "record 1", "record 2"}, []string{string(got[0].Data), string(got[1].Data), string(got[2].Data)})
	_, err = zero.Scatter([][]byte{nil, []byte("go 1"), []byte("go 2")}, deadline)
	require.NoError(t, err)
	got, err = zero.GatherEach(context.Background(), []byte("figure 0"), deadline)
	require.NoError(t, err)
	assert.Equal(t, "figure 1", string(got[1].Data))
	require.NotNil(t, got[2].Err, "rank 2 gave no second data")
	assert.Contains(t, got[2].Err.Reason, "goodbye")
	_, err = zero.Scatter([][]byte{nil, []byte("done 1"), nil}, deadline)
	require.NoError(t, err)
	assert.Equal(t, "go 1", string(<-answers[1]))
	assert.Equal(t, "done 1", string(<-answers[1]))
	assert.Equal(t, "go 2", string(<-answers[2]))
}

// A rank's data that comes after rank 0's deadline for its round is not
// taken as its data of the next round.
func TestJoinPartialLateDataStaysInItsRound(t *testing.T) {
	_, cfg, zero := partialRankZero(t, 2)
	one, err := JoinPartial(context.Background(), cfg(1))
	require.NoError(t, err)
	defer one.Close()
	sent := make(chan struct{})
	go func() {
		time.Sleep(600 * time.Millisecond) // past rank 0's first deadline
		_, err := one.GatherEach(context.Background(), []byte("record"), time.Now().Add(4*time.Second))
		assert.NoError(t, err)
		_, err = one.Scatter(nil, time.Now().Add(4*time.Second))
		assert.NoError(t, err)
		_, err = one.GatherEach(context.Background(), []byte("figure"), time.Now().Add(4*time.Second))
		assert.NoError(t, err)
		close(sent)
	}()
	got, err := zero.GatherEach(context.Background(), nil, time.Now().Add(300*time.Millisecond))
	require.NoError(t, err)
	require.NotNil(t, got[1].Err, "too late for the first round")
	_, err = zero.Scatter([][]byte{nil, []byte("go")}, time.Now().Add(time.Second))
	require.NoError(t, err)
	got, err = zero.GatherEach(context.Background(), nil, time.Now().Add(4*time.Second))
	require.NoError(t, err)
	assert.Equal(t, "figure", string(got[1].Data), "the late record is passed over")
	<-sent
}

// A rank that connected and then says nothing, not even its heartbeats
// (a machine cut off), is given up within four heartbeats; a rank whose
// rank 0 never comes falls back within its own bound.
func TestJoinPartialSilenceAndAbsence(t *testing.T) {
	addr := freeAddress(t)
	zero, err := JoinPartial(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, JoinTimeout: 2 * time.Second, Heartbeat: 100 * time.Millisecond})
	require.NoError(t, err)
	defer zero.Close()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	p := newPeer(0, conn)
	challenge, err := p.readChallenge()
	require.NoError(t, err)
	require.NoError(t, p.write(kindHello, greetingBody(Config{Ranks: 2, Rank: 1}, []byte("h1"), newNonce(), challenge)))
	start := time.Now()
	got, err := zero.GatherEach(context.Background(), nil, time.Now().Add(10*time.Second))
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	require.NotNil(t, got[1].Err)
	assert.Contains(t, got[1].Err.Reason, "no word from it for 400ms")

	lone, err := JoinPartial(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: freeAddress(t), JoinTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	defer lone.Close()
	_, err = lone.GatherEach(context.Background(), []byte("x"), time.Now().Add(5*time.Second))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not reach rank 0")
}

func TestShareLocalAndRankHosts(t *testing.T) {
	assert.Equal(t, []int{1, 3}, ShareOf(4, 1, 2, false))
	assert.Equal(t, []int{1, 3}, ShareOf(4, 1, 2, true), "bound to as many GPUs as processes or more: still split")
	assert.Equal(t, []int{0, 1, 2, 3}, ShareOf(4, 0, 1, false))
	assert.Equal(t, []int{0}, ShareOf(1, 0, 2, false))
	assert.Empty(t, ShareOf(1, 1, 2, false), "fewer GPUs than processes, unbound: the GPU is rank 0's alone")
	assert.Equal(t, []int{0}, ShareOf(1, 1, 2, true), "fewer GPUs than processes, bound: every one it sees")
	assert.Equal(t, []int{2}, ShareOf(3, 2, 3, false))

	env := map[string]string{"SLURM_PROCID": "3", "SLURM_NTASKS": "4", "SLURM_LOCALID": "1", "SLURM_NODEID": "1",
		"SLURM_STEP_NODELIST": "gpu[07-08]", "SLURM_STEP_TASKS_PER_NODE": "2(x2)"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var s Spec
	require.NoError(t, s.DetectFrom(lookup))
	rank, size, ok := s.LocalFrom(lookup)
	assert.True(t, ok)
	assert.Equal(t, []int{1, 2}, []int{rank, size})
	assert.Equal(t, []string{"gpu07", "gpu07", "gpu08", "gpu08"}, s.RankHostsFrom(lookup, "gpu08"))
	assert.Equal(t, []int{1, 3}, s.ShareFrom(lookup, 4))
	assert.Empty(t, s.ShareFrom(lookup, 1), "one GPU, two tasks, no binding: rank 0's")
	env["CUDA_VISIBLE_DEVICES"] = "1"
	assert.Equal(t, []int{0}, s.ShareFrom(lookup, 1), "bound to its own GPU")

	k := Spec{Launcher: "kubernetes", Ranks: 3, Rank: 1}
	assert.Equal(t, []string{"check-0", "check-1", "check-2"}, k.RankHostsFrom(lookup, "check-1.nodes.default.svc"))
	assert.Nil(t, k.RankHostsFrom(lookup, "elsewhere"))
	torch := Spec{Launcher: "torchrun", Ranks: 2, LocalRank: 1, HasLocalRank: true}
	_, _, ok = torch.LocalFrom(func(string) (string, bool) { return "", false })
	assert.False(t, ok, "no LOCAL_WORLD_SIZE: alone")
}
