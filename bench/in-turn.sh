# in-turn.sh: times whole processes in turn; sourced by the GPU scripts.
#
#   . bench/in-turn.sh
#   in_turn N COMMAND...
#
# Runs the commands (each one string, split on spaces; "env VAR=x prog
# -flag" sets a variable) one after the other, N rounds, the JIT cache off
# (CUDA_CACHE_DISABLE=1), so that whatever drifts on the machine drifts for
# all of them alike. Prints each command's min, median and max
# milliseconds, then, for each command after the first, the median of its
# differences from the first in the same round with an interval of at least 95% for
# that median (the sign test's order statistics, which assume nothing of
# the distribution): an interval wholly below 0 says the command is
# faster than the first, one that holds 0 says the rounds cannot tell
# them apart. A command that fails is reported and its rounds still count.
# With IN_TURN_RAW set, the times are also kept there, a line a run:
# round, command's index, microseconds.
in_turn() {
	local n=$1 raw i k c t0
	shift
	raw=$(mktemp)
	for i in $(seq "$n"); do
		k=0
		for c in "$@"; do
			t0=$(date +%s%N)
			CUDA_CACHE_DISABLE=1 $c >/dev/null 2>&1 || echo "in_turn: round $i: $c failed" >&2
			echo "$i $k $(( ($(date +%s%N) - t0) / 1000 ))" >>"$raw"
			k=$((k + 1))
		done
	done
	k=0
	for c in "$@"; do
		awk -v k=$k '$2 == k { print $3 / 1000 }' "$raw" | sort -n | awk -v c="$c" '{ v[NR] = $1 } END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s: in turn, cache off, %d runs: min %.1f, median %.1f, max %.1f ms\n", c, NR, v[1], m, v[NR] }'
		if [ "$k" -gt 0 ]; then
			awk -v k=$k '$2 == 0 { first[$1] = $3 } $2 == k { this[$1] = $3 }
				END { for (i in this) if (i in first) print (this[i] - first[i]) / 1000 }' "$raw" | sort -n |
				awk -v c="$c" '{ v[NR] = $1 } END {
					m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
					lo = int(NR / 2 - 0.98 * sqrt(NR)); if (lo < 1) lo = 1
					hi = NR + 1 - lo
					printf "  minus the first, round by round: median %+.1f ms, 95%%+ interval %+.1f to %+.1f ms\n", m, v[lo], v[hi] }'
		fi
		k=$((k + 1))
	done
	[ -z "${IN_TURN_RAW:-}" ] || cp "$raw" "$IN_TURN_RAW"
	rm -f "$raw"
}
