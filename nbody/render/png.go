package render

import (
	"fmt"
	"image"
	"image/png"
	"io"
)

// WritePNG writes one frame as a PNG.
func WritePNG(w io.Writer, img image.Image) error {
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("render: writing PNG: %w", err)
	}
	return nil
}
