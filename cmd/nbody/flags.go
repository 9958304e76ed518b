package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/render"
)

// Defaults that the report and the README quote.
const (
	defaultIterations    = 10   // the sample's -i default
	defaultBlockSize     = 256  // the sample's -blockSize default
	defaultSeed          = 1    // fixed, so that two runs start from the same bodies
	defaultCPUBodies     = 8192 // the sample's OpenMP build; ours is multi-core too
	defaultCompareBodies = 4096 // the sample's -compare default
	compareDT            = 0.001
	defaultFrames        = 60 // -frames: with -every=4, 240 steps, a 2.4 s loop
	defaultEvery         = 4  // -every: steps between two frames
	maxFrames            = 600
	maxEvery             = 1_000_000
)

// maxGIFBytes bounds the memory an animated GIF's frames take: they are
// all kept until the file is written, since the palette is fitted to all
// of them. Each pixel costs 4 bytes of RGBA and 1 of the paletted copy.
const (
	maxGIFBytes   = 1 << 30
	gifBytesPerPx = 5
)

// options are the parsed command line.
type options struct {
	benchmark, compare, cpu, gpu bool
	fp64, hostmem, fullscreen    bool
	json, help, energy           bool

	numBodies     int // 0: the default for the platform
	iterations    int
	iterationsSet bool
	numDevices    int // 0: not given (one device)
	device        int
	deviceSet     bool
	blockSize     int
	seed          uint64
	compareSteps  int
	tipsy         string
	tipsyFormat   string
	output        string
	exchange      string
	render        string // -render: the .gif or .png the interactive mode draws to
	frames        int
	every         int

	exchangeMode gpu.ExchangeMode // exchange, parsed by check
}

// interactive reports whether the options ask for the sample's
// interactive mode: neither -benchmark nor -compare.
func (o options) interactive() bool { return !o.benchmark && !o.compare }

// renderSize is the size of the images -render draws: the sample's
// window, or the larger -fullscreen size.
func (o options) renderSize() (width, height int) {
	if o.fullscreen {
		return render.FullscreenWidth, render.FullscreenHeight
	}
	return render.WindowWidth, render.WindowHeight
}

// renderFormat is "gif" or "png" from a -render file name's extension,
// in any case, or "" for any other name.
func renderFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gif":
		return "gif"
	case ".png":
		return "png"
	}
	return ""
}

// maxGIFFrames is the most frames of width×height that fit maxGIFBytes.
func maxGIFFrames(width, height int) int {
	return min(maxFrames, maxGIFBytes/(gifBytesPerPx*width*height))
}

// usageError is a mistake on the command line: one line, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// parseFlags reads the command line in the sample's syntax (-flag,
// --flag, -flag=value) and checks every value.
func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("nbody", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // we print one line ourselves, never the usage dump
	fs.Usage = func() {}

	fs.BoolVar(&o.benchmark, "benchmark", false, "")
	fs.BoolVar(&o.compare, "compare", false, "")
	fs.BoolVar(&o.compare, "qatest", false, "")
	fs.BoolVar(&o.cpu, "cpu", false, "")
	fs.BoolVar(&o.gpu, "gpu", false, "")
	fs.BoolVar(&o.fp64, "fp64", false, "")
	fs.BoolVar(&o.hostmem, "hostmem", false, "")
	fs.BoolVar(&o.fullscreen, "fullscreen", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.help, "help", false, "")
	fs.BoolVar(&o.help, "h", false, "")
	fs.IntVar(&o.numBodies, "numbodies", 0, "")
	fs.IntVar(&o.iterations, "i", defaultIterations, "")
	fs.IntVar(&o.numDevices, "numdevices", 0, "")
	fs.IntVar(&o.device, "device", 0, "")
	fs.IntVar(&o.blockSize, "blockSize", defaultBlockSize, "")
	fs.Uint64Var(&o.seed, "seed", defaultSeed, "")
	fs.IntVar(&o.compareSteps, "compare-steps", 1, "")
	fs.StringVar(&o.tipsy, "tipsy", "", "")
	fs.StringVar(&o.tipsyFormat, "tipsy-format", "auto", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.exchange, "exchange", gpu.ExchangeAuto.String(), "")
	fs.StringVar(&o.render, "render", "", "")
	fs.IntVar(&o.frames, "frames", defaultFrames, "")
	fs.IntVar(&o.every, "every", defaultEvery, "")
	fs.BoolVar(&o.energy, "energy", false, "")

	if err := fs.Parse(args); err != nil {
		return o, usageError{"Error: " + oneLine(err.Error())}
	}
	if fs.NArg() > 0 {
		return o, usagef("Error: unexpected argument %q (flags are written -name or -name=value)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.iterationsSet = set["i"]
	o.deviceSet = set["device"]
	if o.help {
		return o, nil
	}
	return o, o.check(set)
}

// check refuses every value the program cannot run with.
func (o *options) check(set map[string]bool) error {
	exchangeMode, exchangeErr := gpu.ParseExchange(o.exchange)
	o.exchangeMode = exchangeMode
	switch {
	case set["numbodies"] && o.numBodies < 1:
		return usagef(`Error: "number of bodies" specified %d is invalid.  Value should be >= 1`, o.numBodies)
	case o.numBodies > nbody.MaxBodies:
		return usagef(`Error: "number of bodies" specified %d is too large.  Value should be <= %d`, o.numBodies, nbody.MaxBodies)
	case set["numdevices"] && o.numDevices < 1:
		return usagef(`Error: "number of CUDA devices" specified %d is invalid.  Value should be >= 1`, o.numDevices)
	case set["numdevices"] && set["device"] && o.numDevices > 1:
		// The sample refuses only several devices with -device: one
		// device starting at -device is what -device alone means.
		return usagef("You can't use --numdevices and --device at the same time.")
	case o.device < 0:
		return usagef(`Error: "device" specified %d is invalid.  Value should be >= 0`, o.device)
	case o.iterations < 1:
		return usagef(`Error: "iterations" specified %d is invalid.  Value should be >= 1`, o.iterations)
	case !validBlockSize(o.blockSize):
		return usagef(`Error: "blockSize" specified %d is invalid.  Value should be a power of two from 32 to 1024`, o.blockSize)
	case o.compareSteps < 1:
		return usagef(`Error: "compare-steps" specified %d is invalid.  Value should be >= 1`, o.compareSteps)
	case !oneOf(o.tipsyFormat, "auto", "native", "standard"):
		return usagef(`Error: "tipsy-format" specified %q is invalid.  Value should be auto, native or standard`, o.tipsyFormat)
	case exchangeErr != nil:
		return usagef(`Error: "exchange" specified %q is invalid.  Value should be auto, peer, nccl or host`, o.exchange)
	case set["tipsy"] && o.tipsy == "":
		return usagef(`Error: "tipsy" needs a file name: -tipsy=<file.bin>`)
	case set["output"] && o.output == "":
		return usagef(`Error: "output" needs a file name: -output=<file.bin>`)
	case set["tipsy"] && set["numbodies"]:
		return usagef("Error: -numbodies cannot be used with -tipsy: the file gives the number of bodies")
	case o.cpu && o.gpu:
		return usagef("Error: -cpu and -gpu cannot be used together")
	}
	return o.checkRender(set)
}

// checkRender refuses the -render, -frames and -every values the
// interactive mode cannot run with, before anything is simulated.
func (o *options) checkRender(set map[string]bool) error {
	width, height := o.renderSize()
	switch {
	case set["render"] && o.render == "":
		return usagef(`Error: "render" needs a file name: -render=<file.gif> or -render=<file.png>`)
	case o.render != "" && renderFormat(o.render) == "":
		return usagef(`Error: "render" specified %q is invalid.  Value should be a file name ending in .gif or .png`, o.render)
	case o.render != "" && !o.interactive():
		return usagef("Error: -render draws the interactive mode; it cannot be used with -benchmark or -compare")
	case (set["frames"] || set["every"]) && o.render == "":
		return usagef("Error: -frames and -every need -render=<file.gif> or -render=<file.png>")
	case o.render != "" && o.iterationsSet:
		return usagef("Error: -i cannot be used with -render, which runs -frames × -every steps")
	case o.frames < 1 || o.frames > maxFrames:
		return usagef(`Error: "frames" specified %d is invalid.  Value should be from 1 to %d`, o.frames, maxFrames)
	case renderFormat(o.render) == "gif" && o.frames > maxGIFFrames(width, height):
		return usagef(`Error: "frames" specified %d is too many for %d×%d images.  Value should be <= %d (a GIF's frames are held in memory until it is written)`,
			o.frames, width, height, maxGIFFrames(width, height))
	case o.every < 1 || o.every > maxEvery:
		return usagef(`Error: "every" specified %d is invalid.  Value should be from 1 to %d`, o.every, maxEvery)
	}
	return nil
}

// validBlockSize reports whether n is a power of two from 32 to 1024.
func validBlockSize(n int) bool {
	return n >= 32 && n <= 1024 && n&(n-1) == 0
}

func oneOf(s string, choices ...string) bool {
	for _, c := range choices {
		if s == c {
			return true
		}
	}
	return false
}

// oneLine joins a possibly multi-line message into one line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
}

// isUsage reports whether err is a command-line mistake.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}
