package tipsy

import (
	"fmt"
	"math"

	"github.com/nbody-go/nbody/nbody"
)

// Bodies returns one body per particle, in the file's order (gas, dark,
// star): position (x, y, z, mass) and velocity (vx, vy, vz, w), where w is
// the particle's softening length eps (a gas particle's hsmooth).
func (s *Snapshot) Bodies() nbody.Bodies {
	b := nbody.NewBodies(s.N())
	i := 0
	put := func(mass float32, pos, vel [3]float32, w float32) {
		p, v := b.Pos[4*i:4*i+4], b.Vel[4*i:4*i+4]
		p[0], p[1], p[2], p[3] = float64(pos[0]), float64(pos[1]), float64(pos[2]), float64(mass)
		v[0], v[1], v[2], v[3] = float64(vel[0]), float64(vel[1]), float64(vel[2]), float64(w)
		i++
	}
	for _, p := range s.Gas {
		put(p.Mass, p.Pos, p.Vel, p.HSmooth)
	}
	for _, p := range s.Dark {
		put(p.Mass, p.Pos, p.Vel, p.Eps)
	}
	for _, p := range s.Star {
		put(p.Mass, p.Pos, p.Vel, p.Eps)
	}
	return b
}

// SetBodies stores b's positions, masses, velocities and fourth velocity
// values (eps, or a gas particle's hsmooth) into the records, in Bodies'
// order, rounding to float32; every other field is kept. It changes nothing
// and returns an error if the number of bodies differs or a value would be
// one that Read refuses: not finite in float32, beyond ±1.8e19 (whose square
// overflows float32), or a negative mass.
func (s *Snapshot) SetBodies(b nbody.Bodies) error {
	if len(b.Pos) != len(b.Vel) || len(b.Pos)%4 != 0 {
		return fmt.Errorf("tipsy: %d position and %d velocity values, want equal multiples of 4", len(b.Pos), len(b.Vel))
	}
	if b.N() != s.N() {
		return fmt.Errorf("tipsy: %d bodies for a snapshot of %d particles", b.N(), s.N())
	}
	for i := range b.N() {
		if err := bodyProblem(narrow(b.Pos[4*i+3]), vec(b.Pos[4*i:]), vec(b.Vel[4*i:]), narrow(b.Vel[4*i+3]), "w"); err != nil {
			return fmt.Errorf("tipsy: body %d in float32: %w", i, err)
		}
	}
	i := 0
	next := func() (mass float32, pos, vel [3]float32, w float32) {
		p, v := b.Pos[4*i:], b.Vel[4*i:]
		i++
		return narrow(p[3]), vec(p), vec(v), narrow(v[3])
	}
	for k := range s.Gas {
		p := &s.Gas[k]
		p.Mass, p.Pos, p.Vel, p.HSmooth = next()
	}
	for k := range s.Dark {
		p := &s.Dark[k]
		p.Mass, p.Pos, p.Vel, p.Eps = next()
	}
	for k := range s.Star {
		p := &s.Star[k]
		p.Mass, p.Pos, p.Vel, p.Eps = next()
	}
	return nil
}

// FromBodies returns a standard tipsy snapshot of dark-matter particles,
// one per body: a dark record holds exactly what a body holds (mass,
// position, velocity, softening), where a star record would need a
// metallicity and a formation time we do not have. The header is 32 bytes
// (zero padding, as XDR writers make it), ndim is 3, Time is 0 (set
// Header.Time if the bodies have one) and every phi is 0.
func FromBodies(b nbody.Bodies) (*Snapshot, error) {
	if len(b.Pos) != len(b.Vel) || len(b.Pos)%4 != 0 {
		return nil, fmt.Errorf("tipsy: %d position and %d velocity values, want equal multiples of 4", len(b.Pos), len(b.Vel))
	}
	n := b.N()
	if n == 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("tipsy: %d bodies, want 1 to %d", n, math.MaxInt32)
	}
	s := &Snapshot{
		Format: Standard,
		Header: Header{NBodies: int32(n), NDim: 3, NDark: int32(n)},
		Pad:    make([]byte, headerPadSize),
		Dark:   make([]DarkParticle, n),
	}
	if err := s.SetBodies(b); err != nil {
		return nil, err
	}
	return s, nil
}

// narrow rounds a float64 to float32. Go leaves the conversion of a value
// beyond float32's range to the implementation, so such values are made
// infinite here, for bodyProblem to refuse.
func narrow(v float64) float32 {
	if math.Abs(v) > math.MaxFloat32 {
		return float32(math.Copysign(math.Inf(1), v))
	}
	return float32(v)
}

// vec narrows the first three values of v.
func vec(v []float64) [3]float32 { return [3]float32{narrow(v[0]), narrow(v[1]), narrow(v[2])} }
