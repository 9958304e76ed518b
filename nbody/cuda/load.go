package cuda

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the driver library Load opens, as the dynamic loader finds
// it (the ld.so cache, LD_LIBRARY_PATH): the name the NVIDIA driver
// installs and the NVIDIA container toolkit mounts.
const LibraryName = "libcuda.so.1"

var (
	// ErrNoDriver means the driver library could not be opened: no NVIDIA
	// driver is installed, or the container was started without GPUs.
	ErrNoDriver = errors.New("CUDA driver library not found")
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: the driver is too old, or the library is not a CUDA driver.
	ErrMissingSymbol = errors.New("CUDA driver entry point missing")
	// ErrNotLoaded is returned by every call made before Load succeeded.
	ErrNotLoaded = errors.New("CUDA driver not loaded (cuda.Load has not succeeded)")
)

// loaded is the driver once Load has succeeded; nil before. Every call
// reads it atomically, so a call racing Load sees either nothing or a
// driver whose every entry point is resolved.
var loaded atomic.Pointer[driver]

// loadOnce makes Load idempotent: the library is opened once and later
// calls return the first answer.
var loadOnce = sync.OnceValue(func() error { return load(LibraryName) })

// load opens the driver library at path, resolves it, initializes the
// driver and, when all that succeeds, publishes it for every call.
func load(path string) error {
	d, err := open(path)
	if err != nil {
		return err
	}
	if err := d.call(d.cuInit, 0); err != nil {
		return fmt.Errorf("initializing CUDA driver %s: %w", FormatVersion(d.version), err)
	}
	loaded.Store(d)
	return nil
}

// Load opens libcuda.so.1, resolves every driver entry point this package
// uses and initializes the driver with cuInit(0). It is safe to call more
// than once, from any goroutine; later calls return the first call's
// result. Every failure comes back here rather than as a crash at a later
// call: the error wraps ErrNoDriver when the library is missing,
// ErrMissingSymbol when the driver lacks entry points (naming all of them
// and the driver version), or the *Error of cuInit (ErrNoDevice, for one).
func Load() error { return loadOnce() }

// get returns the loaded driver, or ErrNotLoaded wrapped with the call.
func get(call string) (*driver, error) {
	if d := loaded.Load(); d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("%s: %w", call, ErrNotLoaded)
}

// open opens the library at path and resolves every entry point, but does
// not initialize the driver; tests point it at other libraries. The
// library stays open for the life of the process.
func open(path string) (*driver, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDriver, err)
	}
	d := newDriver()
	d.lib = lib
	if err := d.resolve(); err != nil {
		// The library is of no use; failing to close it changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return d, nil
}

// resolve looks up every entry point in d.lib. cuDriverGetVersion comes
// first, so that missing entry points can be reported with the driver's
// version, all of them in one error.
func (d *driver) resolve() error {
	path := d.lib.Name()
	var missing *dynlib.MissingSymbolsError
	addr, err := d.lib.Lookup(d.cuDriverGetVersion.symbol)
	if errors.As(err, &missing) {
		return fmt.Errorf("%w: %s has no %s: not a CUDA driver library",
			ErrMissingSymbol, path, d.cuDriverGetVersion.symbol)
	}
	if err != nil {
		return fmt.Errorf("resolving the CUDA driver: %w", err)
	}
	d.cuDriverGetVersion.addr = addr
	var version int32
	if err := d.call(d.cuDriverGetVersion, uintptr(unsafe.Pointer(&version))); err != nil {
		return fmt.Errorf("reading the version of %s: %w", path, err)
	}
	d.version = int(version)
	err = d.lib.Resolve(d.symbols())
	if errors.As(err, &missing) {
		return fmt.Errorf("%w: %s is CUDA driver %s and lacks %s; a newer NVIDIA driver is needed",
			ErrMissingSymbol, path, FormatVersion(d.version), strings.Join(missing.Symbols, ", "))
	}
	if err != nil {
		return fmt.Errorf("resolving CUDA driver %s: %w", FormatVersion(d.version), err)
	}
	return nil
}

// FormatVersion writes a CUDA version as the driver encodes it
// (1000*major + 10*minor) in the usual form: 12080 is "12.8".
func FormatVersion(v int) string {
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}
