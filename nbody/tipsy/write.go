package tipsy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Write writes s in its format: the header, its padding if it has any, then
// the gas, dark and star records. It refuses a snapshot that Read would
// refuse (counts that disagree with the records, a non-finite body value,
// no particles), so that what it writes can always be read back.
func (s *Snapshot) Write(w io.Writer) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("tipsy: cannot write snapshot: %w", err)
	}
	order := orderOf(s.Format)
	out := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, gasSize) // the largest record
	out.Write(append(appendHeader(buf, order, s.Header), s.Pad...))
	for _, p := range s.Gas {
		out.Write(appendGas(buf, order, p))
	}
	for _, p := range s.Dark {
		out.Write(appendDark(buf, order, p))
	}
	for _, p := range s.Star {
		out.Write(appendStar(buf, order, p))
	}
	// A bufio.Writer keeps its first error and returns it from Flush.
	if err := out.Flush(); err != nil {
		return fmt.Errorf("tipsy: writing snapshot: %w", err)
	}
	return nil
}

// WriteFile writes s to the file at path, replacing it. If writing a
// regular file fails, the partial file is removed, so no half-written
// snapshot is left behind; anything else (a device, a pipe) is left alone.
func WriteFile(path string, s *Snapshot) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("tipsy file %s: cannot write snapshot: %w", path, err)
	}
	file, err := os.Create(path)
	if err != nil {
		return fileError(path, err)
	}
	info, statErr := file.Stat()
	regular := statErr == nil && info.Mode().IsRegular()
	err = s.Write(file)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		return nil
	}
	err = fileError(path, err)
	if regular {
		if removeErr := os.Remove(path); removeErr != nil {
			err = errors.Join(err, fmt.Errorf("removing the partial file: %w", removeErr))
		}
	}
	return err
}
