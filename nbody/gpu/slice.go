package gpu

import (
	"time"
)

// Cancelling long steps.
//
// Step checks its context between launches, and a launch cannot be
// stopped once queued: how soon a cancelled run returns is how much GPU
// work is queued when the context ends. One step of all N² interactions
// grows with N: about 0.5 s at 2^20 bodies on an H200 in fp32, 8 s at
// 2^22, half an hour at nbody.MaxBodies. So a run is cut by the GPU time
// of a step, estimated before it is queued (stepEstimate):
//
//   - A step estimated at most limits.long (1 s) is launched whole, with
//     the same launches as ever; only how many such steps are queued ahead
//     of the host depends on the estimate: queueDepth (4) when they take
//     0.3 s or less (up to about 800,000 fp32 bodies on an H200), fewer
//     beyond, so that limits.queued (1.2 s) bounds the work queued (2^20
//     fp32 bodies, 0.52 s a step: two), never fewer than one. Four steps of
//     0.52 s queued would be a cancel of 2 s; two still keep the GPU busy.
//   - A longer step is sliced: each device's bodies (i) are cut into
//     slices of whole rows of blocks, each slice estimated at most
//     limits.slice (0.25 s), and each launched on its own grid with its
//     own split of j (planLaunch, so that a slice of few rows still fills
//     the multiprocessors; the planner's model puts the cost of the cut
//     below 0.5% up to 2^22 bodies, 3% at the limit). Between slices the
//     host waits for the slice before the previous one (an event, as for
//     whole steps: one slice always stays queued, so the GPU never waits
//     for the host), checks the context, and queues the next. A cancel then
//     returns within about two slices: 0.5 s (0.7 s at 2^26 fp64 bodies,
//     where one wave of the fewest rows is 0.35 s).
//
// A sliced step writes its new velocities into velNext (device.go), not
// in place, and its new positions into the buffer that is not current:
// abandoned half-way, it leaves the bodies as the last whole step left
// them, and the next Step begins that step anew.

// stepLimits are the GPU times that decide how a run is cut; a zero field
// takes its default. Tests shrink them (export_test.go) to slice small
// steps.
type stepLimits struct {
	long   time.Duration // a step estimated longer than this is sliced
	slice  time.Duration // what one slice of a sliced step may take
	queued time.Duration // what the whole steps queued ahead of the host may take
	// rows, when positive, makes every slice that many rows of blocks,
	// whatever the estimates: small steps, which sliceStep leaves whole
	// (one wave), are sliced so in tests.
	rows int
}

const (
	defaultLongStep = time.Second
	defaultSlice    = 250 * time.Millisecond
	defaultQueued   = 1200 * time.Millisecond
	// sliceWindow is how many slices (of every device) are queued at
	// once: the host waits for the one before the previous.
	sliceWindow = 2
)

// orDefault fills the zero fields with the defaults.
func (l stepLimits) orDefault() stepLimits {
	if l.long <= 0 {
		l.long = defaultLongStep
	}
	if l.slice <= 0 {
		l.slice = defaultSlice
	}
	if l.queued <= 0 {
		l.queued = defaultQueued
	}
	return l
}

// wholeStepDepth is how many whole steps of est each a run queues ahead of
// the host: queueDepth while they fit in limits.queued (short steps run
// exactly as before slicing existed), fewer beyond, at least one.
func (l stepLimits) wholeStepDepth(est time.Duration) int {
	if est <= 0 {
		return queueDepth
	}
	return max(1, min(queueDepth, int(l.queued/est)))
}

// sliced reports whether steps of est are sliced.
func (l stepLimits) sliced(est time.Duration) bool { return est > l.long }

// Interactions per multiprocessor per clock cycle that the kernels surely
// reach, for the estimate of a step before any is measured. The H100
// measured 8.2 in fp32 and 3.1 in fp64 (bench/RESULTS.md: 2,146 and 806
// GI/s, 132 SMs at 1.98 GHz); the guesses are lower, so that a first step
// is rather sliced than not, but not so low that the benchmark sizes
// (2^20 fp32 bodies: 0.84 s guessed, 0.52 s measured on an H200) are
// sliced. GPUs that do fp64 at 1/32 or 1/64 of the fp32 rate reach about
// 0.1 (2 fp64 lanes per SM, 18 instructions per interaction).
const (
	guessRateF32        = 5.0
	guessRateF64        = 2.0
	guessRateF64Reduced = 0.08
)

// fullRateFP64 reports whether a compute capability is one of the
// data-centre chips that run fp64 at half the fp32 rate or better: P100
// (6.0), V100 (7.0), A100 (8.0), H100 and H200 (9.0), B200 (10.0). Every
// other (x.y with y > 0, 12.0 and later) runs it at 1/32 or less.
func fullRateFP64(major, minor int) bool {
	return minor == 0 && major >= 6 && major <= 10
}

// guessStep is the time of one step of count bodies against n on dev
// before any was measured, from guessRate*: above what the H100 and H200
// measure (by 1.6 in fp32, 1.55 in fp64), a little below on V100 and A100
// (half the lanes per SM: some 4 fp32 and 1.5 fp64 interactions per SM
// and cycle), where a first long step may be cut into slices up to 1.3
// times longer than limits.slice. Only runs before any has measured a
// step of these bodies use it.
func guessStep(n, count int, double bool, dev Device) time.Duration {
	rate := guessRateF32
	if double {
		rate = guessRateF64Reduced
		if fullRateFP64(dev.Major, dev.Minor) {
			rate = guessRateF64
		}
	}
	clock := float64(dev.ClockKHz) * 1e3
	if clock <= 0 {
		clock = 1e9
	}
	perSecond := rate * float64(max(1, dev.Multiprocessors)) * clock
	// At most 2^52 interactions over at least 8e7 per second: some 5.6e7
	// s, far from time.Duration's limit.
	return time.Duration(float64(n) * float64(count) / perSecond * float64(time.Second))
}

// stepSlice is one launch of a sliced step: count of a device's bodies
// from its local index first, on plan's grid.
type stepSlice struct {
	first, count int
	plan         launchPlan
}

// sliceStep cuts a device's step of count bodies, planned whole as full
// and estimated at est, into slices each estimated at most target, and
// returns them in order; planFor plans a slice of c bodies (full is
// planFor(count)). A slice's estimate is est scaled by its plan's cost
// against the full plan's (launchPlan.cost), so a slice whose last wave is
// part empty counts as longer than its share of the bodies.
//
// Slices are whole rows of blocks (full.blockSize × full.bodiesPerThread
// bodies, which the kernels give one block each) but the last, which takes
// the rest: every body once, in order, and every slice but the last a
// full grid. They are the largest that fit, found by a binary search (a
// plan's cost never falls as its bodies grow). Where even one row does not
// fit (near nbody.MaxBodies, one row against all of j is more than the
// target at the most splits a plan takes), the bound is one row's
// estimate instead, which a few rows often share (the same single wave).
// A step that fits whole is one slice of the full plan; count 0 is none.
func sliceStep(count int, full launchPlan, est, target time.Duration, planFor func(c int) launchPlan) []stepSlice {
	if count <= 0 {
		return nil
	}
	row := full.blockSize * full.bodiesPerThread
	rows := ceilDiv(count, row)
	perCost := float64(est) / float64(max(1, full.cost()))
	estimate := func(r int) float64 { return float64(planFor(min(r*row, count)).cost()) * perCost }
	bound := float64(target)
	if rows > 1 {
		bound = max(bound, estimate(1))
	}
	if float64(est) <= bound {
		return []stepSlice{{0, count, full}}
	}
	// estimate(lo) <= bound < estimate(hi), the whole step's.
	lo, hi := 1, rows
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if estimate(mid) <= bound {
			lo = mid
		} else {
			hi = mid
		}
	}
	return cutSlices(count, lo*row, planFor)
}

// cutSlices cuts count bodies into slices of size, the last taking the
// rest, each on the plan planFor gives it.
func cutSlices(count, size int, planFor func(c int) launchPlan) []stepSlice {
	if count <= 0 {
		return nil
	}
	size = max(1, min(size, count))
	plan := planFor(size)
	out := make([]stepSlice, 0, ceilDiv(count, size))
	for first := 0; first < count; first += size {
		s := stepSlice{first, min(size, count-first), plan}
		if s.count < size {
			s.plan = planFor(s.count)
		}
		out = append(out, s)
	}
	return out
}

// slicesCost is the summed cost of the slices' plans, against which a
// sliced step's measured time is scaled back to a whole step's.
func slicesCost(slices []stepSlice) int {
	total := 0
	for _, s := range slices {
		total += s.plan.cost()
	}
	return total
}
