package tipsy

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

// mixedOrder returns the sample's shell of n bodies as a standard
// (big-endian) file whose header has been rewritten little-endian: a file
// whose byte order is mixed, as a hand-made converter makes them. Its
// header reads as native tipsy, and its records then read as byte-swapped
// floats: tiny masses, and positions and velocities near 1e30.
func mixedOrder(t testing.TB, n int, seed uint64) []byte {
	t.Helper()
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), seed)
	require.NoError(t, err)
	s, err := FromBodies(b)
	require.NoError(t, err)
	return withHeader(encode(t, s), Native, s.Header)
}

// A little-endian header on big-endian records is refused, with a line that
// names the body and suggests the byte order, instead of running bodies at
// 1e32 into NaNs. (Seeds 2 and 3 give files whose every value is finite and
// every mass non-negative when misread, which the reader used to accept.)
func TestReadRefusesMixedByteOrder(t *testing.T) {
	for _, seed := range []uint64{2, 3} {
		s, err := decode(mixedOrder(t, 50, seed), Auto)
		assert.Nil(t, s, "seed %d", seed)
		require.Error(t, err, "seed %d", seed)
		assert.Regexp(t, `^dark particle \d+ \(body \d+\): (position|velocity|mass|eps) .* is too large \(beyond ±1\.8e\+19\): `+
			`are the records in another byte order than the header's \(little-endian\)\?$`, err.Error(), "seed %d", seed)
	}
}

func TestReadRefusesValuesWhoseSquaresOverflow(t *testing.T) {
	// The native file of mixedSnapshot: 32-byte header, 3 gas (48 bytes
	// each, from 32), 4 dark (36, from 176), 5 star (44, from 320).
	good := encode(t, mixedSnapshot(Native, []byte{0, 0, 0, 0}))
	std := encode(t, mixedSnapshot(Standard, []byte{0, 0, 0, 0}))
	const hint = ": are the records in another byte order than the header's (little-endian)?"
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"velocity", putFloat(good, 176+3*36+20, 1.2e32),
			"dark particle 3 (body 6): velocity [34 1.2e+32 35] is too large (beyond ±1.8e+19)" + hint},
		{"negative position", putFloat(good, 320+2*44+4, -2e19),
			"star particle 2 (body 9): position [-2e+19 -48.5 49] is too large (beyond ±1.8e+19)" + hint},
		{"mass", putFloat(good, 32+48, 3e38),
			"gas particle 1 (body 1): mass 3e+38 is too large (beyond ±1.8e+19)" + hint},
		{"eps", putFloat(good, 320+4*44+36, 1e30),
			"star particle 4 (body 11): eps 1e+30 is too large (beyond ±1.8e+19)" + hint},
		{"hsmooth", putFloat(good, 32+2*48+36, -1e20),
			"gas particle 2 (body 2): hsmooth -1e+20 is too large (beyond ±1.8e+19)" + hint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := decode(tc.data, Auto)
			assert.Nil(t, s)
			assert.EqualError(t, err, tc.want)
		})
	}

	// A standard file names its own byte order.
	be := bytes4(std, 176+36+4, 2e19)
	_, err := decode(be, Auto)
	assert.EqualError(t, err, "dark particle 1 (body 4): position [2e+19 -24 24.5] is too large (beyond ±1.8e+19): "+
		"are the records in another byte order than the header's (big-endian)?")
}

// bytes4 overwrites the float32 at offset in the big-endian data.
func bytes4(data []byte, offset int, v float32) []byte {
	out := putFloat(data, offset, 0)
	bits := math.Float32bits(v)
	out[offset], out[offset+1], out[offset+2], out[offset+3] = byte(bits>>24), byte(bits>>16), byte(bits>>8), byte(bits)
	return out
}

// 1.8e19 is the largest magnitude a body value may have: it reads, writes,
// and goes into and out of bodies; 2e19 is refused by all four, so that a
// file that reads is one that can be written back.
func TestBodyValueLimitBoundary(t *testing.T) {
	for _, v := range []float32{1.8e19, -1.8e19} {
		s := mixedSnapshot(Standard, nil)
		s.Dark[0].Vel[2], s.Star[1].Pos[0], s.Gas[0].Mass, s.Star[2].Eps = v, v, float32(math.Abs(float64(v))), v
		data := encode(t, s)
		back, err := decode(data, Auto)
		require.NoError(t, err, "%v reads", v)
		assert.Equal(t, s, back)
		require.NoError(t, back.SetBodies(back.Bodies()), "%v goes back into the records", v)
		_, err = FromBodies(back.Bodies())
		assert.NoError(t, err)
	}

	for _, v := range []float32{2e19, -2e19} {
		s := mixedSnapshot(Standard, nil)
		s.Dark[0].Vel[2] = v
		err := s.Write(&failingWriter{left: 1 << 20})
		require.Error(t, err, "%v", v)
		assert.ErrorContains(t, err, "tipsy: cannot write snapshot: dark particle 0 (body 3): velocity [", "%v", v)
		assert.ErrorContains(t, err, "] is too large (beyond ±1.8e+19)", "%v", v)
		assert.NotContains(t, err.Error(), "byte order", "a snapshot in memory has no byte order to blame")

		data := encode(t, mixedSnapshot(Standard, nil))
		_, err = decode(bytes4(data, 28+3*48+24, v), Auto) // the first dark particle's vz
		assert.ErrorContains(t, err, "dark particle 0 (body 3): velocity [", "%v", v)

		b := mixedSnapshot(Standard, nil).Bodies()
		b.Vel[4*3+2] = float64(v)
		assert.ErrorContains(t, mixedSnapshot(Standard, nil).SetBodies(b), "tipsy: body 3 in float32: velocity [")
		_, err = FromBodies(b)
		assert.ErrorContains(t, err, "] is too large (beyond ±1.8e+19)")
	}
}
