package nbody

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireSameBits fails unless got holds exactly want's values, bit for
// bit (assert.Equal would take −0 for +0 and fail on equal NaNs).
func requireSameBits(t *testing.T, want, got Bodies, what string) {
	t.Helper()
	require.Equal(t, len(want.Pos), len(got.Pos), "%s: positions", what)
	require.Equal(t, len(want.Vel), len(got.Vel), "%s: velocities", what)
	for i := range want.Pos {
		if math.Float64bits(want.Pos[i]) != math.Float64bits(got.Pos[i]) {
			t.Fatalf("%s: position value %d: want %v, got %v", what, i, want.Pos[i], got.Pos[i])
		}
		if math.Float64bits(want.Vel[i]) != math.Float64bits(got.Vel[i]) {
			t.Fatalf("%s: velocity value %d: want %v, got %v", what, i, want.Vel[i], got.Vel[i])
		}
	}
}

// A cancel in the middle of a long step ends it soon, with ctx's error,
// and leaves the bodies as they were before it: none half updated.
func TestReferenceStopsInsideAStep(t *testing.T) {
	// 2^15 bodies: a step takes some 5 s on two cores of a 2026 Xeon
	// (0.22 G interactions/s); N grows as √CPUs to keep it long elsewhere.
	n := (1 << 15) * int(math.Ceil(math.Sqrt(float64(UsableCPUs())/2)))
	b, err := Generate(Shell, n, DefaultParams(n), 1)
	require.NoError(t, err)
	ref := NewReference(DefaultParams(n).Physics())
	require.NoError(t, ref.SetBodies(b))
	var before Bodies
	require.NoError(t, ref.Bodies(&before))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // when cancel was called, in Unix nanoseconds
	time.AfterFunc(100*time.Millisecond, func() {
		cancelled.Store(time.Now().UnixNano())
		cancel()
	})
	_, err = ref.Step(ctx, DefaultParams(n).DT, 1)
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	require.NotZero(t, cancelled.Load(), "the step ended before the cancel")
	late := returned.Sub(time.Unix(0, cancelled.Load()))
	t.Logf("N=%d: Step returned %v after the cancel", n, late)
	assert.Less(t, late, 500*time.Millisecond, "Step returned too long after the cancel")

	var after Bodies
	require.NoError(t, ref.Bodies(&after))
	requireSameBits(t, before, after, "after the cancelled step")
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
	p := DefaultParams(n)
	b, err := Generate(Shell, n, p, 2)
	require.NoError(t, err)
	for _, c := range []struct{ steps, cancelIn int }{{1, 1}, {5, 3}} {
		// The uncancelled twin: the state after cancelIn−1 steps, and
		// after one more, whose time sets when the cancel comes.
		twin := NewReference(p.Physics())
		require.NoError(t, twin.SetBodies(b))
		_, err := twin.Step(context.Background(), p.DT, c.cancelIn-1)
		require.NoError(t, err)
		var want, wantNext Bodies
		require.NoError(t, twin.Bodies(&want))
		stepTime, err := twin.Step(context.Background(), p.DT, 1)
		require.NoError(t, err)
		require.NoError(t, twin.Bodies(&wantNext))

		ref := NewReference(p.Physics())
		require.NoError(t, ref.SetBodies(b))
		parent, cancel := context.WithCancel(context.Background())
		ctx := &stepMarker{Context: parent, onCheck: func(k int) {
			if k == c.cancelIn {
				time.AfterFunc(stepTime/4, cancel)
			}
		}}
		_, err = ref.Step(ctx, p.DT, c.steps)
		cancel()
		require.ErrorIs(t, err, context.Canceled, "%d steps, cancelled in step %d", c.steps, c.cancelIn)
		var got Bodies
		require.NoError(t, ref.Bodies(&got))
		requireSameBits(t, want, got, "after the cancel")

		_, err = ref.Step(context.Background(), p.DT, 1)
		require.NoError(t, err)
		require.NoError(t, ref.Bodies(&got))
		requireSameBits(t, wantNext, got, "a step after the cancel")
	}
}
