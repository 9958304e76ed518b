package cuda

// Stream is a queue of work on the device (a CUstream), with its Driver.
// The zero Stream is the context's default stream, which waits for all
// other blocking streams; StreamCreate's streams do not. It may be passed
// where a call takes a stream, but has no Driver for calls of its own.
//
// MemsetD32 and the synchronous copies (MemcpyHtoD, MemcpyDtoH,
// MemcpyDtoD, CopyToDevice, CopyFromDevice) run on the default stream and
// have finished when they return. They do not wait for the streams
// StreamCreate makes, which are non-blocking: synchronize such a stream
// (Stream.Synchronize, or CtxSynchronize) before one of these calls
// touches memory its kernels use.
type Stream struct {
	d      *Driver
	stream uintptr
}

// cuStreamCreate flag: no implicit synchronization with the default stream.
const streamNonBlocking = 0x1

// StreamCreate creates a non-blocking stream in the current context: its
// work is not ordered with the default stream's, where MemsetD32 and the
// synchronous copies run; those finish before they return, but do not wait
// for this stream (see Stream).
func (d *Driver) StreamCreate() (Stream, error) {
	const call = "cuStreamCreate"
	if err := d.use(call); err != nil {
		return Stream{}, err
	}
	var s uintptr
	if err := d.check(call, d.cuStreamCreate(&s, streamNonBlocking)); err != nil {
		return Stream{}, err
	}
	return Stream{d, s}, nil
}

// Handle returns the CUstream, for another library that queues work on it
// (NCCL): 0 for the default stream.
func (s Stream) Handle() uintptr { return s.stream }

// Synchronize waits until all work queued on the stream has finished, and
// returns the error of any that failed.
func (s Stream) Synchronize() error {
	const call = "cuStreamSynchronize"
	d := s.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuStreamSynchronize(s.stream))
}

// WaitEvent makes work queued on the stream after this call wait until e
// has completed; e may belong to another stream or device.
func (s Stream) WaitEvent(e Event) error {
	const call = "cuStreamWaitEvent"
	d := s.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuStreamWaitEvent(s.stream, e.event, 0))
}

// Destroy destroys the stream once its queued work is done; the call does
// not wait for it.
func (s Stream) Destroy() error {
	const call = "cuStreamDestroy"
	d := s.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuStreamDestroy(s.stream))
}
