//go:build goexperiment.simd && amd64

package cpu

import "simd/archsimd"

// The vector kernels take the target bodies one at a time (their
// coordinates broadcast to every lane) and sweep the tile of source bodies
// a vector at a time, keeping one partial sum per lane. Go gives vector
// code 15 registers, which this loop fills: unrolling over two targets
// spills and runs at half the speed.
//
// Instead of m·r³ with r = 1/√d2 refined by a Newton step, they correct
// the cube directly: with r0 an estimate of relative error e and
// q = d2·r0², m·r0³·(5/2 − 3/2·q) = m·d2^(-3/2)·(1 − 15/2·e² + O(e³)).
// The factors 5/2·m and −3/2·m are stored per body (positions.m25,
// m15), so the correction costs one multiply and one fused multiply-add.

// kernelF32x16 is the AVX-512 float32 kernel: 16 source bodies per vector.
// VRSQRT14PS's estimate has 14 good bits (e ≤ 2⁻¹⁴), so after the
// correction d2^(-3/2) is off by at most 3·10⁻⁸, half a float32 ulp.
func kernelF32x16(src *positions[float32], i0, i1, j0, j1 int, eps2 float32, acc accum[float32]) {
	const lanes = 16
	xv := vectors[[lanes]float32](src.x[j0:j1])
	yv, zv := vectors[[lanes]float32](src.y[j0:j1]), vectors[[lanes]float32](src.z[j0:j1])
	av, bv := vectors[[lanes]float32](src.m25[j0:j1]), vectors[[lanes]float32](src.m15[j0:j1])
	yv, zv, av, bv = yv[:len(xv)], zv[:len(xv)], av[:len(xv)], bv[:len(xv)] // lets the compiler drop bounds checks
	eps := archsimd.BroadcastFloat32x16(eps2)
	for i := i0; i < i1; i++ {
		xi := archsimd.BroadcastFloat32x16(src.x[i])
		yi := archsimd.BroadcastFloat32x16(src.y[i])
		zi := archsimd.BroadcastFloat32x16(src.z[i])
		k := (i - i0) * lanes
		ax := archsimd.LoadFloat32x16Slice(acc.x[k:])
		ay := archsimd.LoadFloat32x16Slice(acc.y[k:])
		az := archsimd.LoadFloat32x16Slice(acc.z[k:])
		for j := range xv {
			dx := archsimd.LoadFloat32x16(&xv[j]).Sub(xi)
			dy := archsimd.LoadFloat32x16(&yv[j]).Sub(yi)
			dz := archsimd.LoadFloat32x16(&zv[j]).Sub(zi)
			d2 := dz.MulAdd(dz, dy.MulAdd(dy, dx.MulAdd(dx, eps)))
			r := d2.ReciprocalSqrt()
			r2 := r.Mul(r)
			mf := d2.Mul(r2).MulAdd(archsimd.LoadFloat32x16(&bv[j]), archsimd.LoadFloat32x16(&av[j]))
			s := mf.Mul(r2.Mul(r))
			ax = dx.MulAdd(s, ax)
			ay = dy.MulAdd(s, ay)
			az = dz.MulAdd(s, az)
		}
		ax.StoreSlice(acc.x[k:])
		ay.StoreSlice(acc.y[k:])
		az.StoreSlice(acc.z[k:])
	}
}

// kernelF64x8 is the AVX-512 float64 kernel: 8 source bodies per vector.
// VRSQRT14PD's 14-bit estimate first takes a Newton step,
// r ← r·(3/2 − d2·r²/2), which leaves e below 2·10⁻⁸, and the cube
// correction then brings d2^(-3/2) within a float64 ulp or two: as exact
// as a square root and a division (the reference's way), and on this
// machine half again as fast as VSQRTPD with VDIVPD.
func kernelF64x8(src *positions[float64], i0, i1, j0, j1 int, eps2 float64, acc accum[float64]) {
	const lanes = 8
	xv := vectors[[lanes]float64](src.x[j0:j1])
	yv, zv := vectors[[lanes]float64](src.y[j0:j1]), vectors[[lanes]float64](src.z[j0:j1])
	av, bv := vectors[[lanes]float64](src.m25[j0:j1]), vectors[[lanes]float64](src.m15[j0:j1])
	yv, zv, av, bv = yv[:len(xv)], zv[:len(xv)], av[:len(xv)], bv[:len(xv)] // lets the compiler drop bounds checks
	eps := archsimd.BroadcastFloat64x8(eps2)
	minusHalf := archsimd.BroadcastFloat64x8(-0.5)
	threeHalves := archsimd.BroadcastFloat64x8(1.5)
	for i := i0; i < i1; i++ {
		xi := archsimd.BroadcastFloat64x8(src.x[i])
		yi := archsimd.BroadcastFloat64x8(src.y[i])
		zi := archsimd.BroadcastFloat64x8(src.z[i])
		k := (i - i0) * lanes
		ax := archsimd.LoadFloat64x8Slice(acc.x[k:])
		ay := archsimd.LoadFloat64x8Slice(acc.y[k:])
		az := archsimd.LoadFloat64x8Slice(acc.z[k:])
		for j := range xv {
			dx := archsimd.LoadFloat64x8(&xv[j]).Sub(xi)
			dy := archsimd.LoadFloat64x8(&yv[j]).Sub(yi)
			dz := archsimd.LoadFloat64x8(&zv[j]).Sub(zi)
			d2 := dz.MulAdd(dz, dy.MulAdd(dy, dx.MulAdd(dx, eps)))
			r := d2.ReciprocalSqrt()
			r = r.Mul(d2.Mul(minusHalf).MulAdd(r.Mul(r), threeHalves))
			r2 := r.Mul(r)
			mf := d2.Mul(r2).MulAdd(archsimd.LoadFloat64x8(&bv[j]), archsimd.LoadFloat64x8(&av[j]))
			s := mf.Mul(r2.Mul(r))
			ax = dx.MulAdd(s, ax)
			ay = dy.MulAdd(s, ay)
			az = dz.MulAdd(s, az)
		}
		ax.StoreSlice(acc.x[k:])
		ay.StoreSlice(acc.y[k:])
		az.StoreSlice(acc.z[k:])
	}
}
