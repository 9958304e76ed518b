// Package dynlib is the loader that the NVIDIA bindings (cuda, nvml, nccl)
// share.
//
// # One shape for every binding
//
// The loader opens a shared library at run time through purego, with cgo
// off, and resolves a binding's table of entry points in one call. Each
// binding opens its library into a value, never a package variable:
// cuda.Open returns a *cuda.Driver, nvml.Open a *nvml.Library, nccl.Open a
// *nccl.Library. Open resolves every entry point the binding calls at once
// (Library.Resolve), so that a library too old or of the wrong kind is
// refused there, with every missing symbol named, rather than at the first
// call that needs one. The calls are methods of the value, or of handles
// (devices, streams, communicators) that carry it; Close ends the value's
// use. The library itself is never unloaded once opened: the driver and
// NCCL leave threads running in its code.
//
// # One call style
//
// Every entry point is bound to a Go func variable with the C signature
// spelled in Go types (Symbol.Func, through purego.RegisterFunc), e.g.
//
//	cuMemAlloc func(dptr *uintptr, bytes uint64) int32
//
// rather than called by address with every argument cast to uintptr
// (purego.SyscallN). The signature is checked by the compiler at every call,
// a Go pointer passed stays valid for the call without the rule that a
// uintptr conversion must sit in the call expression itself, C strings and
// structs passed by value (ncclCommInitRank's 128-byte id) are handled by
// purego for each platform's ABI, and the table reads like the C header.
// The price is purego's reflection on each call, about half a microsecond,
// which is small beside what the driver spends on any call we make.
// Memory that C keeps reading after a call returns, or reads through a
// pointer stored in other memory (cuLaunchKernel's parameter array), is
// still pinned by the binding with runtime.Pinner.
//
// # Errors
//
// The failures of loading are the same in every binding, and are these
// package's sentinels, which each binding re-exports under its own name
// (package dynlib is internal): ErrNotFound (Open could not open the
// library), ErrMissingSymbol (the library lacks an entry point; a
// *MissingSymbolsError names them all) and ErrClosed (a call after Close,
// or through a zero handle that no open library made). A binding prefixes
// the sentinel's words with its library's name: "CUDA driver library not
// found: libcuda.so.1: cannot open shared object file: No such file or
// directory".
package dynlib

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"github.com/ebitengine/purego"
)

// The failures of loading a library and calling into it, shared by every
// binding (see Errors in the package comment). Their words read after the
// library's name: "CUDA driver library not found".
var (
	// ErrNotFound is a library that could not be opened: not installed,
	// not on the loader's path, or not a library for this machine.
	ErrNotFound = errors.New("library not found")
	// ErrMissingSymbol is a library that lacks an entry point the binding
	// calls: too old, or not the library the binding is for.
	ErrMissingSymbol = errors.New("entry point missing")
	// ErrClosed is a call made after Close, or through a zero handle
	// that no open library made.
	ErrClosed = errors.New("library not open")
)

// Library is a shared library opened with Open. It is safe for concurrent
// use; Close waits for lookups in progress.
type Library struct {
	name string

	mu     sync.RWMutex // held for writing by Close only, so lookups never see a handle being closed
	handle uintptr      // 0 once closed
}

// Open dlopens name (a file name that the dynamic loader searches for, or
// a path) with RTLD_NOW|RTLD_LOCAL. The error wraps ErrNotFound and names
// the library as it was asked for, followed by the loader's own words:
// "library not found: libcuda.so.1: cannot open shared object file: No
// such file or directory".
func Open(name string) (*Library, error) {
	// dlerror's message is kept per thread: dlopen and dlerror, two calls
	// into C, must run on the same one for the message to be ours.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	handle, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, name) {
			msg = name + ": " + msg
		}
		return nil, fmt.Errorf("%w: %s", ErrNotFound, msg)
	}
	return &Library{name: name, handle: handle}, nil
}

// Name returns the name the library was opened by.
func (l *Library) Name() string { return l.name }

// Lookup returns the address of symbol. A symbol the library lacks is a
// *MissingSymbolsError that names it.
func (l *Library) Lookup(symbol string) (uintptr, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.handle == 0 {
		return 0, fmt.Errorf("looking up %s in %s: %w", symbol, l.name, ErrClosed)
	}
	addr, ok := l.lookup(symbol)
	if !ok {
		return 0, &MissingSymbolsError{Library: l.name, Symbols: []string{symbol}}
	}
	return addr, nil
}

// lookup asks dlsym for symbol; the caller holds mu with a handle open.
// dlsym's own message ("undefined symbol: …") says nothing the caller's
// error does not, so only success is reported.
func (l *Library) lookup(symbol string) (uintptr, bool) {
	// purego.Dlsym reads dlerror after a failure: on the thread of the
	// dlsym, that clears the failure's message instead of leaving it to be
	// mistaken for a later call's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Dlsym also fails for a symbol whose value is NULL (an undefined weak
	// one), which is no use to a caller either.
	addr, err := purego.Dlsym(l.handle, symbol)
	return addr, err == nil
}

// Symbol is one entry of a binding's table: a symbol the library exports
// and the func variable Resolve binds to it.
type Symbol struct {
	// Name is the exported name, e.g. "cuMemAlloc_v2".
	Name string
	// Func is a pointer to a variable of func type that purego.RegisterFunc
	// binds to the symbol, e.g. &getVersion with
	// getVersion func(*int32) int32.
	Func any
	// Optional marks a symbol the binding can do without (one that only
	// newer versions of the library export): missing, it is no error and
	// its func is left nil, for the binding to test.
	Optional bool
}

// Resolve looks up every symbol of table and, only when none that is
// required is missing, binds each one found to its func: a failed Resolve
// leaves every func as it was. Symbols the library lacks come back
// together, in table order, as one *MissingSymbolsError. An entry without
// a name or whose Func is not a pointer to a func variable is an error
// before anything is looked up; a func whose signature purego cannot call
// panics as purego.RegisterFunc does.
func (l *Library) Resolve(table []Symbol) error {
	for i, s := range table {
		if err := s.check(); err != nil {
			return fmt.Errorf("resolving symbols of %s: entry %d: %w", l.name, i, err)
		}
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.handle == 0 {
		return fmt.Errorf("resolving symbols of %s: %w", l.name, ErrClosed)
	}
	addrs := make([]uintptr, len(table))
	var missing []string
	for i, s := range table {
		addr, ok := l.lookup(s.Name)
		if !ok && !s.Optional {
			missing = append(missing, s.Name)
		}
		addrs[i] = addr
	}
	if len(missing) > 0 {
		return &MissingSymbolsError{Library: l.name, Symbols: missing}
	}
	for i, s := range table {
		if addrs[i] != 0 { // else an optional symbol the library lacks
			purego.RegisterFunc(s.Func, addrs[i])
		}
	}
	return nil
}

// check reports a table entry that Resolve could not fill.
func (s Symbol) check() error {
	if s.Name == "" {
		return errors.New("no symbol name")
	}
	v := reflect.ValueOf(s.Func)
	if s.Func == nil || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Func {
		return fmt.Errorf("%s: Func is a %T, not a pointer to a func variable", s.Name, s.Func)
	}
	return nil
}

// Close closes the library. The addresses and funcs resolved from it must
// not be called afterwards: the loader may unmap its code. Closing again
// does nothing and returns nil.
func (l *Library) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.handle == 0 {
		return nil
	}
	handle := l.handle
	// A failed dlclose leaves nothing worth trying again, so the library
	// counts as closed either way.
	l.handle = 0
	// As in Open, dlerror's message must be read on dlclose's thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := purego.Dlclose(handle); err != nil {
		return fmt.Errorf("closing %s: %w", l.name, err)
	}
	return nil
}

// MissingSymbolsError names the symbols a library lacks; it is
// ErrMissingSymbol to errors.Is. Bindings read Symbols (errors.As) to
// report them with context of their own, such as the version of the
// library that lacks them, and wrap it.
type MissingSymbolsError struct {
	Library string   // the name the library was opened by
	Symbols []string // every missing symbol, in the order they were asked for
}

// Error reads like "libcuda.so.1 lacks cuMemAlloc_v2, cuMemFree_v2".
func (e *MissingSymbolsError) Error() string {
	return e.Library + " lacks " + strings.Join(e.Symbols, ", ")
}

// Is makes a *MissingSymbolsError match ErrMissingSymbol.
func (e *MissingSymbolsError) Is(target error) bool { return target == ErrMissingSymbol }

// Reword returns an error that reads msg and wraps err, for a binding's
// message that says more than err's own text but must still be err to
// errors.Is and errors.As (a *MissingSymbolsError reported with the
// library's version, say).
func Reword(err error, msg string) error { return &reworded{msg: msg, err: err} }

type reworded struct {
	msg string
	err error
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }
