package gpu

import (
	"cmp"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// openWorld opens a world of GPUs 0 and 1 as two integrators of one
// device each, as two processes would (NCCL allows two ranks of one
// communicator in one process when they are on different GPUs); it skips
// where there are not two GPUs or NCCL does not load.
func openWorld(t *testing.T, prec nbody.Precision) [2]*Integrator {
	t.Helper()
	devs := devicesOrSkip(t)
	if len(devs) < 2 {
		t.Skipf("a world of two GPUs needs two; %d here", len(devs))
	}
	require.NoError(t, cluster.DefaultNCCLSettings())
	path := cmp.Or(cluster.NCCLLibrary(), nccl.LibraryName)
	lib, err := nccl.Open(path)
	if err != nil {
		t.Skipf("NCCL does not open here (%s=%q): %v", cluster.NCCLLibraryEnv, cluster.NCCLLibrary(), err)
	}
	id, err := lib.GetUniqueID()
	require.NoError(t, err)
	var gs [2]*Integrator
	var errs [2]error
	var wg sync.WaitGroup
	for r := range 2 {
		// Each joins the communicator, which returns once both have.
		wg.Go(func() {
			gs[r], errs[r] = New(Options{Precision: prec, Physics: physics, Device: r, NCCLLibrary: path,
				World: &World{Devices: devs[:2], First: r, Processes: 2, ID: id}})
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	return gs
}

// Two ranks of one GPU each step the bodies exactly as one integrator
// with both GPUs does: the same split, kernels and plans, and an
// all-gather that moves bytes. Positions and every rank's velocities
// agree to the bit after 20 steps.
func TestWorldMatchesTwoDevices(t *testing.T) {
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		t.Run(prec.String(), func(t *testing.T) {
			const n = 40_000 // not a multiple of the block size
			b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 3)
			require.NoError(t, err)
			gs := openWorld(t, prec)
			var got [2]nbody.Bodies
			var wg sync.WaitGroup
			for r, g := range gs {
				wg.Go(func() {
					assert.NoError(t, g.SetBodies(b))
					_, err := g.Step(context.Background(), 0.016, 20)
					assert.NoError(t, err)
					assert.NoError(t, g.Bodies(&got[r]))
				})
			}
			wg.Wait()
			assert.Equal(t, "2 GPUs in 2 processes", gs[0].Name())
			assert.Equal(t, RouteNCCL, gs[0].Exchange().Route)
			for _, g := range gs {
				require.NoError(t, g.Close())
			}

			one := open(t, Options{Precision: prec, Physics: physics, NumDevices: 2})
			require.NoError(t, one.SetBodies(b))
			_, err = one.Step(context.Background(), 0.016, 20)
			require.NoError(t, err)
			var want nbody.Bodies
			require.NoError(t, one.Bodies(&want))

			assert.Equal(t, -1, firstDifference(want.Pos, got[0].Pos), "rank 0's positions")
			assert.Equal(t, -1, firstDifference(want.Pos, got[1].Pos), "rank 1's positions")
			for r, g := range gs {
				first, count := g.LocalBodies()
				assert.Equal(t, -1, firstDifference(want.Vel[4*first:4*(first+count)], got[r].Vel[4*first:4*(first+count)]),
					"rank %d's velocities", r)
			}
		})
	}
}

// A rank whose partner never steps waits in the all-gather; Abort, from
// another goroutine, ends the wait, as it must when the partner's process
// is gone.
func TestWorldAbortEndsAWaitingStep(t *testing.T) {
	const n = 16_384
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 1)
	require.NoError(t, err)
	gs := openWorld(t, nbody.Single)
	for _, g := range gs {
		require.NoError(t, g.SetBodies(b))
	}
	done := make(chan error, 1)
	go func() {
		_, err := gs[0].Step(context.Background(), 0.016, 50)
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("rank 0 stepped alone: %v", err)
	default:
	}
	start := time.Now()
	require.NoError(t, gs[0].Abort())
	select {
	case err := <-done:
		t.Logf("rank 0's step ended %v after the abort: %v", time.Since(start), err)
	case <-time.After(5 * time.Second):
		t.Fatal("rank 0's step still waits 5 s after the abort")
	}
	require.NoError(t, gs[1].Abort())
	closed := make(chan error, 2)
	for _, g := range gs {
		go func() { closed <- g.Close() }()
	}
	for range 2 {
		select {
		case err := <-closed:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Close after Abort did not return within 10 s")
		}
	}
}
