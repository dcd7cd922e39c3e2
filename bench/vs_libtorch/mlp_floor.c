/* The memory passes of one step of training_step.cpp's MLP (784-256-128-10, batch 1, SGD with
   momentum 0.9) as plain C loops over arrays of the same sizes, with no tensors, graph or dispatch:
   zero_grad zeroes each gradient, the forward reads each weight once (a dot product per output),
   the backward adds the outer product of the output gradient and the input into each weight's
   gradient, and the step reads parameter, gradient and momentum buffer and writes parameter and
   buffer. LibTorch 1.13's step makes these passes and more (its momentum update and gradient
   accumulation take two and three passes each), so their sum bounds how much faster than LibTorch
   any library following its semantics can be at this size: LibTorch's time / this sum.
   run.sh builds it with -O3 -march=native and prints that bound. Prints µs, the best of 2000 steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kLayers = 3, kSteps = 2000 };
static const int kOut[kLayers] = {256, 128, 10};
static const int kIn[kLayers] = {784, 256, 128}; /* multiples of 16 */

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static float* filled(size_t n, float v) {
  float* p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  if (!p) exit(1);
  for (size_t i = 0; i < n; ++i) p[i] = v;
  return p;
}

int main(void) {
  float *w[kLayers], *g[kLayers], *m[kLayers], *b[kLayers], *bg[kLayers], *bm[kLayers];
  float* x = filled(784, 1.0f);
  float y[256];
  for (int l = 0; l < kLayers; ++l) {
    size_t n = (size_t)kOut[l] * kIn[l];
    w[l] = filled(n, 1e-3f), g[l] = filled(n, 0), m[l] = filled(n, 0);
    b[l] = filled(kOut[l], 0), bg[l] = filled(kOut[l], 0), bm[l] = filled(kOut[l], 0);
  }
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  volatile float sink = 0;
  for (int step = 0; step < kSteps; ++step) {
    double t[5];
    t[0] = now_us();
    for (int l = 0; l < kLayers; ++l) {
      memset(g[l], 0, (size_t)kOut[l] * kIn[l] * sizeof(float));
      memset(bg[l], 0, kOut[l] * sizeof(float));
    }
    t[1] = now_us();
    for (int l = 0; l < kLayers; ++l)
      for (int i = 0; i < kOut[l]; ++i) {
        const float* row = w[l] + (size_t)i * kIn[l];
        float part[16] = {0}, sum = 0;
        for (int j = 0; j < kIn[l]; j += 16)
          for (int k = 0; k < 16; ++k) part[k] += row[j + k] * x[j + k];
        for (int k = 0; k < 16; ++k) sum += part[k];
        y[i] = sum + b[l][i];
      }
    t[2] = now_us();
    for (int l = 0; l < kLayers; ++l)
      for (int i = 0; i < kOut[l]; ++i) {
        float* row = g[l] + (size_t)i * kIn[l];
        const float u = y[i] * 1e-3f;
        for (int j = 0; j < kIn[l]; ++j) row[j] += u * x[j];
        bg[l][i] += u;
      }
    t[3] = now_us();
    for (int l = 0; l < kLayers; ++l) {
      size_t n = (size_t)kOut[l] * kIn[l];
      for (size_t i = 0; i < n; ++i) {
        const float v = m[l][i] * 0.9f + g[l][i];
        m[l][i] = v;
        w[l][i] -= 0.01f * v;
      }
      for (int i = 0; i < kOut[l]; ++i) {
        const float v = bm[l][i] * 0.9f + bg[l][i];
        bm[l][i] = v;
        b[l][i] -= 0.01f * v;
      }
    }
    t[4] = now_us();
    for (int k = 0; k < 4; ++k)
      if (t[k + 1] - t[k] < best[k]) best[k] = t[k + 1] - t[k];
    sink += y[0];
  }
  fprintf(stderr, "zero_grad %.1f us, forward %.1f us, gradient accumulation %.1f us, SGD step %.1f us\n", best[0],
          best[1], best[2], best[3]);
  printf("%.1f\n", best[0] + best[1] + best[2] + best[3]);
  return 0;
}
