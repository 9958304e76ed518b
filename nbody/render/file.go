package render

import (
	"bufio"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/pathname"
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
// begun when the recording is created, so that a path that cannot be
// written fails before anything is simulated, and put in its place only
// when Write succeeds, as tipsy snapshots are: an earlier file at the path
// stays as it was otherwise.
type Recording struct {
	path   string
	format FileFormat
	file   *atomicfile.Pending
	r      *Renderer
	frames []*image.RGBA // GIF: every frame so far; PNG: the latest
}

// Create begins path, whose extension gives the format, and a renderer of
// width×height for the preset's camera in the colour of prec.
func Create(path string, width, height int, preset nbody.Params, prec nbody.Precision) (*Recording, error) {
	format, ok := FileFormatOf(path)
	if !ok {
		return nil, fmt.Errorf("%s: the name must end in .gif or .png", pathname.Show(path))
	}
	r, err := New(width, height, preset)
	if err != nil {
		return nil, err
	}
	r.Base = BaseColor(prec)
	file, err := atomicfile.Begin(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", pathname.Show(path), err)
	}
	return &Recording{path: path, format: format, file: file, r: r}, nil
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

// Write encodes the frames and puts the file in its place; on any error
// an earlier file at the path stays as it was.
func (s *Recording) Write() error {
	if len(s.frames) == 0 {
		s.Abandon()
		return fmt.Errorf("writing %s: no frame was drawn", pathname.Show(s.path))
	}
	err := s.file.Commit(func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		var err error
		if s.EveryFrame() {
			err = WriteGIF(bw, s.frames, GIFDelay)
		} else {
			err = WritePNG(bw, s.frames[0])
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", pathname.Show(s.path), err)
	}
	return nil
}

// Abandon gives the file up unless it was written, leaving an earlier
// file at the path as it was. It is safe to call more than once, and on a
// nil recording.
func (s *Recording) Abandon() {
	if s != nil {
		s.file.Abort()
	}
}
