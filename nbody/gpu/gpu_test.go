package gpu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// devicesOrSkip returns the devices, or skips the test with the reason no
// GPU can be used here.
func devicesOrSkip(t *testing.T) []Device {
	t.Helper()
	devs, err := Devices()
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("no GPU: %v", err)
	}
	require.NoError(t, err)
	return devs
}

// open returns an integrator for the test, closed when it ends.
func open(t *testing.T, opts Options) *Integrator {
	t.Helper()
	g, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, g.Close()) })
	return g
}

var physics = nbody.Physics{Softening: 0.1, Damping: 1}

// references caches float64 reference accelerations by bodies.
var references sync.Map

type refKey struct {
	c    nbody.Config
	n    int
	seed uint64
}

func bodiesAndReference(t *testing.T, c nbody.Config, n int) (nbody.Bodies, []float64) {
	t.Helper()
	b, err := nbody.Generate(c, n, nbody.DefaultParams(n), 42)
	require.NoError(t, err)
	key := refKey{c, n, 42}
	if r, ok := references.Load(key); ok {
		return b, r.([]float64)
	}
	r := nbody.ReferenceAccelerations(b.Pos, physics.Softening)
	references.Store(key, r)
	return b, r
}

// poison fills the buffers a step must write with NaN (0x7fc00000 in
// every 32-bit word is a NaN in float32 and in float64), so that an element
// a kernel leaves unwritten shows.
func poison(t *testing.T, g *Integrator) {
	t.Helper()
	for _, d := range g.devs {
		unbind, err := d.bind()
		require.NoError(t, err)
		for _, b := range []buffer{d.pos[1-d.cur], d.partial, d.staged} {
			if b.bytes > 0 {
				require.NoError(t, d.drv.MemsetD32(b.ptr, 0x7fc00000, b.bytes/4))
			}
		}
		require.NoError(t, d.drv.CtxSynchronize())
		unbind()
	}
}

func allFinite(vals []float64) (int, bool) {
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, false
		}
	}
	return 0, true
}

// checkAccelerations loads b, poisons the outputs, measures the
// accelerations with nbody.Accelerations (one step of dt 1 from rest) and
// holds them to the accuracy contract; every position and velocity written
// must be finite, and the new positions must be the old plus the velocity.
func checkAccelerations(t *testing.T, g *Integrator, b nbody.Bodies, want []float64, name string) {
	t.Helper()
	require.NoError(t, g.SetBodies(b), name) // allocates, so the poison lands in the buffers used
	poison(t, g)
	got, err := nbody.Accelerations(context.Background(), g, b)
	require.NoError(t, err, name)
	var after nbody.Bodies
	require.NoError(t, g.Bodies(&after), name)
	i, ok := allFinite(after.Pos)
	assert.True(t, ok, "%s: position value %d (body %d) not written: %v", name, i, i/4, after.Pos[i])
	i, ok = allFinite(after.Vel)
	assert.True(t, ok, "%s: velocity value %d (body %d) not written: %v", name, i, i/4, after.Vel[i])
	rel := nbody.RelativeL2(got, want)
	assert.LessOrEqual(t, rel, nbody.AccuracyBound(g.Precision()), "%s: relative L2 error of accelerations", name)
	t.Logf("%s: relative L2 %.3g (bound %.0e), plan %+v", name, rel, nbody.AccuracyBound(g.Precision()), g.devs[0].plan)
	// One step of dt 1 from rest: p' = p + a, masses carried.
	tol := 1e-5
	if g.Precision() == nbody.Double {
		tol = 1e-12
	}
	var worst float64
	for k := range b.N() {
		for c := range 3 {
			d := math.Abs(after.Pos[4*k+c] - (b.Pos[4*k+c] + got[3*k+c]))
			worst = max(worst, d/(1+math.Abs(after.Pos[4*k+c])))
		}
		if after.Pos[4*k+3] != b.Pos[4*k+3] {
			assert.Failf(t, "mass changed", "%s: body %d mass %v, want %v", name, k, after.Pos[4*k+3], b.Pos[4*k+3])
			break
		}
	}
	assert.LessOrEqual(t, worst, tol, "%s: new positions are not old positions plus velocity", name)
}

func TestAccelerationsMatchReference(t *testing.T) {
	devicesOrSkip(t)
	sizes := []int{1, 2, 31, 256, 1000, 4097, 65536}
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		for _, hostMem := range []bool{false, true} {
			g := open(t, Options{Precision: prec, Physics: physics, HostMem: hostMem})
			for _, n := range sizes {
				for _, c := range []nbody.Config{nbody.Random, nbody.Shell} {
					b, want := bodiesAndReference(t, c, n)
					checkAccelerations(t, g, b, want, fmt.Sprintf("%s hostmem=%v n=%d %s", prec, hostMem, n, c))
				}
			}
		}
	}
}

// The fused step kernel (one split) and the _t1024 builds (blocks above
// 256 threads) and small blocks, on sizes that are not multiples of the
// block; blocks of 160 and 384 threads (whole warps, not powers of two) as
// bench/kernelbench times variants at.
func TestKernelVariantsMatchReference(t *testing.T) {
	devicesOrSkip(t)
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		for _, bs := range []int{32, 160, 256, 384, 512, 1024} {
			for _, fused := range []bool{false, true} {
				opts := Options{Precision: prec, Physics: physics, BlockSize: bs}
				if fused {
					opts.Splits = 1
				}
				g := open(t, opts)
				for _, n := range []int{31, 1000, 4097} {
					b, want := bodiesAndReference(t, nbody.Random, n)
					name := fmt.Sprintf("%s blockSize=%d fused=%v n=%d", prec, bs, fused, n)
					checkAccelerations(t, g, b, want, name)
					if fused {
						assert.Equal(t, 1, g.devs[0].plan.splits, name)
					}
				}
			}
		}
	}
}

// The hostmem staging path (positions copied to the device once per step).
func TestHostMemStagingMatchesReference(t *testing.T) {
	devicesOrSkip(t)
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		g := open(t, Options{Precision: prec, Physics: physics, HostMem: true, StageHostMem: true})
		require.True(t, g.devs[0].stageHostMem)
		for _, n := range []int{1000, 4097} {
			b, want := bodiesAndReference(t, nbody.Shell, n)
			checkAccelerations(t, g, b, want, fmt.Sprintf("%s staged n=%d", prec, n))
		}
	}
}

// A 100-step trajectory against the float64 reference, with the compare
// run's dt of 0.001 (over 0.1 time units the shell has no close encounter,
// so differences do not grow exponentially). fp32 positions near |p| = 5
// carry a rounding of 2.4e-7 per step, about 2.4e-6 after 100 steps as a
// random walk; accelerations off by the contract's 2e-5 at |a| of order 100
// add 2e-5 × 100 × 0.1² / 2 = 1e-5. The bound, 1e-4, is ten times that sum.
// fp64's same sums are below 1e-13; its bound, 1e-11, still catches a
// reciprocal square root with one Newton step (4e-9 relative: 2e-9 here).
func TestTrajectoryFollowsReference(t *testing.T) {
	devicesOrSkip(t)
	const n, steps, dt = 1000, 100, 0.001
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, p, 7)
	require.NoError(t, err)
	ref := nbody.NewReference(p.Physics())
	require.NoError(t, ref.SetBodies(b))
	_, err = ref.Step(context.Background(), dt, steps)
	require.NoError(t, err)
	var want nbody.Bodies
	require.NoError(t, ref.Bodies(&want))
	for _, c := range []struct {
		prec  nbody.Precision
		bound float64
	}{{nbody.Single, 1e-4}, {nbody.Double, 1e-11}} {
		g := open(t, Options{Precision: c.prec, Physics: p.Physics()})
		require.NoError(t, g.SetBodies(b))
		for range steps { // step by step, as the issue asks
			_, err := g.Step(context.Background(), dt, 1)
			require.NoError(t, err)
		}
		var got nbody.Bodies
		require.NoError(t, g.Bodies(&got))
		var worst, worstVel float64
		for k := range n {
			var d2, v2 float64
			for i := range 3 {
				d2 += math.Pow(got.Pos[4*k+i]-want.Pos[4*k+i], 2)
				v2 += math.Pow(got.Vel[4*k+i]-want.Vel[4*k+i], 2)
			}
			worst, worstVel = max(worst, math.Sqrt(d2)), max(worstVel, math.Sqrt(v2))
		}
		t.Logf("%s: after %d steps the largest position difference is %.3g, velocity %.3g", c.prec, steps, worst, worstVel)
		assert.LessOrEqual(t, worst, c.bound, "%s positions", c.prec)
		assert.LessOrEqual(t, worstVel, 100*c.bound, "%s velocities", c.prec)
	}
}

func TestBadDeviceIndex(t *testing.T) {
	devs := devicesOrSkip(t)
	for _, dev := range []int{len(devs), len(devs) + 7, -1} {
		_, err := New(Options{Device: dev, Physics: physics})
		require.Error(t, err, "device %d", dev)
		assert.Contains(t, err.Error(), fmt.Sprintf("device %d does not exist", dev))
		assert.Contains(t, err.Error(), fmt.Sprintf("%d CUDA device(s)", len(devs)))
		assert.False(t, errors.Is(err, ErrUnavailable), "a bad index is the user's mistake, not a missing GPU")
	}
}

// Asking for more than the card holds gives CUDA_ERROR_OUT_OF_MEMORY with
// the bytes asked for, frees what was allocated, and leaves the integrator
// usable. reserve is what SetBodies allocates through; 2^31-1 fp64 bodies
// need three buffers of 64 GiB, more than any current GPU holds.
func TestOutOfMemory(t *testing.T) {
	devs := devicesOrSkip(t)
	g := open(t, Options{Precision: nbody.Double, Physics: physics})
	const n = math.MaxInt32
	require.Greater(t, uint64(3*n*32), devs[0].TotalMemory, "this device holds %d bodies", n)
	d := g.devs[0]
	unbind, err := d.bind()
	require.NoError(t, err)
	err = d.reserve(n, 0, n, positions{capacity: n})
	unbind()
	require.Error(t, err)
	assert.True(t, errors.Is(err, cuda.ErrOutOfMemory), "%v", err)
	assert.Contains(t, err.Error(), "CUDA_ERROR_OUT_OF_MEMORY")
	assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes", uint64(n)*32))
	t.Logf("error: %v", err)
	for _, b := range []buffer{d.pos[0], d.pos[1], d.vel, d.partial} {
		assert.Zero(t, b.ptr, "a buffer was kept after the failure")
	}
	b, want := bodiesAndReference(t, nbody.Random, 256)
	checkAccelerations(t, g, b, want, "after out of memory")
}

func TestLifecycleErrors(t *testing.T) {
	devicesOrSkip(t)
	g, err := New(Options{Physics: physics})
	require.NoError(t, err)
	_, err = g.Step(context.Background(), 0.01, 1)
	assert.ErrorIs(t, err, errNoBodies)
	assert.ErrorIs(t, g.Bodies(&nbody.Bodies{}), errNoBodies)
	assert.Error(t, g.SetBodies(nbody.Bodies{}), "no bodies")
	require.NoError(t, g.Close())
	require.NoError(t, g.Close(), "Close twice")
	b, _ := nbody.Generate(nbody.Random, 16, nbody.DefaultParams(16), 1)
	assert.ErrorIs(t, g.SetBodies(b), errClosed)
}

// Cancelling the context stops a long run early and says so.
func TestStepHonoursCancellation(t *testing.T) {
	devicesOrSkip(t)
	g := open(t, Options{Physics: physics})
	b, _ := nbody.Generate(nbody.Shell, 4096, nbody.DefaultParams(4096), 1)
	require.NoError(t, g.SetBodies(b))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := g.Step(ctx, 0.001, 1000)
	assert.ErrorIs(t, err, context.Canceled)
}

// Devices describes every device, or says why there is none.
func TestDevices(t *testing.T) {
	devs, err := Devices()
	if err != nil {
		assert.ErrorIs(t, err, ErrUnavailable)
		assert.NotEqual(t, ErrUnavailable.Error(), err.Error(), "the error must say why")
		t.Logf("no GPU here: %v", err)
		return
	}
	require.NotEmpty(t, devs)
	for i, d := range devs {
		assert.Equal(t, i, d.Ordinal)
		assert.NotEmpty(t, d.Name)
		assert.GreaterOrEqual(t, d.Major, 5, "compute_52 PTX needs 5.2 or later")
		assert.Positive(t, d.Multiprocessors)
		assert.Positive(t, d.TotalMemory)
		assert.Positive(t, d.ClockKHz)
		t.Logf("device %d: %+v", i, d)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, bs := range []int{-1, 16, 48, 100, 2048} {
		_, err := New(Options{BlockSize: bs, Physics: physics})
		require.Error(t, err, "block size %d", bs)
		assert.Contains(t, err.Error(), fmt.Sprintf("block size %d", bs))
	}
	_, err := New(Options{Exchange: ExchangeMode(42), Physics: physics})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exchange ExchangeMode(42): want auto, peer, nccl or host")
	_, err = New(Options{Splits: -1, Physics: physics})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-1 splits")
	wrong := kernels.Select(true, 256)
	_, err = New(Options{Kernels: &wrong, Physics: physics})
	require.Error(t, err, "fp64 kernels for an fp32 run")
	assert.Contains(t, err.Error(), "not single precision")
	none := kernels.Select(false, 256)
	none.TileFactor = 0
	_, err = New(Options{Kernels: &none, Physics: physics})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tiles of 0 blocks")
}

// TimeForces times the forces kernel alone on the plan's grid, with the
// embedded kernels given as Options.Kernels (as bench/kernelbench gives a
// variant): at the plan's splits, at one (a plan that has no partial sums
// of its own) and at six. The bodies do not move, and the same integrator
// still steps right.
func TestTimeForces(t *testing.T) {
	devicesOrSkip(t)
	const n = 4097
	b, want := bodiesAndReference(t, nbody.Random, n)
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		set := kernels.Select(prec == nbody.Double, DefaultBlockSize)
		for _, splits := range []int{0, 1, 6} {
			name := fmt.Sprintf("%s splits=%d", prec, splits)
			g := open(t, Options{Precision: prec, Physics: physics, Kernels: &set, Splits: splits})
			assert.Nil(t, g.LaunchShapes(), "no shape before SetBodies")
			_, err := g.TimeForces(1)
			assert.ErrorIs(t, err, errNoBodies)
			require.NoError(t, g.SetBodies(b), name)
			var before, after nbody.Bodies
			require.NoError(t, g.Bodies(&before), name)
			times, err := g.TimeForces(3)
			require.NoError(t, err, name)
			require.Len(t, times, 3, name)
			for _, d := range times {
				assert.Positive(t, d, name)
			}
			require.NoError(t, g.Bodies(&after), name)
			assert.Equal(t, before, after, "%s: the forces kernel moves no body", name)
			shapes := g.LaunchShapes()
			require.Len(t, shapes, 1, name)
			s := shapes[0]
			t.Logf("%s: %+v, %v", name, s, times)
			if splits > 0 {
				assert.Equal(t, splits, s.Splits, name)
			}
			assert.Equal(t, set.BodiesPerThread, s.BodiesPerThread, name)
			assert.Equal(t, DefaultBlockSize, s.BlockSize, name)
			assert.GreaterOrEqual(t, s.Blocks*s.BlockSize*s.BodiesPerThread, n, name)
			assert.GreaterOrEqual(t, s.Splits*s.PerSplit, n, name)
			assert.Positive(t, s.BlocksPerSM, name)
			assert.Positive(t, s.Registers, name)
			checkAccelerations(t, g, b, want, name)
		}
	}
}

// A kernel set whose module lacks an entry it names is an error from New,
// naming the driver's reason.
func TestKernelsWithAMissingEntry(t *testing.T) {
	devicesOrSkip(t)
	set := kernels.Select(false, DefaultBlockSize)
	set.Forces = "nbody_forces_no_such_kernel"
	_, err := New(Options{Physics: physics, Kernels: &set})
	require.Error(t, err)
	assert.ErrorIs(t, err, cuda.ErrNotFound)
	assert.Contains(t, err.Error(), "nbody_forces_no_such_kernel")
}
