package modes

import (
	"math"

	"github.com/nbody-go/nbody/nbody"
)

// NonFinite counts the bodies whose position, mass or velocity holds a NaN
// or an infinity: a simulation that broke down (a time step too coarse
// for the bodies, or values too large for float32).
func NonFinite(b nbody.Bodies) int {
	bad := func(v []float64) bool {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return true
			}
		}
		return false
	}
	n := 0
	for i := range min(len(b.Pos), len(b.Vel)) / 4 {
		if bad(b.Pos[4*i:4*i+4]) || bad(b.Vel[4*i:4*i+3]) {
			n++
		}
	}
	return n
}

// checkFiniteUpTo is the most bodies a benchmark reads back only to tell
// whether they went NaN: 2^22 bodies are 64 MiB in fp32 on the GPU and
// 128 MiB of float64 here, a few milliseconds after the timed steps; above
// it, and over several processes (whose read-back gathers over the
// network), the check comes only with -output or -energy.
const checkFiniteUpTo = 1 << 22

// tellNonFinite tells obs of b's bodies that are not finite, if any.
func tellNonFinite(obs Observer, b nbody.Bodies) {
	if obs == nil {
		return
	}
	if bad := NonFinite(b); bad > 0 {
		obs(BrokeDown{Bad: bad, All: b.N()})
	}
}
