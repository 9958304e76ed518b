package tipsy

import (
	"errors"
	"fmt"
)

// layout is where a file's parts lie, once its header has been checked
// against its size.
type layout struct {
	format     Format
	header     Header
	headerSize int64 // 28 or 32
}

// errDimension marks a header whose dimension count is not 2 or 3: the sign
// that it was read in the wrong byte order, or is no tipsy header at all.
var errDimension = errors.New("dimension count")

// recordsSize is the number of bytes the header's counts need after it. The
// counts are int32, so the sum cannot overflow an int64.
func recordsSize(h Header) int64 {
	return int64(h.NSph)*gasSize + int64(h.NDark)*darkSize + int64(h.NStar)*starSize
}

// detect reads the header in head (28 or more bytes) in the requested
// format, or in both byte orders for Auto, and returns the one reading that
// agrees with itself and with the file's size.
func detect(head []byte, size int64, want Format) (layout, error) {
	if want != Auto {
		l, err := fit(want, head, size)
		if err == nil {
			return l, nil
		}
		err = fmt.Errorf("not %s: %w", want.describe(), err)
		if other := otherFormat(want); other != Auto {
			if _, otherErr := fit(other, head, size); otherErr == nil {
				err = fmt.Errorf("%w; the file reads as %s", err, other.describe())
			}
		}
		return layout{}, err
	}

	native, nativeErr := fit(Native, head, size)
	standard, standardErr := fit(Standard, head, size)
	switch {
	case nativeErr == nil && standardErr == nil:
		// The dimension count's bytes cannot read 2 or 3 in both orders,
		// so this needs a header no writer makes; refuse to guess.
		return layout{}, errors.New("the header reads as both native and standard tipsy; name the format")
	case nativeErr == nil:
		return native, nil
	case standardErr == nil:
		return standard, nil
	case errors.Is(nativeErr, errDimension) && errors.Is(standardErr, errDimension):
		le := decodeHeader(head, orderOf(Native)).NDim
		be := decodeHeader(head, orderOf(Standard)).NDim
		return layout{}, fmt.Errorf("not a tipsy file: the dimension count reads %d little-endian and %d big-endian, want 2 or 3", le, be)
	case errors.Is(standardErr, errDimension):
		return layout{}, fmt.Errorf("%w (read as %s)", nativeErr, Native.describe())
	default:
		return layout{}, fmt.Errorf("%w (read as %s)", standardErr, Standard.describe())
	}
}

// otherFormat returns the concrete format that is not f.
func otherFormat(f Format) Format {
	switch f {
	case Native:
		return Standard
	case Standard:
		return Native
	}
	return Auto
}

// fit reads the header in format f and checks it: a dimension count of 2
// or 3, counts that are not negative and add up to nbodies, at least one
// particle, and a file exactly as long as the header (padded or not) and
// the records the counts ask for.
func fit(f Format, head []byte, size int64) (layout, error) {
	h := decodeHeader(head, orderOf(f))
	if h.NDim != 2 && h.NDim != 3 {
		return layout{}, fmt.Errorf("%w %d, want 2 or 3", errDimension, h.NDim)
	}
	if h.NSph < 0 || h.NDark < 0 || h.NStar < 0 {
		return layout{}, fmt.Errorf("negative particle count (nsph %d, ndark %d, nstar %d)", h.NSph, h.NDark, h.NStar)
	}
	sum := int64(h.NSph) + int64(h.NDark) + int64(h.NStar)
	if sum != int64(h.NBodies) {
		return layout{}, fmt.Errorf("the header says nbodies %d but nsph %d + ndark %d + nstar %d = %d",
			h.NBodies, h.NSph, h.NDark, h.NStar, sum)
	}
	if sum == 0 {
		return layout{}, errors.New("no particles (nbodies 0)")
	}
	records := recordsSize(h)
	padded, unpadded := headerFieldsSize+headerPadSize+records, headerFieldsSize+records
	switch size {
	case padded:
		return layout{f, h, headerFieldsSize + headerPadSize}, nil
	case unpadded:
		return layout{f, h, headerFieldsSize}, nil
	}
	problem := "the file size disagrees with the header"
	if size < unpadded {
		problem = "truncated"
	}
	return layout{}, fmt.Errorf("%s: the counts (nsph %d, ndark %d, nstar %d) need a file of %d bytes (%d with an unpadded header), this one has %d",
		problem, h.NSph, h.NDark, h.NStar, padded, unpadded, size)
}
