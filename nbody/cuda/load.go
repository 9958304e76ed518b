package cuda

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the driver library to open, as the dynamic loader finds
// it (the ld.so cache, LD_LIBRARY_PATH): the name the NVIDIA driver
// installs and the NVIDIA container toolkit mounts.
const LibraryName = "libcuda.so.1"

// The failures of opening the driver and calling it after Close, shared
// with packages nvml and nccl (they are the loader's: errors.Is(err,
// cuda.ErrNoLibrary) and errors.Is(err, nvml.ErrNoLibrary) are the same
// test).
var (
	// ErrNoLibrary means the driver library could not be opened: no NVIDIA
	// driver is installed, or the container was started without GPUs.
	ErrNoLibrary = dynlib.ErrNotFound
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: the driver is too old, or the library is not a CUDA driver.
	ErrMissingSymbol = dynlib.ErrMissingSymbol
	// ErrClosed is a call on a Driver after Close, or on a zero handle.
	ErrClosed = dynlib.ErrClosed
)

// Open opens the driver library at path (LibraryName, or a path), resolves
// every driver entry point this package uses and initializes the driver
// with cuInit(0). Every failure comes back here rather than as a crash at
// a later call: the error wraps ErrNoLibrary when the library is missing,
// ErrMissingSymbol when the driver lacks entry points (naming all of them
// and the driver version), or the *Error of cuInit (ErrNoDevice, for
// one). Opening the same library again is cheap and gives a Driver over
// the same driver.
func Open(path string) (*Driver, error) {
	d, err := open(path)
	if err != nil {
		return nil, err
	}
	if err := d.check("cuInit", d.cuInit(0)); err != nil {
		return nil, fmt.Errorf("initializing CUDA driver %s: %w", FormatVersion(d.version), err)
	}
	return d, nil
}

// open opens the library at path and resolves every entry point, but does
// not initialize the driver; tests point it at other libraries. A library
// of no use is closed again; one that is used stays loaded for the life of
// the process, as a driver that has run cuInit must.
func open(path string) (*Driver, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("CUDA driver %w", err)
	}
	d := &Driver{path: path}
	if err := d.resolve(lib, d.entryPoints()); err != nil {
		// Failing to close a library of no use changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return d, nil
}

// resolve binds table, the entry points, from lib. cuDriverGetVersion
// comes first, so that missing entry points can be reported with the
// driver's version, all of them in one error.
func (d *Driver) resolve(lib *dynlib.Library, table []dynlib.Symbol) error {
	var versionEntry dynlib.Symbol
	for _, s := range table {
		if s.Func == any(&d.cuDriverGetVersion) {
			versionEntry = s
		}
	}
	var missing *dynlib.MissingSymbolsError
	err := lib.Resolve([]dynlib.Symbol{versionEntry})
	if errors.As(err, &missing) {
		return dynlib.Reword(err, fmt.Sprintf("CUDA driver %s: %s has no %s: not a CUDA driver library",
			ErrMissingSymbol, d.path, versionEntry.Name))
	}
	if err != nil {
		return fmt.Errorf("resolving the CUDA driver: %w", err)
	}
	var version int32
	if err := d.check("cuDriverGetVersion", d.cuDriverGetVersion(&version)); err != nil {
		return fmt.Errorf("reading the version of %s: %w", d.path, err)
	}
	d.version = int(version)
	err = lib.Resolve(table)
	if errors.As(err, &missing) {
		return dynlib.Reword(err, fmt.Sprintf("CUDA driver %s: %s is CUDA driver %s and lacks %s; a newer NVIDIA driver is needed",
			ErrMissingSymbol, d.path, FormatVersion(d.version), strings.Join(missing.Symbols, ", ")))
	}
	if err != nil {
		return fmt.Errorf("resolving CUDA driver %s: %w", FormatVersion(d.version), err)
	}
	return nil
}

// Version returns the driver's version as it encodes it: 1000*major +
// 10*minor (13000 is CUDA 13.0; FormatVersion writes it so).
func (d *Driver) Version() int { return d.version }

// Path returns the library the Driver was opened from, as Open was given it.
func (d *Driver) Path() string { return d.path }

// Close ends the Driver's use: every later call on it, or on a handle it
// made, fails with ErrClosed. It does not unload the library, where the
// driver's own threads run, nor free what was allocated: release contexts
// first. Closing again does nothing.
func (d *Driver) Close() error {
	d.closed.Store(true)
	return nil
}

// use says whether a call may be made on d: not on a zero handle's nil
// Driver, nor after Close.
func (d *Driver) use(call string) error {
	switch {
	case d == nil:
		return fmt.Errorf("%s: CUDA driver %w (a zero handle)", call, ErrClosed)
	case d.closed.Load():
		return fmt.Errorf("%s: CUDA driver %w", call, ErrClosed)
	}
	return nil
}

// check turns the CUresult of call into nil or an *Error.
func (d *Driver) check(call string, r int32) error {
	if r == 0 {
		return nil
	}
	return d.newError(call, int(r))
}

// FormatVersion writes a CUDA version as the driver encodes it
// (1000*major + 10*minor) in the usual form: 12080 is "12.8".
func FormatVersion(v int) string {
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}
