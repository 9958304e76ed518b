package main

import (
	"fmt"
	"io"
	"math"
	"os"
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
	goalRefVsPlain  = 0.5 // float64 reference / plain C
	peerPlainLabel  = "C plain (gcc -O3 -fopenmp)"
	peerSIMDLabel   = "C simd (gcc -O3 -march=native -ffast-math -fopenmp)"
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

	fmt.Fprintf(w, "CPU: %s, %d CPUs, GOMAXPROCS %d\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
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
	var plain, simd *sample
	if cfg.peer != "" {
		plain = &sample{label: peerPlainLabel, err: math.NaN()}
		simd = &sample{label: peerSIMDLabel, err: math.NaN()}
		rows = append(rows, plain, simd)
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
		if cfg.peer != "" {
			p, err := runPeer(cfg.peer, cfg.n, cfg.iters)
			if err != nil {
				return err
			}
			plain.gis = append(plain.gis, p.plain)
			simd.gis = append(simd.gis, p.simd)
		}
	}
	printTable(w, rows)
	fmt.Fprintf(w, "load average at end %s; %s\n", loadAverage(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	if cfg.peer == "" {
		fmt.Fprintln(w, "goals: not judged (no -peer: run bench/cpu-bench.sh for the C rows)")
		return nil
	}
	fmt.Fprintln(w, goalLine("fast float32 / C simd", rows[0].best(), simd.best(), goalFastVsSIMD))
	fmt.Fprintln(w, goalLine("reference / C plain", rows[2].best(), plain.best(), goalRefVsPlain))
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
