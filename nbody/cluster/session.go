package cluster

import (
	"bufio"
	"context"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// Config is what Join needs of one process.
type Config struct {
	Ranks, Rank int
	Coordinator string // host:port where rank 0 listens
	// Info describes this rank (its GPUs); Join hands every rank the
	// Info of all of them, in rank order.
	Info []byte
	// Secret, on rank 0, is handed to every rank (NCCL's unique id: opaque
	// bytes); other ranks' is ignored.
	Secret []byte
	// Job is the job's identity (Spec.Job), which every rank's greeting
	// carries: rank 0 turns away a rank of another job (its Join ends with
	// a *RefusedError naming both jobs) and goes on waiting for its own.
	// "" is a job without one, which meets only ranks without one.
	Job string
	// Key is the shared secret (Spec.Key), or nil for none: every rank's
	// greeting, and rank 0's welcome, prove that they know it without
	// sending it. A rank whose secret is wrong, or who has one where rank
	// 0 has none or the reverse, is turned away as a rank of another job
	// is. It is not encryption: what follows the join crosses the network
	// in clear.
	Key []byte
	// JoinTimeout bounds the whole meeting: how long rank 0 waits for the
	// others and the others retry their connection. 0 means
	// DefaultJoinTimeout.
	JoinTimeout time.Duration
	// Heartbeat is how often each side says it is alive once joined; a
	// peer silent for four of them is taken for dead (a machine that
	// stopped without closing its connections). 0 means DefaultHeartbeat.
	Heartbeat time.Duration
}

// Defaults of Config.
const (
	DefaultJoinTimeout = 2 * time.Minute
	DefaultHeartbeat   = time.Second
	// silentBeats heartbeats without a word make a peer dead: with the
	// default heartbeat, 4 s, which leaves a run time to abort and exit
	// within 10 s of a peer's end.
	silentBeats = 4
)

// PeerError is the end of another rank: its connection closed without a
// goodbye, it fell silent, or it said it failed. Rank is the rank that
// ended (for a rank other than 0, rank 0 passes on which one it was).
type PeerError struct {
	Rank   int
	Reason string
}

// Error reads "rank 1 left the simulation: its connection closed …".
func (e *PeerError) Error() string {
	return fmt.Sprintf("rank %d left the simulation: %s", e.Rank, e.Reason)
}

// Session is one process's membership of a simulation that Join began:
// the other ranks' descriptions, rank 0's secret, and the connections,
// which stay open to tell when a rank ends (Done, Err) and carry
// Broadcast and Gather. Rank 0 holds a connection to every other rank;
// each other rank one to rank 0.
type Session struct {
	Ranks, Rank int
	// Infos holds every rank's Config.Info, in rank order.
	Infos [][]byte
	// Secret is rank 0's Config.Secret.
	Secret []byte

	heartbeat time.Duration
	peers     []*peer // rank 0: index r is rank r (nil at 0); others: one, rank 0

	done     chan struct{} // closed when a rank ended, or at Close
	failOnce sync.Once
	err      error
	stop     chan struct{} // ends the heartbeats
	closed   sync.Once
}

// peer is one connection of a session.
type peer struct {
	rank  int
	conn  net.Conn
	rd    *bufio.Reader
	wmu   sync.Mutex // one frame at a time
	inbox chan []byte
	bye   chan struct{} // closed at the peer's goodbye
}

// Frame kinds.
const (
	kindHello     byte = 1 // rank > 0 to rank 0: magic, ranks, rank, job, nonce, info, proof
	kindWelcome   byte = 2 // rank 0 to rank > 0: secret, every info, proof
	kindData      byte = 3 // Broadcast and Gather
	kindPing      byte = 4 // alive
	kindBye       byte = 5 // done, the connection closes next
	kindAbort     byte = 6 // rank, reason: a rank failed
	kindCannot    byte = 7 // rank > 0 to rank 0: a hello's fields, why it cannot take part; rank 0 on: rank, why
	kindChallenge byte = 8 // rank 0 to a new connection, first: magic, a nonce
	kindRefuse    byte = 9 // rank 0 to a rank it turns away (another job, the secret): code, why
)

// magic opens every greeting: a process that is not ours is turned away.
const magic = "nbody-go cluster 2\n"

// maxFrame bounds a frame's payload (bodies of 2^28 fp64 4-vectors: 8 GiB).
const maxFrame = 1 << 33

// checked refuses a rank outside the ranks and fills in the time limits
// that c leaves at zero.
func (c Config) checked() (Config, error) {
	if c.Ranks < 1 || c.Rank < 0 || c.Rank >= c.Ranks {
		return c, fmt.Errorf("cluster: rank %d of %d", c.Rank, c.Ranks)
	}
	if c.JoinTimeout <= 0 {
		c.JoinTimeout = DefaultJoinTimeout
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	return c, nil
}

// Join meets the other ranks: rank 0 listens at the coordinator's address
// (its port on every interface, or the loopback address when that is the
// host) until every other rank has said hello, then hands each the secret
// and every rank's info; the others connect, retrying until the join's
// time limit. Rank 0 reads the greetings of new connections concurrently,
// so connections that are not ranks of this run (silent, slow or sending
// anything else) are dropped without holding back the ranks. A hello that
// does not match (another number of ranks, a rank twice) ends the join
// with an error that every rank greeted so far hears; a rank that said
// through Withdraw that it cannot take part ends it with a *PeerError
// naming that rank, on every rank: at once on those waiting, at their
// hello on those that come later, and on rank 0 once every rank has heard
// or at the time limit. A join that ends at its time limit says which
// ranks never came, and is a context.DeadlineExceeded. One rank joins
// alone at once.
//
// A rank of another job (Config.Job), or whose shared secret (Config.Key)
// does not match rank 0's, is turned away: its Join ends at once with a
// *RefusedError, and rank 0 goes on waiting for its own ranks. A port
// that another process holds ends rank 0's Join with a *PortInUseError.
func Join(ctx context.Context, c Config) (*Session, error) {
	c, err := c.checked()
	if err != nil {
		return nil, err
	}
	s := &Session{Ranks: c.Ranks, Rank: c.Rank, heartbeat: c.Heartbeat,
		done: make(chan struct{}), stop: make(chan struct{})}
	ctx, cancel := context.WithTimeout(ctx, c.JoinTimeout)
	defer cancel()
	switch {
	case c.Ranks == 1:
		s.Infos, s.Secret, s.peers = [][]byte{c.Info}, c.Secret, []*peer{nil}
		return s, nil
	case c.Rank == 0:
		err = s.lead(ctx, c)
	default:
		err = s.follow(ctx, c)
	}
	if err != nil {
		for _, p := range s.peers {
			if p != nil {
				_ = p.conn.Close()
			}
		}
		return nil, err
	}
	for _, p := range s.peers {
		if p != nil {
			go s.read(p)
		}
	}
	go s.beat()
	return s, nil
}

// listenAddress is where rank 0 listens for the coordinator's address: the
// loopback address itself, else the port on every interface, since the
// name others reach rank 0 by (a Service's, a node's) may not be one of
// its own addresses.
func listenAddress(coordinator string) (string, error) {
	host, port, err := net.SplitHostPort(coordinator)
	if err != nil {
		return "", fmt.Errorf("cluster: coordinator %q: %w", coordinator, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return coordinator, nil
	}
	return net.JoinHostPort("", port), nil
}

// listen opens rank 0's listener for the coordinator's address.
func listen(ctx context.Context, coordinator string) (net.Listener, error) {
	addr, err := listenAddress(coordinator)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, portInUse(addr, err)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: rank 0 listening at %s: %w", addr, err)
	}
	// Closing it ends Accept at the join's end.
	context.AfterFunc(ctx, func() { _ = ln.Close() })
	return ln, nil
}

// lead is rank 0's part of Join: it reads greetings concurrently (greet)
// until every other rank has said hello. A greeting of another job or
// without the secret is turned away, and the join goes on. A rank that
// cannot take part ends the join with a *PeerError naming it; a hello that
// does not fit (another number of ranks, a rank out of range or twice)
// with an error that every rank greeted so far hears too.
func (s *Session) lead(ctx context.Context, c Config) error {
	ln, err := listen(ctx, c.Coordinator)
	if err != nil {
		return err
	}
	g := greet(ctx, ln)
	defer g.close()
	s.peers = make([]*peer, c.Ranks)
	hellos := make([]greeting, c.Ranks) // for the proof of each welcome
	infos := make([][]byte, c.Ranks)
	infos[0] = c.Info
	came := make([]bool, c.Ranks)
	came[0] = true
	// end tells every rank greeted so far why the join ends (they would
	// read a closed connection otherwise), as kind.
	end := func(kind byte, body []byte) {
		for _, p := range s.peers {
			if p != nil {
				_ = p.write(kind, body)
			}
		}
	}
	for joined := 1; joined < c.Ranks; {
		var h greeting
		select {
		case h = <-g.out:
		case err := <-g.acceptErr:
			if ctx.Err() == nil {
				return fmt.Errorf("cluster: rank 0 at %s: %w", c.Coordinator, err)
			}
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			why := absent(came, g)
			end(kindAbort, abortPayload(0, fmt.Sprintf("%d of %d ranks joined before %v (%s)", joined, c.Ranks, contextReason(ctx), why)))
			return fmt.Errorf("cluster: rank 0 at %s: %d of %d ranks joined before %w (%s)", c.Coordinator,
				joined, c.Ranks, contextReason(ctx), why)
		}
		if why, code := admit(c, h); why != "" {
			g.refuse(h, code, why)
			continue
		}
		p, conn := h.p, h.p.conn
		reject := func(format string, args ...any) error {
			msg := fmt.Sprintf(format, args...)
			_ = p.write(kindAbort, abortPayload(0, msg))
			_ = conn.Close()
			end(kindAbort, abortPayload(0, msg))
			return fmt.Errorf("cluster: %s", msg)
		}
		switch {
		case h.ranks != c.Ranks:
			return reject("rank %d (%s) was started for %d processes, rank 0 for %d", h.rank, conn.RemoteAddr(), h.ranks, c.Ranks)
		case h.rank < 1 || h.rank >= c.Ranks:
			return reject("a process at %s says it is rank %d of %d", conn.RemoteAddr(), h.rank, c.Ranks)
		case h.cannot:
			// Every rank hears it, those that greet later too, so that
			// none waits for the time limit; rank 0 then ends with it.
			pe := &PeerError{Rank: h.rank, Reason: string(h.body)}
			_ = p.write(kindBye, nil) // heard
			_ = conn.Close()
			refusal := abortPayload(pe.Rank, pe.Reason)
			end(kindCannot, refusal)
			came[h.rank] = true
			_ = g.tell(ctx, c, came, refusal)
			return pe
		case s.peers[h.rank] != nil:
			return reject("rank %d joined twice (from %s and %s)", h.rank, s.peers[h.rank].conn.RemoteAddr(), conn.RemoteAddr())
		}
		p.rank = h.rank
		s.peers[h.rank], infos[h.rank], came[h.rank], hellos[h.rank] = p, h.body, true, h
		joined++
	}
	s.Infos, s.Secret = infos, c.Secret
	welcome := appendBytes(nil, c.Secret)
	welcome = appendUvarint(welcome, len(infos))
	for _, in := range infos {
		welcome = appendBytes(welcome, in)
	}
	for _, p := range s.peers[1:] {
		h := hellos[p.rank]
		proof := macOf(c.Key, welcomeLabel, h.nonce, h.challenge, welcome)
		if err := p.write(kindWelcome, appendBytes(welcome[:len(welcome):len(welcome)], proof)); err != nil {
			return fmt.Errorf("cluster: welcoming rank %d: %w", p.rank, err)
		}
	}
	return nil
}

// follow is the part of Join of a rank other than 0.
func (s *Session) follow(ctx context.Context, c Config) error {
	a, err := greetRankZero(ctx, c, kindHello, c.Info)
	if err != nil {
		return err
	}
	p, kind, body := a.p, a.kind, a.body
	s.peers = []*peer{p}
	switch kind {
	case kindRefuse:
		return refusal(body)
	case kindAbort:
		_, reason := parseAbort(body)
		return fmt.Errorf("cluster: rank 0 turned rank %d away: %s", c.Rank, reason)
	case kindCannot:
		rank, reason := parseAbort(body)
		return &PeerError{Rank: rank, Reason: reason}
	case kindWelcome:
	default:
		return fmt.Errorf("cluster: rank %d: rank 0 at %s answered with frame kind %d", c.Rank, c.Coordinator, kind)
	}
	r := reader{b: body}
	s.Secret = r.bytes()
	n := r.uvarint()
	if r.err == nil && n != uint64(c.Ranks) {
		return fmt.Errorf("cluster: rank 0 at %s runs %d ranks, rank %d was started for %d", c.Coordinator, n, c.Rank, c.Ranks)
	}
	for range n {
		s.Infos = append(s.Infos, r.bytes())
	}
	signed := body[:len(body)-len(r.b)]
	proof := r.bytes()
	if r.err != nil {
		return fmt.Errorf("cluster: rank %d: rank 0's welcome: %w", c.Rank, r.err)
	}
	if len(c.Key) > 0 && !hmac.Equal(proof, macOf(c.Key, welcomeLabel, a.nonce, a.challenge, signed)) {
		return fmt.Errorf("cluster: %s: the process at %s welcomed it without proof of the secret: not its rank 0", rankOfJob(c.Rank, c.Job), c.Coordinator)
	}
	return nil
}

// dial connects to addr, retrying every retryEvery until ctx ends: rank 0
// may start later than the others.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	var last error
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last try: %w)", contextReason(ctx), last)
		case <-time.After(retryEvery):
		}
	}
}

const retryEvery = 200 * time.Millisecond

// contextReason names the end of a join's context: the time limit (which
// is a context.DeadlineExceeded), or a cancel.
func contextReason(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errTimeLimit{}
	}
	return ctx.Err()
}

// errTimeLimit is the end of a join at its time limit.
type errTimeLimit struct{}

func (errTimeLimit) Error() string { return "the join's time limit" }
func (errTimeLimit) Unwrap() error { return context.DeadlineExceeded }

func newPeer(rank int, conn net.Conn) *peer {
	if tc, ok := conn.(*net.TCPConn); ok {
		// Pings and small frames go out at once.
		_ = tc.SetNoDelay(true)
	}
	return &peer{rank: rank, conn: conn, rd: bufio.NewReaderSize(conn, 1<<16),
		inbox: make(chan []byte, 1), bye: make(chan struct{})}
}

// write sends one frame.
func (p *peer) write(kind byte, body []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return p.writeLocked(kind, body)
}

// ping says this rank is alive, unless a frame is on its way to the peer
// already: its bytes say as much, and waiting for it to end would hold back
// the pings of every other peer until they took this rank for dead.
func (p *peer) ping() {
	if !p.wmu.TryLock() {
		return
	}
	defer p.wmu.Unlock()
	_ = p.writeLocked(kindPing, nil)
}

// writeLocked sends one frame; the caller holds wmu.
func (p *peer) writeLocked(kind byte, body []byte) error {
	var head [9]byte
	head[0] = kind
	binary.BigEndian.PutUint64(head[1:], uint64(len(body)))
	_ = p.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := p.conn.Write(head[:]); err != nil {
		return err
	}
	for len(body) > 0 {
		// In pieces, each with its own time limit: a large frame may take
		// long on a slow network, a stuck peer should not hold us forever.
		n := min(len(body), chunk)
		_ = p.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := p.conn.Write(body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	_ = p.conn.SetWriteDeadline(time.Time{})
	return nil
}

const (
	chunk        = 1 << 20
	writeTimeout = 30 * time.Second
)

// maxGreeting bounds the hello and the welcome, read before the peer is
// known to be a rank of ours: a stranger on the coordinator's port must
// not make rank 0 allocate maxFrame bytes.
const maxGreeting = 1 << 20

// readFrame reads one frame of at most limit bytes; with silence > 0, no
// byte for that long is an error (the deadline moves on with every piece
// of a long frame).
func (p *peer) readFrame(silence time.Duration, limit uint64) (byte, []byte, error) {
	extend := func() {
		if silence > 0 {
			_ = p.conn.SetReadDeadline(time.Now().Add(silence))
		}
	}
	extend()
	var head [9]byte
	if _, err := io.ReadFull(p.rd, head[:]); err != nil {
		return 0, nil, err
	}
	size := binary.BigEndian.Uint64(head[1:])
	if size > limit {
		return 0, nil, fmt.Errorf("a frame of %d bytes, more than the %d expected", size, limit)
	}
	body := make([]byte, size)
	for off := 0; off < len(body); {
		extend()
		n, err := io.ReadFull(p.rd, body[off:min(len(body), off+chunk)])
		off += n
		if err != nil {
			return 0, nil, err
		}
	}
	return head[0], body, nil
}

// read is a connection's reader, for the life of the session: data goes
// to the inbox, a goodbye ends it quietly, anything else that ends it (the
// connection closing, silence, an abort) ends the session with a
// *PeerError.
func (s *Session) read(p *peer) {
	silence := silentBeats * s.heartbeat
	for {
		kind, body, err := p.readFrame(silence, maxFrame)
		if err != nil {
			select {
			case <-p.bye:
				return
			case <-s.done:
				return
			default:
			}
			reason := "its connection closed (the process ended or was killed)"
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				reason = fmt.Sprintf("no word from it for %s (its machine or network stopped)", silence)
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
				reason = fmt.Sprintf("its connection failed: %v", err)
			}
			s.fail(&PeerError{Rank: p.rank, Reason: reason})
			return
		}
		switch kind {
		case kindPing:
		case kindData:
			select {
			case p.inbox <- body:
			case <-s.done:
				return
			}
		case kindBye:
			close(p.bye)
			return
		case kindAbort:
			rank, reason := parseAbort(body)
			s.fail(&PeerError{Rank: rank, Reason: reason})
			return
		}
	}
}

// beat says every heartbeat that this rank is alive.
func (s *Session) beat() {
	t := time.NewTicker(s.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			for _, p := range s.peers {
				if p != nil {
					p.ping()
				}
			}
		}
	}
}

// fail ends the session for err: rank 0 passes it on to every other rank,
// then every connection closes.
func (s *Session) fail(err error) {
	s.failOnce.Do(func() {
		s.err = err
		close(s.done)
		rank, reason := s.Rank, err.Error()
		var pe *PeerError
		if errors.As(err, &pe) {
			rank, reason = pe.Rank, pe.Reason
		}
		s.shutdown(kindAbort, abortPayload(rank, reason))
	})
}

// shutdown stops the heartbeats and sends every peer still there a last
// frame, waiting at most a second for all of them (a stuck peer must not
// hold this rank), then closes the connections.
func (s *Session) shutdown(kind byte, body []byte) {
	s.closed.Do(func() {
		close(s.stop)
		var wg sync.WaitGroup
		for _, p := range s.peers {
			if p == nil {
				continue
			}
			select {
			case <-p.bye:
			default:
				wg.Go(func() { _ = p.write(kind, body) })
			}
		}
		sent := make(chan struct{})
		go func() { wg.Wait(); close(sent) }()
		select {
		case <-sent:
		case <-time.After(lastWordTimeout):
		}
		for _, p := range s.peers {
			if p != nil {
				_ = p.conn.Close()
			}
		}
	})
}

// lastWordTimeout bounds how long shutdown waits for its last frames.
const lastWordTimeout = time.Second

// Done is closed when the session ends: another rank ended (Err says
// which) or this one failed or closed it.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the session ended, once Done is closed: a *PeerError for
// another rank's end; nil before, and after Close.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Fail ends the session because this rank failed: the other ranks hear
// it (rank 0 tells every one) and end theirs with a *PeerError naming this
// rank and err.
func (s *Session) Fail(err error) {
	if err == nil {
		err = errors.New("failed")
	}
	s.fail(err)
}

// Close ends the session after a run that succeeded: the others hear a
// goodbye, not a failure. It is safe to call more than once, and after
// Fail.
func (s *Session) Close() error {
	s.failOnce.Do(func() { close(s.done) })
	s.shutdown(kindBye, nil)
	return nil
}

// Broadcast hands data from rank 0 to every rank: rank 0 passes it and
// gets it back, the others pass nil and get rank 0's. Every rank must call
// it at the same point of its run.
func (s *Session) Broadcast(data []byte) ([]byte, error) {
	if s.Rank != 0 {
		return s.receive(s.peers[0])
	}
	for _, p := range s.peers[1:] {
		if err := s.send(p, data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Gather collects every rank's data at rank 0, in rank order; the other
// ranks get nil. Every rank must call it at the same point of its run.
func (s *Session) Gather(data []byte) ([][]byte, error) {
	if s.Rank != 0 {
		return nil, s.send(s.peers[0], data)
	}
	out := make([][]byte, s.Ranks)
	out[0] = data
	for _, p := range s.peers[1:] {
		d, err := s.receive(p)
		if err != nil {
			return nil, err
		}
		out[p.rank] = d
	}
	return out, nil
}

// send writes a data frame to p; an error ends the session.
func (s *Session) send(p *peer, data []byte) error {
	if err := s.Err(); err != nil {
		return err
	}
	if p == nil {
		return nil // one rank: nobody to send to
	}
	if err := p.write(kindData, data); err != nil {
		if e := s.Err(); e != nil {
			return e
		}
		e := &PeerError{Rank: p.rank, Reason: fmt.Sprintf("sending to it failed: %v", err)}
		s.fail(e)
		return e
	}
	return nil
}

// receive waits for p's next data frame, or the end of the session.
func (s *Session) receive(p *peer) ([]byte, error) {
	select {
	case d := <-p.inbox:
		return d, nil
	case <-s.done:
		if err := s.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("cluster: the session is closed")
	case <-p.bye:
		// Its reader queued the last data before it closed bye: a
		// goodbye right after data is not a goodbye before it.
		select {
		case d := <-p.inbox:
			return d, nil
		default:
		}
		return nil, &PeerError{Rank: p.rank, Reason: "it finished while this rank still waited for its data"}
	}
}

func abortPayload(rank int, reason string) []byte {
	return appendBytes(binary.AppendUvarint(nil, uint64(rank)), []byte(reason))
}

func parseAbort(body []byte) (int, string) {
	r := reader{b: body}
	rank := int(r.uvarint())
	reason := string(r.bytes())
	if r.err != nil {
		return rank, "it failed"
	}
	return rank, reason
}

// appendUvarint appends n as a uvarint.
func appendUvarint(dst []byte, n int) []byte { return binary.AppendUvarint(dst, uint64(n)) }

// appendBytes appends b with its length before it.
func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// reader takes uvarints and length-prefixed bytes from b; the first
// malformed one sets err, and everything after reads as zero.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("a malformed frame")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		if r.err == nil {
			r.err = errors.New("a malformed frame")
		}
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}
