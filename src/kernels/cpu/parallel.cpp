// The thread count shared by ember's kernels and OpenBLAS.
#include "kernels/cpu/parallel.h"

#include <cblas.h>

#include "ember/core/error.h"

namespace ember {
namespace kernels {
namespace {
int g_threads = 0;  // 0: not set yet, use OpenMP's default
}
int num_threads() {
  if (g_threads == 0) g_threads = omp_get_max_threads();
  return g_threads;
}
}  // namespace kernels

void set_num_threads(int64_t n) {
  EMBER_CHECK(n > 0, "Expected positive number of threads");
  openblas_set_num_threads(static_cast<int>(n));
  omp_set_num_threads(static_cast<int>(n));
  kernels::g_threads = static_cast<int>(n);
}
int64_t get_num_threads() { return kernels::num_threads(); }

}  // namespace ember
