// Package dynlib is the loader that the NVIDIA bindings (cuda, nccl,
// nvml) share: it opens a shared library at run time through purego (cgo
// off), resolves a binding's table of symbols in one call, and names the
// library and every symbol it lacks when something is missing.
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

// ErrClosed is returned by Lookup and Resolve on a library already closed.
var ErrClosed = errors.New("library already closed")

// Library is a shared library opened with Open. It is safe for concurrent
// use; Close waits for lookups in progress.
type Library struct {
	name string

	mu     sync.RWMutex // held for writing by Close only, so lookups never see a handle being closed
	handle uintptr      // 0 once closed
}

// Open dlopens name (a file name that the dynamic loader searches for, or
// a path) with RTLD_NOW|RTLD_LOCAL. The error names the library as it was
// asked for, followed by the loader's own words, e.g. "libcuda.so.1:
// cannot open shared object file: No such file or directory".
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
		return nil, errors.New(msg)
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
// and where Resolve puts it. Exactly one of Addr and Func is set.
type Symbol struct {
	// Name is the exported name, e.g. "cuMemAlloc_v2".
	Name string
	// Addr receives the symbol's address, for calls through
	// purego.SyscallN.
	Addr *uintptr
	// Func is a pointer to a variable of func type that purego.RegisterFunc
	// binds to the symbol, e.g. &getVersion with
	// getVersion func(*int32) int32.
	Func any
	// Optional marks a symbol the binding can do without (one that only
	// newer versions of the library export): missing, it is no error and
	// its destination is left as it was.
	Optional bool
}

// Resolve looks up every symbol of table and, only when none that is
// required is missing, stores each one found in its destination: a failed
// Resolve leaves every destination as it was. Symbols the library lacks
// come back together, in table order, as one *MissingSymbolsError. An
// entry without a name or with other than one destination is an error
// before anything is looked up; a Func whose signature purego cannot call
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
		switch {
		case addrs[i] == 0: // an optional symbol the library lacks
		case s.Addr != nil:
			*s.Addr = addrs[i]
		default:
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
	if (s.Addr == nil) == (s.Func == nil) {
		return fmt.Errorf("%s: set exactly one of Addr and Func", s.Name)
	}
	if s.Func != nil {
		v := reflect.ValueOf(s.Func)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Func {
			return fmt.Errorf("%s: Func is a %T, not a pointer to a func variable", s.Name, s.Func)
		}
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

// MissingSymbolsError names the symbols a library lacks. Bindings read
// Symbols (errors.As) to report them with context of their own, such as
// the version of the library that lacks them.
type MissingSymbolsError struct {
	Library string   // the name the library was opened by
	Symbols []string // every missing symbol, in the order they were asked for
}

// Error reads like "libcuda.so.1 lacks cuMemAlloc_v2, cuMemFree_v2".
func (e *MissingSymbolsError) Error() string {
	return e.Library + " lacks " + strings.Join(e.Symbols, ", ")
}
