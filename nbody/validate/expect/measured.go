package expect

// measuredRow is our own rate on one exact GPU model, at the validation's
// default N for that model (4 × 256 × its multiprocessors).
type measuredRow struct {
	// name is the model as CUDA and NVML print it.
	name string
	// multiprocessors is the full chip's count that the figures were
	// measured with; a MIG instance's share is taken against it.
	multiprocessors int
	// gips32 and gips64 are the fp32 and fp64 rates in GI/s.
	gips32, gips64 float64
	// source is the file in bench/data that holds the figures.
	source string
}

// measured wins over the model for these exact names.
//
// To add a row: on the GPU, build gpubench (`CGO_ENABLED=0 go build -o
// .gpu/b/gpubench ./bench/gpubench`) and run the sweep there
// (`GPUBENCH=.gpu/b/gpubench sh bench/gpu-sweep.sh`); record its output as
// bench/data/DATE-MACHINE-sweep-ours.tsv (bench/data/README.md gives the
// format) with the device line naming the GPU, quote it in
// bench/RESULTS.md, and copy here the single and double device rows at
// n = 4 × 256 × the GPU's multiprocessors. TestMeasuredMatchesBenchData
// holds every row to its file.
var measured = []measuredRow{
	{"NVIDIA H100 80GB HBM3", 132, 2129.6, 806.0, "2026-11-25-h100-sweep-ours.tsv"},
	{"NVIDIA H200", 132, 2129.7, 805.5, "2026-11-30-h200-sweep-ours.tsv"},
}

// lookup finds the measured row for an exact model name.
func lookup(name string) (measuredRow, bool) {
	for _, r := range measured {
		if r.name == name {
			return r, true
		}
	}
	return measuredRow{}, false
}
