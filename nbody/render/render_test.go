package render

import (
	"image"
	"math"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// headOn is a preset whose camera looks straight at the origin from 10
// units away, so that the origin is the image's centre.
var headOn = nbody.Params{PointSize: 1, Camera: [3]float64{0, 0, -10}}

// bodiesAt returns bodies of mass 1 at the given positions, at rest.
func bodiesAt(points ...[3]float64) nbody.Bodies {
	b := nbody.NewBodies(len(points))
	for i, p := range points {
		copy(b.Pos[4*i:], []float64{p[0], p[1], p[2], 1})
	}
	return b
}

// brightest returns the pixel with the largest sum of channels.
func brightest(img *image.RGBA) (x, y int) {
	best := -1
	for py := range img.Rect.Dy() {
		for px := range img.Rect.Dx() {
			c := img.RGBAAt(px, py)
			if s := int(c.R) + int(c.G) + int(c.B); s > best {
				best, x, y = s, px, py
			}
		}
	}
	return x, y
}

func isBlack(img *image.RGBA, x, y int) bool {
	c := img.RGBAAt(x, y)
	return c.R == 0 && c.G == 0 && c.B == 0
}

func TestRenderImageSize(t *testing.T) {
	r, err := New(64, 48, headOn)
	require.NoError(t, err)
	img := r.Render(bodiesAt([3]float64{}))
	assert.Equal(t, image.Rect(0, 0, 64, 48), img.Bounds())
	w, h := r.Size()
	assert.Equal(t, [2]int{64, 48}, [2]int{w, h})
}

func TestBodyAtOriginLightsTheCentreOnly(t *testing.T) {
	r, err := New(81, 61, headOn)
	require.NoError(t, err)
	img := r.Render(bodiesAt([3]float64{}))
	x, y := brightest(img)
	assert.Equal(t, [2]int{40, 30}, [2]int{x, y}, "the brightest pixel is the centre one")
	assert.False(t, isBlack(img, 40, 30), "centre lit")
	for _, corner := range [][2]int{{0, 0}, {80, 0}, {0, 60}, {80, 60}} {
		assert.True(t, isBlack(img, corner[0], corner[1]), "corner %v stays dark", corner)
	}
}

// World +x is right in the image and +y is up, as in the sample's OpenGL
// view, whose camera sits on the +z side of the scene looking toward −z.
func TestCameraOrientation(t *testing.T) {
	r, err := New(201, 151, headOn)
	require.NoError(t, err)

	x, y := brightest(r.Render(bodiesAt([3]float64{2, 0, 0})))
	assert.Greater(t, x, 100+10, "a body at +x appears right of centre")
	assert.Equal(t, 75, y, "and on the centre row")

	x, y = brightest(r.Render(bodiesAt([3]float64{0, 2, 0})))
	assert.Less(t, y, 75-10, "a body at +y appears above centre")
	assert.Equal(t, 100, x, "and on the centre column")

	// Nearer the camera (+z) the same offset looks larger.
	xFar, _ := brightest(r.Render(bodiesAt([3]float64{2, 0, 0})))
	xNear, _ := brightest(r.Render(bodiesAt([3]float64{2, 0, 5})))
	assert.Greater(t, xNear, xFar, "perspective: nearer is further from the centre")
}

// The sample's first preset translates the scene by (0, −2, −100): the
// origin then lies 2 units below the eye's axis, 100 units away, and with a
// 60° vertical field of view appears 2 / (100·tan 30°) of the half-height
// below the centre.
func TestSamplePresetCamera(t *testing.T) {
	const w, h = 720, 480
	r, err := New(w, h, nbody.Presets[0])
	require.NoError(t, err)
	x, y := brightest(r.Render(bodiesAt([3]float64{})))
	want := float64(h)/2 + 2/(100*math.Tan(math.Pi/6))*float64(h)/2
	assert.InDelta(t, w/2, float64(x)+0.5, 1, "centre column")
	assert.InDelta(t, want, float64(y)+0.5, 1, "rows below the centre")
}

// The sample's sprite is 500·pointSize/(1 + distance) pixels across in its
// 480-pixel window; ours scales with the image height.
func TestSpriteSizeFollowsTheSample(t *testing.T) {
	for _, h := range []int{480, 960} {
		cam := newCamera(h, h, headOn)
		_, _, radius, ok := cam.project(0, 0, 0)
		require.True(t, ok)
		assert.InDelta(t, 500.0/(1+10)/2*float64(h)/480, radius, 1e-12, "radius at height %d", h)
	}
	litWidth := func(w, h int) int {
		r, err := New(w, h, headOn)
		require.NoError(t, err)
		img := r.Render(bodiesAt([3]float64{}))
		n := 0
		for x := range w {
			if !isBlack(img, x, h/2) {
				n++
			}
		}
		return n
	}
	small, large := litWidth(480, 480), litWidth(960, 960)
	// The profile falls smoothly to zero at the rim, so the last few
	// pixels round to black: fewer than the 45 pixels across are lit.
	assert.InDelta(t, 500.0/11, float64(small), 8, "lit pixels across at height 480")
	assert.InDelta(t, 2*float64(small), float64(large), 3, "twice the height, twice the diameter")
	// A distant body still gets a sprite that lights its pixel.
	_, _, radius, ok := newCamera(480, 480, headOn).project(0, 0, -900)
	require.True(t, ok)
	assert.Equal(t, minSpriteRadius, radius)
	// A body just past the near plane gets a capped glow, not a blanket
	// over the frame.
	for _, h := range []int{480, 960} {
		_, _, radius, ok = newCamera(h, h, headOn).project(0, 0, 9.5)
		require.True(t, ok)
		assert.Equal(t, maxSpriteDiamPx/2*float64(h)/480, radius, "capped radius at height %d", h)
	}
}

func TestBodiesOutsideTheViewAreSkipped(t *testing.T) {
	r, err := New(40, 30, headOn)
	require.NoError(t, err)
	img := r.Render(bodiesAt(
		[3]float64{0, 0, 20},         // behind the camera
		[3]float64{0, 0, -2000},      // beyond the far plane
		[3]float64{1e6, 0, 0},        // far off to the side
		[3]float64{math.NaN(), 0, 0}, // not a position at all
		[3]float64{0, math.Inf(1), 0},
	))
	for y := range 30 {
		for x := range 40 {
			require.True(t, isBlack(img, x, y), "pixel (%d, %d)", x, y)
		}
	}
}

// Light adds up: two bodies on the same spot are brighter than one.
func TestGlowIsAdditive(t *testing.T) {
	r, err := New(41, 41, headOn)
	require.NoError(t, err)
	r.Exposure = 0.1 // keep one body far from white
	one := r.Render(bodiesAt([3]float64{})).RGBAAt(20, 20)
	two := r.Render(bodiesAt([3]float64{}, [3]float64{})).RGBAAt(20, 20)
	assert.Greater(t, two.R, one.R)
	assert.Greater(t, two.G, one.G)
}

// Faint light keeps the sample's hue: orange in single precision, green in
// double; dense light turns white.
func TestColours(t *testing.T) {
	r, err := New(41, 41, headOn)
	require.NoError(t, err)
	r.Exposure = 0.5
	c := r.Render(bodiesAt([3]float64{})).RGBAAt(20, 20)
	assert.True(t, c.R > c.G && c.G > c.B, "orange, got %v", c)

	r.Base = BaseColor(nbody.Double)
	c = r.Render(bodiesAt([3]float64{})).RGBAAt(20, 20)
	assert.True(t, c.G > c.R && c.R > c.B, "green, got %v", c)

	r.Base = BaseColor(nbody.Single)
	r.Exposure = 100
	c = r.Render(bodiesAt([3]float64{})).RGBAAt(20, 20)
	assert.True(t, c.R == 255 && c.G == 255 && c.B > 240, "white where saturated, got %v", c)
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, size := range [][2]int{{0, 10}, {10, 0}, {-1, 5}, {MaxSide + 1, 10}} {
		_, err := New(size[0], size[1], headOn)
		assert.Error(t, err, "size %v", size)
	}
	_, err := New(10, 10, nbody.Params{PointSize: 0})
	assert.Error(t, err, "point size 0")
	_, err = New(10, 10, nbody.Params{PointSize: math.NaN()})
	assert.Error(t, err, "point size NaN")
}
