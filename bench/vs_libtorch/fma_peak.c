/* One core's single-precision FMA peak, measured: 12 independent chains of vector multiply-adds
   (enough to cover the FMA latency on two pipes), as wide as the compiler targets (512-bit with
   AVX-512, else 256-bit). run.sh builds it with -O2 -march=native and prints SGEMM's share of it.
   Prints GFLOP/s, the best of 5 runs. */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define VBYTES 64
#else
#define VBYTES 32
#endif
typedef float vf __attribute__((vector_size(VBYTES)));

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void) {
  const long iters = 20000000;
  vf a, b, acc[12];
  for (int i = 0; i < VBYTES / 4; ++i) {
    a[i] = 0.999999f;
    b[i] = 1e-6f;
  }
  for (int j = 0; j < 12; ++j) acc[j] = b * (float)j;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = now();
    for (long i = 0; i < iters; ++i) {
#define STEP(j) acc[j] = acc[j] * a + b;
      STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9) STEP(10) STEP(11)
      __asm__ volatile("" : "+x"(a));  /* keeps the loop from being folded away */
    }
    const double gflops = 2.0 * 12 * (VBYTES / 4) * iters / (now() - t0) * 1e-9;
    if (gflops > best) best = gflops;
  }
  float sum = 0;
  for (int j = 0; j < 12; ++j) sum += acc[j][0];
  fprintf(stderr, "(checksum %g, %d-bit vectors)\n", sum, VBYTES * 8);
  printf("%.1f\n", best);
  return 0;
}
