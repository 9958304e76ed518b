package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each launcher's identity of the job, and the port Slurm's jobs derive
// from it.
func TestJobFromLaunchers(t *testing.T) {
	for _, c := range []struct {
		name, job   string // job: -job, "" for none
		ranks       string // -ranks, "" for none
		env         func(string) (string, bool)
		want        string
		wantCoord   string
		wantDerived bool
	}{
		{name: "slurm step", env: env("SLURM_PROCID", "1", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "gpu[07-08]",
			"SLURM_JOB_ID", "1234", "SLURM_STEP_ID", "0"), want: "1234.0", wantCoord: "gpu07:" + strconv.Itoa(JobPort("1234.0")), wantDerived: true},
		{name: "slurm batch, older names", env: env("SLURM_PROCID", "1", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "gpu07",
			"SLURM_JOBID", "99"), want: "99", wantCoord: "gpu07:" + strconv.Itoa(JobPort("99")), wantDerived: true},
		{name: "slurm, -job wins and moves the port", job: "mine", env: env("SLURM_PROCID", "1", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "gpu07",
			"SLURM_JOB_ID", "1234", "SLURM_STEP_ID", "0"), want: "mine", wantCoord: "gpu07:" + strconv.Itoa(JobPort("mine")), wantDerived: true},
		{name: "slurm without a job id", env: env("SLURM_PROCID", "1", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "gpu07"),
			wantCoord: "gpu07:29517", wantDerived: true},
		{name: "torchrun", env: env("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "m", "MASTER_PORT", "29400", "TORCHELASTIC_RUN_ID", "exp-7"),
			want: "exp-7", wantCoord: "m:29400"},
		{name: "torchrun's default run id names no job", env: env("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "m", "MASTER_PORT", "29400", "TORCHELASTIC_RUN_ID", "none"),
			wantCoord: "m:29400"},
		{name: "open mpi 4", env: env("OMPI_COMM_WORLD_RANK", "1", "OMPI_COMM_WORLD_SIZE", "2", "OMPI_MCA_ess_base_jobid", "3166765057", "PMIX_NAMESPACE", "ns"),
			want: "3166765057", wantCoord: "h:1"},
		{name: "open mpi 5", env: env("OMPI_COMM_WORLD_RANK", "1", "OMPI_COMM_WORLD_SIZE", "2", "PMIX_NAMESPACE", "prterun-n1-4242@1"),
			want: "prterun-n1-4242@1", wantCoord: "h:1"},
		{name: "kubernetes indexed job", ranks: "4", env: env("JOB_COMPLETION_INDEX", "3", "HOSTNAME", "nbody-check-3"), want: "nbody-check", wantCoord: "h:1"},
		{name: "kubernetes, a hostname of the pod's own", ranks: "4", env: env("JOB_COMPLETION_INDEX", "3", "HOSTNAME", "worker"), wantCoord: "h:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s Spec
			if c.wantCoord == "h:1" {
				require.NoError(t, s.SetCoordinator("h:1"))
			}
			if c.ranks != "" {
				require.NoError(t, s.SetRanks(c.ranks))
			}
			if c.job != "" {
				require.NoError(t, s.SetJob(c.job))
			}
			require.NoError(t, s.DetectFrom(c.env))
			assert.Equal(t, c.want, s.Job)
			assert.Equal(t, c.wantCoord, s.Coordinator)
			assert.Equal(t, c.wantDerived, s.PortDerived)
		})
	}
	// Every value given: no launcher has a say, in the job neither.
	s := given(t, "2", "1", "h:1")
	require.NoError(t, s.DetectFrom(env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_ID", "5")))
	assert.Equal(t, "", s.Job)
	assert.False(t, s.PortDerived)
}

func TestSetJobRefuses(t *testing.T) {
	var s Spec
	for _, bad := range []string{"", "two words", "tab\there", strings.Repeat("j", maxJob+1)} {
		assert.Error(t, s.SetJob(bad), "%q", bad)
	}
	assert.Equal(t, "", s.Job)
	require.NoError(t, s.SetJob("sim-7.2@a"))
	assert.Equal(t, "sim-7.2@a", s.Job)
}

// The port of a job is the same for every rank, in every build (its
// value is part of the documentation), different for different jobs, in
// its range; without a job, DefaultPort.
func TestJobPort(t *testing.T) {
	assert.Equal(t, DefaultPort, JobPort(""))
	assert.Equal(t, JobPort("1234.0"), JobPort("1234.0"))
	assert.Equal(t, 27395, JobPort("1234.0"), "FNV-1a of the job, fixed for good")
	assert.NotEqual(t, JobPort("1234.0"), JobPort("1234.1"), "two steps of a job")
	seen := map[int]bool{}
	for i := range 200 {
		p := JobPort(fmt.Sprintf("%d.0", 1000+i))
		assert.GreaterOrEqual(t, p, 20000)
		assert.Less(t, p, 29500, "below torchrun's 29500 and the default 29517")
		seen[p] = true
	}
	assert.Greater(t, len(seen), 190, "200 jobs spread over the range")
}

func TestSecretFromFileOrEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(file, []byte("  c0ffee\n"), 0o600))
	var s Spec
	require.NoError(t, s.SetSecretFile(file))
	require.NoError(t, s.DetectFrom(env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "n1", SecretEnv, "env")))
	assert.Equal(t, []byte("c0ffee"), s.Key(), "the file's, less its white space; it wins over NBODY_SECRET")

	s = Spec{}
	require.NoError(t, s.DetectFrom(env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "n1", SecretEnv, "from-env")))
	assert.Equal(t, []byte("from-env"), s.Key())
	s = Spec{}
	require.NoError(t, s.DetectFrom(env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "n1", SecretEnv, " ")))
	assert.Nil(t, s.Key(), "a blank NBODY_SECRET is none")

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	assert.ErrorContains(t, s.SetSecretFile(empty), "is empty")
	assert.ErrorContains(t, s.SetSecretFile(filepath.Join(dir, "missing")), "no such file")
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("k"), maxSecret+1), 0o600))
	assert.ErrorContains(t, s.SetSecretFile(big), "more than 64 KiB")
}

// jobRank joins rank of ranks of job at addr (info "<job> r<rank>"), with
// key as its shared secret.
func jobRank(ctx context.Context, ranks, rank int, addr, job string, key []byte) (*Session, error) {
	return Join(ctx, Config{Ranks: ranks, Rank: rank, Coordinator: addr, Job: job, Key: key,
		Info: fmt.Appendf(nil, "%s r%d", job, rank), Secret: []byte(job + " id"), JoinTimeout: 10 * time.Second})
}

// startJobRank runs jobRank in the background.
func startJobRank(t *testing.T, ranks, rank int, addr, job string, key []byte) <-chan joined {
	t.Helper()
	out := make(chan joined, 1)
	go func() {
		s, err := jobRank(context.Background(), ranks, rank, addr, job, key)
		if s != nil {
			t.Cleanup(func() { _ = s.Close() })
		}
		out <- joined{s, err}
	}()
	return out
}

// waitListening waits until something listens at addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, joinBound, 10*time.Millisecond, "nothing listened at %s", addr)
}

// within waits for a result, at most joinBound.
func within(t *testing.T, ch <-chan joined, what string) joined {
	t.Helper()
	select {
	case j := <-ch:
		return j
	case <-time.After(joinBound):
		t.Fatalf("%s did not end within %v", what, joinBound)
		return joined{}
	}
}

// assertJoinedAs checks that a session is of job's ranks alone.
func assertJoinedAs(t *testing.T, j joined, ranks int, job string) {
	t.Helper()
	require.NoError(t, j.err)
	require.Len(t, j.s.Infos, ranks)
	for r, in := range j.s.Infos {
		assert.Equal(t, fmt.Sprintf("%s r%d", job, r), string(in))
	}
	assert.Equal(t, []byte(job+" id"), j.s.Secret)
}

// A rank of another job is turned away at once, with a line naming both
// jobs; rank 0 goes on waiting, and its own rank then joins. Another
// job's rank that withdraws does not end rank 0's join either.
func TestRankOfAnotherJobIsTurnedAway(t *testing.T) {
	addr := freeAddress(t)
	zero := startJobRank(t, 2, 0, addr, "1234.0", nil)
	waitListening(t, addr)

	start := time.Now()
	_, err := jobRank(context.Background(), 2, 1, addr, "1235.0", nil)
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Less(t, time.Since(start), joinBound, "at once")
	assert.False(t, refused.Secret)
	assert.Equal(t, `cluster: rank 0 at `+addr+` runs job "1234.0" and turned away rank 1, which runs job "1235.0": `+
		`jobs never mix (another job's rank 0 holds this port?)`, err.Error())

	_, err = jobRank(context.Background(), 2, 1, addr, "", nil)
	assert.ErrorContains(t, err, `runs job "1234.0" and turned away rank 1, which runs no named job`)

	err = Withdraw(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: addr, Job: "other", JoinTimeout: 10 * time.Second},
		errors.New("no GPU"))
	require.ErrorAs(t, err, &refused, "another job's withdrawal is turned away, and rank 0's join goes on")

	one := startJobRank(t, 2, 1, addr, "1234.0", nil)
	assertJoinedAs(t, within(t, one, "rank 1 of the job"), 2, "1234.0")
	assertJoinedAs(t, within(t, zero, "rank 0 of the job"), 2, "1234.0")
}

// Two jobs started at once against the same first host and port: the
// second rank 0 finds the port in use and says so, the first turns the
// other job's rank away naming both jobs, and its own job joins, unmixed.
// Each job has three ranks, the third of which starts once the other
// job's rank has been turned away: a rank that greets the first rank 0
// after its join is over finds the port closed, and waits for its own
// rank 0 until its time limit.
func TestTwoJobsOnOnePort(t *testing.T) {
	addr := freeAddress(t)
	jobs := []string{"41.0", "42.0"}
	results := map[string][]<-chan joined{}
	for _, job := range jobs {
		for r := range 2 {
			results[job] = append(results[job], startJobRank(t, 3, r, addr, job, nil))
		}
	}
	// The first rank 0 to listen waits for its rank 2; the other ends.
	var lost string
	var lostZero joined
	select {
	case lostZero = <-results[jobs[0]][0]:
		lost = jobs[0]
	case lostZero = <-results[jobs[1]][0]:
		lost = jobs[1]
	case <-time.After(joinBound):
		t.Fatal("neither rank 0 ended")
	}
	won := jobs[0]
	if lost == won {
		won = jobs[1]
	}
	var inUse *PortInUseError
	require.ErrorAs(t, lostZero.err, &inUse, "the second job's rank 0")
	_, port, _ := net.SplitHostPort(addr)
	assert.Equal(t, "cluster: rank 0 cannot listen: port "+port+" on 127.0.0.1 is in use (another job on this node?)", inUse.Error())
	var refused *RefusedError
	lostOne := within(t, results[lost][1], "the second job's rank 1")
	require.ErrorAs(t, lostOne.err, &refused)
	assert.Contains(t, refused.Error(), fmt.Sprintf("runs job %q and turned away rank 1, which runs job %q", won, lost))

	results[won] = append(results[won], startJobRank(t, 3, 2, addr, won, nil))
	for r := range 3 {
		assertJoinedAs(t, within(t, results[won][r], fmt.Sprintf("rank %d of the first job", r)), 3, won)
	}
}

// Two jobs of Slurm on the same first node derive two ports, and both
// join at once, each of its own ranks.
func TestTwoSlurmJobsOnOneNode(t *testing.T) {
	specs := map[string][]Spec{}
	for _, job := range []string{"500", "501"} {
		for r := range 2 {
			var s Spec
			require.NoError(t, s.DetectFrom(env("SLURM_PROCID", strconv.Itoa(r), "SLURM_NTASKS", "2",
				"SLURM_JOB_NODELIST", "127.0.0.1", "SLURM_JOB_ID", job, "SLURM_STEP_ID", "0")))
			specs[job] = append(specs[job], s)
		}
		ln, err := net.Listen("tcp", specs[job][0].Coordinator)
		if err != nil {
			t.Skipf("the port of job %s is taken on this machine: %v", job, err)
		}
		require.NoError(t, ln.Close())
	}
	require.NotEqual(t, specs["500"][0].Coordinator, specs["501"][0].Coordinator)
	var wg sync.WaitGroup
	got := map[string][]joined{"500": make([]joined, 2), "501": make([]joined, 2)}
	for job, ss := range specs {
		for r, s := range ss {
			assert.Equal(t, job+".0", s.Job)
			wg.Go(func() {
				sess, err := jobRank(context.Background(), s.Ranks, s.Rank, s.Coordinator, s.Job, s.Key())
				if sess != nil {
					t.Cleanup(func() { _ = sess.Close() })
				}
				got[job][r] = joined{sess, err}
			})
		}
	}
	wg.Wait()
	for job := range specs {
		for r := range 2 {
			assertJoinedAs(t, got[job][r], 2, job+".0")
		}
	}
}

// Ranks with the same secret join; a rank with another is turned away in
// one line, and rank 0 goes on waiting for its own; a secret on one side
// only is turned away too, with a line that says which side has it.
func TestSecret(t *testing.T) {
	key := []byte("correct horse")
	addr := freeAddress(t)
	zero := startJobRank(t, 2, 0, addr, "7.0", key)
	waitListening(t, addr)

	_, err := jobRank(context.Background(), 2, 1, addr, "7.0", []byte("battery staple"))
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	assert.True(t, refused.Secret)
	assert.Equal(t, `cluster: rank 1 of job "7.0": wrong secret (the secret file or NBODY_SECRET must match rank 0's)`, err.Error())

	_, err = jobRank(context.Background(), 2, 1, addr, "7.0", nil)
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, `cluster: rank 1 of job "7.0" has no secret and rank 0 has one (give every rank the same secret file or NBODY_SECRET)`, err.Error())

	one := startJobRank(t, 2, 1, addr, "7.0", key)
	assertJoinedAs(t, within(t, one, "rank 1 with the secret"), 2, "7.0")
	assertJoinedAs(t, within(t, zero, "rank 0 with the secret"), 2, "7.0")

	// Rank 0 without a secret, the rank with one.
	addr = freeAddress(t)
	zero = startJobRank(t, 2, 0, addr, "", nil)
	waitListening(t, addr)
	_, err = jobRank(context.Background(), 2, 1, addr, "", key)
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "cluster: rank 1 has a secret and rank 0 none (give every rank the same secret file or NBODY_SECRET, or none)", err.Error())
	one = startJobRank(t, 2, 1, addr, "", nil)
	assertJoinedAs(t, within(t, one, "rank 1 without a secret"), 2, "")
	assertJoinedAs(t, within(t, zero, "rank 0 without a secret"), 2, "")
}

// The secret never crosses the network: a greeting holds its proof, which
// differs with every challenge.
func TestGreetingHoldsNoSecret(t *testing.T) {
	key := []byte("a secret of some length")
	c := Config{Ranks: 2, Rank: 1, Job: "j", Key: key}
	a := greetingBody(c, []byte("info"), newNonce(), newNonce())
	b := greetingBody(c, []byte("info"), newNonce(), newNonce())
	assert.False(t, bytes.Contains(a, key))
	assert.NotEqual(t, a[len(a)-32:], b[len(b)-32:], "another challenge, another proof")
}

// A rank with a secret does not take for rank 0 a process that cannot
// prove it knows it, however it answers; nor a process that does not
// speak as rank 0 does.
func TestRankZeroMustProveTheSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		p := newPeer(-1, conn)
		_ = p.write(kindChallenge, appendBytes([]byte(magic), newNonce()))
		if _, err := p.readGreeting(time.Now().Add(joinBound)); err != nil {
			return
		}
		welcome := appendBytes(nil, []byte("fake id"))
		welcome = appendUvarint(welcome, 2)
		welcome = appendBytes(appendBytes(welcome, []byte("a")), []byte("b"))
		_ = p.write(kindWelcome, appendBytes(welcome, nil))
		_, _, _ = p.readFrame(0, maxGreeting) // until the rank hangs up
	}()
	_, err = Join(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: ln.Addr().String(), Job: "j", Key: []byte("k"),
		JoinTimeout: joinBound})
	assert.ErrorContains(t, err, `rank 1 of job "j": the process at `+ln.Addr().String()+` welcomed it without proof of the secret`)

	web, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer web.Close()
	go func() {
		for {
			conn, err := web.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			_ = conn.Close()
		}
	}()
	start := time.Now()
	_, err = Join(context.Background(), Config{Ranks: 2, Rank: 1, Coordinator: web.Addr().String(), JoinTimeout: 10 * time.Second})
	assert.ErrorContains(t, err, "did not greet as an nbody-go rank 0 (another program on the port?)")
	assert.Less(t, time.Since(start), joinBound)
}

// A port that another process holds says so, with the port and where.
func TestPortInUse(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	_, port, _ := net.SplitHostPort(held.Addr().String())
	_, err = Join(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: held.Addr().String(), JoinTimeout: joinBound})
	var inUse *PortInUseError
	require.ErrorAs(t, err, &inUse)
	assert.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.Equal(t, "cluster: rank 0 cannot listen: port "+port+" on 127.0.0.1 is in use (another job on this node?)", err.Error())

	// A coordinator by name: rank 0 listens on every interface.
	every, err := net.Listen("tcp", ":0")
	require.NoError(t, err)
	defer every.Close()
	_, port, _ = net.SplitHostPort(every.Addr().String())
	err = Withdraw(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: "node1.invalid:" + port, JoinTimeout: joinBound},
		errors.New("no GPU"))
	require.ErrorAs(t, err, &inUse)
	assert.Equal(t, "cluster: rank 0 cannot listen: port "+port+" on 0.0.0.0 is in use (another job on this node?)", err.Error())
}

// Rank 0 that cannot take part tells its own ranks, and turns another
// job's away without counting them.
func TestWithdrawOfRankZeroTurnsOtherJobsAway(t *testing.T) {
	addr := freeAddress(t)
	done := make(chan error, 1)
	go func() {
		done <- Withdraw(context.Background(), Config{Ranks: 2, Rank: 0, Coordinator: addr, Job: "a", JoinTimeout: 10 * time.Second},
			errors.New("no GPU"))
	}()
	waitListening(t, addr)
	_, err := jobRank(context.Background(), 2, 1, addr, "b", nil)
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	select {
	case err := <-done:
		t.Fatalf("rank 0 ended with another job's rank: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	_, err = jobRank(context.Background(), 2, 1, addr, "a", nil)
	var pe *PeerError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "rank 0 left the simulation: it cannot take part: no GPU", pe.Error())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(joinBound):
		t.Fatal("rank 0 did not end once its rank heard")
	}
}
