package cli

import (
	"io"
	"strconv"
	"strings"
	"sync"
)

// StickyWriter passes writes on to W and keeps the first error, so that a
// report that could not be written can fail the run at its end.
type StickyWriter struct {
	W   io.Writer
	Err error
}

func (s *StickyWriter) Write(p []byte) (int, error) {
	if s.Err != nil {
		return 0, s.Err
	}
	n, err := s.W.Write(p)
	s.Err = err
	return n, err
}

// Gate passes writes on to W until Close, and drops them after it
// (reporting them written) until Open: so that no line of a report
// follows the line that says there will be none. A write under way when
// Close is called ends before Close returns.
type Gate struct {
	W      io.Writer
	mu     sync.Mutex
	closed bool
}

func (g *Gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.W.Write(p)
}

// Close drops every later write.
func (g *Gate) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Open passes writes on again: for the one document that says why the
// report was dropped.
func (g *Gate) Open() {
	g.mu.Lock()
	g.closed = false
	g.mu.Unlock()
}

// ReportOf is where a process of rank rank writes its report: w for rank
// 0 (and a process on its own), nowhere for the others of a simulation
// over several processes, which print only what fails (on stderr).
func ReportOf(w io.Writer, rank int) io.Writer {
	if rank > 0 {
		return io.Discard
	}
	return w
}

// Asked reports whether args set the boolean flag name, in any case and
// spelling (-name, --name, -name=true), even when the command line as a
// whole is refused: for a -json that must answer a bad command line too.
// The last value wins, as the flag package has it: -json -json=false is
// not asked. A value that is no boolean counts as not asked.
func Asked(args []string, name string) bool {
	asked := false
	for _, arg := range args {
		if arg == "--" {
			break
		}
		dashes := len(arg) - len(strings.TrimLeft(arg, "-"))
		n, value, hasValue := strings.Cut(strings.ToLower(arg[dashes:]), "=")
		if dashes == 0 || dashes > 2 || n != name {
			continue
		}
		if !hasValue {
			asked = true
			continue
		}
		b, err := strconv.ParseBool(value)
		asked = err == nil && b
	}
	return asked
}
