package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cpu"
)

// The speed goals: each Go row against its C peer.
const (
	goalFastVsSIMD  = 0.5 // fast float32 / vectorized C
	goalRefVsPlain  = 0.5 // float64 reference / plain C, float32 (as the goal was set)
	shellSeed       = 1
	nbodyConfigName = "shell"
)

// run measures every row cfg.repeat times, interleaving the rows so that a
// burst of load on the machine touches all of them, and prints the table.
func run(cfg config, w io.Writer) error {
	params := nbody.DefaultParams(cfg.n)
	bodies, err := nbody.Generate(nbody.Shell, cfg.n, params, shellSeed)
	if err != nil {
		return err
	}
	phys := params.Physics()
	fast32 := cpu.New(nbody.Single, phys, cpu.Workers(cfg.workers))
	defer fast32.Close()
	fast64 := cpu.New(nbody.Double, phys, cpu.Workers(cfg.workers))
	defer fast64.Close()
	ref := nbody.NewReference(phys)
	defer ref.Close()

	fmt.Fprintf(w, "CPU: %s, %d CPUs, GOMAXPROCS %d, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), preemptionLabel())
	fmt.Fprintf(w, "N=%d (%s), %d steps per measurement, best of %d; load average at start %s\n",
		cfg.n, nbodyConfigName, cfg.iters, cfg.repeat, loadAverage())

	want := nbody.ReferenceAccelerations(bodies.Pos, phys.Softening)
	accPhys := nbody.Physics{Softening: phys.Softening, Damping: 1}
	rows := []*sample{
		{label: "Go fast " + fast32.Name()},
		{label: "Go fast " + fast64.Name()},
		{label: "Go " + ref.Name(), err: math.NaN()},
	}
	for k, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		probe := cpu.New(prec, accPhys, cpu.Workers(cfg.workers))
		rows[k].err, err = accuracy(probe, bodies, phys.Softening, want)
		probe.Close()
		if err != nil {
			return err
		}
	}
	// The C rows: each build in each precision, keyed "plain float32" and
	// so on. The peer reads the same bodies from a file.
	peerRows := map[string]*sample{}
	var input, accDir string
	if cfg.peer != "" {
		tmp, err := os.MkdirTemp("", "cpubench-peer-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		input, accDir = filepath.Join(tmp, "bodies.bin"), tmp
		if err := writePeerInput(input, bodies, params.DT, phys); err != nil {
			return err
		}
		for _, b := range peerBuilds {
			for _, p := range peerPrecisions {
				r := &sample{label: b.label + ", " + p.name}
				peerRows[b.file+" "+p.name] = r
				rows = append(rows, r)
			}
		}
	}
	integrators := []nbody.Integrator{fast32, fast64, ref}
	for range cfg.repeat {
		for k, in := range integrators {
			gis, err := timeSteps(in, bodies, params.DT, cfg.iters)
			if err != nil {
				return fmt.Errorf("%s: %w", in.Name(), err)
			}
			rows[k].gis = append(rows[k].gis, gis)
		}
		if cfg.peer == "" {
			continue
		}
		for _, b := range peerBuilds {
			gis, err := runPeer(filepath.Join(cfg.peer, b.file), input, accDir, cfg.iters)
			if err != nil {
				return err
			}
			for _, p := range peerPrecisions {
				r := peerRows[b.file+" "+p.name]
				r.gis = append(r.gis, gis[p.name])
				if r.err, err = peerAccuracy(accDir, p.name, p.prec, want); err != nil {
					return fmt.Errorf("%s: %w", b.label, err)
				}
			}
		}
	}
	printTable(w, rows)
	fmt.Fprintf(w, "load average at end %s; %s\n", loadAverage(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	if cfg.peer == "" {
		fmt.Fprintln(w, "goals: not judged (no -peer: run bench/cpu-bench.sh for the C rows)")
		return nil
	}
	fmt.Fprintln(w, goalLine("fast float32 / C simd float32", rows[0].best(), peerRows["simd float32"].best(), goalFastVsSIMD))
	fmt.Fprintln(w, goalLine("reference / C plain float32", rows[2].best(), peerRows["plain float32"].best(), goalRefVsPlain))
	fmt.Fprintf(w, "(no goal) fast float64 / C simd float64: %.2f\n", rows[1].best()/peerRows["simd float64"].best())
	return nil
}

func printTable(w io.Writer, rows []*sample) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tbest GI/s\tspread GI/s\taccel. rel. L2 error\t")
	for _, r := range rows {
		acc := "-"
		if !math.IsNaN(r.err) {
			acc = fmt.Sprintf("%.2e", r.err)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f-%.3f\t%s\t\n", r.label, r.best(), r.worst(), r.best(), acc)
	}
	tw.Flush()
}

func goalLine(what string, got, peer, goal float64) string {
	ratio := got / peer
	verdict := "met"
	if ratio < goal {
		verdict = "NOT met"
	}
	return fmt.Sprintf("goal %s >= %.2f: %.3f / %.3f = %.2f, %s", what, goal, got, peer, ratio, verdict)
}

// cpuModel is the first "model name" line of /proc/cpuinfo, or the
// architecture where there is none.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				return strings.TrimSpace(value)
			}
		}
	}
	return runtime.GOARCH
}

// loadAverage is the one-minute load average, or "unknown".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
