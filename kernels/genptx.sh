#!/bin/sh
# Regenerates the committed kernels from nbody.cu (`make kernels`, or its
# old name `make ptx`). Needs nvcc 11.8: on Debian 12, the package
# nvidia-cuda-toolkit from the non-free component.
#
# - nbody_f32.ptx, nbody_f64.ptx: one PTX file per precision, for compute_52
#   with nvcc 11.8 (PTX ISA 7.8, which every driver from CUDA 11.8 on
#   compiles, so the binary runs on old drivers as well as new ones; PTX
#   of a newer nvcc would need a newer driver, and ran no faster:
#   bench/ANCHORS.md, "How close to the chip's limit").
# - cubin/nbody_{f32,f64}.sm_XY.cubin: machine code of that same PTX for
#   every architecture ptxas 11.8 targets from Volta on, so that a GPU of
#   one of them loads its kernels without JIT-compiling the PTX. They are
#   ptxas's output for the committed PTX, so they are the kernel we ship as
#   PTX, compiled ahead of time (nvcc -cubin -arch=sm_XY from nbody.cu gives
#   the same SASS; only the ELF header's virtual architecture differs).
#   -O3 is ptxas's default, written out to match the PTX's nvcc flags.
# - cubin/SOURCES: the SHA-256 of the PTX the cubins were built from, which
#   kernels_test.go holds against the committed PTX, so that PTX
#   regenerated without its cubins fails the tests.
#
# The list of architectures is kernels.go's Archs; a test checks that they
# agree.
set -eu
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
PTXAS=${PTXAS:-ptxas}
ARCHS="70 75 80 86 89 90"
flags="-arch=compute_52 -ptx -O3"
$NVCC $flags -o nbody_f32.ptx nbody.cu
$NVCC $flags -DNBODY_F64 -o nbody_f64.ptx nbody.cu
mkdir -p cubin
rm -f cubin/*.cubin
for p in f32 f64; do
	for a in $ARCHS; do
		$PTXAS -arch=sm_$a -O3 -o cubin/nbody_$p.sm_$a.cubin nbody_$p.ptx
	done
done
{
	echo "# The PTX that ptxas compiled into the cubins beside this file."
	echo "# ptxas $($PTXAS --version | sed -n "s/.*release /release /p")"
	sha256sum nbody_f32.ptx nbody_f64.ptx
} >cubin/SOURCES
$NVCC --version | tail -1
ls -l cubin
