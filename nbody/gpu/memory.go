package gpu

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// buffer is an array of bodies' 4-vectors that kernels address at ptr:
// device memory, or (host non-nil) page-locked host memory mapped into
// the device's address space. A borrowed buffer belongs to the integrator
// (the positions that several devices share with HostMem): free forgets
// it without freeing it.
type buffer struct {
	drv      *cuda.Driver // that allocated it; nil for the zero buffer
	ptr      cuda.DevicePtr
	host     unsafe.Pointer
	bytes    uint64
	borrowed bool
}

// maxPartialBytes bounds the memory of the per-split partial sums.
const maxPartialBytes = 1 << 30

// allocate returns a buffer of the given size, in mapped host memory when
// hostMem is set. Out of memory, the error names the bytes asked for and
// CUDA_ERROR_OUT_OF_MEMORY.
func allocate(drv *cuda.Driver, bytes uint64, hostMem bool) (buffer, error) {
	if !hostMem {
		p, err := drv.MemAlloc(bytes)
		if err != nil {
			return buffer{}, err
		}
		return buffer{drv: drv, ptr: p, bytes: bytes}, nil
	}
	h, err := drv.MemHostAlloc(bytes, cuda.HostAllocPortable|cuda.HostAllocDeviceMap)
	if err != nil {
		return buffer{}, err
	}
	p, err := drv.MemHostGetDevicePointer(h)
	if err != nil {
		return buffer{}, errors.Join(err, drv.MemFreeHost(h))
	}
	return buffer{drv: drv, ptr: p, host: h, bytes: bytes}, nil
}

// free releases the buffer; the zero buffer is a no-op.
func (b *buffer) free() error {
	var err error
	switch {
	case b.borrowed:
	case b.host != nil:
		err = b.drv.MemFreeHost(b.host)
	case b.ptr != 0:
		err = b.drv.MemFree(b.ptr)
	}
	*b = buffer{}
	return err
}

// positions is where a device keeps all bodies' positions: capacity
// bodies (n, or more where an all-gather needs equal slices) in buffers
// of its own, or, when shared is non-nil, in the integrator's mapped host
// buffers that every device uses.
type positions struct {
	capacity int
	shared   *[2]buffer
}

// reserve allocates the buffers for n bodies, of which this device
// integrates count from first, and plans the launches. Buffers are kept
// when the sizes are unchanged.
func (d *device) reserve(n, first, count int, where positions) error {
	plan := d.planFor(n, count)
	capacity := max(n, where.capacity)
	sameShared := where.shared == nil && !d.pos[0].borrowed ||
		where.shared != nil && d.pos[0].borrowed && d.pos[0].host == where.shared[0].host && d.pos[1].host == where.shared[1].host
	if n == d.n && first == d.first && count == d.count && plan == d.plan &&
		uint64(capacity)*d.elem == d.pos[0].bytes && sameShared {
		return nil
	}
	if err := d.freeBuffers(); err != nil {
		return err
	}
	d.n, d.first, d.count, d.plan = 0, 0, 0, launchPlan{}
	all, own := uint64(capacity)*d.elem, uint64(count)*d.elem
	type want struct {
		dst     *buffer
		bytes   uint64
		hostMem bool
		what    string
	}
	var wants []want
	if where.shared == nil {
		wants = append(wants, want{&d.pos[0], all, d.opts.HostMem, "positions"},
			want{&d.pos[1], all, d.opts.HostMem, "new positions"})
	}
	wants = append(wants, want{&d.vel, own, d.opts.HostMem, "velocities"})
	if plan.splits > 1 {
		wants = append(wants, want{&d.partial, plan.partialBytes(count, d.elem), false, "partial accelerations"})
	}
	if d.stageHostMem {
		wants = append(wants, want{&d.staged, uint64(n) * d.elem, false, "staged positions"})
	}
	for _, w := range wants {
		if w.bytes == 0 {
			continue // a device without bodies has no velocities
		}
		b, err := allocate(d.drv, w.bytes, w.hostMem)
		if err != nil {
			return d.wrap(errors.Join(fmt.Errorf("%d bodies, %s: %w", n, w.what, err), d.freeBuffers()))
		}
		*w.dst = b
	}
	if where.shared != nil {
		for i, b := range where.shared {
			// The same mapped memory, at this context's address for it.
			p, err := d.drv.MemHostGetDevicePointer(b.host)
			if err != nil {
				return d.wrap(errors.Join(fmt.Errorf("shared positions: %w", err), d.freeBuffers()))
			}
			d.pos[i] = buffer{drv: d.drv, ptr: p, host: b.host, bytes: b.bytes, borrowed: true}
		}
	}
	d.n, d.first, d.count, d.plan, d.cur = n, first, count, plan, 0
	return nil
}

// planFor is the launch plan of count of this device's bodies against n:
// its whole share (reserve) or a slice of it (sliceStep).
func (d *device) planFor(n, count int) launchPlan {
	return planLaunch(n, count, d.opts.BlockSize, d.set.BodiesPerThread,
		d.info.Multiprocessors, d.blocksPerSM, maxPartialBytes/int(d.elem), d.opts.Splits)
}

// reserveSlices makes room for sliced steps: velNext, where the slices
// write the new velocities (in host memory with HostMem, like vel), and
// sliceParts, the partial sums of the largest slice that has splits.
// Buffers large enough are kept. The context must be current and the
// stream idle.
func (d *device) reserveSlices(slices []stepSlice) error {
	if d.count == 0 {
		return nil
	}
	var parts uint64
	for _, s := range slices {
		if s.plan.splits > 1 {
			parts = max(parts, s.plan.partialBytes(s.count, d.elem))
		}
	}
	if err := ensure(d.drv, &d.velNext, uint64(d.count)*d.elem, d.opts.HostMem); err != nil {
		return d.wrap(fmt.Errorf("%d bodies, velocities of a sliced step: %w", d.n, err))
	}
	if err := ensure(d.drv, &d.sliceParts, parts, false); err != nil {
		return d.wrap(fmt.Errorf("%d bodies, partial accelerations of a slice: %w", d.n, err))
	}
	return nil
}

// ensure makes b hold at least bytes (none: b is left as it is), in mapped
// host memory when hostMem is set, replacing a smaller buffer.
func ensure(drv *cuda.Driver, b *buffer, bytes uint64, hostMem bool) error {
	if bytes == 0 || b.bytes >= bytes {
		return nil
	}
	if err := b.free(); err != nil {
		return err
	}
	nb, err := allocate(drv, bytes, hostMem)
	if err != nil {
		return err
	}
	*b = nb
	return nil
}

// freeBuffers frees every buffer.
func (d *device) freeBuffers() error {
	var errs []error
	for _, b := range []*buffer{&d.pos[0], &d.pos[1], &d.vel, &d.partial, &d.staged, &d.velNext, &d.sliceParts} {
		errs = append(errs, b.free())
	}
	return errors.Join(errs...)
}

// setBodies loads all of b's positions and this device's share of the
// velocities, converted to the device's precision.
func (d *device) setBodies(b nbody.Bodies, sh share, where positions) error {
	unbind, err := d.bind()
	if err != nil {
		return err
	}
	defer unbind()
	// Kernels of an earlier Step may still read the buffers.
	if err := d.stream.Synchronize(); err != nil {
		return d.wrap(err)
	}
	if err := d.reserve(b.N(), sh.first, sh.count, where); err != nil {
		return err
	}
	if err := d.upload(d.pos[0], b.Pos); err != nil {
		return d.wrap(fmt.Errorf("copying positions: %w", err))
	}
	if err := d.upload(d.vel, b.Vel[4*sh.first:4*(sh.first+sh.count)]); err != nil {
		return d.wrap(fmt.Errorf("copying velocities: %w", err))
	}
	d.cur = 0
	return nil
}

// positionsTo copies the current positions (all of them) into pos, as
// float64; velocitiesTo this device's share of the velocities into vel,
// which holds every body's. The device's stream must be idle.
func (d *device) positionsTo(pos []float64) error {
	if err := d.download(pos, d.pos[d.cur]); err != nil {
		return d.wrap(fmt.Errorf("copying positions back: %w", err))
	}
	return nil
}

func (d *device) velocitiesTo(vel []float64) error {
	if err := d.download(vel[4*d.first:4*(d.first+d.count)], d.vel); err != nil {
		return d.wrap(fmt.Errorf("copying velocities back: %w", err))
	}
	return nil
}

// upload writes vals, converted to the device's precision, into buf.
func (d *device) upload(buf buffer, vals []float64) error {
	if d.double {
		return put(buf, vals)
	}
	return put(buf, nbody.ToFloat32(nil, vals))
}

// download reads buf into vals, converting to float64.
func (d *device) download(vals []float64, buf buffer) error {
	if d.double {
		return get(vals, buf)
	}
	tmp := make([]float32, len(vals))
	if err := get(tmp, buf); err != nil {
		return err
	}
	nbody.FromFloat32(vals, tmp)
	return nil
}

// put copies vals to the start of buf.
func put[T float32 | float64](buf buffer, vals []T) error {
	if buf.host != nil {
		copy(unsafe.Slice((*T)(buf.host), len(vals)), vals)
		return nil
	}
	return cuda.CopyToDevice(buf.drv, buf.ptr, vals)
}

// get copies the start of buf into vals.
func get[T float32 | float64](vals []T, buf buffer) error {
	if buf.host != nil {
		copy(vals, unsafe.Slice((*T)(buf.host), len(vals)))
		return nil
	}
	return cuda.CopyFromDevice(buf.drv, vals, buf.ptr)
}

func resize(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
