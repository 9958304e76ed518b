#!/bin/sh
# Measures the CPU integrators (fast path float32 and float64, float64
# reference) beside the C peer's two builds on the same cores, and prints one
# table with the ratios to the speed goals. Builds with GOEXPERIMENT=simd so
# the fast path is the vectorized one.
#
# Usage: bench/cpu-bench.sh [-numbodies=16384] [-i=4] [-repeat=3] [-workers=0]
# The C peer is bench/cpu-peer.c (the same method in C, float32 and float64,
# OpenMP over bodies), compiled here twice with gcc:
#   plain: gcc -O3 -fopenmp
#   simd:  gcc -O3 -march=native -fno-math-errno -fopenmp -DPEER_SIMD (the
#          inner loop vectorized by `omp simd`; no -ffast-math, so 1/sqrt is
#          a correctly rounded sqrt and division)
# cpubench checks each build's accelerations against the float64 reference
# (the accuracy contract: 2e-5 float32, 1e-13 float64) and stops if one is
# off. POSIX sh, so `sh bench/cpu-bench.sh` works too.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-gcc}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "cpu-bench: $CC not found: the C peer needs gcc with OpenMP (Debian: apt-get install gcc)" >&2
	exit 1
fi

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# -fopenmp needs libgomp, which comes with gcc; a compiler without it fails
# here with its own message, and the line after it says which build.
"$CC" -O3 -fopenmp -o "$bin/plain" "$root/bench/cpu-peer.c" -lm ||
	{ echo "cpu-bench: $CC could not build the C peer (bench/cpu-peer.c, -O3 -fopenmp)" >&2; exit 1; }
"$CC" -O3 -march=native -fno-math-errno -fopenmp -DPEER_SIMD -o "$bin/simd" "$root/bench/cpu-peer.c" -lm ||
	{ echo "cpu-bench: $CC could not build the C peer (bench/cpu-peer.c, -O3 -march=native -fopenmp)" >&2; exit 1; }
# With asynchronous preemption off, as `make build` links the program (see the
# Makefile: in simd builds it leaves the vector registers dirty).
(cd "$root" && GOEXPERIMENT=simd go build -ldflags=-X=runtime.godebugDefault=asyncpreemptoff=1 -o "$bin/cpubench" ./bench/cpubench)
"$bin/cpubench" -peer="$bin" "$@"
