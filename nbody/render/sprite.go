package render

import "math"

// spriteWeight is the light a sprite adds at distance d from its centre,
// in units of its radius: the sample's Hermite falloff h(d) = 1 − 3d² + 2d³
// (its "Gaussian map" texture), squared because the sample's blend
// multiplies the texture's colour by the texture's alpha. It is 1 at the
// centre, falls smoothly to 0 at the rim and stays 0 beyond.
func spriteWeight(d float64) float64 {
	if d >= 1 {
		return 0
	}
	h := 1 - d*d*(3-2*d)
	return h * h
}

// splat adds a sprite of the given colour, centred at (cx, cy) with the
// given radius in pixels, to the light buffer (three float32 per pixel,
// row-major). Pixels outside the image are skipped.
func splat(light []float32, width, height int, cx, cy, radius float64, rgb [3]float64) {
	x0 := max(0, int(math.Floor(cx-radius)))
	x1 := min(width-1, int(math.Ceil(cx+radius)))
	y0 := max(0, int(math.Floor(cy-radius)))
	y1 := min(height-1, int(math.Ceil(cy+radius)))
	inv := 1 / radius
	for y := y0; y <= y1; y++ {
		dy := (float64(y) + 0.5 - cy) * inv
		row := light[3*y*width:]
		for x := x0; x <= x1; x++ {
			dx := (float64(x) + 0.5 - cx) * inv
			w := spriteWeight(math.Sqrt(dx*dx + dy*dy))
			if w == 0 {
				continue
			}
			p := row[3*x : 3*x+3 : 3*x+3]
			p[0] += float32(w * rgb[0])
			p[1] += float32(w * rgb[1])
			p[2] += float32(w * rgb[2])
		}
	}
}
