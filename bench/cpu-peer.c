/*
 * cpu-peer: the C peer of bench/cpubench, the yardstick of the CPU speed
 * goals. It runs the method of the Go CPU path in C on the same bodies:
 * all-pairs gravity with softening,
 *
 *     a_i = sum_j m_j r_ij / (|r_ij|^2 + eps^2)^(3/2),  r_ij = p_j - p_i,
 *
 * then the sample's step, v = (v + a dt) * damping, p = p + v dt, for every
 * body, in float32 and in float64, with OpenMP threads over the bodies.
 *
 * bench/cpu-bench.sh compiles this file twice:
 *   plain: gcc -O3 -fopenmp, a typical C CPU n-body loop (scalar: not
 *          allowed to reorder the sum, gcc keeps it in order, one pair at a
 *          time);
 *   simd:  gcc -O3 -march=native -fno-math-errno -fopenmp -DPEER_SIMD, the
 *          inner loop vectorized by `omp simd reduction`, which lets gcc
 *          reorder that one sum across the vector lanes. 1/sqrt is computed
 *          as a correctly rounded square root and division (vsqrtps/vdivps),
 *          not an approximate reciprocal square root: no -ffast-math, so the
 *          accuracy is that of the plain build. -fno-math-errno only spares
 *          sqrt the errno check, which never fires (the argument is > 0).
 *
 * Usage: cpu-peer BODIES ITERS ACCDIR
 *   BODIES: the bodies file cpubench writes (little-endian): the 8 bytes
 *           "NBPEER1\n", int64 N, float64 dt, softening, damping, then N
 *           positions (x, y, z, mass) and N velocities (x, y, z, w) as
 *           float64.
 *   Prints "float32 GI/s X" and "float64 GI/s Y": each precision takes one
 *   untimed step (the first touches every page), then ITERS timed steps;
 *   GI/s is N*N*ITERS / seconds / 1e9, as the Go path counts it.
 *   Writes ACCDIR/float32.acc and ACCDIR/float64.acc: the accelerations of
 *   the initial positions, 3N float64 (ax, ay, az per body), which cpubench
 *   measures against the float64 reference (the accuracy contract).
 * Errors: one line on stderr, exit status 1.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PEER_SIMD
#define INNER_LOOP _Pragma("omp simd reduction(+ : ax, ay, az)")
#else
#define INNER_LOOP
#endif

/* What the bodies file holds, in float64. */
struct input {
	int64_t n;
	double dt, softening, damping;
	double *pos, *vel; /* 4n each */
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "cpu-peer: %s: %s\n", what, detail);
	exit(1);
}

static void *alloc(size_t bytes)
{
	/* 64-byte aligned, a whole vector register's width on AVX-512. */
	void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
	if (p == NULL)
		die("memory", strerror(errno));
	return p;
}

static void read_all(FILE *f, const char *path, void *dst, size_t bytes)
{
	if (fread(dst, 1, bytes, f) != bytes)
		die(path, ferror(f) ? strerror(errno) : "file ends early");
}

static struct input read_input(const char *path)
{
	struct input in;
	char magic[8];
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		die(path, strerror(errno));
	read_all(f, path, magic, sizeof magic);
	if (memcmp(magic, "NBPEER1\n", sizeof magic) != 0)
		die(path, "not a bodies file (want \"NBPEER1\" first)");
	read_all(f, path, &in.n, sizeof in.n);
	read_all(f, path, &in.dt, sizeof in.dt);
	read_all(f, path, &in.softening, sizeof in.softening);
	read_all(f, path, &in.damping, sizeof in.damping);
	if (in.n < 1 || in.n > (1 << 24))
		die(path, "body count out of range (1 to 2^24)");
	in.pos = alloc(sizeof(double) * 4 * in.n);
	in.vel = alloc(sizeof(double) * 4 * in.n);
	read_all(f, path, in.pos, sizeof(double) * 4 * in.n);
	read_all(f, path, in.vel, sizeof(double) * 4 * in.n);
	fclose(f);
	return in;
}

static void write_acc(const char *dir, const char *name, const double *acc, int64_t n)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		die(dir, "path too long");
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		die(path, strerror(errno));
	if (fwrite(acc, sizeof(double), 3 * n, f) != (size_t)(3 * n) || fclose(f) != 0)
		die(path, strerror(errno));
}

/*
 * One precision's integrator, written once as a macro over the real type T
 * and the square root SQRT. Bodies are kept as structure of arrays (x, y, z,
 * m), so that the vectorized build loads whole vectors of neighbours j.
 */
#define DEFINE_PEER(T, SQRT, NAME)                                              \
	struct NAME {                                                           \
		int64_t n;                                                      \
		T *x, *y, *z, *m, *vx, *vy, *vz, *ax, *ay, *az;                 \
	};                                                                      \
                                                                                \
	static struct NAME NAME##_load(const struct input *in)                  \
	{                                                                       \
		struct NAME s = {.n = in->n};                                   \
		T **fields[] = {&s.x, &s.y, &s.z, &s.m, &s.vx,                  \
				&s.vy, &s.vz, &s.ax, &s.ay, &s.az};             \
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)   \
			*fields[k] = alloc(sizeof(T) * in->n);                  \
		for (int64_t i = 0; i < in->n; i++) {                           \
			s.x[i] = (T)in->pos[4 * i];                             \
			s.y[i] = (T)in->pos[4 * i + 1];                         \
			s.z[i] = (T)in->pos[4 * i + 2];                         \
			s.m[i] = (T)in->pos[4 * i + 3];                         \
			s.vx[i] = (T)in->vel[4 * i];                            \
			s.vy[i] = (T)in->vel[4 * i + 1];                        \
			s.vz[i] = (T)in->vel[4 * i + 2];                        \
		}                                                               \
		return s;                                                       \
	}                                                                       \
                                                                                \
	/* The accelerations of every body into s->ax, ay, az. */               \
	static void NAME##_accelerate(struct NAME *s, T eps2)                   \
	{                                                                       \
		const int64_t n = s->n;                                         \
		const T *restrict x = s->x, *restrict y = s->y;                 \
		const T *restrict z = s->z, *restrict m = s->m;                 \
		_Pragma("omp parallel for schedule(static)")                    \
		for (int64_t i = 0; i < n; i++) {                               \
			const T xi = x[i], yi = y[i], zi = z[i];                \
			T ax = 0, ay = 0, az = 0;                               \
			INNER_LOOP                                              \
			for (int64_t j = 0; j < n; j++) {                       \
				const T dx = x[j] - xi, dy = y[j] - yi;         \
				const T dz = z[j] - zi;                         \
				const T d2 = dx * dx + dy * dy + dz * dz + eps2; \
				const T inv = (T)1 / SQRT(d2);                  \
				const T s3 = m[j] * inv * inv * inv;            \
				ax += dx * s3;                                  \
				ay += dy * s3;                                  \
				az += dz * s3;                                  \
			}                                                       \
			s->ax[i] = ax;                                          \
			s->ay[i] = ay;                                          \
			s->az[i] = az;                                          \
		}                                                               \
	}                                                                       \
                                                                                \
	/* One step: every acceleration from the old positions, then the     \
	 * sample's update of velocities and positions. */                     \
	static void NAME##_step(struct NAME *s, T eps2, T dt, T damping)        \
	{                                                                       \
		NAME##_accelerate(s, eps2);                                     \
		const int64_t n = s->n;                                         \
		_Pragma("omp parallel for schedule(static)")                    \
		for (int64_t i = 0; i < n; i++) {                               \
			s->vx[i] = (s->vx[i] + s->ax[i] * dt) * damping;        \
			s->vy[i] = (s->vy[i] + s->ay[i] * dt) * damping;        \
			s->vz[i] = (s->vz[i] + s->az[i] * dt) * damping;        \
			s->x[i] += s->vx[i] * dt;                               \
			s->y[i] += s->vy[i] * dt;                               \
			s->z[i] += s->vz[i] * dt;                               \
		}                                                               \
	}                                                                       \
                                                                                \
	/* Writes the initial accelerations, times iters steps after an       \
	 * untimed one and prints the GI/s line. */                            \
	static void NAME##_run(const struct input *in, int iters,               \
			       const char *accdir, const char *label)           \
	{                                                                       \
		struct NAME s = NAME##_load(in);                                \
		const T eps2 = (T)(in->softening * in->softening);              \
		NAME##_accelerate(&s, eps2);                                    \
		double *acc = alloc(sizeof(double) * 3 * in->n);                \
		for (int64_t i = 0; i < in->n; i++) {                           \
			acc[3 * i] = s.ax[i];                                   \
			acc[3 * i + 1] = s.ay[i];                               \
			acc[3 * i + 2] = s.az[i];                               \
		}                                                               \
		char name[32];                                                  \
		snprintf(name, sizeof name, "%s.acc", label);                   \
		write_acc(accdir, name, acc, in->n);                            \
		free(acc);                                                      \
		const T dt = (T)in->dt, damping = (T)in->damping;               \
		NAME##_step(&s, eps2, dt, damping);                             \
		const double t0 = omp_get_wtime();                              \
		for (int it = 0; it < iters; it++)                              \
			NAME##_step(&s, eps2, dt, damping);                     \
		const double secs = omp_get_wtime() - t0;                       \
		const double n = (double)in->n;                                 \
		printf("%s GI/s %.4f\n", label, n * n * iters / secs * 1e-9);   \
		fflush(stdout);                                                 \
		T *fields[] = {s.x, s.y, s.z, s.m, s.vx,                        \
			       s.vy, s.vz, s.ax, s.ay, s.az};                   \
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)   \
			free(fields[k]);                                        \
	}

DEFINE_PEER(float, sqrtf, peer32)
DEFINE_PEER(double, sqrt, peer64)

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: cpu-peer BODIES ITERS ACCDIR\n");
		return 2;
	}
	char *end;
	errno = 0;
	long iters = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || iters < 1 || iters > 100000)
		die("ITERS", "want a whole number from 1 to 100000");
	struct input in = read_input(argv[1]);
	peer32_run(&in, (int)iters, argv[3], "float32");
	peer64_run(&in, (int)iters, argv[3], "float64");
	free(in.pos);
	free(in.vel);
	return 0;
}
