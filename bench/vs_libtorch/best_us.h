// best_us: microseconds per call of body, the best of several repetitions of n calls. Wall time; with
// BENCH_CPU_TIME=1 in the environment, the process's CPU time instead, which a shared, loaded
// machine disturbs far less (meaningful for one-thread runs only: it sums all threads).
// BENCH_REPS=k sets the repetitions (default 5); BENCH_SHORT=1 (run.sh --short) divides every call
// count by 10, so a run only shows that each workload builds and runs.
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

inline bool bench_short() {
  const char* s = std::getenv("BENCH_SHORT");
  return s != nullptr && *s != '\0' && *s != '0';
}

inline int bench_reps() {
  const char* s = std::getenv("BENCH_REPS");
  const int reps = s != nullptr ? std::atoi(s) : 0;
  return reps > 0 ? reps : 5;
}

// The thread count run.sh passes as the first argument (default 1).
inline int bench_threads(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1;
  return n > 0 ? n : 1;
}

template <typename F>
double best_us(int n, const F& body) {
  if (bench_short()) n = std::max(1, n / 10);
  body();  // warm-up: first-touch allocations, lazily built kernels and thread pools
  double best = 1e30;
  for (int rep = 0, reps = bench_reps(); rep < reps; ++rep) {
    const double t0 = bench_now_us();
    for (int i = 0; i < n; ++i) body();
    best = std::min(best, (bench_now_us() - t0) / n);
  }
  return best;
}
