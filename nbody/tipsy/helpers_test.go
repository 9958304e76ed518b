package tipsy

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// galaxyPath is the sample's galaxy file, committed in the repository's
// testdata/ (testdata/README.md says where it comes from), reached from
// this package's directory.
const galaxyPath = "../../testdata/galaxy_20K.bin"

// galaxyBytes returns the galaxy file's bytes; a missing file fails the
// test, since the repository holds it.
func galaxyBytes(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(galaxyPath)
	require.NoError(t, err, "the sample's galaxy file, committed under testdata/")
	return data
}

// mixedSnapshot builds a snapshot with every kind of particle and a
// different value in every field, so that a field read or written in the
// wrong place shows.
func mixedSnapshot(f Format, pad []byte) *Snapshot {
	s := &Snapshot{
		Format: f,
		Header: Header{Time: 0.125, NBodies: 12, NDim: 3, NSph: 3, NDark: 4, NStar: 5},
		Pad:    pad,
	}
	v := float32(0)
	next := func() float32 { v += 0.5; return v }
	vec := func() [3]float32 { return [3]float32{next(), -next(), next()} }
	for range 3 {
		s.Gas = append(s.Gas, GasParticle{Mass: next(), Pos: vec(), Vel: vec(), Rho: next(), Temp: next(),
			HSmooth: next(), Metals: next(), Phi: -next()})
	}
	for i := range 4 {
		s.Dark = append(s.Dark, DarkParticle{Mass: next(), Pos: vec(), Vel: vec(), Eps: next(), IDPhi: FromPhi(-next())})
		if f == Native {
			s.Dark[i].IDPhi = FromID(int32(1000 + i))
		}
	}
	for i := range 5 {
		s.Star = append(s.Star, StarParticle{Mass: next(), Pos: vec(), Vel: vec(), Metals: next(), TForm: next(),
			Eps: next(), IDPhi: FromPhi(-next())})
		if f == Native {
			s.Star[i].IDPhi = FromID(int32(2000 + i))
		}
	}
	return s
}

// encode writes s to bytes.
func encode(t testing.TB, s *Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, s.Write(&buf))
	return buf.Bytes()
}

// decode reads a snapshot from bytes.
func decode(data []byte, f Format) (*Snapshot, error) {
	return Read(bytes.NewReader(data), int64(len(data)), f)
}
