#!/bin/sh
# Measures the CPU integrators (fast path float32 and float64, float64
# reference) beside the C peer's two builds on the same cores, and prints one
# table with the ratios to the speed goals. Builds with GOEXPERIMENT=simd so
# the fast path is the vectorized one.
#
# Usage: bench/cpu-bench.sh [-numbodies=16384] [-i=4] [-repeat=3] [-workers=0]
# The C peer is ../shared/tools/cpu-peer.sh beside the repository (needs bash
# and gcc). POSIX sh, so `sh bench/cpu-bench.sh` works too.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
peer="$root/../shared/tools/cpu-peer.sh"
if [ ! -f "$peer" ]; then
	echo "cpu-bench: C peer not found: expected $(cd "$root/.." && pwd)/shared/tools/cpu-peer.sh" >&2
	echo "cpu-bench: (../shared/tools/ relative to the repository root, where CI and developers have it)" >&2
	exit 1
fi
if ! command -v gcc >/dev/null; then
	echo "cpu-bench: gcc not found; the C peer needs it" >&2
	exit 1
fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# With asynchronous preemption off, as `make build` links the program (see the
# Makefile: in simd builds it leaves the vector registers dirty).
(cd "$root" && GOEXPERIMENT=simd go build -ldflags=-X=runtime.godebugDefault=asyncpreemptoff=1 -o "$bin/cpubench" ./bench/cpubench)
"$bin/cpubench" -peer="$peer" "$@"
