package render

import (
	"fmt"
	"testing"

	"github.com/nbody-go/nbody/nbody"
	"github.com/stretchr/testify/require"
)

// BenchmarkRender draws one frame of the sample's window (720×480) for 256
// and 1024 bodies: the splats, then a tone map that calls math.Exp for
// every channel of every pixel, the loop that runs a hundred times slower
// over a dirty upper vector state on Intel (bench/NOTES.md).
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{256, 1024} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			p := nbody.DefaultParams(n)
			bodies, err := nbody.Generate(nbody.Shell, n, p, 1)
			require.NoError(b, err)
			r, err := New(WindowWidth, WindowHeight, p)
			require.NoError(b, err)
			for b.Loop() {
				r.Render(bodies)
			}
		})
	}
}
