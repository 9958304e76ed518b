package gpu

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

// worldOf is process p's integrator, without devices opened, in a world of
// the given devices split into processes of the given sizes.
func worldOf(devs []Device, sizes []int, p int) *Integrator {
	first := 0
	for _, s := range sizes[:p] {
		first += s
	}
	w := &World{Devices: devs, First: first, Processes: len(sizes)}
	return &Integrator{opts: Options{BlockSize: 256, World: w}, devs: make([]*device, sizes[p])}
}

// Every process computes the same split of the world, its own part is its
// devices' shares, and the parts of all processes, in rank order, are the
// split that one process makes of the same devices: the bodies and their
// exchange are those of -numdevices.
func TestWorldSplitsAsOneProcess(t *testing.T) {
	devs := []Device{{Multiprocessors: 132}, {Multiprocessors: 132}, {Multiprocessors: 114}, {Multiprocessors: 132}}
	weights := []int{132, 132, 114, 132}
	for _, n := range []int{1, 3, 1000, 16384, 1 << 20, 1_000_003} {
		one := &Integrator{opts: Options{BlockSize: 256}, devs: make([]*device, len(devs))}
		for i, d := range devs {
			one.devs[i] = &device{info: d}
		}
		wantWorld, wantLocal := one.split(n)
		require.Equal(t, splitBodies(n, weights, 256), wantWorld)
		require.Equal(t, wantWorld, wantLocal)
		for _, sizes := range [][]int{{1, 1, 1, 1}, {2, 2}, {1, 3}, {3, 1}} {
			var joined []share
			for p := range sizes {
				g := worldOf(devs, sizes, p)
				world, local := g.split(n)
				assert.Equal(t, wantWorld, world, "n %d, processes %v, process %d", n, sizes, p)
				joined = append(joined, local...)
			}
			assert.Equal(t, wantWorld, joined, "n %d, processes %v", n, sizes)
		}
	}
}

// LocalBodies is the contiguous span of the process's devices.
func TestLocalBodies(t *testing.T) {
	devs := []Device{{Multiprocessors: 100}, {Multiprocessors: 100}, {Multiprocessors: 100}}
	g := worldOf(devs, []int{1, 2}, 1)
	first, count := g.LocalBodies()
	assert.Equal(t, [2]int{0, 0}, [2]int{first, count}, "before SetBodies")
	_, g.shares = g.split(3000)
	first, count = g.LocalBodies()
	assert.Equal(t, 1024, first)
	assert.Equal(t, 3000-1024, count)
}

func TestWorldCheck(t *testing.T) {
	devs := make([]Device, 4)
	assert.NoError(t, (&World{Devices: devs, First: 2}).check(2))
	assert.Error(t, (&World{Devices: devs, First: 3}).check(2))
	assert.Error(t, (&World{Devices: devs, First: -1}).check(1))
	assert.Error(t, (&World{}).check(1))
}

// A world exchanges through NCCL in device memory: New refuses the rest
// before it touches a GPU.
func TestWorldRefusesOtherExchanges(t *testing.T) {
	w := &World{Devices: make([]Device, 2), First: 1, Processes: 2}
	for _, o := range []Options{
		{Physics: nbody.Presets[0].Physics(), World: w, HostMem: true},
		{Physics: nbody.Presets[0].Physics(), World: w, Exchange: ExchangePeer},
		{Physics: nbody.Presets[0].Physics(), World: w, Exchange: ExchangeHost},
	} {
		_, err := New(o)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "through NCCL")
	}
}

// Abort without communicators is harmless and idempotent; the exchange
// after it refuses to touch them.
func TestAbortStopsTheExchange(t *testing.T) {
	g := worldOf(make([]Device, 2), []int{1, 1}, 0)
	require.NoError(t, g.Abort())
	require.NoError(t, g.Abort())
	err := (&runner{g: g}).gather()
	assert.ErrorIs(t, err, errAborted)
}
