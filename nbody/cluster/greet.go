package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Greetings: anyone who can reach the coordinator's port may connect to
// it, so rank 0 reads what every new connection says concurrently, each
// within its own time limit (helloTimeout) and size (maxGreeting), at most
// maxGreeters at once; a connection that is not a rank of this run is
// dropped without a word and the others go on. Strangers therefore cost a
// real rank nothing: however many say nothing, a real rank's greeting is
// read as it arrives.

// maxGreeters bounds the connections whose greeting rank 0 reads at once
// (and with maxGreeting and each one's read buffer the memory they take:
// about 70 MiB at most, for at most helloTimeout each). A
// connection beyond it closes the one that has been greeting longest: a
// real rank greets as soon as it connects, so the oldest is a stranger's,
// and should it be a rank's after all, that rank greets again.
const maxGreeters = 64

// greeting is what a connection said before it was known to be a rank: a
// hello (with the rank's info) or that it cannot take part (with why),
// with its job and the proof of the shared secret (admit checks both).
type greeting struct {
	p           *peer
	ranks, rank int
	cannot      bool
	body        []byte // the info of a hello, the reason of a refusal
	job         string
	nonce       []byte // the rank's, for the proof of rank 0's welcome
	mac         []byte // the proof of the secret; nil without one
	signed      []byte // what mac proves: the greeting up to it
	challenge   []byte // rank 0's nonce on this connection
}

// greeter accepts connections at a listener and reads their greetings,
// each in its own goroutine, handing the well-formed ones to out.
type greeter struct {
	ln        net.Listener
	ctx       context.Context
	out       chan greeting
	acceptErr chan error
	quit      chan struct{}
	wg        sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	pending  []net.Conn // still greeting, oldest first
	dropped  int        // connections that were not ranks of this run
	lastDrop string     // and what the last one did
}

// greet starts reading the greetings of the connections that ln accepts
// until close; ctx's deadline bounds each greeting too.
func greet(ctx context.Context, ln net.Listener) *greeter {
	g := &greeter{ln: ln, ctx: ctx, out: make(chan greeting), acceptErr: make(chan error, 1), quit: make(chan struct{})}
	g.wg.Go(g.accept)
	return g
}

func (g *greeter) accept() {
	for {
		conn, err := g.ln.Accept()
		if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
			// Out of descriptors (other parts of the process hold them;
			// strangers here hold at most maxGreeters): wait for some.
			g.mu.Lock()
			g.drop(fmt.Sprintf("not accepted: %v", err))
			g.mu.Unlock()
			select {
			case <-g.quit:
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			g.acceptErr <- err
			return
		}
		if g.add(conn) {
			g.wg.Go(func() { g.read(conn) })
		}
	}
}

// add counts conn among those greeting, making room if need be; false if
// the greeter is closed (conn is closed then).
func (g *greeter) add(conn net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		_ = conn.Close()
		return false
	}
	if len(g.pending) >= maxGreeters {
		_ = g.pending[0].Close()
		g.pending = g.pending[1:]
		g.drop(fmt.Sprintf("more than %d connections greeting at once", maxGreeters))
	}
	g.pending = append(g.pending, conn)
	return true
}

// drop counts a connection dropped; the caller holds mu.
func (g *greeter) drop(why string) {
	g.dropped++
	g.lastDrop = why
}

// read challenges conn, reads its greeting and hands it on, or drops conn.
func (g *greeter) read(conn net.Conn) {
	p := newPeer(-1, conn)
	deadline := time.Now().Add(helloTimeout)
	if d, ok := g.ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	challenge := newNonce()
	err := p.write(kindChallenge, appendBytes([]byte(magic), challenge))
	var h greeting
	if err == nil {
		h, err = p.readGreeting(deadline)
		h.challenge = challenge
	}
	g.mu.Lock()
	i := 0
	for i < len(g.pending) && g.pending[i] != conn {
		i++
	}
	if i == len(g.pending) {
		// Closed to make room, or by close: counted there.
		g.mu.Unlock()
		return
	}
	g.pending = append(g.pending[:i], g.pending[i+1:]...)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			// Not a connection closed without a byte (a port check, a
			// Kubernetes tcpSocket probe), which says nothing worth telling.
			g.drop(dropReason(err))
		}
		g.mu.Unlock()
		_ = conn.Close()
		return
	}
	g.mu.Unlock()
	select {
	case g.out <- h:
	case <-g.quit:
		_ = conn.Close()
	}
}

// dropReason says in a few words what a dropped connection did.
func dropReason(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "no greeting within its time limit"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "closed before it greeted"
	}
	return err.Error()
}

// refuse turns h away with why (a kindRefuse frame of code), closes its
// connection and counts it among those that were not ranks of this run.
func (g *greeter) refuse(h greeting, code byte, why string) {
	_ = h.p.write(kindRefuse, refusePayload(code, why))
	_ = h.p.conn.Close()
	g.mu.Lock()
	g.drop(why)
	g.mu.Unlock()
}

// strangers says what became of the connections dropped so far, for the
// message of a join that did not complete: "" if none were.
func (g *greeter) strangers() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dropped == 0 {
		return ""
	}
	return fmt.Sprintf("%d connections that were not ranks of this run dropped, the last: %s", g.dropped, g.lastDrop)
}

// close stops accepting, closes every connection still greeting and
// waits for the goroutines.
func (g *greeter) close() {
	g.mu.Lock()
	g.closed = true
	for _, c := range g.pending {
		_ = c.Close()
	}
	g.pending = nil
	g.mu.Unlock()
	close(g.quit)
	_ = g.ln.Close()
	g.wg.Wait()
}

// readGreeting reads a greeting by deadline.
func (p *peer) readGreeting(deadline time.Time) (greeting, error) {
	_ = p.conn.SetReadDeadline(deadline)
	defer p.conn.SetReadDeadline(time.Time{})
	kind, body, err := p.readFrame(0, maxGreeting)
	if err != nil {
		return greeting{}, err
	}
	if kind != kindHello && kind != kindCannot || len(body) < len(magic) || string(body[:len(magic)]) != magic {
		return greeting{}, errors.New("not an nbody-go greeting")
	}
	r := reader{b: body[len(magic):]}
	g := greeting{p: p, ranks: int(r.uvarint()), rank: int(r.uvarint()), cannot: kind == kindCannot}
	g.job = string(r.bytes())
	g.nonce = r.bytes()
	g.body = r.bytes()
	g.signed = body[:len(body)-len(r.b)]
	g.mac = r.bytes()
	if r.err != nil {
		return greeting{}, fmt.Errorf("not an nbody-go greeting: %w", r.err)
	}
	return g, nil
}

// helloTimeout bounds how long rank 0 waits for the greeting of a
// connection that it accepted: a real rank greets at once.
const helloTimeout = 10 * time.Second

// greetingBody is the body of a hello or a refusal (kind) of the rank
// that c describes, with body (its info, or why it cannot take part), its
// nonce and, with a shared secret, the proof over rank 0's challenge.
func greetingBody(c Config, body, nonce, challenge []byte) []byte {
	b := []byte(magic)
	b = appendUvarint(b, c.Ranks)
	b = appendUvarint(b, c.Rank)
	b = appendBytes(b, []byte(c.Job))
	b = appendBytes(b, nonce)
	b = appendBytes(b, body)
	return appendBytes(b, macOf(c.Key, helloLabel, challenge, b))
}

// answer is rank 0's answer to a greeting, with the nonces that its proof
// covers.
type answer struct {
	p                *peer
	kind             byte
	body             []byte
	nonce, challenge []byte // the rank's and rank 0's
}

// errNotRankZero is a process at the coordinator's address that does not
// speak first as rank 0 does.
var errNotRankZero = errors.New("it did not greet as an nbody-go rank 0 (another program on the port?)")

// greetRankZero connects to rank 0, reads its challenge, sends it a
// greeting of kind with body and reads its answer. A connection that
// closes before any answer (rank 0 closed it to make room for another, or
// restarted) is tried again until ctx ends.
func greetRankZero(ctx context.Context, c Config, kind byte, body []byte) (answer, error) {
	var last error
	for {
		conn, err := dial(ctx, c.Coordinator)
		if err != nil {
			if last != nil {
				err = fmt.Errorf("%w; before: %w", err, last)
			}
			return answer{}, fmt.Errorf("cluster: rank %d reaching rank 0 at %s: %w", c.Rank, c.Coordinator, err)
		}
		a := answer{p: newPeer(0, conn), nonce: newNonce()}
		// Rank 0 speaks first, at once; then it answers a hello once every
		// rank has joined: wait as long as the join may.
		_ = conn.SetReadDeadline(time.Now().Add(helloTimeout))
		stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
		a.challenge, err = a.p.readChallenge()
		if err == nil {
			_ = conn.SetReadDeadline(time.Time{})
			if ctx.Err() != nil {
				err = ctx.Err()
			} else {
				err = a.p.write(kind, greetingBody(c, body, a.nonce, a.challenge))
			}
		}
		if err == nil {
			a.kind, a.body, err = a.p.readFrame(0, maxGreeting)
		}
		stop()
		if err == nil {
			_ = conn.SetReadDeadline(time.Time{})
			return a, nil
		}
		_ = conn.Close()
		if ctx.Err() != nil {
			return answer{}, fmt.Errorf("cluster: rank %d waiting for the other ranks at %s: %w", c.Rank, c.Coordinator, contextReason(ctx))
		}
		var ne net.Error
		if errors.Is(err, errNotRankZero) || errors.As(err, &ne) && ne.Timeout() {
			return answer{}, fmt.Errorf("cluster: rank %d at %s: %w", c.Rank, c.Coordinator, errNotRankZero)
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
			return answer{}, fmt.Errorf("cluster: rank %d waiting for rank 0 at %s: %w", c.Rank, c.Coordinator, err)
		}
		last = fmt.Errorf("rank 0 closed the connection before it answered: %w", err)
		select {
		case <-ctx.Done():
		case <-time.After(retryEvery):
		}
	}
}

// readChallenge reads rank 0's first frame, its challenge, and returns
// its nonce.
func (p *peer) readChallenge() ([]byte, error) {
	kind, body, err := p.readFrame(0, maxGreeting)
	var ne net.Error
	switch {
	case err == nil:
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.As(err, &ne):
		return nil, err
	default:
		return nil, errNotRankZero // a frame no rank 0 sends
	}
	if kind != kindChallenge || len(body) < len(magic) || string(body[:len(magic)]) != magic {
		return nil, errNotRankZero
	}
	r := reader{b: body[len(magic):]}
	nonce := r.bytes()
	if r.err != nil || len(nonce) != nonceSize {
		return nil, errNotRankZero
	}
	return nonce, nil
}

// Withdraw tells the other ranks, in place of Join, that this one cannot
// take part in the simulation, and why: every other rank's Join ends with
// a *PeerError naming this rank, its Reason "it cannot take part: " and
// reason. A rank other than 0 tells rank 0 (retrying its connection until
// the join's time limit, as Join does) and returns once rank 0 has its
// word; rank 0 tells the ranks waiting at once, and those that greet it
// later as they come.
//
// Rank 0, withdrawing itself, listens and answers every rank that greets
// it until every other rank has heard or the join's time limit: it lasts
// until the last rank starts, so a caller should say why this rank cannot
// take part before it calls Withdraw, not after. The error says whom it
// could not tell.
func Withdraw(ctx context.Context, c Config, reason error) error {
	c, err := c.checked()
	if err != nil || c.Ranks == 1 {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.JoinTimeout)
	defer cancel()
	why := "it cannot take part: " + reasonText(reason)
	if c.Rank != 0 {
		a, err := greetRankZero(ctx, c, kindCannot, []byte(why))
		if err != nil {
			return err
		}
		_ = a.p.conn.Close()
		kind, body := a.kind, a.body
		if kind == kindRefuse {
			return refusal(body) // another job's rank 0: ours has not heard
		}
		if kind == kindAbort {
			// Rank 0 turned it away (another number of ranks): it heard.
			_, msg := parseAbort(body)
			return fmt.Errorf("cluster: rank 0 turned rank %d away: %s", c.Rank, msg)
		}
		return nil
	}
	ln, err := listen(ctx, c.Coordinator)
	if err != nil {
		return err
	}
	g := greet(ctx, ln)
	defer g.close()
	told := make([]bool, c.Ranks)
	told[0] = true
	return g.tell(ctx, c, told, abortPayload(0, why))
}

// tell answers every greeting with refusal (a kindCannot's body: rank,
// reason) until every rank has heard it (told, which it fills in), or
// ctx ends; the error then says who did not hear.
func (g *greeter) tell(ctx context.Context, c Config, told []bool, refusal []byte) error {
	n := 0
	for _, ok := range told {
		if ok {
			n++
		}
	}
	for n < c.Ranks {
		select {
		case h := <-g.out:
			if why, code := admit(c, h); why != "" {
				g.refuse(h, code, why)
				continue
			}
			_ = h.p.write(kindCannot, refusal)
			_ = h.p.conn.Close()
			if h.ranks == c.Ranks && h.rank > 0 && h.rank < c.Ranks && !told[h.rank] {
				told[h.rank] = true
				n++
			}
		case err := <-g.acceptErr:
			if ctx.Err() == nil {
				return fmt.Errorf("cluster: rank 0 at %s: %w", c.Coordinator, err)
			}
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			return fmt.Errorf("cluster: rank 0 at %s told %d of %d ranks that the simulation cannot run before %w (%s)",
				c.Coordinator, n-1, c.Ranks-1, contextReason(ctx), absent(told, g))
		}
	}
	return nil
}

// reasonText is err's message, or a stand-in for no error.
func reasonText(err error) string {
	if err == nil {
		return "it failed"
	}
	return err.Error()
}

// absent says which ranks never greeted rank 0 ("ranks 1 and 2 never
// came"), and what became of the connections that were not ranks.
func absent(came []bool, g *greeter) string {
	var missing []string
	more := 0
	for r, ok := range came {
		switch {
		case ok:
		case len(missing) < 8:
			missing = append(missing, fmt.Sprint(r))
		default:
			more++
		}
	}
	if more > 0 {
		missing = append(missing, fmt.Sprintf("%d more", more))
	}
	var msg string
	switch len(missing) {
	case 0:
	case 1:
		msg = "rank " + missing[0] + " never came"
	default:
		msg = "ranks " + strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1] + " never came"
	}
	if s := g.strangers(); s != "" {
		if msg != "" {
			msg += "; "
		}
		msg += s
	}
	return msg
}
