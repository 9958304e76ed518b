package tipsy

import (
	"encoding/binary"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{Auto, Native, Standard} {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("xdr")
	assert.ErrorContains(t, err, `unknown tipsy format "xdr" (want auto, native or standard)`)
}

// Every layout, padded or not, reads back as written, is detected as what
// it is, and has the size its counts say.
func TestRoundTripEveryLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		pad    []byte
	}{
		{"standard padded", Standard, []byte{0, 0, 0, 0}},
		{"standard unpadded", Standard, nil},
		{"native padded", Native, []byte{1, 2, 3, 4}},
		{"native unpadded", Native, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mixedSnapshot(tc.format, tc.pad)
			data := encode(t, s)
			assert.Len(t, data, 28+len(tc.pad)+3*48+4*36+5*44)
			for _, want := range []Format{Auto, tc.format} {
				got, err := decode(data, want)
				require.NoError(t, err, "reading as %v", want)
				assert.Equal(t, s, got, "reading as %v", want)
				assert.Equal(t, data, encode(t, got), "rewriting after reading as %v", want)
			}
			_, err := decode(data, otherFormat(tc.format))
			assert.ErrorContains(t, err, "the file reads as "+tc.format.describe())
		})
	}
}

// The standard layout is big-endian field by field where we expect it.
func TestStandardByteLayout(t *testing.T) {
	s := mixedSnapshot(Standard, []byte{0, 0, 0, 0})
	data := encode(t, s)
	be := binary.BigEndian
	assert.Equal(t, 0.125, math.Float64frombits(be.Uint64(data[0:])), "time")
	assert.Equal(t, []uint32{12, 3, 3, 4, 5}, []uint32{be.Uint32(data[8:]), be.Uint32(data[12:]),
		be.Uint32(data[16:]), be.Uint32(data[20:]), be.Uint32(data[24:])}, "nbodies, ndim, nsph, ndark, nstar")
	gas0 := data[32:]
	assert.Equal(t, s.Gas[0].Mass, math.Float32frombits(be.Uint32(gas0[0:])), "gas mass")
	assert.Equal(t, s.Gas[0].Phi, math.Float32frombits(be.Uint32(gas0[44:])), "gas phi, last of 48 bytes")
	dark0 := data[32+3*48:]
	assert.Equal(t, s.Dark[0].Eps, math.Float32frombits(be.Uint32(dark0[28:])), "dark eps")
	assert.Equal(t, s.Dark[0].IDPhi.Phi(), math.Float32frombits(be.Uint32(dark0[32:])), "dark phi")
	star0 := data[32+3*48+4*36:]
	assert.Equal(t, s.Star[0].TForm, math.Float32frombits(be.Uint32(star0[32:])), "star tform")
	assert.Equal(t, s.Star[0].Eps, math.Float32frombits(be.Uint32(star0[36:])), "star eps")
}

func TestWriteFileReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap.std")
	s := mixedSnapshot(Standard, []byte{0, 0, 0, 0})
	require.NoError(t, WriteFile(path, s))
	got, err := ReadFile(path, Auto)
	require.NoError(t, err)
	assert.Equal(t, s, got)
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	missingDir := filepath.Join(dir, "no-such-dir", "snap.std")
	err := WriteFile(missingDir, mixedSnapshot(Standard, nil))
	assert.EqualError(t, err, "tipsy file "+missingDir+": creating a temporary file in "+filepath.Dir(missingDir)+": no such file or directory")
	assert.ErrorIs(t, err, fs.ErrNotExist)

	// A snapshot that cannot be written leaves no file behind.
	bad := mixedSnapshot(Standard, nil)
	bad.Header.NDark = 3
	path := filepath.Join(dir, "bad.std")
	err = WriteFile(path, bad)
	assert.ErrorContains(t, err, "the header counts nsph 3, ndark 3, nstar 5 but there are 3 gas, 4 dark and 5 star particles")
	_, statErr := os.Stat(path)
	assert.True(t, os.IsNotExist(statErr), "no file written")
}

// failingWriter accepts a few bytes and then fails.
type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, os.ErrClosed
	}
	w.left -= len(p)
	return len(p), nil
}

func TestWriteRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(s *Snapshot)
		want   string
	}{
		{"auto format", func(s *Snapshot) { s.Format = Auto }, "format auto names no layout"},
		{"dimension", func(s *Snapshot) { s.Header.NDim = 4 }, "dimension count 4, want 2 or 3"},
		{"nbodies", func(s *Snapshot) { s.Header.NBodies = 11 }, "the header says nbodies 11 but there are 12 particles"},
		{"star count", func(s *Snapshot) { s.Star = s.Star[:4] }, "the header counts nsph 3, ndark 4, nstar 5 but there are 3 gas, 4 dark and 4 star particles"},
		{"padding", func(s *Snapshot) { s.Pad = []byte{0, 0, 0} }, "header padding of 3 bytes, want 4 or none"},
		{"no particles", func(s *Snapshot) { *s = Snapshot{Format: Standard, Header: Header{NDim: 3}} }, "no particles"},
		{"nan mass", func(s *Snapshot) { s.Dark[1].Mass = float32(math.NaN()) }, "dark particle 1 (body 4): mass is NaN"},
		{"inf velocity", func(s *Snapshot) { s.Gas[2].Vel[1] = float32(math.Inf(1)) }, "gas particle 2 (body 2): velocity is [14.5 +Inf 15.5]"},
		{"nan eps", func(s *Snapshot) { s.Star[4].Eps = float32(math.NaN()) }, "star particle 4 (body 11): eps is NaN"},
		{"negative mass", func(s *Snapshot) { s.Star[0].Mass = -1 }, "star particle 0 (body 7): negative mass -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mixedSnapshot(Standard, nil)
			tc.change(s)
			w := &failingWriter{left: 1 << 20}
			err := s.Write(w)
			assert.ErrorContains(t, err, "tipsy: cannot write snapshot: "+tc.want)
			assert.Equal(t, 1<<20, w.left, "nothing written")
		})
	}
	err := mixedSnapshot(Native, nil).Write(&failingWriter{left: 100})
	assert.ErrorContains(t, err, "tipsy: writing snapshot: file already closed")
}

// A failed write reports the file and leaves a device as it was.
func TestWriteFileFailsOnFullDevice(t *testing.T) {
	const full = "/dev/full" // every write fails with "no space left on device"
	if _, err := os.Stat(full); err != nil {
		t.Skipf("%s is not here: %v", full, err)
	}
	err := WriteFile(full, mixedSnapshot(Standard, nil))
	assert.EqualError(t, err, "tipsy file /dev/full: no space left on device")
	_, statErr := os.Stat(full)
	assert.NoError(t, statErr, "the device is not removed")
}
