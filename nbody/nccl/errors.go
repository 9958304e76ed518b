package nccl

import "fmt"

// Result is an ncclResult_t.
type Result int32

// The results NCCL 2.x returns.
const (
	Success            Result = 0
	UnhandledCudaError Result = 1
	SystemError        Result = 2
	InternalError      Result = 3
	InvalidArgument    Result = 4
	InvalidUsage       Result = 5
	RemoteError        Result = 6
	InProgress         Result = 7
)

// String is the result's name in nccl.h, e.g. "ncclInvalidUsage".
func (r Result) String() string {
	names := [...]string{"ncclSuccess", "ncclUnhandledCudaError", "ncclSystemError", "ncclInternalError",
		"ncclInvalidArgument", "ncclInvalidUsage", "ncclRemoteError", "ncclInProgress"}
	if r >= 0 && int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("ncclResult(%d)", int32(r))
}

// Error is a failed NCCL call: the call, its result, NCCL's description of
// the result (ncclGetErrorString) and, where the library keeps one, its
// last error message (ncclGetLastError), which names the cause.
type Error struct {
	Call    string // e.g. "ncclCommInitAll"
	Result  Result
	Message string // ncclGetErrorString's words, e.g. "invalid usage"
	Detail  string // ncclGetLastError's, e.g. "Duplicate GPU detected : rank 1 and rank 0 both on CUDA device 0"
}

// Error reads like "ncclCommInitAll: ncclInvalidUsage (invalid usage): Duplicate GPU detected …".
func (e *Error) Error() string {
	s := e.Call + ": " + e.Result.String()
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is matches another *Error with the same result and either no call or the
// same call, so that errors.Is(err, &Error{Result: InvalidUsage}) holds for
// any call.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Result == e.Result && (t.Call == "" || t.Call == e.Call)
}

// newError builds the error of call's result r; comm, where nonzero, is
// the communicator whose last error to read. ncclGetLastError never
// clears its message, and not every failure sets it (two ranks on one GPU
// do not): a message equal to the one already reported is an old one and
// is left out, at the price of leaving out a repeated one too.
func (l *Library) newError(call string, r int32, comm uintptr) error {
	e := &Error{Call: call, Result: Result(r), Message: l.getErrorString(r)}
	if l.getLastError != nil {
		l.mu.Lock()
		if detail := l.getLastError(comm); detail != l.lastDetail {
			e.Detail, l.lastDetail = detail, detail
		}
		l.mu.Unlock()
	}
	return e
}

// check turns a result into nil or an *Error.
func (l *Library) check(call string, r int32, comm uintptr) error {
	if r == 0 {
		return nil
	}
	return l.newError(call, r, comm)
}
