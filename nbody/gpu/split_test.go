package gpu

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every split covers every body once, in order, leaves no device empty
// unless there are fewer bodies than devices, and rounds every share but
// the last to the granule it settled on.
func TestSplitCoversEveryBodyOnce(t *testing.T) {
	weightSets := [][]int{{132}, {132, 132}, {132, 132, 132}, {132, 66}, {78, 132, 16, 132}, {1, 1, 1, 1, 1, 1, 1, 1}}
	for _, w := range weightSets {
		for _, n := range []int{1, 2, 3, 7, 31, 255, 256, 257, 511, 1000, 1023, 4097, 65536, 262144, 1048577} {
			for _, granule := range []int{32, 256, 1024} {
				shares := splitBodies(n, w, granule)
				name := fmt.Sprintf("n=%d weights=%v granule=%d", n, w, granule)
				require.Len(t, shares, len(w), name)
				next := 0
				for k, s := range shares {
					assert.Equal(t, next, s.first, "%s: device %d starts where the last ended", name, k)
					assert.GreaterOrEqual(t, s.count, 0, name)
					next += s.count
				}
				assert.Equal(t, n, next, "%s: every body once", name)
				used := active(shares)
				assert.Equal(t, min(n, len(w)), used, "%s: devices with bodies %v", name, shares)
				for k := used; k < len(shares); k++ {
					assert.Zero(t, shares[k].count, "%s: only a tail of devices may be empty", name)
				}
			}
		}
	}
}

// The sample's rounding where bodies are plenty; halved granules where
// they are few.
func TestSplitExamples(t *testing.T) {
	for _, c := range []struct {
		n       int
		weights []int
		want    []share
	}{
		{4096, []int{132, 132}, []share{{0, 2048}, {2048, 2048}}},
		{4097, []int{132, 132}, []share{{0, 2304}, {2304, 1793}}},               // ceil(4097/2) = 2049, up to 2304
		{1000, []int{132, 132}, []share{{0, 512}, {512, 488}}},                  // as the sample
		{1000, []int{132, 132, 132}, []share{{0, 384}, {384, 384}, {768, 232}}}, // 512s would leave the third empty
		{3000, []int{132, 66}, []share{{0, 2048}, {2048, 952}}},                 // 2000 by SMs, up to 2048
		{300, []int{132, 132}, []share{{0, 256}, {256, 44}}},
		{200, []int{132, 132}, []share{{0, 128}, {128, 72}}},
		{3, []int{132, 132}, []share{{0, 2}, {2, 1}}},
		{1, []int{132, 132}, []share{{0, 1}, {1, 0}}}, // fewer bodies than devices
		{2, []int{132, 132, 132}, []share{{0, 1}, {1, 1}, {2, 0}}},
	} {
		assert.Equal(t, c.want, splitBodies(c.n, c.weights, 256), "n=%d weights=%v", c.n, c.weights)
	}
}

func TestEqualStride(t *testing.T) {
	for _, c := range []struct {
		shares []share
		stride int
		ok     bool
	}{
		{[]share{{0, 2304}, {2304, 1793}}, 2304, true},
		{[]share{{0, 384}, {384, 384}, {768, 232}}, 384, true},
		{[]share{{0, 1}, {1, 0}}, 1, true},
		{[]share{{0, 2048}, {2048, 952}}, 2048, true},
		{[]share{{0, 1024}, {1024, 2048}}, 0, false},          // the last is longer
		{[]share{{0, 512}, {512, 256}, {768, 256}}, 0, false}, // a short share before the last
		{[]share{{0, 2048}}, 2048, true},
		{nil, 0, false},
	} {
		stride, ok := equalStride(c.shares)
		assert.Equal(t, c.ok, ok, "%v", c.shares)
		assert.Equal(t, c.stride, stride, "%v", c.shares)
	}
}

func TestChooseRoute(t *testing.T) {
	all, some := peerAccess{pairs: 2, able: 2}, peerAccess{pairs: 6, able: 2}
	noNCCL := errors.New("libnccl.so.2 not found")
	for _, c := range []struct {
		want     ExchangeMode
		devices  int
		hostMem  bool
		access   peerAccess
		distinct bool
		ncclErr  error
		got      Route
		errWords string
	}{
		{ExchangeAuto, 1, false, peerAccess{}, true, nil, RouteNone, ""},
		{ExchangeAuto, 1, true, peerAccess{}, true, nil, RouteNone, ""},
		{ExchangeAuto, 2, false, all, true, nil, RoutePeer, ""},
		{ExchangeAuto, 3, false, some, true, nil, RouteNCCL, ""},
		{ExchangeAuto, 3, false, some, true, noNCCL, RouteHost, ""},
		{ExchangeAuto, 2, false, some, false, nil, RouteHost, ""},
		{ExchangeAuto, 2, true, all, true, nil, RouteShared, ""},
		{ExchangePeer, 2, false, peerAccess{pairs: 2}, true, noNCCL, RoutePeer, ""},
		{ExchangePeer, 1, false, peerAccess{}, true, nil, RouteNone, ""},
		{ExchangeHost, 2, false, all, true, nil, RouteHost, ""},
		{ExchangeNCCL, 2, false, all, true, nil, RouteNCCL, ""},
		{ExchangeNCCL, 1, false, peerAccess{}, true, nil, RouteNCCL, ""},
		{ExchangeNCCL, 2, true, all, true, nil, RouteShared, ""},
		{ExchangeNCCL, 2, false, all, true, noNCCL, 0, "the NCCL exchange: libnccl.so.2 not found"},
		{ExchangeNCCL, 2, false, all, false, nil, 0, "the NCCL exchange needs a distinct GPU for every device"},
		{ExchangeMode(7), 2, false, all, true, nil, 0, "exchange ExchangeMode(7): want auto, peer, nccl or host"},
	} {
		name := fmt.Sprintf("%+v", c)
		got, err := chooseRoute(c.want, c.devices, c.hostMem, c.access, c.distinct, c.ncclErr)
		if c.errWords != "" {
			require.Error(t, err, name)
			assert.Contains(t, err.Error(), c.errWords, name)
			assert.NotContains(t, err.Error(), "-exchange", "%s: the package knows no flag", name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, c.got, got, name)
	}
}

func TestParseExchange(t *testing.T) {
	for _, m := range []ExchangeMode{ExchangeAuto, ExchangePeer, ExchangeNCCL, ExchangeHost} {
		got, err := ParseExchange(m.String())
		require.NoError(t, err, "%v", m)
		assert.Equal(t, m, got)
	}
	assert.Equal(t, []string{"auto", "peer", "nccl", "host"},
		[]string{ExchangeAuto.String(), ExchangePeer.String(), ExchangeNCCL.String(), ExchangeHost.String()})
	assert.Equal(t, ExchangeAuto, ExchangeMode(0), "the zero value asks for the automatic choice")
	for _, s := range []string{"", "AUTO", "Peer", "carrier pigeon", "auto "} {
		_, err := ParseExchange(s)
		require.Error(t, err, "%q", s)
		assert.Equal(t, fmt.Sprintf("exchange %q: want auto, peer, nccl or host", s), err.Error())
	}
	assert.Equal(t, "ExchangeMode(-1)", ExchangeMode(-1).String())
}

// Exchange's description carries what the report puts into words: the
// route, the peer access counted, a shared GPU, and NCCL's operation.
func TestExchangeInfo(t *testing.T) {
	some := peerAccess{pairs: 6, able: 2}
	assert.Equal(t, ExchangeInfo{Route: RoutePeer, Pairs: 6, PeerPairs: 2}, exchangeInfo(RoutePeer, some, true, true, 0))
	assert.Equal(t, ExchangeInfo{Route: RoutePeer, SharedGPU: true, Pairs: 2, PeerPairs: 2},
		exchangeInfo(RoutePeer, peerAccess{pairs: 2, able: 2}, false, true, 0))
	assert.Equal(t, ExchangeInfo{Route: RouteHost, Pairs: 6, PeerPairs: 2}, exchangeInfo(RouteHost, some, true, true, 0),
		"only NCCL gathers")
	assert.Equal(t, ExchangeInfo{Route: RouteNone}, exchangeInfo(RouteNone, peerAccess{}, true, true, 0))
	for _, gather := range []bool{true, false} {
		x := exchangeInfo(RouteNCCL, peerAccess{}, true, gather, 22809)
		assert.Equal(t, gather, x.AllGather)
		assert.Equal(t, "2.28.9", x.NCCLVersion)
	}
	for r, word := range map[Route]string{RouteNone: "none", RoutePeer: "peer", RouteNCCL: "nccl", RouteHost: "host", RouteShared: "shared", 9: "Route(9)"} {
		assert.Equal(t, word, r.String())
	}
}

func TestDeviceJSON(t *testing.T) {
	b, err := json.Marshal(Device{Ordinal: 1, Name: "NVIDIA H200", Major: 9, Minor: 0, Multiprocessors: 132, TotalMemory: 150 << 30, ClockKHz: 1980000})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ordinal":1,"name":"NVIDIA H200","compute_capability":"9.0","multiprocessors":132,"total_memory_bytes":161061273600}`, string(b))
}
