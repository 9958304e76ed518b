package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env is a launcher's environment for DetectFrom.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// given returns a Spec with the options set that are not "".
func given(t *testing.T, ranks, rank, coordinator string) Spec {
	t.Helper()
	var s Spec
	if ranks != "" {
		require.NoError(t, s.SetRanks(ranks))
	}
	if rank != "" {
		require.NoError(t, s.SetRank(rank))
	}
	if coordinator != "" {
		require.NoError(t, s.SetCoordinator(coordinator))
	}
	return s
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name                    string
		ranks, rank, coord      string
		env                     func(string) (string, bool)
		wantRanks, wantRank     int
		wantCoord, wantLauncher string
	}{
		{name: "alone", env: env()},
		{name: "one rank in all, as options", ranks: "1", env: env(), wantRanks: 1, wantLauncher: "options"},
		{name: "options", ranks: "2", rank: "1", coord: "127.0.0.1:4000", env: env(), wantRanks: 2, wantRank: 1, wantCoord: "127.0.0.1:4000", wantLauncher: "options"},
		{name: "options win over torchrun", ranks: "4", rank: "3", coord: "a:1",
			env: env("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "m", "MASTER_PORT", "9"), wantRanks: 4, wantRank: 3, wantCoord: "a:1", wantLauncher: "options"},
		{name: "torchrun", env: env("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29500"),
			wantRanks: 2, wantRank: 1, wantCoord: "10.0.0.1:29500", wantLauncher: "torchrun"},
		{name: "torchrun's agent holds MASTER_PORT", env: env("RANK", "0", "WORLD_SIZE", "8", "MASTER_ADDR", "node1", "MASTER_PORT", "29500", "TORCHELASTIC_USE_AGENT_STORE", "True"),
			wantRanks: 8, wantCoord: "node1:29501", wantLauncher: "torchrun"},
		{name: "torchrun, coordinator given", coord: "x:7", env: env("RANK", "1", "WORLD_SIZE", "2"),
			wantRanks: 2, wantRank: 1, wantCoord: "x:7", wantLauncher: "torchrun"},
		{name: "torchrun, one process", env: env("RANK", "0", "WORLD_SIZE", "1"), wantRanks: 1, wantLauncher: "torchrun"},
		{name: "slurm", env: env("SLURM_PROCID", "3", "SLURM_NTASKS", "4", "SLURM_JOB_NODELIST", "gpu[07-08,11],cpu1"),
			wantRanks: 4, wantRank: 3, wantCoord: "gpu07:29517", wantLauncher: "slurm"},
		{name: "slurm step list first", env: env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "a[1-9]", "SLURM_STEP_NODELIST", "a[3-4]"),
			wantRanks: 2, wantCoord: "a3:29517", wantLauncher: "slurm"},
		{name: "slurm, coordinator given", coord: "head:5000", env: env("SLURM_PROCID", "1", "SLURM_NTASKS", "2"),
			wantRanks: 2, wantRank: 1, wantCoord: "head:5000", wantLauncher: "slurm"},
		{name: "slurm, one task", env: env("SLURM_PROCID", "0", "SLURM_NTASKS", "1"), wantRanks: 1, wantLauncher: "slurm"},
		{name: "open mpi inside slurm", coord: "h:1", env: env("OMPI_COMM_WORLD_RANK", "2", "OMPI_COMM_WORLD_SIZE", "3", "SLURM_PROCID", "0", "SLURM_NTASKS", "3"),
			wantRanks: 3, wantRank: 2, wantCoord: "h:1", wantLauncher: "openmpi"},
		{name: "kubernetes", ranks: "4", coord: "nbody-0.nbody:29517", env: env("JOB_COMPLETION_INDEX", "2"),
			wantRanks: 4, wantRank: 2, wantCoord: "nbody-0.nbody:29517", wantLauncher: "kubernetes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := given(t, c.ranks, c.rank, c.coord)
			require.NoError(t, s.DetectFrom(c.env))
			assert.Equal(t, c.wantRanks, s.Ranks)
			assert.Equal(t, c.wantRank, s.Rank)
			assert.Equal(t, c.wantCoord, s.Coordinator)
			assert.Equal(t, c.wantLauncher, s.Launcher)
			assert.Equal(t, c.wantRanks > 1, s.Multi())
		})
	}
}

// Half a place, or one out of range, is a usage error that says what is
// missing.
func TestDetectRefuses(t *testing.T) {
	for _, c := range []struct {
		name               string
		ranks, rank, coord string
		env                func(string) (string, bool)
		want               string
	}{
		{"rank alone", "", "1", "", env(), "number of processes"},
		{"ranks alone", "2", "", "", env(), "rank among the 2"},
		{"coordinator alone", "", "", "h:1", env(), "number of processes"},
		{"no coordinator", "2", "0", "", env(), "coordinator"},
		{"rank out of range", "2", "2", "h:1", env(), "rank 2 of 2"},
		{"torchrun without WORLD_SIZE", "", "", "", env("RANK", "0"), "WORLD_SIZE"},
		{"torchrun without MASTER_ADDR", "", "", "", env("RANK", "0", "WORLD_SIZE", "2"), "MASTER_ADDR"},
		{"torchrun's rank not a number", "", "", "", env("RANK", "x", "WORLD_SIZE", "2"), `RANK="x"`},
		{"open mpi without coordinator", "", "", "", env("OMPI_COMM_WORLD_RANK", "0", "OMPI_COMM_WORLD_SIZE", "2"), "coordinator"},
		{"kubernetes without ranks", "", "", "n-0.n:1", env("JOB_COMPLETION_INDEX", "0"), "number of processes"},
		{"slurm without node list", "", "", "", env("SLURM_PROCID", "0", "SLURM_NTASKS", "2"), "SLURM_JOB_NODELIST"},
		{"slurm with a broken node list", "", "", "", env("SLURM_PROCID", "0", "SLURM_NTASKS", "2", "SLURM_JOB_NODELIST", "gpu[01"), "SLURM_JOB_NODELIST"},
		{"launcher's size below the rank", "", "", "h:1", env("OMPI_COMM_WORLD_RANK", "3", "OMPI_COMM_WORLD_SIZE", "2"), "rank 3 of 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := given(t, c.ranks, c.rank, c.coord)
			err := s.DetectFrom(c.env)
			var ue *UsageError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSetRefuses(t *testing.T) {
	var s Spec
	assert.Error(t, s.SetRanks("0"))
	assert.Error(t, s.SetRanks("two"))
	assert.Error(t, s.SetRank("-1"))
	for _, v := range []string{"host", ":80", "h:0", "h:65536", "h:http"} {
		assert.Error(t, s.SetCoordinator(v), v)
	}
	assert.NoError(t, s.SetCoordinator("[::1]:9"))
	assert.Equal(t, Spec{Coordinator: "[::1]:9", coordGiven: true}, s)
}

// The launchers that start a process per GPU say which of the machine's
// it is.
func TestLocalRank(t *testing.T) {
	for lookup, want := range map[*func(string) (string, bool)]int{
		ptr(env("RANK", "5", "WORLD_SIZE", "8", "LOCAL_RANK", "1", "MASTER_ADDR", "m", "MASTER_PORT", "1")):   1,
		ptr(env("OMPI_COMM_WORLD_RANK", "5", "OMPI_COMM_WORLD_SIZE", "8", "OMPI_COMM_WORLD_LOCAL_RANK", "3")): 3,
		ptr(env("SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_LOCALID", "2", "SLURM_JOB_NODELIST", "n1")):  2,
	} {
		s := given(t, "", "", "h:1")
		require.NoError(t, s.DetectFrom(*lookup))
		assert.True(t, s.HasLocalRank, s.Launcher)
		assert.Equal(t, want, s.LocalRank, s.Launcher)
	}
	s := given(t, "2", "1", "h:1")
	require.NoError(t, s.DetectFrom(env()))
	assert.False(t, s.HasLocalRank)
}

func ptr[T any](v T) *T { return &v }

func TestHostList(t *testing.T) {
	for list, want := range map[string][]string{
		"gpu01":                 {"gpu01"},
		"gpu[01-04,07]":         {"gpu01", "gpu02", "gpu03", "gpu04", "gpu07"},
		"a[8-10],b":             {"a8", "a9", "a10", "b"},
		"r[1-2]n[01-02]":        {"r1n01", "r1n02", "r2n01", "r2n02"},
		"node-[9-10]-ib,login1": {"node-9-ib", "node-10-ib", "login1"},
	} {
		got, err := ExpandHosts(list)
		require.NoError(t, err, list)
		assert.Equal(t, want, got, list)
		first, err := FirstHost(list)
		require.NoError(t, err, list)
		assert.Equal(t, want[0], first, list)
	}
	for _, bad := range []string{"", "a,,b", "gpu[01", "gpu]", "gpu[4-2]", "gpu[a-b]", "g[[1]]", "g[0-99999999]"} {
		_, err := ExpandHosts(bad)
		assert.ErrorIs(t, err, errHostList, "%q", bad)
	}
	// The first host of a huge list needs no expansion of the rest.
	first, err := FirstHost("n[0000-9999]m[0-9999]")
	require.NoError(t, err)
	assert.Equal(t, "n0000m0", first)
}

func TestLaunchedBy(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	l, ok := LaunchedBy(env("SLURM_PROCID", "1", "SLURM_NTASKS", "8", "SLURM_STEP_NUM_TASKS", "4"))
	require.True(t, ok)
	assert.Equal(t, "the Slurm job step's 4 tasks", l.String(), "the step's tasks, which srun started")
	l, ok = LaunchedBy(env("JOB_COMPLETION_INDEX", "0"))
	require.True(t, ok, "an Indexed Job does not say how many")
	assert.Equal(t, "the Kubernetes Indexed Job's completion index 0", l.String())
	l, ok = LaunchedBy(env("OMPI_COMM_WORLD_RANK", "0", "OMPI_COMM_WORLD_SIZE", "2", "SLURM_PROCID", "0"))
	require.True(t, ok)
	assert.Equal(t, "Open MPI's 2 processes", l.String(), "mpirun inside Slurm is Open MPI's")
	_, ok = LaunchedBy(env("SLURM_PROCID", "0", "SLURM_NTASKS", "1"))
	assert.False(t, ok, "a single task runs on its own anyway")
	_, ok = LaunchedBy(env())
	assert.False(t, ok)

	var s Spec
	assert.False(t, s.Given())
	require.NoError(t, s.SetRanks("2"))
	assert.True(t, s.Given())
}
