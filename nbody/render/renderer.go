package render

import (
	"fmt"
	"image"

	"github.com/nbody-go/nbody/nbody"
)

// Image sizes: the sample's window, the larger size that stands for its
// -fullscreen, and the largest we accept.
const (
	WindowWidth      = 720
	WindowHeight     = 480
	FullscreenWidth  = 1920
	FullscreenHeight = 1080
	MaxSide          = 8192
)

// DefaultExposure is the exposure of a new Renderer: 1 reproduces the
// sample's brightness where bodies do not overlap.
const DefaultExposure = 1.0

// Renderer draws bodies as the sample's camera for one preset sees them.
// It reuses its buffers from frame to frame and is not safe for concurrent
// use.
//
// What is taken from the sample (render_particles.cpp and nbody.cpp):
//   - the view: the scene is translated by the preset's camera vector, e.g.
//     (0, −2, −100), and projected with gluPerspective(60°, aspect, 0.1,
//     1000); world +x is right in the image and +y is up;
//   - the sprite: its diameter in pixels is 500·pointSize / (1 + distance
//     to the eye plane), at least 1, for the sample's 720×480 window (ours
//     scales it with the image height so that larger images look alike);
//     its profile is the sample's Hermite falloff 1 − 3d² + 2d³, applied
//     twice because the sample blends with the texture's alpha as well;
//   - the colours: a base colour, orange (1, 0.6, 0.3) in single precision
//     and green (0.4, 0.8, 0.1) in double, tinted per body by
//     0.6 + 0.4·c with c a random colour fixed for each body.
//
// Where the sample's frame buffer clips at 1, ours tone-maps
// 1 − exp(−exposure·light), which equals the sample's result where light
// is faint and turns dense regions white without a hard edge.
type Renderer struct {
	width, height int
	cam           camera
	light         []float32 // accumulated light, three values per pixel

	// Base is the colour every body is tinted from; New sets the sample's
	// single-precision orange (see BaseColor).
	Base [3]float64
	// Exposure scales the light before tone mapping; larger is brighter.
	Exposure float64
}

// New returns a renderer of width×height images with the camera position
// and point size of the given preset. Sizes must be 1 to MaxSide.
func New(width, height int, preset nbody.Params) (*Renderer, error) {
	if width < 1 || height < 1 || width > MaxSide || height > MaxSide {
		return nil, fmt.Errorf("render: image size %d×%d, want each side from 1 to %d", width, height, MaxSide)
	}
	if !(preset.PointSize > 0) {
		return nil, fmt.Errorf("render: point size %g, want a positive size", preset.PointSize)
	}
	return &Renderer{
		width:    width,
		height:   height,
		cam:      newCamera(width, height, preset),
		light:    make([]float32, 3*width*height),
		Base:     BaseColor(nbody.Single),
		Exposure: DefaultExposure,
	}, nil
}

// Size returns the width and height of the images the renderer makes.
func (r *Renderer) Size() (width, height int) { return r.width, r.height }

// Render draws the bodies into a new image. Bodies behind the camera or
// beyond the far plane are left out, as the sample's clipping does;
// massless bodies (tipsy padding) are drawn like any other, as in the
// sample.
func (r *Renderer) Render(b nbody.Bodies) *image.RGBA {
	clear(r.light)
	for i := range b.N() {
		px, py, radius, ok := r.cam.project(b.Pos[4*i], b.Pos[4*i+1], b.Pos[4*i+2])
		if !ok {
			continue
		}
		tint := bodyTint(i)
		rgb := [3]float64{r.Base[0] * tint[0], r.Base[1] * tint[1], r.Base[2] * tint[2]}
		splat(r.light, r.width, r.height, px, py, radius, rgb)
	}
	img := image.NewRGBA(image.Rect(0, 0, r.width, r.height))
	toneMap(img, r.light, r.Exposure)
	return img
}
