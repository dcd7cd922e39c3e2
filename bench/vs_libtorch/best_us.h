// best_us: microseconds per call of body, the best of 5 repetitions of n calls. Wall time; with
// BENCH_CPU_TIME=1 in the environment, the process's CPU time instead, which a shared, loaded
// machine disturbs far less (meaningful for one-thread runs only: it sums all threads).
#pragma once
#include <time.h>

#include <algorithm>
#include <cstdlib>

inline double bench_now_us() {
  static const bool cpu = std::getenv("BENCH_CPU_TIME") != nullptr;
  timespec ts{};
  clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

template <typename F>
double best_us(int n, const F& body) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = bench_now_us();
    for (int i = 0; i < n; ++i) body();
    best = std::min(best, (bench_now_us() - t0) / n);
  }
  return best;
}
