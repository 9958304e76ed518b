#!/bin/sh
# Kernel experiments for bench/NOTES.md, in two halves:
#
#   sh bench/kernel-variants.sh build DIR   # here, with nvcc 11.8: one PTX per variant
#   sh bench/kernel-variants.sh run DIR N   # on the GPU machine: time each with kernelbench
#
# kernelbench is built here too: CGO_ENABLED=0 go build -o .gpu/g/kernelbench ./bench/kernelbench
# (KERNELBENCH names another path).
#
# A variant is nbody.cu built with other values of its tuning macros
# (bodies per thread, least blocks per SM, tile factor, unroll); the table
# below names them. The run half times each forces kernel at N bodies with
# the j sum split so that 2, 3 and 4 blocks of 256 threads per SM are
# offered (PERSM to choose, BLOCK for another block size).
set -eu
cd "$(dirname "$0")/.."
# name precision bodies tile-factor macros... (bench/NOTES.md lists the
# variants tried before; nbody.cu's defaults are the ones kept)
variants() {
	cat <<'LIST'
f32          f32 8  4
f32_t1       f32 8  1 -DTILE_FACTOR=1
f64          f64 4  4
f64_b2       f64 2  4 -DBODIES_F64_T256=2
f64_b3       f64 3  4 -DBODIES_F64_T256=3
LIST
}
case "${1:-}" in
build)
	dir=$2
	mkdir -p "$dir"
	variants | while read -r name prec bodies tile macros; do
		def=""
		[ "$prec" = f64 ] && def=-DNBODY_F64
		# shellcheck disable=SC2086
		nvcc -arch=compute_52 -ptx -O3 $def $macros -o "$dir/$name.ptx" kernels/nbody.cu
		echo "$name $prec $bodies $tile" >>"$dir/list.tmp"
	done
	mv "$dir/list.tmp" "$dir/list"
	;;
run)
	dir=$2
	n=${3:-135168}
	block=${BLOCK:-256}
	bin=${KERNELBENCH:-.gpu/g/kernelbench}
	while read -r name prec bodies tile; do
		blocks=$(((n + bodies * block - 1) / (bodies * block)))
		double=false
		[ "$prec" = f64 ] && double=true
		for perSM in ${PERSM:-2 3 4}; do
			splits=$(((132 * perSM * 256 / block + blocks - 1) / blocks))
			[ "$splits" -gt 64 ] && splits=64
			"$bin" -ptx "$dir/$name.ptx" -entry "nbody_forces_${prec}_t256" -double=$double -n "$n" \
				-bodies "$bodies" -tile "$tile" -block "$block" -splits "$splits" -reps 10 \
				-label "$name/b$block/${perSM}perSM" || true
		done
	done <"$dir/list"
	;;
*)
	echo "usage: $0 build DIR | run DIR [N]" >&2
	exit 2
	;;
esac
