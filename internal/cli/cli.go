// Package cli holds a command's mechanics, apart from what its flags and
// text mean.
//
// # What it holds
//
// Flag names matched in any case and numbers in decimal, as the CUDA
// sample's users expect, and a refused value said as -name=value with what
// it wants; the first signal's context and the exit status a
// shell gives it; a report's writers; files told apart by device and
// inode.
package cli

import (
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AnyCase rewrites the flag names in args as fs defines them, so that
// -numBodies, -NUMBODIES and -numbodies are one flag, as in the sample.
// Values keep their case; "--" ends the flags.
func AnyCase(fs *flag.FlagSet, args []string) []string {
	names := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { names[strings.ToLower(f.Name)] = f.Name })
	out := make([]string, len(args))
	for i, arg := range args {
		out[i] = arg
		if arg == "--" {
			copy(out[i:], args[i:])
			break
		}
		dashes := len(arg) - len(strings.TrimLeft(arg, "-"))
		if dashes == 0 || dashes > 2 {
			continue
		}
		name, value, hasValue := strings.Cut(arg[dashes:], "=")
		if canonical, ok := names[strings.ToLower(name)]; ok {
			out[i] = arg[:dashes] + canonical
			if hasValue {
				out[i] += "=" + value
			}
		}
	}
	return out
}

// decimalValue is an integer flag written in decimal, from lo to hi: the
// flag package's own integers also take 0x100 and 0o17, which the sample's
// atoi reads differently. Set refuses what is not such a number, naming
// the range; the command refuses numbers outside it in its own words.
type decimalValue[T int | uint64] struct {
	p      *T
	lo, hi T
}

// Decimal sets *p to def and returns the flag value that sets it, in
// decimal, from lo to hi.
func Decimal[T int | uint64](p *T, def, lo, hi T) flag.Value {
	*p = def
	return decimalValue[T]{p, lo, hi}
}

func (d decimalValue[T]) String() string {
	if d.p == nil {
		return "0"
	}
	return fmt.Sprint(*d.p)
}

func (d decimalValue[T]) Set(s string) error {
	var err error
	switch p := any(d.p).(type) {
	case *int:
		var n int64
		n, err = strconv.ParseInt(s, 10, strconv.IntSize)
		*p = int(n)
	case *uint64:
		*p, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("want a decimal number from %d to %d", d.lo, d.hi)
	}
	return nil
}

// floatValue is a number flag written in decimal, from lo to hi: the flag
// package's own floats also take 0x1p4, NaN and Inf.
type floatValue struct {
	p      *float64
	lo, hi float64
}

// DecimalFloat sets *p to def and returns the flag value that sets it from
// a decimal number from lo to hi; anything else is refused, naming the
// range.
func DecimalFloat(p *float64, def, lo, hi float64) flag.Value {
	*p = def
	return floatValue{p, lo, hi}
}

func (f floatValue) String() string {
	if f.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*f.p, 'g', -1, 64)
}

func (f floatValue) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "xXnNiI_") || v < f.lo || v > f.hi {
		return fmt.Errorf("want a decimal number from %g to %g", f.lo, f.hi)
	}
	*f.p = v
	return nil
}

// valueRefused is the flag package's refusal of a value: "invalid value
// "x" for flag -name: why", or "invalid boolean value …" for a switch.
var valueRefused = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)

// ParseError is the error of fs.Parse on one line. A refused value reads
// as it was written, -name=value, then what the flag wants: its Value's
// own error, or for the flag package's switches and durations, whose
// error is only "parse error", what they take.
func ParseError(fs *flag.FlagSet, err error) string {
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	m := valueRefused.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	value, uerr := strconv.Unquote(m[1])
	if uerr != nil {
		return msg
	}
	name, why := m[2], m[3]
	if f := fs.Lookup(name); f != nil && why == "parse error" {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			why = "want true or false, or the flag alone"
		} else if g, ok := f.Value.(flag.Getter); ok {
			if _, ok := g.Get().(time.Duration); ok {
				why = "want a duration such as 90s, 10m or 1h30m"
			}
		}
	}
	return fmt.Sprintf("-%s=%s: %s", name, value, why)
}
