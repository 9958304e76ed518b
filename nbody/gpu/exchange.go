package gpu

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nccl"
)

// exchange is how new positions reach every device after a step.
type exchange int

const (
	// exchangeNone: one device, nothing to exchange.
	exchangeNone exchange = iota
	// exchangePeer: each device copies its share to every other with
	// cuMemcpyPeerAsync on its own stream (direct over NVLink or PCIe where
	// peer access is enabled, staged by the driver otherwise); the others
	// wait for its event before their next step.
	exchangePeer
	// exchangeNCCL: one grouped NCCL all-gather (equal shares) or one
	// broadcast per device (unequal shares) on the devices' streams.
	exchangeNCCL
	// exchangeHost: each device writes its share into page-locked host
	// memory, the others read it from there.
	exchangeHost
	// exchangeShared: -hostmem; every device reads and writes one mapped
	// host copy of the positions, so a step only waits for all devices'
	// previous step.
	exchangeShared
)

// Exchange names, as -exchange takes them.
const (
	ExchangeAuto = "auto"
	ExchangePeer = "peer"
	ExchangeNCCL = "nccl"
	ExchangeHost = "host"
)

// peerAccess says which pairs of devices can address each other's memory:
// all of them, some, or none (pairs on one GPU count as able).
type peerAccess struct{ pairs, able int }

func (p peerAccess) all() bool { return p.able == p.pairs }

// chooseExchange decides the exchange from the -exchange value, the number
// of devices, -hostmem, the peer access between them, whether they are
// distinct GPUs (NCCL needs that) and whether NCCL loads (ncclErr nil).
//
// With -hostmem and several devices they share one mapped copy, whatever
// -exchange says; with one device nothing is exchanged, except that a
// forced nccl still runs a one-rank all-gather.
//
// auto prefers peer copies when every pair of devices has peer access:
// within one process they move the same bytes over the same links as
// NCCL's all-gather, from the copy engines, with no multiprocessor time
// and no library. NCCL comes next (it finds paths the driver's peer copies
// lack when some pairs have no peer access), host memory last.
func chooseExchange(want string, devices int, hostMem bool, access peerAccess, distinct bool, ncclErr error) (exchange, error) {
	if err := validExchange(want); err != nil {
		return 0, err
	}
	switch {
	case hostMem && devices > 1:
		return exchangeShared, nil
	case hostMem:
		return exchangeNone, nil
	case want == ExchangeNCCL:
		// Forced, NCCL runs even on one device (a one-rank all-gather),
		// which is how its binding is tested on one GPU.
		if !distinct {
			return 0, errors.New("-exchange=nccl: NCCL needs a distinct GPU for every device")
		}
		if ncclErr != nil {
			return 0, fmt.Errorf("-exchange=nccl: %w", ncclErr)
		}
		return exchangeNCCL, nil
	case devices == 1:
		return exchangeNone, nil
	case want == ExchangePeer:
		return exchangePeer, nil
	case want == ExchangeHost:
		return exchangeHost, nil
	case access.all():
		return exchangePeer, nil
	case ncclErr == nil && distinct:
		return exchangeNCCL, nil
	}
	return exchangeHost, nil
}

// validExchange refuses an -exchange value that names no exchange.
func validExchange(want string) error {
	switch want {
	case "", ExchangeAuto, ExchangePeer, ExchangeNCCL, ExchangeHost:
		return nil
	}
	return fmt.Errorf("exchange %q: want auto, peer, nccl or host", want)
}

// describeExchange is the header's words for the exchange.
func describeExchange(x exchange, access peerAccess, distinct bool, allGather bool) string {
	switch x {
	case exchangePeer:
		switch {
		case !distinct:
			return "peer (device-to-device copies: the devices share one GPU)"
		case access.all():
			return "peer (NVLink/PCIe peer copies)"
		case access.able == 0:
			return "peer (copies staged by the driver: no pair has peer access)"
		}
		return fmt.Sprintf("peer (NVLink/PCIe peer copies where %d of %d pairs have peer access, staged by the driver elsewhere)", access.able, access.pairs)
	case exchangeNCCL:
		v, _ := nccl.Version()
		op := "all-gather"
		if !allGather {
			op = "broadcast from each device"
		}
		return fmt.Sprintf("nccl (NCCL %s %s)", nccl.FormatVersion(v), op)
	case exchangeHost:
		return "host (through page-locked host memory)"
	case exchangeShared:
		return "shared host memory (-hostmem: every device reads the one mapped copy)"
	}
	return "none (one device)"
}

// Exchange says how the devices exchange positions after each step, as
// the header prints it after "> Exchange: ", e.g. "peer (NVLink/PCIe peer
// copies)"; with one device, "none (one device)". With an NCCL exchange,
// whether it gathers or broadcasts depends on the shares of the bodies
// set.
func (g *Integrator) Exchange() string {
	// Before SetBodies, the gather that equal shares will use.
	_, allGather := equalStride(g.shares)
	return describeExchange(g.exchange, g.access, g.distinct, allGather || g.shares == nil)
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
			can, err := cuda.CanAccessPeer(a.handle, b.handle)
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
			err = cuda.EnablePeerAccess(b.ctx)
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
