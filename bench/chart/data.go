package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Run is one data file: the figures of one benchmark run (a sweep, or one
// machine's table) with where they came from. bench/data/README.md
// describes the format.
type Run struct {
	Path     string   // the file it was read from
	Program  string   // "ours" or "sample" (NVIDIA's CUDA nbody sample)
	GPU      string   // the GPU's name as the chart titles it, e.g. "NVIDIA H200"
	Date     string   // the day of the run, YYYY-MM-DD
	Commands []string // the commands that made the figures, one per "# command:" line
	Devices  []string // the device lines, one per "# device:" line
	Points   []Point  // the figures, in file order
}

// Point is one figure of a run: one line of a data file.
type Point struct {
	Line      int     // the line of the file it came from
	GPUs      int     // GPUs the run used
	Precision string  // "single" (fp32) or "double" (fp64)
	Memory    string  // where the bodies lived: "device" or "host" (-hostmem)
	Exchange  string  // how GPUs shared positions: auto, peer, nccl, host, or "-" (one GPU, or no choice)
	N         int     // bodies
	GIs       float64 // billions of interactions per second
}

// Columns of a data file: required first, then optional with their defaults.
var (
	requiredColumns = []string{"gpus", "precision", "n", "gis"}
	optionalColumns = map[string]string{"memory": "device", "exchange": "-"}
)

// keyLine matches a metadata comment, "# key: value".
var keyLine = regexp.MustCompile(`^#\s*([a-z]+):\s*(.*)$`)

// ReadRuns reads the data files at paths; a directory stands for its *.tsv
// files in name order. The runs come back in that order, which is the order
// in which the chart prefers one file's figure over another's.
func ReadRuns(paths []string) ([]*Run, error) {
	var runs []*Run
	for _, p := range paths {
		files := []string{p}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("reading data: %w", err)
		}
		if st.IsDir() {
			files, err = filepath.Glob(filepath.Join(p, "*.tsv"))
			if err != nil {
				return nil, fmt.Errorf("listing %s: %w", p, err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no *.tsv data files", p)
			}
			sort.Strings(files)
		}
		for _, f := range files {
			r, err := ReadRun(f)
			if err != nil {
				return nil, err
			}
			runs = append(runs, r)
		}
	}
	return runs, nil
}

// ReadRun reads and checks one data file.
func ReadRun(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading data: %w", err)
	}
	defer f.Close()
	return ParseRun(path, f)
}

// ParseRun reads one data file from r; name is used in errors, which have
// the form "name:line: what is wrong".
func ParseRun(name string, r io.Reader) (*Run, error) {
	run := &Run{Path: name}
	var (
		header []string          // column names, once read
		seen   = map[Point]int{} // point key (Line 0, GIs 0) -> line
		lineNo int
	)
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", name, lineNo, fmt.Sprintf(format, a...))
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case strings.HasPrefix(line, "#"):
			if err := run.setKey(line); err != nil {
				return nil, fail("%v", err)
			}
			continue
		case header == nil:
			h, err := parseHeader(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			header = h
			continue
		}
		p, err := parsePoint(header, line)
		if err != nil {
			return nil, fail("%v", err)
		}
		key := p
		key.GIs = 0
		if first, ok := seen[key]; ok {
			return nil, fail("the same run as line %d (%d GPUs, %s, %s memory, exchange %s, n %d)",
				first, p.GPUs, p.Precision, p.Memory, p.Exchange, p.N)
		}
		seen[key] = lineNo
		p.Line = lineNo
		run.Points = append(run.Points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case run.Program == "":
		return nil, fmt.Errorf("%s: no \"# program:\" line (ours or sample)", name)
	case run.GPU == "":
		return nil, fmt.Errorf("%s: no \"# gpu:\" line", name)
	case run.Date == "":
		return nil, fmt.Errorf("%s: no \"# date:\" line", name)
	case len(run.Commands) == 0:
		return nil, fmt.Errorf("%s: no \"# command:\" line", name)
	case len(run.Devices) == 0:
		return nil, fmt.Errorf("%s: no \"# device:\" line", name)
	case header == nil:
		return nil, fmt.Errorf("%s: no header line (columns %s)", name, strings.Join(requiredColumns, ", "))
	case len(run.Points) == 0:
		return nil, fmt.Errorf("%s: no figures after the header", name)
	}
	return run, nil
}

// setKey takes a comment line: "# key: value" for the keys a run knows
// sets it; any other comment is free text.
func (run *Run) setKey(line string) error {
	m := keyLine.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	key, val := m[1], strings.TrimSpace(m[2])
	once := func(dst *string) error {
		if *dst != "" {
			return fmt.Errorf("a second %q line", "# "+key+":")
		}
		if val == "" {
			return fmt.Errorf("%q with nothing after it", "# "+key+":")
		}
		*dst = val
		return nil
	}
	switch key {
	case "program":
		if val != "ours" && val != "sample" {
			return fmt.Errorf("program %q: want ours or sample", val)
		}
		return once(&run.Program)
	case "gpu":
		return once(&run.GPU)
	case "date":
		// The day first; a time or note may follow.
		day, _, _ := strings.Cut(val, " ")
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return fmt.Errorf("date %q: want YYYY-MM-DD first", val)
		}
		val = day
		return once(&run.Date)
	case "command", "device":
		if val == "" {
			return fmt.Errorf("%q with nothing after it", "# "+key+":")
		}
		if key == "command" {
			run.Commands = append(run.Commands, val)
		} else {
			run.Devices = append(run.Devices, val)
		}
	}
	return nil
}

// parseHeader checks the column names of a header line.
func parseHeader(line string) ([]string, error) {
	cols := strings.Split(line, "\t")
	have := map[string]bool{}
	for i, c := range cols {
		c = strings.TrimSpace(c)
		cols[i] = c
		if _, opt := optionalColumns[c]; !opt && !slices.Contains(requiredColumns, c) {
			return nil, fmt.Errorf("header: unknown column %q (columns are tab-separated: %s, and optionally memory, exchange)",
				c, strings.Join(requiredColumns, ", "))
		}
		if have[c] {
			return nil, fmt.Errorf("header: column %q twice", c)
		}
		have[c] = true
	}
	for _, c := range requiredColumns {
		if !have[c] {
			return nil, fmt.Errorf("header: no column %q (columns are tab-separated)", c)
		}
	}
	return cols, nil
}

// parsePoint reads one data line under header.
func parsePoint(header []string, line string) (Point, error) {
	fields := strings.Split(line, "\t")
	if len(fields) != len(header) {
		return Point{}, fmt.Errorf("%d tab-separated fields, the header has %d", len(fields), len(header))
	}
	p := Point{Memory: optionalColumns["memory"], Exchange: optionalColumns["exchange"]}
	for i, col := range header {
		v := strings.TrimSpace(fields[i])
		var err error
		switch col {
		case "gpus":
			p.GPUs, err = positiveInt(v)
		case "n":
			p.N, err = positiveInt(v)
		case "gis":
			p.GIs, err = positiveFloat(v)
		case "precision":
			p.Precision, err = oneOf(v, "single", "double")
		case "memory":
			p.Memory, err = oneOf(v, "device", "host")
		case "exchange":
			p.Exchange, err = oneOf(v, "-", "auto", "peer", "nccl", "host")
		}
		if err != nil {
			return Point{}, fmt.Errorf("%s %q: %w", col, v, err)
		}
	}
	if p.GPUs == 1 && p.Exchange != "-" {
		return Point{}, fmt.Errorf("exchange %q on one GPU: want -", p.Exchange)
	}
	return p, nil
}

// positiveInt parses a whole number of at least 1.
func positiveInt(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, errors.New("want a whole number of at least 1")
	}
	return v, nil
}

// positiveFloat parses a finite number above 0.
func positiveFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return 0, errors.New("not a number (digits and a point, no thousands separators)")
	case v <= 0 || math.IsInf(v, 0) || math.IsNaN(v):
		return 0, errors.New("want a number above 0")
	}
	return v, nil
}

// oneOf returns s when it is one of the allowed values.
func oneOf(s string, allowed ...string) (string, error) {
	if slices.Contains(allowed, s) {
		return s, nil
	}
	return "", fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
}
