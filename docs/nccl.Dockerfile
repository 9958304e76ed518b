# The project's image with NCCL, for one simulation over several processes
# (-ranks) in containers, as docs/multiprocess-job.yaml runs it:
#
#   make docker                                          # the image nbody-go
#   docker build -f docs/nccl.Dockerfile -t nbody-go-nccl docs
#
# The NVIDIA driver that the Container Toolkit mounts has no NCCL, and the
# project's image holds none. NCCL (libnccl2) is in the contrib section of
# Debian 13 (trixie), not in Debian 12 (bookworm), the project image's base,
# and trixie's libnccl.so.2 needs trixie's C library (symbols of glibc 2.38),
# so this image is Debian 13 slim with NCCL, and the project image's binary
# copied in: built without cgo, it needs only a C library and its loader.
# NCCL goes on the loader's path, where nbody finds it without
# NBODY_NCCL_LIBRARY. `make test-container` builds this file and checks it.
#
# NBODY_IMAGE: the project's image to take the binary from.
ARG NBODY_IMAGE=nbody-go
FROM ${NBODY_IMAGE} AS nbody

FROM debian:trixie-slim
# apt-get needs root, which the base image is; the image then runs as the
# project image's unprivileged user.
USER root
ARG DEBIAN_FRONTEND=noninteractive
RUN sed -i 's/^Components: main$/Components: main contrib/' /etc/apt/sources.list.d/debian.sources && \
    apt-get update && \
    apt-get install -y --no-install-recommends libnccl2 && \
    rm -rf /var/lib/apt/lists/*
COPY --from=nbody /usr/local/bin/nbody /usr/local/bin/nbody
USER 10001:10001
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
CMD ["nbody", "-benchmark"]
