package main

import (
	"context"
	"fmt"
	"math"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/modes"
)

// sample is one row's measurements.
type sample struct {
	label string
	gis   []float64 // GI/s of each repeat
	err   float64   // relative L2 error of accelerations against the reference; NaN if not measured
}

func (s sample) best() float64 {
	b := 0.0
	for _, v := range s.gis {
		b = max(b, v)
	}
	return b
}

func (s sample) worst() float64 {
	w := math.Inf(1)
	for _, v := range s.gis {
		w = min(w, v)
	}
	return w
}

// timeSteps loads the bodies, takes one untimed step (the first touches
// every page), then times iters steps and returns GI/s.
func timeSteps(in nbody.Integrator, b nbody.Bodies, dt float64, iters int) (float64, error) {
	if err := in.SetBodies(b); err != nil {
		return 0, err
	}
	if _, err := in.Step(context.Background(), dt, 1); err != nil {
		return 0, err
	}
	d, err := in.Step(context.Background(), dt, iters)
	if err != nil {
		return 0, err
	}
	return modes.Throughput(b.N(), iters, d, in.Precision()).GInteractions, nil
}

// accuracy is the integrator's relative L2 error of accelerations against
// nbody.ReferenceAccelerations, the accuracy contract's measure.
func accuracy(in nbody.Integrator, b nbody.Bodies, softening float64, want []float64) (float64, error) {
	got, err := nbody.Accelerations(context.Background(), in, b)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", in.Name(), err)
	}
	return nbody.RelativeL2(got, want), nil
}
