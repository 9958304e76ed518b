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
