package gpu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cuda"
)

func imageNames(images []kernelImage) []string {
	var out []string
	for _, im := range images {
		out = append(out, im.name)
	}
	return out
}

// A GPU with a cubin for its exact architecture tries it first and the PTX
// after it; any other GPU, a forced PTX or a set without cubins, the PTX
// alone.
func TestKernelImagesPreferTheExactCubin(t *testing.T) {
	for _, double := range []bool{false, true} {
		set := kernels.Select(double, DefaultBlockSize)
		for _, a := range kernels.Archs {
			images := kernelImages(set, a.Major, a.Minor, false)
			assert.Equal(t, []string{a.String(), PTXJIT}, imageNames(images), "%v", a)
			cubin, err := images[0].bytes()
			require.NoError(t, err)
			assert.Equal(t, "\x7fELF", string(cubin[:4]), "%v: the cubin", a)
			ptx, err := images[1].bytes()
			require.NoError(t, err)
			assert.Equal(t, set.PTX, string(ptx))
			assert.Equal(t, []string{PTXJIT}, imageNames(kernelImages(set, a.Major, a.Minor, true)), "%v, forced", a)
		}
		for _, cc := range [][2]int{{5, 2}, {6, 1}, {8, 7}, {10, 0}, {12, 0}} {
			assert.Equal(t, []string{PTXJIT}, imageNames(kernelImages(set, cc[0], cc[1], false)), "%d.%d", cc[0], cc[1])
		}
		variant := set
		variant.PTX, variant.Cubins = "// another build", nil
		images := kernelImages(variant, 9, 0, false)
		require.Equal(t, []string{PTXJIT}, imageNames(images))
		ptx, err := images[0].bytes()
		require.NoError(t, err)
		assert.Equal(t, "// another build", string(ptx))
	}
}

// A cubin that fails to load gives way to the PTX, and the name says so;
// when the PTX fails too, its error comes first.
func TestLoadFirstFallsBackToThePTX(t *testing.T) {
	images := func(cubinErr error) []kernelImage {
		return []kernelImage{
			{"sm_90", func() ([]byte, error) { return []byte("cubin"), cubinErr }},
			{PTXJIT, func() ([]byte, error) { return []byte("ptx"), nil }},
		}
	}
	noBinary := fmt.Errorf("loading the single kernels: %w", &cuda.JITError{Err: cuda.ErrNoBinaryForGPU})
	var tried []string
	accept := func(refuse ...string) func([]byte) error {
		tried = nil
		return func(b []byte) error {
			tried = append(tried, string(b))
			if slices.Contains(refuse, string(b)) {
				return noBinary
			}
			return nil
		}
	}

	name, err := loadFirst(images(nil), accept())
	require.NoError(t, err)
	assert.Equal(t, "sm_90", name)
	assert.Equal(t, []string{"cubin"}, tried, "the PTX is not compiled when the cubin loads")

	name, err = loadFirst(images(nil), accept("cubin"))
	require.NoError(t, err)
	assert.Equal(t, []string{"cubin", "ptx"}, tried)
	assert.True(t, strings.HasPrefix(name, PTXJIT+" (the sm_90 cubin failed: "), name)
	assert.Contains(t, name, "CUDA_ERROR_NO_BINARY_FOR_GPU")
	assert.NotContains(t, name, "\n")

	name, err = loadFirst(images(errors.New("unreadable")), accept())
	require.NoError(t, err, "a cubin that cannot even be read")
	assert.Equal(t, []string{"ptx"}, tried)
	assert.Equal(t, PTXJIT+" (the sm_90 cubin failed: unreadable)", name)

	_, err = loadFirst(images(nil), accept("cubin", "ptx"))
	require.Error(t, err)
	assert.ErrorIs(t, err, cuda.ErrNoBinaryForGPU)
	assert.Contains(t, err.Error(), "and before it, the sm_90 cubin failed")

	_, err = loadFirst(images(nil)[1:], accept("ptx"))
	assert.Equal(t, noBinary, err, "the PTX alone: its error as it is")
}

func TestKernelImageSummary(t *testing.T) {
	g := &Integrator{devs: []*device{{image: "sm_90"}, {image: "sm_90"}}}
	assert.Equal(t, "sm_90", g.KernelImage())
	g.devs[1].image = "sm_80"
	assert.Equal(t, "sm_90, sm_80", g.KernelImage())
	assert.Equal(t, []string{"sm_90", "sm_80"}, g.KernelImages())
	assert.Equal(t, "", (&Integrator{}).KernelImage())
}

// On a GPU: its cubin where one is embedded for it, the PTX where none is
// or when forced, and both step right. The forces kernel's binary version
// is the GPU's architecture either way.
func TestKernelImageOnTheGPU(t *testing.T) {
	devs := devicesOrSkip(t)
	dev := devs[0]
	want := PTXJIT
	if _, ok := kernels.Select(false, DefaultBlockSize).Cubin(dev.Major, dev.Minor); ok {
		want = fmt.Sprintf("sm_%d%d", dev.Major, dev.Minor)
	}
	const n = 1031
	b, ref := bodiesAndReference(t, nbody.Random, n)
	for _, prec := range []nbody.Precision{nbody.Single, nbody.Double} {
		for _, force := range []bool{false, true} {
			name := fmt.Sprintf("%s ForcePTX=%v", prec, force)
			g := open(t, Options{Precision: prec, Physics: physics, ForcePTX: force})
			if force {
				assert.Equal(t, PTXJIT, g.KernelImage(), name)
			} else {
				assert.Equal(t, want, g.KernelImage(), name)
			}
			unbind, err := g.devs[0].bind()
			require.NoError(t, err, name)
			v, err := g.devs[0].forces.Attribute(cuda.FuncBinaryVersion)
			unbind()
			require.NoError(t, err, name)
			assert.Equal(t, 10*dev.Major+dev.Minor, v, "%s: the forces kernel's SASS version", name)
			t.Logf("%s: %s, binary version %d", name, g.KernelImage(), v)
			checkAccelerations(t, g, b, ref, name)
		}
	}
}

// A cubin the driver refuses (machine code of another architecture, under
// this GPU's name) gives way to the PTX on a real device.
func TestRefusedCubinFallsBackOnTheGPU(t *testing.T) {
	devs := devicesOrSkip(t)
	dev := devs[0]
	set := kernels.Select(false, DefaultBlockSize)
	var other kernels.Cubin
	for _, c := range set.Cubins {
		if c.Arch.Major != dev.Major {
			other = c
		}
	}
	require.NotZero(t, other.Arch.Major, "a cubin of another major version than %d", dev.Major)
	g := open(t, Options{Physics: physics})
	d := g.devs[0]
	unbind, err := d.bind()
	require.NoError(t, err)
	defer unbind()
	kept := *d
	own := fmt.Sprintf("sm_%d%d", dev.Major, dev.Minor)
	name, err := loadFirst([]kernelImage{{own, other.Image}, kernelImages(set, dev.Major, dev.Minor, true)[0]}, d.loadModule)
	require.NoError(t, err)
	t.Logf("%s", name)
	assert.True(t, strings.HasPrefix(name, PTXJIT+" (the "+own+" cubin failed: "), name)
	assert.Contains(t, name, "CUDA_ERROR_", "the driver's reason (CUDA_ERROR_NO_BINARY_FOR_GPU expected)")
	assert.NotEqual(t, kept.module, d.module, "the PTX's module")
	assert.NoError(t, d.module.Unload())
	d.module, d.step, d.forces, d.integrate, d.copyFunc = kept.module, kept.step, kept.forces, kept.integrate, kept.copyFunc
}
