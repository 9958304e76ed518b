package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/render"
	"github.com/nbody-go/nbody/nbody/tipsy"
	"github.com/nbody-go/nbody/nbody/validate"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// Defaults that the report and the README quote.
const (
	defaultIterations  = 10          // the sample's -i default
	defaultBlockSize   = 256         // the sample's -blockSize default
	defaultSeed        = 1           // fixed, so that two runs start from the same bodies
	defaultNodeTimeout = time.Minute // -node-timeout
	defaultFrames      = 60          // -frames: with -every=4, 240 steps, a 2.4 s loop
	defaultEvery       = 4           // -every: steps between two frames
	maxFrames          = 600
	maxEvery           = 1_000_000
)

// options are the parsed command line.
type options struct {
	benchmark, compare, cpu, gpu bool
	fp64, hostmem, fullscreen    bool
	json, help, energy           bool
	allDevices                   bool // validate every GPU, each on its own bodies

	duration       time.Duration // -alldevices: run for this long
	slowRatio      float64       // -alldevices: a GPU below this share of the median fails
	minGIPS        float64       // -alldevices: a GPU below this rate fails
	minShare       float64       // -alldevices: a GPU below this share of its expected rate fails; 0: never
	terminationLog string        // -alldevices: where the one-line summary goes
	nodeTimeout    time.Duration // -alldevices over ranks: the join's limit, and beyond -duration the results'
	network        bool          // -alldevices over ranks: also measure NCCL's all-gather between them
	networkFloor   float64       // -network: the world's bus bandwidth below this (GB/s) fails; 0: none

	numBodies       int // 0: the default for the platform
	iterations      int
	iterationsSet   bool
	numDevices      int  // 0: not given (one device)
	gpuAsked        bool // -gpu, -device, -numdevices, -hostmem or -blockSize: no GPU is an error
	device          int
	blockSize       int
	seed            uint64
	compareSteps    int
	tipsy           string
	tipsyFormat     tipsy.Format
	tipsyFormatName string // as given; check parses it into tipsyFormat
	output          string
	exchangeName    string // as given; check parses it into exchange
	exchange        gpu.ExchangeMode
	render          string // -render: the .gif or .png the interactive mode draws to
	frames          int
	every           int
	place           cluster.Spec // -ranks, -rank, -coordinator, -job, -secret-file; check completes it from a launcher's environment
	ncclLibrary     string       // NCCL's library from the launchers' environment (NBODY_NCCL_LIBRARY); "" for the loader's

	notices []string // lines for stderr before the run: what check chose to ignore
}

// mode names the run the options ask for, as -json reports it.
func (o options) mode() string {
	switch {
	case o.allDevices:
		return "validate"
	case o.interactive():
		return "interactive"
	case o.benchmark && o.compare:
		return "benchmark+compare"
	case o.compare:
		return "compare"
	}
	return "benchmark"
}

// interactive reports whether the options ask for the sample's
// interactive mode: neither -benchmark, -compare nor -alldevices.
func (o options) interactive() bool { return !o.benchmark && !o.compare && !o.allDevices }

// usageError is a mistake on the command line: one line, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// newFlagSet defines every flag into o. The sample's own flags carry no
// usage text (the sample's option list describes them); ours carry the
// line -help prints for them, with the value's name in backquotes.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("nbody", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // we print one line ourselves, never the usage dump
	fs.Usage = func() {}
	fs.BoolVar(&o.benchmark, "benchmark", false, "")
	fs.BoolVar(&o.compare, "compare", false, "")
	fs.BoolVar(&o.cpu, "cpu", false, "")
	fs.BoolVar(&o.fp64, "fp64", false, "")
	fs.BoolVar(&o.hostmem, "hostmem", false, "")
	fs.BoolVar(&o.fullscreen, "fullscreen", false, "")
	fs.Var(cli.Decimal(&o.numBodies, 0, 1, nbody.MaxBodies), "numbodies", "")
	fs.Var(cli.Decimal(&o.numDevices, 0, 1, math.MaxInt), "numdevices", "")
	fs.Var(cli.Decimal(&o.device, 0, 0, math.MaxInt), "device", "")
	fs.StringVar(&o.tipsy, "tipsy", "", "")
	fs.BoolVar(&o.help, "h", false, "")

	fs.Var(cli.Decimal(&o.iterations, defaultIterations, 1, math.MaxInt), "i", "`n` steps that -benchmark times, default 10; without a mode, the steps to run, default until Ctrl-C")
	fs.Var(cli.Decimal(&o.blockSize, defaultBlockSize, 32, 1024), "blockSize", "`n` GPU threads per block, a multiple of 32 from 32 to 1024; default 256")
	fs.BoolVar(&o.compare, "qatest", false, "same as -compare")
	fs.BoolVar(&o.gpu, "gpu", false, "run on the GPU, and fail when there is none; without it, -device, -numdevices, -hostmem, -blockSize and -alldevices, no GPU means a run on the CPU")
	fs.Var(cli.Decimal(&o.seed, defaultSeed, 0, math.MaxUint64), "seed", "the `seed` of the generated bodies; default 1")
	fs.Var(cli.Decimal(&o.compareSteps, 1, 1, math.MaxInt), "compare-steps", "`k` steps of dt 0.001 that -compare takes before comparing; default 1")
	fs.StringVar(&o.tipsyFormatName, "tipsy-format", "auto", "the `format` of -tipsy: auto, native or standard; default auto")
	fs.StringVar(&o.output, "output", "", "write the final bodies as a tipsy snapshot to `file.bin`")
	fs.StringVar(&o.exchangeName, "exchange", gpu.ExchangeAuto.String(), "the `way` several GPUs exchange bodies: auto, peer, nccl or host; default auto")
	fs.StringVar(&o.render, "render", "", "without -benchmark or -compare: draw the bodies to `file`, an animated .gif or a final .png")
	fs.Var(cli.Decimal(&o.frames, defaultFrames, 1, maxFrames), "frames", "`k` frames that -render draws; default 60, at most 600")
	fs.Var(cli.Decimal(&o.every, defaultEvery, 1, maxEvery), "every", "`s` steps between two frames; default 4")
	fs.BoolVar(&o.energy, "energy", false, "print the energy and momentum at the start and the end, and the energy drift")
	fs.BoolVar(&o.allDevices, "alldevices", false, "validate every GPU: each runs its own simulation at once; a line and a verdict per GPU")
	fs.DurationVar(&o.duration, "duration", 0, "-alldevices: keep stepping for `d` (90s, 10m), in windows of a second")
	fs.Var(cli.DecimalFloat(&o.slowRatio, validate.DefaultSlowRatio, 0, 1), "slow-ratio", "-alldevices: a GPU below `r` times the median fails; default 0.9")
	fs.Var(cli.DecimalFloat(&o.minGIPS, 0, 0, 1e9), "min-gips", "-alldevices: a GPU below `x` billion interactions per second fails")
	fs.Var(cli.DecimalFloat(&o.minShare, expect.DefaultMinShare, 0, 1), "min-share", "-alldevices: a GPU below `s` times the rate expected of its chip fails; 0: never; default 0.75")
	fs.DurationVar(&o.nodeTimeout, "node-timeout", defaultNodeTimeout, "-alldevices over several processes: rank 0 waits `d` for the ranks to connect, and -duration + d for their results; default 1m")
	fs.BoolVar(&o.network, "network", false, "-alldevices over several processes: also measure NCCL's all-gather between them, the exchange of a simulation over processes; a bus bandwidth per rank and the world's")
	fs.Var(cli.DecimalFloat(&o.networkFloor, 0, 0, 1e6), "network-floor", "-network: the world's bus bandwidth below `GB/s` fails the cluster")
	fs.StringVar(&o.terminationLog, "termination-log", "", "-alldevices: write the one-line verdict to `path` too; Kubernetes reads /dev/termination-log")
	fs.Func("ranks", "run one simulation as `R` processes, each on its GPUs: with -rank and -coordinator, or as torchrun, Slurm, Open MPI or a Kubernetes Indexed Job set them", o.place.SetRanks)
	fs.Func("rank", "this process's `i` of -ranks, from 0; rank 0 reports", o.place.SetRank)
	fs.Func("coordinator", "`host:port` where rank 0 listens and the other ranks join it", o.place.SetCoordinator)
	fs.Func("job", "the job's `id`, the same on every rank: rank 0 turns away ranks of another job; under Slurm it picks the port; default the launcher's job or run id", o.place.SetJob)
	fs.Func("secret-file", "a secret that every rank shares, read from `path` (else NBODY_SECRET): rank 0 turns away ranks without it", o.place.SetSecretFile)
	fs.BoolVar(&o.json, "json", false, "print one JSON object with every figure instead of the report")
	fs.BoolVar(&o.help, "help", false, "print this list and exit; -h too")
	return fs
}

// parseFlags reads the command line in the sample's syntax (-flag,
// --flag, -flag=value, names in any case as the sample matches them) and
// checks every value. Numbers are decimal.
func parseFlags(args []string) (options, error) {
	var o options
	fs := newFlagSet(&o)
	if err := fs.Parse(cli.AnyCase(fs, args)); err != nil {
		msg := cli.ParseError(fs, err)
		if strings.HasPrefix(msg, "flag provided but not defined") {
			msg += " (nbody -help lists the flags)"
		}
		return o, usageError{"Error: " + msg}
	}
	if fs.NArg() > 0 {
		return o, usagef("Error: unexpected argument %q (flags are written -name or -name=value; nbody -help lists them)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.iterationsSet = set["i"]
	o.gpuAsked = set["gpu"] || set["device"] || set["numdevices"] || set["hostmem"] || set["blockSize"] || o.allDevices
	if o.help {
		return o, nil
	}
	return o, o.check(set)
}

// check refuses every value the program cannot run with.
func (o *options) check(set map[string]bool) error {
	// The count is held to nbody.CheckCount, the one rule for it; the
	// refusal is in the sample's words.
	if set["numbodies"] && nbody.CheckCount(o.numBodies) != nil {
		if o.numBodies < 1 {
			return usagef(`Error: "number of bodies" specified %d is invalid.  Value should be >= 1 (and <= %d)`, o.numBodies, nbody.MaxBodies)
		}
		return usagef(`Error: "number of bodies" specified %d is too large.  Value should be <= %d`, o.numBodies, nbody.MaxBodies)
	}
	switch {
	case set["numdevices"] && o.numDevices < 1:
		return usagef(`Error: "number of CUDA devices" specified %d is invalid.  Value should be >= 1`, o.numDevices)
	case o.cpu && o.gpuAsked:
		return usagef("Error: -cpu cannot be used with -gpu, -device, -numdevices, -hostmem or -alldevices, which ask for a GPU")
	case set["compare-steps"] && !o.compare:
		return usagef("Error: -compare-steps needs -compare")
	case o.iterationsSet && o.compare && !o.benchmark:
		return usagef("Error: -i counts the steps -benchmark times; -compare takes -compare-steps")
	case set["blockSize"] && o.cpu:
		return usagef("Error: -blockSize is the GPU's; it cannot be used with -cpu")
	case o.output != "" && o.output == o.render:
		return usagef("Error: -output and -render cannot write the same file")
	case o.json && (o.output == "/dev/stdout" || o.output == "/dev/fd/1"):
		return usagef("Error: -output=/dev/stdout cannot be used with -json, which is all that goes to standard output")
	case set["numdevices"] && set["device"] && o.numDevices > 1:
		// The sample refuses only several devices with -device: one
		// device starting at -device is what -device alone means.
		return usagef("You can't use --numdevices and --device at the same time.")
	case o.device < 0:
		return usagef(`Error: "device" specified %d is invalid.  Value should be >= 0`, o.device)
	case o.iterations < 1:
		return usagef(`Error: "iterations" specified %d is invalid.  Value should be >= 1`, o.iterations)
	case gpu.CheckBlockSize(o.blockSize) != nil:
		return usagef(`Error: "blockSize" specified %d is invalid.  Value should be a multiple of 32 from 32 to 1024`, o.blockSize)
	case o.compareSteps < 1:
		return usagef(`Error: "compare-steps" specified %d is invalid.  Value should be >= 1`, o.compareSteps)
	case !o.parseTipsyFormat():
		return usagef(`Error: "tipsy-format" specified %q is invalid.  Value should be auto, native or standard`, o.tipsyFormatName)
	case !o.parseExchange():
		return usagef(`Error: "exchange" specified %q is invalid.  Value should be auto, peer, nccl or host`, o.exchangeName)
	case set["tipsy"] && o.tipsy == "":
		return usagef(`Error: "tipsy" needs a file name: -tipsy=<file.bin>`)
	case set["output"] && o.output == "":
		return usagef(`Error: "output" needs a file name: -output=<file.bin>`)
	case set["tipsy"] && set["numbodies"]:
		return usagef("Error: -numbodies cannot be used with -tipsy: the file gives the number of bodies")
	case set["seed"] && o.tipsy != "":
		return usagef("Error: -seed cannot be used with -tipsy: the file gives the bodies")
	case set["tipsy-format"] && o.tipsy == "":
		return usagef("Error: -tipsy-format needs -tipsy=<file.bin>")
	case set["exchange"] && o.numDevices < 2:
		return usagef("Error: -exchange needs several GPUs: -numdevices=N with N >= 2")
	}
	if err := o.checkValidation(set); err != nil {
		return err
	}
	jobFlags := func() string { return givenNeed(set, "job", "secret-file") }
	if one := o.oneProcess(); one != "" && (set["job"] || set["secret-file"]) {
		return usagef("Error: %s a run over several processes: %s runs in one process", jobFlags(), one)
	}
	if one := o.oneProcess(); one != "" && !o.place.Given() {
		// A launcher's environment fills in only what the mode can use:
		// srun -N16 nbody -alldevices checks every machine, each alone.
		if l, ok := cluster.LaunchedBy(os.LookupEnv); ok {
			o.notices = append(o.notices, fmt.Sprintf("> Ignoring %s: %s runs in one process", l, one))
		}
		o.place = cluster.Spec{}
		return o.checkRender(set)
	}
	if err := o.place.Detect(); err != nil {
		return usagef("Error: %v (-ranks=R -rank=I -coordinator=HOST:PORT)", err)
	}
	if (set["job"] || set["secret-file"]) && !o.place.Multi() {
		return usagef("Error: %s a run over several processes: -ranks=R, or a launcher (torchrun, srun, mpirun, an Indexed Job) that starts several", jobFlags())
	}
	if o.network && !o.place.Multi() {
		return usagef("Error: -network measures the network between several processes: -ranks=R, or a launcher (torchrun, srun, mpirun, an Indexed Job) that starts several")
	}
	o.ncclLibrary = cluster.NCCLLibrary()
	if o.place.Multi() && o.oneProcess() != "" {
		return usagef("Error: several processes (-ranks) run -benchmark, -compare or -alldevices in GPU memory: not with -cpu or -hostmem")
	}
	return o.checkRender(set)
}

// oneProcess names what makes the run one that takes no ranks (-cpu, the
// interactive mode), or is "" for a run that may be one of several
// processes: -alldevices under a launcher validates the cluster, each
// process its share of its machine's GPUs.
func (o *options) oneProcess() string {
	switch {
	case o.allDevices:
		return ""
	case o.cpu:
		return "-cpu"
	case o.hostmem:
		return "-hostmem"
	case o.interactive():
		return "the interactive mode"
	}
	return ""
}

// checkValidation refuses what -alldevices cannot run with: it runs every
// GPU on its own generated bodies, timed as -benchmark is.
func (o *options) checkValidation(set map[string]bool) error {
	switch {
	case !o.allDevices && (set["duration"] || set["slow-ratio"] || set["min-gips"] || set["min-share"] || set["termination-log"] || set["node-timeout"] ||
		set["network"] || set["network-floor"]):
		return usagef("Error: %s -alldevices", givenNeed(set, "duration", "slow-ratio", "min-gips", "min-share", "termination-log", "node-timeout", "network", "network-floor"))
	case set["network-floor"] && !o.network:
		return usagef("Error: -network-floor needs -network")
	case !o.allDevices:
		return nil
	case o.cpu || set["device"] || set["numdevices"] || o.compare || o.tipsy != "" || o.render != "" || o.output != "" || o.energy:
		return usagef("Error: -alldevices runs every GPU on its own bodies: it cannot be used with -cpu, -device, -numdevices, -compare, -tipsy, -render, -output or -energy")
	case o.duration < 0 || (set["duration"] && o.duration == 0):
		return usagef(`Error: "duration" specified %s is invalid.  Value should be a positive Go duration such as 90s or 10m`, o.duration)
	case o.nodeTimeout <= 0:
		return usagef(`Error: "node-timeout" specified %s is invalid.  Value should be a positive Go duration such as 30s or 2m`, o.nodeTimeout)
	}
	return nil
}

// checkRender refuses the -render, -frames and -every values the
// interactive mode cannot run with, before anything is simulated.
func (o *options) checkRender(set map[string]bool) error {
	width, height := render.Size(o.fullscreen)
	format, isImage := render.FileFormatOf(o.render)
	gifFrames := min(maxFrames, render.MaxGIFFrames(width, height))
	switch {
	case set["render"] && o.render == "":
		return usagef(`Error: "render" needs a file name: -render=<file.gif> or -render=<file.png>`)
	case o.render != "" && !isImage:
		return usagef(`Error: "render" specified %q is invalid.  Value should be a file name ending in .gif or .png`, o.render)
	case o.render != "" && !o.interactive():
		return usagef("Error: -render draws the interactive mode; it cannot be used with -benchmark or -compare")
	case (set["frames"] || set["every"]) && o.render == "":
		return usagef("Error: %s -render=<file.gif> or -render=<file.png>", givenNeed(set, "frames", "every"))
	case o.render != "" && o.iterationsSet:
		return usagef("Error: -i cannot be used with -render, which runs -frames × -every steps")
	case o.frames < 1 || o.frames > maxFrames:
		return usagef(`Error: "frames" specified %d is invalid.  Value should be from 1 to %d`, o.frames, maxFrames)
	case format == render.GIF && o.frames > gifFrames:
		return usagef(`Error: "frames" specified %d is too many for %d×%d images.  Value should be <= %d (a GIF's frames are held in memory until it is written)`,
			o.frames, width, height, gifFrames)
	case o.every < 1 || o.every > maxEvery:
		return usagef(`Error: "every" specified %d is invalid.  Value should be from 1 to %d`, o.every, maxEvery)
	}
	return nil
}

// parseTipsyFormat sets tipsyFormat from its name, and reports whether
// the name is one.
func (o *options) parseTipsyFormat() bool {
	f, err := tipsy.ParseFormat(o.tipsyFormatName)
	o.tipsyFormat = f
	return err == nil
}

// parseExchange sets exchange from its name, and reports whether the name
// is one.
func (o *options) parseExchange() bool {
	x, err := gpu.ParseExchange(o.exchangeName)
	o.exchange = x
	return err == nil
}

// givenNeed names the flags of names that set holds, with the verb that
// follows them: "-a needs", "-a and -b need", "-a, -b and -c need", so
// that a refusal names what was given, not every flag it could have been.
func givenNeed(set map[string]bool, names ...string) string {
	var given []string
	for _, n := range names {
		if set[n] {
			given = append(given, "-"+n)
		}
	}
	if len(given) == 1 {
		return given[0] + " needs"
	}
	return strings.Join(given[:len(given)-1], ", ") + " and " + given[len(given)-1] + " need"
}

// oneLine joins a possibly multi-line message into one line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
}
