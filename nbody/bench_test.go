package nbody

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkMeasureEnergy is the -energy check's cost: kinetic and potential
// energy and momentum, all scalar float64 (SQRTSD, DIVSD). Its rows are
// among those bench/RESULTS.md compares between the GOEXPERIMENT=simd and
// plain builds.
func BenchmarkMeasureEnergy(b *testing.B) {
	for _, n := range []int{1024, 16384} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			bodies, err := Generate(Shell, n, DefaultParams(n), 1)
			require.NoError(b, err)
			for b.Loop() {
				MeasureEnergy(bodies, DefaultParams(n).Softening)
			}
		})
	}
}

// BenchmarkReferenceStep reports the float64 reference's speed in billions
// of interactions per second (N² per step).
func BenchmarkReferenceStep(b *testing.B) {
	const n = 4096
	p := DefaultParams(n)
	bodies, err := Generate(Shell, n, p, 1)
	require.NoError(b, err)
	ref := NewReference(p.Physics())
	require.NoError(b, ref.SetBodies(bodies))
	var elapsed float64
	for b.Loop() {
		d, err := ref.Step(context.Background(), p.DT, 1)
		require.NoError(b, err)
		elapsed += d.Seconds()
	}
	b.ReportMetric(float64(n)*float64(n)*float64(b.N)/elapsed/1e9, "GI/s")
}
