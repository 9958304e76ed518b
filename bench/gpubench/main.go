// Command gpubench measures the GPU integrator and prints one table row per
// run.
//
// # Rows
//
// A row gives bodies, precision, memory, GI/s, GFLOP/s (the sample's 20 or 30
// flops per interaction), and the share of the chip's issue limit computed
// from the device's own SM count and clock. Each run generates the sample's
// shell bodies, takes one untimed warm-up step, then times steps between CUDA
// events (as the sample does), several times; the median is reported. Sizes
// up to -accuracy also get the relative L2 error of the accelerations against
// the float64 reference.
//
// # Runs
//
// The runs are arguments of the form KIND:N,N,... with KIND fp32, fp64,
// fp32-hostmem or fp64-hostmem; without arguments, issue 9's sweep:
//
//	gpubench fp32:16384,65536,135168,1048576 fp64:135168,262144 fp32-hostmem:135168
//
// -stageHostMem makes the hostmem runs copy the positions into device memory
// once per step (gpu.Options.StageHostMem), to compare with reading them from
// host memory in every block.
//
// # Kernels
//
// The kernels are the embedded machine code for the GPU's architecture where
// there is one (sm_70 to sm_90), else the PTX, JIT-compiled by the driver;
// -ptx forces the PTX (gpu.Options.ForcePTX), to compare the two. Before each
// run's rows a comment line says which was loaded.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// Instructions per interaction that bound the chip (issue 9, bench/ANCHORS.md):
// fp32, 12 FP32 instructions plus one MUFU issued per lane; fp64, the
// library kernel's 18 fp64 instructions on 64 lanes per SM.
const (
	issueF32 = 13
	issueF64 = 18
)

type config struct {
	blockSize    int
	device       int
	seconds      float64
	repeat       int
	accuracyN    int
	stageHostMem bool
	forcePTX     bool
}

// run is one line of arguments: a precision and memory, and its sizes.
type runSpec struct {
	prec    nbody.Precision
	hostMem bool
	sizes   []int
}

// defaultRuns is issue 9's table.
var defaultRuns = []string{"fp32:16384,65536,135168,262144,1048576", "fp64:135168,262144", "fp32-hostmem:135168"}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gpubench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gpubench", flag.ContinueOnError)
	blockSize := fs.Int("blockSize", gpu.DefaultBlockSize, "threads per block")
	device := fs.Int("device", 0, "device index")
	seconds := fs.Float64("seconds", 0.5, "least time of each timed run; steps are added until it is reached")
	repeat := fs.Int("repeat", 3, "timed runs per row; the median is reported")
	accuracyN := fs.Int("accuracy", 65536, "largest N whose accelerations are checked against the float64 reference")
	stageHostMem := fs.Bool("stageHostMem", false, "hostmem runs copy the positions to device memory once per step")
	forcePTX := fs.Bool("ptx", false, "JIT-compile the PTX even where machine code for the GPU is embedded")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := config{blockSize: *blockSize, device: *device, seconds: *seconds, repeat: max(1, *repeat), accuracyN: *accuracyN,
		stageHostMem: *stageHostMem, forcePTX: *forcePTX}
	specs := fs.Args()
	if len(specs) == 0 {
		specs = defaultRuns
	}
	var runs []runSpec
	for _, s := range specs {
		r, err := parseRun(s)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	devs, err := gpu.Devices()
	if err != nil {
		return err
	}
	if c.device < 0 || c.device >= len(devs) {
		return fmt.Errorf("-device=%d: %d devices", c.device, len(devs))
	}
	dev := devs[c.device]
	fmt.Printf("# device %d: %s, compute %d.%d, %d SMs, %.0f MHz, %.1f GiB; block size %d\n",
		dev.Ordinal, dev.Name, dev.Major, dev.Minor, dev.Multiprocessors, float64(dev.ClockKHz)/1e3,
		float64(dev.TotalMemory)/(1<<30), c.blockSize)
	fmt.Printf("# issue limits: fp32 %.0f GI/s (%d instructions/interaction), fp64 %.0f GI/s (%d fp64 instructions)\n",
		limit(dev, nbody.Single), issueF32, limit(dev, nbody.Double), issueF64)
	fmt.Printf("%-9s %-6s %-6s %6s %10s %12s %8s %10s %s\n", "N", "prec", "memory", "steps", "GI/s", "GFLOP/s", "%limit", "relL2", "launch")
	for _, r := range runs {
		if err := c.rows(dev, r); err != nil {
			return err
		}
	}
	return nil
}

// parseRun reads KIND:N,N,...
func parseRun(s string) (runSpec, error) {
	kind, list, ok := strings.Cut(s, ":")
	var r runSpec
	switch kind {
	case "fp32":
	case "fp64":
		r.prec = nbody.Double
	case "fp32-hostmem":
		r.hostMem = true
	case "fp64-hostmem":
		r.prec, r.hostMem = nbody.Double, true
	default:
		ok = false
	}
	if !ok {
		return r, fmt.Errorf("run %q: want KIND:N,N,... with KIND fp32, fp64, fp32-hostmem or fp64-hostmem", s)
	}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return r, fmt.Errorf("run %q: %q is not a body count", s, f)
		}
		r.sizes = append(r.sizes, n)
	}
	return r, nil
}

// limit is the chip's issue limit in GI/s for a precision.
func limit(d gpu.Device, p nbody.Precision) float64 {
	ghz := float64(d.ClockKHz) / 1e6
	if p == nbody.Double {
		return float64(d.Multiprocessors) * 64 * ghz / issueF64
	}
	return float64(d.Multiprocessors) * 4 * 32 * ghz / issueF32
}

// rows measures every size of one run.
func (c config) rows(dev gpu.Device, r runSpec) error {
	prec, hostMem := r.prec, r.hostMem
	phys := nbody.DefaultParams(1).Physics()
	g, err := gpu.New(gpu.Options{Precision: prec, Physics: phys, BlockSize: c.blockSize, Device: c.device,
		HostMem: hostMem, StageHostMem: c.stageHostMem, ForcePTX: c.forcePTX})
	if err != nil {
		return err
	}
	defer g.Close()
	mem := "device"
	if hostMem {
		mem = "host"
	}
	fmt.Printf("# %s %s memory: kernels %s\n", prec, mem, g.KernelImage())
	ctx := context.Background()
	for _, n := range r.sizes {
		p := nbody.DefaultParams(n)
		b, err := nbody.Generate(nbody.Shell, n, p, 1)
		if err != nil {
			return err
		}
		if err := g.SetBodies(b); err != nil {
			return err
		}
		if _, err := g.Step(ctx, p.DT, 1); err != nil { // warm-up, untimed
			return err
		}
		// Steps enough for c.seconds, from the warm-up's own duration.
		probe, err := g.Step(ctx, p.DT, 2)
		if err != nil {
			return err
		}
		steps := max(10, int(math.Ceil(c.seconds/max(probe.Seconds()/2, 1e-9))))
		steps = min(steps, 100000)
		var runs []modes.Figures
		for range c.repeat {
			d, err := g.Step(ctx, p.DT, steps)
			if err != nil {
				return err
			}
			runs = append(runs, modes.Throughput(n, steps, d, prec))
		}
		slices.SortFunc(runs, func(a, b modes.Figures) int { return cmp.Compare(a.GInteractions, b.GInteractions) })
		median := runs[len(runs)/2]
		gis := median.GInteractions
		acc := "-"
		if n <= c.accuracyN {
			got, err := nbody.Accelerations(ctx, g, b)
			if err != nil {
				return err
			}
			acc = fmt.Sprintf("%.2g", nbody.RelativeL2(got, nbody.ReferenceAccelerations(b.Pos, phys.Softening)))
		}
		fmt.Printf("%-9d %-6s %-6s %6d %10.1f %12.1f %7.1f%% %10s %s\n", n, prec, mem, steps, gis,
			median.GFLOPS, 100*gis/limit(dev, prec), acc, launchWords(g.LaunchShapes()))
	}
	return nil
}

// launchWords describes each device's launch shape, for the table's last
// column: e.g. "66x6 blocks of 256 threads, 8 bodies each, 22528 j per
// split, 3 blocks/SM".
func launchWords(shapes []gpu.LaunchShape) string {
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = fmt.Sprintf("%dx%d blocks of %d threads, %d bodies each, %d j per split, %d blocks/SM",
			s.Blocks, s.Splits, s.BlockSize, s.BodiesPerThread, s.PerSplit, s.BlocksPerSM)
	}
	return strings.Join(parts, "; ")
}
