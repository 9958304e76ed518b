package modes

import (
	"fmt"
	"time"

	"github.com/nbody-go/nbody/nbody"
)

// The results' one-line descriptions, for reports. The CUDA sample's own
// lines are the command's; these are ours.

// Summary is the comparison's line: what was compared, how far apart,
// within which bounds, and the verdict.
func (c Comparison) Summary() string {
	verdict := "FAIL"
	if c.Passed() {
		verdict = "PASS"
	}
	return fmt.Sprintf("Compared %d bodies after %d %s of dt %g, %s against the float64 CPU reference: "+
		"%d of %d position values outside %.3g; max relative error %.3g, RMS %.3g; "+
		"acceleration L2 error %.3g (bound %.3g): %s",
		c.Positions.Values/4, c.Steps, plural(c.Steps, "step", "steps"), c.DT, c.Compared,
		c.Positions.Outside(), c.Positions.Values, c.Positions.Tolerance,
		c.Positions.MaxRelError, c.Positions.RMSRelError,
		c.Acceleration.Error, c.Acceleration.Bound, verdict)
}

// Lines are the energy check's four lines: the energies and momentum at the
// start and the end, the relative drift of the total energy, and what
// measuring them cost.
func (r EnergyResult) Lines() []string {
	state := func(label string, s nbody.EnergyState) string {
		return fmt.Sprintf("Energy at %s kinetic %.9g, potential %.9g, total %.9g; momentum (%.3g, %.3g, %.3g)",
			label, s.Kinetic, s.Potential, s.Total(), s.Momentum[0], s.Momentum[1], s.Momentum[2])
	}
	dp := r.MomentumChange()
	return []string{
		state("start:", r.Start),
		state("end:  ", r.End),
		fmt.Sprintf("Energy drift: %.3e relative, over %d %s of dt %g; momentum change (%.3g, %.3g, %.3g)",
			r.Drift(), r.Steps, plural(r.Steps, "step", "steps"), r.DT, dp[0], dp[1], dp[2]),
		fmt.Sprintf("Energy measured in %.3f s (float64, every pair of bodies on the CPU, twice)", r.Took.Seconds()),
	}
}

// Summary is the interactive mode's line: its steps, their simulation
// time and figures as the benchmark computes them, and the time in all,
// drawing included.
func (r ViewResult) Summary() string {
	f, steps := r.Figures, r.End.Steps
	return fmt.Sprintf("%d bodies, %d %s of dt %g: %.3f ms of simulation, %.3f billion interactions per second, "+
		"%.3f %s-precision GFLOP/s (%s in all)",
		f.Bodies, steps, plural(steps, "step", "steps"), r.End.DT, f.Milliseconds, f.GInteractions, f.GFLOPS, f.Precision, seconds(r.Wall))
}

// seconds writes a wall-clock time to three decimals: in seconds from a
// tenth of a second on, in milliseconds below, so that a short run never
// reads "0.000 s".
func seconds(d time.Duration) string {
	if d >= 100*time.Millisecond {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// plural is one or many, as n asks.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
