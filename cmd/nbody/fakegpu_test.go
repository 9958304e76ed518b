package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cluster"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
)

// The test binary runs as nbody itself, with fake GPUs, where asNbody is
// set in its environment (TestMain): whole processes, and clusters of
// them on this machine or in containers (.ci/test-cluster.sh), validate
// without a GPU. The fakes are set by the environment:
//
//	NBODY_TEST_FAKE_GPUS   the GPUs, comma-separated NAME:MS[:ID], each taking
//	                       MS milliseconds a step ("Fake H100:10,Fake A100:25"),
//	                       its UUID's first byte ID (default its index + 1)
//	NBODY_TEST_FAKE_FAULT  die-before (exit before validating), die-during
//	                       (exit in the second window), hang (the GPUs stop
//	                       in the second window, the process lives on),
//	                       nogpu (no GPU can be listed)
//	NBODY_TEST_HOSTNAME    the host name the process reports
//	NBODY_TEST_FAKE_BUS    -network: the bus bandwidth (GB/s) this rank's
//	                       all-gather reaches; "fail": NCCL fails
const (
	asNbody      = "NBODY_TEST_AS_NBODY"
	fakeGPUsEnv  = "NBODY_TEST_FAKE_GPUS"
	fakeFaultEnv = "NBODY_TEST_FAKE_FAULT"
	fakeHostEnv  = "NBODY_TEST_HOSTNAME"
	fakeBusEnv   = "NBODY_TEST_FAKE_BUS"
)

// runAsNbody is main with the fakes of the environment; it returns the
// exit status.
func runAsNbody() int {
	if err := installFakes(os.Getenv(fakeGPUsEnv), os.Getenv(fakeFaultEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "fake GPUs:", err)
		return 99
	}
	if h := os.Getenv(fakeHostEnv); h != "" {
		hostname = func() (string, error) { return h, nil }
	}
	if err := cluster.DefaultNCCLSettings(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	ctx := cli.NotifyContext(atomicfile.AbortAll)
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
}

// installFakes puts the fake GPUs of spec, and fault, in the place of the
// driver's.
func installFakes(spec, fault string) error {
	type fake struct {
		name    string
		perStep time.Duration
		id      byte
	}
	var fakes []fake
	for i, f := range strings.Split(spec, ",") {
		name, rest, ok := strings.Cut(strings.TrimSpace(f), ":")
		ms, idText, hasID := strings.Cut(rest, ":")
		n, err := strconv.ParseFloat(ms, 64)
		id, idErr := strconv.ParseUint(cmp.Or(idText, "0"), 10, 8)
		if !ok || err != nil || n <= 0 || idErr != nil || (hasID && id == 0) {
			return fmt.Errorf("%q: want NAME:MS or NAME:MS:ID (ID 1 to 255)", f)
		}
		if !hasID {
			id = uint64(i + 1)
		}
		fakes = append(fakes, fake{name, time.Duration(n * float64(time.Millisecond)), byte(id)})
	}
	devices.list = func() ([]gpu.Device, error) {
		switch fault {
		case "die-before":
			fmt.Fprintln(os.Stderr, "fake: dying before the validation")
			os.Exit(3)
		case "nogpu":
			return nil, &modes.NoGPUError{Reason: "fake: no CUDA-capable device is detected"}
		}
		devs := make([]gpu.Device, len(fakes))
		for i, f := range fakes {
			devs[i] = gpu.Device{Ordinal: i, Name: f.name, Multiprocessors: 1, UUID: [16]byte{f.id}}
		}
		return devs, nil
	}
	devices.telemetry = func() (validate.Telemetry, error) { return nil, errors.New("fake GPUs: no NVML") }
	devices.networkID = func(string) ([]byte, error) { return make([]byte, 128), nil }
	devices.allGather = fakeAllGather
	devices.open = func(d gpu.Device) (nbody.Integrator, error) {
		return &fakeGPU{Integrator: nbody.NewReference(nbody.Presets[0].Physics()), perStep: fakes[d.Ordinal].perStep, fault: fault}, nil
	}
	return nil
}

// fakeAllGather is one rank's all-gather at the bus bandwidth
// NBODY_TEST_FAKE_BUS gives, as gpu.MeasureAllGather would report it.
func fakeAllGather(o gpu.AllGatherOptions) (gpu.AllGatherFigure, error) {
	bus, err := strconv.ParseFloat(os.Getenv(fakeBusEnv), 64)
	if err != nil || bus <= 0 || o.Ranks < 2 {
		return gpu.AllGatherFigure{}, errors.New("fake NCCL: ncclCommInitRank: unhandled system error")
	}
	f := gpu.AllGatherFigure{BytesPerRank: gpu.AllGatherBytes(o.Ranks), Ranks: o.Ranks, Iterations: gpu.DefaultAllGatherIterations}
	alg := bus * float64(o.Ranks) / float64(o.Ranks-1)
	f.Elapsed = time.Duration(float64(f.Iterations) * float64(f.BytesPerRank) * float64(o.Ranks) / (alg * 1e9) * float64(time.Second))
	return f, nil
}

// fakeGPU steps the reference, taking perStep a step as a GPU of that
// rate would (in real time, so that a run lasts as long as on one), and
// reports exactly that.
type fakeGPU struct {
	nbody.Integrator
	perStep time.Duration
	fault   string
	calls   atomic.Int32
}

func (f *fakeGPU) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	// Call 1 is the warm-up step, 2 the first window; the fault strikes
	// in the second.
	if f.calls.Add(1) == 3 {
		switch f.fault {
		case "die-during":
			fmt.Fprintln(os.Stderr, "fake: dying during the validation")
			os.Exit(3)
		case "hang":
			select {}
		}
	}
	end := time.Now().Add(time.Duration(steps) * f.perStep)
	if _, err := f.Integrator.Step(ctx, dt, steps); err != nil {
		return 0, err
	}
	t := time.NewTimer(time.Until(end))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return time.Duration(steps) * f.perStep, nil
}
