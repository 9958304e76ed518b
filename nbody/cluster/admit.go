package cluster

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net"
	"strconv"
)

// Admission: rank 0 greets every connection with a challenge (a fresh
// random nonce); a rank answers with a greeting that names its job, carries
// a nonce of its own and, where the rank has a shared secret (Config.Key),
// proves it with an HMAC-SHA256 keyed by the secret over the challenge and
// the whole greeting. Rank 0 turns away (kindRefuse) a greeting of another
// job, or whose proof is missing, wrong or unexpected, and goes on waiting
// for its own ranks. Its welcome proves in turn that it knows the secret,
// with an HMAC over the rank's nonce, its own and the welcome, so that a
// rank never takes a stranger on the coordinator's port for rank 0. The
// secret itself never crosses the network, and a greeting recorded once
// does not prove anything on another connection, whose challenge differs.

// nonceSize is the size of the nonces of the challenge and the greeting.
const nonceSize = 32

// MAC labels keep a greeting's proof from passing for a welcome's.
const (
	helloLabel   = "nbody-go hello\n"
	welcomeLabel = "nbody-go welcome\n"
)

// Refusal codes, the first byte of a kindRefuse frame.
const (
	refuseJob    byte = 1 // another job
	refuseSecret byte = 2 // the secret is missing, unexpected or wrong
)

// newNonce returns nonceSize random bytes (crypto/rand.Read does not fail).
func newNonce() []byte {
	b := make([]byte, nonceSize)
	_, _ = rand.Read(b)
	return b
}

// macOf is the HMAC-SHA256 under key of label and parts, each part with
// its length before it so that no two lists of parts read the same; nil
// without a key.
func macOf(key []byte, label string, parts ...[]byte) []byte {
	if len(key) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, key)
	_, _ = m.Write([]byte(label))
	for _, p := range parts {
		_, _ = m.Write(appendBytes(nil, p))
	}
	return m.Sum(nil)
}

// RefusedError is a rank that rank 0 turned away before the join: it is
// of another job, or its shared secret is missing, unexpected or wrong.
// Rank 0 goes on waiting for its own ranks; the refused rank's Join (or
// Withdraw) ends with this error at once.
type RefusedError struct {
	// Reason names the rank, its job and, for another job, rank 0's.
	Reason string
	// Secret reports a refusal for the shared secret, not the job.
	Secret bool
}

// Error reads "cluster: rank 1 of job "7.0": wrong secret (…)".
func (e *RefusedError) Error() string { return "cluster: " + e.Reason }

// jobName names a job for a message: `job "1234.0"`, or "no named job".
func jobName(job string) string {
	if job == "" {
		return "no named job"
	}
	return fmt.Sprintf("job %q", job)
}

// rankOfJob names a rank and its job for a message: `rank 1 of job "7.0"`.
func rankOfJob(rank int, job string) string {
	if job == "" {
		return fmt.Sprintf("rank %d", rank)
	}
	return fmt.Sprintf("rank %d of job %q", rank, job)
}

// admit checks that greeting h is of rank 0's job (c.Job) and proves the
// shared secret that rank 0 holds (c.Key), or neither holds one; it
// returns why not (a line for the refused rank) and its refusal code, or
// "" to admit it. The job comes first: two jobs with two secrets differ
// first of all in their jobs.
func admit(c Config, h greeting) (string, byte) {
	who := rankOfJob(h.rank, h.job)
	switch {
	case h.job != c.Job:
		return fmt.Sprintf("rank 0 at %s runs %s and turned away rank %d, which runs %s: jobs never mix (another job's rank 0 holds this port?)",
			c.Coordinator, jobName(c.Job), h.rank, jobName(h.job)), refuseJob
	case len(c.Key) == 0 && len(h.mac) > 0:
		return who + " has a secret and rank 0 none (give every rank the same secret file or NBODY_SECRET, or none)", refuseSecret
	case len(c.Key) > 0 && len(h.mac) == 0:
		return who + " has no secret and rank 0 has one (give every rank the same secret file or NBODY_SECRET)", refuseSecret
	case len(c.Key) > 0 && !hmac.Equal(h.mac, macOf(c.Key, helloLabel, h.challenge, h.signed)):
		return who + ": wrong secret (the secret file or NBODY_SECRET must match rank 0's)", refuseSecret
	}
	return "", 0
}

// refusePayload is a kindRefuse frame's body: the code, then the reason.
func refusePayload(code byte, reason string) []byte {
	return appendBytes([]byte{code}, []byte(reason))
}

// refusal reads a kindRefuse frame's body as the refused rank's error.
func refusal(body []byte) *RefusedError {
	if len(body) == 0 {
		return &RefusedError{Reason: "rank 0 turned this rank away"}
	}
	r := reader{b: body[1:]}
	reason := string(r.bytes())
	if r.err != nil {
		reason = "rank 0 turned this rank away"
	}
	return &RefusedError{Reason: reason, Secret: body[0] == refuseSecret}
}

// PortInUseError is rank 0's listener refused because another process
// (another job's rank 0?) holds the coordinator's port on this machine.
// The command says how to choose another.
type PortInUseError struct {
	Host string // the address listened at: "0.0.0.0" for every interface
	Port int
	Err  error // the listener's error, which is a syscall.EADDRINUSE
}

// Error reads "cluster: rank 0 cannot listen: port 29517 on 0.0.0.0 is in
// use (another job on this node?)".
func (e *PortInUseError) Error() string {
	return fmt.Sprintf("cluster: rank 0 cannot listen: port %d on %s is in use (another job on this node?)", e.Port, e.Host)
}

// Unwrap returns the listener's error.
func (e *PortInUseError) Unwrap() error { return e.Err }

// portInUse is the *PortInUseError of addr (host:port, host "" for every
// interface).
func portInUse(addr string, err error) error {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" {
		host = "0.0.0.0"
	}
	p, _ := strconv.Atoi(port)
	return &PortInUseError{Host: host, Port: p, Err: err}
}
