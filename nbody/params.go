package nbody

// Params are the physical and display parameters of one of the sample's
// demo presets.
type Params struct {
	DT            float64    // time step
	ClusterScale  float64    // size of the initial cluster
	VelocityScale float64    // scale of the initial velocities
	Softening     float64    // ε; the kernel adds ε² to every squared distance
	Damping       float64    // velocities are multiplied by this after each step
	PointSize     float64    // point size in the interactive view
	Camera        [3]float64 // camera position of the interactive view
}

// Presets are the sample's demo parameter sets, in its order. The first is
// the one that benchmark, compare and tipsy runs use.
var Presets = []Params{
	{0.016, 1.54, 8, 0.1, 1, 1, [3]float64{0, -2, -100}},
	{0.016, 0.68, 20, 0.1, 1, 0.8, [3]float64{0, -2, -30}},
	{0.0006, 0.16, 1000, 1, 1, 0.07, [3]float64{0, 0, -1.5}},
	{0.0006, 0.16, 1000, 1, 1, 0.07, [3]float64{0, 0, -1.5}},
	{0.0019, 0.32, 276, 1, 1, 0.07, [3]float64{0, 0, -5}},
	{0.0016, 0.32, 272, 0.145, 1, 0.08, [3]float64{0, 0, -5}},
	{0.016, 6.04, 0, 1, 1, 0.76, [3]float64{0, 0, -50}},
}

// scaleForN is the sample's table of cluster and velocity scales that
// replace the first preset's for small body counts.
var scaleForN = []struct {
	maxN                   int
	cluster, velocityScale float64
}{
	{1024, 1.52, 2.0},
	{2048, 1.56, 2.64},
	{4096, 1.68, 2.98},
	{8192, 1.98, 2.9},
	{16384, 1.54, 8.0},
	{32768, 1.44, 11.0},
}

// DefaultParams returns the first preset with its cluster and velocity
// scales chosen for n bodies, as the sample does for non-interactive runs.
func DefaultParams(n int) Params {
	p := Presets[0]
	for _, s := range scaleForN {
		if n <= s.maxN {
			p.ClusterScale, p.VelocityScale = s.cluster, s.velocityScale
			break
		}
	}
	return p
}

// Physics is what an integrator needs beyond the bodies and the time step.
type Physics struct {
	Softening float64 // ε, not squared
	Damping   float64
}

// Physics returns the parameters' softening and damping.
func (p Params) Physics() Physics {
	return Physics{Softening: p.Softening, Damping: p.Damping}
}
