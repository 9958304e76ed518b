package nbody

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Energy returns the total kinetic and potential energy of the bodies, in
// float64 whatever precision they were simulated in.
//
//	K = Σ_i ½ m_i |v_i|²
//	U = −Σ_{i<j} m_i m_j / sqrt(|p_j − p_i|² + ε²)
//
// U is the potential whose negative gradient is the package's softened
// force (no gravitational constant), so K + U is conserved by the exact
// dynamics when damping is 1. The O(N²) potential runs on every usable CPU (UsableCPUs); per-body
// terms are combined with compensated summation so that the total does not
// depend on how the work was split. b must be valid (see Bodies.Validate).
func Energy(b Bodies, softening float64) (kinetic, potential float64) {
	return kineticEnergy(b), potentialEnergy(b.Pos, softening)
}

// Momentum returns the total momentum Σ m_i v_i of the bodies. Pairwise
// forces are equal and opposite, so it stays put under the package's
// physics (with damping 1).
func Momentum(b Bodies) [3]float64 {
	n := b.N()
	terms := make([]float64, n)
	var p [3]float64
	for k := range 3 {
		for i := range n {
			terms[i] = b.Pos[4*i+3] * b.Vel[4*i+k]
		}
		p[k] = floats.SumCompensated(terms)
	}
	return p
}

func kineticEnergy(b Bodies) float64 {
	n := b.N()
	terms := make([]float64, n)
	for i := range n {
		vx, vy, vz := b.Vel[4*i], b.Vel[4*i+1], b.Vel[4*i+2]
		terms[i] = 0.5 * b.Pos[4*i+3] * (vx*vx + vy*vy + vz*vz)
	}
	return floats.SumCompensated(terms)
}

// potentialEnergy sums the pair potential row by row: row i holds the
// pairs (i, j) with j > i. Rows shrink as i grows, so a worker takes rows
// in pairs, i and n−1−i, which together always hold n−1 pairs: contiguous
// ranges of such pairs give every goroutine the same work.
func potentialEnergy(pos []float64, softening float64) float64 {
	n := len(pos) / 4
	eps2 := softening * softening
	rows := make([]float64, n)
	half := (n + 1) / 2
	parallelFor(half, UsableCPUs(), func(lo, hi int) {
		var y yielder
		for k := lo; k < hi; k++ {
			y.add(n)
			rows[k] = potentialRow(pos, k, eps2)
			if mirror := n - 1 - k; mirror != k {
				rows[mirror] = potentialRow(pos, mirror, eps2)
			}
		}
	})
	return -floats.SumCompensated(rows)
}

// potentialRow returns m_i Σ_{j>i} m_j / sqrt(|p_j − p_i|² + ε²).
func potentialRow(pos []float64, i int, eps2 float64) float64 {
	xi, yi, zi := pos[4*i], pos[4*i+1], pos[4*i+2]
	var sum float64
	for j := 4 * (i + 1); j+3 < len(pos); j += 4 {
		dx, dy, dz := pos[j]-xi, pos[j+1]-yi, pos[j+2]-zi
		sum += pos[j+3] / math.Sqrt(dx*dx+dy*dy+dz*dz+eps2)
	}
	return pos[4*i+3] * sum
}

// EnergyState is the energy and momentum of the bodies at one moment.
type EnergyState struct {
	Kinetic   float64
	Potential float64
	Momentum  [3]float64
}

// MeasureEnergy returns the energy and momentum of the bodies (see Energy
// and Momentum).
func MeasureEnergy(b Bodies, softening float64) EnergyState {
	k, u := Energy(b, softening)
	return EnergyState{Kinetic: k, Potential: u, Momentum: Momentum(b)}
}

// Total returns the total energy, kinetic plus potential.
func (s EnergyState) Total() float64 { return s.Kinetic + s.Potential }

// EnergyReport compares the energy and momentum at the start and at the
// end of a run: the physical check that a benchmark figure never gives.
type EnergyReport struct {
	Start, End EnergyState
}

// Drift returns the relative change of the total energy,
// (E_end − E_start) / |E_start|. It is NaN when the starting energy is
// exactly zero, where a relative change means nothing.
func (r EnergyReport) Drift() float64 {
	e0 := r.Start.Total()
	if e0 == 0 {
		return math.NaN()
	}
	return (r.End.Total() - e0) / math.Abs(e0)
}

// MomentumChange returns End.Momentum − Start.Momentum.
func (r EnergyReport) MomentumChange() [3]float64 {
	var d [3]float64
	for k := range 3 {
		d[k] = r.End.Momentum[k] - r.Start.Momentum[k]
	}
	return d
}
