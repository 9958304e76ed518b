package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The image is checked here statically: what the Dockerfile asks for, read
// instruction by instruction, and the binary run the way the image runs it.
// `make test-container` builds the image with podman and runs it
// (.ci/test-container.sh).

// instruction is one Dockerfile instruction with its continuation lines
// joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ENV, ...
	args string
}

// stage is one build stage: its FROM line and what follows it.
type stage struct {
	from     string // the image and what follows it (AS name)
	platform string // FROM's --platform=, if any
	instr    []instruction
}

// parseDockerfile returns the file's stages and the ARGs declared before
// the first FROM, the only instruction allowed there.
func parseDockerfile(t *testing.T, path string) (stages []stage, globalArgs []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var logical strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if logical.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			logical.WriteString(rest + " ")
			continue
		}
		logical.WriteString(line)
		cmd, args, _ := strings.Cut(logical.String(), " ")
		logical.Reset()
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			st := stage{from: in.args}
			if p, ok := strings.CutPrefix(st.from, "--platform="); ok {
				st.platform, st.from, _ = strings.Cut(p, " ")
				st.from = strings.TrimSpace(st.from)
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			require.Equal(t, "ARG", in.cmd, "only ARG may come before the first FROM")
			globalArgs = append(globalArgs, in.args)
			continue
		}
		stages[len(stages)-1].instr = append(stages[len(stages)-1].instr, in)
	}
	require.NoError(t, sc.Err())
	return stages, globalArgs
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.instr {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// makeBuildCommand is what `make build VARS...` runs, variables expanded.
func makeBuildCommand(t *testing.T, vars ...string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed, so `make build` cannot be expanded here")
	}
	args := append([]string{"-s", "-n", "-C", filepath.Join("..", ".."), "build"}, vars...)
	cmd := exec.Command("make", args...)
	cmd.Env = append(os.Environ(), "GOARCH=") // what make picks, not what this test runs under
	out, err := cmd.Output()
	require.NoError(t, err, "make -n build %v", vars)
	return strings.TrimSpace(string(out))
}

func TestDockerfile(t *testing.T) {
	stages, globalArgs := parseDockerfile(t, filepath.Join("..", "..", "Dockerfile"))
	require.GreaterOrEqual(t, len(stages), 2, "a multi-stage build")
	assert.Contains(t, globalArgs, "BUILDPLATFORM",
		"declared before FROM, so that Docker's classic builder takes it from make docker's --build-arg")
	build, runtime := stages[0], stages[len(stages)-1]

	t.Run("build stage", func(t *testing.T) {
		assert.Regexp(t, `^golang:1\.26\b`, build.from, "Go 1.26 builds it")
		assert.Equal(t, "$BUILDPLATFORM", build.platform,
			"the build stage runs on the builder's platform and cross-compiles for the image's")
		assert.Contains(t, build.all("ARG"), "TARGETARCH", "the image's architecture reaches the build")
		assert.Contains(t, build.all("RUN"), "make build GOARCH=$TARGETARCH",
			"it builds with `make build` for the image's architecture, whose recipe is %q", makeBuildCommand(t))
		for _, arch := range []string{"amd64", "arm64"} {
			recipe := makeBuildCommand(t, "GOARCH="+arch)
			assert.Contains(t, recipe, "CGO_ENABLED=0", "no cgo, so no CUDA toolkit or C compiler")
			assert.Contains(t, recipe, "-o bin/nbody ", "the binary the runtime stage copies")
			if arch == "amd64" {
				assert.Contains(t, recipe, "GOEXPERIMENT=simd", "the vectorized CPU path on amd64")
				// The simd build's runtime leaves the vector registers dirty
				// after a preemption, and scalar math then runs up to 200
				// times slower on Intel (bench/NOTES.md): the binary must
				// default to no asynchronous preemption.
				assert.Contains(t, recipe, "runtime.godebugDefault=asyncpreemptoff=1", "with its remedy")
			} else {
				assert.Contains(t, recipe, "GOARCH=arm64")
				assert.NotContains(t, recipe, "GOEXPERIMENT", "the simd experiment is for amd64")
			}
		}
		for _, run := range build.all("RUN") {
			assert.NotContains(t, run, "nvcc", "the PTX is embedded; the build needs no CUDA toolkit")
		}
	})

	t.Run("runtime stage", func(t *testing.T) {
		assert.NotRegexp(t, `^(scratch|.*alpine)`, runtime.from,
			"glibc's dynamic loader opens libcuda.so.1, so no scratch or musl image")
		assert.Empty(t, runtime.platform, "the runtime stage is of the image's platform")
		assert.Empty(t, runtime.all("RUN"),
			"nothing runs in the target architecture, so an arm64 image builds on amd64 without an emulator")
		var binOnPath bool
		for _, c := range runtime.all("COPY") {
			if strings.Contains(c, "--from=") && strings.HasSuffix(c, "/usr/local/bin/nbody") {
				binOnPath = true
			}
		}
		assert.True(t, binOnPath, "the binary lands on PATH as nbody")

		env := strings.Join(runtime.all("ENV"), " ")
		assert.Regexp(t, `NVIDIA_VISIBLE_DEVICES=all\b`, env)
		assert.Regexp(t, `NVIDIA_DRIVER_CAPABILITIES=compute,utility\b`, env)

		users := runtime.all("USER")
		require.NotEmpty(t, users, "a USER instruction")
		assert.Regexp(t, `^[1-9][0-9]*(:[0-9]+)?$`, users[len(users)-1],
			"the image runs as a user given by a number other than 0: no useradd needed, and runAsNonRoot can check it")

		assert.Empty(t, runtime.all("ENTRYPOINT"),
			"no ENTRYPOINT: `docker run IMAGE nbody -gpu -benchmark` must not become `nbody nbody ...`")
		cmds := runtime.all("CMD")
		require.Len(t, cmds, 1, "one CMD")
		var argv []string
		require.NoError(t, json.Unmarshal([]byte(cmds[0]), &argv), "CMD in exec form")
		require.NotEmpty(t, argv)
		assert.Equal(t, "nbody", argv[0])
		assert.Contains(t, argv[1:], "-benchmark", "the default command runs the benchmark")
	})

	t.Run("dockerignore", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^\.git$`, string(data), "the repository's history stays out of the context")
		for _, kept := range []string{"go.mod", "Makefile", "cmd", "nbody", "kernels"} {
			assert.NotRegexp(t, `(?m)^`+regexp.QuoteMeta(kept)+`/?$`, string(data), "%s is needed by make build", kept)
		}
	})
}

// asTheImage runs the binary with args as `docker run IMAGE nbody ARGS`
// would without --gpus: a clean environment holding only what the image
// sets, and no usable GPU.
func asTheImage(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NVIDIA_VISIBLE_DEVICES=all",
		"NVIDIA_DRIVER_CAPABILITIES=compute,utility", "HOME=/"} // the user has no passwd entry
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run() // the exit status is returned
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// The image's default command without --gpus says why the GPU is not used
// and runs on the CPU; the GPU guide's `nbody -gpu -benchmark` asks for a
// GPU, so without one it fails and says what to check.
func TestRunsAsTheImageWithoutGPU(t *testing.T) {
	if !gpuAbsent() {
		t.Skip("a GPU is usable here, so the fallback cannot be seen")
	}
	out, errs, code := asTheImage(t, "-benchmark", "-numbodies=512")
	require.Equal(t, 0, code, "stderr: %s", errs)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	require.Len(t, lines, 1, "only the fallback line on stderr")
	assert.Regexp(t, fallbackRe, lines[0])
	assert.Regexp(t, `(?m)^512 bodies, total time for 10 iterations: \d+\.\d{3} ms$`, out)
	assert.Regexp(t, `(?m)^= \d+\.\d{3} billion interactions per second$`, out)

	out, errs, code = asTheImage(t, "-gpu", "-benchmark", "-numbodies=512")
	assert.Equal(t, 1, code, "the guide's check must fail without a GPU; stderr: %s", errs)
	lines = strings.Split(strings.TrimSpace(errs), "\n")
	require.Len(t, lines, 1, "one line: %q", errs)
	assert.Contains(t, lines[0], "no usable CUDA GPU")
	assert.Contains(t, lines[0], "--gpus=all")
	assert.NotContains(t, out, "billion interactions", "no CPU figures stand in for the GPU's")
}

// The NCCL image's recipe (docs/nccl.Dockerfile, built by `make
// test-container`) installs with apt-get, which needs root, and hands the
// image back to the unprivileged user the project's image runs as. Its first
// form ran apt-get on top of the project's image, as user 10001, and could
// not build.
func TestNCCLDockerfileUsers(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "nccl.Dockerfile"))
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	user, stages, aptRuns := "", 0, 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		switch strings.ToUpper(cmd) {
		case "FROM":
			user, stages = "", stages+1 // the base image's user, unknown here
		case "USER":
			user = strings.TrimSpace(args)
		case "RUN":
			if strings.Contains(args, "apt-get") {
				aptRuns++
				assert.Equal(t, "root", user, "apt-get runs as root: %s", args)
			}
		}
	}
	assert.Equal(t, 2, stages, "the project's image as a stage, and the NCCL image")
	assert.Equal(t, 1, aptRuns, "NCCL is installed with apt-get")
	assert.Equal(t, "10001:10001", user, "the image runs as the project image's user")
}
