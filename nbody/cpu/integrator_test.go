package cpu

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allPaths = []simdPath{pathScalar, pathAVX2, pathAVX512}

var bothPrecisions = []nbody.Precision{nbody.Single, nbody.Double}

// newOrSkip builds the fast integrator on a forced path, skipping the
// test with the reason when this CPU or build cannot run that path.
func newOrSkip(t testing.TB, path simdPath, prec nbody.Precision, phys nbody.Physics, opts ...Option) nbody.Integrator {
	t.Helper()
	if !pathSupported(path) {
		t.Skipf("%s path not tested: %s", path, unsupportedReason(path))
	}
	in, err := newIntegrator(prec, phys, append(opts, withPath(path))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = in.Close() })
	return in
}

// Every path and precision computes accelerations within the accuracy
// contract, for body counts that are and are not multiples of the vector
// width (8, 16), the padding (16) and the tile (512, 1024 bodies).
func TestAccelerationsWithinContract(t *testing.T) {
	sizes := []int{1, 2, 3, 17, 255, 1000, 4097}
	type key struct {
		c nbody.Config
		n int
	}
	bodies := map[key]nbody.Bodies{}
	want := map[key][]float64{}
	for _, c := range []nbody.Config{nbody.Random, nbody.Shell} {
		for _, n := range sizes {
			b, err := nbody.Generate(c, n, nbody.DefaultParams(n), uint64(n))
			require.NoError(t, err)
			bodies[key{c, n}] = b
			want[key{c, n}] = nbody.ReferenceAccelerations(b.Pos, nbody.DefaultParams(n).Softening)
		}
	}
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				var worst float64
				defer func() { t.Logf("worst relative L2 error %.3g (bound %g)", worst, nbody.AccuracyBound(prec)) }()
				for _, c := range []nbody.Config{nbody.Random, nbody.Shell} {
					for _, n := range sizes {
						phys := nbody.Physics{Softening: nbody.DefaultParams(n).Softening, Damping: 1}
						in := newOrSkip(t, path, prec, phys)
						got, err := nbody.Accelerations(context.Background(), in, bodies[key{c, n}])
						require.NoError(t, err)
						w := want[key{c, n}]
						assert.LessOrEqual(t, nbody.RelativeL2(got, w), nbody.AccuracyBound(prec), "%v N=%d: relative L2 error", c, n)
						worst = max(worst, nbody.RelativeL2(got, w))
					}
				}
			})
		}
	}
}

// Over many steps the fast path follows the reference's trajectory: after
// 50 steps of the sample's dt the positions differ by no more than the
// precision's rounding lets errors grow.
func TestTrajectoryFollowsReference(t *testing.T) {
	const n, steps = 1000, 50
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Random, n, p, 11)
	require.NoError(t, err)
	ref := nbody.NewReference(p.Physics())
	require.NoError(t, ref.SetBodies(b))
	_, err = ref.Step(context.Background(), p.DT, steps)
	require.NoError(t, err)
	var want nbody.Bodies
	require.NoError(t, ref.Bodies(&want))
	// Bounds measured with margin: fp32 paths reach about 1e-6, fp64
	// paths about 1e-14.
	bound := map[nbody.Precision]float64{nbody.Single: 1e-5, nbody.Double: 1e-12}
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				in := newOrSkip(t, path, prec, p.Physics())
				require.NoError(t, in.SetBodies(b))
				_, err := in.Step(context.Background(), p.DT, steps)
				require.NoError(t, err)
				var got nbody.Bodies
				require.NoError(t, in.Bodies(&got))
				assert.Less(t, nbody.RelativeL2(got.Pos, want.Pos), bound[prec], "positions")
				assert.Less(t, nbody.RelativeL2(got.Vel, want.Vel), bound[prec]*10, "velocities")
				assert.Greater(t, nbody.RelativeL2(got.Pos, b.Pos), 1e-3, "the bodies must have moved")
			})
		}
	}
}

// Forces between equal masses cancel in pairs, so total momentum stays
// where it started, to the precision's rounding.
func TestConservesMomentum(t *testing.T) {
	const n = 300
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Random, n, p, 7)
	require.NoError(t, err)
	before := totalMomentum(b)
	var scale float64 // Σ|m v|, what the rounding errors are relative to
	for i := range n {
		for k := range 3 {
			scale += math.Abs(b.Pos[4*i+3] * b.Vel[4*i+k])
		}
	}
	bound := map[nbody.Precision]float64{nbody.Single: 1e-5, nbody.Double: 1e-12}
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				in := newOrSkip(t, path, prec, p.Physics())
				require.NoError(t, in.SetBodies(b))
				_, err := in.Step(context.Background(), 0.001, 50)
				require.NoError(t, err)
				var out nbody.Bodies
				require.NoError(t, in.Bodies(&out))
				after := totalMomentum(out)
				for k := range 3 {
					assert.InDelta(t, before[k], after[k], bound[prec]*scale, "momentum component %d", k)
				}
			})
		}
	}
}

// A lone body feels no force (its own term is zero), so one step scales its
// velocity by the damping and moves it by the damped velocity.
func TestAppliesDampingToLoneBody(t *testing.T) {
	const dt, damping = 0.5, 0.25
	b := nbody.Bodies{Pos: []float64{1, 2, 3, 1}, Vel: []float64{4, -8, 16, 1}}
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				in := newOrSkip(t, path, prec, nbody.Physics{Softening: 0.1, Damping: damping})
				require.NoError(t, in.SetBodies(b))
				_, err := in.Step(context.Background(), dt, 1)
				require.NoError(t, err)
				var out nbody.Bodies
				require.NoError(t, in.Bodies(&out))
				// Every value is exact in float32, so the result is too.
				assert.Equal(t, []float64{1, -2, 4, 1}, out.Vel)
				assert.Equal(t, []float64{1.5, 1, 5, 1}, out.Pos)
			})
		}
	}
}

// With damping below 1 the fast path still agrees with the reference,
// which damps the same way.
func TestDampingMatchesReference(t *testing.T) {
	const n, steps = 255, 10
	phys := nbody.Physics{Softening: 0.1, Damping: 0.9}
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 5)
	require.NoError(t, err)
	ref := nbody.NewReference(phys)
	require.NoError(t, ref.SetBodies(b))
	_, err = ref.Step(context.Background(), 0.01, steps)
	require.NoError(t, err)
	var want nbody.Bodies
	require.NoError(t, ref.Bodies(&want))
	undamped := nbody.NewReference(nbody.Physics{Softening: 0.1, Damping: 1})
	require.NoError(t, undamped.SetBodies(b))
	_, err = undamped.Step(context.Background(), 0.01, steps)
	require.NoError(t, err)
	var free nbody.Bodies
	require.NoError(t, undamped.Bodies(&free))
	require.Greater(t, nbody.RelativeL2(free.Vel, want.Vel), 0.1, "damping must make a visible difference")
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				in := newOrSkip(t, path, prec, phys)
				require.NoError(t, in.SetBodies(b))
				_, err := in.Step(context.Background(), 0.01, steps)
				require.NoError(t, err)
				var got nbody.Bodies
				require.NoError(t, in.Bodies(&got))
				assert.Less(t, nbody.RelativeL2(got.Vel, want.Vel), 1e3*nbody.AccuracyBound(prec), "velocities")
			})
		}
	}
}

// Loading bodies of another count replaces the old state completely.
func TestSetBodiesChangesN(t *testing.T) {
	for _, path := range allPaths {
		t.Run(path.String(), func(t *testing.T) {
			phys := nbody.Physics{Softening: 0.1, Damping: 1}
			in := newOrSkip(t, path, nbody.Single, phys)
			for _, n := range []int{1000, 17, 4097, 3} {
				b, err := nbody.Generate(nbody.Random, n, nbody.DefaultParams(n), 1)
				require.NoError(t, err)
				got, err := nbody.Accelerations(context.Background(), in, b)
				require.NoError(t, err)
				assert.Len(t, got, 3*n)
				assert.LessOrEqual(t, nbody.RelativeL2(got, nbody.ReferenceAccelerations(b.Pos, 0.1)), nbody.AccuracyBound(nbody.Single), "N=%d", n)
				var out nbody.Bodies
				require.NoError(t, in.Bodies(&out))
				assert.Equal(t, n, out.N())
			}
		})
	}
}

// The fourth velocity component is not physics, and comes back exactly.
func TestCarriesFourthVelocityComponent(t *testing.T) {
	b, err := nbody.Generate(nbody.Random, 20, nbody.DefaultParams(20), 2)
	require.NoError(t, err)
	for i := range b.N() {
		b.Vel[4*i+3] = 0.1 + float64(i)/3
	}
	in := New(nbody.Single, nbody.Physics{Softening: 0.1, Damping: 1})
	defer in.Close()
	require.NoError(t, in.SetBodies(b))
	_, err = in.Step(context.Background(), 0.01, 3)
	require.NoError(t, err)
	var out nbody.Bodies
	require.NoError(t, in.Bodies(&out))
	for i := range b.N() {
		assert.Equal(t, b.Vel[4*i+3], out.Vel[4*i+3], "body %d", i)
	}
}

func TestNameSaysPathPrecisionAndThreads(t *testing.T) {
	for _, path := range allPaths {
		t.Run(path.String(), func(t *testing.T) {
			in := newOrSkip(t, path, nbody.Double, nbody.Physics{Softening: 0.1, Damping: 1}, Workers(3))
			assert.Equal(t, fmt.Sprintf("CPU (%s, float64, 3 threads)", path), in.Name())
			assert.Equal(t, nbody.Double, in.Precision())
		})
	}
	one := New(nbody.Single, nbody.Physics{Softening: 0.1, Damping: 1}, Workers(1))
	defer one.Close()
	assert.Equal(t, fmt.Sprintf("CPU (%s, float32, 1 thread)", bestPath()), one.Name())
	assert.Equal(t, nbody.Single, one.Precision())
	huge := New(nbody.Single, nbody.Physics{Softening: 0.1, Damping: 1}, Workers(1<<40))
	defer huge.Close()
	assert.Contains(t, huge.Name(), fmt.Sprintf("%d threads", maxWorkers), "an absurd worker count is capped")
}

// By default the pool has a worker per CPU the process may run on, not per
// unit of GOMAXPROCS: GOMAXPROCS far above the cores must not start that
// many goroutines to take turns on the same cores.
func TestDefaultWorkersBoundedByCPUs(t *testing.T) {
	phys := nbody.Physics{Softening: 0.1, Damping: 1}
	cpus := runtime.NumCPU()
	prev := runtime.GOMAXPROCS(4 * cpus)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
	in := New(nbody.Single, phys)
	defer in.Close()
	f, ok := in.(*integrator[float32])
	require.True(t, ok, "New(Single) builds a float32 integrator")
	assert.Equal(t, cpus, f.pool.size(), "GOMAXPROCS=%d on %d CPUs", 4*cpus, cpus)
	assert.Equal(t, cpus, DefaultWorkers())

	// Below the CPU count, GOMAXPROCS still limits the pool.
	runtime.GOMAXPROCS(1)
	one := New(nbody.Double, phys)
	defer one.Close()
	assert.Contains(t, one.Name(), "1 thread)")
}

// The worker count changes who computes what, never the result.
func TestWorkerCountDoesNotChangeResult(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 1000, nbody.DefaultParams(1000), 9)
	require.NoError(t, err)
	var results []nbody.Bodies
	for _, workers := range []int{1, 2, 5} {
		in := New(nbody.Single, nbody.DefaultParams(1000).Physics(), Workers(workers))
		require.NoError(t, in.SetBodies(b))
		_, err := in.Step(context.Background(), 0.016, 5)
		require.NoError(t, err)
		var out nbody.Bodies
		require.NoError(t, in.Bodies(&out))
		require.NoError(t, in.Close())
		results = append(results, out)
	}
	assert.Equal(t, results[0], results[1])
	assert.Equal(t, results[0], results[2])
}

func TestErrors(t *testing.T) {
	phys := nbody.Physics{Softening: 0.1, Damping: 1}
	in := New(nbody.Single, phys)
	_, err := in.Step(context.Background(), 0.01, 1)
	assert.ErrorContains(t, err, "no bodies")
	var out nbody.Bodies
	assert.Error(t, in.Bodies(&out))
	assert.Error(t, in.SetBodies(nbody.Bodies{Pos: []float64{0, 0, 0}, Vel: []float64{0, 0, 0}}))
	assert.Error(t, in.SetBodies(nbody.Bodies{Pos: []float64{math.NaN(), 0, 0, 1}, Vel: make([]float64, 4)}))

	b, err := nbody.Generate(nbody.Random, 64, nbody.DefaultParams(64), 1)
	require.NoError(t, err)
	require.NoError(t, in.SetBodies(b))
	var loaded nbody.Bodies
	require.NoError(t, in.Bodies(&loaded))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = in.Step(ctx, 0.01, 10)
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, in.Bodies(&out))
	assert.Equal(t, loaded, out, "a cancelled run takes no step")

	require.NoError(t, in.Close())
	require.NoError(t, in.Close(), "closing twice is fine")
	_, err = in.Step(context.Background(), 0.01, 1)
	assert.ErrorContains(t, err, "Close")
}

// A path the CPU or build cannot run is refused, never attempted.
func TestRefusesUnsupportedPath(t *testing.T) {
	for _, path := range allPaths {
		if pathSupported(path) {
			continue
		}
		_, err := newIntegrator(nbody.Single, nbody.Physics{Softening: 0.1, Damping: 1}, withPath(path))
		assert.ErrorContains(t, err, path.String())
	}
	assert.True(t, pathSupported(bestPath()), "the chosen path must run here")
}

// One interaction at distances over many orders of magnitude is as exact as
// the precision allows: the reciprocal square root estimate and its
// refinement hold over the whole exponent range, not only near 1.
func TestSingleInteractionAcrossScales(t *testing.T) {
	// Per-component relative error bounds: a few dozen float32 ulps, a few
	// dozen float64 ulps.
	bound := map[nbody.Precision]float64{nbody.Single: 2e-6, nbody.Double: 1e-14}
	decades := map[nbody.Precision]int{nbody.Single: 9, nbody.Double: 90}
	dir := [3]float64{0.48, -0.6, 0.64}
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				round := func(v float64) float64 { return v }
				if prec == nbody.Single {
					round = func(v float64) float64 { return float64(float32(v)) }
				}
				var worst float64
				for e := -decades[prec]; e <= decades[prec]; e++ {
					for m := range 24 {
						r := math.Pow(10, float64(e)+float64(m)/24)
						eps := 0.3 * r
						in := newOrSkip(t, path, prec, nbody.Physics{Softening: eps, Damping: 1})
						b := nbody.Bodies{
							Pos: []float64{0, 0, 0, 1, r * dir[0], r * dir[1], r * dir[2], 2},
							Vel: make([]float64, 8),
						}
						got, err := nbody.Accelerations(context.Background(), in, b)
						require.NoError(t, err)
						require.NoError(t, in.Close())
						// The exact answer for the inputs as the integrator holds them.
						p := [3]float64{round(b.Pos[4]), round(b.Pos[5]), round(b.Pos[6])}
						d2 := p[0]*p[0] + p[1]*p[1] + p[2]*p[2] + round(eps*eps)
						s := 2 / (d2 * math.Sqrt(d2))
						for k := range 3 {
							want := p[k] * s
							rel := math.Abs(got[k]-want) / math.Abs(want)
							worst = max(worst, rel)
							assert.LessOrEqual(t, rel, bound[prec], "r=%g axis %d: got %g want %g", r, k, got[k], want)
						}
					}
				}
				t.Logf("worst relative error of one interaction %.3g", worst)
			})
		}
	}
}

// totalMomentum is Σ m·v over the bodies, per axis.
func totalMomentum(b nbody.Bodies) [3]float64 {
	var p [3]float64
	for i := range b.N() {
		for k := range 3 {
			p[k] += b.Pos[4*i+3] * b.Vel[4*i+k]
		}
	}
	return p
}
