// Package validate checks every GPU of a machine at once, each running its
// own simulation of the same bodies, and gives each a verdict.
//
// # A run
//
// All opens an integrator on every GPU (or those of Options.Devices) and
// steps them side by side: a fixed number of timed steps, or windows of
// about a second until Options.Duration has passed. After every window the
// accelerations of a random sample of bodies, computed by the GPU from the
// run's first positions, are held to the float64 reference. Telemetry
// (clocks, temperature, power, throttle reasons, ECC errors; NVML through
// NVMLTelemetry) is read before and after. A GPU that fails to open or to
// run fails alone; the others go on.
//
// # Verdicts
//
// A GPU passes when no rule of verdict.go finds a reason to fail it: it
// ran, its accuracy is within the precision's bound, ECC saw no new
// uncorrected errors, its rate is above Options.MinGIPS, no window fell
// below its first by more than ThrottleDrop, and it is not slower than
// SlowRatio of the median GPU. A new verdict is one more rule there.
//
// # Forms
//
// A Result reads as one line per GPU and one for the run (String), and as
// JSON with every figure at full precision (MarshalJSON). Nothing here
// prints or knows a command-line flag.
package validate
