package cuda

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Dim3 is the shape of a grid (in blocks) or of a block (in threads). A
// zero component counts as 1, so Dim3{X: n} is a one-dimensional shape.
type Dim3 struct{ X, Y, Z uint32 }

// orOne returns the shape with zero components made 1.
func (d Dim3) orOne() Dim3 {
	if d.X == 0 {
		d.X = 1
	}
	if d.Y == 0 {
		d.Y = 1
	}
	if d.Z == 0 {
		d.Z = 1
	}
	return d
}

// LaunchKernel queues the kernel f on stream s (the zero Stream: the
// default one) with grid×block threads and sharedBytes of dynamic shared
// memory. args
// are the kernel's parameters in order, each one of uint32, int32, uint64,
// int64, float32, float64 or DevicePtr, matching the kernel's C type
// (unsigned int, int, size_t or unsigned long long, long long, float,
// double, a pointer). A plain Go int is refused: its C width is ambiguous.
// Errors in the kernel itself show at the next synchronization.
func (d *Driver) LaunchKernel(f Function, grid, block Dim3, sharedBytes uint32, s Stream, args ...any) error {
	const call = "cuLaunchKernel"
	if err := d.use(call); err != nil {
		return err
	}
	values, err := packParams(args)
	if err != nil {
		return fmt.Errorf("cuLaunchKernel: %w", err)
	}
	// The driver takes an array of pointers to the values. Both live in
	// the Go heap, so they are pinned while the driver reads them; it has
	// copied the values when cuLaunchKernel returns.
	var params *unsafe.Pointer // NULL for a kernel without parameters
	var pin runtime.Pinner
	defer pin.Unpin()
	if len(values) > 0 {
		ptrs := make([]unsafe.Pointer, len(values))
		for i := range values {
			ptrs[i] = unsafe.Pointer(&values[i])
		}
		pin.Pin(&values[0])
		pin.Pin(&ptrs[0])
		params = &ptrs[0]
	}
	g, b := grid.orOne(), block.orOne()
	return d.check(call, d.cuLaunchKernel(f.f, g.X, g.Y, g.Z, b.X, b.Y, b.Z, sharedBytes, s.stream, params, 0))
}

// packParams stores each kernel argument at the start of its own 8-byte
// slot, which is as wide and as aligned as any parameter type we accept.
func packParams(args []any) ([]uint64, error) {
	values := make([]uint64, len(args))
	for i, a := range args {
		p := unsafe.Pointer(&values[i])
		switch v := a.(type) {
		case uint32:
			*(*uint32)(p) = v
		case int32:
			*(*int32)(p) = v
		case uint64:
			*(*uint64)(p) = v
		case int64:
			*(*int64)(p) = v
		case float32:
			*(*float32)(p) = v
		case float64:
			*(*float64)(p) = v
		case DevicePtr:
			*(*uint64)(p) = uint64(v)
		case int:
			return nil, fmt.Errorf("kernel argument %d: int has no fixed C width; pass int32 or int64", i)
		default:
			return nil, fmt.Errorf("kernel argument %d: %T is not a kernel parameter type "+
				"(use uint32, int32, uint64, int64, float32, float64 or DevicePtr)", i, a)
		}
	}
	return values, nil
}
