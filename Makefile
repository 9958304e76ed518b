# nbody-go: the two commands a new user runs are `make run` and `make test`.
# Nothing here needs a GPU or the CUDA toolkit: the kernels (PTX and cubins)
# are committed and embedded, and the driver is loaded when the program runs.

GO    ?= go
BIN   := bin/nbody
IMAGE ?= nbody-go

# CGO_ENABLED=0: a binary built without cgo that starts on machines without
# the NVIDIA driver; it is linked dynamically against the C library alone, so
# that it can open libcuda.so.1 at run time (dlopen, through purego).
# GOEXPERIMENT=simd: the vectorized CPU path (simd/archsimd); a plain build
# gets the portable scalar twin.
SIMD := CGO_ENABLED=0 GOEXPERIMENT=simd
PLAIN := CGO_ENABLED=0

# asyncpreemptoff=1 for what the simd experiment builds: its runtime's
# asynchronous preemption restores all 512 bits of the vector registers and
# leaves them dirty, over which scalar math (math.Exp in the renderer) runs
# ten to a hundred times slower on Intel (bench/NOTES.md). The binary gets it
# as its default GODEBUG at link time, where `//go:debug asyncpreemptoff=1`
# would put it, had the go command accepted that setting (it accepts only
# those of its own table); a GODEBUG in the environment still overrides it,
# and -X replaces the go command's own default, which is empty for this
# module today. The tests get it from the environment, which also reaches
# the binaries they build and run.
NOPREEMPT_LDFLAGS := -ldflags=-X=runtime.godebugDefault=asyncpreemptoff=1
NOPREEMPT_ENV := GODEBUG=asyncpreemptoff=1

# The architecture `make build` builds for: GOARCH from the command line
# (`make build GOARCH=arm64`, as the Dockerfile does for the image's platform)
# or the environment, else the Go toolchain's own. The simd experiment and the
# asyncpreemptoff remedy are for amd64: on other architectures the CPU path is
# the portable one either way, so they get a plain build.
ARCH := $(or $(GOARCH),$(shell $(GO) env GOARCH))
ifeq ($(ARCH),amd64)
BUILD := $(SIMD) $(GO) build $(NOPREEMPT_LDFLAGS)
else
BUILD := $(PLAIN) GOARCH=$(ARCH) $(GO) build
endif

.PHONY: all build build-arm64 run test test-container kernels ptx bench-cpu chart fuzz fmt lint docker clean

all: build

## build: the nbody binary into bin/nbody (on amd64 vectorized; GOARCH=arm64 for another architecture)
build:
	$(BUILD) -o $(BIN) ./cmd/nbody

## build-arm64: the binary for 64-bit Arm Linux into bin/nbody-linux-arm64 (the portable CPU path)
build-arm64:
	@GOOS=linux $(MAKE) --no-print-directory build GOARCH=arm64 BIN=bin/nbody-linux-arm64

## run: build, then the benchmark with the sample's defaults (GPU, or CPU when none)
run: build
	$(BIN) -benchmark

## test: vet and test everything, with the simd experiment and without it
test:
	$(SIMD) $(GO) vet ./...
	$(SIMD) $(NOPREEMPT_ENV) $(GO) test ./...
	$(PLAIN) $(GO) vet ./...
	$(PLAIN) $(GO) test ./...

## kernels: regenerate the committed PTX and cubins from kernels/nbody.cu (needs nvcc 11.8)
kernels:
	sh kernels/genptx.sh

## ptx: the old name of kernels
ptx: kernels

## bench-cpu: the CPU benchmark beside the C peers on the same cores
bench-cpu:
	sh bench/cpu-bench.sh

## chart: redraw docs/speed.png (GI/s against N, ours beside the sample) from bench/data
chart:
	$(PLAIN) $(GO) run ./bench/chart -o docs/speed.png bench/data

## fuzz: a minute of fuzzing the tipsy reader
fuzz:
	$(SIMD) $(NOPREEMPT_ENV) $(GO) test -run='^$$' -fuzz=FuzzRead -fuzztime=60s ./nbody/tipsy/

## fmt: gofmt every Go file in place
fmt:
	gofmt -w .

## lint: fail on unformatted files, then go vet (both build flavours)
lint:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(SIMD) $(GO) vet ./...
	$(PLAIN) $(GO) vet ./...

## docker: the container image (see docs/container.md)
# The Dockerfile's platform arguments are given the daemon's own platform, for
# Docker's classic builder (Debian 12's docker.io 20.10 without buildx), which
# does not set them; BuildKit sets the same values itself. Where the daemon does
# not say (podman as docker), the machine's own.
DOCKER_PLATFORM = $(or $(shell docker version --format '{{.Server.Os}}/{{.Server.Arch}}' 2>/dev/null),linux/$(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(shell uname -m))))
docker:
	docker build --build-arg BUILDPLATFORM=$(DOCKER_PLATFORM) --build-arg TARGETARCH=$(notdir $(DOCKER_PLATFORM)) -t $(IMAGE) .

## test-container: build the image with podman and check it without a GPU, and the arm64 binary under qemu (as root on Debian; installs what it needs)
test-container:
	bash .ci/test-container.sh

clean:
	rm -rf bin
