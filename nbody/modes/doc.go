// Package modes runs the program's modes on one platform: the benchmark,
// the comparison with the float64 reference, the interactive mode and the
// energy check, alone or as one Run.
//
// # Platforms
//
// OpenPlatform opens one or several GPUs, or the CPU with the reason the
// GPU could not be used. With PlatformOptions.Cluster naming one of
// several processes, it joins the others through package cluster and
// hands the session to gpu.OpenMember, which runs this process's part of
// one simulation over every GPU of every process; this package imports no
// binding (cuda, nccl, nvml): the integrators do.
//
// # Runs
//
// Each mode takes typed options and a context and returns a result value
// (BenchmarkResult, Comparison, ViewResult, EnergyResult) with its JSON
// form and, for our own report lines, its text. Run sequences them from
// the initial bodies (GenerateShell or ReadTipsy) to the snapshot, telling
// one Observer of each Event as it happens; steps reach a Progress. The
// figures of a run are Throughput's, the sample's formula.
//
// # Not here
//
// Nothing here prints or knows a command-line flag. Per-GPU validation,
// which runs every GPU at once, is package validate.
package modes
