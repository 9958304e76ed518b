# nbody-go in a container: `docker run --rm -it --gpus=all IMAGE nbody -gpu -benchmark`.
#
# The binary needs no CUDA toolkit to build (the PTX kernels are embedded) and
# opens the NVIDIA driver's libcuda.so.1 at run time, which the NVIDIA
# Container Toolkit mounts into the container when it is started with --gpus.
# Without --gpus it runs on the CPU and says why.
#
# Both architectures from one command, without an emulator:
#   docker buildx build --platform linux/amd64,linux/arm64 -t IMAGE .
# The build stage runs on the builder's own platform and cross-compiles for
# the image's (Go needs no C toolchain for that); the runtime stage runs no
# command, so nothing of the target architecture is ever executed.

# Build stage: the same command as `make build`, for the target architecture
# (on amd64 the vectorized build, on arm64 the portable one).
# BUILDPLATFORM is declared before the first FROM for Docker's classic builder,
# which reads build arguments there only when declared (make docker passes the
# daemon's platform); BuildKit sets it, and TARGETARCH, itself.
ARG BUILDPLATFORM
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build GOARCH=$TARGETARCH

# Runtime stage: glibc and its dynamic loader (the binary uses them to open
# libcuda.so.1), the binary, and nothing else.
FROM debian:bookworm-slim
COPY --from=build /src/bin/nbody /usr/local/bin/nbody
# An unprivileged user by number: no useradd, which would have to run in the
# target architecture, and Kubernetes' runAsNonRoot can check a number.
USER 10001:10001
# Ask the NVIDIA container runtime for every GPU and for the driver's compute
# library (libcuda) and nvidia-smi.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# No ENTRYPOINT: `docker run IMAGE nbody -gpu -benchmark` must run exactly
# that command line, as with the CUDA sample's image.
CMD ["nbody", "-benchmark"]
