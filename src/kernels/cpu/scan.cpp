// Cumulative product, running max/min and the mode of sorted rows (see scan.h).
#include "kernels/cpu/scan.h"

#include <cmath>
#include <type_traits>

#include "kernels/cpu/kernels.h"
#include "kernels/cpu/parallel.h"

namespace ember {
namespace kernels {

namespace {
template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return (static_cast<void>(v), false);
}
}  // namespace

void cumprod(const Tensor& src, const Tensor& out, int64_t outer, int64_t n, int64_t inner) {
  visit_dtype(src.dtype(), "cumprod", [&](auto tag) {
    using T = decltype(tag);
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    const T* p = src.data_ptr<T>();
    T* o = out.data_ptr<T>();
    parallel_for(0, outer * inner, 1 + 4096 / (n + 1), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t a = row / inner, i = row % inner;
        Acc acc = 1;
        for (int64_t k = 0; k < n; ++k) {
          const int64_t at = (a * n + k) * inner + i;
          acc *= static_cast<Acc>(p[at]);
          o[at] = convert<T>(acc);
        }
      }
    });
  });
}

void cum_extreme(const Tensor& src, const Tensor& values, const Tensor& indices, int64_t outer, int64_t n,
                 int64_t inner, bool is_max) {
  visit_dtype(src.dtype(), is_max ? "cummax" : "cummin", [&](auto tag) {
    using T = decltype(tag);
    const T* p = src.data_ptr<T>();
    T* v = values.data_ptr<T>();
    int64_t* ix = indices.data_ptr<int64_t>();
    parallel_for(0, outer * inner, 1 + 4096 / (n + 1), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t a = row / inner, i = row % inner;
        if (n == 0) continue;
        T best = p[a * n * inner + i];
        int64_t where = 0;
        for (int64_t k = 0; k < n; ++k) {
          const int64_t at = (a * n + k) * inner + i;
          const T x = p[at];
          // >= (<=): a later equal value takes over the position, as PyTorch's kernel.
          if (is_nan(x) || (!is_nan(best) && (is_max ? x >= best : x <= best))) {
            best = x;
            where = k;
          }
          v[at] = best;
          ix[at] = where;
        }
      }
    });
  });
}

void mode_of_sorted_rows(const Tensor& sorted_values, const Tensor& sorted_indices, const Tensor& values,
                         const Tensor& indices, int64_t rows, int64_t n) {
  visit_dtype(sorted_values.dtype(), "mode", [&](auto tag) {
    using T = decltype(tag);
    const T* sv = sorted_values.data_ptr<T>();
    const int64_t* si = sorted_indices.data_ptr<int64_t>();
    T* v = values.data_ptr<T>();
    int64_t* ix = indices.data_ptr<int64_t>();
    parallel_for(0, rows, 1 + 4096 / (n + 1), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const T* row = sv + r * n;
        const int64_t* pos = si + r * n;
        int64_t best_count = 0, run = 0;
        for (int64_t k = 0; k < n; ++k) {
          ++run;
          if (k == n - 1 || !(row[k] == row[k + 1])) {
            if (run > best_count) {  // strictly more: the smallest of equally frequent values stays
              best_count = run;
              v[r] = row[k];
              ix[r] = pos[k];
            }
            run = 0;
          }
        }
      }
    });
  });
}

}  // namespace kernels
}  // namespace ember
