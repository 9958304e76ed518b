package modes_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
)

// Open the CPU platform (a GPU platform opens the same way without CPU,
// and falls back to the CPU where no GPU can be used).
func ExampleOpenPlatform() {
	p, err := modes.OpenPlatform(modes.PlatformOptions{
		CPU:     true,
		Physics: nbody.Presets[0].Physics(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Println("on a GPU:", p.GPU != nil)
	fmt.Println("default bodies:", p.DefaultBodies(false))
	// Output:
	// on a GPU: false
	// default bodies: 8192
}

// Time ten steps of the sample's shell of bodies.
func ExampleBenchmark() {
	p, err := modes.OpenPlatform(modes.PlatformOptions{CPU: true, Physics: nbody.Presets[0].Physics()})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	in, err := modes.GenerateShell(1024, 1)
	if err != nil {
		log.Fatal(err)
	}
	r, err := modes.Benchmark(context.Background(), p, in.Bodies, modes.BenchmarkOptions{Steps: 10}, nil)
	if err != nil {
		log.Fatal(err)
	}
	f := r.Figures
	fmt.Printf("%d bodies, %d steps, %d flops per interaction\n", f.Bodies, f.Steps, f.FlopsPerInteraction)
	fmt.Println("measured:", f.GInteractions > 0)
	// Output:
	// 1024 bodies, 10 steps, 20 flops per interaction
	// measured: true
}

// Hold the platform's integrator to the float64 reference.
func ExampleCompare() {
	p, err := modes.OpenPlatform(modes.PlatformOptions{CPU: true, Physics: nbody.Presets[0].Physics()})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	in, err := modes.GenerateShell(512, 1)
	if err != nil {
		log.Fatal(err)
	}
	c, _, err := modes.Compare(context.Background(), p, in.Bodies, modes.CompareOptions{Steps: 1}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d position values compared, %d outside %g\n", c.Positions.Values, c.Positions.Outside(), c.Positions.Tolerance)
	fmt.Println("passed:", c.Passed())
	// Output:
	// 2048 position values compared, 0 outside 0.0005
	// passed: true
}
