package cuda

import "time"

// Event is a marker in a stream (a CUevent), with its Driver: it completes
// when the work queued before it has, and timing events record when that
// happened on the device. The zero Event is none.
type Event struct {
	d     *Driver
	event uintptr
}

// EventCreate creates an event in the current context that can time work
// (EventElapsed).
func (d *Driver) EventCreate() (Event, error) {
	const call = "cuEventCreate"
	if err := d.use(call); err != nil {
		return Event{}, err
	}
	var e uintptr
	if err := d.check(call, d.cuEventCreate(&e, 0)); err != nil {
		return Event{}, err
	}
	return Event{d, e}, nil
}

// Record queues the event on stream s (the zero Stream: the default one).
func (e Event) Record(s Stream) error {
	const call = "cuEventRecord"
	d := e.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuEventRecord(e.event, s.stream))
}

// Synchronize waits until the event has completed.
func (e Event) Synchronize() error {
	const call = "cuEventSynchronize"
	d := e.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuEventSynchronize(e.event))
}

// Destroy destroys the event.
func (e Event) Destroy() error {
	const call = "cuEventDestroy"
	d := e.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuEventDestroy(e.event))
}

// EventElapsed returns the device time between two completed events, to
// about half a microsecond. Both must have been recorded, and end must have
// completed (end.Synchronize), or the error errors.Is ErrNotReady.
func (d *Driver) EventElapsed(start, end Event) (time.Duration, error) {
	const call = "cuEventElapsedTime"
	if err := d.use(call); err != nil {
		return 0, err
	}
	var ms float32
	if err := d.check(call, d.cuEventElapsedTime(&ms, start.event, end.event)); err != nil {
		return 0, err
	}
	return time.Duration(float64(ms) * float64(time.Millisecond)), nil
}
