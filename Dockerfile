# nbody-go in a container: `docker run --rm -it --gpus=all IMAGE nbody -gpu -benchmark`.
#
# The binary needs no CUDA toolkit to build (the PTX kernels are embedded) and
# opens the NVIDIA driver's libcuda.so.1 at run time, which the NVIDIA
# Container Toolkit mounts into the container when it is started with --gpus.
# Without --gpus it runs on the CPU and says why.

# Build stage: the same command as `make build`.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build

# Runtime stage: glibc and its dynamic loader (the binary uses them to open
# libcuda.so.1), the binary, and nothing else.
FROM debian:bookworm-slim
COPY --from=build /src/bin/nbody /usr/local/bin/nbody
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin nbody
USER nbody
# Ask the NVIDIA container runtime for every GPU and for the driver's compute
# library (libcuda) and nvidia-smi.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# No ENTRYPOINT: `docker run IMAGE nbody -gpu -benchmark` must run exactly
# that command line, as with the CUDA sample's image.
CMD ["nbody", "-benchmark"]
