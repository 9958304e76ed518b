#!/bin/sh
# make-sample-kit.sh: makes the git-ignored kit that bench/build-sample.sh
# builds NVIDIA's original nbody sample from on the GPU machine (which has
# nvcc, but no internet and no OpenGL headers):
#
#   sh bench/make-sample-kit.sh CUDA_SAMPLES_GIT [KIT]     (KIT defaults to .sample)
#
# CUDA_SAMPLES_GIT is a clone (or bare mirror) of github.com/NVIDIA/cuda-samples
# holding commit c94ff366, the one the start-up figures in bench/RESULTS.md
# were measured with. Needs a Debian 12 (bookworm) amd64 machine with apt
# (for `apt-get download`, no root needed beyond reading the package lists).
# The kit is about 11 MB: the sample and Common/ headers, and the GL, GLU,
# GLUT and X11 packages unpacked with dpkg -x (NVIDIA's and Debian's files
# are fetched, never committed).
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: sh $0 CUDA_SAMPLES_GIT [KIT]" >&2; exit 2; fi
git=$1
kit=${2:-.sample}
commit=c94ff366
mkdir -p "$kit/src" "$kit/debs" "$kit/root"
git -C "$git" archive "$commit" Samples/5_Domain_Specific/nbody Common | tar -x -C "$kit/src"
git -C "$git" rev-parse "$commit" >"$kit/SOURCE"
(
	cd "$kit/debs"
	apt-get download libgl-dev libglu1-mesa-dev libglut-dev freeglut3-dev libglx-dev libx11-dev x11proto-dev \
		libgl1 libglx0 libglu1-mesa libglut3.12 libglvnd0 libglvnd-dev libx11-6 libxcb1 libxau6 libxdmcp6 \
		libbsd0 libmd0 libx11-xcb1 libxext6 libxi6 libxxf86vm1 libxrandr2 libxrender1 libxfixes3 libopengl0 \
		libxau-dev libxdmcp-dev libxcb1-dev
)
for d in "$kit"/debs/*.deb; do dpkg -x "$d" "$kit/root"; done
rm -rf "$kit/debs" "$kit/root/usr/share" "$kit/src/Samples/5_Domain_Specific/nbody/doc" "$kit/src/Common/data" "$kit/src/Common/UtilNPP"
find "$kit/root" -name '*.a' -delete
echo "kit in $kit ($(du -sh "$kit" | cut -f1)); carry it to the GPU machine and run: sh bench/build-sample.sh $kit /tmp/sample"
