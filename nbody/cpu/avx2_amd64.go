//go:build goexperiment.simd && amd64

package cpu

import "simd/archsimd"

// kernelF32x8 is the AVX2 float32 kernel: 8 source bodies per vector, the
// same loop as kernelF32x16 (see there for the cube correction). VRSQRTPS
// promises only e ≤ 1.5·2⁻¹², so the corrected d2^(-3/2) may be off by
// 10⁻⁶ (a few dozen float32 ulps; AMD's estimate does better), still
// twenty times inside the accuracy contract.
func kernelF32x8(src *positions[float32], i0, i1, j0, j1 int, eps2 float32, acc accum[float32]) {
	const lanes = 8
	xv := vectors[[lanes]float32](src.x[j0:j1])
	yv, zv := vectors[[lanes]float32](src.y[j0:j1]), vectors[[lanes]float32](src.z[j0:j1])
	av, bv := vectors[[lanes]float32](src.m25[j0:j1]), vectors[[lanes]float32](src.m15[j0:j1])
	yv, zv, av, bv = yv[:len(xv)], zv[:len(xv)], av[:len(xv)], bv[:len(xv)] // lets the compiler drop bounds checks
	eps := archsimd.BroadcastFloat32x8(eps2)
	for i := i0; i < i1; i++ {
		xi := archsimd.BroadcastFloat32x8(src.x[i])
		yi := archsimd.BroadcastFloat32x8(src.y[i])
		zi := archsimd.BroadcastFloat32x8(src.z[i])
		k := (i - i0) * lanes
		ax := archsimd.LoadFloat32x8Slice(acc.x[k:])
		ay := archsimd.LoadFloat32x8Slice(acc.y[k:])
		az := archsimd.LoadFloat32x8Slice(acc.z[k:])
		for j := range xv {
			dx := archsimd.LoadFloat32x8(&xv[j]).Sub(xi)
			dy := archsimd.LoadFloat32x8(&yv[j]).Sub(yi)
			dz := archsimd.LoadFloat32x8(&zv[j]).Sub(zi)
			d2 := dz.MulAdd(dz, dy.MulAdd(dy, dx.MulAdd(dx, eps)))
			r := d2.ReciprocalSqrt()
			r2 := r.Mul(r)
			mf := d2.Mul(r2).MulAdd(archsimd.LoadFloat32x8(&bv[j]), archsimd.LoadFloat32x8(&av[j]))
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

// kernelF64x4 is the AVX2 float64 kernel: 4 source bodies per vector, with
// a real square root and division (AVX2 has no float64 estimate to refine).
func kernelF64x4(src *positions[float64], i0, i1, j0, j1 int, eps2 float64, acc accum[float64]) {
	const lanes = 4
	xv := vectors[[lanes]float64](src.x[j0:j1])
	yv, zv, mv := vectors[[lanes]float64](src.y[j0:j1]), vectors[[lanes]float64](src.z[j0:j1]), vectors[[lanes]float64](src.m[j0:j1])
	yv, zv, mv = yv[:len(xv)], zv[:len(xv)], mv[:len(xv)] // lets the compiler drop bounds checks
	eps := archsimd.BroadcastFloat64x4(eps2)
	for i := i0; i < i1; i++ {
		xi := archsimd.BroadcastFloat64x4(src.x[i])
		yi := archsimd.BroadcastFloat64x4(src.y[i])
		zi := archsimd.BroadcastFloat64x4(src.z[i])
		k := (i - i0) * lanes
		ax := archsimd.LoadFloat64x4Slice(acc.x[k:])
		ay := archsimd.LoadFloat64x4Slice(acc.y[k:])
		az := archsimd.LoadFloat64x4Slice(acc.z[k:])
		for j := range xv {
			dx := archsimd.LoadFloat64x4(&xv[j]).Sub(xi)
			dy := archsimd.LoadFloat64x4(&yv[j]).Sub(yi)
			dz := archsimd.LoadFloat64x4(&zv[j]).Sub(zi)
			d2 := dz.MulAdd(dz, dy.MulAdd(dy, dx.MulAdd(dx, eps)))
			s := archsimd.LoadFloat64x4(&mv[j]).Div(d2.Mul(d2.Sqrt()))
			ax = dx.MulAdd(s, ax)
			ay = dy.MulAdd(s, ay)
			az = dz.MulAdd(s, az)
		}
		ax.StoreSlice(acc.x[k:])
		ay.StoreSlice(acc.y[k:])
		az.StoreSlice(acc.z[k:])
	}
}
