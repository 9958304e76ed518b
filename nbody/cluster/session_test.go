package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freeAddress is a loopback address with a port that was free a moment ago.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// joinAll joins ranks goroutines at addr, rank r's info "info r", rank
// 0's secret a 128-byte id; it returns the sessions in rank order.
func joinAll(t *testing.T, ranks int, addr string, hb time.Duration) []*Session {
	t.Helper()
	secret := bytes.Repeat([]byte{0xAB, 0x00, 0xFF}, 43)[:128]
	sessions := make([]*Session, ranks)
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r := range ranks {
		wg.Go(func() {
			c := Config{Ranks: ranks, Rank: r, Coordinator: addr, Info: []byte(fmt.Sprintf("info %d", r)),
				JoinTimeout: 10 * time.Second, Heartbeat: hb}
			if r == 0 {
				c.Secret = secret
			}
			sessions[r], errs[r] = Join(context.Background(), c)
		})
	}
	wg.Wait()
	for r, err := range errs {
		require.NoError(t, err, "rank %d", r)
	}
	for _, s := range sessions {
		t.Cleanup(func() { _ = s.Close() })
		assert.Equal(t, secret, s.Secret)
		require.Len(t, s.Infos, ranks)
		for r, in := range s.Infos {
			assert.Equal(t, fmt.Sprintf("info %d", r), string(in))
		}
	}
	return sessions
}

// Three ranks meet; every one gets every info and the secret; data goes
// out from rank 0 and back to it; a clean close is not a failure.
func TestJoinBroadcastGather(t *testing.T) {
	ss := joinAll(t, 3, freeAddress(t), 0)
	var wg sync.WaitGroup
	got := make([][]byte, 3)
	gathered := make([][][]byte, 3)
	big := bytes.Repeat([]byte("0123456789abcdef"), 300_000) // several pieces
	for r, s := range ss {
		wg.Go(func() {
			var in []byte
			if r == 0 {
				in = big
			}
			var err error
			got[r], err = s.Broadcast(in)
			assert.NoError(t, err)
			gathered[r], err = s.Gather([]byte{byte(r), 42})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for r := range ss {
		assert.True(t, bytes.Equal(big, got[r]), "rank %d", r)
	}
	assert.Equal(t, [][]byte{{0, 42}, {1, 42}, {2, 42}}, gathered[0])
	assert.Nil(t, gathered[1])
	for _, s := range ss {
		require.NoError(t, s.Close())
	}
	time.Sleep(100 * time.Millisecond)
	for r, s := range ss {
		assert.NoError(t, s.Err(), "rank %d", r)
	}
}

// One rank joins alone, with nothing to listen on.
func TestJoinAlone(t *testing.T) {
	s, err := Join(context.Background(), Config{Ranks: 1, Info: []byte("x"), Secret: []byte("id")})
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("x")}, s.Infos)
	got, err := s.Broadcast([]byte("b"))
	require.NoError(t, err)
	assert.Equal(t, []byte("b"), got)
	all, err := s.Gather([]byte("g"))
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("g")}, all)
	require.NoError(t, s.Close())
}

// A rank that starts before rank 0 retries until rank 0 listens.
func TestJoinRetriesUntilRankZeroListens(t *testing.T) {
	addr := freeAddress(t)
	done := make(chan error, 1)
	go func() {
		s, err := Join(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: addr, JoinTimeout: 10 * time.Second})
		if err == nil {
			defer s.Close()
		}
		done <- err
	}()
	time.Sleep(700 * time.Millisecond) // a few retries
	s, err := Join(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, Secret: []byte("id"), JoinTimeout: 10 * time.Second})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, <-done)
}

// A join that cannot complete ends at its time limit, on both sides,
// saying so.
func TestJoinTimeLimit(t *testing.T) {
	addr := freeAddress(t)
	start := time.Now()
	_, err := Join(context.Background(), Config{Ranks: 3, Rank: 1, Coordinator: addr, JoinTimeout: 500 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "time limit")
	assert.Contains(t, err.Error(), addr)
	assert.Less(t, time.Since(start), 5*time.Second)
	_, err = Join(context.Background(), Config{Ranks: 3, Rank: 0, Coordinator: addr, JoinTimeout: 500 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 of 3 ranks joined before the join's time limit")
}

// Ranks started for different numbers of processes do not join.
func TestJoinMismatch(t *testing.T) {
	addr := freeAddress(t)
	errs := make(chan error, 2)
	go func() {
		_, err := Join(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, JoinTimeout: 5 * time.Second})
		errs <- err
	}()
	go func() {
		_, err := Join(context.Background(), Config{Ranks: 3, Rank: 1, Coordinator: addr, JoinTimeout: 5 * time.Second})
		errs <- err
	}()
	for range 2 {
		err := <-errs
		require.Error(t, err)
		assert.Contains(t, err.Error(), "started for 3 processes, rank 0 for 2")
	}
}

// A rank that fails tells the others, through rank 0, which end with a
// *PeerError naming it; a receive waiting on the way returns it.
func TestFailReachesEveryRank(t *testing.T) {
	ss := joinAll(t, 3, freeAddress(t), 0)
	waiting := make(chan error, 1)
	go func() { _, err := ss[1].Broadcast(nil); waiting <- err }()
	ss[2].Fail(errors.New("out of memory"))
	for r, s := range ss[:2] {
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("rank %d did not notice", r)
		}
		var pe *PeerError
		require.ErrorAs(t, s.Err(), &pe, "rank %d", r)
		assert.Equal(t, 2, pe.Rank)
		assert.Equal(t, "rank 2 left the simulation: out of memory", pe.Error())
	}
	var pe *PeerError
	require.ErrorAs(t, <-waiting, &pe)
	assert.Equal(t, 2, pe.Rank)
}

// helperEnv selects the helper role of the test binary, run as another
// process: it joins as the rank and coordinator the variables say and
// then runs "steps" (a broadcast every 10 ms) until it is killed.
const (
	helperEnv     = "NBODY_CLUSTER_TEST_HELPER"
	helperAddrEnv = "NBODY_CLUSTER_TEST_ADDR"
)

// TestMain runs the test binary as a helper rank when helperEnv says so,
// and as the tests otherwise.
func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		runHelper(role)
		return
	}
	os.Exit(m.Run())
}

// runHelper is the helper rank: it joins, then steps until it is killed.
func runHelper(role string) {
	rank, _ := strconv.Atoi(role)
	s, err := Join(context.Background(), Config{Ranks: 2, Rank: rank, Coordinator: os.Getenv(helperAddrEnv),
		Secret: []byte("id"), JoinTimeout: 20 * time.Second, Heartbeat: 100 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Println("joined")
	for {
		if _, err := s.Broadcast([]byte("step")); err != nil {
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startHelper starts the test binary as rank (of 2) at addr.
func startHelper(t *testing.T, rank int, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+strconv.Itoa(rank), helperAddrEnv+"="+addr)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// stepUntilDone takes part in the helper's steps until the session ends.
func stepUntilDone(s *Session) {
	for {
		if _, err := s.Broadcast([]byte("step")); err != nil {
			return
		}
		if s.Rank == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// The case: rank 1, another process, is killed mid-run; rank 0
// notices within the limit (at once: the kernel closes the connection)
// and names it.
func TestRankKilledMidRun(t *testing.T) {
	addr := freeAddress(t)
	helper := startHelper(t, 1, addr)
	s, err := Join(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, Secret: []byte("id"),
		JoinTimeout: 20 * time.Second, Heartbeat: 100 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()
	go stepUntilDone(s)
	time.Sleep(300 * time.Millisecond) // mid-run
	require.NoError(t, helper.Process.Kill())
	killed := time.Now()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("rank 0 did not notice rank 1's end within 10 s")
	}
	noticed := time.Since(killed)
	t.Logf("rank 0 noticed rank 1's end after %v: %v", noticed, s.Err())
	var pe *PeerError
	require.ErrorAs(t, s.Err(), &pe)
	assert.Equal(t, 1, pe.Rank)
	// Whichever rank 0 meets first names the end: the reader's end of
	// file, or a heartbeat sent into the closed connection.
	assert.Regexp(t, `^rank 1 left the simulation: (its connection closed|sending to it failed: .*(reset by peer|broken pipe))`, pe.Error())
}

// Rank 0, another process, is killed: rank 1 notices and names it.
func TestRankZeroKilled(t *testing.T) {
	addr := freeAddress(t)
	helper := startHelper(t, 0, addr)
	s, err := Join(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: addr,
		JoinTimeout: 20 * time.Second, Heartbeat: 100 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()
	go stepUntilDone(s)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, helper.Process.Kill())
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("rank 1 did not notice rank 0's end within 10 s")
	}
	var pe *PeerError
	require.ErrorAs(t, s.Err(), &pe)
	assert.Equal(t, 0, pe.Rank)
}

// A rank that stops without closing its connection (SIGSTOP: a machine
// that hangs, a network cut) is noticed by its silence: four heartbeats.
func TestRankSilent(t *testing.T) {
	addr := freeAddress(t)
	helper := startHelper(t, 1, addr)
	s, err := Join(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, Secret: []byte("id"),
		JoinTimeout: 20 * time.Second, Heartbeat: 100 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()
	go stepUntilDone(s)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, helper.Process.Signal(syscall.SIGSTOP))
	defer helper.Process.Signal(syscall.SIGCONT)
	stopped := time.Now()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("rank 0 did not notice rank 1's silence within 10 s")
	}
	t.Logf("noticed after %v: %v", time.Since(stopped), s.Err())
	var pe *PeerError
	require.ErrorAs(t, s.Err(), &pe)
	assert.Equal(t, 1, pe.Rank)
	assert.Contains(t, pe.Reason, "no word from it")
}

// Data followed at once by a goodbye (rank 0's last broadcast before it
// closes) reaches the receiver, every time.
func TestDataThenGoodbye(t *testing.T) {
	for range 20 {
		ss := joinAll(t, 2, freeAddress(t), 0)
		_, err := ss[0].Broadcast([]byte("last"))
		require.NoError(t, err)
		require.NoError(t, ss[0].Close())
		time.Sleep(5 * time.Millisecond) // the goodbye arrives too
		got, err := ss[1].Broadcast(nil)
		require.NoError(t, err)
		assert.Equal(t, []byte("last"), got)
	}
}

// A frame on its way to one peer does not hold back the heartbeats of the
// others: ping skips a peer whose write is under way (its bytes say this
// rank is alive) instead of waiting behind it. Before, with three ranks, a
// 512 MiB broadcast to rank 1 left rank 2 without a ping until it took
// rank 0 for dead.
func TestPingSkipsAPeerBeingWritten(t *testing.T) {
	busyEnd, _ := net.Pipe()
	freeEnd, freeOther := net.Pipe()
	defer busyEnd.Close()
	defer freeEnd.Close()
	defer freeOther.Close()
	busy, free := &peer{rank: 1, conn: busyEnd}, &peer{rank: 2, conn: freeEnd}
	busy.wmu.Lock() // a large frame is being written to rank 1
	defer busy.wmu.Unlock()
	got := make(chan []byte, 1)
	go func() {
		head := make([]byte, 9)
		_, _ = io.ReadFull(freeOther, head)
		got <- head
	}()
	done := make(chan struct{})
	go func() {
		for _, p := range []*peer{busy, free} {
			p.ping()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ping waited behind the frame to another peer")
	}
	select {
	case head := <-got:
		assert.Equal(t, kindPing, head[0], "rank 2 got its ping")
	case <-time.After(5 * time.Second):
		t.Fatal("rank 2 got no ping")
	}
}

// A stranger's oversized greeting is refused before anything is
// allocated for it.
func TestGreetingIsBounded(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go func() {
		head := make([]byte, 9)
		head[0] = kindHello
		binary.BigEndian.PutUint64(head[1:], 8<<30) // "8 GiB follow"
		_, _ = b.Write(head)
	}()
	p := &peer{conn: a, rd: bufio.NewReader(a)}
	_, _, err := p.readFrame(0, maxGreeting)
	assert.ErrorContains(t, err, "a frame of 8589934592 bytes, more than the 1048576 expected")
}
