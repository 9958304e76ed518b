package validate

import (
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nbody-go/nbody/nbody/nvml"
)

// What the readings of one GPU, before, during and after its run, add up
// to: the state the verdicts judge and the report shows.

// Observed is the GPU's state over the run. A field is nil where no
// reading had it: unknown, never a pass or a failure.
type Observed struct {
	// ClockEvents are every clock-event reason (NVML's throttle reasons)
	// that a reading taken during a window gave, in nvml.h's order.
	ClockEvents []string
	// LowestSMClockMHz is the lowest SM clock those readings gave; 0:
	// unknown.
	LowestSMClockMHz int
	// PCIe is the fastest the link ran in the readings taken during the
	// windows, with its maxima: a GPU at work runs its link at its best,
	// an idle one lowers the generation to save power, so the readings
	// before and after the run do not count, and a link below its maximum
	// in every window is one that trained low.
	PCIe *PCIeLink
	// NVLink is the reading with the most links down; NVLinkEverUp says
	// whether any reading had a link up (a GPU whose links were never up
	// has no NVLink in use: a PCIe card, or one without a bridge).
	NVLink       *NVLinks
	NVLinkEverUp bool
	// RowRemapping is the last reading's, pending or failed where any
	// reading said so.
	RowRemapping *RowRemapping
	// RetiredPagesPending is true where any reading said so.
	RetiredPagesPending *bool
	// PowerLimitW is the lowest power limit enforced in any reading;
	// DefaultPowerLimitW the one the GPU boots with.
	PowerLimitW, DefaultPowerLimitW *float64
	// OtherProcesses are the processes other than this one that any
	// reading listed on the GPU, in the order first seen; [] none.
	OtherProcesses []Process
}

// The clock-event reasons that mean a fault, not a choice: the hardware
// slowing down (too hot, the power brake asserted, power drawn too fast)
// and the driver holding the clocks under the thermal limit. A software
// power cap is the GPU keeping to its power limit, as it should.
var faultEvents = []string{
	nvml.ThrottleHWSlowdown.String(),
	nvml.ThrottleHWThermalSlowdown.String(),
	nvml.ThrottleHWPowerBrakeSlowdown.String(),
	nvml.ThrottleSWThermalSlowdown.String(),
}

// eventOrder is every reason nvml.h names, lowest bit first.
var eventOrder = nvml.ThrottleReasons(1<<9 - 1).Names()

// selfPID is this process, as NVML lists it where the driver knows our PID
// namespace; a variable for the tests.
var selfPID = os.Getpid()

// processName is a process's command, or "" where /proc does not show it
// (another PID namespace); a variable for the tests.
var processName = func(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// observe adds up g's readings.
func observe(g *GPUResult) Observed {
	var o Observed
	all := make([]*Reading, 0, len(g.During)+2)
	if g.Before != nil {
		all = append(all, g.Before)
	}
	for i := range g.During {
		all = append(all, &g.During[i])
	}
	if g.After != nil {
		all = append(all, g.After)
	}

	events := map[string]bool{}
	for i := range g.During {
		r := &g.During[i]
		if r.ThrottleReasons != nil {
			if o.ClockEvents == nil {
				o.ClockEvents = []string{}
			}
			for _, e := range r.ThrottleReasons {
				events[e] = true
			}
		}
		if r.SMClockMHz != nil && (o.LowestSMClockMHz == 0 || *r.SMClockMHz < o.LowestSMClockMHz) {
			o.LowestSMClockMHz = *r.SMClockMHz
		}
		if p := r.PCIe; p != nil && p.Gen > 0 && p.Width > 0 {
			if o.PCIe == nil || p.Gen > o.PCIe.Gen || (p.Gen == o.PCIe.Gen && p.Width > o.PCIe.Width) {
				o.PCIe = &PCIeLink{Gen: p.Gen, Width: p.Width}
			}
		}
	}
	for _, e := range eventOrder {
		if events[e] {
			o.ClockEvents = append(o.ClockEvents, e)
			delete(events, e)
		}
	}
	o.ClockEvents = append(o.ClockEvents, slices.Sorted(func(yield func(string) bool) {
		for e := range events {
			if !yield(e) {
				return
			}
		}
	})...)

	for _, r := range all {
		if p := r.PCIe; p != nil && o.PCIe != nil {
			o.PCIe.MaxGen, o.PCIe.MaxWidth = max(o.PCIe.MaxGen, p.MaxGen), max(o.PCIe.MaxWidth, p.MaxWidth)
			o.PCIe.GPUMaxGen = max(o.PCIe.GPUMaxGen, p.GPUMaxGen)
		}
		if l := r.NVLink; l != nil {
			o.NVLinkEverUp = o.NVLinkEverUp || len(l.Up) > 0
			if o.NVLink == nil || len(l.Down) > len(o.NVLink.Down) {
				o.NVLink = &NVLinks{Up: nonNil(l.Up), Down: nonNil(l.Down)}
			}
		}
		if m := r.RowRemapping; m != nil {
			pending, failed := m.Pending, m.Failed
			if o.RowRemapping != nil {
				pending, failed = pending || o.RowRemapping.Pending, failed || o.RowRemapping.Failed
			}
			o.RowRemapping = &RowRemapping{Correctable: m.Correctable, Uncorrectable: m.Uncorrectable, Pending: pending, Failed: failed}
		}
		if p := r.RetiredPagesPending; p != nil {
			pending := *p || (o.RetiredPagesPending != nil && *o.RetiredPagesPending)
			o.RetiredPagesPending = &pending
		}
		if w := r.PowerLimitW; w != nil && (o.PowerLimitW == nil || *w < *o.PowerLimitW) {
			o.PowerLimitW = w
		}
		if w := r.DefaultPowerLimitW; w != nil {
			o.DefaultPowerLimitW = w
		}
	}
	o.OtherProcesses = otherProcesses(g.Before, g.During, g.After)
	return o
}

// otherProcesses are the processes, other than this one, that the
// readings listed, each once, named where /proc shows them; nil where no
// reading listed processes.
//
// This process is known by its PID, where the driver gives PIDs of our PID
// namespace. Older drivers give the host's PIDs, so that in a container
// this process is listed under a PID that os.Getpid does not know; then,
// when no reading lists our own PID, the one PID that appears after the
// reading before the run (taken before this process opened the GPU) is
// taken for ours. With two or more such PIDs none is left out: one of them
// is this process, which the report cannot tell.
func otherProcesses(before *Reading, during []Reading, after *Reading) []Process {
	readings := make([]*Reading, 0, len(during)+2)
	readings = append(readings, before)
	for i := range during {
		readings = append(readings, &during[i])
	}
	readings = append(readings, after)
	var out []Process
	seen := map[int]bool{}
	sawSelf := false
	for _, r := range readings {
		if r == nil || r.Processes == nil {
			continue
		}
		if out == nil {
			out = []Process{}
		}
		for _, p := range r.Processes {
			switch {
			case p.PID == selfPID:
				sawSelf = true
			case !seen[p.PID]:
				seen[p.PID] = true
				out = append(out, p)
			}
		}
	}
	if !sawSelf && before != nil && before.Processes != nil {
		earlier := map[int]bool{}
		for _, p := range before.Processes {
			earlier[p.PID] = true
		}
		fresh := -1
		for i, p := range out {
			if !earlier[p.PID] {
				if fresh >= 0 {
					fresh = -1
					break
				}
				fresh = i
			}
		}
		if fresh >= 0 {
			out = slices.Delete(out, fresh, fresh+1)
		}
	}
	for i := range out {
		out[i].Name = processName(out[i].PID)
	}
	return out
}
