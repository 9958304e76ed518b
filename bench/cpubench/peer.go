package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// peerResult is one run of cpu-peer.sh: GI/s of its plain and vectorized
// C builds.
type peerResult struct {
	plain, simd float64
}

// runPeer runs the C peer script with the same N and iterations.
func runPeer(script string, n, iters int) (peerResult, error) {
	if _, err := os.Stat(script); err != nil {
		return peerResult{}, fmt.Errorf("C peer: %w", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", script, strconv.Itoa(n), strconv.Itoa(iters))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return peerResult{}, fmt.Errorf("C peer %s: %w: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	return parsePeer(stdout.String())
}

// parsePeer reads the script's two lines, "plain GI/s X" and "simd GI/s Y".
func parsePeer(out string) (peerResult, error) {
	var r peerResult
	found := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != "GI/s" {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil || v <= 0 {
			return r, fmt.Errorf("C peer: bad figure in %q", line)
		}
		switch f[0] {
		case "plain":
			r.plain = v
		case "simd":
			r.simd = v
		default:
			continue
		}
		found[f[0]] = true
	}
	if !found["plain"] || !found["simd"] {
		return r, fmt.Errorf("C peer: want lines \"plain GI/s X\" and \"simd GI/s Y\", got %q", strings.TrimSpace(out))
	}
	return r, nil
}
