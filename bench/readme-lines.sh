#!/bin/bash
# readme-lines.sh: every nbody command line that the README and docs/ show,
# run by the binary of an earlier commit and by the one of the work tree,
# their output compared with the figures masked. A restructuring that must
# not change what the program prints (issue 21) is checked with it:
#
#   bench/readme-lines.sh 08916fc          # that commit against the work tree
#   bench/readme-lines.sh -t 5 old-bin new-bin
#
# Each command runs in a scratch folder holding testdata/galaxy_20K.bin, for
# at most -t seconds (default 8), then gets SIGINT as Ctrl-C would; both
# binaries get the same treatment, so a run cut short prints the same
# "Interrupted" lines in both. Digits are masked (a figure, a time, a
# count) and the interactive mode's status lines are left out, so only
# words, flags and the shape of the report are compared; stdout, stderr
# and the exit status are compared apart. Lines under a
# launcher (srun, mpirun, torchrun) are skipped: they take their place from
# the launcher's environment. It prints one line per command, the
# differences, and exits 1 when any differ.
set -uo pipefail

limit=8
if [ "${1:-}" = "-t" ]; then
	limit=$2
	shift 2
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 [-t SECONDS] COMMIT | OLD_BINARY NEW_BINARY" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; git -C "$root" worktree prune' EXIT

build() { # build DIR OUT, as `make build` does
	make -s -C "$1" build BIN="$2" >/dev/null || {
		echo "readme-lines: cannot build $1" >&2
		exit 1
	}
}
if [ $# -eq 1 ]; then
	git -C "$root" worktree add -q --detach "$work/old-tree" "$1" || exit 1
	build "$work/old-tree" "$work/old"
	git -C "$root" worktree remove --force "$work/old-tree"
	build "$root" "$work/new"
	old=$work/old new=$work/new
else
	old=$(realpath "$1") new=$(realpath "$2")
fi

# The command lines, as README's test finds them: `nbody -…` in text and
# code, up to a backquote, a comment or the line's end.
mapfile -t lines < <(
	cat "$root/README.md" "$root"/docs/*.md 2>/dev/null |
		sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' |
		grep -v -E 'srun |mpirun |torchrun ' |
		grep -oP '(?:^|[ `])(?:bin/)?nbody((?: +-[^ `#\n]+)+)' |
		sed -E 's/^[ `]//; s/^(bin\/)?nbody +//' | sort -u
)
[ ${#lines[@]} -gt 0 ] || {
	echo "readme-lines: no command lines found" >&2
	exit 1
}

# The interactive mode's status lines (the sample's window title) come as
# often as the clock allows: how many a cut-short run printed is timing,
# not output.
mask() { sed -E 's/[0-9]+/#/g' "$1" | grep -v '^N-Body (# bodies): '; }
runone() { # runone BINARY ARGS OUTPREFIX
	local dir=$work/run
	rm -rf "$dir" && mkdir -p "$dir"
	[ -f "$root/testdata/galaxy_20K.bin" ] && cp "$root/testdata/galaxy_20K.bin" "$dir/"
	# shellcheck disable=SC2086 # the arguments are split as a shell would
	(cd "$dir" && timeout -s INT -k 5 "$limit" "$1" $2 >"$3.out" 2>"$3.err" </dev/null)
	echo $? >"$3.rc"
}

differ=0
for args in "${lines[@]}"; do
	runone "$old" "$args" "$work/a"
	runone "$new" "$args" "$work/b"
	same=yes
	for part in out err rc; do
		if ! diff -q <(mask "$work/a.$part") <(mask "$work/b.$part") >/dev/null; then
			same=no
			echo "--- nbody $args: $part differs"
			diff <(mask "$work/a.$part") <(mask "$work/b.$part") | head -20
		fi
	done
	if [ $same = yes ]; then
		echo "same     nbody $args (exit $(cat "$work/b.rc"))"
	else
		differ=$((differ + 1))
	fi
done
echo "readme-lines: ${#lines[@]} command lines, $differ differ"
[ $differ -eq 0 ]
