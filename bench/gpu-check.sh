#!/bin/bash
# One GPU call that checks a head on one H100 or H200 (issues 21 and 23):
# the GPU tests, the benchmark beside bench/RESULTS.md, -compare on each
# path, -alldevices and its time to a verdict, start-up against NVIDIA's
# sample (built there from the kit of bench/build-sample.sh) phase by phase,
# and a GPU made slow by another process's matrix products. Build here
# first (the GPU machine has no Go) and carry .gpu and .sample (the kit,
# made by bench/make-sample-kit.sh):
#
#   B=.gpu/c; mkdir -p $B && cp testdata/galaxy_20K.bin $B/
#   make build BIN=$B/nbody
#   CGO_ENABLED=0 go build -o $B/startphases ./bench/startphases
#   for p in gpu cuda nvml; do CGO_ENABLED=0 go test -c -o $B/$p.test ./nbody/$p; done
#
# then, there: bash bench/gpu-check.sh [$B]. The logs go to one archive,
# $OUT/gpu-check.tgz (few files come back from the machine); a summary is
# printed last.
cd "$(dirname "$0")/.."
B=$(cd "${1:-.gpu/c}" && pwd)
O=$(mktemp -d)
trap 'tar -czf "${OUT:-/tmp}/gpu-check.tgz" -C "$O" .' EXIT
# NCCL_NVLS_ENABLE=0 and where pip's NCCL is, for the NCCL tests of gpu.test
# (the all-gather measurement on this one GPU as a world of one rank).
. bench/nccl-env.sh
{ nvidia-smi -L; date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit,power.default_limit --format=csv,noheader; } >"$O/device.txt" 2>&1

# The GPU tests, each in its package's folder (they read testdata/ there).
: >"$O/tests.txt"
for p in gpu cuda nvml; do
	(cd "nbody/$p" && timeout 150 "$B/$p.test" -test.count=1 -test.v) >"$O/test-$p.log" 2>&1
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
# reports both. Unbound, the one GPU is local rank 0's and rank 1's share
# is empty; bound (CUDA_VISIBLE_DEVICES=0 for both, as a per-task binding
# would set it), each validates the GPU, at once.
for bind in unbound bound; do
	for r in 1 0; do
		set -- env RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29611
		[ $bind = bound ] && set -- "$@" CUDA_VISIBLE_DEVICES=0
		timeout 120 "$@" "$B/nbody" -alldevices >"$O/$bind-rank$r.out" 2>"$O/$bind-rank$r.err" &
	done
	wait
	for r in 0 1; do echo "== $bind rank $r"; cat "$O/$bind-rank$r.out" "$O/$bind-rank$r.err"; done
done >"$O/cluster.txt" 2>&1

. bench/in-turn.sh

# Time to a verdict and start-up, the JIT cache off, whole processes.
in_turn 8 "$B/nbody -alldevices" >"$O/verdict-time.txt" 2>&1
if [ -d .sample ]; then
	sh bench/build-sample.sh .sample /tmp/sample >"$O/sample-build.txt" 2>&1 || echo "sample build failed" >>"$O/sample-build.txt"
fi
bins="$B/nbody"
[ -x /tmp/sample/nbody ] && bins="/tmp/sample/nbody $B/nbody"
RUNS=8 sh bench/startup.sh $bins >"$O/startup.txt" 2>&1
[ -x /tmp/sample/nbody ] && in_turn 16 "/tmp/sample/nbody -benchmark -numbodies=4096" "$B/nbody -benchmark -numbodies=4096" >"$O/startup-alternating.txt" 2>&1
[ -x /tmp/sample/nbody ] && RUNS=16 bash bench/startlines.sh /tmp/sample/nbody "$B/nbody" >"$O/startlines.txt" 2>&1
CUDA_CACHE_DISABLE=1 "$B/startphases" -runs=8 >"$O/phases.txt" 2>&1
CUDA_CACHE_DISABLE=1 "$B/startphases" -runs=8 -close=false >"$O/phases-noclose.txt" 2>&1
# Does closing the context in order cost the whole process time, or does
# the exit pay the same?
in_turn 16 "$B/startphases -child -close=true" "$B/startphases -child -close=false" >"$O/close-ab.txt" 2>&1
for t in strace ltrace perf nsys; do command -v $t; done >"$O/tools.txt" 2>&1

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
grep -E '^==|^> ' "$O/cluster.txt" | grep -v 'mode$\|memory$\|simulation$' | cut -c1-400
cat "$O/verdict-time.txt"
tail -3 "$O/sample-build.txt" 2>/dev/null
cat "$O/startup.txt" "$O/startup-alternating.txt" "$O/startlines.txt" "$O/phases.txt" "$O/phases-noclose.txt" "$O/close-ab.txt" "$O/tools.txt"
grep -E '^\$|^> GPU|^> Valid|^rc=' "$O/slowed.txt" | cut -c1-700
cat "$O/hog.txt"
