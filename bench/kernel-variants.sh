#!/bin/sh
# Kernel experiments for bench/NOTES.md, in halves run on two machines:
#
#   sh bench/kernel-variants.sh build DIR       # here, with nvcc 11.8: one PTX per variant
#   sh bench/kernel-variants.sh run DIR N       # on the GPU machine: time each with kernelbench
#   sh bench/kernel-variants.sh sass DIR        # there: ptxas + cuobjdump of each forces kernel
#   sh bench/kernel-variants.sh profile DIR N   # there: ncu pipe and stall figures of each
#
# kernelbench is built here too: CGO_ENABLED=0 go build -o .gpu/g/kernelbench ./bench/kernelbench
# (KERNELBENCH names another path).
#
# A variant is nbody.cu built with other values of its tuning macros
# (bodies per thread, launch bounds, tile factor, unroll, source order); the
# table below names them, with the block size it runs with and how many of
# its blocks a multiprocessor holds at once (what its launch bounds allow;
# for the record only). kernelbench runs each in the GPU integrator, so the
# run half splits the sum over j as the integrator's launch plan does on that
# GPU (nbody/gpu/plan.go: the fewest waves × (bodies per split + 32), with
# the occupancy of the registers the driver gave the kernel), or into each
# of SPLITS (a list) where that is set, and with ROUNDS > 1 times every
# variant once per round, so that drifts of the clock touch all of them
# alike. VARIANTS names a file of table rows to build instead of the one
# below; LIST, a list file (as build writes DIR/list) to run instead of DIR/list.
# PATCH names a patch of kernels/nbody.cu that build applies to a copy first:
# bench/kernel-experiments.patch adds the knobs of the 2026-11-25 experiments
# (source orders, scale forms, launch bounds, rotation), whose table is
# bench/kernel-variants-2026-11-25.list:
#
#   PATCH=bench/kernel-experiments.patch VARIANTS=bench/kernel-variants-2026-11-25.list \
#       sh bench/kernel-variants.sh build .gpu/p/var
#
# A variant with a NAME.sm90 in DIR (a cubin from some ptxas, made by hand)
# runs that instead of its PTX, to compare compilers on the same source.
set -eu
cd "$(dirname "$0")/.."
# name precision bodies tile-factor block resident-blocks macros... (ARCH=x
# picks the PTX target; bench/NOTES.md lists the variants tried before;
# nbody.cu's defaults are the ones kept)
variants() {
	if [ -n "${VARIANTS:-}" ]; then
		cat "$VARIANTS"
		return
	fi
	cat <<'LIST'
f32          f32 8 4 256 2
f32_t1       f32 8 1 256 2 -DTILE_FACTOR=1
f64          f64 4 4 256 2
f64_b2       f64 2 4 256 2 -DBODIES_F64_T256=2
f64_b3       f64 3 4 256 2 -DBODIES_F64_T256=3
LIST
}
# image DIR NAME: the module kernelbench loads: NAME.sm90 where one was
# built (a cubin from a given ptxas, to compare compilers), else NAME.ptx.
image() {
	if [ -f "$1/$2.sm90" ]; then echo "$1/$2.sm90"; else echo "$1/$2.ptx"; fi
}
case "${1:-}" in
build)
	dir=$2
	mkdir -p "$dir"
	src=kernels/nbody.cu
	if [ -n "${PATCH:-}" ]; then
		mkdir -p "$dir/src"
		cp kernels/nbody.cu "$dir/src/nbody.cu"
		patch -s "$dir/src/nbody.cu" <"$PATCH"
		src=$dir/src/nbody.cu
	fi
	: >"$dir/list.tmp"
	variants | while read -r name prec bodies tile block resident macros; do
		def="" arch=compute_52 flags=""
		[ "$prec" = f64 ] && def=-DNBODY_F64
		for m in $macros; do
			case $m in
			ARCH=*) arch=${m#ARCH=} ;;
			*) flags="$flags $m" ;;
			esac
		done
		# shellcheck disable=SC2086
		nvcc -arch=$arch -ptx -O3 $def $flags -o "$dir/$name.ptx" "$src"
		echo "$name $prec $bodies $tile $block $resident" >>"$dir/list.tmp"
	done
	mv "$dir/list.tmp" "$dir/list"
	;;
run)
	dir=$2
	n=${3:-135168}
	bin=${KERNELBENCH:-.gpu/g/kernelbench}
	for round in $(seq "${ROUNDS:-1}"); do
		while read -r name prec bodies tile block _; do
			double=false
			[ "$prec" = f64 ] && double=true
			# splits 0: as the integrator's launch plan
			for splits in ${SPLITS:-0}; do
				"$bin" -ptx "$(image "$dir" "$name")" -entry "nbody_forces_${prec}_t256" -double=$double -n "$n" \
					-bodies "$bodies" -tile "$tile" -block "$block" -splits "$splits" -reps "${REPS:-10}" \
					-label "$name/r$round" || true
			done
		done <"${LIST:-$dir/list}"
	done
	;;
sass)
	dir=$2
	while read -r name prec _; do
		cubin=$dir/$name.sm90
		if [ ! -f "$cubin" ]; then
			cubin=$dir/$name.cubin
			ptxas -arch=sm_90 -O3 -v "$dir/$name.ptx" -o "$cubin" >"$dir/$name.ptxas.txt" 2>&1 || true
		fi
		cuobjdump -sass -fun "nbody_forces_${prec}_t256" "$cubin" >"$dir/$name.sass" 2>&1 || true
	done <"${LIST:-$dir/list}"
	;;
profile)
	dir=$2
	n=${3:-135168}
	bin=${KERNELBENCH:-.gpu/g/kernelbench}
	metrics="regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,launch__registers_per_thread,smsp__warps_active.avg.per_cycle_active"
	while read -r name prec bodies tile block _; do
		double=false
		[ "$prec" = f64 ] && double=true
		echo "== $name"
		ncu --clock-control none --metrics "$metrics" -k regex:forces -c 1 --csv --page raw \
			"$bin" -ptx "$(image "$dir" "$name")" -entry "nbody_forces_${prec}_t256" -double=$double -n "$n" \
			-bodies "$bodies" -tile "$tile" -block "$block" -reps 1 -label "$name" || true
	done <"${LIST:-$dir/list}"
	;;
*)
	echo "usage: $0 build DIR | run DIR [N] | sass DIR | profile DIR [N]" >&2
	exit 2
	;;
esac
