// best_us: microseconds per call of body, the best of 5 repetitions of n calls.
#pragma once
#include <algorithm>
#include <chrono>

template <typename F>
double best_us(int n, const F& body) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) body();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::micro>(t1 - t0).count() / n);
  }
  return best;
}
