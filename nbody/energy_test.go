package nbody

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two bodies worked out by hand: masses 2 and 3 a distance 5 apart (a 3-4-5
// triangle), velocities (1, 2, 2) and (0, 0, 1).
func TestEnergyTwoBodiesByHand(t *testing.T) {
	b := Bodies{
		Pos: []float64{0, 0, 0, 2, 3, 4, 0, 3},
		Vel: []float64{1, 2, 2, 1, 0, 0, 1, 1},
	}
	k, u := Energy(b, 0)
	assert.InDelta(t, 0.5*2*9+0.5*3*1, k, 1e-15, "kinetic")
	assert.InDelta(t, -2*3/5.0, u, 1e-15, "potential without softening")

	_, u = Energy(b, 1)
	assert.InDelta(t, -6/math.Sqrt(25+1), u, 1e-15, "potential with ε = 1")

	assert.Equal(t, [3]float64{2, 4, 7}, Momentum(b))
}

// The potential is the one the package's force comes from: −∂U/∂p_i equals
// m_i a_i, with a_i from the reference formula. Checked by central
// differences on random bodies of different masses.
func TestPotentialGradientIsTheForce(t *testing.T) {
	const eps = 0.2
	b, err := Generate(Random, 40, DefaultParams(40), 5)
	require.NoError(t, err)
	for i := range b.N() {
		b.Pos[4*i+3] = 0.5 + float64(i%7)/4 // masses from 0.5 to 2
	}
	acc := ReferenceAccelerations(b.Pos, eps)
	const h = 1e-5
	for _, i := range []int{0, 13, 39} {
		for k := range 3 {
			p := b.Clone()
			p.Pos[4*i+k] += h
			_, up := Energy(p, eps)
			p.Pos[4*i+k] -= 2 * h
			_, um := Energy(p, eps)
			force := -(up - um) / (2 * h)
			want := b.Pos[4*i+3] * acc[3*i+k]
			assert.InDelta(t, want, force, 1e-5*math.Max(1, math.Abs(want)), "body %d component %d", i, k)
		}
	}
}

// The parallel, row-paired sum gives what a plain double loop gives, for
// counts that are odd, even, and smaller than the number of workers.
func TestPotentialMatchesPlainDoubleLoop(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 100, 257} {
		b, err := Generate(Shell, n, DefaultParams(n), uint64(n))
		require.NoError(t, err)
		var want float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				var r2 float64
				for k := range 3 {
					d := b.Pos[4*j+k] - b.Pos[4*i+k]
					r2 += d * d
				}
				want -= b.Pos[4*i+3] * b.Pos[4*j+3] / math.Sqrt(r2+0.01)
			}
		}
		_, got := Energy(b, 0.1)
		assert.InDelta(t, want, got, 1e-12*math.Max(1, math.Abs(want)), "n = %d", n)
	}
}

// driftAfter runs the reference from b for the simulated time T in steps
// of dt and returns the relative energy drift.
func driftAfter(t *testing.T, b Bodies, phys Physics, T, dt float64) float64 {
	t.Helper()
	ref := NewReference(phys)
	require.NoError(t, ref.SetBodies(b))
	_, err := ref.Step(context.Background(), dt, int(math.Round(T/dt)))
	require.NoError(t, err)
	var out Bodies
	require.NoError(t, ref.Bodies(&out))
	return EnergyReport{
		Start: MeasureEnergy(b, phys.Softening),
		End:   MeasureEnergy(out, phys.Softening),
	}.Drift()
}

// The physical check: the energy drift of the reference integrator over a
// fixed simulated time shrinks with the step. Kick-drift (symplectic Euler)
// is first order, so each halving of dt should halve the drift; a factor of
// 1.7 per halving leaves room for the higher-order terms while still failing
// a method that does not converge (factor 1) or a wrong potential. The
// softening 0.5 keeps the 64 bodies clear of close encounters, so the runs
// stay in the regime where the first-order term dominates (measured: factors
// 1.98 to 2.00 for these seeds).
func TestEnergyDriftShrinksWithStep(t *testing.T) {
	phys := Physics{Softening: 0.5, Damping: 1}
	const simulated = 1.0
	for seed := uint64(1); seed <= 3; seed++ {
		b, err := Generate(Random, 64, DefaultParams(64), seed)
		require.NoError(t, err)
		var drifts []float64
		for _, dt := range []float64{0.004, 0.002, 0.001} {
			drifts = append(drifts, driftAfter(t, b, phys, simulated, dt))
		}
		t.Logf("seed %d: drift %.3e, %.3e, %.3e for dt 0.004, 0.002, 0.001", seed, drifts[0], drifts[1], drifts[2])
		for i := 1; i < len(drifts); i++ {
			require.NotZero(t, drifts[i], "seed %d: a drift of exactly zero means nothing was measured", seed)
			assert.Greater(t, math.Abs(drifts[i-1])/math.Abs(drifts[i]), 1.7,
				"seed %d: |drift| must fall by a factor of 1.7 or more when dt halves", seed)
		}
		assert.Less(t, math.Abs(drifts[2]), 1e-3, "seed %d: drift at dt 0.001", seed)
	}
}

// Total momentum stays put over many steps, as the report shows it.
func TestEnergyReportMomentumStaysPut(t *testing.T) {
	b, err := Generate(Shell, 200, DefaultParams(200), 9)
	require.NoError(t, err)
	phys := DefaultParams(200).Physics()
	ref := NewReference(phys)
	require.NoError(t, ref.SetBodies(b))
	_, err = ref.Step(context.Background(), 0.001, 100)
	require.NoError(t, err)
	var out Bodies
	require.NoError(t, ref.Bodies(&out))
	r := EnergyReport{Start: MeasureEnergy(b, phys.Softening), End: MeasureEnergy(out, phys.Softening)}
	// Speeds here are of order 10 with 200 unit masses: a relative 1e-12 of
	// Σ m|v| is far above rounding and far below any real force imbalance.
	for k, d := range r.MomentumChange() {
		assert.InDelta(t, 0, d, 1e-9, "momentum component %d", k)
	}
	assert.NotEqual(t, r.Start.Kinetic, r.End.Kinetic, "the bodies did move")
}

func TestEnergyReportDrift(t *testing.T) {
	r := EnergyReport{
		Start: EnergyState{Kinetic: 2, Potential: -6},
		End:   EnergyState{Kinetic: 3, Potential: -6.5},
	}
	assert.InDelta(t, 0.125, r.Drift(), 1e-15, "(−3.5 − −4) / 4")
	assert.True(t, math.IsNaN(EnergyReport{}.Drift()), "no relative drift from zero energy")
}

// BenchmarkEnergy16384 is the -energy cost at the sample's 16,384 bodies.
func BenchmarkEnergy16384(b *testing.B) {
	bodies, err := Generate(Shell, 16384, DefaultParams(16384), 1)
	require.NoError(b, err)
	for b.Loop() {
		Energy(bodies, 0.1)
	}
}
