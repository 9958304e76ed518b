// Package expect says how fast our all-pairs kernel should run on a GPU,
// from what the chip says about itself, so that one GPU can be judged
// without peers to compare it with.
//
// # The figure
//
// The rate is in GI/s, billions of body-body interactions per second
// (N² × steps ÷ time), in fp32 or fp64, at the validation's default N
// (4 × 256 × multiprocessors bodies). Two sources give it:
//
//   - measured: the exact model is in this package's table of our own
//     figures (measured.go), taken from bench/data. A MIG instance gets the
//     row's figure times its share of the multiprocessors.
//   - model: multiprocessors × per-clock rate × maximum SM clock ×
//     efficiency. The per-clock rate is the tightest of three limits, each
//     lanes ÷ instructions: the FP32 (or FP64) lanes of the compute
//     capability over the FP32 (FP64) instructions of one interaction,
//     the issue slots (warp schedulers × 32) over all of its instructions,
//     and the special-function lanes over its one reciprocal square root.
//     Lanes come from NVIDIA's throughput table (arch.go), instruction
//     counts from the committed PTX (model.go), and the efficiency is what
//     the kernel reaches on H100 and H200 against the same limit.
//
// A compute capability the table does not know gets no expectation: the
// caller reports it as unknown, never as a pass or a failure.
//
// # The verdict
//
// [Share] is the measured rate over the expected one; [Slow] says whether
// it is below a share (by default [DefaultMinShare]) and words the reason,
// as in "slow: 48% of the 2,120 GI/s expected of an NVIDIA H200 (measured)".
//
// # What it cannot see
//
// The model assumes that the kernel keeps the efficiency it has on
// Hopper. It cannot know the clock a card holds under load, only the
// maximum it reports; a GeForce card's reported maximum is the top of its
// boost table, which it holds only while cool. Its cross-checks against
// published figures for other GPUs are in the tests.
package expect
