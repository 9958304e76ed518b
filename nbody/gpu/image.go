package gpu

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nbody-go/nbody/kernels"
	"github.com/nbody-go/nbody/nbody/cuda"
)

// PTXJIT is the KernelImage of kernels that the driver JIT-compiled from
// PTX.
const PTXJIT = "ptx-jit"

// What is loaded, and what is shared between devices:
//
// Each device loads the kernels of one precision (one module: the step,
// forces, integrate and copy kernels of both block-size builds), from the
// machine code (cubin) for its exact compute capability where the set has
// one, else from the PTX, which the driver JIT-compiles. The JIT was the
// cost of starting (about 0.6 s for the fp32 module on an H200 with an
// empty compute cache, once per context); loading a cubin only copies it
// to the device.
//
// A module belongs to a context, and each GPU has its own (its primary
// context), so every device loads its own module even where several GPUs
// share an architecture: the driver has no call that loads one module into
// two contexts. Nothing but the embedded image is shared. Where the PTX is
// used on several GPUs of one architecture, the driver's compute cache
// (~/.nv/ComputeCache; off with CUDA_CACHE_DISABLE=1) lets the second
// context reuse the first one's compilation; without it each compiles the
// PTX again. (Logical devices on one GPU, as tests make them, share that
// GPU's primary context but still load a module each: a few milliseconds
// from a cubin, a cache hit for the PTX.)

// kernelImage is one image of a device's kernels that it may load.
type kernelImage struct {
	name  string // the architecture of a cubin ("sm_90"), or PTXJIT
	bytes func() ([]byte, error)
}

// kernelImages lists the images to try for a device of compute capability
// major.minor, best first: the set's cubin for exactly that architecture,
// unless forcePTX, then the PTX, which every device the PTX's compute_52
// target covers can compile.
func kernelImages(set kernels.Set, major, minor int, forcePTX bool) []kernelImage {
	ptx := kernelImage{PTXJIT, func() ([]byte, error) { return []byte(set.PTX), nil }}
	if c, ok := set.Cubin(major, minor); ok && !forcePTX {
		return []kernelImage{{c.Arch.String(), c.Image}, ptx}
	}
	return []kernelImage{ptx}
}

// loadFirst loads the first of images that load accepts (load loads one
// and resolves its kernels, undoing its work when it fails) and returns
// its name. An image that fails is named in the result and the next one
// tried, so that a run the PTX can do never fails for its cubin:
// "ptx-jit (the sm_90 cubin failed: …)". When none loads, the error is the
// last one's, with the earlier failures after it.
func loadFirst(images []kernelImage, load func([]byte) error) (string, error) {
	var failed []string
	for i, im := range images {
		b, err := im.bytes()
		if err == nil {
			err = load(b)
		}
		switch {
		case err == nil && failed == nil:
			return im.name, nil
		case err == nil:
			return im.name + " (" + strings.Join(failed, "; ") + ")", nil
		case i == len(images)-1 && failed == nil:
			return "", err
		case i == len(images)-1:
			return "", fmt.Errorf("%w (and before it, %s)", err, strings.Join(failed, "; "))
		}
		failed = append(failed, fmt.Sprintf("the %s cubin failed: %s", im.name, oneLine(err.Error())))
	}
	return "", errors.New("no kernel image to load")
}

// oneLine joins a multi-line error (a JIT log) into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// loadKernels loads the device's kernels (see kernelImages and loadFirst)
// into the current context and records which image it used.
func (d *device) loadKernels() error {
	images := kernelImages(d.set, d.info.Major, d.info.Minor, d.opts.ForcePTX)
	image, err := loadFirst(images, d.loadModule)
	if err != nil {
		return d.wrap(err)
	}
	d.image = image
	return nil
}

// loadModule loads one image and resolves the kernels of the set in it; on
// failure it unloads it again.
func (d *device) loadModule(image []byte) error {
	m, err := d.drv.ModuleLoadData(image)
	if err != nil {
		return fmt.Errorf("loading the %s kernels: %w", d.opts.Precision, err)
	}
	for _, f := range []struct {
		dst  *cuda.Function
		name string
	}{{&d.step, d.set.Step}, {&d.forces, d.set.Forces}, {&d.integrate, d.set.Integrate}, {&d.copyFunc, d.set.Copy}} {
		if *f.dst, err = m.Function(f.name); err != nil {
			d.step, d.forces, d.integrate, d.copyFunc = cuda.Function{}, cuda.Function{}, cuda.Function{}, cuda.Function{}
			return errors.Join(err, m.Unload())
		}
	}
	d.module = m
	return nil
}

// KernelImage says what the kernels were loaded from: the architecture of
// the embedded machine code ("sm_90") where the GPU's compute capability
// has a cubin, PTXJIT ("ptx-jit") where the driver compiled the PTX: on
// other architectures, with Options.ForcePTX, for Options.Kernels without
// cubins, or after the cubin failed to load, which the name then says
// ("ptx-jit (the sm_90 cubin failed: …)"). With several devices whose
// images differ, each device's in order, joined by ", ".
func (g *Integrator) KernelImage() string {
	images := g.KernelImages()
	if len(images) == 0 {
		return ""
	}
	for _, im := range images[1:] {
		if im != images[0] {
			return strings.Join(images, ", ")
		}
	}
	return images[0]
}

// KernelImages returns each device's KernelImage, in order.
func (g *Integrator) KernelImages() []string {
	out := make([]string, len(g.devs))
	for i, d := range g.devs {
		out[i] = d.image
	}
	return out
}
