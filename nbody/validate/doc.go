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
// (clocks and their event reasons, temperature, power and its limits, ECC
// errors, the PCIe and NVLink links, row remapping, retired pages, other
// processes; NVML through NVMLTelemetry) is read before the run, half-way
// through every window and after; Observed is what the readings add up
// to. A GPU that fails to open or to run fails alone; the others go on.
//
// # Verdicts
//
// A GPU passes when no rule of verdict.go finds a reason to fail it: it
// ran, its accuracy is within the precision's bound, ECC saw no new
// uncorrected errors, no fault held its clocks down during the run, its
// PCIe link ran at its maximum and its NVLink links were up, its memory
// has no repair pending or failed, its rate is above Options.MinGIPS, no
// window fell below its first by more than ThrottleDrop, it reached
// MinShare of the rate expected of its chip (package expect; one GPU is
// enough), and it is not slower than SlowRatio of the median GPU of its
// model. A
// reading the GPU or the driver does not give is unknown: no rule passes
// or fails on it. A new verdict is one more rule there.
//
// # A cluster
//
// RunCluster is one rank's part of a cluster's validation: every rank
// validates its share of its machine's GPUs (the caller says how its GPUs
// are listed and opened) and its record travels as bytes (EncodeNode,
// DecodeNode) over package cluster's tolerant gathering to rank 0, where
// JudgeCluster holds every GPU to those of its model on every node and
// each rank gets its GPUs' verdicts back. Cluster reads as a line per GPU,
// per node and for the cluster, and as JSON. A node that gave no record
// within the bounds is a failed Node with why; the others' verdicts stand.
// Two ranks of one machine that validated the same GPU fail it as shared.
// With ClusterOptions.Network, rank 0 hands out an NCCL id with the
// verdicts and every rank times the all-gather between them on its first
// GPU (gpu.MeasureAllGather, through the caller); Network is each rank's
// bus bandwidth and the world's. The gathering is why this package imports
// cluster: validating a cluster is gathering over its rendezvous.
//
// # Forms
//
// A Result reads as one line per GPU and one for the run (String), and as
// JSON with every figure at full precision (MarshalJSON). Nothing here
// prints or knows a command-line flag.
package validate
