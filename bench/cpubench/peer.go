package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nbody-go/nbody/nbody"
)

// The C peer's two builds, as bench/cpu-bench.sh compiles bench/cpu-peer.c
// into the folder that -peer names.
var peerBuilds = []struct{ file, label string }{
	{"plain", "C plain (gcc -O3 -fopenmp)"},
	{"simd", "C simd (gcc -O3 -march=native -fno-math-errno -fopenmp, omp simd)"},
}

// peerPrecisions are the precisions each build runs, in the order it
// prints them, and the names of its lines and acceleration files.
var peerPrecisions = []struct {
	name string
	prec nbody.Precision
}{
	{"float32", nbody.Single},
	{"float64", nbody.Double},
}

// peerMagic opens the bodies file that the C peer reads.
const peerMagic = "NBPEER1\n"

// writePeerInput writes the bodies and the step's parameters in the layout
// bench/cpu-peer.c reads: the magic, int64 N, float64 dt, softening and
// damping, then the positions and the velocities as float64, little-endian.
func writePeerInput(path string, b nbody.Bodies, dt float64, phys nbody.Physics) error {
	var buf bytes.Buffer
	buf.WriteString(peerMagic)
	for _, v := range []any{int64(b.N()), dt, phys.Softening, phys.Damping, b.Pos, b.Vel} {
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			return fmt.Errorf("C peer input: %w", err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("C peer input: %w", err)
	}
	return nil
}

// runPeer runs one build of the C peer on the bodies file for iters timed
// steps, and returns its GI/s by precision name. The build also writes its
// accelerations of the initial positions into accDir (see peerAccuracy).
func runPeer(exe, input, accDir string, iters int) (map[string]float64, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe, input, strconv.Itoa(iters), accDir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("C peer %s: %w: %s", exe, err, strings.TrimSpace(stderr.String()))
	}
	return parsePeer(stdout.String())
}

// parsePeer reads the peer's lines "float32 GI/s X" and "float64 GI/s Y".
func parsePeer(out string) (map[string]float64, error) {
	r := map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != "GI/s" {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("C peer: bad figure in %q", line)
		}
		r[f[0]] = v
	}
	for _, p := range peerPrecisions {
		if _, ok := r[p.name]; !ok {
			return nil, fmt.Errorf("C peer: want lines \"float32 GI/s X\" and \"float64 GI/s Y\", got %q", strings.TrimSpace(out))
		}
	}
	return r, nil
}

// peerAccuracy reads the accelerations that a build wrote for one
// precision (accDir/NAME.acc, 3N float64) and returns their relative L2
// error against want, or an error where the file is missing or short, or
// where the error breaks the accuracy contract: a peer that computes
// something else is no yardstick.
func peerAccuracy(accDir, name string, prec nbody.Precision, want []float64) (float64, error) {
	path := filepath.Join(accDir, name+".acc")
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("C peer accelerations: %w", err)
	}
	if len(data) != 8*len(want) {
		return 0, fmt.Errorf("C peer accelerations %s: %d bytes, want %d", path, len(data), 8*len(want))
	}
	got := make([]float64, len(want))
	for i := range got {
		got[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	e := nbody.RelativeL2(got, want)
	if bound := nbody.AccuracyBound(prec); !(e <= bound) {
		return e, fmt.Errorf("C peer %s: accelerations' relative L2 error %.3g against the float64 reference, over the contract's %g", name, e, bound)
	}
	return e, nil
}
