#!/bin/sh
# Regenerates the committed PTX from nbody.cu: one file per precision, for
# compute_52 with nvcc 11.8 (PTX ISA 7.8, which every driver from CUDA 11.8
# on compiles; see DESIGN.md). `make ptx` runs this; install nvcc with
# ../shared/tools/install-nvcc.sh.
set -eu
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
flags="-arch=compute_52 -ptx -O3"
$NVCC $flags -o nbody_f32.ptx nbody.cu
$NVCC $flags -DNBODY_F64 -o nbody_f64.ptx nbody.cu
$NVCC --version | tail -1
