package cpu

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/internal/integratortest"
	"github.com/stretchr/testify/require"
)

// On every path a cancel in the middle of a long step ends it soon, with
// ctx's error, and leaves the bodies as they were before it.
func TestStopsInsideAStep(t *testing.T) {
	// 2^17 bodies: a step takes 2 s or more on two cores of a 2026 Xeon on
	// every path (the scalar one a minute); N grows as √CPUs to keep it
	// long elsewhere.
	n := (1 << 17) * int(math.Ceil(math.Sqrt(float64(DefaultWorkers())/2)))
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, p, 1)
	require.NoError(t, err)
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			t.Run(fmt.Sprintf("%s/%s", path, prec), func(t *testing.T) {
				in := newOrSkip(t, path, prec, p.Physics())
				require.NoError(t, in.SetBodies(b))
				integratortest.StopsInsideAStep(t, in, p.DT)
			})
		}
	}
}

// cancelAtKernelCall makes in call cancel at its kernel call number
// call(kernel calls in a whole step), counted over all its steps from 1,
// and wait there until the Step under way has seen it: that step then
// stops at its next tile, with the chunks done so far written. The bodies
// must be set: they decide the calls in a step.
func cancelAtKernelCall(t *testing.T, in nbody.Integrator, call func(perStep int64) int64, cancel func()) {
	switch f := in.(type) {
	case *integrator[float32]:
		interceptKernel(f, call, cancel)
	case *integrator[float64]:
		interceptKernel(f, call, cancel)
	default:
		t.Fatalf("%T is not the fast integrator", in)
	}
}

func interceptKernel[T nbody.Float](f *integrator[T], call func(perStep int64) int64, cancel func()) {
	chunks := (f.n + f.chunk - 1) / f.chunk
	tiles := (f.padded + f.tile - 1) / f.tile
	at := call(int64(chunks * tiles))
	inner := f.kernel
	var calls atomic.Int64
	f.kernel = func(src *positions[T], i0, i1, j0, j1 int, eps2 T, acc accum[T]) {
		if calls.Add(1) == at {
			cancel()
			for !f.stop.Load() {
				runtime.Gosched()
			}
		}
		inner(src, i0, i1, j0, j1, eps2, acc)
	}
}

// Cancelled in the middle of step k of a run, after some of its chunks
// are written, the fast integrator is left with the state after k−1 whole
// steps, bit for bit, and a later Step goes on from there exactly as an
// integrator that was never cancelled.
func TestCancelledStepLeavesLastWholeStep(t *testing.T) {
	// Not a multiple of the tile (512 or 1024 bodies): 32 chunks of up to
	// 64 targets against 2 or 4 tiles.
	const n = 2000
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, p, 2)
	require.NoError(t, err)
	for _, path := range allPaths {
		for _, prec := range bothPrecisions {
			for _, c := range []struct{ steps, cancelIn int }{{1, 1}, {5, 3}} {
				t.Run(fmt.Sprintf("%s/%s/cancel_in_step_%d_of_%d", path, prec, c.cancelIn, c.steps), func(t *testing.T) {
					twin := newOrSkip(t, path, prec, p.Physics())
					require.NoError(t, twin.SetBodies(b))
					_, err := twin.Step(context.Background(), p.DT, c.cancelIn-1)
					require.NoError(t, err)
					var want, wantNext nbody.Bodies
					require.NoError(t, twin.Bodies(&want))
					_, err = twin.Step(context.Background(), p.DT, 1)
					require.NoError(t, err)
					require.NoError(t, twin.Bodies(&wantNext))

					in := newOrSkip(t, path, prec, p.Physics())
					require.NoError(t, in.SetBodies(b))
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					// A quarter into step cancelIn.
					cancelAtKernelCall(t, in, func(perStep int64) int64 {
						return int64(c.cancelIn-1)*perStep + perStep/4 + 1
					}, cancel)
					_, err = in.Step(ctx, p.DT, c.steps)
					require.ErrorIs(t, err, context.Canceled)
					var got nbody.Bodies
					require.NoError(t, in.Bodies(&got))
					integratortest.RequireSameBits(t, want, got, "after the cancel")

					_, err = in.Step(context.Background(), p.DT, 1)
					require.NoError(t, err)
					require.NoError(t, in.Bodies(&got))
					integratortest.RequireSameBits(t, wantNext, got, "a step after the cancel")
				})
			}
		}
	}
}
