#!/bin/bash
# startlines.sh: where the start-up of NVIDIA's sample and ours goes, seen
# from outside, the same way for both: each prints the sample's lines in
# the sample's order, so the moment a line appears marks the same phase in
# either program (the device line: the driver initialised; the figures:
# the context made, the kernels loaded, the steps run; the end of the
# process: the teardown). Run on the GPU machine:
#
#   RUNS=16 bash bench/startlines.sh /tmp/sample/nbody .gpu/c/nbody
#
# The binaries run in turn, RUNS times each (default 8), with the JIT cache
# off and `-benchmark -numbodies=4096`; the sample's stdout is made line
# buffered (stdbuf -oL; ours writes each line as it comes). Each line is
# stamped with bash's $EPOCHREALTIME as it is read (no process is started
# per line), and the table gives, for a few marker lines, the median
# milliseconds since the program was started, and the whole process.
set -u
[ $# -ge 1 ] || { echo "usage: bash $0 BINARY [BINARY...]" >&2; exit 2; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "startlines: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }
runs=${RUNS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# us: $EPOCHREALTIME as whole microseconds.
us() { local t=${EPOCHREALTIME/[.,]/}; echo "${t#0}"; }

# stamp BINARY: one run, each line prefixed with its microseconds since
# the start, then "<exit>" when the process has ended.
stamp() {
	local t0 t line
	t0=$(us)
	while IFS= read -r line; do
		t=${EPOCHREALTIME/[.,]/}
		echo "$((t - t0)) $line"
	done < <(CUDA_CACHE_DISABLE=1 stdbuf -oL -eL "$1" -benchmark -numbodies=4096 2>&1; echo "<exit>")
	# The process substitution's last line is printed after the program
	# has exited: its stamp is the process's end.
}

for i in $(seq "$runs"); do
	k=0
	for bin in "$@"; do
		stamp "$bin" >"$tmp/$k.$i"
		k=$((k + 1))
	done
done

# The marker lines, as patterns; each row is the median stamp over the runs.
markers=('^Run "nbody' '^GPU Device 0' '^> Compute' 'total time for' '^<exit>')
names=('first line (runtime and libraries loaded)' 'device line (driver initialised)' 'compute line' 'figures (context, kernels, steps)' 'process ended (teardown)')
printf '%-44s' "median ms since start, $runs runs"
for bin in "$@"; do printf ' %16s' "$(basename "$(dirname "$bin")")/$(basename "$bin")"; done
echo
for m in "${!markers[@]}"; do
	printf '%-44s' "${names[$m]}"
	k=0
	for bin in "$@"; do
		for f in "$tmp/$k".*; do
			awk -v re="${markers[$m]}" '{ t = $1; sub(/^[0-9]+ /, "") } $0 ~ re { print t / 1000; exit }' "$f"
		done | sort -n | awk '{ v[NR] = $1 } END {
			if (NR == 0) printf " %16s", "-"
			else printf " %16.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
		k=$((k + 1))
	done
	echo
done
