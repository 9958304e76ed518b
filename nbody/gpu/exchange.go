package gpu

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/nbody/nccl"
)

// ExchangeMode is the exchange that Options ask for: how several devices
// bring each other their new positions after every step. The integrator
// decides the Route it takes from it (see Integrator.Exchange).
type ExchangeMode int

const (
	// ExchangeAuto, the zero value, takes the best route the devices
	// allow: peer copies when every pair of devices has peer access (within
	// one process they move the same bytes over the same links as NCCL's
	// all-gather, from the copy engines, with no multiprocessor time and no
	// library), else NCCL where it loads and the devices are distinct GPUs
	// (it finds paths the driver's peer copies lack), else host memory.
	ExchangeAuto ExchangeMode = iota
	// ExchangePeer copies each device's share to every other device with
	// cuMemcpyPeerAsync: direct over NVLink or PCIe where peer access is
	// enabled, staged by the driver elsewhere.
	ExchangePeer
	// ExchangeNCCL exchanges through NCCL (loaded at run time), which needs
	// a distinct GPU for every device. Asked for, it runs even on one
	// device, as a one-rank all-gather.
	ExchangeNCCL
	// ExchangeHost passes the positions through page-locked host memory.
	ExchangeHost
)

// exchangeWords are the modes' names, as String gives and ParseExchange
// takes them.
var exchangeWords = [...]string{ExchangeAuto: "auto", ExchangePeer: "peer", ExchangeNCCL: "nccl", ExchangeHost: "host"}

// String returns the mode's word: "auto", "peer", "nccl" or "host".
func (m ExchangeMode) String() string {
	if m < 0 || int(m) >= len(exchangeWords) {
		return fmt.Sprintf("ExchangeMode(%d)", int(m))
	}
	return exchangeWords[m]
}

// ParseExchange returns the mode named by s, one of the words String
// gives; any other s is an error that names the valid words.
func ParseExchange(s string) (ExchangeMode, error) {
	for m, w := range exchangeWords {
		if s == w {
			return ExchangeMode(m), nil
		}
	}
	return 0, fmt.Errorf("exchange %q: want %s", s, validExchangeWords())
}

// validExchangeWords lists the modes' words: "auto, peer, nccl or host".
func validExchangeWords() string {
	w := exchangeWords[:]
	return strings.Join(w[:len(w)-1], ", ") + " or " + w[len(w)-1]
}

// valid reports whether m is one of the modes above.
func (m ExchangeMode) valid() bool { return m >= 0 && int(m) < len(exchangeWords) }

// Route is how new positions actually reach every device after a step,
// decided by New from the ExchangeMode asked for, the number of devices,
// Options.HostMem and the links between the devices.
type Route int

const (
	// RouteNone: one device, nothing to exchange.
	RouteNone Route = iota
	// RoutePeer: each device copies its share to every other with
	// cuMemcpyPeerAsync on its own stream (direct over NVLink or PCIe where
	// peer access is enabled, staged by the driver otherwise); the others
	// wait for its event before their next step.
	RoutePeer
	// RouteNCCL: one grouped NCCL all-gather (equal shares) or one
	// broadcast per device (unequal shares) on the devices' streams.
	RouteNCCL
	// RouteHost: each device writes its share into page-locked host
	// memory, the others read it from there.
	RouteHost
	// RouteShared: Options.HostMem on several devices; every device reads
	// and writes one mapped host copy of the positions, so a step only
	// waits for all devices' previous step.
	RouteShared
)

// String returns a short name of the route, for logs: "none", "peer",
// "nccl", "host" or "shared".
func (r Route) String() string {
	switch r {
	case RouteNone:
		return "none"
	case RoutePeer:
		return "peer"
	case RouteNCCL:
		return "nccl"
	case RouteHost:
		return "host"
	case RouteShared:
		return "shared"
	}
	return fmt.Sprintf("Route(%d)", int(r))
}

// ExchangeInfo describes how an integrator's devices exchange positions,
// for a report to put into words.
type ExchangeInfo struct {
	Route Route
	// SharedGPU is set when some devices are one GPU (tests run several
	// logical devices on one): their copies stay within its memory.
	SharedGPU bool
	// Pairs counts the ordered pairs of devices; PeerPairs those with peer
	// access enabled (pairs on one GPU count as having it). Both are 0 with
	// one device and with HostMem, where peer access is not enabled.
	Pairs, PeerPairs int
	// AllGather, with RouteNCCL: the exchange is one all-gather, as equal
	// shares allow (and as New expects before any bodies are set); false:
	// a broadcast from each device.
	AllGather bool
	// NCCLVersion, with RouteNCCL: the loaded NCCL's version as
	// major.minor.patch, e.g. "2.27.3".
	NCCLVersion string
}

// peerAccess says which pairs of devices can address each other's memory:
// all of them, some, or none (pairs on one GPU count as able).
type peerAccess struct{ pairs, able int }

func (p peerAccess) all() bool { return p.able == p.pairs }

// chooseRoute decides the route from the exchange asked for, the number
// of devices, Options.HostMem, the peer access between them, whether they
// are distinct GPUs (NCCL needs that) and whether NCCL loads (ncclErr nil).
//
// With host memory and several devices they share one mapped copy,
// whatever the mode; with one device nothing is exchanged, except that an
// NCCL exchange asked for still runs a one-rank all-gather. Otherwise the
// mode decides, ExchangeAuto as its doc comment says.
func chooseRoute(want ExchangeMode, devices int, hostMem bool, access peerAccess, distinct bool, ncclErr error) (Route, error) {
	if !want.valid() {
		return 0, fmt.Errorf("exchange %v: want %s", want, validExchangeWords())
	}
	switch {
	case hostMem && devices > 1:
		return RouteShared, nil
	case hostMem:
		return RouteNone, nil
	case want == ExchangeNCCL:
		// Asked for, NCCL runs even on one device (a one-rank all-gather),
		// which is how its binding is tested on one GPU.
		if !distinct {
			return 0, errors.New("the NCCL exchange needs a distinct GPU for every device")
		}
		if ncclErr != nil {
			return 0, fmt.Errorf("the NCCL exchange: %w", ncclErr)
		}
		return RouteNCCL, nil
	case devices == 1:
		return RouteNone, nil
	case want == ExchangePeer:
		return RoutePeer, nil
	case want == ExchangeHost:
		return RouteHost, nil
	case access.all():
		return RoutePeer, nil
	case ncclErr == nil && distinct:
		return RouteNCCL, nil
	}
	return RouteHost, nil
}

// Exchange describes how the devices exchange positions after each step;
// with one device, Route is RouteNone. With RouteNCCL, whether it gathers
// or broadcasts depends on the shares of the bodies set; before SetBodies
// it is the all-gather that equal shares will use.
func (g *Integrator) Exchange() ExchangeInfo {
	_, allGather := equalStride(g.world)
	ncclVersion := 0
	if g.nccl != nil {
		ncclVersion = g.nccl.Version()
	}
	return exchangeInfo(g.route, g.access, g.distinct, allGather || g.world == nil, ncclVersion)
}

// exchangeInfo is Exchange's value from the integrator's state and, with
// RouteNCCL, the version of the NCCL opened.
func exchangeInfo(r Route, access peerAccess, distinct, allGather bool, ncclVersion int) ExchangeInfo {
	info := ExchangeInfo{Route: r, SharedGPU: !distinct, Pairs: access.pairs, PeerPairs: access.able}
	if r == RouteNCCL {
		info.AllGather = allGather
		info.NCCLVersion = nccl.FormatVersion(ncclVersion)
	}
	return info
}

// enablePeerAccess enables peer access between every pair of distinct
// GPUs that allow it, and counts the pairs. Pairs of logical devices on
// one GPU need none: their copies stay in the GPU.
func (g *Integrator) enablePeerAccess() (peerAccess, error) {
	var pa peerAccess
	for i, a := range g.devs {
		for j, b := range g.devs {
			if i == j {
				continue
			}
			pa.pairs++
			if a.info.Ordinal == b.info.Ordinal {
				pa.able++
				continue
			}
			can, err := g.drv.CanAccessPeer(a.handle, b.handle)
			if err != nil {
				return pa, a.wrap(fmt.Errorf("peer access to device %d: %w", b.info.Ordinal, err))
			}
			if !can {
				continue
			}
			unbind, err := a.bind()
			if err != nil {
				return pa, err
			}
			err = g.drv.EnablePeerAccess(b.ctx)
			unbind()
			if err == nil {
				// Where enabling fails the pair is counted as without
				// access: the driver still copies, through the host.
				pa.able++
			}
		}
	}
	return pa, nil
}
