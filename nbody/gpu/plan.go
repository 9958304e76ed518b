package gpu

// launchPlan is the grid of one device's step: blocks of blockSize threads,
// each thread holding bodiesPerThread bodies, and the sum over j cut into
// splits runs of perSplit bodies. One split runs the fused step kernel;
// several run the forces kernel on a grid of blocks × splits, then the
// integrate kernel adds their partial sums.
type launchPlan struct {
	blockSize       int
	bodiesPerThread int
	blocks          int     // along x: every local body once
	splits          int     // along y
	perSplit        int     // bodies of j per split, a multiple of splitGranule
	waves           int     // rounds of blocks the device runs, all of its slots at once
	efficiency      float64 // modelled share of the multiprocessors' time doing work
}

const (
	// maxSplits bounds the splits: beyond it the partial sums cost memory
	// and a longer integrate pass for no gain in balance.
	maxSplits = 64
	// splitGranule is the kernels' unroll (UNROLL in nbody.cu): splits of
	// a multiple of it run no remainder loop.
	splitGranule = 16
	// splitOverhead is what a block costs beyond its interactions (loading
	// its bodies, writing its sums, filling the pipeline), in bodies of j.
	splitOverhead = 32
)

// planLaunch chooses the splits for count local bodies integrated against n
// bodies on a device of multiprocessors SMs, each holding blocksPerSM blocks
// of the forces kernel at once, with partial sums limited to maxPartials
// bodies' worth (splits × count).
//
// Blocks all do the same work, so the device runs them in waves of
// multiprocessors × blocksPerSM; a step lasts about waves × (perSplit +
// splitOverhead). The plan that takes least wins (the fewest splits on a
// tie): at small N it splits j so that every multiprocessor has blocks, at
// large N it evens out the last wave.
//
// A positive fixedSplits (Options.Splits) is the only candidate, whatever
// the limits: the plan cuts j as close to that many splits as runs of a
// multiple of splitGranule allow.
func planLaunch(n, count, blockSize, bodiesPerThread, multiprocessors, blocksPerSM, maxPartials, fixedSplits int) launchPlan {
	blocks := ceilDiv(count, bodiesPerThread*blockSize)
	slots := max(1, multiprocessors*max(1, blocksPerSM))
	lo, hi := 1, min(maxSplits, ceilDiv(n, splitGranule))
	if count > 0 {
		hi = min(hi, max(1, maxPartials/count))
	}
	if fixedSplits > 0 {
		lo, hi = fixedSplits, fixedSplits
	}
	best := launchPlan{blockSize: blockSize, bodiesPerThread: bodiesPerThread, blocks: blocks, splits: 1, perSplit: n}
	bestCost, bestWaves := -1, 1
	for s := lo; s <= hi; s++ {
		perSplit := n
		if s > 1 {
			perSplit = ceilDiv(ceilDiv(n, s), splitGranule) * splitGranule
		}
		splits := ceilDiv(n, perSplit) // no empty split
		waves := ceilDiv(blocks*splits, slots)
		cost := waves * (perSplit + splitOverhead)
		if bestCost < 0 || cost < bestCost {
			bestCost, bestWaves = cost, waves
			best.splits, best.perSplit = splits, perSplit
		}
	}
	best.waves = bestWaves
	best.efficiency = float64(blocks) * float64(n) / (float64(bestWaves*slots) * float64(best.perSplit))
	return best
}

// cost is the plan's modelled duration, the quantity planLaunch minimises:
// waves × (perSplit + splitOverhead), in the time one block slot takes
// over one body of j. Plans of one device compare by it whatever their
// counts, which is how a step's slices are sized against the whole step
// (sliceStep).
func (p launchPlan) cost() int {
	return p.waves * (p.perSplit + splitOverhead)
}

// partialBytes is the size of the forces kernel's partial sums for count
// bodies of elem bytes: a 4-vector per body and split.
func (p launchPlan) partialBytes(count int, elem uint64) uint64 {
	return uint64(p.splits) * uint64(count) * elem
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// LaunchShape is how one device launches a step for the bodies set.
type LaunchShape struct {
	// Blocks is the grid along x: blocks of BlockSize threads, each thread
	// holding BodiesPerThread of the device's bodies.
	Blocks          int
	BlockSize       int
	BodiesPerThread int
	// Splits is the grid along y: the sum over j cut into runs of PerSplit
	// bodies. One split runs the fused step kernel; more run the forces
	// kernel, then the integrate kernel adds their partial sums.
	Splits   int
	PerSplit int
	// BlocksPerSM is how many blocks of the forces kernel a multiprocessor
	// holds at once, and Registers that kernel's registers per thread, as
	// the driver compiled it.
	BlocksPerSM int
	Registers   int
}

// LaunchShapes returns each device's launch shape for the bodies set, in
// the devices' order; nil before SetBodies.
func (g *Integrator) LaunchShapes() []LaunchShape {
	if g.n == 0 {
		return nil
	}
	out := make([]LaunchShape, len(g.devs))
	for i, d := range g.devs {
		p := d.plan
		out[i] = LaunchShape{
			Blocks: p.blocks, BlockSize: p.blockSize, BodiesPerThread: p.bodiesPerThread,
			Splits: p.splits, PerSplit: p.perSplit,
			BlocksPerSM: d.blocksPerSM, Registers: d.forcesRegs,
		}
	}
	return out
}
