package modes

import (
	"context"
	"errors"
	"time"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/render"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// RunOptions are one run of the program: where it runs, the bodies it
// starts from, and what it does with them. With neither Benchmark nor
// Compare it runs the interactive mode (View).
type RunOptions struct {
	Platform PlatformOptions
	Params   nbody.Params // the preset: time step, softening, camera

	// The bodies: the tipsy file at Tipsy, or the sample's shell of
	// Bodies bodies (0: the platform's default) from Seed.
	Tipsy       string
	TipsyFormat tipsy.Format
	Bodies      int
	Seed        uint64

	Benchmark    bool
	Steps        int // the benchmark's timed steps
	Compare      bool
	CompareSteps int

	// The interactive mode: ViewSteps steps (0: until ctx is cancelled),
	// or with Render, Frames × Every steps drawn to that .gif or .png, at
	// the sample's window size or its full screen.
	ViewSteps     int
	Render        string
	Frames, Every int
	Fullscreen    bool
	Energy        bool   // measure the energy at the start and the end
	Output        string // write the bodies at the end as a tipsy snapshot
	// LongerThan, when set, makes the observer hear of a run that cannot
	// take less than that on the platform, before it starts.
	LongerThan time.Duration
	// Progress, when set, hears the benchmark's and the comparison's
	// steps (which are then timed in calls of a fraction of a second).
	Progress Progress
	// ExitAfter says the process ends as soon as Run returns. A run in
	// one process that succeeded then leaves the GPUs' contexts for the
	// exit to free, as the CUDA sample's exit does: the kernel frees them
	// in one pass either way, and releasing them first only added its
	// own ~20 ms to the time the user waits (bench/RESULTS.md, start-up
	// against the sample). A run that failed, or one over several
	// processes, still closes everything.
	ExitAfter bool
}

// BodiesInfo says which bodies a run starts from.
type BodiesInfo struct {
	N      int
	Source string  // "shell", or the tipsy file
	Seed   *uint64 // generated bodies only
	Given  bool    // the number was asked for, not the default
}

// ViewPlan is what the interactive mode is about to do.
type ViewPlan struct {
	Steps, Every  int               // 0 steps: until cancelled
	Frames        *render.Recording // nil without a file to draw
	Width, Height int
}

// FramesFileError is a frames file that could not be created.
type FramesFileError struct{ Err error }

func (e *FramesFileError) Error() string { return e.Err.Error() }
func (e *FramesFileError) Unwrap() error { return e.Err }

// OutputError is a snapshot that cannot be, or could not be, written.
type OutputError struct {
	Path string
	Err  error
}

// Error says what failed; tipsy's errors already name the file.
func (e *OutputError) Error() string { return "writing " + e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }

// Run is the whole program's run: it opens the platform, makes or reads
// the bodies, runs the benchmark and the comparison or the interactive
// mode, measures the energy and writes the snapshot, telling obs of each
// as it happens. A failed comparison is an event, not an error.
// Cancelling ctx stops the benchmark and the comparison with ctx's error,
// and ends the interactive mode as closing the sample's window does.
//
// With o.Platform.Cluster one of several processes, every process runs
// the same run over one simulation (the benchmark or the comparison; the
// interactive mode is refused): bodies generated from the seed in every
// process, or read from the tipsy file by rank 0 and handed to the others;
// rank 0 alone tells obs and writes the snapshot, the others run silent. A
// process that fails tells the others, and another process's end ends
// this one's run with a *cluster.PeerError naming its rank, within 10 s.
func Run(ctx context.Context, o RunOptions, obs Observer) (err error) {
	if o.Platform.Cluster.Multi() && o.interactive() {
		return &ClusterError{"a simulation over several processes runs the benchmark or the comparison, not the interactive mode"}
	}
	p, err := openPlatform(ctx, o.Platform, obs)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && p.Session != nil {
			p.Session.Fail(err) // the other processes must not wait for this one
		}
		if o.ExitAfter && err == nil && p.Session == nil {
			return
		}
		p.Close()
	}()
	lead := p.Rank == 0
	if !lead {
		obs, o.Progress = nil, nil
	}
	obs.tell(Opened{p})
	if o.Output != "" && lead {
		// Fail before the run, not after it, when the snapshot cannot be written.
		if err := tipsy.CheckWritable(o.Output); err != nil {
			return &OutputError{o.Output, err}
		}
	}
	in, err := initialBodies(p, o, obs)
	if err != nil {
		return err
	}
	var energy *EnergyCheck
	if o.Energy {
		energy = StartEnergy(in.Bodies, o.Params.Softening)
	}
	// A run that failed but left its bodies (a frames file that could not
	// be written) still measures and saves them: nothing it computed is lost.
	end, err := runModes(ctx, p, in.Bodies, o, obs)
	if end == nil {
		return err
	}
	tellNonFinite(obs, end.Bodies)
	if energy != nil {
		obs.tell(energy.Finish(*end))
	}
	if o.Output != "" && lead {
		if saveErr := in.Save(o.Output, end.Bodies); saveErr != nil {
			return errors.Join(err, &OutputError{o.Output, saveErr})
		}
		obs.tell(Saved{o.Output})
	}
	return err
}

// interactive reports whether the options ask for the interactive mode.
func (o RunOptions) interactive() bool { return !o.Benchmark && !o.Compare }

// work is how many steps of the platform's integrator the run takes, and
// how many the reference takes beside it, at least.
func (o RunOptions) work() (steps, compareSteps int) {
	switch {
	case o.interactive() && o.Render != "":
		return o.Frames * o.Every, 0
	case o.interactive():
		return max(1, o.ViewSteps), 0 // until cancelled: at least one step
	}
	if o.Benchmark {
		steps = o.Steps
	}
	if o.Compare {
		compareSteps = o.CompareSteps
	}
	return steps, compareSteps
}

// initialBodies reads the tipsy file or generates the sample's shell, and
// warns when the run cannot be short.
func initialBodies(p *Platform, o RunOptions, obs Observer) (Initial, error) {
	warn := func(n int) {
		steps, compareSteps := o.work()
		if d := p.ShortestTime(n, steps, compareSteps, o.Platform.Precision); d > o.LongerThan && o.LongerThan > 0 {
			obs.tell(LongRun{n, steps + compareSteps, d})
		}
	}
	if o.Tipsy != "" && p.Session != nil && p.Rank != 0 {
		// Rank 0 reads the file, which only its machine may hold.
		b, err := gpu.ShareBodies(p.Session, p.Rank, nbody.Bodies{})
		return Initial{Bodies: b, Source: o.Tipsy}, err
	}
	if o.Tipsy != "" {
		obs.tell(ReadingFile{o.Tipsy})
		in, err := ReadTipsy(o.Tipsy, o.TipsyFormat)
		if err != nil {
			return in, err
		}
		if p.Session != nil {
			if _, err := gpu.ShareBodies(p.Session, p.Rank, in.Bodies); err != nil {
				return in, err
			}
		}
		obs.tell(BodiesInfo{N: in.Bodies.N(), Source: in.Source})
		warn(in.Bodies.N())
		return in, nil
	}
	n := o.Bodies
	if n == 0 {
		n = p.DefaultBodies(o.Compare)
	}
	seed := o.Seed
	obs.tell(BodiesInfo{N: n, Source: nbody.Shell.String(), Seed: &seed, Given: o.Bodies != 0})
	warn(n)
	return GenerateShell(n, o.Seed)
}

// runModes runs the interactive mode, or the benchmark and the comparison,
// and returns where they left the bodies (the benchmark's when both ran);
// with an error, the bodies only when the run itself ended whole (its
// frames file could not be written), else nil.
func runModes(ctx context.Context, p *Platform, b nbody.Bodies, o RunOptions, obs Observer) (*EndState, error) {
	if o.interactive() {
		return view(ctx, p, b, o, obs)
	}
	var end *EndState
	if o.Benchmark {
		// The bodies come back for the snapshot and the energy, and, where
		// that is cheap, to tell a simulation that broke down (NaN).
		keep := o.Output != "" || o.Energy || (b.N() <= checkFiniteUpTo && p.Session == nil)
		r, err := Benchmark(ctx, p, b, BenchmarkOptions{Steps: o.Steps, DT: o.Params.DT, KeepBodies: keep}, o.Progress)
		if err != nil {
			return nil, err
		}
		obs.tell(r)
		end = &r.End
	}
	if o.Compare {
		c, got, err := Compare(ctx, p, b, CompareOptions{Steps: o.CompareSteps}, o.Progress)
		if err != nil {
			return nil, err
		}
		obs.tell(c)
		if end == nil {
			end = &got
		}
	}
	return end, nil
}

// view runs the interactive mode, drawing to the frames file when there is
// one and writing it at the end, also when ctx ended the run.
func view(ctx context.Context, p *Platform, b nbody.Bodies, o RunOptions, obs Observer) (*EndState, error) {
	v := ViewOptions{DT: o.Params.DT, Every: o.Every, Steps: o.ViewSteps, OnStatus: func(s Status) { obs.tell(s) }}
	plan := ViewPlan{Steps: o.ViewSteps, Every: o.Every}
	plan.Width, plan.Height = render.Size(o.Fullscreen)
	if o.Render != "" {
		rec, err := render.Create(o.Render, plan.Width, plan.Height, o.Params, o.Platform.Precision)
		if err != nil {
			return nil, &FramesFileError{err}
		}
		defer rec.Abandon()
		v.Frames, v.Steps = rec, o.Frames*o.Every
		plan.Frames, plan.Steps = rec, v.Steps
	}
	obs.tell(plan)
	r, err := View(ctx, p, b, v)
	if err != nil {
		return nil, err
	}
	obs.tell(r)
	if plan.Frames != nil {
		if err := plan.Frames.Write(); err != nil {
			return &r.End, err // the bodies are still the run's
		}
		obs.tell(r.Drawn)
	}
	return &r.End, nil
}
