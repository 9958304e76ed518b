#!/bin/bash
# One GPU call that checks a head on one H100 or H200 (issues 21 and 23):
# the GPU tests, the benchmark beside bench/RESULTS.md, -compare on each
# path, -alldevices and its time to a verdict, start-up against NVIDIA's
# sample (built there from the kit of bench/build-sample.sh) phase by phase,
# and a GPU made slow by another process's matrix products. Build here
# first (the GPU machine has no Go) and carry .gpu and .sample:
#
#   B=.gpu/c; mkdir -p $B && cp testdata/galaxy_20K.bin $B/
#   make build BIN=$B/nbody
#   CGO_ENABLED=0 go build -o $B/startphases ./bench/startphases
#   for p in gpu cuda nvml; do CGO_ENABLED=0 go test -c -o $B/$p.test ./nbody/$p; done
#
# then, there: bash bench/gpu-check.sh [$B]. Logs go to $OUT (or
# /tmp/out); a summary is printed last.
cd "$(dirname "$0")/.."
B=${1:-.gpu/c}
O=${OUT:-/tmp/out}
mkdir -p "$O"
export NCCL_NVLS_ENABLE=0
{ nvidia-smi -L; date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit,power.default_limit --format=csv,noheader; } >"$O/device.txt" 2>&1

# The GPU tests.
: >"$O/tests.txt"
for p in gpu cuda nvml; do
	timeout 150 "$B/$p.test" -test.count=1 -test.v >"$O/test-$p.log" 2>&1
	echo "$p.test rc=$? $(grep -c '^--- PASS' "$O/test-$p.log") pass $(grep -c '^--- SKIP' "$O/test-$p.log") skip $(grep -c '^--- FAIL' "$O/test-$p.log") fail" >>"$O/tests.txt"
	grep -E '^--- (FAIL|SKIP)' "$O/test-$p.log" | head -5 >>"$O/tests.txt"
done

# The benchmark and the comparisons.
cli() { echo "\$ nbody $*"; timeout 120 "$B/nbody" "$@"; echo "rc=$?"; }
{
	for r in 1 2 3; do cli -benchmark; done
	cli -benchmark -fp64
	cli -benchmark -tipsy="$B/galaxy_20K.bin"
	cli -compare
	cli -compare -fp64
	cli -compare -hostmem
	cli -compare -blockSize=1024
	cli -alldevices
	cli -alldevices -json
	cli -alldevices -fp64
} >"$O/cli.txt" 2>&1

# A cluster validation of two processes on this one machine, as torchrun
# would start them (set by hand): each validates its share, rank 0
# reports both.
{
	for r in 1 0; do
		env RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29611 \
			timeout 120 "$B/nbody" -alldevices >"$O/rank$r.out" 2>"$O/rank$r.err" &
	done
	wait
	for r in 0 1; do echo "== rank $r"; cat "$O/rank$r.out" "$O/rank$r.err"; done
} >"$O/cluster.txt" 2>&1

# Time to a verdict and start-up, the JIT cache off, whole processes.
verdict() {
	for i in 1 2 3 4 5 6 7 8; do
		t0=$(date +%s%N)
		CUDA_CACHE_DISABLE=1 "$B/nbody" -alldevices >/dev/null 2>&1
		echo "$(( ($(date +%s%N) - t0) / 1000000 ))"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "-alldevices, cache off, 8 runs: min %d, median %.1f, max %d ms\n", v[1], (v[4] + v[5]) / 2, v[8] }'
}
verdict >"$O/verdict-time.txt" 2>&1
if [ -d .sample ]; then
	sh bench/build-sample.sh .sample /tmp/sample >"$O/sample-build.txt" 2>&1 || echo "sample build failed" >>"$O/sample-build.txt"
fi
bins="$B/nbody"
[ -x /tmp/sample/nbody ] && bins="/tmp/sample/nbody $B/nbody"
RUNS=8 sh bench/startup.sh $bins >"$O/startup.txt" 2>&1
CUDA_CACHE_DISABLE=1 "$B/startphases" -runs=8 >"$O/phases.txt" 2>&1

# A GPU made slow: another process's bf16 matrix products share it.
python3 - >"$O/hog.txt" 2>&1 <<'EOF' &
import time, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
t = time.time()
n = 0
while time.time() - t < 40:
    a @ a
    n += 1
torch.cuda.synchronize()
print(f"hog: {n} products in {time.time() - t:.1f} s")
EOF
hog=$!
sleep 8
{
	cli -alldevices
	cli -alldevices -duration=10s
	cli -alldevices -json
} >"$O/slowed.txt" 2>&1
wait $hog

cat "$O/device.txt" "$O/tests.txt"
grep -E '^\$|billion|Error|rc=|PASS|FAIL|expected|GI/s' "$O/cli.txt" | grep -v '^ *"' | cut -c1-220
grep -E '^==|^> ' "$O/cluster.txt" | cut -c1-260
cat "$O/verdict-time.txt"
tail -3 "$O/sample-build.txt" 2>/dev/null
cat "$O/startup.txt" "$O/phases.txt"
grep -vE '^ *"' "$O/slowed.txt" | cut -c1-260
cat "$O/hog.txt"
