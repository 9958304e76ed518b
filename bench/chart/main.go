// Command chart draws the speed chart, docs/speed.png, from the measured
// figures kept in bench/data.
//
// # Chart
//
// It plots billions of interactions per second against the number of bodies,
// ours beside NVIDIA's CUDA nbody sample, fp32 and fp64, on one GPU and on
// two. The same data gives the same picture, byte for byte.
//
// # Data
//
// One file per run; bench/data/README.md has the format. Every file is
// checked first; a malformed line stops it with the file and line named.
//
// # Usage
//
//	chart [-o docs/speed.png] [-gpu "NVIDIA H200"] [FILE or DIR ...]
//
// With no arguments it reads bench/data. `make chart` runs it.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

// config is what one run of chart draws.
type config struct {
	out   string   // the PNG to write
	gpu   string   // the GPU whose runs are drawn, as the files' "# gpu:" lines name it
	paths []string // data files and directories
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a bad flag gets one line from main, not the usage too
	fs.StringVar(&c.out, "o", "docs/speed.png", "the PNG to write")
	fs.StringVar(&c.gpu, "gpu", "NVIDIA H200", `the GPU to draw, as the data files' "# gpu:" lines name it`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "Usage: chart [flags] [FILE or DIR ...]  (default bench/data)")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return c, err
	}
	c.paths = fs.Args()
	if len(c.paths) == 0 {
		c.paths = []string{"bench/data"}
	}
	if c.out == "" {
		return c, errors.New("-o: want a file name")
	}
	return c, nil
}

// run reads and checks the data, draws the chart and writes it whole: the
// PNG goes to a temporary file beside the output, renamed over it at the end.
func run(cfg config) error {
	runs, err := ReadRuns(cfg.paths)
	if err != nil {
		return err
	}
	p, err := Chart(runs, cfg.gpu)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WritePNG(&buf, p); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(cfg.out), ".speed-*.png")
	if err != nil {
		return fmt.Errorf("writing %s: %w", cfg.out, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", cfg.out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", cfg.out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", cfg.out, err)
	}
	if err := os.Rename(tmp.Name(), cfg.out); err != nil {
		return fmt.Errorf("writing %s: %w", cfg.out, err)
	}
	return nil
}
