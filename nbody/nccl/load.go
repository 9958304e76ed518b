package nccl

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the library Load opens when NBODY_NCCL_LIBRARY is unset,
// as the dynamic loader finds it (the ld.so cache, LD_LIBRARY_PATH).
const LibraryName = "libnccl.so.2"

// LibraryEnv is the environment variable that names the library's path
// instead: pip's nvidia-nccl packages install it inside Python's
// site-packages, where the dynamic loader does not look.
const LibraryEnv = "NBODY_NCCL_LIBRARY"

// nvlsEnv is NCCL's switch for NVLink multicast (NVLS); Load sets it to 0
// unless the environment already says otherwise, because NVLS must stay off
// on the machines this project runs on.
const nvlsEnv = "NCCL_NVLS_ENABLE"

var (
	// ErrNotFound means the library could not be opened.
	ErrNotFound = errors.New("NCCL library not found")
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: it is too old, or not NCCL.
	ErrMissingSymbol = errors.New("NCCL entry point missing")
	// ErrNotLoaded is returned by every call made before Load succeeded.
	ErrNotLoaded = errors.New("NCCL not loaded (nccl.Load has not succeeded)")
)

// library is the opened NCCL: every entry point this package calls, as Go
// functions that purego built from their C signatures.
type library struct {
	path    string
	version int // ncclGetVersion: 10000*major + 100*minor + patch

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

var loaded atomic.Pointer[library]

var loadOnce = sync.OnceValue(func() error {
	path := os.Getenv(LibraryEnv)
	if path == "" {
		path = LibraryName
	}
	return load(path)
})

// Load opens NCCL (NBODY_NCCL_LIBRARY's path, or libnccl.so.2 as the
// loader finds it) and resolves its entry points, after setting
// NCCL_NVLS_ENABLE=0 when it is unset. It is safe to call more than once;
// later calls return the first call's result. The error wraps ErrNotFound
// or ErrMissingSymbol.
func Load() error { return loadOnce() }

// load is Load for a given path; tests point it at other files.
func load(path string) error {
	if _, set := os.LookupEnv(nvlsEnv); !set {
		// os.Setenv reaches the C environment that NCCL reads too: purego's
		// runtime forwards it to setenv(3).
		if err := os.Setenv(nvlsEnv, "0"); err != nil {
			return fmt.Errorf("setting %s=0: %w", nvlsEnv, err)
		}
	}
	l, err := open(path)
	if err != nil {
		return err
	}
	loaded.Store(l)
	return nil
}

// open opens the library at path and resolves every entry point. The
// library stays open for the life of the process.
func open(path string) (*library, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (set %s to its path)", ErrNotFound, err, LibraryEnv)
	}
	l := &library{path: path}
	if err := l.bind(lib); err != nil {
		// The library is of no use; failing to close it changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return l, nil
}

// entryPoints is every entry point this package calls: the symbol NCCL
// exports and the func it is bound to.
func (l *library) entryPoints() []dynlib.Symbol {
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
func (l *library) bind(lib *dynlib.Library) error {
	if err := lib.Resolve(l.entryPoints()); err != nil {
		var missing *dynlib.MissingSymbolsError
		if errors.As(err, &missing) {
			return fmt.Errorf("%w: %s lacks %s: not NCCL 2.x",
				ErrMissingSymbol, l.path, strings.Join(missing.Symbols, ", "))
		}
		return fmt.Errorf("binding %s: %w", l.path, err)
	}
	var v int32
	if r := l.getVersion(&v); r != 0 {
		return fmt.Errorf("%s: %w", l.path, l.newError("ncclGetVersion", r, 0))
	}
	l.version = int(v)
	if l.getLastError != nil {
		// An error from before Load is not one of ours (see newError).
		l.lastDetail = l.getLastError(0)
	}
	return nil
}

// get returns the loaded library, or ErrNotLoaded wrapped with the call.
func get(call string) (*library, error) {
	if l := loaded.Load(); l != nil {
		return l, nil
	}
	return nil, fmt.Errorf("%s: %w", call, ErrNotLoaded)
}

// Version returns the loaded NCCL's version, 10000*major + 100*minor +
// patch (22703 is 2.27.3; FormatVersion writes it so).
func Version() (int, error) {
	l, err := get("ncclGetVersion")
	if err != nil {
		return 0, err
	}
	return l.version, nil
}

// Path returns the file Load opened (as it was named to the loader).
func Path() (string, error) {
	l, err := get("nccl")
	if err != nil {
		return "", err
	}
	return l.path, nil
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
