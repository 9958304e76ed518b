package nvml

import "fmt"

// Return is an nvmlReturn_t: what an NVML call returned. It is an error
// too, so that errors.Is(err, nvml.NotSupported) picks out one result
// from any call; this package never returns Success as an error.
type Return int32

// The results nvml.h defines, each named as there without its
// NVML_ERROR_ prefix (NVML_ERROR_NOT_SUPPORTED is NotSupported).
const (
	Success                 Return = 0
	Uninitialized           Return = 1
	InvalidArgument         Return = 2
	NotSupported            Return = 3
	NoPermission            Return = 4
	AlreadyInitialized      Return = 5
	NotFound                Return = 6
	InsufficientSize        Return = 7
	InsufficientPower       Return = 8
	DriverNotLoaded         Return = 9
	Timeout                 Return = 10
	IRQIssue                Return = 11
	LibraryNotFound         Return = 12
	FunctionNotFound        Return = 13
	CorruptedInforom        Return = 14
	GPUIsLost               Return = 15
	ResetRequired           Return = 16
	OperatingSystem         Return = 17
	LibRMVersionMismatch    Return = 18
	InUse                   Return = 19
	Memory                  Return = 20
	NoData                  Return = 21
	VGPUECCNotSupported     Return = 22
	InsufficientResources   Return = 23
	FreqNotSupported        Return = 24
	ArgumentVersionMismatch Return = 25
	Deprecated              Return = 26
	NotReady                Return = 27
	GPUNotFound             Return = 28
	InvalidState            Return = 29
	ResetTypeNotSupported   Return = 30
	Unknown                 Return = 999
)

// returnNames are nvml.h's names of the results above.
var returnNames = map[Return]string{
	Success:                 "NVML_SUCCESS",
	Uninitialized:           "NVML_ERROR_UNINITIALIZED",
	InvalidArgument:         "NVML_ERROR_INVALID_ARGUMENT",
	NotSupported:            "NVML_ERROR_NOT_SUPPORTED",
	NoPermission:            "NVML_ERROR_NO_PERMISSION",
	AlreadyInitialized:      "NVML_ERROR_ALREADY_INITIALIZED",
	NotFound:                "NVML_ERROR_NOT_FOUND",
	InsufficientSize:        "NVML_ERROR_INSUFFICIENT_SIZE",
	InsufficientPower:       "NVML_ERROR_INSUFFICIENT_POWER",
	DriverNotLoaded:         "NVML_ERROR_DRIVER_NOT_LOADED",
	Timeout:                 "NVML_ERROR_TIMEOUT",
	IRQIssue:                "NVML_ERROR_IRQ_ISSUE",
	LibraryNotFound:         "NVML_ERROR_LIBRARY_NOT_FOUND",
	FunctionNotFound:        "NVML_ERROR_FUNCTION_NOT_FOUND",
	CorruptedInforom:        "NVML_ERROR_CORRUPTED_INFOROM",
	GPUIsLost:               "NVML_ERROR_GPU_IS_LOST",
	ResetRequired:           "NVML_ERROR_RESET_REQUIRED",
	OperatingSystem:         "NVML_ERROR_OPERATING_SYSTEM",
	LibRMVersionMismatch:    "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
	InUse:                   "NVML_ERROR_IN_USE",
	Memory:                  "NVML_ERROR_MEMORY",
	NoData:                  "NVML_ERROR_NO_DATA",
	VGPUECCNotSupported:     "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
	InsufficientResources:   "NVML_ERROR_INSUFFICIENT_RESOURCES",
	FreqNotSupported:        "NVML_ERROR_FREQ_NOT_SUPPORTED",
	ArgumentVersionMismatch: "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
	Deprecated:              "NVML_ERROR_DEPRECATED",
	NotReady:                "NVML_ERROR_NOT_READY",
	GPUNotFound:             "NVML_ERROR_GPU_NOT_FOUND",
	InvalidState:            "NVML_ERROR_INVALID_STATE",
	ResetTypeNotSupported:   "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
	Unknown:                 "NVML_ERROR_UNKNOWN",
}

// String is the result's name in nvml.h, e.g. "NVML_ERROR_NOT_SUPPORTED";
// a code it does not define reads "nvmlReturn_t(42)".
func (r Return) String() string {
	if name, ok := returnNames[r]; ok {
		return name
	}
	return fmt.Sprintf("nvmlReturn_t(%d)", int32(r))
}

// Error is the result's name, as String.
func (r Return) Error() string { return r.String() }

// Error is a failed NVML call: the call, its result, and NVML's words for
// the result (nvmlErrorString). Every failing call in this package returns
// one, perhaps wrapped with context.
type Error struct {
	Call    string // the entry point as nvml.h names it, without a version: "nvmlDeviceGetPowerUsage"
	Return  Return // e.g. GPUIsLost
	Message string // nvmlErrorString's, e.g. "GPU is lost"; empty where the library could not say
}

// Error reads like "nvmlInit: NVML_ERROR_DRIVER_NOT_LOADED (Driver Not Loaded)".
func (e *Error) Error() string {
	s := e.Call + ": " + e.Return.String()
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	return s
}

// Unwrap returns e's Return, so that errors.Is(err, nvml.NotSupported)
// holds for any call that returned it.
func (e *Error) Unwrap() error { return e.Return }

// unknownWords is what nvmlErrorString says of a result it does not know,
// as an older library does of newer results: no words, beside their name.
const unknownWords = "Unknown Error"

// newError builds the error of call's result r, asking the library for its
// words when there is one: l may be nil.
func (l *Library) newError(call string, r int32) *Error {
	e := &Error{Call: call, Return: Return(r)}
	if l != nil && l.errorString != nil {
		if words := l.errorString(r); words != unknownWords || Return(r) == Unknown {
			e.Message = words
		}
	}
	return e
}

// check turns a result into nil or an *Error.
func (l *Library) check(call string, r int32) error {
	if r == int32(Success) {
		return nil
	}
	return l.newError(call, r)
}
