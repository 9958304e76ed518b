#!/bin/bash
# Everything bench/RESULTS.md's "GPU: one H100" section quotes, as one command on the GPU
# machine. Build here first (the GPU machine has no Go) and carry the folder:
#
#   B=.gpu/g; mkdir -p $B && cp testdata/galaxy_20K.bin $B/
#   CGO_ENABLED=0 go build -o $B/nbody ./cmd/nbody
#   CGO_ENABLED=0 go build -o $B/gpubench ./bench/gpubench
#   CGO_ENABLED=0 go build -o $B/kernelbench ./bench/kernelbench
#   CGO_ENABLED=0 go test -c -o $B/gpu.test ./nbody/gpu
#   sh bench/kernel-variants.sh build $B/var        # needs nvcc 11.8
#
# then, there: bash bench/gpu-batch.sh [$B]. Logs go to $OUT (or /tmp/out); the summary, the
# sweep, the CLI's figures and the kernel variants are printed last.
cd "$(dirname "$0")/.."
B=${1:-.gpu/g}
O=${OUT:-/tmp/out}
mkdir -p "$O"
{ nvidia-smi -L; date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader; ptxas --version | tail -1; } >"$O/device.txt" 2>&1
# SASS of our PTX from the same compiler generation as the driver's JIT.
for p in f32 f64; do
	ptxas -arch=sm_90 -O3 -v kernels/nbody_$p.ptx -o /tmp/nbody_$p.cubin >"$O/ptxas_$p.txt" 2>&1
	cuobjdump -sass /tmp/nbody_$p.cubin >"$O/nbody_$p.sass" 2>&1
done
timeout 240 "$B/gpu.test" -test.v -test.count=1 >"$O/gpu-test.log" 2>&1
echo "gpu.test rc=$?" >"$O/summary.txt"
grep -E "^--- (FAIL|SKIP)|^FAIL|^ok|^PASS" "$O/gpu-test.log" >>"$O/summary.txt"
GPUBENCH=$B/gpubench timeout 150 sh bench/gpu-sweep.sh >"$O/sweep.txt" 2>&1
timeout 30 "$B/gpubench" -stageHostMem -accuracy=0 fp32-hostmem:135168 >"$O/sweep-hoststage.txt" 2>&1
cli() { echo "\$ nbody $*"; timeout 60 "$B/nbody" "$@"; echo "rc=$?"; }
{
	for n in 16384 65536 135168 262144 1048576; do cli -benchmark -numbodies=$n; done
	for n in 135168 262144; do cli -benchmark -fp64 -numbodies=$n; done
	cli -benchmark -hostmem -numbodies=135168
	cli -benchmark
	cli -benchmark -tipsy="$B/galaxy_20K.bin"
	cli -compare
	cli -compare -fp64
	cli -compare -hostmem
	cli -benchmark -device=3
} >"$O/cli.txt" 2>&1
[ -d "$B/var" ] && KERNELBENCH=$B/kernelbench ROUNDS=2 timeout 90 sh bench/kernel-variants.sh run "$B/var" 135168 >"$O/variants.txt" 2>&1
stall="--metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active,sm__pipe_fp64_cycles_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,launch__registers_per_thread"
for p in fp32 fp64; do
	timeout 60 ncu --clock-control none $stall -k regex:forces -c 1 "$B/gpubench" -repeat=1 -seconds=0.01 -accuracy=0 $p:135168 >"$O/stall_$p.txt" 2>&1
done
cat "$O/device.txt" "$O/summary.txt" "$O/sweep.txt" "$O/sweep-hoststage.txt"
grep -E "^\\$|billion|Error|rc=|OK|^GPU Device" "$O/cli.txt"
[ -f "$O/variants.txt" ] && cut -c1-130 "$O/variants.txt"
