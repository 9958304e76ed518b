package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
)

// errValidationFailed ends a validation in which a GPU failed; the report
// has already said which and why.
var errValidationFailed = errors.New("a GPU failed its validation")

// gpuSource is where -alldevices finds its GPUs, opens them and reads
// their state: the driver and NVML. The tests put fake devices in their
// place (main_test.go), to run whole processes, and clusters of them,
// without a GPU.
type gpuSource struct {
	list      func() ([]gpu.Device, error)
	open      func(gpu.Device) (nbody.Integrator, error) // nil: the GPU's own integrator
	telemetry func() (validate.Telemetry, error)
	// networkID and allGather are -network's NCCL: an id, on rank 0, and
	// one rank's measurement.
	networkID func(library string) ([]byte, error)
	allGather func(gpu.AllGatherOptions) (gpu.AllGatherFigure, error)
}

var devices = gpuSource{list: modes.ListGPUs, telemetry: validate.NVMLTelemetry, networkID: gpu.NewWorldID, allGather: gpu.MeasureAllGather}

// validate runs -alldevices: every GPU its own simulation at once, then a
// line per GPU and the verdict; over several processes, the cluster's
// (validateCluster). A signal ends it early with the report so far, as a
// cluster's grace period does. -termination-log gets the verdict or, when
// there is none, why.
func (a *app) validate() (err error) {
	o := a.o
	if o.terminationLog != "" {
		// Found out now, not after a validation of many minutes.
		if err := openable(o.terminationLog); err != nil {
			return fmt.Errorf("-termination-log: %w", err)
		}
	}
	summary := ""
	defer func() {
		if o.terminationLog != "" && summary == "" {
			summary = "Validation not run: " + oneLine(err.Error())
		}
		if o.terminationLog != "" { // Kubernetes shows this file as why a pod ended
			if werr := os.WriteFile(o.terminationLog, []byte(summary+"\n"), 0o644); werr != nil {
				err = errors.Join(err, fmt.Errorf("-termination-log: %w", werr))
			}
		}
	}()
	printBanner(a.out)
	if o.place.Multi() {
		summary, err = a.validateCluster()
		return err
	}
	v, _, err := a.validateHere(nil)
	if err != nil {
		return err
	}
	for _, g := range v.GPUs {
		fmt.Fprintln(a.out, "> "+g.String())
	}
	summary = v.String()
	fmt.Fprintln(a.out, "> "+summary)
	a.report.Bodies, a.report.Validation = v.Bodies, &v
	if !v.Passed() {
		return errValidationFailed
	}
	return nil
}

// validateHere validates this process's GPUs: every one it sees, or where
// share is given, those of these indices among them (an empty share
// validates none). It prints the header of the GPUs it validates.
func (a *app) validateHere(share func(n int) []int) (validate.Result, string, error) {
	o := a.o
	devs, err := devices.list()
	if err != nil {
		return validate.Result{}, "", fmt.Errorf("%w; -alldevices needs one. Check that nvidia-smi sees it; "+
			"in a container, start it with --gpus=all (the NVIDIA Container Toolkit must be installed)", err)
	}
	devs, shareText := validate.Pick(devs, share)
	printHeader(a.out, o, devs)
	if len(devs) == 0 {
		return validate.Result{}, shareText, nil
	}
	telemetry, err := devices.telemetry()
	if err != nil {
		fmt.Fprintf(a.errw, "> No telemetry (clocks, temperature, power): %s\n", oneLine(err.Error()))
	}
	opts := a.validateOptions()
	opts.Telemetry, opts.Devices, opts.Open = telemetry, devs, devices.open
	v, err := validate.All(a.ctx, opts)
	return v, shareText, err
}

// validateOptions are the validation's settings from the command line,
// without the devices: a cluster's rank 0 judges every node's GPUs by them.
func (a *app) validateOptions() validate.Options {
	o := a.o
	minShare := o.minShare
	if minShare == 0 { // -min-share=0: no GPU is held to its chip's rate
		minShare = -1
	}
	return validate.Options{
		Precision: a.prec, Physics: a.params.Physics(), BlockSize: o.blockSize, Bodies: o.numBodies, Seed: o.seed,
		Steps: o.iterations, Duration: o.duration, SlowRatio: o.slowRatio, MinGIPS: o.minGIPS, MinShare: minShare,
	}
}

// openable reports whether path can be opened for writing, creating it
// where it is missing (the verdict is written there at the end anyway),
// without changing what it holds.
func openable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}
