#!/bin/bash
# A cluster's validation across real network boundaries: four nodes as
# containers on a private Docker network, each the cmd/nbody test binary as
# nbody with fake GPUs (cmd/nbody/fakegpu_test.go) under the environment of
# a 4-task srun step. In the middle of the run one node is killed and one
# cut off from the network: rank 0 must report both, by host name, within
# its bound (-duration + -node-timeout), and the others' verdicts stand;
# with -network, rank 0 says the network was not measured and why. Then
# four healthy nodes with -network and a fake NCCL of known bandwidths:
# every rank's figure crosses the network to rank 0, which reports the
# slowest as the world's, against -network-floor.
# Needs Docker with compose and no registry (the image is built FROM
# scratch here, with the binary and the host's loader and libc). Without
# Docker it says so and passes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
	echo "test-cluster: SKIP: no Docker daemon here"
	exit 0
fi
if docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null; then
	compose=(docker-compose)
else
	echo "test-cluster: SKIP: Docker has no compose"
	exit 0
fi

DURATION=6  # -duration, seconds
TIMEOUT=8   # -node-timeout, seconds
project="nbodycv$$"
dir=$(mktemp -d)
fail() { echo "test-cluster: FAIL: $*"; exit 1; }
cleanup() {
	"${compose[@]}" -p "$project" -f "$dir/compose.yml" down -v --remove-orphans >/dev/null 2>&1 || true
	"${compose[@]}" -p "${project}n" -f "$dir/network.yml" down -v --remove-orphans >/dev/null 2>&1 || true
	docker image rm "$project-node" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

echo "=== building the test binary and a FROM-scratch image"
mkdir -p "$dir/root"
CGO_ENABLED=0 go test -c -o "$dir/root/nbody.test" ./cmd/nbody
if file "$dir/root/nbody.test" | grep -q 'dynamically linked'; then
	# purego's loader: the binary opens libcuda through the host's dynamic
	# loader and libc, which go into the image at their own paths.
	for lib in $(ldd "$dir/root/nbody.test" | grep -o '/[^ ]*'); do
		mkdir -p "$dir/root$(dirname "$lib")"
		cp -L "$lib" "$dir/root$lib"
	done
fi
cat >"$dir/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
ENV NBODY_TEST_AS_NBODY=1
ENTRYPOINT ["/nbody.test"]
DOCKERFILE
out=$(docker build -q -t "$project-node" "$dir" 2>&1) || { echo "$out"; fail "docker build"; }

# compose_file COMMAND BUS...: the compose file of the four nodes, each
# running COMMAND (a JSON list) and, where given, its fake NCCL reaching
# bus bandwidth BUS[r] (GB/s) in -network's all-gather.
compose_file() {
	local command=$1
	shift
	echo 'version: "2.4"'
	echo 'networks:'
	echo '  private:'
	echo '    internal: true'
	echo 'services:'
	for r in 0 1 2 3; do
		cat <<SERVICE
  node$r:
    image: $project-node
    hostname: node$r
    networks: [private]
    command: $command
    environment:
      NBODY_TEST_FAKE_GPUS: "Fake H100:4,Fake H100:4"
      NBODY_TEST_FAKE_BUS: "${1:-}"
      SLURM_NTASKS: "4"
      SLURM_STEP_NUM_TASKS: "4"
      SLURM_PROCID: "$r"
      SLURM_LOCALID: "0"
      SLURM_NODEID: "$r"
      SLURM_STEP_NODELIST: "node[0-3]"
      SLURM_JOB_NODELIST: "node[0-3]"
      SLURM_STEP_TASKS_PER_NODE: "1(x4)"
      SLURM_JOB_ID: "4242"
      SLURM_STEP_ID: "0"
SERVICE
		shift || true
	done
}
compose_file '["-alldevices", "-network", "-numbodies=256", "-duration='"$DURATION"'s", "-node-timeout='"$TIMEOUT"'s"]' >"$dir/compose.yml"

echo "=== 4 nodes on a private network, -duration=${DURATION}s -node-timeout=${TIMEOUT}s"
"${compose[@]}" -p "$project" -f "$dir/compose.yml" up -d --no-color >/dev/null 2>&1 || fail "compose up"
id() { "${compose[@]}" -p "$project" -f "$dir/compose.yml" ps -q "$1"; }
net=$(docker network ls --format '{{.Name}}' | grep "^${project}_private$")
sleep 3
echo "=== mid-run: killing node2, cutting node3 off the network"
docker kill "$(id node2)" >/dev/null
docker network disconnect "$net" "$(id node3)"
start=$(date +%s)
code0=$(timeout 60 docker wait "$(id node0)") || fail "rank 0 did not end within 60 s"
waited=$(($(date +%s) - start))
report=$(docker logs "$(id node0)" 2>&1)
echo "--- rank 0 (node0), exit status $code0, $waited s after the faults:"
echo "$report" | grep '^> ' | grep -v '^> Compute\|^> Windowed\|^> Simulation\|^> Single\|Devices used'
echo "---"
for r in 1 3; do
	c=$(timeout 60 docker wait "$(id node$r)") || fail "node$r did not end within 60 s"
	echo "node$r: exit status $c; stderr: $(docker logs "$(id node$r)" 2>&1 | grep '^> ' | tr '\n' ' ')"
	eval "code$r=$c"
done

check() { # what, then a command that must succeed
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else fail "$what"; fi
}
has() { grep -qF -- "$1" <<<"$report"; }
check "rank 0 exits 1 (nodes failed)" test "$code0" = 1
check "node0's own verdict stands" has "> Node node0 (rank 0): 2 GPUs, 2 passed: PASS"
check "node1's verdict stands" has "> Node node1 (rank 1): 2 GPUs, 2 passed: PASS"
check "the killed node2 is a failed node, by host name" has "> Node node2 (rank 2): FAIL: its connection closed"
check "the cut-off node3 is a failed node, by host name" has "> Node node3 (rank 3): FAIL: "
check "the network is not measured without every rank" has "> Network: not measured: rank 2, 3 gave no validation, and every rank must take part: FAIL"
check "the cluster fails: 2 of 4 nodes" has "2 nodes passed, 2 failed; 4 GPUs, 4 passed, 0 failed; network failed: FAIL"
elapsed=$(grep -o 'Validated a cluster of 4 nodes in [0-9.]*s' <<<"$report" | grep -o '[0-9.]*s$' | tr -d s)
bound=$((DURATION + TIMEOUT))
check "rank 0 reported within its bound, ${bound} s (took ${elapsed} s)" awk -v e="$elapsed" -v b="$bound" 'BEGIN { exit !(e <= b + 1) }'
check "node1 exits 0: its GPUs passed" test "$code1" = 0
check "node3 ends on its own (its GPUs passed: 0)" test "$code3" = 0

echo "=== 4 healthy nodes with -network: the figures' round crosses the network"
compose_file '["-alldevices", "-network", "-network-floor=100", "-numbodies=256", "-i=3", "-node-timeout='"$TIMEOUT"'s"]' 200 150 190 200 >"$dir/network.yml"
"${compose[@]}" -p "${project}n" -f "$dir/network.yml" up -d --no-color >/dev/null 2>&1 || fail "compose up (network)"
nid() { "${compose[@]}" -p "${project}n" -f "$dir/network.yml" ps -q "$1"; }
ncode0=$(timeout 60 docker wait "$(nid node0)") || fail "rank 0 did not end within 60 s (network)"
report=$(docker logs "$(nid node0)" 2>&1)
echo "$report" | grep '^> Network\|^> Validated'
check "every rank's figure reached rank 0" has "> Network rank 2 (node2): all-gather of 64 MiB a rank, bus 190.0 GB/s"
check "the world's is the slowest rank's, above the floor" has "> Network of 4 ranks: all-gather bus bandwidth 150.0 GB/s (the slowest rank's), floor 100 GB/s: PASS"
check "rank 0 exits 0" test "$ncode0" = 0
echo "test-cluster: PASS"
