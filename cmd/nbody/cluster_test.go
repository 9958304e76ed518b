package main

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A place half given on the command line, or out of range, is a usage
// error: one line, exit status 2, nothing on stdout.
func TestClusterUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"rank without ranks":    {"-benchmark", "-rank=1"},
		"ranks without rank":    {"-benchmark", "-ranks=2", "-coordinator=127.0.0.1:9"},
		"no coordinator":        {"-benchmark", "-ranks=2", "-rank=1"},
		"coordinator alone":     {"-benchmark", "-coordinator=127.0.0.1:9"},
		"rank out of range":     {"-benchmark", "-ranks=2", "-rank=2", "-coordinator=127.0.0.1:9"},
		"coordinator sans port": {"-benchmark", "-ranks=2", "-rank=0", "-coordinator=head"},
		"zero ranks":            {"-benchmark", "-ranks=0", "-rank=0", "-coordinator=127.0.0.1:9"},
		"empty job":             {"-benchmark", "-ranks=2", "-rank=0", "-coordinator=127.0.0.1:9", "-job="},
		"no secret file":        {"-benchmark", "-ranks=2", "-rank=0", "-coordinator=127.0.0.1:9", "-secret-file=/nonexistent/secret"},
		"job in one process":    {"-benchmark", "-numbodies=64", "-job=a"},
		"job with -cpu":         {"-cpu", "-benchmark", "-numbodies=64", "-job=a"},
		"secret with -cpu":      {"-cpu", "-benchmark", "-numbodies=64", "-secret-file=/etc/hostname"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runNbody(t, args...)
			assert.Equal(t, 2, r.code, "exit status; stderr %q", r.stderr)
			assert.Len(t, r.stderrLines(), 1, "one line on stderr: %q", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "Error: "), r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
}

// A launcher's environment given in half is a usage error too, naming
// what is missing.
func TestClusterEnvironmentHalfSet(t *testing.T) {
	t.Setenv("RANK", "1") // torchrun's, without WORLD_SIZE
	r := runNbody(t, "-benchmark")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "WORLD_SIZE")
}

// Two processes on the loopback address, here without a GPU: both join,
// both fail, and rank 1 prints nothing but its error (no banner, no
// report), within seconds rather than the join's time limit.
func TestClusterTwoProcessesWithoutGPU(t *testing.T) {
	if !gpuAbsent() {
		t.Skip("a GPU is here: bench/multi-process.sh runs two processes on it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var rs [2]result
	var wg sync.WaitGroup
	start := time.Now()
	for rank := range 2 {
		wg.Go(func() {
			rs[rank] = runNbodyWithin(t, 30*time.Second, "-benchmark", "-ranks=2", "-rank="+string(rune('0'+rank)), "-coordinator="+addr)
		})
	}
	wg.Wait()
	assert.Less(t, time.Since(start), 20*time.Second)
	for rank, r := range rs {
		assert.Equal(t, 1, r.code, "rank %d: %q", rank, r.stderr)
		assert.Contains(t, r.stderr, "Error: ", "rank %d", rank)
	}
	assert.Contains(t, rs[0].stdout, "Run \"nbody -benchmark", "rank 0 prints the banner")
	assert.Empty(t, rs[1].stdout, "rank 1 prints nothing")
}
