package render

import (
	"image"
	"math"
)

// toneMap converts the light buffer (three float32 per pixel) to 8-bit
// colour with 1 − exp(−exposure·light) per channel: linear, like the
// sample's frame buffer, where light is faint, and rolling off to white
// where many bodies overlap instead of clipping at a hard edge.
func toneMap(dst *image.RGBA, light []float32, exposure float64) {
	width, height := dst.Rect.Dx(), dst.Rect.Dy()
	for y := range height {
		src := light[3*y*width : 3*(y+1)*width]
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*width]
		for x := range width {
			for k := range 3 {
				row[4*x+k] = toByte(1 - math.Exp(-exposure*float64(src[3*x+k])))
			}
			row[4*x+3] = 0xff
		}
	}
}

// toByte maps [0, 1] to 0..255, rounding to nearest.
func toByte(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}
