// The thread count shared by ember's kernels and OpenBLAS.
#include "kernels/cpu/parallel.h"

#include <cblas.h>

#include <atomic>

#include "ember/core/error.h"

namespace ember {
namespace kernels {
namespace {
// 0: not set yet, use OpenMP's default. Atomic: data-loader workers may ask while the main thread sets it.
std::atomic<int> g_threads{0};
}
int num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = omp_get_max_threads();
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}
}  // namespace kernels

void set_num_threads(int64_t n) {
  EMBER_CHECK(n > 0, "Expected positive number of threads");
  openblas_set_num_threads(static_cast<int>(n));
  omp_set_num_threads(static_cast<int>(n));
  kernels::g_threads.store(static_cast<int>(n), std::memory_order_relaxed);
}
int64_t get_num_threads() { return kernels::num_threads(); }

}  // namespace ember
