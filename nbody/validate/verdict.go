package validate

import (
	"fmt"
	"slices"
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

// peers is what a verdict may hold one GPU to among all of them: the
// median rate of those that ran, and how many did.
type peers struct {
	median float64
	ran    int
}

// A rule says why g fails it, or "" when g passes.
type rule func(g *GPUResult, p peers, o Options) string

// rules are every verdict, in the order their reasons are listed.
var rules = []rule{ran, accurate, noNewECCErrors, aboveFloor, notThrottled, notSlow}

// judge gives every GPU its verdict: its ratio to the median GPU, and the
// reasons of every rule it fails.
func judge(gpus []GPUResult, o Options) {
	rates := make([]float64, 0, len(gpus))
	for _, g := range gpus {
		if g.Err == nil && len(g.Windows) > 0 {
			rates = append(rates, g.Rate())
		}
	}
	p := peers{median: median(rates), ran: len(rates)}
	for i := range gpus {
		g := &gpus[i]
		g.Reasons = nil
		if p.median > 0 {
			g.Ratio = g.Rate() / p.median
		}
		for _, r := range rules {
			if why := r(g, p, o); why != "" {
				g.Reasons = append(g.Reasons, why)
			}
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

// notSlow fails a GPU, among two or more that ran, whose rate is below
// SlowRatio of the median.
func notSlow(g *GPUResult, p peers, o Options) string {
	if len(g.Windows) > 0 && p.ran >= 2 && g.Ratio < cmpOr(o.SlowRatio, DefaultSlowRatio) {
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
