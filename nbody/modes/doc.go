// Package modes holds the program's runs as functions: opening a platform
// (one or several GPUs, or the CPU with the reason the GPU could not be
// used), the benchmark, the comparison with the float64 reference, the
// interactive stepping loop and the energy check. Each takes typed options
// and a context and returns a result value; progress reaches the caller
// through a callback. Nothing here prints or knows a command-line flag.
package modes
