// Command kernelbench times one forces kernel of a PTX file on its own, to
// try kernel variants without rebuilding the integrator.
//
// # Method
//
// bench/kernel-variants.sh builds the variants from kernels/nbody.cu with
// other macro values. kernelbench runs the GPU integrator with the file's
// kernels in place of the embedded ones (gpu.Options.Kernels), so that the
// buffers, the launch plan, the grid, the shared memory and the argument
// lists are the integrator's own; loads the sample's shell bodies; times the
// forces kernel alone (gpu.Integrator.TimeForces) after one untimed launch;
// and prints the median GI/s with the grid and the registers the driver gave
// the kernel.
//
// # Usage
//
//	kernelbench -ptx v.ptx -entry nbody_forces_f32_t256 -n 135168
//	kernelbench -ptx v.ptx -entry nbody_forces_f64_t256 -bodies 2 -splits 6
//
// -bodies and -tile are what the variant was built with (BODIES_* and
// TILE_FACTOR in nbody.cu); left out, they are those of the embedded build of
// -entry, whose precision also sets -double. The file may be a cubin built
// from such PTX. It must hold the step, integrate and copy kernels of the
// same build too (every PTX from nbody.cu does): the integrator loads them.
// -splits left out cuts j as the integrator's launch plan does on this GPU.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kernelbench:", err)
		os.Exit(1)
	}
}

func run() error {
	ptxPath := flag.String("ptx", "", "PTX file (or a cubin built from one)")
	entry := flag.String("entry", kernels.ForcesF32T256, "forces kernel to time")
	double := flag.Bool("double", false, "the kernel is fp64 (default: as the embedded build of -entry)")
	n := flag.Int("n", 135168, "bodies")
	block := flag.Int("block", gpu.DefaultBlockSize, "threads per block")
	bodies := flag.Int("bodies", 0, "bodies per thread the kernel was built with (default: as the embedded build of -entry)")
	tile := flag.Int("tile", 0, "TILE_FACTOR the kernel was built with (default: as the embedded build of -entry)")
	splits := flag.Int("splits", 0, "splits of j (grid y); 0: as the integrator's launch plan")
	reps := flag.Int("reps", 20, "timed launches; the median is reported")
	device := flag.Int("device", 0, "device index")
	label := flag.String("label", "", "name printed with the result")
	flag.Parse()
	doubleSet := false
	flag.Visit(func(f *flag.Flag) { doubleSet = doubleSet || f.Name == "double" })
	if *ptxPath == "" {
		return errors.New("-ptx: no file given")
	}
	if *reps < 1 {
		return fmt.Errorf("-reps=%d: want at least 1", *reps)
	}
	if err := nbody.CheckCount(*n); err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	set, err := variant(*entry, *block, *double, doubleSet, *bodies, *tile)
	if err != nil {
		return err
	}
	ptx, err := os.ReadFile(*ptxPath)
	if err != nil {
		return err
	}
	// The variant's own module, which the integrator JIT-compiles (or
	// loads, if it is a cubin): the embedded machine code is of other PTX.
	set.PTX, set.Cubins = string(ptx), nil
	prec := nbody.Single
	if set.Double {
		prec = nbody.Double
	}
	p := nbody.DefaultParams(*n)
	g, err := gpu.New(gpu.Options{Precision: prec, Physics: p.Physics(), BlockSize: *block, Device: *device,
		Kernels: &set, Splits: *splits})
	if err != nil {
		return err
	}
	defer g.Close()
	b, err := nbody.Generate(nbody.Shell, *n, p, 1)
	if err != nil {
		return err
	}
	if err := g.SetBodies(b); err != nil {
		return err
	}
	if _, err := g.TimeForces(1); err != nil { // warm-up, untimed
		return err
	}
	times, err := g.TimeForces(*reps)
	if err != nil {
		return err
	}
	rates := make([]float64, len(times))
	for i, d := range times {
		rates[i] = float64(*n) * float64(*n) / d.Seconds() / 1e9
	}
	slices.Sort(rates)
	s := g.LaunchShapes()[0]
	fmt.Printf("%-28s n=%-8d grid=%dx%d block=%d regs=%d  %8.1f GI/s (min %.1f, max %.1f)\n", *label, *n, s.Blocks, s.Splits,
		s.BlockSize, s.Registers, rates[len(rates)/2], rates[0], rates[len(rates)-1])
	return g.Close()
}

// variant is the kernel set to time: the embedded build whose forces kernel
// is entry (or, for another name, the embedded kernels of the precision and
// block size), with entry as its forces kernel and the bodies per thread
// and tile factor given (0: the embedded build's).
func variant(entry string, block int, double, doubleSet bool, bodies, tile int) (kernels.Set, error) {
	set, ok := embedded(entry)
	switch {
	case ok && doubleSet && double != set.Double:
		return set, fmt.Errorf("-double=%v: the embedded %s is the other precision", double, entry)
	case !ok && (bodies < 1 || tile < 1):
		return set, fmt.Errorf("-entry=%s is no embedded forces kernel: give -bodies and -tile it was built with", entry)
	case !ok:
		set = kernels.Select(double, block)
		set.Forces = entry
	}
	if bodies > 0 {
		set.BodiesPerThread = bodies
	}
	if tile > 0 {
		set.TileFactor = tile
	}
	return set, nil
}

// embedded returns the embedded kernel set whose forces kernel is entry.
func embedded(entry string) (kernels.Set, bool) {
	for _, double := range []bool{false, true} {
		for _, block := range []int{kernels.MaxThreadsT256, 1024} {
			if s := kernels.Select(double, block); s.Forces == entry {
				return s, true
			}
		}
	}
	return kernels.Set{}, false
}
