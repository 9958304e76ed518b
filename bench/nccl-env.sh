# Sourced by the GPU scripts (bench/gpu-check.sh, multi-gpu.sh, multi-process.sh,
# validate-cluster-gpu.sh): the NCCL settings of
# our GPU machines.
# NVLink multicast stays off on these machines (nbody sets it too, when unset).
export NCCL_NVLS_ENABLE=0
# pip's NCCL lives inside Python's site-packages, where the loader does not look.
if [ -z "$NBODY_NCCL_LIBRARY" ]; then
	d=$(python3 -c 'import nvidia.nccl as m; print(list(m.__path__)[0])' 2>/dev/null)
	[ -n "$d" ] && [ -f "$d/lib/libnccl.so.2" ] && export NBODY_NCCL_LIBRARY="$d/lib/libnccl.so.2"
fi
if [ -z "$NBODY_NCCL_LIBRARY" ] && ! ldconfig -p 2>/dev/null | grep -q libnccl.so.2; then
	f=$(find /usr /opt /root -name libnccl.so.2 2>/dev/null | head -1)
	[ -n "$f" ] && export NBODY_NCCL_LIBRARY="$f"
fi
