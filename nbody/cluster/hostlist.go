package cluster

import (
	"fmt"
	"strconv"
	"strings"
)

// maxHosts bounds ExpandHosts, so that a list like n[0-999999999] is an
// error rather than all the memory.
const maxHosts = 1 << 16

// FirstHost returns the first host of a Slurm host list in its compressed
// form, e.g. "gpu01" of "gpu[01-04,07],cpu1".
func FirstHost(list string) (string, error) {
	hosts, err := expand(list, 1)
	if err != nil {
		return "", err
	}
	return hosts[0], nil
}

// ExpandHosts returns every host of a Slurm host list in its compressed
// form: comma-separated names, each with any number of bracketed ranges
// and numbers that keep their zero padding, "gpu[01-03,07]" being gpu01,
// gpu02, gpu03 and gpu07, and "r[1-2]n[1-2]" r1n1, r1n2, r2n1, r2n2.
func ExpandHosts(list string) ([]string, error) { return expand(list, maxHosts) }

// expand returns up to limit hosts of list (an error past maxHosts).
func expand(list string, limit int) ([]string, error) {
	names, err := splitTop(list)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		hosts, err := expandName(name, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, hosts...)
		if len(out) >= limit {
			return out[:limit], nil
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no host", errHostList)
	}
	return out, nil
}

// splitTop splits list at the commas outside brackets.
func splitTop(list string) ([]string, error) {
	var names []string
	depth, start := 0, 0
	for i, c := range list {
		switch c {
		case '[':
			if depth++; depth > 1 {
				return nil, fmt.Errorf("%w: nested brackets", errHostList)
			}
		case ']':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("%w: ']' without '['", errHostList)
			}
		case ',':
			if depth == 0 {
				names = append(names, list[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%w: '[' without ']'", errHostList)
	}
	names = append(names, list[start:])
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("%w: an empty name", errHostList)
		}
	}
	return names, nil
}

// expandName expands one name's brackets, left to right, into at most
// limit hosts (past maxHosts, an error).
func expandName(name string, limit int) ([]string, error) {
	open := strings.IndexByte(name, '[')
	if open < 0 {
		return []string{name}, nil
	}
	end := strings.IndexByte(name[open:], ']') + open
	prefix, ranges, rest := name[:open], name[open+1:end], name[end+1:]
	tails, err := expandName(rest, maxHosts)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range strings.Split(ranges, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := a, error(nil)
		if isRange {
			b, errB = strconv.Atoi(hi)
		}
		if errA != nil || errB != nil || a < 0 || b < a || lo == "" {
			return nil, fmt.Errorf("%w: range %q", errHostList, r)
		}
		if b-a+1 > maxHosts {
			return nil, fmt.Errorf("%w: range %q holds more than %d hosts", errHostList, r, maxHosts)
		}
		for v := a; v <= b; v++ {
			num := fmt.Sprintf("%0*d", len(lo), v)
			for _, t := range tails {
				out = append(out, prefix+num+t)
				if len(out) >= limit {
					return out, nil
				}
				if len(out) > maxHosts {
					return nil, fmt.Errorf("%w: more than %d hosts", errHostList, maxHosts)
				}
			}
		}
	}
	return out, nil
}
