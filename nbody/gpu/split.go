package gpu

// share is the bodies one device integrates: count of them from first.
// Every device still reads all bodies' positions.
type share struct{ first, count int }

// splitBodies gives each of len(weights) devices a contiguous share of n
// bodies in proportion to its weight (its multiprocessor count), as the
// sample does: every share but the last rounded up to a multiple of
// granule (the block size), the last taking what remains. Where that
// rounding would leave a device empty (n small against devices ×
// granule), the granule is halved until none is; only n below the number
// of devices leaves the last devices empty.
func splitBodies(n int, weights []int, granule int) []share {
	g := max(1, granule)
	for {
		shares := splitRounded(n, weights, g)
		if g == 1 || shares[len(shares)-1].count > 0 {
			return shares
		}
		g /= 2
	}
}

// splitRounded is one try of splitBodies with a fixed granule.
func splitRounded(n int, weights []int, granule int) []share {
	total := 0
	for _, w := range weights {
		total += max(1, w)
	}
	shares := make([]share, len(weights))
	first := 0
	for k, w := range weights {
		count := n - first // the last takes what remains
		if k < len(weights)-1 {
			// ceil(n × w / total), in integers: n and total are far from
			// overflowing int64.
			count = ceilDiv(n*max(1, w), total)
			count = ceilDiv(count, granule) * granule
			if granule == 1 {
				// The last try: leave a body for each device after this.
				count = max(1, min(count, n-first-(len(weights)-1-k)))
			}
			count = min(count, n-first)
		}
		shares[k] = share{first, count}
		first += count
	}
	return shares
}

// equalStride reports whether the shares sit at multiples of one stride
// with none longer than it (all equal but a shorter or empty tail), so
// that a gather of stride bodies from every device, into a buffer of
// devices × stride bodies, puts every body at its own index. It returns
// that stride.
func equalStride(shares []share) (int, bool) {
	if len(shares) == 0 {
		return 0, false
	}
	stride := shares[0].count
	for k, s := range shares {
		if s.count > stride || (s.count > 0 && s.first != k*stride) {
			return 0, false
		}
	}
	return stride, stride > 0
}

// active is how many devices have bodies: a prefix of shares.
func active(shares []share) int {
	k := 0
	for k < len(shares) && shares[k].count > 0 {
		k++
	}
	return k
}
