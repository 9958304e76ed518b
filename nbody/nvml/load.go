package nvml

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// LibraryName is the library to open, as the dynamic loader finds it (the
// ld.so cache, LD_LIBRARY_PATH): the name the NVIDIA driver installs and
// the NVIDIA container toolkit mounts.
const LibraryName = "libnvidia-ml.so.1"

// The failures of opening NVML and calling it after Close, shared with
// packages cuda and nccl (they are the loader's).
var (
	// ErrNoLibrary means the library could not be opened: no NVIDIA driver
	// is installed, or the container was started without GPUs. It means
	// no telemetry, not that anything failed.
	ErrNoLibrary = dynlib.ErrNotFound
	// ErrMissingSymbol means the library lacks an entry point this package
	// calls: the driver is too old, or the library is not NVML.
	ErrMissingSymbol = dynlib.ErrMissingSymbol
	// ErrClosed is a call on a Library after Close, or on a zero Device.
	ErrClosed = dynlib.ErrClosed
)

// Library is NVML, opened and initialized by Open: every entry point this
// package calls, as Go funcs that purego built from their C signatures. An
// nvmlDevice_t is a struct of one pointer, which C passes as it passes the
// pointer: a uintptr here. nvmlReturn_t, a C enum, is an int32.
type Library struct {
	path string

	closed atomic.Bool

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

	// Optional: nil where the library lacks them (state.go reads them).
	defaultPowerLimit func(device uintptr, milliwatts *uint32) int32
	pcieGen           func(device uintptr, gen *uint32) int32
	pcieWidth         func(device uintptr, width *uint32) int32
	pcieMaxGen        func(device uintptr, gen *uint32) int32
	pcieMaxWidth      func(device uintptr, width *uint32) int32
	pcieGPUMaxGen     func(device uintptr, gen *uint32) int32
	nvLinkState       func(device uintptr, link uint32, active *int32) int32
	remappedRows      func(device uintptr, corrRows, uncRows, isPending, failureOccurred *uint32) int32
	retiredPending    func(device uintptr, isPending *int32) int32
	computeProcs      func(device uintptr, count *uint32, infos *processInfo) int32
	graphicsProcs     func(device uintptr, count *uint32, infos *processInfo) int32
}

// entryPoints is every entry point this package calls: the symbol NVML
// exports (the versioned one where nvml.h maps the plain name to it) and
// the func it is bound to.
func (l *Library) entryPoints() []dynlib.Symbol {
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
		// The health of the GPU's links and memory, and who else uses it:
		// all optional, so that a driver without one of them still gives
		// every other reading (the one it lacks reads as absent).
		{Name: "nvmlDeviceGetPowerManagementDefaultLimit", Func: &l.defaultPowerLimit, Optional: true},
		{Name: "nvmlDeviceGetCurrPcieLinkGeneration", Func: &l.pcieGen, Optional: true},
		{Name: "nvmlDeviceGetCurrPcieLinkWidth", Func: &l.pcieWidth, Optional: true},
		{Name: "nvmlDeviceGetMaxPcieLinkGeneration", Func: &l.pcieMaxGen, Optional: true},
		{Name: "nvmlDeviceGetMaxPcieLinkWidth", Func: &l.pcieMaxWidth, Optional: true},
		{Name: "nvmlDeviceGetGpuMaxPcieLinkGeneration", Func: &l.pcieGPUMaxGen, Optional: true},
		{Name: "nvmlDeviceGetNvLinkState", Func: &l.nvLinkState, Optional: true},
		{Name: "nvmlDeviceGetRemappedRows", Func: &l.remappedRows, Optional: true},
		{Name: "nvmlDeviceGetRetiredPagesPendingStatus", Func: &l.retiredPending, Optional: true},
		// The _v3 calls fill nvmlProcessInfo_t, nvml.h's
		// nvmlProcessInfo_v2_t (processInfo); the plain names are older
		// calls with a shorter struct.
		{Name: "nvmlDeviceGetComputeRunningProcesses_v3", Func: &l.computeProcs, Optional: true},
		{Name: "nvmlDeviceGetGraphicsRunningProcesses_v3", Func: &l.graphicsProcs, Optional: true},
	}
}

// Open opens NVML at path (LibraryName, or a path), resolves every entry
// point this package uses and initializes NVML (nvmlInit_v2). The error
// wraps ErrNoLibrary when the library is missing, ErrMissingSymbol when it
// lacks entry points (naming all of them), or, when nvmlInit_v2 fails, the
// Return it gave (DriverNotLoaded, for one, where the library is installed
// but no driver runs). A caller that only wants telemetry can take any
// error to mean "none here" and show it as the reason. NVML counts its
// initializations: each Library opened is one, until its Close.
func Open(path string) (*Library, error) {
	l, err := open(path)
	if err != nil {
		return nil, err
	}
	if err := l.start(); err != nil {
		return nil, err
	}
	return l, nil
}

// open opens the library at path and resolves every entry point, but does
// not initialize it; tests point it at other libraries. A library that is
// used stays loaded for the life of the process (see Close).
func open(path string) (*Library, error) {
	lib, err := dynlib.Open(path)
	if err != nil {
		return nil, fmt.Errorf("NVML %w", err)
	}
	l := &Library{path: path}
	if err := l.bind(lib); err != nil {
		// Failing to close a library of no use changes nothing.
		_ = lib.Close()
		return nil, err
	}
	return l, nil
}

// bind binds every entry point of lib, naming all the missing ones
// together.
func (l *Library) bind(lib *dynlib.Library) error {
	err := lib.Resolve(l.entryPoints())
	var missing *dynlib.MissingSymbolsError
	if errors.As(err, &missing) {
		return fmt.Errorf("NVML %w: %w", ErrMissingSymbol, missing)
	}
	if err != nil {
		return fmt.Errorf("binding %s: %w", l.path, err)
	}
	return nil
}

// start initializes NVML.
func (l *Library) start() error {
	if err := l.check("nvmlInit", l.init()); err != nil {
		return fmt.Errorf("initializing NVML (%s): %w", l.path, err)
	}
	return nil
}

// Path returns the library the Library was opened from, as Open was given it.
func (l *Library) Path() string { return l.path }

// Close shuts NVML down for this Library (nvmlShutdown): every later call
// on it, or on a Device it found, fails with ErrClosed. The library stays
// loaded, so that another Open is quick. Closing again does nothing and
// returns nil. A call racing Close may fail with Uninitialized instead.
func (l *Library) Close() error {
	if !l.closed.CompareAndSwap(false, true) {
		return nil
	}
	return l.check("nvmlShutdown", l.shutdown())
}

// use says whether a call may be made on l: not on a zero Device's nil
// Library, nor after Close.
func (l *Library) use(call string) error {
	switch {
	case l == nil:
		return fmt.Errorf("%s: NVML %w (a zero Device)", call, ErrClosed)
	case l.closed.Load():
		return fmt.Errorf("%s: NVML %w", call, ErrClosed)
	}
	return nil
}
