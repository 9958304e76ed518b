package cuda

import (
	"time"
	"unsafe"
)

// Event is a marker in a stream (a CUevent): it completes when the work
// queued before it has, and timing events record when that happened on the
// device.
type Event uintptr

// EventCreate creates an event in the current context that can time work
// (EventElapsed).
func EventCreate() (Event, error) {
	d, err := get("cuEventCreate")
	if err != nil {
		return 0, err
	}
	var e uintptr
	if err := d.call(d.cuEventCreate, uintptr(unsafe.Pointer(&e)), 0); err != nil {
		return 0, err
	}
	return Event(e), nil
}

// Record queues the event on stream s (0: the default stream).
func (e Event) Record(s Stream) error {
	d, err := get("cuEventRecord")
	if err != nil {
		return err
	}
	return d.call(d.cuEventRecord, uintptr(e), uintptr(s))
}

// Synchronize waits until the event has completed.
func (e Event) Synchronize() error {
	d, err := get("cuEventSynchronize")
	if err != nil {
		return err
	}
	return d.call(d.cuEventSynchronize, uintptr(e))
}

// Destroy destroys the event.
func (e Event) Destroy() error {
	d, err := get("cuEventDestroy")
	if err != nil {
		return err
	}
	return d.call(d.cuEventDestroy, uintptr(e))
}

// EventElapsed returns the device time between two completed events, to
// about half a microsecond. Both must have been recorded, and end must have
// completed (end.Synchronize), or the error errors.Is ErrNotReady.
func EventElapsed(start, end Event) (time.Duration, error) {
	d, err := get("cuEventElapsedTime")
	if err != nil {
		return 0, err
	}
	var ms float32
	if err := d.call(d.cuEventElapsedTime, uintptr(unsafe.Pointer(&ms)), uintptr(start), uintptr(end)); err != nil {
		return 0, err
	}
	return time.Duration(float64(ms) * float64(time.Millisecond)), nil
}
