package render

import "github.com/nbody-go/nbody/nbody"

// BaseColor returns the sample's base colour for a precision: orange for
// single precision, green for double (nbody.cpp's _resetRenderer).
func BaseColor(p nbody.Precision) [3]float64 {
	if p == nbody.Double {
		return [3]float64{0.4, 0.8, 0.1}
	}
	return [3]float64{1.0, 0.6, 0.3}
}

// bodyTint returns the sample's per-body factor 0.6 + 0.4·c, where c is a
// colour the sample draws at random once per body. Ours derives c from the
// body's index with a fixed hash, so a body keeps its colour from frame to
// frame and from run to run.
func bodyTint(i int) [3]float64 {
	h := splitmix64(uint64(i))
	var t [3]float64
	for k := range 3 {
		c := float64((h>>(21*k))&(1<<21-1)) / (1<<21 - 1)
		t[k] = 0.6 + 0.4*c
	}
	return t
}

// splitmix64 is a well-mixed 64-bit hash (Steele, Lea and Flood's
// SplitMix64 finaliser): neighbouring indices get unrelated bits.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
