#!/bin/sh
# The GPU benchmark sweep (issue 9) as one command, on the GPU machine:
#
#   sh bench/gpu-sweep.sh                      # issue 9's table
#   sh bench/gpu-sweep.sh fp32:4096,8192 fp64:65536   # any runs (see gpubench)
#   sh bench/gpu-sweep.sh -ptx                 # the same, from the PTX (JIT)
#
# Flags before the runs go to gpubench. The kernels are the embedded machine
# code for the GPU's architecture where there is one (sm_70 to sm_90; a
# "# ... kernels sm_90" line before each run's rows says so), else the PTX;
# -ptx forces the PTX, so that both images can be measured at every row:
#
#   sh bench/gpu-sweep.sh >sweep-cubin.txt; sh bench/gpu-sweep.sh -ptx >sweep-ptx.txt
#
# It prints the device, then one row per run: N, precision, memory, GI/s,
# GFLOP/s, the share of the chip's issue limit (from the device's SM count
# and clock), and the accelerations' relative L2 error where N <= 65536.
# The GPU machine has no Go: build the binary here first,
#   CGO_ENABLED=0 go build -o .gpu/gpubench ./bench/gpubench
# and carry .gpu; where Go is installed the script builds it itself.
set -eu
cd "$(dirname "$0")/.."
bin=${GPUBENCH:-.gpu/gpubench}
if [ ! -x "$bin" ]; then
	command -v go >/dev/null 2>&1 || { echo "gpu-sweep: no $bin and no go to build it" >&2; exit 1; }
	mkdir -p "$(dirname "$bin")"
	CGO_ENABLED=0 go build -o "$bin" ./bench/gpubench
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L
date -u
exec "$bin" "$@"
