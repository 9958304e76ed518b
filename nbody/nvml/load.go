package nvml

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the library Load opens, as the dynamic loader finds it
// (the ld.so cache, LD_LIBRARY_PATH): the name the NVIDIA driver installs
// and the NVIDIA container toolkit mounts.
const LibraryName = "libnvidia-ml.so.1"

var (
	// ErrNoLibrary means the library could not be opened: no NVIDIA driver
	// is installed, or the container was started without GPUs. It means
	// no telemetry, not that anything failed.
	ErrNoLibrary = errors.New("NVML library not found")
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: the driver is too old, or the library is not NVML.
	ErrMissingSymbol = errors.New("NVML entry point missing")
	// ErrNotLoaded is returned by every call made before Load succeeded or
	// after Shutdown.
	ErrNotLoaded = errors.New("NVML not loaded (nvml.Load has not succeeded)")
)

// library is the opened NVML: every entry point this package calls, as Go
// functions that purego built from their C signatures. An nvmlDevice_t is a
// struct of one pointer, which C passes as it passes the pointer: a
// uintptr here. nvmlReturn_t, a C enum, is an int32.
type library struct {
	path string

	init        func() int32
	shutdown    func() int32
	errorString func(r int32) string
	deviceCount func(count *uint32) int32
	byIndex     func(index uint32, device *uintptr) int32
	byUUID      func(uuid string, device *uintptr) int32
	name        func(device uintptr, name *byte, length uint32) int32
	uuid        func(device uintptr, uuid *byte, length uint32) int32
	clock       func(device uintptr, clock int32, mhz *uint32) int32
	maxClock    func(device uintptr, clock int32, mhz *uint32) int32
	temperature func(device uintptr, sensor int32, celsius *uint32) int32
	power       func(device uintptr, milliwatts *uint32) int32
	powerLimit  func(device uintptr, milliwatts *uint32) int32
	throttle    func(device uintptr, reasons *uint64) int32
	clocksEvent func(device uintptr, reasons *uint64) int32 // nil where the library lacks it
	eccErrors   func(device uintptr, errorType, counterType uint32, count *uint64) int32
}

// entryPoints is every entry point this package calls: the symbol NVML
// exports (the versioned one where nvml.h maps the plain name to it) and
// the func it is bound to.
func (l *library) entryPoints() []dynlib.Symbol {
	return []dynlib.Symbol{
		{Name: "nvmlInit_v2", Func: &l.init},
		{Name: "nvmlShutdown", Func: &l.shutdown},
		{Name: "nvmlErrorString", Func: &l.errorString},
		{Name: "nvmlDeviceGetCount_v2", Func: &l.deviceCount},
		{Name: "nvmlDeviceGetHandleByIndex_v2", Func: &l.byIndex},
		{Name: "nvmlDeviceGetHandleByUUID", Func: &l.byUUID},
		{Name: "nvmlDeviceGetName", Func: &l.name},
		{Name: "nvmlDeviceGetUUID", Func: &l.uuid},
		{Name: "nvmlDeviceGetClockInfo", Func: &l.clock},
		{Name: "nvmlDeviceGetMaxClockInfo", Func: &l.maxClock},
		// Deprecated in the CUDA 13 nvml.h for nvmlDeviceGetTemperatureV,
		// and still exported, as NVML keeps its old entry points.
		{Name: "nvmlDeviceGetTemperature", Func: &l.temperature},
		{Name: "nvmlDeviceGetPowerUsage", Func: &l.power},
		{Name: "nvmlDeviceGetEnforcedPowerLimit", Func: &l.powerLimit},
		// The same bit mask under two names: the first is in every NVML
		// this package can use, the second its newer name (NVML 12.2 and
		// later), which Read prefers.
		{Name: "nvmlDeviceGetCurrentClocksThrottleReasons", Func: &l.throttle},
		{Name: "nvmlDeviceGetCurrentClocksEventReasons", Func: &l.clocksEvent, Optional: true},
		{Name: "nvmlDeviceGetTotalEccErrors", Func: &l.eccErrors},
	}
}

// loaded is the library between a successful Load and Shutdown; nil
// otherwise. Every call reads it atomically, so a call racing Load sees
// either nothing or a library whose every entry point is resolved.
var loaded atomic.Pointer[library]

// opened opens and resolves the library once; Load initializes it.
var opened = sync.OnceValues(func() (*library, error) { return open(LibraryName) })

// mu makes Load and Shutdown take turns, so that NVML is initialized
// once for each Shutdown.
var mu sync.Mutex

// Load opens libnvidia-ml.so.1, resolves every entry point this package
// uses and initializes NVML (nvmlInit_v2). It is safe to call more than
// once, from any goroutine: while NVML is initialized, later calls do
// nothing. The library is opened only once; after Shutdown, Load
// initializes it again. The error wraps ErrNoLibrary when the library is
// missing, ErrMissingSymbol when it lacks entry points (naming all of
// them), or, when nvmlInit_v2 fails, the Return it gave (DriverNotLoaded,
// for one, where the library is installed but no driver runs). A caller
// that only wants telemetry can take any error to mean "none here" and
// show it as the reason.
func Load() error {
	l, err := opened()
	if err != nil {
		return err
	}
	return l.start()
}

// Shutdown undoes Load (nvmlShutdown): every call fails with ErrNotLoaded
// until Load succeeds again, and Devices from before must not be used
// after. Without NVML initialized it does nothing and returns nil.
func Shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	l := loaded.Swap(nil)
	if l == nil {
		return nil
	}
	return l.check("nvmlShutdown", l.shutdown())
}

// start initializes NVML, unless it is already, and publishes l.
func (l *library) start() error {
	mu.Lock()
	defer mu.Unlock()
	if loaded.Load() != nil {
		return nil
	}
	if err := l.check("nvmlInit", l.init()); err != nil {
		return fmt.Errorf("initializing NVML (%s): %w", l.path, err)
	}
	loaded.Store(l)
	return nil
}

// open opens the library at path and resolves every entry point, but does
// not initialize it; tests point it at other libraries. The library stays
// open for the life of the process.
func open(path string) (*library, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoLibrary, err)
	}
	l := &library{path: path}
	if err := l.bind(lib); err != nil {
		// The library is of no use; failing to close it changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return l, nil
}

// bind binds every entry point of lib, naming all the missing ones
// together.
func (l *library) bind(lib *dynlib.Library) error {
	err := lib.Resolve(l.entryPoints())
	var missing *dynlib.MissingSymbolsError
	if errors.As(err, &missing) {
		return fmt.Errorf("%w: %s lacks %s", ErrMissingSymbol, l.path, strings.Join(missing.Symbols, ", "))
	}
	if err != nil {
		return fmt.Errorf("binding %s: %w", l.path, err)
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
