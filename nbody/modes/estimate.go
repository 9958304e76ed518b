package modes

import (
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// Rates that no platform of ours beats, in interactions per second, for
// estimates that err on the short side: a run estimated at an hour takes
// at least that. GPUs: the chip's issue limit (bench/ANCHORS.md) per lane and
// clock, 13 instructions per interaction on 128 fp32 lanes of an SM, 18 on
// 64 fp64 lanes; we reach about 83% of it on an H200. CPUs: per core, the
// vectorized fast path (9 GI/s fp32 on 2 cores of an AMD EPYC) and the
// float64 reference (0.49 on the same), rounded up.
const (
	gpuFP32PerSMHz   = 128.0 / 13
	gpuFP64PerSMHz   = 64.0 / 18
	cpuFP32PerCore   = 6e9
	cpuFP64PerCore   = 3e9
	referencePerCore = 0.5e9
)

// PeakRate is the most interactions per second the platform's integrator
// can compute in prec: the chips' issue limit on GPUs, a rate above what
// the fast path reaches on the CPU. Real runs are slower.
func (p *Platform) PeakRate(prec nbody.Precision) float64 {
	if p.GPU == nil {
		if prec == nbody.Double {
			return cpuFP64PerCore * float64(nbody.UsableCPUs())
		}
		return cpuFP32PerCore * float64(nbody.UsableCPUs())
	}
	perSMHz := gpuFP32PerSMHz
	if prec == nbody.Double {
		perSMHz = gpuFP64PerSMHz
	}
	rate := 0.0
	for _, d := range p.Devices {
		rate += float64(d.Multiprocessors) * float64(d.ClockKHz) * 1e3 * perSMHz
	}
	return rate
}

// ShortestTime is the least time steps steps of n bodies can take on the
// platform in prec, with compareSteps more of the float64 reference on the
// CPU for a comparison (0 for none): a lower bound, from PeakRate.
func (p *Platform) ShortestTime(n, steps, compareSteps int, prec nbody.Precision) time.Duration {
	pairs := float64(n) * float64(n)
	s := pairs * float64(steps) / max(p.PeakRate(prec), 1)
	s += pairs * float64(compareSteps) * (1/max(p.PeakRate(prec), 1) + 1/(referencePerCore*float64(nbody.UsableCPUs())))
	return time.Duration(min(s, float64(1<<62)/1e9) * float64(time.Second))
}
