#!/bin/sh
# Start-up time (issue 15), on the GPU machine, in one go:
#
#   sh bench/startup.sh .gpu/nbody .gpu/nbody-ptx [more binaries...]
#
# Each binary (ours with the embedded cubins; one built from main before
# them, which JIT-compiles the PTX; or any program that takes the sample's
# flags, the sample itself included) runs `-benchmark -numbodies=4096` RUNS
# times (default 5) in each case, timed as a whole process (date +%s.%N
# around it, so the Go runtime's start, the driver's initialisation, the
# module load and the 10 timed steps are all in):
#
# - cache warm: CUDA_CACHE_PATH a private folder that one untimed run filled;
# - cache cold: CUDA_CACHE_PATH a new, empty folder for every run, as a
#   `docker run --rm` container starts (the JIT runs, then writes the cache);
# - cache off:  CUDA_CACHE_DISABLE=1, which the sample was measured with;
#
# on one GPU, and on two (-numdevices=2) where two are present. It prints a
# table of min, median and max seconds, then what our binaries say in -json
# of the kernel image and of the start-up (process start to the first timed
# step). The user's own ~/.nv cache is never read or written.
#
# Build both here (the GPU machine has no Go), into the ignored .gpu folder,
# and carry it:
#   CGO_ENABLED=0 GOEXPERIMENT=simd go build -o .gpu/nbody ./cmd/nbody
#   mkdir /tmp/nbody-before && git archive BASE | tar -x -C /tmp/nbody-before   # BASE: main before the cubins
#   (cd /tmp/nbody-before && CGO_ENABLED=0 GOEXPERIMENT=simd go build -o "$OLDPWD/.gpu/nbody-ptx" ./cmd/nbody)
set -eu
[ $# -ge 1 ] || { echo "usage: sh bench/startup.sh BINARY [BINARY...]" >&2; exit 2; }
for bin in "$@"; do
	[ -x "$bin" ] || { echo "startup: $bin is not an executable" >&2; exit 2; }
done
runs=${RUNS:-5}
args="-benchmark -numbodies=4096"
gpus=1
if command -v nvidia-smi >/dev/null 2>&1; then
	nvidia-smi -L
	gpus=$(nvidia-smi -L | grep -c '^GPU ' || true)
	nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1 | sed 's/^/driver /'
fi
date -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed COMMAND...: runs one process and prints its wall time in seconds; a
# failure is reported and stops all. The environment goes in through env.
timed() {
	t0=$(date +%s.%N)
	if ! "$@" >"$tmp/out" 2>&1; then
		echo "startup: $* failed:" >&2
		cat "$tmp/out" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

# summary FILE: min, median and max of the numbers in FILE, one a line.
summary() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%8.3f %8.3f %8.3f\n", v[1], m, v[NR] }'
}

printf '%-28s %4s %-5s %8s %8s %8s   (seconds, %d runs)\n' binary gpus cache min median max "$runs"
for bin in "$@"; do
	for n in 1 2; do
		[ "$n" -le "$gpus" ] || continue
		devs=""
		[ "$n" -eq 1 ] || devs="-numdevices=$n"
		for cache in warm cold off; do
			: >"$tmp/times"
			case $cache in
			warm)
				mkdir -p "$tmp/warm"
				timed env CUDA_CACHE_PATH="$tmp/warm" "$bin" $args $devs >/dev/null
				;;
			esac
			i=0
			while [ "$i" -lt "$runs" ]; do
				case $cache in
				warm) timed env CUDA_CACHE_PATH="$tmp/warm" "$bin" $args $devs >>"$tmp/times" ;;
				cold)
					rm -rf "$tmp/cold"
					mkdir "$tmp/cold"
					timed env CUDA_CACHE_PATH="$tmp/cold" "$bin" $args $devs >>"$tmp/times"
					;;
				off) timed env CUDA_CACHE_DISABLE=1 "$bin" $args $devs >>"$tmp/times" ;;
				esac
				i=$((i + 1))
			done
			printf '%-28s %4d %-5s %s\n' "$bin" "$n" "$cache" "$(summary "$tmp/times")"
		done
		rm -rf "$tmp/warm"
	done
done

echo
echo "# what -json says (cache off); binaries without the fields print nothing"
for bin in "$@"; do
	for n in 1 2; do
		[ "$n" -le "$gpus" ] || continue
		devs=""
		[ "$n" -eq 1 ] || devs="-numdevices=$n"
		echo "$bin $args${devs:+ $devs} -json:"
		CUDA_CACHE_DISABLE=1 "$bin" $args $devs -json 2>/dev/null | grep -E 'kernel_image|startup_ms' || true
	done
done
