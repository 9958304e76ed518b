package cuda

import (
	"fmt"
	"unsafe"
)

// Error is a failed driver call: the call, the CUresult it returned, and
// the driver's name and description of that result. Every failing call in
// this package returns one, perhaps wrapped with context; test for a
// particular result with errors.Is(err, cuda.ErrOutOfMemory).
type Error struct {
	Call    string // the entry point without its version suffix, e.g. "cuMemAlloc"
	Code    int    // the CUresult, e.g. 2
	Name    string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Message string // e.g. "out of memory"
}

// Error reads like "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
func (e *Error) Error() string {
	s := e.Name
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	if e.Call != "" {
		s = e.Call + ": " + s
	}
	return s
}

// Is reports whether target is an *Error with the same result code and
// either no call (as the Err sentinels have) or the same call, so that
// errors.Is(err, ErrOutOfMemory) holds for any call that ran out of memory.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Call == "" || t.Call == e.Call)
}

// The results a caller may want to tell apart, for errors.Is. Each matches
// an *Error of any call with the same code.
var (
	ErrInvalidValue             = sentinel(1)
	ErrOutOfMemory              = sentinel(2)
	ErrNotInitialized           = sentinel(3)
	ErrDeinitialized            = sentinel(4)
	ErrStubLibrary              = sentinel(34)
	ErrDeviceUnavailable        = sentinel(46)
	ErrNoDevice                 = sentinel(100)
	ErrInvalidDevice            = sentinel(101)
	ErrInvalidImage             = sentinel(200)
	ErrInvalidContext           = sentinel(201)
	ErrNoBinaryForGPU           = sentinel(209)
	ErrPeerAccessUnsupported    = sentinel(217)
	ErrInvalidPTX               = sentinel(218)
	ErrUnsupportedPTXVersion    = sentinel(222)
	ErrInvalidHandle            = sentinel(400)
	ErrNotFound                 = sentinel(500)
	ErrNotReady                 = sentinel(600)
	ErrIllegalAddress           = sentinel(700)
	ErrLaunchOutOfResources     = sentinel(701)
	ErrLaunchTimeout            = sentinel(702)
	ErrPeerAccessAlreadyEnabled = sentinel(704)
	ErrLaunchFailed             = sentinel(719)
	ErrNotSupported             = sentinel(801)
	ErrSystemDriverMismatch     = sentinel(803)
	ErrUnknown                  = sentinel(999)
)

// knownResults names the results above, and a few more, for when the
// driver cannot name them itself: before it is loaded, or when
// cuGetErrorName does not know a code.
var knownResults = map[int]struct{ name, message string }{
	1:   {"CUDA_ERROR_INVALID_VALUE", "invalid argument"},
	2:   {"CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
	3:   {"CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
	4:   {"CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
	34:  {"CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
	46:  {"CUDA_ERROR_DEVICE_UNAVAILABLE", "CUDA-capable device(s) is/are busy or unavailable"},
	100: {"CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
	101: {"CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
	200: {"CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
	201: {"CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
	209: {"CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
	217: {"CUDA_ERROR_PEER_ACCESS_UNSUPPORTED", "peer access is not supported between these two devices"},
	218: {"CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
	222: {"CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
	400: {"CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
	500: {"CUDA_ERROR_NOT_FOUND", "named symbol not found"},
	600: {"CUDA_ERROR_NOT_READY", "device not ready"},
	700: {"CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
	701: {"CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
	702: {"CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"},
	704: {"CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED", "peer access is already enabled"},
	719: {"CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
	801: {"CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
	803: {"CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", "system has unsupported display driver / cuda driver combination"},
	999: {"CUDA_ERROR_UNKNOWN", "unknown error"},
}

func sentinel(code int) *Error {
	name, message := resultName(code)
	return &Error{Code: code, Name: name, Message: message}
}

// resultName names a result from knownResults; an unknown code still gets
// a name that shows the number.
func resultName(code int) (name, message string) {
	if r, ok := knownResults[code]; ok {
		return r.name, r.message
	}
	return fmt.Sprintf("CUresult(%d)", code), ""
}

// newError builds the *Error of a failed call, asking the driver to name
// the result and falling back to knownResults. d may be nil.
func (d *Driver) newError(call string, code int) *Error {
	name, message := resultName(code)
	if d != nil {
		if s, ok := resultString(d.cuGetErrorName, code); ok {
			name = s
		}
		if s, ok := resultString(d.cuGetErrorString, code); ok {
			message = s
		}
	}
	return &Error{Call: call, Code: code, Name: name, Message: message}
}

// resultString asks query, cuGetErrorName or cuGetErrorString (nil before
// they are resolved), about code. They point at a constant C string inside
// the driver, or fail for a code they do not know.
func resultString(query func(int32, **byte) int32, code int) (string, bool) {
	if query == nil {
		return "", false
	}
	var s *byte
	if query(int32(code), &s) != 0 || s == nil {
		return "", false
	}
	return goString(s), true
}

// goString copies the NUL-terminated C string at s.
func goString(s *byte) string {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(s), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(s, n))
}
