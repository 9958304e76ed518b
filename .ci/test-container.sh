#!/bin/bash
# make test-container: build the image from the unchanged Dockerfile with
# podman and check it without a GPU; cross-compile the arm64 binary through
# the Dockerfile's build stage and run its CPU path under qemu-user-static.
#
# Needs root on Debian (it installs podman, runc, mmdebstrap and
# qemu-user-static with apt when they are missing) and Go 1.26 on the host.
# Docker Hub need not be reachable: the two base images are made here, once,
# with mmdebstrap from Debian's mirror, and kept in podman's storage under a
# tag that hashes their recipe, in a storage of its own under
# /var/lib/containers/nbody-go-test-container (delete it to start afresh):
#   debian:bookworm-slim   mmdebstrap --variant=minbase bookworm, without the
#                          docs, man pages and locales, as Debian's slim images
#   golang:1.26-bookworm   the same plus make, git, ca-certificates and the Go
#                          toolchain of the host's version, fetched as the
#                          module golang.org/toolchain (checked against the Go
#                          checksum database), in /usr/local/go
#   debian:trixie-slim     minbase trixie, as the first, for the NCCL image
#                          of docs/nccl.Dockerfile, which it builds and checks
#                          too (libnccl2 from trixie's contrib section)
# Where it cannot run it says why in one line and exits 0 without a verdict.
set -uo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/nbody-go:test-container
CACHE=/var/cache/nbody-go-test-container
SUITE=bookworm
MIRRORS=("deb http://deb.debian.org/debian $SUITE main"
	"deb http://deb.debian.org/debian $SUITE-updates main"
	"deb http://deb.debian.org/debian-security $SUITE-security main")
NETNONE=--network=none # nbody needs no network; nor do the checks

T_START=$(date +%s%N)
FAILS=0

skip() { echo "test-container: not run: $*"; exit 0; }
die() { echo "test-container: FAIL: $*"; exit 1; }
secs() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# step NAME CMD...: run CMD, then print how long it took.
step() {
	local name=$1 t0 rc
	shift
	echo "==> $name"
	t0=$(date +%s%N)
	"$@"
	rc=$?
	echo "<== $name: $(secs "$t0") s$([ $rc = 0 ] || echo ", exit status $rc")"
	return $rc
}

pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; FAILS=$((FAILS + 1)); }

# ---- what this machine must be ----------------------------------------------

[ "$(id -u)" = 0 ] || skip "needs root (podman with runc, and apt to install it); run it as root on Debian"
{ [ -r /etc/debian_version ] && command -v apt-get >/dev/null; } ||
	skip "needs Debian's apt-get to install podman, runc, mmdebstrap and qemu-user-static"
command -v go >/dev/null || skip "needs Go 1.26 on the host (its version is the stand-in's)"
GOVERSION=$(go env GOVERSION)
[[ $GOVERSION == go1.26* ]] || skip "needs Go 1.26 on the host, has $GOVERSION"
HOSTARCH=$(go env GOHOSTARCH)
[ "$HOSTARCH" = amd64 ] || skip "the stand-in base images and the qemu step are made for an amd64 host, this is $HOSTARCH"
CA=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
[ -r "$CA" ] || skip "no CA bundle at $CA for the build's go mod download"

PKGS=(podman runc mmdebstrap qemu-user-static)
install_packages() {
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ]; then
		echo "installed already: ${PKGS[*]}"
		return 0
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
step "install ${PKGS[*]}" install_packages ||
	skip "apt-get could not install ${PKGS[*]}"

# podman as this sandbox allows it, for our commands only: runc (crun refuses
# the cgroup layout), cgroupfs (no systemd), and no raised resource limits.
mkdir -p "$CACHE"
cat >"$CACHE/containers.conf" <<'EOF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
# Its own image storage, so that what it makes and prunes is its own alone:
# run the image by hand with these two variables set.
STORE=/var/lib/containers/nbody-go-test-container
cat >"$CACHE/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$STORE"
runroot = "/run/nbody-go-test-container"
EOF
export CONTAINERS_CONF=$CACHE/containers.conf CONTAINERS_STORAGE_CONF=$CACHE/storage.conf
podman info >/dev/null 2>"$CACHE/podman-info.err" ||
	skip "podman refuses to start here: $(head -n1 "$CACHE/podman-info.err")"

# ---- the two base images, made once --------------------------------------

# minbase (Essential and apt) with /usr merged by symlinks, as Debian's
# images have it (not by the usrmerge package, which brings perl), and dpkg
# told to leave out docs, man pages and translations, as in its slim images.
MMDEBSTRAP=(mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
	--dpkgopt='path-exclude=/usr/share/groff/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
	--dpkgopt='path-exclude=/usr/share/locale/*')

make_debian() {
	"${MMDEBSTRAP[@]}" "$SUITE" - "${MIRRORS[@]}" |
		podman import --quiet --change 'CMD ["bash"]' - "$1" >/dev/null
}

# The Go toolchain: the host's version, as the go command fetches it for
# GOTOOLCHAIN switches (verified against sum.golang.org); the host's own
# GOROOT where the module proxy cannot be reached.
GOROOT_SRC=
GOSUM=
find_go() {
	local mod=golang.org/toolchain@v0.0.1-$GOVERSION.linux-$HOSTARCH out
	if out=$(cd "$CACHE" && go mod download -json "$mod" 2>&1); then
		GOROOT_SRC=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$out")
		GOSUM=$(sed -n 's/^\t"Sum": "\(.*\)",$/\1/p' <<<"$out")
		echo "Go toolchain: $mod ($GOSUM)"
	else
		GOROOT_SRC=$(go env GOROOT)
		GOSUM="host $GOVERSION $(go env GOROOT)"
		echo "Go toolchain: the module proxy failed ($(head -n1 <<<"$out")); copying the host's $GOROOT_SRC"
	fi
	[ -f "$GOROOT_SRC/bin/go" ]
}

make_golang() {
	# The module's zip keeps no modes: the go command marks bin/ and
	# pkg/tool/ executable when it unpacks a toolchain, and so does this.
	"${MMDEBSTRAP[@]}" --include=make,git,ca-certificates \
		--customize-hook="cp -a '$GOROOT_SRC' \"\$1/usr/local/go\" && cd \"\$1/usr/local/go\" && chmod -R u+w,a+rX . && chmod a+x bin/* pkg/tool/*/*" \
		"$SUITE" - "${MIRRORS[@]}" |
		podman import --quiet \
			--change "ENV GOLANG_VERSION=${GOVERSION#go}" --change 'ENV GOTOOLCHAIN=local' \
			--change 'ENV GOPATH=/go' \
			--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'WORKDIR /go' --change 'CMD ["bash"]' - "$1" >/dev/null
}

# base NAME FUNCTION INPUTS: tag NAME from the image that FUNCTION makes,
# kept under a tag that hashes FUNCTION's text and INPUTS.
base() {
	local name=$1 fn=$2 key repo keyed
	key=$({ declare -f "$fn"; printf '%s\n' "$3" "${MIRRORS[@]}" "${MMDEBSTRAP[@]}"; } | sha256sum | cut -c1-16)
	repo=localhost/nbody-go-stand-in/${name%%:*}
	keyed=$repo:${name#*:}-$key
	if podman image exists "$keyed"; then
		echo "$name: have $keyed"
	else
		echo "$name: making $keyed"
		if ! "$fn" "$keyed" 2>"$CACHE/$fn.log"; then
			tail -n 20 "$CACHE/$fn.log"
			return 1
		fi
		# The stand-ins of older recipes go: of this name only, since
		# debian:bookworm-slim and debian:trixie-slim share a repository.
		podman images --format '{{.Repository}}:{{.Tag}}' "$repo" | grep -F "$repo:${name#*:}-" | grep -vxF "$keyed" |
			xargs -r podman rmi >/dev/null 2>&1
	fi
	podman tag "$keyed" "localhost/$name" &&
		echo "$name: $(podman image inspect --format '{{.Size}}' "$keyed" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

# The stand-ins are this machine's business, not the image's: where they
# cannot be made (no mirror, no toolchain module), the image is not tested.
step "base image debian:bookworm-slim" base debian:bookworm-slim make_debian "" ||
	skip "could not make the debian:bookworm-slim stand-in here (mmdebstrap failed)"
step "Go toolchain $GOVERSION" find_go || skip "no Go toolchain for the golang stand-in here"
step "base image golang:1.26-bookworm" base golang:1.26-bookworm make_golang "$GOSUM" ||
	skip "could not make the golang:1.26-bookworm stand-in here"

podman run --rm $NETNONE localhost/debian:bookworm-slim true 2>"$CACHE/podman-run.err" ||
	skip "podman cannot run a container here: $(grep -m1 . "$CACHE/podman-run.err")"

# ---- the image --------------------------------------------------------------

# The host's CA bundle is mounted read-only into the build's RUN steps, so
# that go mod download trusts what the host trusts; it is not in any layer.
# BUILDPLATFORM is given because podman 4.3 (Debian 12) leaves it unset when
# --platform is given; docker buildx and newer podman set it themselves.
BUILD=(podman build --quiet --pull=never --network=host --volume "$CA:/etc/ssl/certs/ca-certificates.crt:ro"
	--build-arg "BUILDPLATFORM=linux/$HOSTARCH")
# The build stage gets a tag too, so that the pruning at the end keeps it:
# a second run with the same sources then builds from the layer cache.
build_image() {
	"${BUILD[@]}" --platform "linux/$HOSTARCH" -t "$IMAGE" . >/dev/null &&
		"${BUILD[@]}" --platform "linux/$HOSTARCH" --target build -t "$IMAGE-build" . >/dev/null
}
step "podman build --platform linux/$HOSTARCH" build_image || die "podman build of the Dockerfile failed"
# The image's size, measured here rather than written in the docs
# (docs/container.md points here).
SIZE=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $((SIZE / 1000000)) MB ($SIZE bytes)"

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# run NAME WANT_RC CMD...: run CMD, its output in $W/NAME.out and .err;
# true when it exits WANT_RC.
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$W/$name.out" 2>"$W/$name.err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		return 0
	fi
	fail "$name: exit status $rc, want $want: $*"
	sed 's/^/        /' "$W/$name.err" | head -n 5
	return 1
}
# has NAME FILE REGEX: FILE ($W/NAME.out or .err) has a line matching REGEX.
has() {
	if grep -Eq -- "$3" "$W/$1.$2"; then return 0; fi
	fail "$1: no line matching '$3' in its std$2:"
	sed 's/^/        /' "$W/$1.$2" | head -n 8
	return 1
}
lines() { grep -c . "$W/$1.$2"; }

FALLBACK='^> No CUDA GPU available \(.+\); running on the CPU$'
NOGPU='^Error: no usable CUDA GPU \(.+\); .*--gpus=all'
REPORT='^[0-9]+ bodies, total time for 10 iterations: [0-9]+\.[0-9]{3} ms$'
GIPS='^= [0-9]+\.[0-9]{3} billion interactions per second$'

check_image() {
	local r=(podman run --rm $NETNONE "$IMAGE") f

	f=$(podman image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{.Architecture}}' "$IMAGE")
	if [[ $f == "10001:10001|"@(null|\[\])"|[\"nbody\",\"-benchmark\"]|$HOSTARCH" ]]; then
		pass "config: user 10001:10001, no entrypoint, CMD [nbody -benchmark], $HOSTARCH"
	else fail "config: $f"; fi
	if run id 0 "${r[@]}" id -u && [ "$(cat "$W/id.out")" = 10001 ]; then
		pass "the container runs as uid 10001"
	else fail "id -u in the container: $(cat "$W/id.out" 2>/dev/null)"; fi
	if run env 0 "${r[@]}" printenv NVIDIA_VISIBLE_DEVICES NVIDIA_DRIVER_CAPABILITIES &&
		[ "$(tr '\n' ' ' <"$W/env.out")" = "all compute,utility " ]; then
		pass "NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility"
	else fail "NVIDIA variables: $(tr '\n' ' ' <"$W/env.out")"; fi
	if run ca 1 "${r[@]}" test -e /etc/ssl/certs/ca-certificates.crt; then
		pass "no CA bundle in the image (the build's was mounted, not copied)"
	fi

	# The Docker guide's check, without --gpus: exit 1, one line, what to check.
	if run guide 1 "${r[@]}" nbody -gpu -benchmark && has guide err "$NOGPU" &&
		[ "$(lines guide err)" = 1 ] && ! grep -q 'billion interactions' "$W/guide.out"; then
		pass "nbody -gpu -benchmark: exit 1, $(cut -c1-90 "$W/guide.err")..."
	fi
	for f in -device=0 -numdevices=1 -hostmem; do
		if run "flag$f" 1 "${r[@]}" nbody -benchmark -numbodies=1024 "$f" && has "flag$f" err "no usable CUDA GPU"; then
			pass "nbody -benchmark $f: exit 1, no usable CUDA GPU"
		fi
	done

	# The default command: the CPU, said on stderr, and the report.
	if run default 0 "${r[@]}" && has default err "$FALLBACK" && [ "$(lines default err)" = 1 ] &&
		has default out '^> Simulation with CPU$' && has default out "$REPORT" && has default out "$GIPS"; then
		pass "default command (nbody -benchmark): exit 0, CPU fallback line, $(grep -E "$REPORT" "$W/default.out")"
	fi
	if run compare 0 "${r[@]}" nbody -compare && has compare out '^  OK$' && has compare out ': PASS$'; then
		pass "nbody -compare: exit 0, OK ($(grep -Eo 'CPU \([^)]*\)' "$W/compare.out" | head -n1))"
	fi
	if run help 0 "${r[@]}" nbody -help && has help out '^> Command line options$' && has help out '-benchmark'; then
		pass "nbody -help: exit 0, the options"
	fi

	# A tipsy round trip through a mounted folder, written by uid 10001.
	mkdir -m 0777 "$W/data"
	if run tipsy-out 0 podman run --rm $NETNONE -v "$W/data:/data" "$IMAGE" \
		nbody -benchmark -numbodies=1024 -output=/data/a.bin &&
		[ "$(stat -c %s:%u "$W/data/a.bin")" = "$((32 + 36 * 1024)):10001" ] &&
		run tipsy-in 0 podman run --rm $NETNONE -v "$W/data:/data:ro" "$IMAGE" \
			nbody -benchmark -tipsy=/data/a.bin &&
		has tipsy-in out '^Trying to read file: /data/a.bin$' && has tipsy-in err '^Read 1024 bodies$' &&
		has tipsy-in out '^1024 bodies, total time'; then
		pass "tipsy round trip: -output=/data/a.bin (36896 bytes, uid 10001), -tipsy=/data/a.bin read 1024 bodies"
	elif [ -e "$W/data/a.bin" ]; then
		fail "tipsy round trip: $(stat -c '%s bytes, uid %u' "$W/data/a.bin")"
	fi
}
step "checks in the image (podman run $NETNONE, no GPU)" check_image

# ---- the NCCL image of docs/nccl.Dockerfile, on a stand-in for trixie ------

# The official debian:trixie-slim keeps its sources as deb822 in
# debian.sources, which the recipe edits to add contrib: so does the
# stand-in.
TRIXIE_MIRRORS=("deb http://deb.debian.org/debian trixie main"
	"deb http://deb.debian.org/debian trixie-updates main"
	"deb http://deb.debian.org/debian-security trixie-security main")
make_trixie() {
	local sources='Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
	"${MMDEBSTRAP[@]}" \
		--customize-hook="rm -f \"\$1/etc/apt/sources.list\" && printf '%s\n' '$sources' >\"\$1/etc/apt/sources.list.d/debian.sources\"" \
		trixie - "${TRIXIE_MIRRORS[@]}" |
		podman import --quiet --change 'CMD ["bash"]' - "$1" >/dev/null
}

build_nccl() {
	podman build --quiet --pull=never --network=host --build-arg "NBODY_IMAGE=$IMAGE" \
		-f docs/nccl.Dockerfile -t "$IMAGE-nccl" docs >/dev/null
}

check_nccl() {
	local r=(podman run --rm $NETNONE "$IMAGE-nccl") lib
	if run nccl-id 0 "${r[@]}" id -u && [ "$(cat "$W/nccl-id.out")" = 10001 ]; then
		pass "NCCL image: runs as uid 10001"
	else fail "NCCL image: id -u: $(cat "$W/nccl-id.out" 2>/dev/null)"; fi
	# On the loader's path, and every library it needs found: what
	# nbody's dlopen of libnccl.so.2 needs, short of a GPU.
	if run nccl-ldconfig 0 "${r[@]}" sh -c 'ldconfig -p | grep -F libnccl.so.2' &&
		lib=$(grep -Eo '/[^ ]+/libnccl\.so\.2$' "$W/nccl-ldconfig.out" | head -n1) && [ -n "$lib" ] &&
		run nccl-ld 0 "${r[@]}" /lib64/ld-linux-x86-64.so.2 --list "$lib" &&
		! grep -q 'not found' "$W/nccl-ld.out"; then
		pass "NCCL image: $lib on the loader's path, its libraries found"
	else fail "NCCL image: libnccl.so.2 missing or unloadable: $(head -c 300 "$W/nccl-ld.out" "$W/nccl-ldconfig.out" 2>/dev/null)"; fi
	if run nccl-bench 0 "${r[@]}" nbody -benchmark -numbodies=1024 && has nccl-bench err "$FALLBACK" &&
		has nccl-bench out '^1024 bodies, total time'; then
		pass "NCCL image: nbody -benchmark runs on its C library (CPU fallback, exit 0)"
	fi
	SIZE=$(podman image inspect --format '{{.Size}}' "$IMAGE-nccl")
	echo "image $IMAGE-nccl: $((SIZE / 1000000)) MB ($SIZE bytes)"
}

if step "base image debian:trixie-slim" base debian:trixie-slim make_trixie "${TRIXIE_MIRRORS[*]}" &&
	step "podman build -f docs/nccl.Dockerfile (libnccl2 from trixie's contrib)" build_nccl; then
	step "checks of the NCCL image" check_nccl
else
	fail "NCCL image: no trixie stand-in or the build of docs/nccl.Dockerfile failed"
fi

# ---- arm64: the Dockerfile's build stage for linux/arm64, run under qemu ---

SYSROOT=
make_sysroot() {
	local key
	key=$(printf '%s\n' "$SUITE" "${MIRRORS[@]}" | sha256sum | cut -c1-16)
	SYSROOT=$CACHE/sysroot-arm64-$key
	if [ -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ]; then
		echo "have $SYSROOT"
		return 0
	fi
	rm -rf "$SYSROOT.tmp"
	mmdebstrap --quiet --variant=extract --arch=arm64 --include=libc6 "$SUITE" "$SYSROOT.tmp" "${MIRRORS[@]}" &&
		mv "$SYSROOT.tmp" "$SYSROOT" && echo "made $SYSROOT (libc6:arm64, unpacked)"
}

BIN64=$W/nbody-linux-arm64
build_arm64() {
	local c
	# podman warns that the stage's image is not of the platform asked for:
	# it is the build platform's, as FROM --platform=$BUILDPLATFORM says.
	"${BUILD[@]}" --platform linux/arm64 --target build -t "$IMAGE-arm64-build" . >/dev/null || return 1
	c=$(podman create "$IMAGE-arm64-build" true) || return 1
	podman cp "$c:/src/bin/nbody" "$BIN64"
	local rc=$?
	podman rm "$c" >/dev/null
	return $rc
}

check_arm64() {
	local q=(qemu-aarch64-static -L "$SYSROOT" "$BIN64")
	# ELF e_machine 183 (0xb7) is AArch64.
	if [ "$(od -An -tu2 -j18 -N2 "$BIN64" | tr -d ' ')" = 183 ]; then
		pass "the build stage made an AArch64 ELF ($(stat -c %s "$BIN64") bytes)"
	else fail "the build stage's binary is not AArch64"; fi
	if run q-bench 0 "${q[@]}" -benchmark -numbodies=2048 && has q-bench err "$FALLBACK" &&
		[ "$(lines q-bench err)" = 1 ] && has q-bench out "$REPORT" && has q-bench out "$GIPS"; then
		pass "qemu: -benchmark: exit 0, CPU fallback line, $(grep -E "$REPORT" "$W/q-bench.out")"
	fi
	if run q-compare 0 "${q[@]}" -compare && has q-compare out '^  OK$' && has q-compare out 'CPU \(scalar, ' &&
		has q-compare out ': PASS$'; then
		pass "qemu: -compare: exit 0, OK ($(grep -Eo 'CPU \([^)]*\)' "$W/q-compare.out" | head -n1), the portable path)"
	fi
	mkdir "$W/q-data"
	if run q-tipsy-out 0 "${q[@]}" -benchmark -numbodies=1024 -output="$W/q-data/a.bin" &&
		[ "$(stat -c %s "$W/q-data/a.bin")" = $((32 + 36 * 1024)) ] &&
		run q-tipsy-in 0 "${q[@]}" -benchmark -tipsy="$W/q-data/a.bin" &&
		has q-tipsy-in err '^Read 1024 bodies$' && has q-tipsy-in out '^1024 bodies, total time'; then
		pass "qemu: tipsy round trip: -output then -tipsy, 1024 bodies"
	fi
	if run q-gpu 1 "${q[@]}" -gpu -benchmark && has q-gpu err "$NOGPU"; then
		pass "qemu: -gpu -benchmark: exit 1, no usable CUDA GPU"
	fi
}

if step "arm64 sysroot (libc6:arm64 for qemu's -L)" make_sysroot &&
	step "podman build --platform linux/arm64 --target build (cross-compiled)" build_arm64; then
	step "checks of the arm64 binary under qemu-aarch64-static" check_arm64
else
	fail "arm64: no sysroot or no binary"
fi

# What earlier runs built from other sources has no tag now: it goes.
podman image prune --force >/dev/null
echo "podman storage: $(du -sh "$STORE" | cut -f1) in $STORE; the image by hand:"
echo "  CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF podman run --rm $NETNONE $IMAGE"

echo "test-container: $(secs "$T_START") s in all"
if [ "$FAILS" != 0 ]; then
	echo "test-container: FAIL ($FAILS checks)"
	exit 1
fi
echo "test-container: PASS"
