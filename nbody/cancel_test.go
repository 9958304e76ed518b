package nbody_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/internal/integratortest"
	"github.com/stretchr/testify/require"
)

// A cancel in the middle of a long step ends it soon, with ctx's error,
// and leaves the bodies as they were before it: none half updated.
func TestReferenceStopsInsideAStep(t *testing.T) {
	// 2^15 bodies: a step takes some 5 s on two cores of a 2026 Xeon
	// (0.22 G interactions/s); N grows as √CPUs to keep it long elsewhere.
	n := (1 << 15) * int(math.Ceil(math.Sqrt(float64(nbody.UsableCPUs())/2)))
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 1)
	require.NoError(t, err)
	ref := nbody.NewReference(nbody.DefaultParams(n).Physics())
	require.NoError(t, ref.SetBodies(b))
	integratortest.StopsInsideAStep(t, ref, nbody.DefaultParams(n).DT)
}

// stepMarker is a context whose Err, which Step calls before each step,
// tells onCheck which check it is: the k-th comes before step k.
type stepMarker struct {
	context.Context
	checks  atomic.Int32
	onCheck func(k int)
}

func (m *stepMarker) Err() error {
	m.onCheck(int(m.checks.Add(1)))
	return m.Context.Err()
}

// Cancelled in the middle of step k of a run, the reference is left with
// the state after k−1 whole steps, bit for bit, and a later Step goes on
// from there exactly as an integrator that was never cancelled.
func TestReferenceCancelledStepLeavesLastWholeStep(t *testing.T) {
	const n = 4096 // some 75 ms a step on two cores
	p := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, p, 2)
	require.NoError(t, err)
	for _, c := range []struct{ steps, cancelIn int }{{1, 1}, {5, 3}} {
		// The uncancelled twin: the state after cancelIn−1 steps, and
		// after one more, whose time sets when the cancel comes.
		twin := nbody.NewReference(p.Physics())
		require.NoError(t, twin.SetBodies(b))
		_, err := twin.Step(context.Background(), p.DT, c.cancelIn-1)
		require.NoError(t, err)
		var want, wantNext nbody.Bodies
		require.NoError(t, twin.Bodies(&want))
		stepTime, err := twin.Step(context.Background(), p.DT, 1)
		require.NoError(t, err)
		require.NoError(t, twin.Bodies(&wantNext))

		// The cancel comes a quarter of a step into step cancelIn, as the
		// twin timed it; on a busy machine the twin's step can be slow and
		// this one fast, so that step cancelIn ends before the cancel
		// lands. That run proves nothing either way: it is tried again,
		// the cancel sooner, a few times.
		var ref *nbody.Reference
		var got nbody.Bodies
		delay := stepTime / 4
		for attempt := 1; ; attempt++ {
			ref = nbody.NewReference(p.Physics())
			require.NoError(t, ref.SetBodies(b))
			parent, cancel := context.WithCancel(context.Background())
			ctx := &stepMarker{Context: parent, onCheck: func(k int) {
				if k == c.cancelIn {
					time.AfterFunc(delay, cancel)
				}
			}}
			_, err = ref.Step(ctx, p.DT, c.steps)
			cancel()
			require.NoError(t, ref.Bodies(&got))
			late := err == nil || sameBits(got, wantNext)
			if !late || attempt == 5 {
				break
			}
			t.Logf("attempt %d: step %d ended before the cancel %v into it; again, sooner", attempt, c.cancelIn, delay)
			delay /= 4
		}
		require.ErrorIs(t, err, context.Canceled, "%d steps, cancelled in step %d", c.steps, c.cancelIn)
		integratortest.RequireSameBits(t, want, got, "after the cancel")

		_, err = ref.Step(context.Background(), p.DT, 1)
		require.NoError(t, err)
		require.NoError(t, ref.Bodies(&got))
		integratortest.RequireSameBits(t, wantNext, got, "a step after the cancel")
	}
}

// sameBits reports whether a and b hold the same values, bit for bit.
func sameBits(a, b nbody.Bodies) bool {
	if len(a.Pos) != len(b.Pos) || len(a.Vel) != len(b.Vel) {
		return false
	}
	for i := range a.Pos {
		if math.Float64bits(a.Pos[i]) != math.Float64bits(b.Pos[i]) {
			return false
		}
	}
	for i := range a.Vel {
		if math.Float64bits(a.Vel[i]) != math.Float64bits(b.Vel[i]) {
			return false
		}
	}
	return true
}
