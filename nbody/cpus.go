package nbody

import "runtime"

// UsableCPUs is the number of CPUs the process may run on at once,
// min(GOMAXPROCS, NumCPU): how many goroutines the CPU integrators and the
// O(N²) measures share their work among. GOMAXPROCS alone can be set far
// above the cores (GOMAXPROCS=1000 on two of them), and extra goroutines
// would only take turns on the same cores; runtime.NumCPU respects the
// affinity mask on Linux, so taskset and cpusets bound it too.
func UsableCPUs() int {
	return max(1, min(runtime.GOMAXPROCS(0), runtime.NumCPU()))
}
