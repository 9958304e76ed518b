package modes

import "time"

// Event is one thing a run tells as it happens, for its caller to report:
// one of the types whose event method is below. Run delivers every event,
// in order, to one Observer; a new event is a type here, the line of Run
// that sends it, and the case of the caller that reports it.
type Event interface{ event() }

// Observer hears a run's events in order; nil hears nothing.
type Observer func(Event)

// Opened says the platform is open.
type Opened struct{ Platform *Platform }

// ReadingFile says a tipsy file is about to be read.
type ReadingFile struct{ Path string }

// LongRun says the run of N bodies for Steps steps cannot take less than
// Least on this platform (only when Least is over RunOptions.LongerThan).
type LongRun struct {
	N, Steps int
	Least    time.Duration
}

// Withdrawing says that this process, rank Rank of Ranks, cannot take
// part in a run over several processes for Reason, and is telling the
// others (for up to Limit, while they start), before the run ends with
// that reason.
type Withdrawing struct {
	Rank, Ranks int
	Reason      error
	Limit       time.Duration
}

// BrokeDown says that a run ended with Bad of All bodies not finite (a
// time step too coarse for the bodies, or values too large for float32),
// before the snapshot is written; the run's result stands either way, as
// the integrators computed it.
type BrokeDown struct{ Bad, All int }

// Saved says the snapshot is written to Path.
type Saved struct{ Path string }

// The events, in the order a run may send them. A Withdrawing comes
// instead of every other; a BodiesInfo is sent when
// the bodies are chosen, before they are made; a ViewPlan before the
// interactive mode starts, a Status as it goes, a ViewResult at its end,
// and a Drawing once the frames file is written; a BrokeDown before the
// energy and the snapshot, when the bodies went NaN.
func (Withdrawing) event()     {}
func (Opened) event()          {}
func (ReadingFile) event()     {}
func (BodiesInfo) event()      {}
func (LongRun) event()         {}
func (BenchmarkResult) event() {}
func (Comparison) event()      {}
func (ViewPlan) event()        {}
func (Status) event()          {}
func (ViewResult) event()      {}
func (Drawing) event()         {}
func (EnergyResult) event()    {}
func (BrokeDown) event()       {}
func (Saved) event()           {}

// tell delivers e to obs, where there is one.
func (obs Observer) tell(e Event) {
	if obs != nil {
		obs(e)
	}
}
