package nbody

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// GOMAXPROCS far above the cores does not make the reference start that
// many goroutines to take turns on the same cores; below them it still
// limits them.
func TestUsableCPUsBoundedByCPUsAndGOMAXPROCS(t *testing.T) {
	cpus := runtime.NumCPU()
	prev := runtime.GOMAXPROCS(4 * cpus)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
	assert.Equal(t, cpus, UsableCPUs())
	assert.Equal(t, cpus, NewReference(Physics{Softening: 0.1, Damping: 1}).workers)
	runtime.GOMAXPROCS(1)
	assert.Equal(t, 1, UsableCPUs())
}
