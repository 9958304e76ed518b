// Package pathname shows a file's name in a one-line message: as given,
// or quoted with Go's escapes where it holds what would break the line.
//
// # Why
//
// A name may hold a newline, a tab or an escape sequence; printed as it
// is, it splits a message over lines (or rewrites the terminal), and a
// message joined into one line would show its newline as "; ", another
// name. Names without such characters are shown as they are, so the
// sample's lines stay the sample's.
package pathname

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Show is path as a message shows it: as it is, or, when it holds a
// control character or bytes that are not UTF-8, quoted as strconv.Quote
// quotes it ("a\nb").
func Show(path string) string {
	if !utf8.ValidString(path) {
		return strconv.Quote(path)
	}
	for _, r := range path {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return strconv.Quote(path)
		}
	}
	return path
}
