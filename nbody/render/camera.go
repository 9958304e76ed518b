package render

import (
	"math"

	"github.com/nbody-go/nbody/nbody"
)

// The sample's projection: gluPerspective(60, aspect, 0.1, 1000).
const (
	fieldOfViewY = 60.0 // degrees
	nearPlane    = 0.1
	farPlane     = 1000.0
)

// The sample's sprite size: the vertex shader sets gl_PointSize to
// max(1, 500·pointSize / (1 − z_eye)) for a window 480 pixels high.
const (
	spriteScale     = 500.0
	sampleWindowH   = 480.0
	minSpriteDiamPx = 1.0
	// maxSpriteDiamPx caps the sprite of a body that comes close to the
	// camera (a shell that bursts outward at large N does): without it one
	// such body covers the frame in white and costs a full frame of pixels
	// to draw. OpenGL caps point sizes too (GL_POINT_SIZE_RANGE); 64 pixels
	// at the sample's 480-pixel height is a glow, not a blanket.
	maxSpriteDiamPx = 64.0
)

// minSpriteRadius keeps every sprite at least one pixel in radius, so that
// it always reaches the centre of the pixel it falls in (at most √2/2
// away); the sample's rasterizer lights that pixel however small the point.
const minSpriteRadius = 1.0

// camera projects world positions to image coordinates as the sample's
// fixed-function pipeline does: eye = world + translation, then the
// perspective divide, then the viewport with y pointing down.
type camera struct {
	translate  [3]float64
	width      float64 // image size in pixels
	height     float64
	focal      float64 // 1 / tan(fovy / 2)
	aspect     float64
	pointSize  float64
	pixelScale float64 // image height / the sample's window height
}

func newCamera(width, height int, preset nbody.Params) camera {
	return camera{
		translate:  preset.Camera,
		width:      float64(width),
		height:     float64(height),
		focal:      1 / math.Tan(fieldOfViewY/2*math.Pi/180),
		aspect:     float64(width) / float64(height),
		pointSize:  preset.PointSize,
		pixelScale: float64(height) / sampleWindowH,
	}
}

// project returns the image position of a world point (pixel centres at
// half-integers, y down), the sprite's radius in pixels, and whether the
// sprite lies between the near and far planes and overlaps the image.
func (c camera) project(x, y, z float64) (px, py, radius float64, visible bool) {
	ex, ey, ez := x+c.translate[0], y+c.translate[1], z+c.translate[2]
	// The eye looks down −z. Comparisons are written so that NaN fails.
	depth := -ez
	if !(depth >= nearPlane && depth <= farPlane) {
		return 0, 0, 0, false
	}
	ndcX := c.focal / c.aspect * ex / depth
	ndcY := c.focal * ey / depth
	px = (ndcX + 1) / 2 * c.width
	py = (1 - ndcY) / 2 * c.height
	diameter := min(maxSpriteDiamPx, max(minSpriteDiamPx, spriteScale*c.pointSize/(1+depth))) * c.pixelScale
	radius = max(minSpriteRadius, diameter/2)
	// Visible only when the sprite's box overlaps the image.
	if !(px+radius >= 0 && px-radius <= c.width && py+radius >= 0 && py-radius <= c.height) {
		return 0, 0, 0, false
	}
	return px, py, radius, true
}
