// Package nbody holds what every n-body integrator shares, and the float64
// reference integrator that the others answer to.
//
// # Contents
//
// The bodies in the CUDA sample's layout, the physical parameters and their
// presets, the sample's initial conditions, the Integrator interface, the
// reference integrator, and the measures that hold an integrator to it
// (comparison, acceleration error, energy and momentum). The integrators
// that answer to the reference live in their own packages: the fast CPU
// integrator in nbody/cpu, the GPU one in nbody/gpu.
//
// # Physics
//
// The physics is the sample's: the acceleration of body i is
//
//	a_i = Σ_j m_j (p_j − p_i) / (|p_j − p_i|² + ε²)^(3/2)
//
// summed over every j, i included (its term is zero), with no
// gravitational constant; a step updates every body from the old
// positions at once: v ← (v + a·dt)·damping, p ← p + v·dt.
package nbody
