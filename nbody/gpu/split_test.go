package gpu

import (
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

func TestChooseExchange(t *testing.T) {
	all, some := peerAccess{pairs: 2, able: 2}, peerAccess{pairs: 6, able: 2}
	noNCCL := errors.New("libnccl.so.2 not found")
	for _, c := range []struct {
		want     string
		devices  int
		hostMem  bool
		access   peerAccess
		distinct bool
		ncclErr  error
		got      exchange
		errWords string
	}{
		{"auto", 1, false, peerAccess{}, true, nil, exchangeNone, ""},
		{"", 1, true, peerAccess{}, true, nil, exchangeNone, ""},
		{"auto", 2, false, all, true, nil, exchangePeer, ""},
		{"auto", 3, false, some, true, nil, exchangeNCCL, ""},
		{"auto", 3, false, some, true, noNCCL, exchangeHost, ""},
		{"auto", 2, false, some, false, nil, exchangeHost, ""},
		{"auto", 2, true, all, true, nil, exchangeShared, ""},
		{"peer", 2, false, peerAccess{pairs: 2}, true, noNCCL, exchangePeer, ""},
		{"peer", 1, false, peerAccess{}, true, nil, exchangeNone, ""},
		{"host", 2, false, all, true, nil, exchangeHost, ""},
		{"nccl", 2, false, all, true, nil, exchangeNCCL, ""},
		{"nccl", 1, false, peerAccess{}, true, nil, exchangeNCCL, ""},
		{"nccl", 2, true, all, true, nil, exchangeShared, ""},
		{"nccl", 2, false, all, true, noNCCL, 0, "libnccl.so.2 not found"},
		{"nccl", 2, false, all, false, nil, 0, "distinct GPU"},
		{"smoke", 2, false, all, true, nil, 0, `exchange "smoke"`},
	} {
		name := fmt.Sprintf("%+v", c)
		got, err := chooseExchange(c.want, c.devices, c.hostMem, c.access, c.distinct, c.ncclErr)
		if c.errWords != "" {
			require.Error(t, err, name)
			assert.Contains(t, err.Error(), c.errWords, name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, c.got, got, name)
	}
}

func TestDescribeExchange(t *testing.T) {
	all := peerAccess{pairs: 2, able: 2}
	assert.Equal(t, "peer (NVLink/PCIe peer copies)", describeExchange(exchangePeer, all, true, true))
	assert.Contains(t, describeExchange(exchangePeer, all, false, true), "share one GPU")
	assert.Contains(t, describeExchange(exchangePeer, peerAccess{pairs: 6, able: 2}, true, true), "2 of 6 pairs")
	assert.Contains(t, describeExchange(exchangePeer, peerAccess{pairs: 2}, true, true), "no pair")
	assert.Contains(t, describeExchange(exchangeNCCL, all, true, true), "all-gather")
	assert.Contains(t, describeExchange(exchangeNCCL, all, true, false), "broadcast")
	assert.Equal(t, "host (through page-locked host memory)", describeExchange(exchangeHost, all, true, true))
	assert.Contains(t, describeExchange(exchangeShared, all, true, true), "-hostmem")
	assert.Equal(t, "none (one device)", describeExchange(exchangeNone, all, true, true))
}
