package render

import (
	"errors"
	"fmt"
	"image"
	"image/gif"
	"io"
)

// gifColors is the palette size of a GIF: one byte per pixel.
const gifColors = 256

// WriteGIF writes the frames as an animated GIF that loops forever,
// showing each for delay hundredths of a second. The frames share one
// palette fitted to all of them (see glowPalette), so colours do not
// flicker between frames; every frame must have the same size.
func WriteGIF(w io.Writer, frames []*image.RGBA, delay int) error {
	if len(frames) == 0 {
		return errors.New("render: writing GIF: no frames")
	}
	if delay < 0 {
		return fmt.Errorf("render: writing GIF: delay %d, want 0 or more hundredths of a second", delay)
	}
	bounds := frames[0].Bounds()
	for i, f := range frames {
		if f == nil {
			return fmt.Errorf("render: writing GIF: frame %d is missing", i)
		}
		if f.Bounds() != bounds {
			return fmt.Errorf("render: writing GIF: frame %d is %v, frame 0 is %v", i, f.Bounds(), bounds)
		}
	}
	counts := histogram(frames)
	pal := glowPalette(counts, gifColors)
	lut := binLookup(counts, pal)
	anim := &gif.GIF{LoopCount: 0}
	for _, f := range frames {
		p := image.NewPaletted(image.Rect(0, 0, bounds.Dx(), bounds.Dy()), pal)
		for y := range bounds.Dy() {
			src := f.Pix[y*f.Stride : y*f.Stride+4*bounds.Dx()]
			dst := p.Pix[y*p.Stride : y*p.Stride+bounds.Dx()]
			for x := range dst {
				dst[x] = lut[binOf(src[4*x], src[4*x+1], src[4*x+2])]
			}
		}
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	if err := gif.EncodeAll(w, anim); err != nil {
		return fmt.Errorf("render: writing GIF: %w", err)
	}
	return nil
}
