package render

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frames renders a body moving right across a small view, one frame per
// position.
func movingBodyFrames(t *testing.T, xs ...float64) []*image.RGBA {
	t.Helper()
	r, err := New(80, 60, headOn)
	require.NoError(t, err)
	var frames []*image.RGBA
	for _, x := range xs {
		frames = append(frames, r.Render(bodiesAt([3]float64{x, 0, 0}, [3]float64{x, 1, -3})))
	}
	return frames
}

func TestWriteGIFFramesAndPositions(t *testing.T) {
	frames := movingBodyFrames(t, -2, 0, 2)
	var buf bytes.Buffer
	require.NoError(t, WriteGIF(&buf, frames, 7))

	g, err := gif.DecodeAll(&buf)
	require.NoError(t, err)
	require.Len(t, g.Image, 3, "one GIF frame per rendered frame")
	assert.Equal(t, []int{7, 7, 7}, g.Delay)
	assert.Equal(t, 0, g.LoopCount, "loops forever")
	var xs []int
	for i, p := range g.Image {
		require.Equal(t, image.Rect(0, 0, 80, 60), p.Bounds(), "frame %d size", i)
		assert.Equal(t, color.RGBA{0, 0, 0, 0xff}, p.At(0, 0), "frame %d: the corner stays black", i)
		// The brightest decoded pixel is where the rendered one was.
		rgba := image.NewRGBA(p.Bounds())
		for y := range 60 {
			for x := range 80 {
				rgba.Set(x, y, p.At(x, y))
			}
		}
		x, _ := brightest(rgba)
		wantX, _ := brightest(frames[i])
		assert.InDelta(t, wantX, x, 1, "frame %d: body drawn where it is", i)
		xs = append(xs, x)
	}
	assert.True(t, xs[0] < xs[1] && xs[1] < xs[2], "the body moves right: %v", xs)
}

// The shared palette keeps black exactly black and the rest close to the
// rendered colours.
func TestGIFPaletteIsFaithful(t *testing.T) {
	b, err := nbody.Generate(nbody.Shell, 3000, nbody.DefaultParams(3000), 2)
	require.NoError(t, err)
	r, err := New(160, 120, nbody.Params{PointSize: 1, Camera: [3]float64{0, 0, -25}})
	require.NoError(t, err)
	r.Exposure = 0.3
	frame := r.Render(b)
	var buf bytes.Buffer
	require.NoError(t, WriteGIF(&buf, []*image.RGBA{frame}, 0))
	g, err := gif.DecodeAll(&buf)
	require.NoError(t, err)
	require.Len(t, g.Image, 1)
	p := g.Image[0]
	assert.LessOrEqual(t, len(p.Palette), 256)

	var sumErr, worst float64
	lit := 0
	for y := range 120 {
		for x := range 160 {
			want := frame.RGBAAt(x, y)
			got := color.RGBAModel.Convert(p.At(x, y)).(color.RGBA)
			if want == (color.RGBA{0, 0, 0, 0xff}) {
				require.Equal(t, want, got, "black pixel (%d, %d)", x, y)
				continue
			}
			lit++
			e := (absDiff(want.R, got.R) + absDiff(want.G, got.G) + absDiff(want.B, got.B)) / 3
			sumErr += e
			worst = max(worst, e)
		}
	}
	require.Greater(t, lit, 1000, "the frame must have many lit pixels for this to mean anything")
	t.Logf("%d lit pixels, mean error %.2f, worst %.1f (8-bit levels)", lit, sumErr/float64(lit), worst)
	assert.Less(t, sumErr/float64(lit), 3.0, "mean error per channel")
	assert.Less(t, worst, 24.0, "worst error per channel")
}

func absDiff(a, b uint8) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}

func TestWriteGIFRejectsBadInput(t *testing.T) {
	var buf bytes.Buffer
	assert.Error(t, WriteGIF(&buf, nil, 5), "no frames")
	frames := movingBodyFrames(t, 0)
	assert.Error(t, WriteGIF(&buf, frames, -1), "negative delay")
	assert.Error(t, WriteGIF(&buf, append(frames, nil), 5), "a nil frame")
	other := image.NewRGBA(image.Rect(0, 0, 10, 10))
	assert.Error(t, WriteGIF(&buf, append(frames, other), 5), "frames of different sizes")
	assert.Zero(t, buf.Len(), "nothing written on error")
}

func TestWritePNGDecodesToTheSameImage(t *testing.T) {
	frame := movingBodyFrames(t, 1)[0]
	var buf bytes.Buffer
	require.NoError(t, WritePNG(&buf, frame))
	img, err := png.Decode(&buf)
	require.NoError(t, err)
	require.Equal(t, frame.Bounds(), img.Bounds())
	for y := range 60 {
		for x := range 80 {
			require.Equal(t, frame.RGBAAt(x, y), color.RGBAModel.Convert(img.At(x, y)), "pixel (%d, %d)", x, y)
		}
	}
}

func TestMaxGIFFramesFitsTheBudget(t *testing.T) {
	for _, size := range [][2]int{{720, 480}, {1920, 1080}, {8192, 8192}} {
		n := MaxGIFFrames(size[0], size[1])
		px := size[0] * size[1]
		assert.LessOrEqual(t, n*gifBytesPerPixel*px, maxGIFBytes, size)
		assert.Greater(t, (n+1)*gifBytesPerPixel*px, maxGIFBytes, size)
	}
	w, h := Size(false)
	assert.Equal(t, [2]int{720, 480}, [2]int{w, h}, "the sample's window")
	w, h = Size(true)
	assert.Equal(t, [2]int{1920, 1080}, [2]int{w, h})
}

// A recording never harms an earlier file at its path: abandoned, the file
// is as it was; written, it is replaced whole, with its mode kept.
func TestRecordingKeepsAnEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "frame.png")
	require.NoError(t, os.WriteFile(path, []byte("earlier"), 0o640))
	b, err := nbody.Generate(nbody.Shell, 64, nbody.DefaultParams(64), 1)
	require.NoError(t, err)

	rec, err := Create(path, 32, 24, nbody.Presets[0], nbody.Single)
	require.NoError(t, err)
	rec.Abandon()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "earlier", string(got), "an abandoned recording leaves the earlier file")

	rec, err = Create(path, 32, 24, nbody.Presets[0], nbody.Single)
	require.NoError(t, err)
	rec.Add(b)
	require.NoError(t, rec.Write())
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = png.Decode(f)
	assert.NoError(t, err, "a whole PNG in its place")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "the earlier file's mode")
	left, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file left behind")

	_, err = Create(filepath.Join(dir, "missing", "a.gif"), 32, 24, nbody.Presets[0], nbody.Single)
	assert.ErrorContains(t, err, filepath.Join(dir, "missing", "a.gif"), "the error names the path given")
}
