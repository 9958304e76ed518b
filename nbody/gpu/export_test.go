package gpu

import "time"

// LogicalDevices returns opts set to run one logical device on each of the
// given physical device ordinals, which may repeat: a "2-device"
// integrator on GPU 0 is LogicalDevices(opts, 0, 0). Each logical device
// has its own allocations, kernels, stream and events in the GPU's primary
// context.
func LogicalDevices(opts Options, ordinals ...int) Options {
	opts.ordinals = append([]int(nil), ordinals...)
	return opts
}

// sliceAlways returns opts set to slice every step, however short, into
// slices of rows rows of blocks each (blockSize × bodies per thread
// bodies a row), the last taking the rest.
func sliceAlways(opts Options, rows int) Options {
	opts.limits = stepLimits{long: time.Nanosecond, rows: rows}
	return opts
}
