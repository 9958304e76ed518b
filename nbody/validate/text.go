package validate

import (
	"fmt"
	"strings"
	"time"
)

// The validation's lines for a report: one per GPU and one for the run.

// String is the GPU's line in a report: its figures (with the lowest and
// highest window when there were several), its state after the run, and
// the verdict with its reasons.
func (g GPUResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "GPU %d %q", g.Device.Ordinal, g.Device.Name)
	if id := g.UUID(); id != "" {
		b.WriteString(" " + id)
	}
	if len(g.Windows) > 0 {
		fmt.Fprintf(&b, ": %.3f GI/s", g.Rate())
		if len(g.Windows) > 1 {
			lo, hi := g.Windows[0].GInteractions, g.Windows[0].GInteractions
			for _, w := range g.Windows {
				lo, hi = min(lo, w.GInteractions), max(hi, w.GInteractions)
			}
			fmt.Fprintf(&b, " (min %.3f, max %.3f over %d windows)", lo, hi, len(g.Windows))
		}
		fmt.Fprintf(&b, ", %.3f of the median, accuracy %.3g (bound %.3g)", g.Ratio, g.Accuracy, g.AccuracyBound)
	}
	if r := g.After; r != nil {
		if r.SMClockMHz != nil {
			fmt.Fprintf(&b, ", SM %d MHz", *r.SMClockMHz)
		}
		if r.TemperatureC != nil {
			fmt.Fprintf(&b, ", %d C", *r.TemperatureC)
		}
		if r.PowerW != nil {
			fmt.Fprintf(&b, ", %.0f W", *r.PowerW)
		}
		if r.ECCErrors != nil {
			fmt.Fprintf(&b, ", %d ECC errors", *r.ECCErrors)
		}
		switch {
		case r.ThrottleReasons == nil: // not reported
		case len(r.ThrottleReasons) == 0:
			b.WriteString(", throttle none")
		default:
			b.WriteString(", throttle " + strings.Join(r.ThrottleReasons, "+"))
		}
	}
	if g.Passed {
		return b.String() + ": PASS"
	}
	return b.String() + ": FAIL: " + strings.Join(g.Reasons, "; ")
}

// String is the run's one summary line.
func (v Result) String() string {
	passed := 0
	for _, g := range v.GPUs {
		if g.Passed {
			passed++
		}
	}
	how := fmt.Sprintf("%d timed steps", v.Steps)
	if v.Duration > 0 {
		how = fmt.Sprintf("%s of the %s asked", v.Elapsed.Round(100*time.Millisecond), v.Duration)
	}
	if v.Interrupted {
		how += ", stopped early by a signal"
	}
	verdict := "PASS"
	if !v.Passed() {
		verdict = "FAIL"
	}
	return fmt.Sprintf("Validated %d GPUs, %d bodies each, %s: %d passed, %d failed: %s",
		len(v.GPUs), v.Bodies, how, passed, len(v.GPUs)-passed, verdict)
}
