package tipsy

import "fmt"

// Format is a tipsy file's layout.
type Format int

const (
	// Auto detects the layout from the file's header and size. It is only
	// a request: a snapshot that was read has Native or Standard.
	Auto Format = iota
	// Native is the CUDA sample's layout: little-endian, a 32-byte header
	// (little-endian files with a 28-byte one are read too), an int32
	// particle id ending each dark and star record.
	Native
	// Standard is standard tipsy: big-endian, a 32- or 28-byte header, a
	// float32 phi ending every record.
	Standard
)

// String returns the format's name as ParseFormat accepts it.
func (f Format) String() string {
	switch f {
	case Auto:
		return "auto"
	case Native:
		return "native"
	case Standard:
		return "standard"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the format named "auto", "native" or "standard".
func ParseFormat(s string) (Format, error) {
	for _, f := range []Format{Auto, Native, Standard} {
		if s == f.String() {
			return f, nil
		}
	}
	return Auto, fmt.Errorf("unknown tipsy format %q (want auto, native or standard)", s)
}

// describe names the format with its byte order, for error messages.
func (f Format) describe() string {
	switch f {
	case Native, Standard:
		return fmt.Sprintf("%v tipsy (%s)", f, f.byteOrder())
	}
	return f.String()
}

// byteOrder names the format's byte order, for error messages.
func (f Format) byteOrder() string {
	switch f {
	case Native:
		return "little-endian"
	case Standard:
		return "big-endian"
	}
	return "unknown byte order"
}
