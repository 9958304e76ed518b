package cluster

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// joinBound is how long a join of ranks that are all there may take on a
// busy machine in these tests: far under the 10 s that rank 0 gives one
// greeting, which each stranger cost a real rank when greetings were read
// one at a time.
const joinBound = 5 * time.Second

// startRankZero starts rank 0 of ranks at addr in the background and waits
// until it listens; the channel yields its Join's result.
func startRankZero(t *testing.T, ranks int, addr string, timeout time.Duration) <-chan joined {
	t.Helper()
	out := make(chan joined, 1)
	go func() {
		s, err := Join(context.Background(), Config{Ranks: ranks, Rank: 0, Coordinator: addr, Info: []byte("info 0"),
			Secret: []byte("id"), JoinTimeout: timeout})
		out <- joined{s, err}
	}()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		_ = c.Close()
		return true
	}, joinBound, 10*time.Millisecond, "rank 0 never listened")
	return out
}

type joined struct {
	s   *Session
	err error
}

// strangers opens n connections to addr and leaves them open (until the
// test ends), each doing what act does with it.
func strangers(t *testing.T, addr string, n int, act func(net.Conn)) {
	t.Helper()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // after the connections close: cleanups run last first
	for range n {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		if act != nil {
			wg.Go(func() { act(c) })
		}
	}
}

// joinRankOne joins rank 1 of ranks at addr and rank 0's result, and says
// how long rank 1 took.
func joinRankOne(t *testing.T, ranks int, addr string, zero <-chan joined) time.Duration {
	t.Helper()
	start := time.Now()
	s, err := Join(context.Background(), Config{Ranks: ranks, Rank: 1, Coordinator: addr, Info: []byte("info 1"),
		JoinTimeout: 30 * time.Second})
	took := time.Since(start)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	z := <-zero
	require.NoError(t, z.err)
	t.Cleanup(func() { _ = z.s.Close() })
	assert.Equal(t, [][]byte{[]byte("info 0"), []byte("info 1")}, s.Infos)
	assert.Equal(t, []byte("id"), s.Secret)
	return took
}

// The case: connections that say nothing, more of them than rank 0
// greets at once, do not hold back a real rank. Before, each cost it 10 s,
// and thirteen kept it out until the join's time limit.
func TestSilentConnectionsDoNotDelayARank(t *testing.T) {
	addr := freeAddress(t)
	zero := startRankZero(t, 2, addr, 30*time.Second)
	strangers(t, addr, maxGreeters+13, nil)
	took := joinRankOne(t, 2, addr, zero)
	t.Logf("rank 1 joined in %v past %d silent connections", took, maxGreeters+13)
	assert.Less(t, took, joinBound)
}

// A connection that sends half a greeting and stalls, one that promises
// more than a greeting may hold, and one that says a greeting of another
// program are each dropped, without holding back a real rank.
func TestStalledAndWrongGreetingsAreDropped(t *testing.T) {
	addr := freeAddress(t)
	zero := startRankZero(t, 2, addr, 30*time.Second)
	hello := append([]byte(magic), 2, 1, 0)
	var frame [9]byte
	frame[0] = kindHello
	binary.BigEndian.PutUint64(frame[1:], uint64(len(hello)))
	half := append(frame[:], hello[:len(hello)/2]...)
	strangers(t, addr, 5, func(c net.Conn) { _, _ = c.Write(half) })
	huge := frame
	binary.BigEndian.PutUint64(huge[1:], 8<<30)
	strangers(t, addr, 5, func(c net.Conn) { _, _ = c.Write(huge[:]) })
	other := append(frame[:], []byte("GET / HTTP/1.1\r\nHost: x")...)
	strangers(t, addr, 5, func(c net.Conn) { _, _ = c.Write(other) })
	took := joinRankOne(t, 2, addr, zero)
	assert.Less(t, took, joinBound)
}

// Connections that flood rank 0 with random bytes, as fast as it takes
// them, are dropped and do not hold back a real rank.
func TestGarbageFloodIsDropped(t *testing.T) {
	addr := freeAddress(t)
	zero := startRankZero(t, 2, addr, 30*time.Second)
	flood := func(c net.Conn) {
		buf := make([]byte, 64<<10)
		for {
			_, _ = rand.Read(buf)
			buf[0] = kindHello // a plausible kind, to be read on
			if _, err := c.Write(buf); err != nil {
				return // rank 0 dropped it
			}
		}
	}
	strangers(t, addr, 8, flood)
	took := joinRankOne(t, 2, addr, zero)
	assert.Less(t, took, joinBound)
}

// A join that ends at its time limit says which ranks never came and what
// became of the connections that were not ranks, and is a deadline.
func TestJoinTimeLimitKeepsItsCause(t *testing.T) {
	addr := freeAddress(t)
	zero := startRankZero(t, 3, addr, 1500*time.Millisecond)
	// Dropped at once: its first bytes read as a frame of petabytes.
	strangers(t, addr, 2, func(c net.Conn) { _, _ = c.Write([]byte("GET / HTTP/1.1\r\n")) })
	z := <-zero
	require.Error(t, z.err)
	assert.ErrorIs(t, z.err, context.DeadlineExceeded)
	msg := z.err.Error()
	assert.Contains(t, msg, "1 of 3 ranks joined before the join's time limit")
	assert.Contains(t, msg, "ranks 1 and 2 never came")
	// At least the two strangers; on a machine shared with other tests a
	// port just freed can draw a stray connection too, which is dropped
	// the same way, and may be the last one.
	assert.Regexp(t, `([2-9]|\d\d+) connections that were not ranks of this run dropped, the last: `, msg)
}

// Two processes that say they are rank 1 end the join of all, every one
// saying why (the first one, too, which used to read only a closed
// connection).
func TestRankTwiceEndsTheJoin(t *testing.T) {
	addr := freeAddress(t)
	zero := startRankZero(t, 3, addr, 10*time.Second)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := Join(context.Background(), Config{Ranks: 3, Rank: 1, Coordinator: addr, JoinTimeout: 10 * time.Second})
			errs <- err
		}()
	}
	z := <-zero
	require.Error(t, z.err)
	assert.Contains(t, z.err.Error(), "rank 1 joined twice")
	for range 2 {
		select {
		case err := <-errs:
			require.Error(t, err)
			assert.Contains(t, err.Error(), "rank 1 joined twice")
		case <-time.After(joinBound):
			t.Fatal("a rank 1 was not told")
		}
	}
}

// A rank whose connection rank 0 closes before answering (to make room for
// another, or because it restarted) greets it again.
func TestRankGreetsAgainAfterAClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		_, err := Join(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: ln.Addr().String(), JoinTimeout: 10 * time.Second})
		done <- err
	}()
	first, err := ln.Accept()
	require.NoError(t, err)
	require.NoError(t, first.Close())
	second, err := ln.Accept()
	require.NoError(t, err)
	defer second.Close()
	p := newPeer(-1, second)
	require.NoError(t, p.write(kindChallenge, appendBytes([]byte(magic), newNonce()))) // rank 0 speaks first
	g, err := p.readGreeting(time.Now().Add(joinBound))
	require.NoError(t, err)
	assert.Equal(t, 1, g.rank)
	require.NoError(t, p.write(kindAbort, abortPayload(0, "seen")))
	assert.ErrorContains(t, <-done, "seen")
}

// A rank that cannot take part says so through Withdraw: every other rank
// ends its Join with a *PeerError naming it and its reason, at once if it
// waits already (first), at its hello if it comes later (later), and
// rank 0 once both have heard.
func TestWithdrawEndsTheOthersJoin(t *testing.T) {
	for _, later := range []bool{false, true} {
		t.Run(fmt.Sprintf("later=%v", later), func(t *testing.T) {
			addr := freeAddress(t)
			zero := startRankZero(t, 3, addr, 30*time.Second)
			one := make(chan error, 1)
			joinOne := func() {
				_, err := Join(context.Background(), Config{Ranks: 3, Rank: 1, Coordinator: addr, JoinTimeout: 30 * time.Second})
				one <- err
			}
			if !later {
				go joinOne()
				time.Sleep(100 * time.Millisecond) // rank 1 waits (either order passes)
			}
			start := time.Now()
			err := Withdraw(context.Background(), Config{Ranks: 3, Rank: 2, Coordinator: addr, JoinTimeout: 30 * time.Second},
				errors.New("no usable CUDA GPU"))
			require.NoError(t, err)
			if later {
				go joinOne() // rank 0 has the refusal: Withdraw returned
			}
			for r, ch := range []<-chan error{one, errOf(zero)} {
				select {
				case err := <-ch:
					var pe *PeerError
					require.ErrorAs(t, err, &pe, "rank %d", 1-r)
					assert.Equal(t, 2, pe.Rank, "rank %d", 1-r)
					assert.Equal(t, "rank 2 left the simulation: it cannot take part: no usable CUDA GPU", pe.Error(), "rank %d", 1-r)
				case <-time.After(joinBound):
					t.Fatalf("rank %d was not told", 1-r)
				}
			}
			assert.Less(t, time.Since(start), joinBound)
		})
	}
}

// errOf yields the error of rank 0's join.
func errOf(zero <-chan joined) <-chan error {
	out := make(chan error, 1)
	go func() { out <- (<-zero).err }()
	return out
}

// Rank 0 that cannot take part tells every rank that greets it, and ends
// once all have heard.
func TestWithdrawOfRankZero(t *testing.T) {
	addr := freeAddress(t)
	zero := make(chan error, 1)
	go func() {
		zero <- Withdraw(context.Background(), Config{Ranks: 3, Rank: 0, Coordinator: addr, JoinTimeout: 30 * time.Second},
			errors.New("no usable CUDA GPU"))
	}()
	errs := make(chan error, 2)
	for r := 1; r <= 2; r++ {
		go func() {
			_, err := Join(context.Background(), Config{Ranks: 3, Rank: r, Coordinator: addr, JoinTimeout: 30 * time.Second})
			errs <- err
		}()
	}
	for range 2 {
		select {
		case err := <-errs:
			var pe *PeerError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 0, pe.Rank)
			assert.Contains(t, pe.Reason, "no usable CUDA GPU")
		case <-time.After(joinBound):
			t.Fatal("a rank was not told")
		}
	}
	select {
	case err := <-zero:
		assert.NoError(t, err)
	case <-time.After(joinBound):
		t.Fatal("rank 0 went on waiting after every rank heard")
	}
}

// Withdraw that finds nobody to tell ends at the join's time limit and
// says whom it could not tell; with one rank, there is nobody to tell.
func TestWithdrawTimeLimit(t *testing.T) {
	addr := freeAddress(t)
	c := Config{Ranks: 3, Rank: 0, Coordinator: addr, JoinTimeout: 300 * time.Millisecond}
	err := Withdraw(context.Background(), c, errors.New("no GPU"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "told 0 of 2 ranks")
	assert.Contains(t, err.Error(), "ranks 1 and 2 never came")
	c.Rank = 1
	err = Withdraw(context.Background(), c, errors.New("no GPU"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), addr)
	assert.NoError(t, Withdraw(context.Background(), Config{Ranks: 1}, errors.New("no GPU")))
}
