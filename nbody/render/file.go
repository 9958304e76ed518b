package render

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io/fs"
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
// written beside its place when the recording is created, so that a path
// that cannot be written fails before anything is simulated, and renamed
// into place only when Write succeeds: an earlier file at the path stays
// as it was otherwise.
type Recording struct {
	path   string
	format FileFormat
	file   *os.File
	temp   string      // the temporary file renamed over path once written; "" when path is written in place
	mode   os.FileMode // the file's mode once written: an earlier file's, or a new one's
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
	rec := &Recording{path: path, format: format, r: r, mode: 0o644}
	info, err := os.Stat(path)
	if err == nil && !info.Mode().IsRegular() {
		// A device or a pipe (/dev/stdout) is written in place, and never
		// removed.
		if rec.file, err = os.OpenFile(path, os.O_WRONLY, 0); err != nil {
			return nil, err
		}
		return rec, nil
	}
	if err == nil {
		rec.mode = info.Mode().Perm()
	}
	// A regular file is written beside its place and renamed over it at
	// the end, so that an earlier file stays whole until the new one is,
	// and a run that draws nothing leaves it as it was. Creating the
	// temporary file now also fails at once where the folder takes none.
	if rec.file, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp"); err != nil {
		// The error names the temporary file; the user gave path.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	rec.temp = rec.file.Name()
	return rec, nil
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
	if err == nil && s.temp != "" {
		err = s.file.Sync()
	}
	if closeErr := s.file.Close(); err == nil {
		err = closeErr
	}
	if err == nil && s.temp != "" {
		if err = os.Chmod(s.temp, s.mode); err == nil {
			err = os.Rename(s.temp, s.path)
		}
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

// remove takes the temporary file away; the file at path, if any, is
// never touched.
func (s *Recording) remove() {
	if s.temp != "" {
		_ = os.Remove(s.temp)
	}
}
