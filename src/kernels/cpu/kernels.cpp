// Copy/convert, fill, GEMM (ember's SGEMM for float, OpenBLAS for double) and the random fills.
#include "kernels/cpu/kernels.h"

#include <cmath>
#include <mutex>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/openblas.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/sgemm.h"

namespace ember {
namespace kernels {

void copy(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    if (dst.nbytes()) std::memmove(dst.data_ptr(), src.data_ptr(), dst.nbytes());
    return;
  }
  visit_dtype(dst.dtype(), "copy_", [&](auto out_tag) {
    using Out = decltype(out_tag);
    visit_dtype(src.dtype(), "copy_", [&](auto in_tag) {
      using In = decltype(in_tag);
      pointwise<Out, In>(dst, [](In v) { return convert<Out>(v); }, src);
    });
  });
}

void fill(const Tensor& dst, const Scalar& value) {
  visit_dtype(dst.dtype(), "fill_", [&](auto tag) {
    using T = decltype(tag);
    const T v = value.to<T>();
    // Zero (not -0.0) is all bits zero in every dtype: zero_grad's fill is one memset.
    if (dst.is_contiguous() && v == T(0) && !std::signbit(static_cast<double>(v))) {
      if (dst.nbytes()) std::memset(dst.data_ptr(), 0, dst.nbytes());
      return;
    }
    pointwise<T>(dst, [v]() { return v; });
  });
}

namespace {
// One product on the calling thread: float on ember's own SGEMM (sgemm.cpp, faster than this
// machine's OpenBLAS on every shape class measured), double on OpenBLAS, which runs on the calling
// thread (openblas.h): the parallelism is the pool's (gemm below).
template <typename T>
void blas_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
               int64_t ldb, T beta, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    const auto op = [](bool t) { return t ? CblasTrans : CblasNoTrans; };
    openblas::api().dgemm(CblasRowMajor, op(ta), op(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

// Multiply-adds below which a product runs on one thread (about 40 microseconds of work): the MLP
// step at batch 8 (784x256 by 8) measured slower when split over 2 threads.
constexpr double kParallelGemmWork = 1 << 22;
}  // namespace

template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
          int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // C = beta * C, and 0 where beta is 0 even over NaN (BLAS leaves this case to the caller)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : static_cast<T>(beta * c[i * ldc + j]);
    return;
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    const int nt = num_threads();
    if (nt == 1 || in_parallel_region() || static_cast<double>(m) * n * k < kParallelGemmWork) {
      blas_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    } else if (n >= m) {  // one block of C's columns per thread
      parallel_for(0, n, (n + nt - 1) / nt, [&](int64_t j0, int64_t j1) {
        blas_gemm(ta, tb, m, j1 - j0, k, alpha, a, lda, tb ? b + j0 * ldb : b + j0, ldb, beta, c + j0, ldc);
      });
    } else {  // one block of C's rows per thread
      parallel_for(0, m, (m + nt - 1) / nt, [&](int64_t i0, int64_t i1) {
        blas_gemm(ta, tb, i1 - i0, n, k, alpha, ta ? a + i0 : a + i0 * lda, lda, b, ldb, beta, c + i0 * ldc, ldc);
      });
    }
  } else {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T acc = 0;
        for (int64_t p = 0; p < k; ++p) acc += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
        c[i * ldc + j] = static_cast<T>(alpha * acc + (beta == T(0) ? T(0) : beta * c[i * ldc + j]));
      }
  }
}
template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                          float, float*, int64_t);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t, const double*,
                           int64_t, double, double*, int64_t);
template void gemm<int64_t>(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*, int64_t, const int64_t*,
                            int64_t, int64_t, int64_t*, int64_t);
template void gemm<int32_t>(bool, bool, int64_t, int64_t, int64_t, int32_t, const int32_t*, int64_t, const int32_t*,
                            int64_t, int32_t, int32_t*, int64_t);
template void gemm<uint8_t>(bool, bool, int64_t, int64_t, int64_t, uint8_t, const uint8_t*, int64_t, const uint8_t*,
                            int64_t, uint8_t, uint8_t*, int64_t);

// Random fills run serially in element order so a seed gives the same numbers as PyTorch's
// CPU generator for contiguous tensors.
void uniform(const Tensor& dst, double from, double to, Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  visit_floating(dst.dtype(), "uniform_", [&](auto tag) {
    using T = decltype(tag);
    T* p = dst.data_ptr<T>();
    const int64_t n = dst.numel();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, float>) p[i] = static_cast<float>(gen.uniform_float() * (to - from) + from);
      else p[i] = gen.uniform_double() * (to - from) + from;
    }
  });
}

void normal(const Tensor& dst, double mean, double std, Generator& gen) {
  visit_floating(dst.dtype(), "normal_", [&](auto tag) {
    using T = decltype(tag);
    T* p = dst.data_ptr<T>();
    const int64_t n = dst.numel();
    // Box-Muller on blocks of 16 uniforms; the tail recomputes the last full block.
    auto fill16 = [&](T* d) {
      for (int j = 0; j < 8; ++j) {
        const double u1 = 1 - static_cast<double>(d[j]);
        const double u2 = static_cast<double>(d[j + 8]);
        const double radius = std::sqrt(-2 * std::log(u1));
        const double theta = 2.0 * M_PI * u2;
        d[j] = static_cast<T>(radius * std::cos(theta) * std + mean);
        d[j + 8] = static_cast<T>(radius * std::sin(theta) * std + mean);
      }
    };
    if (n >= 16) {
      uniform(dst, 0, 1, gen);
      for (int64_t i = 0; i + 16 <= n; i += 16) fill16(p + i);
      if (n % 16 != 0) {
        T* tail = p + n - 16;
        std::lock_guard<std::mutex> lock(gen.mutex());
        for (int j = 0; j < 16; ++j) {
          if constexpr (std::is_same_v<T, float>) tail[j] = gen.uniform_float();
          else tail[j] = static_cast<T>(gen.uniform_double());
        }
        fill16(tail);
      }
      return;
    }
    std::lock_guard<std::mutex> lock(gen.mutex());
    for (int64_t i = 0; i < n; ++i) {
      auto& cached = gen.cached_normal();
      double z;
      if (cached) {
        z = *cached;
        cached.reset();
      } else {
        const double u1 = gen.uniform_double();
        const double u2 = gen.uniform_double();
        const double r = std::sqrt(-2 * std::log1p(-u2));
        const double theta = 2.0 * M_PI * u1;
        cached = r * std::sin(theta);
        z = r * std::cos(theta);
      }
      p[i] = static_cast<T>(z * std + mean);
    }
  });
}

}  // namespace kernels
}  // namespace ember
