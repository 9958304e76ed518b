package cuda

import "unsafe"

// Stream is a queue of work on the device (a CUstream). The zero Stream is
// the context's default stream, which waits for all other blocking
// streams; StreamCreate's streams do not.
//
// MemsetD32 and the synchronous copies (MemcpyHtoD, MemcpyDtoH,
// MemcpyDtoD, CopyToDevice, CopyFromDevice) run on the default stream and
// have finished when they return. They do not wait for the streams
// StreamCreate makes, which are non-blocking: synchronize such a stream
// (Stream.Synchronize, or CtxSynchronize) before one of these calls
// touches memory its kernels use.
type Stream uintptr

// cuStreamCreate flag: no implicit synchronization with the default stream.
const streamNonBlocking = 0x1

// StreamCreate creates a non-blocking stream in the current context: its
// work is not ordered with the default stream's, where MemsetD32 and the
// synchronous copies run; those finish before they return, but do not wait
// for this stream (see Stream).
func StreamCreate() (Stream, error) {
	d, err := get("cuStreamCreate")
	if err != nil {
		return 0, err
	}
	var s uintptr
	if err := d.call(d.cuStreamCreate, uintptr(unsafe.Pointer(&s)), streamNonBlocking); err != nil {
		return 0, err
	}
	return Stream(s), nil
}

// Synchronize waits until all work queued on the stream has finished, and
// returns the error of any that failed.
func (s Stream) Synchronize() error {
	d, err := get("cuStreamSynchronize")
	if err != nil {
		return err
	}
	return d.call(d.cuStreamSynchronize, uintptr(s))
}

// WaitEvent makes work queued on the stream after this call wait until e
// has completed; e may belong to another stream or device.
func (s Stream) WaitEvent(e Event) error {
	d, err := get("cuStreamWaitEvent")
	if err != nil {
		return err
	}
	return d.call(d.cuStreamWaitEvent, uintptr(s), uintptr(e), 0)
}

// Destroy destroys the stream once its queued work is done; the call does
// not wait for it.
func (s Stream) Destroy() error {
	d, err := get("cuStreamDestroy")
	if err != nil {
		return err
	}
	return d.call(d.cuStreamDestroy, uintptr(s))
}
