package gpu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// These tests run several logical devices on GPU 0 (LogicalDevices): each
// has its own kernels, buffers, stream and events, so the split, the
// exchange paths' copies and the cross-stream waits all run as they would
// on several GPUs, over the GPU's memory instead of NVLink. NCCL cannot put
// two ranks on one GPU; its path is tested with one rank.

// multiCase is one way of running several devices.
type multiCase struct {
	ordinals []int
	exchange ExchangeMode
	hostMem  bool
	want     Route
}

func (c multiCase) String() string {
	return fmt.Sprintf("%d devices exchange=%s hostmem=%v", len(c.ordinals), c.exchange, c.hostMem)
}

func (c multiCase) options(prec nbody.Precision) Options {
	return LogicalDevices(Options{Precision: prec, Physics: physics, HostMem: c.hostMem, Exchange: c.exchange}, c.ordinals...)
}

// multiCases are every exchange that runs on one GPU, for 2 and 3 devices.
func multiCases() []multiCase {
	var out []multiCase
	for _, ords := range [][]int{{0, 0}, {0, 0, 0}} {
		out = append(out,
			multiCase{ords, ExchangeAuto, false, RoutePeer}, // every pair "has access": they share the GPU
			multiCase{ords, ExchangePeer, false, RoutePeer},
			multiCase{ords, ExchangeHost, false, RouteHost},
			multiCase{ords, ExchangeAuto, true, RouteShared},
		)
	}
	return out
}

// devicePositions reads device k's current positions (all bodies).
func devicePositions(t *testing.T, g *Integrator, k int) []float64 {
	t.Helper()
	require.NoError(t, g.synchronize())
	d := g.devs[k]
	unbind, err := d.bind()
	require.NoError(t, err)
	defer unbind()
	pos := make([]float64, 4*g.n)
	require.NoError(t, d.positionsTo(pos))
	return pos
}

// everyDeviceHoldsAll asserts that after the exchange every device holds
// the same positions as the first, to the bit.
func everyDeviceHoldsAll(t *testing.T, g *Integrator, name string) {
	t.Helper()
	first := devicePositions(t, g, 0)
	for k := 1; k < len(g.devs); k++ {
		got := devicePositions(t, g, k)
		if i := firstDifference(first, got); i >= 0 {
			assert.Failf(t, "devices disagree", "%s: device %d value %d (body %d): %v, device 0 has %v",
				name, k, i, i/4, got[i], first[i])
		}
	}
}

// firstDifference is the index of the first value that differs in its
// bits (so NaN differs from everything), or -1.
func firstDifference(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// The split integrator answers to the float64 reference like one device,
// for N that do not divide evenly (4097 over 2 devices is 2304 + 1793,
// over 3 it is 1536 + 1536 + 1025; 1000 over 3 is 384 + 384 + 232), and
// every device ends the step holding every new position.
func TestSeveralDevicesMatchReference(t *testing.T) {
	devicesOrSkip(t)
	for _, c := range multiCases() {
		for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
			g := open(t, c.options(prec))
			require.Equal(t, c.want, g.route, "%s: route", c)
			t.Logf("%s: %+v", c, g.Exchange())
			for _, n := range []int{1000, 4097} {
				for _, cfg := range []nbody.Config{nbody.Random, nbody.Shell} {
					b, want := bodiesAndReference(t, cfg, n)
					name := fmt.Sprintf("%s %s n=%d %s", c, prec, n, cfg)
					checkAccelerations(t, g, b, want, name)
					everyDeviceHoldsAll(t, g, name)
					assert.Equal(t, len(c.ordinals), active(g.shares), "%s: every device has bodies: %v", name, g.shares)
				}
			}
		}
	}
}

// stepByStep runs steps steps of dt one call at a time and returns the
// bodies after each.
func stepByStep(t *testing.T, g *Integrator, b nbody.Bodies, dt float64, steps int) []nbody.Bodies {
	t.Helper()
	require.NoError(t, g.SetBodies(b))
	out := make([]nbody.Bodies, steps)
	for i := range out {
		_, err := g.Step(context.Background(), dt, 1)
		require.NoError(t, err, "step %d", i)
		require.NoError(t, g.Bodies(&out[i]), "step %d", i)
	}
	return out
}

// largestRelative is the largest |a - b| / (1 + |b|) over the values.
func largestRelative(a, b []float64) float64 {
	var worst float64
	for i := range a {
		worst = max(worst, math.Abs(a[i]-b[i])/(1+math.Abs(b[i])))
	}
	return worst
}

// Against one device, step by step for 20 steps of the benchmark's dt:
// with the fused kernel (one split of j) on every device each body sums
// the same interactions in the same order, so positions and velocities
// must match to the bit. With the launch plans chosen freely the devices,
// holding fewer bodies, may cut j into other splits and add the partial
// sums in another grouping: the bound there is a few roundings per step.
func TestSeveralDevicesFollowOneDevice(t *testing.T) {
	devicesOrSkip(t)
	const n, steps, dt = 4097, 20, 0.016
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 3)
	require.NoError(t, err)
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		bound := 1e-5
		if prec == nbody.Double {
			bound = 1e-13
		}
		for _, fused := range []bool{true, false} {
			for _, hostMem := range []bool{false, true} {
				splits := 0 // the plan's choice
				if fused {
					splits = 1
				}
				one := open(t, Options{Precision: prec, Physics: physics, HostMem: hostMem, Splits: splits})
				want := stepByStep(t, one, b, dt, steps)
				for _, c := range multiCases() {
					if c.hostMem != hostMem {
						continue
					}
					name := fmt.Sprintf("%s %s fused=%v", c, prec, fused)
					opts := c.options(prec)
					opts.Splits = splits
					g := open(t, opts)
					got := stepByStep(t, g, b, dt, steps)
					var worst float64
					for i := range got {
						worst = max(worst, largestRelative(got[i].Pos, want[i].Pos), largestRelative(got[i].Vel, want[i].Vel))
						if fused {
							if k := firstDifference(got[i].Pos, want[i].Pos); k >= 0 {
								assert.Failf(t, "positions differ", "%s: step %d value %d: %v, one device %v", name, i, k, got[i].Pos[k], want[i].Pos[k])
								break
							}
							if k := firstDifference(got[i].Vel, want[i].Vel); k >= 0 {
								assert.Failf(t, "velocities differ", "%s: step %d value %d: %v, one device %v", name, i, k, got[i].Vel[k], want[i].Vel[k])
								break
							}
						}
					}
					plans := ""
					for _, d := range g.devs {
						plans += fmt.Sprintf(" %dx%d", d.plan.blocks, d.plan.splits)
					}
					t.Logf("%s: largest relative difference from one device (plan %dx%d) over %d steps: %.3g; plans%s",
						name, one.devs[0].plan.blocks, one.devs[0].plan.splits, steps, worst, plans)
					assert.LessOrEqual(t, worst, bound, name)
					everyDeviceHoldsAll(t, g, name)
					_ = g.Close()
				}
			}
		}
	}
}

// Fewer bodies than devices: the last devices get none, the name says so,
// and the bodies still step right.
func TestFewerBodiesThanDevices(t *testing.T) {
	devicesOrSkip(t)
	for _, c := range multiCases() {
		g := open(t, c.options(nbody.Single))
		for _, n := range []int{1, 2} {
			b, want := bodiesAndReference(t, nbody.Random, n)
			name := fmt.Sprintf("%s n=%d", c, n)
			checkAccelerations(t, g, b, want, name)
			everyDeviceHoldsAll(t, g, name)
			used := min(n, len(c.ordinals))
			assert.Equal(t, used, active(g.shares), name)
			if used < len(c.ordinals) {
				assert.Contains(t, g.Name(), fmt.Sprintf("%d of them used", used), name)
			} else {
				assert.Equal(t, fmt.Sprintf("%d GPUs", len(c.ordinals)), g.Name(), name)
			}
		}
	}
}

// A timed run on several devices takes time on the first device's events
// (which wait for all the others), and cancelling stops it.
func TestSeveralDevicesTimingAndCancel(t *testing.T) {
	devicesOrSkip(t)
	g := open(t, LogicalDevices(Options{Physics: physics, Exchange: ExchangeHost}, 0, 0))
	b, err := nbody.Generate(nbody.Shell, 16384, nbody.DefaultParams(16384), 1)
	require.NoError(t, err)
	require.NoError(t, g.SetBodies(b))
	elapsed, err := g.Step(context.Background(), 0.001, 10)
	require.NoError(t, err)
	assert.Positive(t, elapsed)
	t.Logf("10 steps of 16384 bodies on 2 logical devices (host exchange): %v", elapsed)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = g.Step(ctx, 0.001, 1000)
	assert.ErrorIs(t, err, context.Canceled)
}

// NCCL needs one GPU per rank; devices that share one are refused with
// that reason, whether or not NCCL loads here.
func TestNCCLNeedsDistinctGPUs(t *testing.T) {
	devicesOrSkip(t)
	_, err := New(LogicalDevices(Options{Physics: physics, Exchange: ExchangeNCCL}, 0, 0))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "distinct GPU")
}

func TestTooManyDevices(t *testing.T) {
	devs := devicesOrSkip(t)
	_, err := New(Options{Physics: physics, NumDevices: len(devs) + 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%d devices from device 0 asked for: %d CUDA device(s)", len(devs)+1, len(devs)))
}

// openNCCLOrSkip opens a one-device integrator forced to the NCCL
// exchange, or skips where NCCL does not load.
func openNCCLOrSkip(t *testing.T, prec nbody.Precision) *Integrator {
	t.Helper()
	devicesOrSkip(t)
	require.NoError(t, cluster.DefaultNCCLSettings())
	g, err := New(Options{Precision: prec, Physics: physics, Exchange: ExchangeNCCL, NCCLLibrary: cluster.NCCLLibrary()})
	if errors.Is(err, nccl.ErrNoLibrary) || errors.Is(err, nccl.ErrMissingSymbol) {
		t.Skipf("NCCL does not open here (set %s to libnccl.so.2's path): %v", cluster.NCCLLibraryEnv, err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, g.Close()) })
	return g
}

// One rank of NCCL: each step ends in a one-rank all-gather of the whole
// position array. Accelerations answer to the reference, and 20 steps
// match the same device without an exchange to the bit.
func TestNCCLOneRank(t *testing.T) {
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		g := openNCCLOrSkip(t, prec)
		require.Equal(t, RouteNCCL, g.route)
		require.Len(t, g.comms, 1)
		x := g.Exchange()
		t.Logf("%s: %+v", prec, x)
		assert.Equal(t, RouteNCCL, x.Route)
		assert.True(t, x.AllGather, "one rank gathers")
		assert.NotEmpty(t, x.NCCLVersion)
		for _, n := range []int{1000, 4097} {
			b, want := bodiesAndReference(t, nbody.Random, n)
			checkAccelerations(t, g, b, want, fmt.Sprintf("nccl %s n=%d", prec, n))
		}
		plain := open(t, Options{Precision: prec, Physics: physics})
		b, err := nbody.Generate(nbody.Shell, 4097, nbody.DefaultParams(4097), 3)
		require.NoError(t, err)
		want := stepByStep(t, plain, b, 0.016, 20)
		got := stepByStep(t, g, b, 0.016, 20)
		for i := range got {
			if k := firstDifference(got[i].Pos, want[i].Pos); k >= 0 {
				assert.Failf(t, "positions differ", "%s step %d value %d: %v vs %v", prec, i, k, got[i].Pos[k], want[i].Pos[k])
				break
			}
		}
	}
}
