package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nbody-go/nbody/nbody/nvml"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// The verdicts: a GPU passes when no rule finds a reason to fail it. A
// new verdict is one more rule, here and nowhere else: a function that
// reads the GPU's record (its figures, accuracy and telemetry), what the
// others did and the options, and says why the GPU fails, or nothing.

// Defaults of the verdicts' thresholds.
const (
	DefaultSlowRatio    = 0.9  // of the median GPU's rate
	DefaultThrottleDrop = 0.10 // below the GPU's own first window
)

// peers is what a verdict may hold one GPU to among all of them: by model
// name, the median rate of those that ran, how many did, and a GPU that
// had an NVLink link up ("GPU 3", or "GPU 3 of node7" in a cluster).
type peers struct {
	median   map[string]float64
	ran      map[string]int
	nvlinkUp map[string]string
}

// A rule says why g fails it, or "" when g passes.
type rule func(g *GPUResult, p peers, o Options) string

// rules are every verdict, in the order their reasons are listed; slow
// marks those that fail a GPU as slow, the first of whose reasons names
// what the telemetry saw that slows it (slowBecause): its owner can act
// on it.
var rules = []struct {
	check rule
	slow  bool
}{
	{check: ran}, {check: accurate}, {check: noNewECCErrors}, {check: noClockFaults}, {check: fullPCIeLink},
	{check: nvlinksUp}, {check: noRowRemapFault}, {check: noPagesPendingRetirement}, {check: aboveFloor},
	{check: notThrottled}, {check: meetsExpectation, slow: true}, {check: notSlow, slow: true},
}

// Judge gives every GPU of gpus its verdict, as All does for its own:
// what its readings add up to, the rate expected of it and its share of
// that, its ratio to the median GPU of its model, and the reasons of every
// rule it fails. The GPUs may come from several machines (a cluster's,
// merged): each is held to those of its model among all of them.
func Judge(gpus []GPUResult, o Options) { judge(gpus, o) }

// judge is Judge.
func judge(gpus []GPUResult, o Options) {
	rates := map[string][]float64{}
	p := peers{median: map[string]float64{}, ran: map[string]int{}, nvlinkUp: map[string]string{}}
	for i := range gpus {
		g := &gpus[i]
		g.Observed = observe(g)
		og := o
		if g.bodies > 0 {
			og.Bodies = g.bodies
		}
		g.Expected, g.NoExpectation = expectation(g, og)
		g.Share = 0
		if g.Expected != nil && len(g.Windows) > 0 {
			g.Share = expect.Share(g.Rate(), *g.Expected)
		}
		if g.Err == nil && len(g.Windows) > 0 {
			rates[g.Device.Name] = append(rates[g.Device.Name], g.Rate())
		}
		if _, ok := p.nvlinkUp[g.Device.Name]; !ok && g.Observed.NVLinkEverUp {
			p.nvlinkUp[g.Device.Name] = g.label()
		}
	}
	for name, rs := range rates {
		p.median[name], p.ran[name] = median(rs), len(rs)
	}
	for i := range gpus {
		g := &gpus[i]
		g.Reasons, g.Ratio = nil, 0
		if m := p.median[g.Device.Name]; m > 0 {
			g.Ratio = g.Rate() / m
		}
		told := false
		for _, r := range rules {
			why := r.check(g, p, o)
			if why == "" {
				continue
			}
			if r.slow && !told {
				why, told = why+slowBecause(g), true
			}
			g.Reasons = append(g.Reasons, why)
		}
		g.Passed = len(g.Reasons) == 0
	}
}

// ran fails a GPU that could not run, or finished no timed window.
func ran(g *GPUResult, _ peers, _ Options) string {
	switch {
	case g.Err != nil:
		return "error: " + g.Err.Error()
	case len(g.Windows) == 0:
		return "no timed window finished"
	}
	return ""
}

// accurate fails a GPU whose accelerations were off the float64
// reference by more than the precision's bound (NaN included).
func accurate(g *GPUResult, _ peers, _ Options) string {
	if g.Checks > 0 && !(g.Accuracy <= g.AccuracyBound) {
		return fmt.Sprintf("accuracy: relative L2 error %.3g above %.3g", g.Accuracy, g.AccuracyBound)
	}
	return ""
}

// noNewECCErrors fails a GPU whose memory had errors that ECC could not
// correct during the run; those from before it are not the run's.
func noNewECCErrors(g *GPUResult, _ peers, _ Options) string {
	if b, a := g.Before, g.After; b != nil && a != nil && b.ECCErrors != nil && a.ECCErrors != nil && *a.ECCErrors > *b.ECCErrors {
		return fmt.Sprintf("ecc: %d uncorrected memory errors during the run", *a.ECCErrors-*b.ECCErrors)
	}
	return ""
}

// noClockFaults fails a GPU whose clocks a fault held down during the run:
// a clock-event reason of faultEvents in any reading taken during a
// window. A software power cap alone is no fault (the GPU keeps to its
// power limit, as it should); the rate judges what it costs.
func noClockFaults(g *GPUResult, _ peers, _ Options) string {
	var seen []string
	for _, e := range g.Observed.ClockEvents {
		if slices.Contains(faultEvents, e) {
			seen = append(seen, e)
		}
	}
	if len(seen) == 0 {
		return ""
	}
	why := "clock faults during the run: " + strings.Join(seen, "+")
	if low := g.Observed.LowestSMClockMHz; low > 0 {
		why += fmt.Sprintf(" (SM %d", low)
		if top := chipOf(g).MaxClockMHz; top > 0 {
			why += fmt.Sprintf(" of %d", top)
		}
		why += " MHz)"
	}
	return why
}

// fullPCIeLink fails a GPU whose PCIe link ran below the generation or
// width that the GPU and its slot can do together, in every window: a
// link that trained low (a loose or dirty connector, a riser, a failing
// switch). Below the GPU's own maximum in a slot that cannot do more is
// the slot, not a fault.
func fullPCIeLink(g *GPUResult, _ peers, _ Options) string {
	p := g.Observed.PCIe
	if p == nil || p.MaxGen == 0 || p.MaxWidth == 0 || (p.Gen >= p.MaxGen && p.Width >= p.MaxWidth) {
		return ""
	}
	return fmt.Sprintf("pcie: Gen%d x%d of Gen%d x%d", p.Gen, p.Width, p.MaxGen, p.MaxWidth)
}

// nvlinksUp fails a GPU with NVLink links down: some down while others
// are (or were) up, or all down where a GPU of the same model in the run
// has links up. A GPU whose links were all never up, with no such peer,
// has no NVLink in use (a PCIe card, or one without a bridge): no
// failure, since NVML cannot tell a link never wired from one that died.
func nvlinksUp(g *GPUResult, p peers, _ Options) string {
	l := g.Observed.NVLink
	if l == nil || len(l.Down) == 0 {
		return ""
	}
	all := len(l.Up) + len(l.Down)
	if g.Observed.NVLinkEverUp {
		return fmt.Sprintf("nvlink: %d of %d links down (%s)", len(l.Down), all, joinInts(l.Down))
	}
	if peer, ok := p.nvlinkUp[g.Device.Name]; ok {
		return fmt.Sprintf("nvlink: all %d links down, while %s, the same model, has links up", all, peer)
	}
	return ""
}

// label names g in a reason: "GPU 3", or "GPU 3 of node7" in a cluster.
func (g *GPUResult) label() string {
	if g.Host != "" {
		return fmt.Sprintf("GPU %d of %s", g.Device.Ordinal, g.Host)
	}
	return fmt.Sprintf("GPU %d", g.Device.Ordinal)
}

// joinInts writes xs as "1, 5, 7".
func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// noRowRemapFault fails a GPU whose memory's row remapper has remappings
// pending (the GPU needs a reset to use its spare rows) or has failed to
// remap a row (it has run out of spare rows: the GPU needs service).
func noRowRemapFault(g *GPUResult, _ peers, _ Options) string {
	m := g.Observed.RowRemapping
	switch {
	case m == nil:
		return ""
	case m.Failed && m.Pending:
		return "row remapping: a remapping failed, and remappings are pending a reset"
	case m.Failed:
		return "row remapping: a remapping failed"
	case m.Pending:
		return "row remapping: pending, the GPU needs a reset"
	}
	return ""
}

// noPagesPendingRetirement fails a GPU with memory pages that wait for a
// reset to be retired (before Ampere; later GPUs remap rows instead).
func noPagesPendingRetirement(g *GPUResult, _ peers, _ Options) string {
	if p := g.Observed.RetiredPagesPending; p != nil && *p {
		return "retired pages: pending, the GPU needs a reset"
	}
	return ""
}

// meetsExpectation fails a GPU below MinShare of the rate expected of its
// kind: one GPU is enough, and so is a node that is slow all over. No
// expectation, no verdict.
func meetsExpectation(g *GPUResult, _ peers, o Options) string {
	if len(g.Windows) == 0 || g.Expected == nil || o.MinShare < 0 {
		return ""
	}
	why, _ := expect.Slow(g.Rate(), *g.Expected, cmpOr(o.MinShare, expect.DefaultMinShare))
	return why
}

// slowBecause is what the telemetry saw that slows a GPU without being a
// fault of its own, for the first of a slow GPU's reasons: another
// process on it, the software power cap holding its clock down, a power
// limit below the default (", with other processes on the GPU: 2559
// (python3) and the power cap holding the SM clock to 1710 of 1980 MHz");
// "" where it saw none. The faults (hardware or thermal slowdown) fail the
// GPU under their own rule.
func slowBecause(g *GPUResult) string {
	ob := g.Observed
	var causes []string
	if len(ob.OtherProcesses) > 0 {
		causes = append(causes, "other processes on the GPU: "+ob.otherProcessNames())
	}
	if slices.Contains(ob.ClockEvents, nvml.ThrottleSWPowerCap.String()) {
		held := "the power cap"
		faulty := slices.ContainsFunc(ob.ClockEvents, func(e string) bool { return slices.Contains(faultEvents, e) })
		if top := chipOf(g).MaxClockMHz; !faulty && ob.LowestSMClockMHz > 0 && top > ob.LowestSMClockMHz {
			held += fmt.Sprintf(" holding the SM clock to %d of %d MHz", ob.LowestSMClockMHz, top)
		}
		causes = append(causes, held)
	}
	if lim, def := ob.PowerLimitW, ob.DefaultPowerLimitW; lim != nil && def != nil && *lim < *def {
		causes = append(causes, fmt.Sprintf("a power limit of %.0f of the default %.0f W", *lim, *def))
	}
	if len(causes) == 0 {
		return ""
	}
	return ", with " + strings.Join(causes, " and ")
}

// aboveFloor fails a GPU below Options.MinGIPS.
func aboveFloor(g *GPUResult, _ peers, o Options) string {
	if len(g.Windows) > 0 && o.MinGIPS > 0 && g.Rate() < o.MinGIPS {
		return fmt.Sprintf("below %g GI/s", o.MinGIPS)
	}
	return ""
}

// notThrottled fails a GPU, in a run with a duration, when a later window
// fell more than ThrottleDrop below its first.
func notThrottled(g *GPUResult, _ peers, o Options) string {
	if o.Duration == 0 || len(g.Windows) < 2 {
		return ""
	}
	drop := cmpOr(o.ThrottleDrop, DefaultThrottleDrop)
	first := g.Windows[0].GInteractions
	for k, w := range g.Windows[1:] {
		if w.GInteractions < (1-drop)*first {
			return fmt.Sprintf("throttled: window %d at %.0f%% of the first", k+2, 100*w.GInteractions/first)
		}
	}
	return ""
}

// notSlow fails a GPU, among two or more of its model that ran, whose
// rate is below SlowRatio of their median: a GPU is held to its own kind,
// never to a faster or slower model beside it.
func notSlow(g *GPUResult, p peers, o Options) string {
	if len(g.Windows) > 0 && p.ran[g.Device.Name] >= 2 && g.Ratio < cmpOr(o.SlowRatio, DefaultSlowRatio) {
		return fmt.Sprintf("slow: %.0f%% of the median GPU", 100*g.Ratio)
	}
	return ""
}

// median is the middle value (the mean of the two middle ones for an even
// count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
