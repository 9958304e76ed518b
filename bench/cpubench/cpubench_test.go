package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePeer(t *testing.T) {
	r, err := parsePeer("float32 GI/s 0.8612\nfloat64 GI/s 7.5500\n")
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"float32": 0.8612, "float64": 7.55}, r)

	for _, bad := range []string{
		"",
		"float32 GI/s 0.86\n",                     // no float64 line
		"float32 GI/s abc\nfloat64 GI/s 7\n",      // not a number
		"float32 GI/s -1\nfloat64 GI/s 7\n",       // not positive
		"float32 GI/s NaN\nfloat64 GI/s 7\n",      // not a number either
		"gcc: error: not found\nfloat64 GI/s 7\n", // no float32 line
	} {
		_, err := parsePeer(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"-numbodies=0"}, {"-numbodies=-5"}, {"-numbodies=x"}, {"-numbodies=99999999"},
		{"-i=0"}, {"-repeat=0"}, {"-workers=-1"}, {"-nosuchflag"}, {"extra"},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.Error(t, err, "%v", args)
	}
	var usage bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &usage)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, usage.String(), "-numbodies")
	cfg, err := parseFlags([]string{"-numbodies=100", "-i=2", "-repeat=1", "-peer=/x"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{n: 100, iters: 2, repeat: 1, peer: "/x"}, cfg)
}

// standInPeer writes a folder with stand-ins for the C peer's two builds:
// each prints the given figures and writes, as both precisions'
// accelerations, those of the reference on the bodies run(n) measures,
// scaled by factor (1: right; else wrong by factor-1).
func standInPeer(t *testing.T, n int, plain, simd string, factor float64) string {
	t.Helper()
	dir := t.TempDir()
	params := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, params, shellSeed)
	require.NoError(t, err)
	want := nbody.ReferenceAccelerations(b.Pos, params.Softening)
	data := make([]byte, 0, 8*len(want))
	for _, v := range want {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v*factor))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "want.acc"), data, 0o644))
	for file, figures := range map[string]string{"plain": plain, "simd": simd} {
		script := "#!/bin/sh\nset -e\n" +
			"cp " + filepath.Join(dir, "want.acc") + " \"$3/float32.acc\"\n" +
			"cp " + filepath.Join(dir, "want.acc") + " \"$3/float64.acc\"\n" +
			"printf '" + figures + "'\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(script), 0o755))
	}
	return dir
}

// Stand-ins with known figures: the table carries them and the goal lines
// divide the measured Go figures by them.
func TestRunWithPeerPrintsTableAndGoals(t *testing.T) {
	peer := standInPeer(t, 200, `float32 GI/s 0.0001\nfloat64 GI/s 0.0001\n`, `float32 GI/s 1000\nfloat64 GI/s 500\n`, 1)
	var out bytes.Buffer
	require.NoError(t, run(config{n: 200, iters: 2, repeat: 2, peer: peer}, &out))
	text := out.String()
	for _, want := range []string{"Go fast CPU (", "float32", "float64", "Go CPU reference (float64)",
		peerBuilds[0].label + ", float32", peerBuilds[0].label + ", float64",
		peerBuilds[1].label + ", float32", peerBuilds[1].label + ", float64"} {
		assert.Contains(t, text, want)
	}
	// Nothing in Go runs a thousand GI/s, and everything beats 0.0001.
	assert.Regexp(t, regexp.MustCompile(`goal fast float32 / C simd float32 >= 0.50: [0-9.]+ / 1000.000 = 0.00, NOT met`), text)
	assert.Regexp(t, regexp.MustCompile(`goal reference / C plain float32 >= 0.50: [0-9.]+ / 0.000 = [0-9.]+, met`), text)
	// Both fast rows carry an accuracy figure within the contract.
	assert.Regexp(t, regexp.MustCompile(`float32, .*\s[0-9.]+e-0[5-9]\s`), text)
	assert.Regexp(t, regexp.MustCompile(`float64, .*\s([0-9.]+e-1[3-9]|0.00e\+00)\s`), text)
	// The stand-ins wrote the reference itself: no error at all.
	assert.Regexp(t, regexp.MustCompile(`C simd .*, float64\s+500.000\s+500.000-500.000\s+0.00e\+00`), text)
}

// A peer whose accelerations are off by more than the contract allows is
// no yardstick: the run stops and says which build and by how much.
func TestRunRefusesPeerWithWrongAccelerations(t *testing.T) {
	peer := standInPeer(t, 100, `float32 GI/s 1\nfloat64 GI/s 1\n`, `float32 GI/s 1\nfloat64 GI/s 1\n`, 1.001)
	err := run(config{n: 100, iters: 1, repeat: 1, peer: peer}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), peerBuilds[0].label)
	assert.Contains(t, err.Error(), "relative L2 error 0.001")
}

// The real C peer, built as bench/cpu-bench.sh builds it, computes what the
// Go path computes: its accelerations meet the accuracy contract in both
// builds and both precisions (run stops otherwise), and it prints figures.
func TestRealPeerMeetsAccuracyContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the C peer with gcc; not in -short")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not found; bench/cpu-bench.sh needs it too")
	}
	dir := t.TempDir()
	src := filepath.Join("..", "cpu-peer.c")
	for file, flags := range map[string][]string{
		"plain": {"-O3", "-fopenmp"},
		"simd":  {"-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-DPEER_SIMD"},
	} {
		args := append(append([]string{}, flags...), "-o", filepath.Join(dir, file), src, "-lm")
		out, err := exec.Command("gcc", args...).CombinedOutput()
		require.NoError(t, err, "gcc %v: %s", args, out)
	}
	var out bytes.Buffer
	require.NoError(t, run(config{n: 300, iters: 1, repeat: 1, peer: dir}, &out))
	assert.Regexp(t, regexp.MustCompile(`C plain .*, float64\s+[0-9.]+\s+[0-9.-]+\s+([0-9.]+e-1[3-9]|0.00e\+00)`), out.String())
	assert.Regexp(t, regexp.MustCompile(`C simd .*, float32\s+[0-9.]+\s+[0-9.-]+\s+[0-9.]+e-0[5-9]`), out.String())
}

func TestRunWithoutPeerSaysGoalsNotJudged(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(config{n: 50, iters: 1, repeat: 1}, &out))
	assert.Contains(t, out.String(), "goals: not judged")
	assert.NotContains(t, out.String(), "C plain")
}

func TestRunReportsMissingPeer(t *testing.T) {
	err := run(config{n: 50, iters: 1, repeat: 1, peer: filepath.Join(t.TempDir(), "absent")}, io.Discard)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), filepath.Join("absent", "plain")), err.Error())
}

// The header says whether asynchronous preemption is off; a GODEBUG in the
// environment overrides any link-time default.
func TestAsyncPreemptOffFollowsGODEBUG(t *testing.T) {
	t.Setenv("GODEBUG", "asyncpreemptoff=1")
	assert.True(t, asyncPreemptOff())
	assert.Equal(t, "asynchronous preemption off", preemptionLabel())
	t.Setenv("GODEBUG", "asyncpreemptoff=1,gctrace=0,asyncpreemptoff=0")
	assert.False(t, asyncPreemptOff(), "the last setting wins")
	assert.Equal(t, "asynchronous preemption on", preemptionLabel())
}
