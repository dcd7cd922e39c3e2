/* The memory-bound rows of elementwise.cpp (mul, add, mul scalar, relu and sum over 2^20 floats)
   as plain C loops over arrays of the same size, with no tensors or dispatch. Each op reads its
   operands once and writes its result once (sum writes nothing), so its time here is what the
   machine's memory and caches allow; a library's time over it says how far from that limit it is,
   and no library can be much faster than this. As in elementwise.cpp, where `r = a * b` frees the
   previous result only after the new one is allocated, the results alternate between two buffers.
   run.sh builds it with -O3 -march=native and prints each library's time against it. Timed as
   best_us.h times the libraries: the best of 5 repetitions of the mean of 50 calls, wall time
   (process CPU time with BENCH_CPU_TIME set). Prints one line per op: its row's label, a tab, µs. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kN = 1 << 20, kCalls = 50, kReps = 5 };

static double now_us(void) {
  struct timespec ts;
  clock_gettime(getenv("BENCH_CPU_TIME") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static float* array(void) {
  float* p = aligned_alloc(64, kN * sizeof(float));
  if (!p) exit(1);
  return p;
}

static float *a, *b, *out[2];
static volatile float sink;

static void mul(float* r) {
  for (int i = 0; i < kN; ++i) r[i] = a[i] * b[i];
}
static void add(float* r) {
  for (int i = 0; i < kN; ++i) r[i] = a[i] + b[i];
}
static void mul_scalar(float* r) {
  for (int i = 0; i < kN; ++i) r[i] = a[i] * 0.5f;
}
static void relu(float* r) {
  for (int i = 0; i < kN; ++i) r[i] = a[i] > 0.0f ? a[i] : 0.0f;
}
static void sum(float* r) {
  /* 64 partial sums (four 512-bit vectors), so that the loop is not one chain of additions. */
  float s[64] = {0};
  for (int i = 0; i < kN; i += 64)
    for (int j = 0; j < 64; ++j) s[j] += a[i + j];
  float t = 0;
  for (int j = 0; j < 64; ++j) t += s[j];
  r[0] = t;
}

static double best_us(void (*op)(float*)) {
  double best = 1e30;
  op(out[0]); /* warm-up */
  for (int rep = 0; rep < kReps; ++rep) {
    const double t0 = now_us();
    for (int i = 0; i < kCalls; ++i) op(out[i & 1]);
    const double us = (now_us() - t0) / kCalls;
    if (us < best) best = us;
    sink = out[0][rep] + out[1][rep];
  }
  return best;
}

int main(void) {
  a = array(), b = array(), out[0] = array(), out[1] = array();
  unsigned x = 1;
  for (int i = 0; i < kN; ++i) {
    x = x * 1664525u + 1013904223u;
    a[i] = (float)(x >> 8) / 16777216.0f - 0.5f;
    b[i] = 1.0f - a[i];
  }
  for (int i = 0; i < kN; ++i) out[0][i] = out[1][i] = 0;
  printf("mul 2^20\t%.3f\n", best_us(mul));
  printf("add 2^20\t%.3f\n", best_us(add));
  printf("mul scalar 2^20\t%.3f\n", best_us(mul_scalar));
  printf("relu 2^20\t%.3f\n", best_us(relu));
  printf("sum 2^20\t%.3f\n", best_us(sum));
  return 0;
}
