package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
)

// errValidationFailed ends a validation in which a GPU failed; the report
// has already said which and why.
var errValidationFailed = errors.New("a GPU failed its validation")

// validate runs -alldevices: every GPU its own simulation at once, then a
// line per GPU and the verdict. A signal ends it early with the report so
// far, as a cluster's grace period does. -termination-log gets the verdict
// or, when there is none, why.
func (a *app) validate() (err error) {
	o := a.o
	summary := ""
	defer func() {
		if o.terminationLog != "" && summary == "" {
			summary = "Validation not run: " + oneLine(err.Error())
		}
		if o.terminationLog != "" { // Kubernetes shows this file as why a pod ended
			err = errors.Join(err, os.WriteFile(o.terminationLog, []byte(summary+"\n"), 0o644))
		}
	}()
	printBanner(a.out)
	devs, err := modes.ListGPUs()
	if err != nil {
		return fmt.Errorf("%w; -alldevices needs one. Check that nvidia-smi sees it; "+
			"in a container, start it with --gpus=all (the NVIDIA Container Toolkit must be installed)", err)
	}
	printHeader(a.out, o, devs)
	telemetry, err := validate.NVMLTelemetry()
	if err != nil {
		fmt.Fprintf(a.errw, "> No telemetry (clocks, temperature, power): %s\n", oneLine(err.Error()))
	}
	minShare := o.minShare
	if minShare == 0 { // -min-share=0: no GPU is held to its chip's rate
		minShare = -1
	}
	v, err := validate.All(a.ctx, validate.Options{
		Precision: a.prec, Physics: a.params.Physics(), BlockSize: o.blockSize, Bodies: o.numBodies, Seed: o.seed,
		Steps: o.iterations, Duration: o.duration, SlowRatio: o.slowRatio, MinGIPS: o.minGIPS, MinShare: minShare,
		Telemetry: telemetry, Devices: devs,
	})
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
