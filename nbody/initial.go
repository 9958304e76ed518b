package nbody

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Config names one of the sample's initial configurations.
type Config int

const (
	// Shell places bodies in a spherical shell rotating about the z axis;
	// every non-interactive run of the sample uses it.
	Shell Config = iota
	// Random places bodies and velocities uniformly in balls.
	Random
	// Expand places bodies in a ball moving outward from its centre.
	Expand
)

// String returns the configuration's name.
func (c Config) String() string {
	switch c {
	case Shell:
		return "shell"
	case Random:
		return "random"
	case Expand:
		return "expand"
	}
	return fmt.Sprintf("Config(%d)", int(c))
}

// Generate returns n bodies of mass 1 in configuration c, drawn from the
// sample's distributions with a generator seeded by seed: the same seed
// gives the same bodies on every machine. n is held to CheckCount before
// anything is allocated.
func Generate(c Config, n int, p Params, seed uint64) (Bodies, error) {
	if err := CheckCount(n); err != nil {
		return Bodies{}, fmt.Errorf("generate: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e626f6479)) // "nbody"
	b := NewBodies(n)
	switch c {
	case Shell:
		genShell(b, p, rng)
	case Random:
		genRandom(b, p, rng)
	case Expand:
		genExpand(b, p, rng)
	default:
		return Bodies{}, fmt.Errorf("generate: unknown configuration %d", int(c))
	}
	return b, nil
}

type vec3 [3]float64

func (a vec3) dot(b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec3) length() float64    { return math.Sqrt(a.dot(a)) }
func (a vec3) scale(s float64) vec3 {
	return vec3{a[0] * s, a[1] * s, a[2] * s}
}
func (a vec3) cross(b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// inCube draws a point with each coordinate uniform in [-1, 1).
func inCube(rng *rand.Rand) vec3 {
	return vec3{2*rng.Float64() - 1, 2*rng.Float64() - 1, 2*rng.Float64() - 1}
}

// inBall draws a point uniformly in the unit ball by rejection.
func inBall(rng *rand.Rand) vec3 {
	for {
		if p := inCube(rng); p.dot(p) <= 1 {
			return p
		}
	}
}

func (b Bodies) set(i int, pos vec3, mass float64, vel vec3) {
	copy(b.Pos[4*i:], []float64{pos[0], pos[1], pos[2], mass})
	copy(b.Vel[4*i:], []float64{vel[0], vel[1], vel[2], 1})
}

func genShell(b Bodies, p Params, rng *rand.Rand) {
	inner, outer := 2.5*p.ClusterScale, 4*p.ClusterScale
	vscale := p.ClusterScale * p.VelocityScale
	axis := vec3{0, 0, 1}
	for i := range b.N() {
		var unit vec3
		for {
			pt := inCube(rng)
			l := pt.length()
			if l > 1 || l == 0 {
				continue
			}
			unit = pt.scale(1 / l)
			break
		}
		var pos vec3
		for k := range 3 {
			pos[k] = unit[k] * (inner + (outer-inner)*rng.Float64())
		}
		a := axis
		if 1-unit.dot(axis) < 1e-6 {
			a = vec3{unit[1], unit[0], 1}
			a = a.scale(1 / a.length())
		}
		b.set(i, pos, 1, pos.cross(a).scale(vscale))
	}
}

func genRandom(b Bodies, p Params, rng *rand.Rand) {
	scale := p.ClusterScale * max(1, float64(b.N())/1024)
	vscale := scale * p.VelocityScale
	for i := range b.N() {
		var pos, vel vec3
		for {
			pos, vel = inCube(rng), inCube(rng)
			if pos.dot(pos) <= 1 && vel.dot(vel) <= 1 {
				break
			}
		}
		b.set(i, pos.scale(scale), 1, vel.scale(vscale))
	}
}

func genExpand(b Bodies, p Params, rng *rand.Rand) {
	scale := p.ClusterScale * float64(b.N()) / 1024
	if scale < 1 {
		scale = p.ClusterScale
	}
	vscale := scale * p.VelocityScale
	for i := range b.N() {
		pt := inBall(rng)
		b.set(i, pt.scale(scale), 1, pt.scale(vscale))
	}
}
