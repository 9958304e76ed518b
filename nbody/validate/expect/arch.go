package expect

// lanes is what one multiprocessor of a compute capability does per clock,
// in operations (thread-lanes): the rows of NVIDIA's table "Throughput of
// Native Arithmetic Instructions (Number of Results per Clock Cycle per
// Multiprocessor)", section "Arithmetic Instructions" of the CUDA C++
// Programming Guide (12.x:
// https://docs.nvidia.com/cuda/archive/12.9.1/cuda-c-programming-guide/index.html#arithmetic-instructions;
// from CUDA 13 the table is in the CUDA C++ Best Practices Guide, 12.1.1,
// https://docs.nvidia.com/cuda/cuda-c-best-practices-guide/index.html#throughput-of-native-arithmetic-instructions),
// and the warp schedulers of the guide's per-architecture sections
// ("Compute Capability 5.x" to "12.0": "a multiprocessor consists of ...
// N warp schedulers"), each of which issues one warp instruction (32
// lanes) per clock.
type lanes struct {
	arch string
	// fp32 is the row "32-bit floating-point add, multiply, multiply-add".
	fp32 float64
	// fp64 is the row "64-bit floating-point add, multiply, multiply-add".
	fp64 float64
	// sfu is the row "32-bit floating-point reciprocal, reciprocal square
	// root, ...": the special-function unit that runs rsqrt.approx.
	sfu float64
	// issue is warp schedulers × 32 lanes. The dual dispatch of 5.x and
	// 6.x is not counted: that can only lower the prediction.
	issue float64
}

// byCapability holds every compute capability the model knows, keyed
// major*10+minor. One comment per row: architecture, compute capability,
// FP32 / FP64 / SFU lanes and schedulers, as the guide gives them.
// Capabilities not here (10.3's cut FP64, 11.0, anything newer than 12.0)
// get no expectation rather than a guess.
var byCapability = map[int]lanes{
	// Maxwell, 5.2: the guide's 5.0/5.2 column, 128 / 4 / 32 lanes,
	// 4 schedulers. (5.0 is left out: our PTX targets sm_52.)
	52: {"Maxwell", 128, 4, 32, 4 * 32},
	// Maxwell (Tegra X1), 5.3: 128 / 4 / 32, 4 schedulers.
	53: {"Maxwell", 128, 4, 32, 4 * 32},
	// Pascal GP100 (P100), 6.0: 64 / 32 / 16, 2 schedulers.
	60: {"Pascal", 64, 32, 16, 2 * 32},
	// Pascal GP10x (GeForce 10, P40, P4), 6.1: 128 / 4 / 32, 4 schedulers.
	61: {"Pascal", 128, 4, 32, 4 * 32},
	// Pascal (Tegra X2), 6.2: 128 / 4 / 32, 4 schedulers.
	62: {"Pascal", 128, 4, 32, 4 * 32},
	// Volta (V100), 7.0, and Xavier, 7.2: the guide's 7.x column,
	// 64 / 32 / 16, 4 schedulers.
	70: {"Volta", 64, 32, 16, 4 * 32},
	72: {"Volta", 64, 32, 16, 4 * 32},
	// Turing (T4, GeForce 20 and 16), 7.5: 64 / 2 / 16 (the 7.x column's
	// footnote: 2 FP64 results for 7.5), 4 schedulers.
	75: {"Turing", 64, 2, 16, 4 * 32},
	// Ampere GA100 (A100, A30), 8.0: 64 / 32 / 16, 4 schedulers.
	80: {"Ampere", 64, 32, 16, 4 * 32},
	// Ampere GA10x (GeForce 30, A10, A40, RTX A6000), 8.6: 128 / 2 / 16,
	// 4 schedulers.
	86: {"Ampere", 128, 2, 16, 4 * 32},
	// Ampere (Jetson Orin), 8.7: 128 / 2 / 16, 4 schedulers.
	87: {"Ampere", 128, 2, 16, 4 * 32},
	// Ada (GeForce 40, L4, L40S), 8.9: 128 / 2 / 16, 4 schedulers.
	89: {"Ada", 128, 2, 16, 4 * 32},
	// Hopper (H100, H200), 9.0: 128 / 64 / 16, 4 schedulers.
	90: {"Hopper", 128, 64, 16, 4 * 32},
	// Blackwell (B200), 10.0: 128 / 64 / 16 (the table's 10.0 column in
	// the 12.8 and later guides). Extrapolated: 4 schedulers, as on every
	// capability from 7.0 to 9.0.
	100: {"Blackwell", 128, 64, 16, 4 * 32},
	// Blackwell (GeForce 50, RTX PRO 6000), 12.0: 128 / 2 / 16 (the 12.0
	// column). Extrapolated: 4 schedulers, as above.
	120: {"Blackwell", 128, 2, 16, 4 * 32},
}
