package render

import (
	"bufio"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/nbody-go/nbody/nbody"
)

// FileFormat is the kind of image file a Recording writes.
type FileFormat int

const (
	// GIF keeps every frame and writes an animation.
	GIF FileFormat = iota + 1
	// PNG keeps only the latest frame.
	PNG
)

// FileFormatOf is the format a file name's extension asks for, in any case:
// .gif or .png; ok is false for any other name.
func FileFormatOf(path string) (f FileFormat, ok bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gif":
		return GIF, true
	case ".png":
		return PNG, true
	}
	return 0, false
}

// Size is the size of the images that stand for the sample's window, or
// for its full screen.
func Size(fullscreen bool) (width, height int) {
	if fullscreen {
		return FullscreenWidth, FullscreenHeight
	}
	return WindowWidth, WindowHeight
}

// A GIF recording keeps every frame until the file is written, since the
// palette is fitted to all of them: maxGIFBytes bounds that memory, at
// gifBytesPerPixel (4 bytes of RGBA and 1 of the paletted copy).
const (
	maxGIFBytes      = 1 << 30
	gifBytesPerPixel = 5
)

// MaxGIFFrames is the most frames of width×height a GIF recording should
// hold: 1 GiB of them.
func MaxGIFFrames(width, height int) int {
	return maxGIFBytes / (gifBytesPerPixel * max(1, width*height))
}

// GIFDelay is how long each GIF frame is shown, in hundredths of a second:
// 25 frames a second.
const GIFDelay = 4

// Recording draws bodies as a preset's camera sees them into an image
// file: an animated GIF of every frame, or a PNG of the last. The file is
// created when the recording is, so that a path that cannot be written
// fails before anything is simulated, and it is removed again unless Write
// succeeds.
type Recording struct {
	path   string
	format FileFormat
	file   *os.File
	owned  bool // a regular file, which is removed when it is not written
	r      *Renderer
	frames []*image.RGBA // GIF: every frame so far; PNG: the latest
	done   bool          // written, or abandoned
}

// Create creates path, whose extension gives the format, and a renderer of
// width×height for the preset's camera in the colour of prec.
func Create(path string, width, height int, preset nbody.Params, prec nbody.Precision) (*Recording, error) {
	format, ok := FileFormatOf(path)
	if !ok {
		return nil, fmt.Errorf("%s: the name must end in .gif or .png", path)
	}
	r, err := New(width, height, preset)
	if err != nil {
		return nil, err
	}
	r.Base = BaseColor(prec)
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	// Never remove what is not a regular file: a recording to /dev/stdout
	// must leave /dev/stdout in place.
	info, err := f.Stat()
	owned := err == nil && info.Mode().IsRegular()
	return &Recording{path: path, format: format, file: f, owned: owned, r: r}, nil
}

// Path is the file being recorded.
func (s *Recording) Path() string { return s.path }

// Size is the size of the frames.
func (s *Recording) Size() (width, height int) { return s.r.width, s.r.height }

// EveryFrame reports whether the recording keeps every frame (GIF), rather
// than only the last (PNG).
func (s *Recording) EveryFrame() bool { return s.format == GIF }

// Add draws the bodies as the next frame.
func (s *Recording) Add(b nbody.Bodies) {
	img := s.r.Render(b)
	if s.EveryFrame() {
		s.frames = append(s.frames, img)
		return
	}
	s.frames = []*image.RGBA{img}
}

// Count is the number of frames the file will hold.
func (s *Recording) Count() int { return len(s.frames) }

// Write encodes the frames into the file and closes it; on any error the
// file is removed.
func (s *Recording) Write() error {
	if len(s.frames) == 0 {
		s.Abandon()
		return fmt.Errorf("writing %s: no frame was drawn", s.path)
	}
	bw := bufio.NewWriter(s.file)
	var err error
	if s.EveryFrame() {
		err = WriteGIF(bw, s.frames, GIFDelay)
	} else {
		err = WritePNG(bw, s.frames[0])
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

// Abandon closes and removes the file unless it was written. It is safe to
// call more than once, and on a nil recording.
func (s *Recording) Abandon() {
	if s == nil || s.done {
		return
	}
	s.done = true
	_ = s.file.Close()
	s.remove()
}

func (s *Recording) remove() {
	if s.owned {
		_ = os.Remove(s.path)
	}
}
