package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePeer(t *testing.T) {
	r, err := parsePeer("plain GI/s 0.8612\nsimd  GI/s 7.5500\n")
	require.NoError(t, err)
	assert.Equal(t, peerResult{plain: 0.8612, simd: 7.55}, r)

	for _, bad := range []string{
		"",
		"plain GI/s 0.86\n",                    // no simd line
		"plain GI/s abc\nsimd GI/s 7\n",        // not a number
		"plain GI/s -1\nsimd GI/s 7\n",         // not positive
		"gcc: error: not found\nsimd GI/s 7\n", // no plain line
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

// A stand-in for cpu-peer.sh with known figures: the table carries them and
// the goal lines divide the measured Go figures by them.
func TestRunWithPeerPrintsTableAndGoals(t *testing.T) {
	script := filepath.Join(t.TempDir(), "peer.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/bash\necho \"plain GI/s 0.0001\"\necho \"simd  GI/s 1000\"\n"), 0o755))
	var out bytes.Buffer
	require.NoError(t, run(config{n: 200, iters: 2, repeat: 2, peer: script}, &out))
	text := out.String()
	for _, want := range []string{"Go fast CPU (", "float32", "float64", "Go CPU reference (float64)", peerPlainLabel, peerSIMDLabel} {
		assert.Contains(t, text, want)
	}
	// Nothing in Go runs a thousand GI/s, and everything beats 0.0001.
	assert.Regexp(t, regexp.MustCompile(`goal fast float32 / C simd >= 0.50: [0-9.]+ / 1000.000 = 0.00, NOT met`), text)
	assert.Regexp(t, regexp.MustCompile(`goal reference / C plain >= 0.50: [0-9.]+ / 0.000 = [0-9.]+, met`), text)
	// Both fast rows carry an accuracy figure within the contract.
	assert.Regexp(t, regexp.MustCompile(`float32, .*\s[0-9.]+e-0[5-9]\s`), text)
	assert.Regexp(t, regexp.MustCompile(`float64, .*\s([0-9.]+e-1[3-9]|0.00e\+00)\s`), text)
}

func TestRunWithoutPeerSaysGoalsNotJudged(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(config{n: 50, iters: 1, repeat: 1}, &out))
	assert.Contains(t, out.String(), "goals: not judged")
	assert.NotContains(t, out.String(), peerPlainLabel)
}

func TestRunReportsMissingPeer(t *testing.T) {
	err := run(config{n: 50, iters: 1, repeat: 1, peer: filepath.Join(t.TempDir(), "absent.sh")}, io.Discard)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "absent.sh"), err.Error())
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
