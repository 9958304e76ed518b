package nccl

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the library to open where the caller names no path, as
// the dynamic loader finds it (the ld.so cache, LD_LIBRARY_PATH).
const LibraryName = "libnccl.so.2"

// The failures of opening NCCL and calling it after Close, shared with
// packages cuda and nvml (they are the loader's).
var (
	// ErrNoLibrary means the library could not be opened.
	ErrNoLibrary = dynlib.ErrNotFound
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: it is too old, or not NCCL.
	ErrMissingSymbol = dynlib.ErrMissingSymbol
	// ErrClosed is a call on a Library after Close, or on a zero Comm.
	ErrClosed = dynlib.ErrClosed
)

// Library is NCCL, opened by Open: its version and every entry point this
// package calls, as Go functions that purego built from their C
// signatures.
type Library struct {
	path    string
	version int // ncclGetVersion: 10000*major + 100*minor + patch
	closed  atomic.Bool

	getVersion     func(version *int32) int32
	getErrorString func(result int32) string
	commInitAll    func(comms *uintptr, ndev int32, devlist *int32) int32
	getUniqueID    func(id *UniqueID) int32
	// commInitRank takes the id by value, as nccl.h declares it: 128
	// bytes that the C calling convention passes on the stack, which
	// purego copies there from the struct.
	commInitRank func(comm *uintptr, nranks int32, id UniqueID, rank int32) int32
	commAbort    func(comm uintptr) int32
	commDestroy  func(comm uintptr) int32
	groupStart   func() int32
	groupEnd     func() int32
	allGather    func(send, recv, count uintptr, datatype int32, comm, stream uintptr) int32
	broadcast    func(send, recv, count uintptr, datatype, root int32, comm, stream uintptr) int32
	// getLastError (NCCL 2.13 and later) says more than the result code;
	// nil where the library lacks it.
	getLastError func(comm uintptr) string
	mu           sync.Mutex
	lastDetail   string // getLastError's message when an error last read it
}

// Open opens NCCL at path (LibraryName, or a path) and resolves its entry
// points. The error wraps ErrNoLibrary or ErrMissingSymbol. NCCL's own
// settings come from the environment, which the caller sets (see the
// package comment). Opening the same library again is cheap.
func Open(path string) (*Library, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("NCCL %w", err)
	}
	l := &Library{path: path}
	if err := l.bind(lib); err != nil {
		// Failing to close a library of no use changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return l, nil
}

// entryPoints is every entry point this package calls: the symbol NCCL
// exports and the func it is bound to.
func (l *Library) entryPoints() []dynlib.Symbol {
	return []dynlib.Symbol{
		{Name: "ncclGetVersion", Func: &l.getVersion},
		{Name: "ncclGetErrorString", Func: &l.getErrorString},
		{Name: "ncclCommInitAll", Func: &l.commInitAll},
		{Name: "ncclCommDestroy", Func: &l.commDestroy},
		{Name: "ncclGetUniqueId", Func: &l.getUniqueID},
		{Name: "ncclCommInitRank", Func: &l.commInitRank},
		{Name: "ncclCommAbort", Func: &l.commAbort},
		{Name: "ncclGroupStart", Func: &l.groupStart},
		{Name: "ncclGroupEnd", Func: &l.groupEnd},
		{Name: "ncclAllGather", Func: &l.allGather},
		{Name: "ncclBroadcast", Func: &l.broadcast},
		// NCCL 2.13 and later; errors go without its detail before.
		{Name: "ncclGetLastError", Func: &l.getLastError, Optional: true},
	}
}

// bind binds every entry point of lib, naming all the missing ones
// together, and reads the library's version.
func (l *Library) bind(lib *dynlib.Library) error {
	if err := lib.Resolve(l.entryPoints()); err != nil {
		var missing *dynlib.MissingSymbolsError
		if errors.As(err, &missing) {
			return fmt.Errorf("NCCL %w: %w: not NCCL 2.x", ErrMissingSymbol, missing)
		}
		return fmt.Errorf("binding %s: %w", l.path, err)
	}
	var v int32
	if r := l.getVersion(&v); r != 0 {
		return fmt.Errorf("%s: %w", l.path, l.newError("ncclGetVersion", r, 0))
	}
	l.version = int(v)
	if l.getLastError != nil {
		// An error from before Open is not one of ours (see newError).
		l.lastDetail = l.getLastError(0)
	}
	return nil
}

// Version returns NCCL's version, 10000*major + 100*minor + patch (22703
// is 2.27.3; FormatVersion writes it so).
func (l *Library) Version() int { return l.version }

// Path returns the file Open opened, as it was named to the loader.
func (l *Library) Path() string { return l.path }

// Close ends the Library's use: every later call on it, or on a Comm it
// made, fails with ErrClosed. Destroy or abort the communicators first.
// The library stays loaded, where NCCL's own threads run. Closing again
// does nothing.
func (l *Library) Close() error {
	l.closed.Store(true)
	return nil
}

// use says whether a call may be made on l: not on a zero Comm's nil
// Library, nor after Close.
func (l *Library) use(call string) error {
	switch {
	case l == nil:
		return fmt.Errorf("%s: NCCL %w (a zero Comm)", call, ErrClosed)
	case l.closed.Load():
		return fmt.Errorf("%s: NCCL %w", call, ErrClosed)
	}
	return nil
}

// FormatVersion writes an NCCL version code as major.minor.patch. Codes
// from NCCL 2.9 on are 10000*major + 100*minor + patch; older ones were
// 1000*major + 100*minor + patch.
func FormatVersion(v int) string {
	if v < 20900 {
		return fmt.Sprintf("%d.%d.%d", v/1000, v%1000/100, v%100)
	}
	return fmt.Sprintf("%d.%d.%d", v/10000, v%10000/100, v%100)
}
