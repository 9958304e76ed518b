package cluster

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A tolerant gathering, for work that every rank does on its own and rank
// 0 reports (a cluster's validation): unlike Join, where every rank waits
// for all the others and the end of one ends the run of all, a rank that
// never connects, ends or falls silent costs only its own part. Rank 0
// admits the ranks that greet it until all came or the join's time limit,
// then takes each one's data or why there is none (GatherEach) by a
// deadline, and hands each its answer (Scatter); a run may take more
// rounds of both, in the same order on every rank (a validation's network
// measurement does). The other ranks connect in the background while they
// work, and fall back on their own where rank 0 cannot be reached.

// Contribution is one rank's part of a tolerant gathering, as rank 0 has
// it: its data, or why none came.
type Contribution struct {
	Rank int
	// Info is what the rank said of itself as it greeted rank 0
	// (Config.Info); nil where it never did.
	Info []byte
	Data []byte
	// Err is why no data came: the rank never connected, said it cannot
	// take part, its connection closed or fell silent, or the deadline
	// passed first. Nil with Data.
	Err *PeerError
}

// Partial is a process's membership of a tolerant gathering (JoinPartial).
type Partial struct {
	Ranks, Rank int

	c         Config
	began     time.Time
	stop      chan struct{} // ends the heartbeats and the admissions
	closeOnce sync.Once
	cancel    context.CancelFunc

	// Rank 0: a slot per rank, and the end of the admissions.
	slots    []*slot
	joinDone chan struct{}
	// rounds counts GatherEach calls: every data frame a rank sends is
	// marked with its round, and rank 0 takes each rank's frame of the
	// round it gathers, dropping a late one of an earlier round.
	rounds atomic.Int32

	// Other ranks: the connection to rank 0, once up.
	up *slot
}

// slot is one connection's state: rank 0 holds one per rank, another rank
// one for rank 0.
type slot struct {
	joined chan struct{} // closed once the connection is up (or never: see failed)
	p      *peer
	info   []byte
	data   chan []byte   // the data frames, one a round, in order
	gone   chan struct{} // closed when the connection ended before its data
	why    string        // why, set before gone closes
	once   sync.Once
}

// maxRounds bounds the data frames a connection may have waiting: one a
// round (GatherEach or Scatter), and no run has more than a few. Frames
// beyond it are dropped, so that a peer cannot fill rank 0's memory.
const maxRounds = 4

func newSlot() *slot {
	return &slot{joined: make(chan struct{}), data: make(chan []byte, maxRounds), gone: make(chan struct{})}
}

// end marks the slot's connection ended before its data, for why.
func (s *slot) end(why string) {
	s.once.Do(func() {
		s.why = why
		close(s.gone)
	})
}

// JoinPartial begins a tolerant gathering. Rank 0 listens at the
// coordinator's address and admits every rank that greets it, in the
// background, until every rank has come or c.JoinTimeout (0:
// DefaultJoinTimeout) has passed; only a listener that cannot open is an
// error. Another rank connects to rank 0 in the background, retrying until
// the same time limit. Both sides say every c.Heartbeat that they are
// alive, so that a rank whose machine stops is known within four of them.
// Close ends it.
func JoinPartial(ctx context.Context, c Config) (*Partial, error) {
	c, err := c.checked()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.JoinTimeout)
	p := &Partial{Ranks: c.Ranks, Rank: c.Rank, c: c, began: time.Now(), stop: make(chan struct{}), cancel: cancel}
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if c.Rank != 0 {
		p.up = newSlot()
		go p.connect(ctx)
		return p, nil
	}
	p.slots = make([]*slot, c.Ranks)
	for r := range p.slots {
		p.slots[r] = newSlot()
	}
	p.joinDone = make(chan struct{})
	if c.Ranks == 1 {
		close(p.joinDone)
		return p, nil
	}
	ln, err := listen(ctx, c.Coordinator)
	if err != nil {
		close(p.joinDone)
		p.Close()
		return nil, err
	}
	go p.admit(ctx, ln)
	return p, nil
}

// admit is rank 0's admissions: every well-formed hello of this run's
// ranks is welcomed at once; one that does not fit is turned away alone.
func (p *Partial) admit(ctx context.Context, ln net.Listener) {
	g := greet(ctx, ln)
	defer close(p.joinDone)
	defer g.close()
	came := 1
	for came < p.Ranks {
		var h greeting
		select {
		case h = <-g.out:
		case <-g.acceptErr:
			return
		case <-ctx.Done():
			return
		}
		// Another job's rank, or one without the secret, is turned away
		// alone, as Join does.
		if why, code := admit(p.c, h); why != "" {
			g.refuse(h, code, why)
			continue
		}
		pr, conn := h.p, h.p.conn
		turnAway := func(format string, args ...any) {
			_ = pr.write(kindAbort, abortPayload(0, fmt.Sprintf(format, args...)))
			_ = conn.Close()
		}
		switch {
		case h.ranks != p.Ranks:
			turnAway("rank %d (%s) was started for %d processes, rank 0 for %d", h.rank, conn.RemoteAddr(), h.ranks, p.Ranks)
			continue
		case h.rank < 1 || h.rank >= p.Ranks:
			turnAway("a process at %s says it is rank %d of %d", conn.RemoteAddr(), h.rank, p.Ranks)
			continue
		}
		s := p.slots[h.rank]
		select {
		case <-s.joined:
			turnAway("rank %d joined twice (from %s and %s)", h.rank, s.p.conn.RemoteAddr(), conn.RemoteAddr())
			continue
		default:
		}
		pr.rank = h.rank
		came++
		if h.cannot {
			_ = pr.write(kindBye, nil) // heard
			_ = conn.Close()
			s.info = nil
			close(s.joined)
			s.end(string(h.body))
			continue
		}
		// The welcome proves the secret over both nonces, as Join's does,
		// so that a rank never takes a stranger on the port for rank 0.
		if err := pr.write(kindWelcome, macOf(p.c.Key, welcomeLabel, h.nonce, h.challenge)); err != nil {
			s.info = h.body
			close(s.joined)
			s.end(fmt.Sprintf("welcoming it failed: %v", err))
			continue
		}
		s.p, s.info = pr, h.body
		close(s.joined)
		go p.read(s)
		go p.beat(pr)
	}
}

// connect is another rank's way to rank 0, in the background.
func (p *Partial) connect(ctx context.Context) {
	a, err := greetRankZero(ctx, p.c, kindHello, p.c.Info)
	pr, kind, body := a.p, a.kind, a.body
	s := p.up
	switch {
	case err != nil:
		s.end(err.Error())
		return
	case kind == kindRefuse:
		_ = pr.conn.Close()
		s.end(refusal(body).Reason)
		return
	case kind == kindWelcome && len(p.c.Key) > 0 && !hmac.Equal(body, macOf(p.c.Key, welcomeLabel, a.nonce, a.challenge)):
		_ = pr.conn.Close()
		s.end(fmt.Sprintf("%s: the process at %s welcomed it without proof of the secret: not its rank 0", rankOfJob(p.c.Rank, p.c.Job), p.c.Coordinator))
		return
	case kind == kindAbort:
		_, reason := parseAbort(body)
		_ = pr.conn.Close()
		s.end("rank 0 turned this rank away: " + reason)
		return
	case kind != kindWelcome:
		_ = pr.conn.Close()
		s.end(fmt.Sprintf("rank 0 at %s answered with frame kind %d", p.c.Coordinator, kind))
		return
	}
	s.p = pr
	close(s.joined)
	go p.read(s)
	go p.beat(pr)
}

// read is one connection's reader: each data frame goes to the slot, in
// order, for its round; pings are let be; an end says why in the slot.
func (p *Partial) read(s *slot) {
	silence := silentBeats * p.c.Heartbeat
	for {
		kind, body, err := s.p.readFrame(silence, maxFrame)
		if err != nil {
			reason := "its connection closed (the process ended or was killed)"
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				reason = fmt.Sprintf("no word from it for %s (its machine or the network stopped)", silence)
			case !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, net.ErrClosed):
				reason = fmt.Sprintf("its connection failed: %v", err)
			}
			s.end(reason)
			return
		}
		switch kind {
		case kindData:
			select {
			case s.data <- body:
			default: // more rounds than any run has: dropped
			}
		case kindBye:
			s.end("it said goodbye before its data")
			return
		case kindAbort:
			_, reason := parseAbort(body)
			s.end(reason)
			return
		}
	}
}

// beat says every heartbeat that this rank is alive, until Close.
func (p *Partial) beat(pr *peer) {
	t := time.NewTicker(p.c.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			pr.ping()
		}
	}
}

// GatherEach hands data to rank 0. On rank 0 it returns every rank's
// contribution, in rank order (its own, data, at 0): each other rank's
// data of this round (its first for the first call, its second for the
// second), or why none came by deadline; it never waits past deadline
// or ctx. On another rank it returns nil once the data is on its way, or
// an error where rank 0 could not be reached by deadline.
func (p *Partial) GatherEach(ctx context.Context, data []byte, deadline time.Time) ([]Contribution, error) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	if p.Rank != 0 {
		s := p.up
		select {
		case <-s.joined:
		case <-s.gone:
			return nil, fmt.Errorf("cluster: rank %d could not reach rank 0 at %s: %s", p.Rank, p.c.Coordinator, s.why)
		case <-timer.C:
			return nil, fmt.Errorf("cluster: rank %d could not reach rank 0 at %s by its deadline", p.Rank, p.c.Coordinator)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		round := p.rounds.Add(1)
		if err := s.p.write(kindData, append([]byte{byte(round)}, data...)); err != nil {
			return nil, fmt.Errorf("cluster: rank %d sending its data to rank 0: %w", p.Rank, err)
		}
		return nil, nil
	}
	round := byte(p.rounds.Add(1))
	// take is the data of frame d where it belongs to this round; a late
	// frame of an earlier round is not.
	take := func(d []byte) ([]byte, bool) {
		if len(d) == 0 || d[0] != round {
			return nil, false
		}
		return d[1:], true
	}
	out := make([]Contribution, p.Ranks)
	out[0] = Contribution{Rank: 0, Info: p.c.Info, Data: data}
	late := func(r int) *PeerError {
		return &PeerError{Rank: r, Reason: fmt.Sprintf("no results within %s of rank 0's start (its process, its GPUs or the network hang)",
			deadline.Sub(p.began).Round(time.Second))}
	}
	expired := false
	for r := 1; r < p.Ranks; r++ {
		s := p.slots[r]
		out[r].Rank = r
		if !expired {
			select {
			case <-s.joined:
			case <-p.joinDone:
			case <-timer.C:
				expired = true
			case <-ctx.Done():
				expired = true
			}
		}
		select {
		case <-s.joined:
		default:
			why := fmt.Sprintf("never connected within the join's time limit (%s)", p.c.JoinTimeout)
			if expired {
				why = fmt.Sprintf("never connected within %s of rank 0's start", time.Since(p.began).Round(time.Second))
			}
			out[r].Err = &PeerError{Rank: r, Reason: why}
			continue
		}
		out[r].Info = s.info
		// queued is this round's frame where one is waiting (earlier
		// rounds' are passed over).
		queued := func() ([]byte, bool) {
			for {
				select {
				case d := <-s.data:
					if data, ok := take(d); ok {
						return data, true
					}
				default:
					return nil, false
				}
			}
		}
		if expired {
			if d, ok := queued(); ok {
				out[r].Data = d
			} else {
				out[r].Err = p.goneOr(s, r, late)
			}
			continue
		}
	wait:
		for {
			select {
			case d := <-s.data:
				if data, ok := take(d); ok {
					out[r].Data = data
					break wait
				}
			case <-s.gone:
				// Data may have come just before the connection closed.
				if d, ok := queued(); ok {
					out[r].Data = d
				} else {
					out[r].Err = &PeerError{Rank: r, Reason: s.why}
				}
				break wait
			case <-timer.C:
				expired = true
				out[r].Err = p.goneOr(s, r, late)
				break wait
			case <-ctx.Done():
				expired = true
				out[r].Err = &PeerError{Rank: r, Reason: "rank 0 stopped waiting: " + context.Cause(ctx).Error()}
				break wait
			}
		}
	}
	return out, nil
}

// goneOr is why s's rank gave no data: its connection's end where it
// ended, else its lateness.
func (p *Partial) goneOr(s *slot, r int, late func(int) *PeerError) *PeerError {
	select {
	case <-s.gone:
		return &PeerError{Rank: r, Reason: s.why}
	default:
		return late(r)
	}
}

// Scatter hands each rank its part of parts (indexed by rank). Rank 0
// sends every connected rank its part, nil parts being sent empty, and
// returns parts[0]; another rank returns its part, or an error where
// rank 0 ended, or none came by deadline. Every rank calls it after
// GatherEach.
func (p *Partial) Scatter(parts [][]byte, deadline time.Time) ([]byte, error) {
	if p.Rank != 0 {
		s := p.up
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		select {
		case d := <-s.data:
			return d, nil
		case <-s.gone:
			select { // its answer may have come just before its goodbye
			case d := <-s.data:
				return d, nil
			default:
			}
			return nil, fmt.Errorf("cluster: rank 0 ended before it answered: %s", s.why)
		case <-timer.C:
			return nil, errors.New("cluster: rank 0 did not answer by the deadline")
		}
	}
	var wg sync.WaitGroup
	for r, s := range p.slots[1:] {
		r++
		select {
		case <-s.joined:
		default:
			continue
		}
		if s.p == nil {
			continue
		}
		var part []byte
		if r < len(parts) {
			part = parts[r]
		}
		wg.Go(func() { _ = s.p.write(kindData, part) })
	}
	waitAtMost(&wg, lastWordTimeout)
	if len(parts) > 0 {
		return parts[0], nil
	}
	return nil, nil
}

// waitAtMost waits for wg, or d: a stuck peer must not hold the others.
func waitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// Close ends the gathering: the heartbeats and the admissions stop, and
// every connection hears a goodbye (waiting a second at most) and closes.
// It is safe to call more than once.
func (p *Partial) Close() {
	p.closeOnce.Do(func() {
		close(p.stop)
		p.cancel()
		var peers []*peer
		if p.up != nil {
			select {
			case <-p.up.joined:
				peers = append(peers, p.up.p)
			default:
			}
		}
		if p.joinDone != nil {
			<-p.joinDone // the admissions end with the cancel
		}
		for _, s := range p.slots {
			select {
			case <-s.joined:
				if s.p != nil {
					peers = append(peers, s.p)
				}
			default:
			}
		}
		var wg sync.WaitGroup
		for _, pr := range peers {
			wg.Go(func() { _ = pr.write(kindBye, nil) })
		}
		waitAtMost(&wg, lastWordTimeout)
		for _, pr := range peers {
			_ = pr.conn.Close()
		}
	})
}
