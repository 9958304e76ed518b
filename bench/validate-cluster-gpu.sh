#!/bin/bash
# validate-cluster-gpu.sh: issue 24's checks on a machine with two or more
# GPUs (kind nvidia-h200-x2 or larger), in one call:
#   1. the all-gather measurement's GPU test (every GPU a rank, in one
#      process);
#   2. `nbody -alldevices` in one process, three times;
#   3. the same GPUs as a cluster of two processes (torchrun's variables set
#      by hand; local rank r takes GPUs r, r+2, …), with
#      -network: each rank's GPUs' rates beside the one-process ones (the
#      issue asks for 2%), and NCCL's all-gather bus bandwidth per rank and
#      for the world, to set beside nccl-tests' figures for the link.
# Build here first (the GPU machine has no Go) and carry the folder:
#
#   B=.gpu/vc; mkdir -p $B
#   make build BIN=$B/nbody
#   CGO_ENABLED=0 go test -c -o $B/gpu.test ./nbody/gpu
#
# then, there: bash bench/validate-cluster-gpu.sh [$B]. Logs go to $OUT (or
# /tmp/out); a summary is printed last.
cd "$(dirname "$0")/.." || exit 1
B=$(cd "${1:-.gpu/vc}" && pwd)
O=${OUT:-/tmp/out}
mkdir -p "$O"
# NCCL_NVLS_ENABLE=0 and where pip's NCCL is (bench/nccl-env.sh).
. bench/nccl-env.sh
{
	nvidia-smi -L
	date -u
	nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
	nvidia-smi topo -m
	echo "NBODY_NCCL_LIBRARY=${NBODY_NCCL_LIBRARY:-unset}"
} >"$O/device.txt" 2>&1

(cd nbody/gpu && timeout 120 "$B/gpu.test" -test.run 'AllGather' -test.v -test.count=1) >"$O/allgather-test.txt" 2>&1

for i in 1 2 3; do
	echo "\$ nbody -alldevices (one process, run $i)"
	timeout 120 "$B/nbody" -alldevices
	echo "rc=$?"
done >"$O/one-process.txt" 2>&1

# Two processes, the GPUs split between them by local rank.
port=29641
for r in 1 0; do
	env -u CUDA_VISIBLE_DEVICES RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
		timeout 300 "$B/nbody" -alldevices -network \
		>"$O/rank$r.out" 2>"$O/rank$r.err" &
done
wait
for r in 0 1; do echo "== rank $r (rc in the log's end)"; cat "$O/rank$r.out" "$O/rank$r.err"; done >"$O/two-processes.txt"

cat "$O/device.txt"
grep -E '^(---|ok|FAIL|PASS)|GB/s' "$O/allgather-test.txt"
grep -E '^\$|^> GPU|^> Valid|^rc=' "$O/one-process.txt" | cut -c1-200
grep -E '^==|^> ' "$O/two-processes.txt" | grep -v 'mode$\|memory$\|simulation$' | cut -c1-300
