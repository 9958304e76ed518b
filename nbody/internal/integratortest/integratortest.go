// Package integratortest holds the checks that every integrator's tests
// share: bodies equal bit for bit, and a cancel that ends a long step
// soon and leaves the bodies as they were.
package integratortest

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RequireSameBits fails unless got holds exactly want's values, bit for
// bit (assert.Equal would take −0 for +0 and fail on equal NaNs).
func RequireSameBits(t testing.TB, want, got nbody.Bodies, what string) {
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

// StopsInsideAStep cancels a step of in, whose bodies are set and many
// enough that one step takes seconds, 100 ms after it starts: Step must
// return ctx's error within 500 ms of the cancel and leave the bodies as
// they were before it, none half updated.
func StopsInsideAStep(t *testing.T, in nbody.Integrator, dt float64) {
	t.Helper()
	var before nbody.Bodies
	require.NoError(t, in.Bodies(&before))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // when cancel was called, in Unix nanoseconds
	time.AfterFunc(100*time.Millisecond, func() {
		cancelled.Store(time.Now().UnixNano())
		cancel()
	})
	_, err := in.Step(ctx, dt, 1)
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	require.NotZero(t, cancelled.Load(), "the step ended before the cancel")
	late := returned.Sub(time.Unix(0, cancelled.Load()))
	t.Logf("N=%d: Step returned %v after the cancel", before.N(), late)
	assert.Less(t, late, 500*time.Millisecond, "Step returned too long after the cancel")

	var after nbody.Bodies
	require.NoError(t, in.Bodies(&after))
	RequireSameBits(t, before, after, "after the cancelled step")
}
