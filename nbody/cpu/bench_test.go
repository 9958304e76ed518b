package cpu

import (
	"context"
	"fmt"
	"testing"

	"github.com/nbody-go/nbody/nbody"
)

// BenchmarkStep reports the fast integrator's speed in billions of
// interactions per second (N² per step) for every path this CPU runs.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{4096, 16384} {
		for _, path := range allPaths {
			for _, prec := range bothPrecisions {
				b.Run(fmt.Sprintf("N=%d/%s/%s", n, path, prec), func(b *testing.B) {
					bodies, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 1)
					if err != nil {
						b.Fatal(err)
					}
					in := newOrSkip(b, path, prec, nbody.DefaultParams(n).Physics())
					if err := in.SetBodies(bodies); err != nil {
						b.Fatal(err)
					}
					var elapsed float64
					for b.Loop() {
						d, err := in.Step(context.Background(), 0.001, 1)
						if err != nil {
							b.Fatal(err)
						}
						elapsed += d.Seconds()
					}
					b.ReportMetric(float64(n)*float64(n)*float64(b.N)/elapsed/1e9, "GI/s")
				})
			}
		}
	}
}
