// parallel_for over an index range (OpenMP; small ranges run inline) and the shared thread count.
#pragma once
#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace ember {
namespace kernels {

int num_threads();

// Calls fn(begin, end) on chunks of at least `grain` indices; runs inline when the range is
// smaller than one grain, when only one thread is set, or inside another parallel region.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& fn) {
  int64_t n = end - begin;
  if (n <= 0) return;
  int nt = num_threads();
  if (n <= grain || nt <= 1 || omp_in_parallel()) {
    fn(begin, end);
    return;
  }
  int64_t chunks = std::min<int64_t>(nt, (n + grain - 1) / grain);
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    int64_t t = omp_get_thread_num();
    int64_t step = (n + chunks - 1) / chunks;
    int64_t b = begin + t * step;
    int64_t e = std::min(end, b + step);
    if (b < e) fn(b, e);
  }
}

}  // namespace kernels
}  // namespace ember
