package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The validation's lines for a report: one per GPU and one for the run.

// String is the GPU's line in a report: its figures (with the lowest and
// highest window when there were several), its share of the rate expected
// of it, its state (the lowest SM clock and the clock-event reasons seen
// while the windows ran, else the reading after the run; the temperature,
// power and ECC count after it; the power limit where lowered, the links,
// remapped rows and other processes), and the verdict with its reasons. A
// reading not reported is left out.
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
		if e := g.Expected; e != nil {
			fmt.Fprintf(&b, ", %d%% of %s expected (%s)", int(math.Floor(100*g.Share)), thousands(e.GIps), e.Source)
		} else if g.NoExpectation != "" {
			fmt.Fprintf(&b, ", expected unknown (%s)", g.NoExpectation)
		}
		fmt.Fprintf(&b, ", %.3f of the median, accuracy %.3g (bound %.3g)", g.Ratio, g.Accuracy, g.AccuracyBound)
	}
	if r := g.After; g.Observed.LowestSMClockMHz > 0 {
		fmt.Fprintf(&b, ", SM %d MHz", g.Observed.LowestSMClockMHz)
	} else if r != nil && r.SMClockMHz != nil {
		fmt.Fprintf(&b, ", SM %d MHz", *r.SMClockMHz)
	}
	if r := g.After; r != nil {
		if r.TemperatureC != nil {
			fmt.Fprintf(&b, ", %d C", *r.TemperatureC)
		}
		if r.PowerW != nil {
			fmt.Fprintf(&b, ", %.0f W", *r.PowerW)
		}
		if r.ECCErrors != nil {
			fmt.Fprintf(&b, ", %d ECC errors", *r.ECCErrors)
		}
	}
	// The reasons seen while the windows ran; the reading after the run
	// where there were none.
	reasons := g.Observed.ClockEvents
	if reasons == nil && g.After != nil {
		reasons = g.After.ThrottleReasons
	}
	switch {
	case reasons == nil: // not reported
	case len(reasons) == 0:
		b.WriteString(", throttle none")
	default:
		b.WriteString(", throttle " + strings.Join(reasons, "+"))
	}
	b.WriteString(g.Observed.health())
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

// health is what the line says of the GPU's power limit, links, memory
// and other processes, each where it is known: ", power limit 500 of 700
// W, PCIe Gen5 x16, NVLink 18 up, other processes: 4242 (python3)".
func (o Observed) health() string {
	var b strings.Builder
	if lim, def := o.PowerLimitW, o.DefaultPowerLimitW; lim != nil && def != nil && *lim < *def {
		fmt.Fprintf(&b, ", power limit %.0f of %.0f W", *lim, *def)
	}
	if p := o.PCIe; p != nil {
		fmt.Fprintf(&b, ", PCIe Gen%d x%d", p.Gen, p.Width)
		if p.MaxGen > 0 && p.MaxWidth > 0 && (p.Gen < p.MaxGen || p.Width < p.MaxWidth) {
			fmt.Fprintf(&b, " of Gen%d x%d", p.MaxGen, p.MaxWidth)
		}
	}
	if l := o.NVLink; l != nil {
		if len(l.Down) == 0 {
			fmt.Fprintf(&b, ", NVLink %d up", len(l.Up))
		} else {
			fmt.Fprintf(&b, ", NVLink %d of %d up", len(l.Up), len(l.Up)+len(l.Down))
		}
	}
	if m := o.RowRemapping; m != nil && m.Correctable+m.Uncorrectable > 0 {
		fmt.Fprintf(&b, ", %d rows remapped", m.Correctable+m.Uncorrectable)
	}
	if len(o.OtherProcesses) > 0 {
		b.WriteString(", other processes: " + o.otherProcessNames())
	}
	return b.String()
}

// otherProcessNames lists the other processes: "4242 (python3), 4250".
func (o Observed) otherProcessNames() string {
	names := make([]string, len(o.OtherProcesses))
	for i, p := range o.OtherProcesses {
		names[i] = strconv.Itoa(p.PID)
		if p.Name != "" {
			names[i] += " (" + p.Name + ")"
		}
	}
	return strings.Join(names, ", ")
}

// thousands writes a rate rounded to a whole GI/s with commas: 2,130, as
// the expectation's reason does.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, d := range s {
		if i > 0 && d != '-' && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}
