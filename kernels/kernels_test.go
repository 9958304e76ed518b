package kernels

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entries returns the names of the .entry directives of a PTX module.
func entries(ptx string) map[string]bool {
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`\.entry\s+([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(ptx, -1) {
		names[m[1]] = true
	}
	return names
}

func TestEmbeddedPTXDeclaresEveryLaunchedEntry(t *testing.T) {
	f32, f64 := entries(PTXFloat32), entries(PTXFloat64)
	require.NotEmpty(t, f32, "no .entry in nbody_f32.ptx")
	require.NotEmpty(t, f64, "no .entry in nbody_f64.ptx")
	for _, name := range []string{StepF32T256, ForcesF32T256, StepF32T1024, ForcesF32T1024, IntegrateF32, CopyF32} {
		assert.True(t, f32[name], "nbody_f32.ptx lacks .entry %s", name)
	}
	for _, name := range []string{StepF64T256, ForcesF64T256, StepF64T1024, ForcesF64T1024, IntegrateF64, CopyF64} {
		assert.True(t, f64[name], "nbody_f64.ptx lacks .entry %s", name)
	}
	for _, double := range []bool{false, true} {
		for _, bs := range []int{32, 256, 512, 1024} {
			s := Select(double, bs)
			names := entries(s.PTX)
			for _, name := range []string{s.Step, s.Forces, s.Integrate, s.Copy} {
				assert.True(t, names[name], "Select(%v, %d): %s not in its module", double, bs, name)
			}
		}
	}
}

// A set's Double says which module it is from, so that an integrator
// given a set can hold it to its precision.
func TestSelectRecordsThePrecision(t *testing.T) {
	for _, bs := range []int{32, 256, 512, 1024} {
		f32, f64 := Select(false, bs), Select(true, bs)
		assert.False(t, f32.Double, "block %d", bs)
		assert.Equal(t, PTXFloat32, f32.PTX, "block %d", bs)
		assert.True(t, f64.Double, "block %d", bs)
		assert.Equal(t, PTXFloat64, f64.PTX, "block %d", bs)
	}
}

// The PTX must stay loadable by old drivers: ISA 7.8 for compute_52, what
// nvcc 11.8 writes (DESIGN.md); PTX from a newer nvcc would fail here.
func TestPTXIsISA78ForCompute52(t *testing.T) {
	for name, ptx := range map[string]string{"f32": PTXFloat32, "f64": PTXFloat64} {
		assert.Regexp(t, `(?m)^\.version 7\.8$`, ptx, name)
		assert.Regexp(t, `(?m)^\.target sm_52$`, ptx, name)
	}
}

// Each step and forces kernel's block limit (.maxntid) must match the
// block sizes Select hands it to.
func TestBlockLimits(t *testing.T) {
	maxntid := func(ptx, entry string) int {
		m := regexp.MustCompile(`\.entry\s+` + entry + `\((?s:[^)]*)\)\s*\.maxntid\s+(\d+)`).FindStringSubmatch(ptx)
		require.Len(t, m, 2, "no .maxntid for %s", entry)
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, MaxThreadsT256, maxntid(PTXFloat32, StepF32T256))
	assert.Equal(t, MaxThreadsT256, maxntid(PTXFloat32, ForcesF32T256))
	assert.Equal(t, 1024, maxntid(PTXFloat32, StepF32T1024))
	assert.Equal(t, MaxThreadsT256, maxntid(PTXFloat64, ForcesF64T256))
	assert.Equal(t, 1024, maxntid(PTXFloat64, ForcesF64T1024))
}

// The bodies per thread that the Go launcher assumes must be what nbody.cu
// compiles in, or the grid would leave bodies out.
func TestBodiesPerThreadMatchSource(t *testing.T) {
	src, err := os.ReadFile("nbody.cu")
	require.NoError(t, err)
	defined := func(name string) int {
		m := regexp.MustCompile(`#define\s+` + name + `\s+(\d+)`).FindSubmatch(src)
		require.Len(t, m, 2, "nbody.cu does not define %s", name)
		n, err := strconv.Atoi(string(m[1]))
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, defined("BODIES_F32_T256"), Select(false, 256).BodiesPerThread)
	assert.Equal(t, defined("BODIES_F32_T1024"), Select(false, 1024).BodiesPerThread)
	assert.Equal(t, defined("BODIES_F64_T256"), Select(true, 128).BodiesPerThread)
	assert.Equal(t, defined("BODIES_F64_T1024"), Select(true, 512).BodiesPerThread)
	assert.Equal(t, defined("TILE_FACTOR"), Select(false, 256).TileFactor)
	assert.Equal(t, defined("TILE_FACTOR"), Select(true, 64).TileFactor)
	assert.Equal(t, 1, Select(false, 1024).TileFactor, "the _t1024 kernels are built with tiles of one block")
}
