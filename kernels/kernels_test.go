package kernels

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
// nvcc 11.8 writes (kernels/genptx.sh); PTX from a newer nvcc would fail here.
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

// The entry points each precision's module must hold.
var entryPoints = map[bool][]string{
	false: {StepF32T256, ForcesF32T256, StepF32T1024, ForcesF32T1024, IntegrateF32, CopyF32},
	true:  {StepF64T256, ForcesF64T256, StepF64T1024, ForcesF64T1024, IntegrateF64, CopyF64},
}

// The ELF header of a cubin, as CUDA 11's ptxas writes it: e_flags hold
// the SM (EF_CUDA_SM, the low byte: 0x5a for sm_90), the virtual
// architecture of the PTX it came from (EF_CUDA_VIRTUAL_SM, bits 16-23:
// 0x34 for compute_52) and EF_CUDA_64BIT_ADDRESS; e_version is the
// toolkit's version (118 for 11.8), not EV_CURRENT, which debug/elf
// refuses, so the test reads the header itself.
const (
	elfOSABICUDA         = 0x33
	efCUDA64BitAddress   = 0x400
	virtualArchCompute52 = 52
	cudaVersion118       = 118
)

// Every embedded cubin is what its name says: a CUDA ELF for its SM, from
// the compute_52 PTX, holding every entry point an integrator of its
// precision launches.
func TestEmbeddedCubins(t *testing.T) {
	for _, double := range []bool{false, true} {
		set := Select(double, 256)
		require.Len(t, set.Cubins, len(Archs), "double=%v", double)
		for i, c := range set.Cubins {
			name := c.file
			assert.Equal(t, Archs[i], c.Arch, name)
			assert.Contains(t, name, "."+c.Arch.String()+".cubin")
			assert.Contains(t, name, map[bool]string{false: "nbody_f32.", true: "nbody_f64."}[double])
			img, err := c.Image()
			require.NoError(t, err, name)
			var h elf.Header64
			require.NoError(t, binary.Read(bytes.NewReader(img), binary.LittleEndian, &h), name)
			require.Equal(t, elf.ELFMAG, string(h.Ident[:4]), name)
			assert.Equal(t, elf.ELFCLASS64, elf.Class(h.Ident[elf.EI_CLASS]), name)
			assert.Equal(t, elf.ELFDATA2LSB, elf.Data(h.Ident[elf.EI_DATA]), name)
			assert.EqualValues(t, elfOSABICUDA, h.Ident[elf.EI_OSABI], name)
			assert.Equal(t, elf.EM_CUDA, elf.Machine(h.Machine), name)
			assert.EqualValues(t, cudaVersion118, h.Version, name)
			flags := h.Flags
			assert.EqualValues(t, 10*c.Arch.Major+c.Arch.Minor, flags&0xff, "%s: e_flags %#x", name, flags)
			assert.EqualValues(t, virtualArchCompute52, flags>>16&0xff, "%s: e_flags %#x", name, flags)
			assert.NotZero(t, flags&efCUDA64BitAddress, "%s: e_flags %#x", name, flags)

			// The rest is a plain ELF: with e_version made EV_CURRENT,
			// debug/elf reads the symbol table.
			patched := slices.Clone(img)
			binary.LittleEndian.PutUint32(patched[20:], uint32(elf.EV_CURRENT)) // e_version
			f, err := elf.NewFile(bytes.NewReader(patched))
			require.NoError(t, err, name)
			syms, err := f.Symbols()
			require.NoError(t, err, name)
			funcs := map[string]bool{}
			for _, s := range syms {
				if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
					funcs[s.Name] = true
				}
			}
			for _, entry := range entryPoints[double] {
				assert.True(t, funcs[entry], "%s lacks the function %s", name, entry)
			}
		}
	}
}

// The embedded files are the cubins of Archs, no more, and genptx.sh
// builds the same list.
func TestCubinFilesMatchArchs(t *testing.T) {
	got, err := fs.Glob(cubinFiles, "cubin/*")
	require.NoError(t, err)
	var want []string
	for _, c := range append(slices.Clone(cubinsF32), cubinsF64...) {
		want = append(want, c.file)
	}
	assert.ElementsMatch(t, want, got)

	script, err := os.ReadFile("genptx.sh")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^ARCHS="([^"]*)"$`).FindSubmatch(script)
	require.Len(t, m, 2, "genptx.sh: no ARCHS line")
	var archs []string
	for _, a := range Archs {
		archs = append(archs, strings.TrimPrefix(a.String(), "sm_"))
	}
	assert.Equal(t, strings.Join(archs, " "), string(m[1]))
}

// The cubins were built from the committed PTX: PTX regenerated without
// them (or by hand) fails here, before a GPU runs an old kernel.
func TestCubinsAreOfTheCommittedPTX(t *testing.T) {
	sources, err := os.ReadFile("cubin/SOURCES")
	require.NoError(t, err)
	recorded := map[string]string{}
	for _, line := range strings.Split(string(sources), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			recorded[f[1]] = f[0]
		}
	}
	for name, ptx := range map[string]string{"nbody_f32.ptx": PTXFloat32, "nbody_f64.ptx": PTXFloat64} {
		sum := sha256.Sum256([]byte(ptx))
		assert.Equal(t, hex.EncodeToString(sum[:]), recorded[name], "%s changed since its cubins were built: run make kernels", name)
	}
}

// A set's cubin is the one for the device's compute capability exactly.
func TestSetCubinMatchesExactly(t *testing.T) {
	for _, double := range []bool{false, true} {
		set := Select(double, 1024)
		for _, a := range Archs {
			c, ok := set.Cubin(a.Major, a.Minor)
			assert.True(t, ok, "%v", a)
			assert.Equal(t, a, c.Arch)
		}
		for _, a := range []Arch{{5, 2}, {6, 1}, {7, 2}, {8, 7}, {10, 0}, {12, 0}} {
			_, ok := set.Cubin(a.Major, a.Minor)
			assert.False(t, ok, "%v: no cubin, the PTX", a)
		}
		set.Cubins = nil
		_, ok := set.Cubin(9, 0)
		assert.False(t, ok, "a set without cubins")
	}
	assert.Equal(t, "sm_90", Arch{9, 0}.String())
}
