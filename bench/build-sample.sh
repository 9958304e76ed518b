#!/bin/sh
# build-sample.sh: builds NVIDIA's ORIGINAL CUDA `nbody` sample (cuda-samples,
# Samples/5_Domain_Specific/nbody) so that its start-up time can be measured beside ours on the
# GPU machine, which has nvcc but no internet, no package manager and no OpenGL/GLUT headers.
#
#   sh bench/build-sample.sh KIT OUTDIR        (e.g. sh bench/build-sample.sh .sample /tmp/sample)
#
# KIT (git-ignored, carried with `carry: [".sample"]`; bench/make-sample-kit.sh makes it) holds
#   KIT/src/   the sample and the Common/ headers it includes, extracted from NVIDIA/cuda-samples
#              (commit in KIT/SOURCE); NVIDIA's code is FETCHED, never committed to this repository;
#   KIT/root/  Debian 12 amd64 packages (KIT/debs/*.deb: libgl-dev, libglu1-mesa-dev, libglut-dev,
#              libglx-dev, libx11-dev, x11proto-dev and the runtime libraries they need) unpacked with
#              `dpkg -x`, for GL/GLU/GLUT/X11 headers and libraries.
# It compiles bodysystemcuda.cu, render_particles.cpp and nbody.cpp with one nvcc call using the
# flags the team measured the sample with before (nvcc 13.0, -O3, sm_90: SASS for sm_90 plus
# compute_90 PTX) and those of the sample's CMakeLists.txt (C++17, --extended-lambda, separable
# compilation, -lineinfo), links -lGL -lGLU -lglut from KIT/root, and writes OUTDIR/nbody with an
# old-style DT_RPATH to KIT/root's library folder (unlike DT_RUNPATH it also covers libGL's own
# dependencies), so it runs with or without LD_LIBRARY_PATH. NVCC=... overrides the compiler.
set -eu
if [ $# -ne 2 ]; then echo "usage: sh $0 KIT OUTDIR" >&2; exit 2; fi
kit=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
src=$kit/src/Samples/5_Domain_Specific/nbody
common=$kit/src/Common
sys=$kit/root/usr
lib=$sys/lib/x86_64-linux-gnu
nvcc=${NVCC:-nvcc}
for f in "$src/nbody.cpp" "$src/bodysystemcuda.cu" "$src/render_particles.cpp" "$common/helper_cuda.h" \
	"$sys/include/GL/gl.h" "$sys/include/X11/Xlib.h" "$lib/libglut.so" "$lib/libGL.so" "$lib/libGLU.so"; do
	[ -e "$f" ] || { echo "build-sample.sh: missing $f (is $1 the kit?)" >&2; exit 1; }
done
command -v "$nvcc" >/dev/null || { echo "build-sample.sh: no $nvcc on PATH" >&2; exit 1; }
# The kit's libraries are Debian 12's: libGLX, libGLdispatch and libX11 need glibc 2.34 or newer.
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //' || true)
case $glibc in
2.[0-9]|2.[0-2][0-9]|2.3[0-3]) echo "build-sample.sh: warning: glibc $glibc < 2.34; the kit's GL/X11 libraries will not load" >&2 ;;
esac

echo "sample: $(cat "$kit/SOURCE" 2>/dev/null || echo 'unknown commit'); glibc ${glibc:-unknown}"
"$nvcc" --version | tail -n 2
set -x
"$nvcc" -O3 -std=c++17 --extended-lambda -rdc=true -lineinfo -Wno-deprecated-gpu-targets \
	-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
	-I"$common" -I"$sys/include" \
	-o "$out/nbody" "$src/bodysystemcuda.cu" "$src/render_particles.cpp" "$src/nbody.cpp" \
	-L"$lib" -Xlinker -rpath-link="$lib" -Xlinker --disable-new-dtags -Xlinker -rpath="$lib" -lGL -lGLU -lglut
{ set +x; } 2>/dev/null

echo "built $out/nbody"
echo "run it (its RPATH already points at the kit's libraries; LD_LIBRARY_PATH makes that explicit):"
echo "  LD_LIBRARY_PATH=$lib $out/nbody -benchmark -numbodies=1024"
echo "  $out/nbody -benchmark -numbodies=1024"
