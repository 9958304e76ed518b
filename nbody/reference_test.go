package nbody

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A light body on a circular orbit about a heavy one comes back to where it
// started after one period.
func TestReferenceTwoBodyOrbitReturns(t *testing.T) {
	const (
		m = 1000.0 // central mass
		r = 10.0   // orbit radius
	)
	// With softening ε the effective central force is m r / (r² + ε²)^(3/2).
	phys := Physics{Softening: 0.01, Damping: 1}
	accel := m * r / math.Pow(r*r+phys.Softening*phys.Softening, 1.5)
	v := math.Sqrt(accel * r)
	period := 2 * math.Pi * r / v
	b := Bodies{
		Pos: []float64{0, 0, 0, m, r, 0, 0, 1e-9},
		Vel: []float64{0, 0, 0, 1, 0, v, 0, 1},
	}
	ref := NewReference(phys)
	require.NoError(t, ref.SetBodies(b))
	const steps = 20000
	_, err := ref.Step(context.Background(), period/steps, steps)
	require.NoError(t, err)
	var out Bodies
	require.NoError(t, ref.Bodies(&out))
	assert.InDelta(t, r, out.Pos[4], 1e-3*r, "x after one period")
	assert.InDelta(t, 0, out.Pos[5], 1e-2*r, "y after one period")
	// Half a period later it is on the other side.
	_, err = ref.Step(context.Background(), period/steps, steps/2)
	require.NoError(t, err)
	require.NoError(t, ref.Bodies(&out))
	assert.InDelta(t, -r, out.Pos[4], 1e-2*r, "x after one and a half periods")
}

func totalMomentum(b Bodies) [3]float64 {
	var p [3]float64
	for i := range b.N() {
		for k := range 3 {
			p[k] += b.Pos[4*i+3] * b.Vel[4*i+k]
		}
	}
	return p
}

// Pairwise forces cancel, so total momentum stays put when the bodies have
// equal masses (the physics has no gravitational constant but is symmetric
// in m_i m_j).
func TestReferenceConservesMomentum(t *testing.T) {
	b, err := Generate(Random, 300, DefaultParams(300), 7)
	require.NoError(t, err)
	before := totalMomentum(b)
	ref := NewReference(DefaultParams(300).Physics())
	require.NoError(t, ref.SetBodies(b))
	_, err = ref.Step(context.Background(), 0.001, 50)
	require.NoError(t, err)
	var out Bodies
	require.NoError(t, ref.Bodies(&out))
	after := totalMomentum(out)
	for k := range 3 {
		assert.InDelta(t, before[k], after[k], 1e-9*float64(b.N()), "momentum component %d", k)
	}
}

func TestAccelerationsMatchesReferenceFormula(t *testing.T) {
	b, err := Generate(Shell, 257, DefaultParams(257), 3)
	require.NoError(t, err)
	ref := NewReference(Physics{Softening: 0.1, Damping: 1})
	got, err := Accelerations(context.Background(), ref, b)
	require.NoError(t, err)
	want := ReferenceAccelerations(b.Pos, 0.1)
	assert.Less(t, RelativeL2(got, want), 1e-15)
	assert.Greater(t, RelativeL2(got, make([]float64, len(want))), 0.5, "accelerations must not be zero")
}

func TestGenerateIsDeterministicAndShaped(t *testing.T) {
	p := DefaultParams(1000)
	for _, c := range []Config{Shell, Random, Expand} {
		a, err := Generate(c, 1000, p, 42)
		require.NoError(t, err)
		b, err := Generate(c, 1000, p, 42)
		require.NoError(t, err)
		assert.Equal(t, a, b, "%v: same seed, same bodies", c)
		o, err := Generate(c, 1000, p, 43)
		require.NoError(t, err)
		assert.NotEqual(t, a, o, "%v: another seed, other bodies", c)
		require.NoError(t, a.Validate())
	}
	s, _ := Generate(Shell, 1000, p, 1)
	for i := range s.N() {
		r := math.Sqrt(s.Pos[4*i]*s.Pos[4*i] + s.Pos[4*i+1]*s.Pos[4*i+1] + s.Pos[4*i+2]*s.Pos[4*i+2])
		require.LessOrEqual(t, r, 4*p.ClusterScale+1e-12, "shell body %d outside the outer radius", i)
		require.Equal(t, 1.0, s.Pos[4*i+3], "mass")
	}
	_, err := Generate(Shell, 0, p, 1)
	assert.Error(t, err)
}

func TestDefaultParamsTable(t *testing.T) {
	assert.Equal(t, 1.52, DefaultParams(1000).ClusterScale)
	assert.Equal(t, 2.98, DefaultParams(4096).VelocityScale)
	assert.Equal(t, 11.0, DefaultParams(32768).VelocityScale)
	assert.Equal(t, 8.0, DefaultParams(135168).VelocityScale)
	assert.Equal(t, 0.016, DefaultParams(135168).DT)
}

func TestReferenceAccelerationsOfASample(t *testing.T) {
	b, err := Generate(Shell, 300, DefaultParams(300), 3)
	require.NoError(t, err)
	all := ReferenceAccelerations(b.Pos, 0.1)
	some := ReferenceAccelerationsOf(b.Pos, 0.1, []int{299, 0, 17})
	require.Len(t, some, 9)
	assert.Equal(t, all[3*299:3*299+3], some[0:3])
	assert.Equal(t, all[0:3], some[3:6])
	assert.Equal(t, all[3*17:3*17+3], some[6:9])
}
