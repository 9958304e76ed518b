// nbody.cu: the all-pairs n-body kernels of nbody-go, in single and double
// precision. Generated PTX (kernels/genptx.sh) is committed and embedded by
// kernels.go; nothing at build or run time needs nvcc.
//
// Physics, the sample's: a_i = sum_j m_j r_ij / (|r_ij|^2 + eps^2)^(3/2) with
// r_ij = p_j - p_i, over every j including i; then
// v <- (v + a dt) damping, p <- p + v dt, positions double-buffered.
//
// Work decomposition. A device integrates `count` bodies starting at global
// index `first`, against all `n` bodies. Each thread holds BODIES bodies in
// registers (i = block base + threadIdx.x + k * blockDim.x), so every body j
// read from shared memory serves BODIES interactions. The j range may be cut
// into splits of `perSplit` bodies (best a multiple of UNROLL), blockIdx.y
// picking one, so that small N can still fill every multiprocessor: each
// split writes a partial sum, and the integrate kernel adds the partials in
// a fixed order, so results do not depend on scheduling. With one split,
// the step kernel integrates directly.
//
// Arrays: pos holds all n bodies (x, y, z, m) and is indexed by global body
// index; posOut, vel and partial are the device's own share, indexed by
// i - first (partial: split s of body k at s * count + k). Bodies past n
// contribute nothing: a split's last tile's loop stops at its end. No
// padding anywhere.
//
// Precision: fp32 uses the hardware reciprocal square root
// (rsqrt.approx.ftz.f32, about 2^-22 relative), well inside the fp32
// accuracy contract of 2e-5. fp64 stays double precision: the fp32 hardware
// estimate (about 2^-21 relative) is refined by a second-order correction of
// m / d2^(3/2) itself, whose truncation error is below 2^-57 (see
// interact below), so no fp64 reciprocal square root routine is needed.

#include <cstdint>

// Bodies held per thread. Every shared-memory load of body j serves this
// many interactions; registers grow with it (6 values per body).
// Blocks of up to 256 threads may use up to 255 registers per thread; blocks
// of up to 1024 threads only 64, which is what sets the _t1024 counts.
#ifndef BODIES_F32_T256
#define BODIES_F32_T256 8
#endif
#ifndef BODIES_F32_T1024
#define BODIES_F32_T1024 4
#endif
#ifndef BODIES_F64_T256
#define BODIES_F64_T256 4
#endif
#ifndef BODIES_F64_T1024
#define BODIES_F64_T1024 2
#endif
// Least blocks of the _t256 kernels a multiprocessor should hold at once
// (the second argument of __launch_bounds__: it caps registers per thread).
// Measured on the H100 (bench/NOTES.md): fp32 runs fastest with 2 blocks of
// 127 registers, which the driver's JIT picks only when told 1; fp64 with 2
// blocks of 120, which it picks when told 2. RCP_BODIES and BODY_MAJOR below
// are experiments that lost; bench/kernel-variants.sh can still build them.
#ifndef MIN_BLOCKS_F32_T256
#define MIN_BLOCKS_F32_T256 1
#endif
#ifndef MIN_BLOCKS_F64_T256
#define MIN_BLOCKS_F64_T256 2
#endif
// Bodies of j each thread loads into shared memory per tile in the _t256
// kernels: a tile is TILE_FACTOR * blockDim.x bodies, so there are fewer
// barriers per body of j. (The _t1024 kernels load one each: their tiles are
// large already.) The dynamic shared memory of a launch must hold a tile.
#ifndef TILE_FACTOR
#define TILE_FACTOR 4
#endif
// How many of a thread's fp32 bodies use interactRcp (0: none).
#ifndef RCP_BODIES
#define RCP_BODIES 0
#endif
// Order of the unrolled inner loop: 0, each body of j against all of this
// thread's bodies in turn; 1, each of this thread's bodies against the
// unrolled bodies of j in turn (the same loads, grouped otherwise).
#ifndef BODY_MAJOR
#define BODY_MAJOR 0
#endif
// How far the inner loop over a tile is unrolled.
#ifndef UNROLL
#define UNROLL 16
#endif

template <typename T> struct Vec4;
template <> struct Vec4<float> { typedef float4 type; };
template <> struct Vec4<double> { typedef double4 type; };

// rsqrtApprox is the hardware reciprocal square root with flush-to-zero;
// written as inline PTX so that the rest of the kernel keeps IEEE
// arithmetic without -use_fast_math.
__device__ __forceinline__ float rsqrtApprox(float x) {
    float y;
    asm("rsqrt.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// One interaction: accumulate m_j r / (|r|^2 + eps2)^(3/2) into a.
__device__ __forceinline__ void interact(float xi, float yi, float zi, float4 pj, float eps2,
                                         float &ax, float &ay, float &az) {
    float dx = pj.x - xi, dy = pj.y - yi, dz = pj.z - zi;
    float d2 = fmaf(dx, dx, fmaf(dy, dy, fmaf(dz, dz, eps2)));
    float inv = rsqrtApprox(d2);
    float s = (pj.w * inv) * (inv * inv);
    ax = fmaf(dx, s, ax);
    ay = fmaf(dy, s, ay);
    az = fmaf(dz, s, az);
}

// interactRcp is interact with 1/d2 from the special-function unit in place
// of inv * inv: one fp32 instruction fewer, one MUFU more. Mixing a few of
// these into a thread's bodies (RCP_BODIES) balances the fp32 and MUFU pipes.
__device__ __forceinline__ void interactRcp(float xi, float yi, float zi, float4 pj, float eps2,
                                            float &ax, float &ay, float &az) {
    float dx = pj.x - xi, dy = pj.y - yi, dz = pj.z - zi;
    float d2 = fmaf(dx, dx, fmaf(dy, dy, fmaf(dz, dz, eps2)));
    float inv = rsqrtApprox(d2), r;
    asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(d2));
    float s = (pj.w * inv) * r;
    ax = fmaf(dx, s, ax);
    ay = fmaf(dy, s, ay);
    az = fmaf(dz, s, az);
}

// rsqrtSeed returns an estimate of 1/sqrt(d2) for a positive double d2,
// relative error below 1.5 * 2^-21, without fp64 instructions: it writes
// d2 = 2^(2k) * m with m in [0.5, 2) by keeping the exponent's lowest bit
// and replacing the others by 1022's (one logic operation), takes the fp32
// hardware rsqrt of m's top 20 mantissa bits, and scales the result by
// 2^-k, all on the bit patterns, so the fp64 pipe stays free for the
// physics. Zero and subnormal d2 give a huge value, so that an exact
// collision with no softening yields the same NaN as the float64 reference.
__device__ __forceinline__ double rsqrtSeed(double d2) {
    unsigned hi = (unsigned)__double2hiint(d2), f, w, base;
    // m's fp32 bits: ((hi & 0x001FFFFF) | 0x3FE00000) << 3, rebiased by
    // -(896 << 23), is ((hi << 3) & 0x00FFFFF8) | 0x3F000000: a shift and
    // one three-input logic operation (table 0xEA: a & b | c).
    asm("shl.b32 %0, %1, 3;" : "=r"(f) : "r"(hi));
    asm("lop3.b32 %0, %1, 0x00FFFFF8, 0x3F000000, 0xEA;" : "=r"(f) : "r"(f));
    unsigned g = __float_as_uint(rsqrtApprox(__uint_as_float(f))); // in (0.707, 1.414]
    // With k = (hi >> 21) - 511: the fp64 high word of g * 2^-k is
    // (g >> 3) + ((896 - k) << 20) = (g >> 3) + (hi >> 21) * -2^20 + (1407 << 20).
    asm("shr.u32 %0, %1, 21;" : "=r"(w) : "r"(hi));
    asm("mad.lo.u32 %0, %1, 0xFFF00000, 0x57F00000;" : "=r"(base) : "r"(w));
    return __hiloint2double((int)((g >> 3) + base), (int)(g << 29));
}

// The e^2 coefficient, 15/8, read from constant memory so that the FMA takes
// it as an operand: as a literal it would be rebuilt in registers every time.
__constant__ double kSeries2 = 1.875;

// One double interaction. With y the estimate and e = 1 - d2 y^2 (|e| below
// 2^-19), m / d2^(3/2) = m y^3 (1 - e)^(-3/2) = m y^3 (1 + 3/2 e + 15/8 e^2
// + 35/16 e^3 + ...); the series cut after e^2 errs by under 2^-57 relative,
// below double rounding. Sixteen fp64 instructions in all: 3 subtractions,
// 3 FMAs for d2, 7 for the scale and 3 FMAs into a.
__device__ __forceinline__ void interact(double xi, double yi, double zi, double4 pj, double eps2,
                                         double &ax, double &ay, double &az) {
    double dx = pj.x - xi, dy = pj.y - yi, dz = pj.z - zi;
    double d2 = fma(dx, dx, fma(dy, dy, fma(dz, dz, eps2)));
    double y = rsqrtSeed(d2);
    double y2 = y * y;
    double e = fma(-d2, y2, 1.0);
    double my3 = (pj.w * y) * y2;
    double p = fma(e, kSeries2, 1.5);
    double s = fma(my3 * e, p, my3);
    ax = fma(dx, s, ax);
    ay = fma(dy, s, ay);
    az = fma(dz, s, az);
}

// fp64 has no interactRcp form: it is interact.
__device__ __forceinline__ void interactRcp(double xi, double yi, double zi, double4 pj, double eps2,
                                            double &ax, double &ay, double &az) {
    interact(xi, yi, zi, pj, eps2, ax, ay, az);
}

// accumulate adds the interactions of bodies [begin, end) of pos, loaded
// into shared memory in tiles of TF * blockDim.x, to the B bodies of this
// thread.
template <typename T, int B, int TF>
__device__ __forceinline__ void accumulate(const typename Vec4<T>::type *__restrict__ pos, int begin,
                                           int end, T eps2, const T (&x)[B], const T (&y)[B],
                                           const T (&z)[B], T (&ax)[B], T (&ay)[B], T (&az)[B]) {
    typedef typename Vec4<T>::type V;
    extern __shared__ __align__(16) unsigned char sharedBytes[];
    V *tile = reinterpret_cast<V *>(sharedBytes);
    const int bs = blockDim.x * TF;
    for (int base = begin; base < end; base += bs) {
        __syncthreads(); // the previous tile is no longer read
#pragma unroll
        for (int f = 0; f < TF; f++) {
            int t = threadIdx.x + f * blockDim.x, j = base + t;
            if (j < end) tile[t] = pos[j];
        }
        __syncthreads();
        int len = min(bs, end - base);
        int jj = 0;
        for (; jj + UNROLL <= len; jj += UNROLL) {
#if BODY_MAJOR
#pragma unroll
            for (int b = 0; b < B; b++)
#pragma unroll
                for (int u = 0; u < UNROLL; u++) interact(x[b], y[b], z[b], tile[jj + u], eps2, ax[b], ay[b], az[b]);
#else
#pragma unroll
            for (int u = 0; u < UNROLL; u++) {
                V pj = tile[jj + u];
#pragma unroll
                for (int b = 0; b < B; b++) {
                    if (b < RCP_BODIES)
                        interactRcp(x[b], y[b], z[b], pj, eps2, ax[b], ay[b], az[b]);
                    else
                        interact(x[b], y[b], z[b], pj, eps2, ax[b], ay[b], az[b]);
                }
            }
#endif
        }
        // The tail of the last tile: only the bodies that exist.
        for (; jj < len; jj++) {
            V pj = tile[jj];
#pragma unroll
            for (int b = 0; b < B; b++) interact(x[b], y[b], z[b], pj, eps2, ax[b], ay[b], az[b]);
        }
    }
}

// loadBodies reads this thread's B bodies (local index k = base + threadIdx.x
// + b * blockDim.x); bodies past count repeat the last one and are never
// written back.
template <typename T, int B>
__device__ __forceinline__ void loadBodies(const typename Vec4<T>::type *__restrict__ pos, int first,
                                           int count, int base, T (&x)[B], T (&y)[B], T (&z)[B]) {
#pragma unroll
    for (int b = 0; b < B; b++) {
        int k = min(base + (int)threadIdx.x + b * (int)blockDim.x, count - 1);
        typename Vec4<T>::type p = pos[first + k];
        x[b] = p.x;
        y[b] = p.y;
        z[b] = p.z;
    }
}

// integrateBody applies one step to local body k with acceleration a.
template <typename T>
__device__ __forceinline__ void integrateBody(const typename Vec4<T>::type *__restrict__ pos,
                                              typename Vec4<T>::type *__restrict__ posOut,
                                              typename Vec4<T>::type *__restrict__ vel, int first,
                                              int k, T ax, T ay, T az, T dt, T damping) {
    typename Vec4<T>::type p = pos[first + k], v = vel[k];
    v.x = (v.x + ax * dt) * damping;
    v.y = (v.y + ay * dt) * damping;
    v.z = (v.z + az * dt) * damping;
    p.x += v.x * dt;
    p.y += v.y * dt;
    p.z += v.z * dt;
    vel[k] = v;
    posOut[k] = p;
}

// forces: grid (ceil(count / (B * blockDim.x)), splits); writes split
// blockIdx.y's partial accelerations (ax, ay, az, 0) of every local body.
template <typename T, int B, int TF>
__device__ __forceinline__ void forces(const typename Vec4<T>::type *__restrict__ pos,
                                       typename Vec4<T>::type *__restrict__ partial, int n, int first,
                                       int count, int perSplit, T eps2) {
    int base = blockIdx.x * B * blockDim.x;
    T x[B], y[B], z[B], ax[B], ay[B], az[B];
    loadBodies<T, B>(pos, first, count, base, x, y, z);
#pragma unroll
    for (int b = 0; b < B; b++) ax[b] = ay[b] = az[b] = 0;
    int begin = blockIdx.y * perSplit;
    accumulate<T, B, TF>(pos, begin, min(begin + perSplit, n), eps2, x, y, z, ax, ay, az);
    typename Vec4<T>::type *out = partial + (size_t)blockIdx.y * count;
#pragma unroll
    for (int b = 0; b < B; b++) {
        int k = base + threadIdx.x + b * blockDim.x;
        if (k < count) {
            typename Vec4<T>::type a;
            a.x = ax[b];
            a.y = ay[b];
            a.z = az[b];
            a.w = 0;
            out[k] = a;
        }
    }
}

// step: grid ceil(count / (B * blockDim.x)); all of j in one block, then
// the fused integration.
template <typename T, int B, int TF>
__device__ __forceinline__ void step(const typename Vec4<T>::type *__restrict__ pos,
                                     typename Vec4<T>::type *__restrict__ posOut,
                                     typename Vec4<T>::type *__restrict__ vel, int n, int first,
                                     int count, T eps2, T dt, T damping) {
    int base = blockIdx.x * B * blockDim.x;
    T x[B], y[B], z[B], ax[B], ay[B], az[B];
    loadBodies<T, B>(pos, first, count, base, x, y, z);
#pragma unroll
    for (int b = 0; b < B; b++) ax[b] = ay[b] = az[b] = 0;
    accumulate<T, B, TF>(pos, 0, n, eps2, x, y, z, ax, ay, az);
#pragma unroll
    for (int b = 0; b < B; b++) {
        int k = base + threadIdx.x + b * blockDim.x;
        if (k < count) integrateBody<T>(pos, posOut, vel, first, k, ax[b], ay[b], az[b], dt, damping);
    }
}

// integrate: one thread per local body; adds the splits' partial sums in
// order and steps the body.
template <typename T>
__device__ __forceinline__ void integrate(const typename Vec4<T>::type *__restrict__ pos,
                                          typename Vec4<T>::type *__restrict__ posOut,
                                          typename Vec4<T>::type *__restrict__ vel,
                                          const typename Vec4<T>::type *__restrict__ partial, int first,
                                          int count, int splits, T dt, T damping) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= count) return;
    T ax = 0, ay = 0, az = 0;
    for (int s = 0; s < splits; s++) {
        typename Vec4<T>::type a = partial[(size_t)s * count + k];
        ax += a.x;
        ay += a.y;
        az += a.z;
    }
    integrateBody<T>(pos, posOut, vel, first, k, ax, ay, az, dt, damping);
}

// copyBodies copies n bodies; -hostmem uses it to bring the positions from
// mapped host memory into a device buffer once per step.
template <typename T>
__device__ __forceinline__ void copyBodies(const typename Vec4<T>::type *__restrict__ src,
                                           typename Vec4<T>::type *__restrict__ dst, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dst[i] = src[i];
}

// The entry points, each in two builds: "_t256" for blocks of up to 256
// threads, holding more bodies per thread, and "_t1024" for blocks of up to
// 1024 threads, where a thread may use only 64 registers. Go launches them
// by these names (kernels.go).
#define ENTRIES(T, SUFFIX, B, MAXT, MINB, TF)                                                       \
    extern "C" __global__ void __launch_bounds__(MAXT, MINB)                                       \
        nbody_step_##SUFFIX(const Vec4<T>::type *__restrict__ pos, Vec4<T>::type *__restrict__ posOut,  \
                            Vec4<T>::type *__restrict__ vel, int n, int first, int count, T eps2,  \
                            T dt, T damping) {                                                      \
        step<T, B, TF>(pos, posOut, vel, n, first, count, eps2, dt, damping);                      \
    }                                                                                               \
    extern "C" __global__ void __launch_bounds__(MAXT, MINB)                                       \
        nbody_forces_##SUFFIX(const Vec4<T>::type *__restrict__ pos,                               \
                              Vec4<T>::type *__restrict__ partial, int n, int first, int count,    \
                              int perSplit, T eps2) {                                               \
        forces<T, B, TF>(pos, partial, n, first, count, perSplit, eps2);                           \
    }

// Kernels whose shape does not depend on the block size.
#define COMMON(T, SUFFIX)                                                                          \
    extern "C" __global__ void nbody_integrate_##SUFFIX(                                           \
        const Vec4<T>::type *__restrict__ pos, Vec4<T>::type *__restrict__ posOut,                 \
        Vec4<T>::type *__restrict__ vel, const Vec4<T>::type *__restrict__ partial, int first,     \
        int count, int splits, T dt, T damping) {                                                  \
        integrate<T>(pos, posOut, vel, partial, first, count, splits, dt, damping);                \
    }                                                                                               \
    extern "C" __global__ void nbody_copy_##SUFFIX(const Vec4<T>::type *__restrict__ src,          \
                                                   Vec4<T>::type *__restrict__ dst, int n) {       \
        copyBodies<T>(src, dst, n);                                                                 \
    }

// genptx.sh builds one PTX file per precision, so that a run JIT-compiles
// only the kernels it uses.
#ifndef NBODY_F64
ENTRIES(float, f32_t256, BODIES_F32_T256, 256, MIN_BLOCKS_F32_T256, TILE_FACTOR)
ENTRIES(float, f32_t1024, BODIES_F32_T1024, 1024, 1, 1)
COMMON(float, f32)
#else
ENTRIES(double, f64_t256, BODIES_F64_T256, 256, MIN_BLOCKS_F64_T256, TILE_FACTOR)
ENTRIES(double, f64_t1024, BODIES_F64_T1024, 1024, 1, 1)
COMMON(double, f64)
#endif
