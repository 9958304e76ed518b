package tipsy

import (
	"math"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bodies come out gas, dark, star, with hsmooth or eps as w; putting them
// back changes nothing.
func TestBodiesOrderAndSetBodiesIdentity(t *testing.T) {
	s := mixedSnapshot(Standard, nil)
	b := s.Bodies()
	require.Equal(t, 12, b.N())
	g, d, st := s.Gas[2], s.Dark[0], s.Star[4]
	assert.Equal(t, []float64{float64(g.Pos[0]), float64(g.Pos[1]), float64(g.Pos[2]), float64(g.Mass)}, b.Pos[4*2:4*3])
	assert.Equal(t, float64(g.HSmooth), b.Vel[4*2+3], "gas w is hsmooth")
	assert.Equal(t, []float64{float64(d.Vel[0]), float64(d.Vel[1]), float64(d.Vel[2]), float64(d.Eps)}, b.Vel[4*3:4*4])
	assert.Equal(t, []float64{float64(st.Pos[0]), float64(st.Pos[1]), float64(st.Pos[2]), float64(st.Mass)}, b.Pos[4*11:4*12])

	before := encode(t, s)
	require.NoError(t, s.SetBodies(b))
	assert.Equal(t, before, encode(t, s))
}

// New bodies go into the records (rounded to float32); the fields that are
// not bodies' (ids, phi, rho, tform...) stay.
func TestSetBodiesKeepsOtherFields(t *testing.T) {
	s := mixedSnapshot(Native, []byte{0, 0, 0, 0})
	orig := mixedSnapshot(Native, []byte{0, 0, 0, 0})
	b := s.Bodies()
	for i := range b.Pos {
		b.Pos[i] = b.Pos[i]*3 + 0.1 // 0.1 is not a float32: rounding shows
		b.Vel[i] = -b.Vel[i] / 7
	}
	require.NoError(t, s.SetBodies(b))

	got := s.Bodies()
	for i := range b.Pos {
		require.Equal(t, float64(float32(b.Pos[i])), got.Pos[i], "pos %d", i)
		require.Equal(t, float64(float32(b.Vel[i])), got.Vel[i], "vel %d", i)
	}
	for i := range s.Gas {
		assert.Equal(t, orig.Gas[i].Rho, s.Gas[i].Rho)
		assert.Equal(t, orig.Gas[i].Phi, s.Gas[i].Phi)
	}
	for i := range s.Dark {
		assert.Equal(t, orig.Dark[i].IDPhi, s.Dark[i].IDPhi)
	}
	for i := range s.Star {
		assert.Equal(t, orig.Star[i].IDPhi, s.Star[i].IDPhi)
		assert.Equal(t, orig.Star[i].TForm, s.Star[i].TForm)
		assert.Equal(t, orig.Star[i].Metals, s.Star[i].Metals)
	}
	assert.Equal(t, orig.Header, s.Header)
}

// A refused SetBodies leaves the snapshot as it was.
func TestSetBodiesRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(b *nbody.Bodies)
		want   string
	}{
		{"too few", func(b *nbody.Bodies) { b.Pos, b.Vel = b.Pos[:44], b.Vel[:44] }, "tipsy: 11 bodies for a snapshot of 12 particles"},
		{"ragged", func(b *nbody.Bodies) { b.Vel = b.Vel[:47] }, "tipsy: 48 position and 47 velocity values, want equal multiples of 4"},
		{"nan", func(b *nbody.Bodies) { b.Pos[4*5+1] = math.NaN() }, "tipsy: body 5 in float32: position is [29 NaN 30]"},
		{"beyond float32", func(b *nbody.Bodies) { b.Vel[4*9] = 1e39 }, "tipsy: body 9 in float32: velocity is [+Inf"},
		{"negative mass", func(b *nbody.Bodies) { b.Pos[4*11+3] = -2 }, "tipsy: body 11 in float32: negative mass -2"},
		{"w", func(b *nbody.Bodies) { b.Vel[3] = math.Inf(-1) }, "tipsy: body 0 in float32: w is -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mixedSnapshot(Standard, nil)
			before := encode(t, s)
			b := s.Bodies()
			for i := range b.Pos {
				b.Pos[i] += 1
			}
			tc.change(&b)
			assert.ErrorContains(t, s.SetBodies(b), tc.want)
			assert.Equal(t, before, encode(t, s), "snapshot unchanged")
		})
	}
}

// Generated bodies become a standard file of dark particles that reads back
// as the same bodies, rounded to float32.
func TestFromBodiesRoundTrip(t *testing.T) {
	const n = 1000
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), 7)
	require.NoError(t, err)
	s, err := FromBodies(b)
	require.NoError(t, err)
	assert.Equal(t, Standard, s.Format)
	assert.Equal(t, Header{NBodies: n, NDim: 3, NDark: n}, s.Header)
	assert.Len(t, s.Dark, n)

	data := encode(t, s)
	assert.Len(t, data, 32+n*36)
	back, err := decode(data, Auto)
	require.NoError(t, err)
	assert.Equal(t, s, back)
	got := back.Bodies()
	for i := range b.Pos {
		require.Equal(t, float64(float32(b.Pos[i])), got.Pos[i], "pos %d", i)
		require.Equal(t, float64(float32(b.Vel[i])), got.Vel[i], "vel %d", i)
	}

	// Bodies that already are float32 come back exactly.
	again, err := FromBodies(got)
	require.NoError(t, err)
	assert.Equal(t, got, again.Bodies())
}

func TestFromBodiesRefuses(t *testing.T) {
	_, err := FromBodies(nbody.Bodies{})
	assert.ErrorContains(t, err, "tipsy: 0 bodies, want 1 to 2147483647")
	_, err = FromBodies(nbody.Bodies{Pos: make([]float64, 8), Vel: make([]float64, 4)})
	assert.ErrorContains(t, err, "tipsy: 8 position and 4 velocity values")
	b := nbody.NewBodies(2)
	b.Pos[4+3] = math.NaN()
	_, err = FromBodies(b)
	assert.ErrorContains(t, err, "tipsy: body 1 in float32: mass is NaN")
}
