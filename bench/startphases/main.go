// Command startphases times where a GPU run's start-up goes, phase by
// phase, from the process's start (as the kernel recorded it) to the end
// of the first benchmark's steps.
//
// The phases are those of the path `nbody -benchmark` takes: the Go
// runtime's start, the CUDA driver opened (dlopen, every
// entry point resolved, cuInit), the devices listed, the integrator made
// (the primary context retained, the kernels' module loaded, buffers
// allocated), the bodies generated and copied in, the first step (the
// first launch, waited for), the timed steps, and the integrator closed.
//
//	startphases [-numbodies=4096] [-i=10] [-runs=8] [-close=false]
//
// Each run is a fresh process (the program runs itself with -child), since
// only the first opening of the driver in a process is the start-up a user
// waits for. It prints each phase's end in milliseconds since the process
// started, the median over the runs, and its share. With -close=false
// the integrator is left for the process's exit to tear down, which tells
// whether closing it costs the whole process time or only moves it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nbody-go/nbody/internal/procstart"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/gpu"
)

// entered is when main began: after the Go runtime's start and every
// package's initialisation.
var entered time.Time

func main() {
	entered = time.Now()
	n := flag.Int("numbodies", 4096, "bodies")
	steps := flag.Int("i", 10, "timed steps")
	runs := flag.Int("runs", 8, "processes to time")
	closeAtEnd := flag.Bool("close", true, "close the integrator before the process exits")
	child := flag.Bool("child", false, "run once and print the phases (internal)")
	flag.Parse()
	var err error
	if *child {
		err = once(*n, *steps, *closeAtEnd)
	} else {
		err = parent(*n, *steps, *runs, *closeAtEnd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "startphases:", err)
		os.Exit(1)
	}
}

// phase is one step of the start-up and when it ended.
type phase struct {
	name string
	at   time.Duration // since the process started
}

// once runs the start-up once and prints "name ms" a line.
func once(n, steps int, closeAtEnd bool) error {
	start := procstart.Start()
	var ph []phase
	mark := func(name string) { ph = append(ph, phase{name, time.Since(start)}) }
	ph = append(ph, phase{"runtime started (main entered)", entered.Sub(start)})

	// The driver as gpu opens it: a second opening here would hide what
	// the first costs, so this one is timed apart and closed.
	drv, err := cuda.Open(cuda.LibraryName)
	if err != nil {
		return err
	}
	mark("driver opened (dlopen, symbols, cuInit)")
	devs, err := gpu.Devices()
	if err != nil {
		return err
	}
	mark(fmt.Sprintf("devices listed (%d)", len(devs)))
	p := nbody.DefaultParams(n)
	g, err := gpu.New(gpu.Options{Precision: nbody.Single, Physics: p.Physics()})
	if err != nil {
		return err
	}
	mark("integrator made (context, module, buffers)")
	b, err := nbody.Generate(nbody.Shell, n, p, 1)
	if err != nil {
		return err
	}
	mark("bodies generated")
	if err := g.SetBodies(b); err != nil {
		return err
	}
	mark("bodies copied in")
	ctx := context.Background()
	if _, err := g.Step(ctx, p.DT, 1); err != nil {
		return err
	}
	mark("first step done (first launch)")
	if _, err := g.Step(ctx, p.DT, steps); err != nil {
		return err
	}
	mark(fmt.Sprintf("%d timed steps done", steps))
	if closeAtEnd {
		if err := g.Close(); err != nil {
			return err
		}
		mark("integrator closed")
	}
	_ = drv // kept open, as gpu keeps its own: the driver is never unloaded
	for _, x := range ph {
		fmt.Printf("%.3f\t%s\n", float64(x.at)/1e6, x.name)
	}
	return nil
}

// parent runs the child runs times and prints the medians.
func parent(n, steps, runs int, closeAtEnd bool) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var names []string
	at := map[string][]float64{}
	var walls []float64
	for range runs {
		t0 := time.Now()
		out, err := exec.Command(self, "-child", "-numbodies="+strconv.Itoa(n), "-i="+strconv.Itoa(steps),
			"-close="+strconv.FormatBool(closeAtEnd)).Output()
		walls = append(walls, float64(time.Since(t0))/1e6)
		if ee, ok := err.(*exec.ExitError); ok {
			return fmt.Errorf("child: %w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		} else if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			ms, name, ok := strings.Cut(line, "\t")
			if !ok {
				return fmt.Errorf("child printed %q", line)
			}
			v, err := strconv.ParseFloat(ms, 64)
			if err != nil {
				return err
			}
			if _, seen := at[name]; !seen {
				names = append(names, name)
			}
			at[name] = append(at[name], v)
		}
	}
	fmt.Printf("median of %d processes, ms since the process started (and the phase's own ms)\n", runs)
	prev := 0.0
	for _, name := range names {
		m := median(at[name])
		fmt.Printf("%9.1f  %+8.1f  %s\n", m, m-prev, name)
		prev = m
	}
	fmt.Printf("%9.1f            whole process, as its parent timed it (min %.1f, max %.1f)\n",
		median(walls), slices.Min(walls), slices.Max(walls))
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
