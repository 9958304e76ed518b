#!/bin/bash
# Issue 5 as one command on the machine with two GPUs (kind nvidia-h200-x2): the tests of the
# split integrator and of the NCCL binding, then 1 vs 2 devices for every exchange at the issue's
# sizes, the compare runs and the sample's errors. Build here first (the GPU machine has no Go)
# and carry the folder:
#
#   B=.gpu/m; mkdir -p $B && cp testdata/galaxy_20K.bin $B/
#   CGO_ENABLED=0 go test -c -o $B/gpu.test ./nbody/gpu
#   CGO_ENABLED=0 go test -c -o $B/nccl.test ./nbody/nccl
#   CGO_ENABLED=0 go build -o $B/nbody ./cmd/nbody
#
# then, there: bash bench/multi-gpu.sh [$B]. Logs go to $OUT (or /tmp/out); the device lines,
# the test summary and a table of GI/s with each 2-device run's speed-up over the 1-device run
# of the same size are printed last. On a machine with one GPU the 2-device runs print the
# sample's error and the tests run their logical devices on GPU 0.
cd "$(dirname "$0")/.." || exit 1
B=${1:-.gpu/m}
O=${OUT:-/tmp/out}
mkdir -p "$O"
# NCCL_NVLS_ENABLE=0 and where pip's NCCL is (bench/nccl-env.sh).
. bench/nccl-env.sh
{
	nvidia-smi -L
	nvidia-smi topo -m
	date -u
	nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
	echo "NBODY_NCCL_LIBRARY=${NBODY_NCCL_LIBRARY:-unset}"
} >"$O/device.txt" 2>&1
timeout 200 "$B/gpu.test" -test.v -test.count=1 >"$O/gpu-test.log" 2>&1
echo "gpu.test rc=$?" >"$O/summary.txt"
timeout 60 "$B/nccl.test" -test.v -test.count=1 >"$O/nccl-test.log" 2>&1
echo "nccl.test rc=$?" >>"$O/summary.txt"
grep -hE "^--- (FAIL|SKIP)|^FAIL|^ok|^PASS|NCCL [0-9.]+ from|largest relative difference|on 2 logical devices" \
	"$O/gpu-test.log" "$O/nccl-test.log" >>"$O/summary.txt"
cli() { echo "\$ nbody $*"; timeout 120 "$B/nbody" "$@"; echo "rc=$?"; }
{
	for run in "262144" "1048576" "524288 -fp64"; do
		# shellcheck disable=SC2086
		set -- $run
		n=$1
		shift
		cli -benchmark -numbodies="$n" "$@"
		for x in auto peer nccl host; do cli -benchmark -numbodies="$n" -numdevices=2 -exchange=$x "$@"; done
	done
	cli -benchmark -numbodies=1048576 -hostmem
	cli -benchmark -numbodies=1048576 -hostmem -numdevices=2
	cli -benchmark -numdevices=2
	cli -benchmark -numdevices=2 -tipsy="$B/galaxy_20K.bin"
	for x in auto nccl host; do cli -compare -numdevices=2 -exchange=$x; done
	cli -compare -numdevices=2 -fp64
	cli -compare -numdevices=2 -hostmem
	cli -benchmark -numdevices=3
	cli -benchmark -numdevices=2 -device=1
} >"$O/cli.txt" 2>&1
cat "$O/device.txt" "$O/summary.txt"
grep -E "^\\$|billion|Error|rc=|OK|Exchange|Compute|You can|Compared" "$O/cli.txt"
# GI/s per run; 2-device runs also as a multiple of the 1-device run of the same flags.
awk '/^\$ nbody -benchmark/ { cmd = $0 }
/billion interactions/ {
	key = cmd; sub(/ -numdevices=2/, "", key); sub(/ -exchange=[a-z]+/, "", key)
	if (cmd == key) base[key] = $2
	line = sprintf("%-72s %10.1f GI/s", substr(cmd, 9), $2)
	if (cmd != key && base[key] > 0) line = line sprintf("  %.3fx", $2 / base[key])
	print line
}' "$O/cli.txt" | tee "$O/table.txt"
