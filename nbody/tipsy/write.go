package tipsy

import (
	"bufio"
	"fmt"
	"io"
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
