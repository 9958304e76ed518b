package render_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"log"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/render"
)

// Render a short run to an animated GIF: a frame every few steps, as the
// headless view does in place of the sample's window.
func Example() {
	const n, frames, every = 512, 4, 5
	preset := nbody.DefaultParams(n)
	bodies, err := nbody.Generate(nbody.Shell, n, preset, 1)
	if err != nil {
		log.Fatal(err)
	}
	sim := nbody.NewReference(preset.Physics())
	if err := sim.SetBodies(bodies); err != nil {
		log.Fatal(err)
	}
	r, err := render.New(render.WindowWidth, render.WindowHeight, preset)
	if err != nil {
		log.Fatal(err)
	}
	var images []*image.RGBA
	for range frames {
		if err := sim.Bodies(&bodies); err != nil {
			log.Fatal(err)
		}
		images = append(images, r.Render(bodies))
		if _, err := sim.Step(context.Background(), preset.DT, every); err != nil {
			log.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := render.WriteGIF(&out, images, 10); err != nil {
		log.Fatal(err)
	}
	g, err := gif.DecodeAll(&out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(g.Image), "frames of", g.Config.Width, "×", g.Config.Height)
	// Output: 4 frames of 720 × 480
}

// Draw one frame of three bodies in a row across the camera's view and look
// at the image: light left and right of the centre, the corners dark.
func ExampleRenderer_Render() {
	preset := nbody.DefaultParams(3)
	b := nbody.NewBodies(3)
	copy(b.Pos, []float64{-10, 0, 0, 1, 0, 0, 0, 1, 10, 0, 0, 1})
	r, err := render.New(320, 240, preset)
	if err != nil {
		log.Fatal(err)
	}
	img := r.Render(b)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	lit := func(x, y int) bool {
		c := img.RGBAAt(x, y)
		return c.R > 0 || c.G > 0 || c.B > 0
	}
	var left, right bool
	for y := range h {
		for x := range w {
			left = left || x < w/2-w/20 && lit(x, y)
			right = right || x > w/2+w/20 && lit(x, y)
		}
	}
	fmt.Println("size:", w, "×", h)
	fmt.Println("lit left and right of the centre:", left && right)
	fmt.Println("corners dark:", !lit(0, 0) && !lit(w-1, 0) && !lit(0, h-1) && !lit(w-1, h-1))
	// Output:
	// size: 320 × 240
	// lit left and right of the centre: true
	// corners dark: true
}
