// Package cpu is the fast CPU integrator, the sample's -cpu.
//
// # Speed
//
// It steps the bodies in the requested precision on every core the process
// may use, over cache-sized tiles of source bodies, with the widest vector
// instructions this CPU and build support: AVX-512 or AVX2 through
// simd/archsimd in GOEXPERIMENT=simd builds on amd64, else a portable
// scalar loop.
//
// # Accuracy
//
// Its accelerations answer to the float64 reference in package nbody within
// nbody.AccuracyBound.
package cpu
