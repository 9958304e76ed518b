package main

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"os"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/render"
)

// gifDelay is how long each GIF frame is shown, in hundredths of a
// second: 25 frames a second.
const gifDelay = 4

// frameSink is -render's file: it draws the bodies as the sample's camera
// sees them and writes an animated GIF of every frame, or a PNG of the
// last. The file is created when the sink opens, so that a path that
// cannot be written fails before the simulation runs, and removed again
// unless write succeeds.
type frameSink struct {
	path   string
	format string // "gif" or "png"
	file   *os.File
	owned  bool // a regular file, which we remove when it is not written
	r      *render.Renderer
	frames []*image.RGBA // GIF: every frame so far; PNG: the latest
	done   bool          // written, or abandoned
}

// openFrameSink creates path and a renderer of width×height for the
// preset's camera, in the colour of prec.
func openFrameSink(path, format string, width, height int, preset nbody.Params, prec nbody.Precision) (*frameSink, error) {
	r, err := render.New(width, height, preset)
	if err != nil {
		return nil, err
	}
	r.Base = render.BaseColor(prec)
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-render: %w", err)
	}
	// Never remove what is not a regular file: -render=/dev/stdout must
	// leave /dev/stdout in place.
	info, err := f.Stat()
	owned := err == nil && info.Mode().IsRegular()
	return &frameSink{path: path, format: format, file: f, owned: owned, r: r}, nil
}

// everyFrame reports whether the sink keeps every frame (GIF), rather
// than only the last (PNG).
func (s *frameSink) everyFrame() bool { return s.format == "gif" }

// add draws the bodies as the next frame.
func (s *frameSink) add(b nbody.Bodies) {
	img := s.r.Render(b)
	if s.everyFrame() {
		s.frames = append(s.frames, img)
		return
	}
	s.frames = []*image.RGBA{img}
}

// count is the number of frames the file will hold.
func (s *frameSink) count() int { return len(s.frames) }

// write encodes the frames into the file and closes it; on any error the
// file is removed.
func (s *frameSink) write() error {
	if len(s.frames) == 0 {
		s.abandon()
		return errors.New("-render: no frame was drawn")
	}
	bw := bufio.NewWriter(s.file)
	var err error
	if s.everyFrame() {
		err = render.WriteGIF(bw, s.frames, gifDelay)
	} else {
		err = render.WritePNG(bw, s.frames[0])
	}
	if err == nil {
		err = bw.Flush()
	}
	if closeErr := s.file.Close(); err == nil {
		err = closeErr
	}
	s.done = true
	if err != nil {
		s.remove()
		return fmt.Errorf("writing %s: %w", s.path, err)
	}
	return nil
}

// abandon closes and removes the file unless it was written. It is safe
// to call more than once.
func (s *frameSink) abandon() {
	if s == nil || s.done {
		return
	}
	s.done = true
	_ = s.file.Close()
	s.remove()
}

func (s *frameSink) remove() {
	if s.owned {
		_ = os.Remove(s.path)
	}
}
