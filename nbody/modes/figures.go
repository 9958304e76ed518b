package modes

import (
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// Figures are what the sample's three benchmark lines say of a run.
type Figures struct {
	Bodies, Steps       int
	Milliseconds        float64
	GInteractions       float64 // billions of interactions per second
	GFLOPS              float64 // GInteractions × FlopsPerInteraction
	FlopsPerInteraction int     // the sample's convention: 20 single, 30 double
	Precision           nbody.Precision
}

// Throughput computes the sample's figures for steps steps of n bodies
// that took elapsed: N² · steps / ms · 1e-6 billion interactions per
// second, times 20 (single) or 30 (double) for GFLOP/s. N² is exact in
// float64 (the sample rounds it to float32, which can move the last printed
// digit above 2^24 bodies).
func Throughput(n, steps int, elapsed time.Duration, prec nbody.Precision) Figures {
	ms := float64(elapsed) / float64(time.Millisecond)
	gi := float64(n) * float64(n) * float64(steps) / ms * 1e-6
	fpi := prec.FlopsPerInteraction()
	return Figures{
		Bodies:              n,
		Steps:               steps,
		Milliseconds:        ms,
		GInteractions:       gi,
		GFLOPS:              gi * float64(fpi),
		FlopsPerInteraction: fpi,
		Precision:           prec,
	}
}
