package expect

import "math"

// Instructions of one interaction, counted in the unrolled inner loop of
// the _t256 forces kernels of kernels/nbody_f32.ptx and nbody_f64.ptx
// (kernels/nbody.cu, interact). Per 128 fp32 interactions the PTX block
// holds 384 sub.f32, 768 fma.rn.f32, 384 mul.f32 and 128
// rsqrt.approx.ftz.f32; per 64 fp64 interactions 192 sub.f64, 576
// fma.rn.f64, 256 mul.f64, 64 rsqrt.approx.ftz.f32 and, for the rsqrt seed,
// 128 shl, 128 shr, 64 lop3, 64 mad.lo and 64 add (ptxas folds the movs and
// the neg.f64; bench/NOTES.md has the SASS, which agrees). The shared-memory
// loads (1/8 LDS.128 per fp32 interaction, 1/2 per fp64 one) and the loop
// counter are left to the efficiency below.
const (
	// fp32: 3 FADD (r = pj − pi), 3 FFMA (|r|² + ε²), 3 FMUL (m·inv·inv²),
	// 3 FFMA (a += r·s): 12 on the FP32 lanes, and 1 MUFU.RSQ on the
	// special-function unit; 13 issue slots.
	fp32Ops   = 12
	fp32Issue = 13
	// fp64: 3 DADD, 9 DFMA, 4 DMUL: 16 on the FP64 lanes (d2, then
	// m/d2^(3/2) from an fp32 rsqrt seed by a second-order correction, then
	// a); the seed takes 6 integer instructions and 1 MUFU.RSQ: 23 issue
	// slots.
	fp64Ops   = 16
	fp64Issue = 23
	// Both take one reciprocal square root on the special-function unit.
	sfuOps = 1
)

// Efficiency is the kernel's measured rate over its limit (limit below) on
// the chips we measured, at the validation's default N of 135,168 bodies
// (4 × 256 × 132 SMs, what -alldevices runs on one of them): the mean of
// H100 80GB HBM3 and H200 in bench/data's sweeps (measured.go). Both are
// Hopper at 1,980 MHz with 132 SMs, issue-bound in fp32 (128 slots ÷ 13 =
// 2,573.4 GI/s; 2,129.6 and 2,129.7 measured) and FP64-bound in fp64
// (64 lanes ÷ 16 = 1,045.4 GI/s; 806.0 and 805.5 measured). The
// default N rather than the large-N plateau (2,145.9 at 1,048,576, 0.8%
// higher), since that is the N the validation judges.
const (
	efficiency32 = 0.82757 // (2129.6 + 2129.7) / 2 ÷ 2573.39
	efficiency64 = 0.77073 // (806.0 + 805.5) / 2 ÷ 1045.44
)

// limit is the interactions per second (in GI/s) the chip could reach if
// every clock of its tightest unit went to our kernel, or false for a
// compute capability the table lacks.
func limit(c Chip, double bool) (float64, bool) {
	l, ok := byCapability[c.Major*10+c.Minor]
	if !ok || c.Multiprocessors <= 0 || c.MaxClockMHz <= 0 {
		return 0, false
	}
	ops, issue, fp := float64(fp32Ops), float64(fp32Issue), l.fp32
	if double {
		ops, issue, fp = fp64Ops, fp64Issue, l.fp64
	}
	perClock := math.Min(fp/ops, math.Min(l.issue/issue, l.sfu/sfuOps))
	return float64(c.Multiprocessors) * perClock * float64(c.MaxClockMHz) / 1e3, true
}

// model is the expected rate from the chip's own figures.
func model(c Chip, double bool) (float64, bool) {
	lim, ok := limit(c, double)
	if !ok {
		return 0, false
	}
	if double {
		return lim * efficiency64, true
	}
	return lim * efficiency32, true
}
