package tipsy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/pathname"
	"github.com/nbody-go/nbody/nbody"
)

// ReadFile reads the tipsy file at path in format f (Auto to detect it).
// Every error names the file; a missing file's error satisfies
// errors.Is(err, fs.ErrNotExist). Anything but a regular file (a folder, a
// named pipe, a device) is refused without being read, and without
// blocking: opening a named pipe for reading would wait for a writer.
func ReadFile(path string, f Format) (*Snapshot, error) {
	// Looking before opening refuses a pipe without opening it at all;
	// openRegular looks again at what it opened, in case the name was
	// swapped in between.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fileError(path, notRegular(info.Mode()))
	}
	file, info, err := openRegular(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer file.Close()
	var in io.ReaderAt = file
	size := info.Size()
	if size == 0 {
		// A file of /proc or /sys says 0 and still has bytes to read:
		// read them, up to the largest tipsy file a run may take, and
		// judge what they are.
		data, err := io.ReadAll(io.LimitReader(file, maxFileSize+1))
		switch {
		case err != nil:
			return nil, fileError(path, err)
		case int64(len(data)) > maxFileSize:
			return nil, fileError(path, fmt.Errorf("its size is not known and it holds more than %d bytes, "+
				"more than a tipsy file of %d bodies", maxFileSize, nbody.MaxBodies))
		}
		in, size = bytes.NewReader(data), int64(len(data))
	}
	s, err := Read(in, size, f)
	if err != nil {
		return nil, fileError(path, err)
	}
	return s, nil
}

// maxFileSize is the size of the largest tipsy file a run may take:
// nbody.MaxBodies gas particles, the largest record, after a padded
// header.
const maxFileSize = headerFieldsSize + headerPadSize + nbody.MaxBodies*gasSize

// openRegular opens path for reading if it is a regular file, with what
// fstat says of it. It opens with O_NONBLOCK, so that a named pipe fails
// the check instead of blocking the open until a writer comes; the flag
// changes nothing for reading a regular file.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	file, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := file.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = notRegular(info.Mode())
	}
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return file, info, nil
}

// notRegular says what a file that is not a regular one is.
func notRegular(mode fs.FileMode) error {
	var kind string
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	default:
		return errors.New("not a regular file")
	}
	return fmt.Errorf("%s, not a regular file", kind)
}

// fileError names the file once: the os package's errors already carry the
// path (or a temporary file's), so only their cause is kept.
func fileError(path string, err error) error {
	return fmt.Errorf("tipsy file %s: %w", pathname.Show(path), atomicfile.Cause(err))
}

// Read reads a tipsy snapshot of size bytes from r in format f (Auto to
// detect it). The header's counts are checked against size before anything
// is allocated from them, and the particles that become bodies must have
// finite, non-negative masses and finite positions, velocities and
// softening lengths, none beyond ±1.8e19 (whose square overflows float32:
// such values come from a file whose records are in another byte order
// than its header).
func Read(r io.ReaderAt, size int64, f Format) (*Snapshot, error) {
	if f != Auto && f != Native && f != Standard {
		return nil, fmt.Errorf("unknown tipsy format %v", f)
	}
	switch {
	case size < 0:
		return nil, fmt.Errorf("negative file size %d", size)
	case size == 0:
		return nil, errors.New("empty file")
	case size < headerFieldsSize:
		return nil, fmt.Errorf("truncated: %d bytes, shorter than a tipsy header (%d bytes)", size, headerFieldsSize)
	}
	head := make([]byte, min(size, headerFieldsSize+headerPadSize))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return nil, fmt.Errorf("reading the header: %w", eofAsTruncated(err))
	}
	l, err := detect(head, size, f)
	if err != nil {
		return nil, err
	}
	// The one body limit, before anything is allocated from the counts:
	// a sparse file can match a claim of billions of bodies in size.
	total := int64(l.header.NSph) + int64(l.header.NDark) + int64(l.header.NStar)
	if total > nbody.MaxBodies {
		return nil, fmt.Errorf("%d particles: more than the %d bodies a run may have", total, nbody.MaxBodies)
	}

	s := &Snapshot{Format: l.format, Header: l.header}
	if l.headerSize > headerFieldsSize {
		s.Pad = append([]byte(nil), head[headerFieldsSize:l.headerSize]...)
	}
	order := orderOf(l.format)
	in := bufio.NewReaderSize(io.NewSectionReader(r, l.headerSize, size-l.headerSize), 64<<10)
	if s.Gas, err = readRecords(in, int(l.header.NSph), gasSize, order, decodeGas); err != nil {
		return nil, fmt.Errorf("gas %w", err)
	}
	if s.Dark, err = readRecords(in, int(l.header.NDark), darkSize, order, decodeDark); err != nil {
		return nil, fmt.Errorf("dark %w", err)
	}
	if s.Star, err = readRecords(in, int(l.header.NStar), starSize, order, decodeStar); err != nil {
		return nil, fmt.Errorf("star %w", err)
	}
	if err := s.checkBodies(); err != nil {
		var big *tooLargeError
		if errors.As(err, &big) {
			// The one way a real file gets values this large: its
			// records are byte-swapped relative to its header, which
			// no choice of format can read.
			err = fmt.Errorf("%w: are the records in another byte order than the header's (%s)?", err, l.format.byteOrder())
		}
		return nil, err
	}
	return s, nil
}

// readRecords decodes n records of recordSize bytes each. The caller has
// checked n against the file's size.
func readRecords[T any](in io.Reader, n, recordSize int, order byteOrder, decode func([]byte, byteOrder) T) ([]T, error) {
	if n == 0 {
		return nil, nil
	}
	records := make([]T, n)
	buf := make([]byte, recordSize)
	for i := range records {
		if _, err := io.ReadFull(in, buf); err != nil {
			return nil, fmt.Errorf("particle %d: %w", i, eofAsTruncated(err))
		}
		records[i] = decode(buf, order)
	}
	return records, nil
}

// eofAsTruncated says what an early end of data means here: the reader
// held less than the size it was said to have.
func eofAsTruncated(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated: the data ended early")
	}
	return err
}
