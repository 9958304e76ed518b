package gpu

import (
	"fmt"
	"math"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// ptxParams returns the PTX types (u64, u32, f32, f64) of an entry's
// parameters, in order.
func ptxParams(t *testing.T, ptx, entry string) []string {
	t.Helper()
	m := regexp.MustCompile(`\.entry\s+` + entry + `\(((?s:[^)]*))\)`).FindStringSubmatch(ptx)
	require.Len(t, m, 2, "no .entry %s", entry)
	var types []string
	for _, p := range regexp.MustCompile(`\.param\s+\.(\w+)\s+\w+`).FindAllStringSubmatch(m[1], -1) {
		types = append(types, p[1])
	}
	return types
}

// goParams returns the PTX types that cuda.LaunchKernel passes the
// arguments as.
func goParams(t *testing.T, args []any) []string {
	t.Helper()
	var types []string
	for i, a := range args {
		switch a.(type) {
		case cuda.DevicePtr:
			types = append(types, "u64")
		case int32:
			types = append(types, "u32") // nbody.cu's int
		case float32:
			types = append(types, "f32")
		case float64:
			types = append(types, "f64")
		default:
			require.Failf(t, "argument type", "argument %d is a %T", i, a)
		}
	}
	return types
}

// Every parameter list this package launches with has the count, order
// and types of the entry point it goes to, in every kernel set: a kernel
// whose signature changes in nbody.cu fails here, without a GPU.
func TestParametersMatchPTX(t *testing.T) {
	for _, double := range []bool{false, true} {
		for _, bs := range []int{32, 256, 512, 1024} {
			s := kernels.Select(double, bs)
			for entry, args := range map[string][]any{
				s.Step:      stepParams(double, 1, 2, 3, 4, 0, 4, 0.01, 0.001, 1),
				s.Forces:    forcesParams(double, 1, 2, 4, 0, 4, 16, 0.01),
				s.Integrate: integrateParams(double, 1, 2, 3, 4, 0, 4, 2, 0.001, 1),
				s.Copy:      copyParams(1, 2, 4),
			} {
				assert.Equal(t, ptxParams(t, s.PTX, entry), goParams(t, args), "%s (double=%v, block %d)", entry, double, bs)
			}
		}
	}
}

// The arguments carry the values given, in the kernels' order.
func TestParameterValues(t *testing.T) {
	assert.Equal(t, []any{cuda.DevicePtr(1), cuda.DevicePtr(2), cuda.DevicePtr(3), int32(100), int32(10), int32(50),
		float32(0.25), float32(0.5), float32(1)},
		stepParams(false, 1, 2, 3, 100, 10, 50, 0.25, 0.5, 1))
	assert.Equal(t, []any{cuda.DevicePtr(1), cuda.DevicePtr(2), int32(100), int32(10), int32(50), int32(32), 0.25},
		forcesParams(true, 1, 2, 100, 10, 50, 32, 0.25))
	assert.Equal(t, []any{cuda.DevicePtr(1), cuda.DevicePtr(2), cuda.DevicePtr(3), cuda.DevicePtr(4), int32(10), int32(50),
		int32(6), 0.5, 0.75},
		integrateParams(true, 1, 2, 3, 4, 10, 50, 6, 0.5, 0.75))
	assert.Equal(t, []any{cuda.DevicePtr(1), cuda.DevicePtr(2), int32(7)}, copyParams(1, 2, 7))
}

// The step and forces kernels fill a tile of TileFactor × blockSize
// bodies in shared memory in every block: the launch must give them that
// much (bench/kernelbench gave the _t256 kernels a quarter of it once and
// failed with CUDA_ERROR_ILLEGAL_ADDRESS). The grid covers every local
// body once and every split.
func TestTiledLaunchShape(t *testing.T) {
	for _, double := range []bool{false, true} {
		elem := uint64(16)
		if double {
			elem = 32
		}
		for _, bs := range []int{32, 64, 128, 256, 512, 1024} {
			s := kernels.Select(double, bs)
			for _, count := range []int{1, 255, 4097, 135168} {
				p := planLaunch(count, count, bs, s.BodiesPerThread, 132, 2, maxPartialBytes/int(elem), 0)
				l := tiledLaunch(p, s.TileFactor, elem)
				name := fmt.Sprintf("double=%v block=%d n=%d", double, bs, count)
				assert.Equal(t, uint32(s.TileFactor*bs)*uint32(elem), l.shared, name)
				assert.Equal(t, cuda.Dim3{X: uint32(bs)}, l.block, name)
				assert.Equal(t, uint32(p.splits), l.grid.Y, name)
				assert.GreaterOrEqual(t, int(l.grid.X)*bs*s.BodiesPerThread, count, name)
				assert.Less(t, (int(l.grid.X)-1)*bs*s.BodiesPerThread, count, name)
			}
		}
	}
	assert.Equal(t, uint32(4*256*16), tiledLaunch(launchPlan{blockSize: 256, blocks: 66, splits: 4}, 4, 16).shared)
}

func TestElementwiseLaunches(t *testing.T) {
	for _, count := range []int{1, 255, 256, 257, 135168} {
		l := integrateLaunch(count)
		assert.Equal(t, uint32(elementwiseBlock), l.block.X)
		assert.GreaterOrEqual(t, int(l.grid.X)*elementwiseBlock, count, "integrate: a thread per body")
		assert.Zero(t, l.shared)
	}
	assert.Equal(t, uint32(1), copyLaunch(1, 132).grid.X)
	assert.Equal(t, uint32(528), copyLaunch(135168, 132).grid.X)
	assert.Equal(t, uint32(4*132*8), copyLaunch(1<<24, 132).grid.X, "the copy kernel strides beyond 32 blocks per SM")
}

// The kernels index bodies with 32-bit ints; the largest sums they form
// are about 2n plus a block's bodies (launch.go). nbody.MaxBodies must
// keep those below 2^31.
func TestBodyLimitFitsTheKernelsIndices(t *testing.T) {
	const largestBlockBodies = 1024 * 8
	assert.Less(t, 2*nbody.MaxBodies+largestBlockBodies, math.MaxInt32)
	// Bodies.Validate, which SetBodies calls first, holds counts to it.
	assert.Error(t, nbody.CheckCount(nbody.MaxBodies+1))
}
