package tipsy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

// withHeader returns data with its header's fields replaced by h, in the
// byte order of f.
func withHeader(data []byte, f Format, h Header) []byte {
	out := bytes.Clone(data)
	appendHeader(out[:0], orderOf(f), h)
	return out
}

// putFloat overwrites the float32 at offset in the little-endian data.
func putFloat(data []byte, offset int, v float32) []byte {
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint32(out[offset:], math.Float32bits(v))
	return out
}

func TestReadRefusesBadData(t *testing.T) {
	// A native file: 32-byte header, 3 gas (48 bytes each, from 32),
	// 4 dark (36, from 176), 5 star (44, from 320), 540 bytes in all.
	good := encode(t, mixedSnapshot(Native, []byte{0, 0, 0, 0}))
	require.Len(t, good, 540)
	std := encode(t, mixedSnapshot(Standard, []byte{0, 0, 0, 0}))
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))

	for _, tc := range []struct {
		name   string
		data   []byte
		format Format
		want   string
	}{
		{"empty", nil, Auto, "empty file"},
		{"shorter than a header", good[:10], Auto, "truncated: 10 bytes, shorter than a tipsy header (28 bytes)"},
		{"truncated", good[:530], Auto,
			"truncated: the counts (nsph 3, ndark 4, nstar 5) need a file of 540 bytes (536 with an unpadded header), this one has 530 (read as native tipsy (little-endian))"},
		{"header alone", good[:32], Auto, "truncated: the counts (nsph 3, ndark 4, nstar 5) need a file of 540 bytes"},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 0, 0, 0, 0, 0, 0), Auto,
			"the file size disagrees with the header: the counts (nsph 3, ndark 4, nstar 5) need a file of 540 bytes (536 with an unpadded header), this one has 548"},
		{"dimension 4", withHeader(good, Native, Header{NBodies: 12, NDim: 4, NSph: 3, NDark: 4, NStar: 5}), Auto,
			"not a tipsy file: the dimension count reads 4 little-endian and 67108864 big-endian, want 2 or 3"},
		{"dimension 0", withHeader(good, Native, Header{NBodies: 12, NDim: 0, NSph: 3, NDark: 4, NStar: 5}), Auto,
			"not a tipsy file: the dimension count reads 0 little-endian and 0 big-endian, want 2 or 3"},
		{"negative count", withHeader(good, Native, Header{NBodies: 2, NDim: 3, NSph: 3, NDark: 4, NStar: -5}), Auto,
			"negative particle count (nsph 3, ndark 4, nstar -5) (read as native tipsy (little-endian))"},
		{"nbodies disagrees", withHeader(good, Native, Header{NBodies: 13, NDim: 3, NSph: 3, NDark: 4, NStar: 5}), Auto,
			"the header says nbodies 13 but nsph 3 + ndark 4 + nstar 5 = 12"},
		{"counts overflow int32", withHeader(good, Native, Header{NBodies: -2, NDim: 3, NDark: math.MaxInt32, NStar: math.MaxInt32}), Auto,
			"the header says nbodies -2 but nsph 0 + ndark 2147483647 + nstar 2147483647 = 4294967294"},
		{"huge count", withHeader(good[:32], Native, Header{NBodies: math.MaxInt32, NDim: 3, NDark: math.MaxInt32}), Auto,
			"truncated: the counts (nsph 0, ndark 2147483647, nstar 0) need a file of 77309411324 bytes (77309411320 with an unpadded header), this one has 32"},
		{"zero bodies", withHeader(good[:32], Native, Header{NDim: 3}), Auto, "no particles (nbodies 0)"},
		{"nan mass", putFloat(good, 176+36, nan), Auto, "dark particle 1 (body 4): mass is NaN"},
		{"inf position", putFloat(good, 320+2*44+8, inf), Auto, "star particle 2 (body 9): position is ["},
		{"negative mass", putFloat(good, 32, -1), Auto, "gas particle 0 (body 0): negative mass -1"},
		{"nan velocity", putFloat(good, 176+3*36+16, nan), Auto, "dark particle 3 (body 6): velocity is ["},
		{"nan eps", putFloat(good, 320+4*44+36, nan), Auto, "star particle 4 (body 11): eps is NaN"},
		{"standard forced native", std, Native,
			"not native tipsy (little-endian): dimension count 50331648, want 2 or 3; the file reads as standard tipsy (big-endian)"},
		{"native forced standard", good, Standard,
			"not standard tipsy (big-endian): dimension count 50331648, want 2 or 3; the file reads as native tipsy (little-endian)"},
		{"truncated forced native", good[:100], Native, "not native tipsy (little-endian): truncated: the counts"},
		{"unknown format", good, Format(7), "unknown tipsy format Format(7)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := decode(tc.data, tc.format)
			assert.Nil(t, s)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// A reader that holds less than the size it is said to have gives a
// truncation error, not a panic or a zeroed particle.
func TestReadShortReader(t *testing.T) {
	good := encode(t, mixedSnapshot(Native, []byte{0, 0, 0, 0}))
	_, err := Read(bytes.NewReader(good[:200]), int64(len(good)), Auto)
	assert.EqualError(t, err, "dark particle 0: truncated: the data ended early")
	_, err = Read(bytes.NewReader(good[:20]), int64(len(good)), Auto)
	assert.EqualError(t, err, "reading the header: truncated: the data ended early")
}

// A 32-byte file claiming 2^31-1 bodies allocates nothing from that count.
func TestReadAllocatesNothingBeforeCheckingCounts(t *testing.T) {
	good := encode(t, mixedSnapshot(Native, []byte{0, 0, 0, 0}))
	huge := withHeader(good[:32], Native, Header{NBodies: math.MaxInt32, NDim: 3, NStar: math.MaxInt32})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		_, err := decode(huge, Auto)
		require.Error(t, err)
	}
	runtime.ReadMemStats(&after)
	perRead := (after.TotalAlloc - before.TotalAlloc) / 10
	assert.Less(t, perRead, uint64(64<<10), "bytes allocated per refused read")
}

func TestReadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()

	missing := filepath.Join(dir, "missing.bin")
	_, err := ReadFile(missing, Auto)
	assert.ErrorIs(t, err, fs.ErrNotExist, "the CLI tells a missing file apart, as the sample does")
	assert.EqualError(t, err, "tipsy file "+missing+": no such file or directory")

	_, err = ReadFile(dir, Auto)
	assert.EqualError(t, err, "tipsy file "+dir+": a directory, not a regular file")

	empty := filepath.Join(dir, "empty.bin")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err = ReadFile(empty, Auto)
	assert.EqualError(t, err, "tipsy file "+empty+": empty file")

	short := filepath.Join(dir, "short.bin")
	good := encode(t, mixedSnapshot(Standard, nil))
	require.NoError(t, os.WriteFile(short, good[:len(good)-1], 0o644))
	_, err = ReadFile(short, Auto)
	assert.ErrorContains(t, err, "tipsy file "+short+": truncated: ")
	assert.ErrorContains(t, err, "(read as standard tipsy (big-endian))")
}

// sparseFile is a reader of size bytes that holds head at its start and
// zeros after it, as a sparse file does, without the memory.
type sparseFile struct{ head []byte }

func (s sparseFile) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	if off < int64(len(s.head)) {
		copy(p, s.head[off:])
	}
	return len(p), nil
}

// A file whose size matches more bodies than a run may have is refused
// before its records are read or allocated, however many it claims.
func TestReadRefusesMoreThanMaxBodies(t *testing.T) {
	good := encode(t, mixedSnapshot(Native, []byte{0, 0, 0, 0}))
	for _, n := range []int64{nbody.MaxBodies + 1, math.MaxInt32} {
		head := withHeader(good[:32], Native, Header{NBodies: int32(n), NDim: 3, NDark: int32(n)})
		size := 32 + darkSize*n
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Read(sparseFile{head}, size, Auto)
		runtime.ReadMemStats(&after)
		assert.ErrorContains(t, err, fmt.Sprintf("%d particles: more than the %d bodies a run may have", n, nbody.MaxBodies))
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10), "bytes allocated by a refused read")
	}
	// The same reader with a count within the limit reads.
	head := withHeader(good[:32], Native, Header{NBodies: 3, NDim: 3, NDark: 3})
	_, err := Read(sparseFile{head}, 32+3*darkSize, Auto)
	assert.NoError(t, err)
}
