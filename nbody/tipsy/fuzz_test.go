package tipsy

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzRead feeds the reader arbitrary bytes. It must never panic; whatever
// it accepts must write back to the same bytes, read back to the same
// snapshot, be accepted when its format is forced and refused when the
// other one is, and survive Bodies → SetBodies unchanged.
func FuzzRead(f *testing.F) {
	if data, err := os.ReadFile(galaxyPath); err == nil {
		// The header and a few records as they are (truncated), and with
		// the counts cut down to those records (2 dark, 2 star).
		few := bytes.Clone(data[:32+3*36])
		few = append(few, data[32+2500*36:32+2500*36+2*44]...)
		f.Add(few)
		f.Add(withHeader(append(bytes.Clone(few[:32+2*36]), few[32+3*36:]...), Native,
			Header{NBodies: 4, NDim: 3, NDark: 2, NStar: 2}))
		f.Add(data)
	}
	f.Add(encode(f, mixedSnapshot(Standard, []byte{0, 0, 0, 0})))
	f.Add(encode(f, mixedSnapshot(Standard, nil)))
	f.Add(encode(f, mixedSnapshot(Native, nil)))

	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decode(data, Auto)
		if err != nil {
			require.Nil(t, s)
			require.NotEmpty(t, err.Error())
			return
		}
		require.Contains(t, []Format{Native, Standard}, s.Format)

		out := encode(t, s)
		require.True(t, bytes.Equal(data, out), "rewriting changed the bytes")

		again, err := decode(out, Auto)
		require.NoError(t, err)
		assertSameSnapshot(t, s, again)

		forced, err := decode(data, s.Format)
		require.NoError(t, err, "forcing the detected format")
		assertSameSnapshot(t, s, forced)
		_, err = decode(data, otherFormat(s.Format))
		require.Error(t, err, "forcing the other format")

		b := s.Bodies()
		require.NoError(t, b.Validate(), "accepted bodies are simulable")
		require.NoError(t, s.SetBodies(b))
		require.True(t, bytes.Equal(data, encode(t, s)), "Bodies then SetBodies changed the bytes")
	})
}

// assertSameSnapshot compares two snapshots bit for bit: fields that are
// not bodies' (phi, rho, time...) may hold NaNs, which == never matches, so
// records are compared through their encoding.
func assertSameSnapshot(t *testing.T, want, got *Snapshot) {
	t.Helper()
	assert.Equal(t, want.Format, got.Format)
	assert.Equal(t, want.Pad, got.Pad)
	assert.Equal(t, want.Bodies(), got.Bodies())
	assert.Equal(t, [3]int{len(want.Gas), len(want.Dark), len(want.Star)}, [3]int{len(got.Gas), len(got.Dark), len(got.Star)})
	assert.True(t, bytes.Equal(encode(t, want), encode(t, got)), "encodings differ")
}
