package cpu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// printPathEnv makes TestPathFollowsCPUFeatures, run as a child
// process, report what New chose instead of testing.
const printPathEnv = "NBODY_CPU_PRINT_PATH"

// The path is chosen from the CPU's features when the program runs: with
// AVX-512 masked off (GODEBUG=cpu.avx512f=off, which Go's runtime honours
// when it reads the CPU's features) New takes AVX2, and with AVX2 off
// too, the scalar loop, and each still computes correct accelerations.
func TestPathFollowsCPUFeatures(t *testing.T) {
	if os.Getenv(printPathEnv) == "1" {
		in := New(nbody.Single, nbody.Physics{Softening: 0.1, Damping: 1})
		defer in.Close()
		b, err := nbody.Generate(nbody.Random, 100, nbody.DefaultParams(100), 3)
		require.NoError(t, err)
		got, err := nbody.Accelerations(context.Background(), in, b)
		require.NoError(t, err)
		fmt.Printf("chose %q, error %.3g\n", in.Name(), nbody.RelativeL2(got, nbody.ReferenceAccelerations(b.Pos, 0.1)))
		return
	}
	if !pathSupported(pathAVX512) {
		t.Skipf("needs a CPU and build with AVX-512 to mask features off: %s", unsupportedReason(pathAVX512))
	}
	for _, c := range []struct {
		godebug string
		want    simdPath
	}{
		{"", pathAVX512},
		{"cpu.avx512f=off", pathAVX2},
		{"cpu.avx512f=off,cpu.avx2=off", pathScalar},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPathFollowsCPUFeatures$", "-test.v")
		cmd.Env = append(os.Environ(), printPathEnv+"=1", "GODEBUG="+c.godebug)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), fmt.Sprintf(`chose "CPU (%s, float32,`, c.want), "GODEBUG=%s", c.godebug)
		assert.Regexp(t, `error [0-9.]+e-0[6-9]`, string(out), "GODEBUG=%s", c.godebug)
	}
}
