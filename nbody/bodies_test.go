package nbody

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The GPU integrator uploads and downloads float32 bodies through these
// two; the CPU tests never reach them.
func TestFloat32ConversionsRoundAndReuse(t *testing.T) {
	src := []float64{1, -2.5, 1.0 / 3, 1e-40}
	got := ToFloat32(nil, src)
	assert.Equal(t, []float32{1, -2.5, float32(1.0 / 3), float32(1e-40)}, got)

	back := make([]float64, 0, 8)
	back = FromFloat32(back, got)
	require.Len(t, back, len(src))
	assert.Equal(t, src[:2], back[:2], "values a float32 holds exactly come back exactly")
	assert.InDelta(t, 1.0/3, back[2], 1e-7)
	assert.Equal(t, 8, cap(back), "a large enough dst is reused")

	short := ToFloat32(make([]float32, 1), src)
	assert.Len(t, short, len(src), "a short dst is replaced")
}
