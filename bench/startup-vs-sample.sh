#!/bin/bash
# startup-vs-sample.sh: one GPU call that settles whether our start-up is
# slower than NVIDIA's sample on the same machine (issue 21), and where
# the time goes in each. Build here first and carry .gpu and .sample (the
# kit of bench/make-sample-kit.sh):
#
#   B=.gpu/s; mkdir -p $B
#   make build BIN=$B/nbody                      # the head
#   git worktree add /tmp/before REV && make -C /tmp/before build BIN=$PWD/$B/nbody-before   # any build to set beside it
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
IN_TURN_RAW="$O/in-turn.raw" in_turn "$rounds" "${cmds[@]}" 2>&1 | tee "$O/in-turn.txt"
RUNS=16 bash bench/startlines.sh /tmp/sample/nbody "$@" 2>&1 | tee "$O/startlines.txt"
sp=$(dirname "$1")/startphases
if [ -x "$sp" ]; then
	CUDA_CACHE_DISABLE=1 "$sp" -runs=16 2>&1 | tee "$O/phases.txt"
	CUDA_CACHE_DISABLE=1 "$sp" -runs=16 -close=false 2>&1 | tee "$O/phases-noclose.txt"
fi
# STRACE names a strace binary where none is installed (LD_LIBRARY_PATH for
# its libraries), e.g. one unpacked from Debian's package into .gpu/tools.
strace=${STRACE:-$(command -v strace)}
if [ -n "$strace" ] && "$strace" -V >/dev/null 2>&1; then
	# The teardown, seen from the system calls: the last write of the
	# report, the exit_group call (what runs between them is the program's
	# own teardown: releasing the context, atexit handlers) and the
	# process's end (what the kernel frees as it closes the driver's
	# files). strace slows the rest, not these gaps much; stdbuf -oL makes
	# the sample write its lines as they come, not at its exit.
	for c in "${cmds[@]}"; do
		for i in $(seq 8); do
			CUDA_CACHE_DISABLE=1 "$strace" -f -ttt -e trace=write,exit_group -o "$O/strace.out" stdbuf -oL $c >/dev/null 2>&1
			awk '/ write\(1,/ { w = $2 } /exit_group/ && !e { e = $2 } /\+\+\+ exited/ { x = $2 }
				END { printf "%.1f %.1f\n", (e - w) * 1000, (x - e) * 1000 }' "$O/strace.out"
		done | sort -n -k2 | awk -v c="$c" '{ a[NR] = $1; b[NR] = $2; line = line sprintf(" %s/%s", $1, $2) }
			END { printf "%s: ms from the last write to exit_group / from exit_group to the end, 8 runs:%s\n", c, line }'
	done 2>&1 | tee "$O/strace.txt"
else
	echo "no strace here" | tee "$O/strace.txt"
fi
