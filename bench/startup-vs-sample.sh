#!/bin/bash
# startup-vs-sample.sh: one GPU call that settles whether our start-up is
# slower than NVIDIA's sample on the same machine (issue 21), and where
# the time goes in each. Build here first and carry .gpu and .sample (the
# kit of bench/make-sample-kit.sh):
#
#   B=.gpu/s; mkdir -p $B
#   make build BIN=$B/nbody                      # the head
#   git stash; make build BIN=$B/nbody-before; git stash pop   # or any other build to set beside it
#   CGO_ENABLED=0 go build -o $B/startphases ./bench/startphases
#
# then, there: bash bench/startup-vs-sample.sh [ROUNDS] $B/nbody [$B/nbody-before ...]
#
# It builds the sample (bench/build-sample.sh), then runs the sample and
# each binary in turn, ROUNDS rounds (default 40), `-benchmark
# -numbodies=4096` with the JIT cache off, and prints each one's whole
# process and its difference from the sample round by round
# (bench/in-turn.sh); then the same programs' lines as they appear
# (bench/startlines.sh), startphases' phases with and without closing the
# integrator, and, where strace is installed, how long each process takes
# between its exit_group call and its end. Logs also go to
# $OUT/startup-vs-sample.tgz.
cd "$(dirname "$0")/.."
rounds=40
case ${1:-} in [0-9]*) rounds=$1; shift ;; esac
[ $# -ge 1 ] || { echo "usage: bash $0 [ROUNDS] BINARY [BINARY...]" >&2; exit 2; }
O=$(mktemp -d)
trap 'tar -czf "${OUT:-/tmp}/startup-vs-sample.tgz" -C "$O" .' EXIT
. bench/in-turn.sh
{ nvidia-smi -L; date -u; nvidia-smi --query-gpu=name,driver_version,persistence_mode --format=csv,noheader; lscpu | grep -E '^Model name|^CPU\(s\)'; } 2>&1 | tee "$O/device.txt"
[ -x /tmp/sample/nbody ] || sh bench/build-sample.sh .sample /tmp/sample >"$O/sample-build.txt" 2>&1 ||
	{ tail -5 "$O/sample-build.txt"; exit 1; }
args="-benchmark -numbodies=4096"
cmds=("/tmp/sample/nbody $args")
for b in "$@"; do cmds+=("$b $args"); done
# One untimed run of each, so that no program is the first to touch the
# driver's files after the machine started.
for c in "${cmds[@]}"; do CUDA_CACHE_DISABLE=1 $c >/dev/null 2>&1; done
in_turn "$rounds" "${cmds[@]}" 2>&1 | tee "$O/in-turn.txt"
RUNS=16 bash bench/startlines.sh /tmp/sample/nbody "$@" 2>&1 | tee "$O/startlines.txt"
sp=$(dirname "$1")/startphases
if [ -x "$sp" ]; then
	CUDA_CACHE_DISABLE=1 "$sp" -runs=16 2>&1 | tee "$O/phases.txt"
	CUDA_CACHE_DISABLE=1 "$sp" -runs=16 -close=false 2>&1 | tee "$O/phases-noclose.txt"
fi
if command -v strace >/dev/null; then
	# The teardown inside the kernel: from the exit_group call to the
	# process's end, as strace stamps them (strace slows the rest).
	for c in "${cmds[@]}"; do
		for i in 1 2 3 4 5; do
			CUDA_CACHE_DISABLE=1 strace -f -ttt -e trace=exit_group -o "$O/strace.out" $c >/dev/null 2>&1
			awk '/exit_group/ && !e { e = $2 } /\+\+\+ exited/ { x = $2 } END { printf "%.1f\n", (x - e) * 1000 }' "$O/strace.out"
		done | sort -n | tr '\n' ' ' | sed "s|^|$c: exit_group to the end, ms: |"
		echo
	done 2>&1 | tee "$O/strace.txt"
else
	echo "no strace here" | tee "$O/strace.txt"
fi
