// Command kernelbench times one forces kernel of a PTX file on its own, for
// trying kernel variants (bench/kernel-variants.sh builds them from
// kernels/nbody.cu with other macro values) without rebuilding the
// integrator. It loads the PTX through the driver, fills positions with the
// sample's shell bodies, launches the kernel with the given shape, and prints
// GI/s from CUDA events with the registers the driver gave the kernel.
//
//	kernelbench -ptx v.ptx -entry nbody_forces_f32_t256 -bodies 8 -n 135168 -splits 6
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

func main() {
	// The context is current per OS thread: stay on one.
	runtime.LockOSThread()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kernelbench:", err)
		os.Exit(1)
	}
}

func run() error {
	ptxPath := flag.String("ptx", "", "PTX file")
	entry := flag.String("entry", "nbody_forces_f32_t256", "forces kernel to time")
	double := flag.Bool("double", false, "the kernel is fp64")
	n := flag.Int("n", 135168, "bodies")
	block := flag.Int("block", 256, "threads per block")
	bodies := flag.Int("bodies", 8, "bodies per thread the kernel was built with")
	tile := flag.Int("tile", 1, "TILE_FACTOR the kernel was built with")
	splits := flag.Int("splits", 1, "splits of j (grid y)")
	reps := flag.Int("reps", 20, "timed launches; the median is reported")
	label := flag.String("label", "", "name printed with the result")
	flag.Parse()
	ptx, err := os.ReadFile(*ptxPath)
	if err != nil {
		return err
	}
	if err := cuda.Load(); err != nil {
		return err
	}
	dev, err := cuda.DeviceGet(0)
	if err != nil {
		return err
	}
	ctx, err := dev.PrimaryCtxRetain()
	if err != nil {
		return err
	}
	defer dev.PrimaryCtxRelease()
	if err := ctx.SetCurrent(); err != nil {
		return err
	}
	mod, err := cuda.ModuleLoadData(ptx)
	if err != nil {
		return err
	}
	f, err := mod.Function(*entry)
	if err != nil {
		return err
	}
	regs, err := f.Attribute(cuda.FuncNumRegs)
	if err != nil {
		return err
	}
	elem := uint64(16)
	if *double {
		elem = 32
	}
	b, err := nbody.Generate(nbody.Shell, *n, nbody.DefaultParams(*n), 1)
	if err != nil {
		return err
	}
	pos, err := cuda.MemAlloc(uint64(*n) * elem)
	if err != nil {
		return err
	}
	defer cuda.MemFree(pos)
	partial, err := cuda.MemAlloc(uint64(*splits) * uint64(*n) * elem)
	if err != nil {
		return err
	}
	defer cuda.MemFree(partial)
	var eps2 any = float32(0.01)
	if *double {
		eps2 = 0.01
		err = cuda.CopyToDevice(pos, b.Pos)
	} else {
		err = cuda.CopyToDevice(pos, nbody.ToFloat32(nil, b.Pos))
	}
	if err != nil {
		return err
	}
	perSplit := (*n + *splits - 1) / *splits
	perSplit = (perSplit + 15) / 16 * 16
	grid := cuda.Dim3{X: uint32((*n + *bodies**block - 1) / (*bodies * *block)), Y: uint32(*splits)}
	shared := uint32(uint64(*tile**block) * elem)
	launch := func() error {
		return cuda.LaunchKernel(f, grid, cuda.Dim3{X: uint32(*block)}, shared, 0,
			pos, partial, int32(*n), int32(0), int32(*n), int32(perSplit), eps2)
	}
	start, _ := cuda.EventCreate()
	stop, _ := cuda.EventCreate()
	if err := launch(); err != nil { // warm-up
		return err
	}
	var rates []float64
	for range *reps {
		if err := start.Record(0); err != nil {
			return err
		}
		if err := launch(); err != nil {
			return err
		}
		if err := stop.Record(0); err != nil {
			return err
		}
		if err := stop.Synchronize(); err != nil {
			return err
		}
		d, err := cuda.EventElapsed(start, stop)
		if err != nil {
			return err
		}
		rates = append(rates, float64(*n)*float64(*n)/d.Seconds()/1e9)
	}
	slices.Sort(rates)
	fmt.Printf("%-28s n=%-8d grid=%dx%d block=%d regs=%d  %8.1f GI/s (min %.1f, max %.1f)\n", *label, *n, grid.X, grid.Y,
		*block, regs, rates[len(rates)/2], rates[0], rates[len(rates)-1])
	return nil
}
