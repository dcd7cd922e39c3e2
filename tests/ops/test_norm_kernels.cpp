// layer norm's SIMD forward (kernels/cpu/norm.h) against a double-precision reference, on every
// instruction set compiled in and supported here: row lengths 0..70 and a few large ones (every
// vector tail and the four-accumulator body), 1 to 3 rows, each offset within a 64-byte line, with
// and without weight and bias, NaN and inf in a row. Bounds (u the unit roundoff of T, e = 2^-53):
//   mean: u |mean| + (n + 4) e mean(|x|)   (a double sum of n terms, rounded once to T);
//   rstd: relative 2u + (2n + 8) e          (two double passes, a division and a square root);
//   y, against (x s + t) w + b in long double from the kernel's own s = rstd and t = -rstd * mean in T:
//      2u (|x s| + |t|) |w| + 2u (|(x s + t) w| + |b|)   (one fused multiply-add, a product, a sum).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/norm.h"
#include "ops/simd_targets.h"

namespace {

template <typename T>
void check_rows(const std::vector<T>& xbuf, size_t offset, int64_t rows, int64_t n, const T* w, const T* b,
                double eps, const std::string& where) {
  const T* x = xbuf.data() + offset;
  const T sentinel = T(-12345.5);
  std::vector<T> y(static_cast<size_t>(rows * n) + 8, sentinel), mean(static_cast<size_t>(rows) + 1, sentinel),
      rstd(static_cast<size_t>(rows) + 1, sentinel);
  ember::kernels::layer_norm_rows<T>(x, w, b, y.data(), mean.data(), rstd.data(), rows, n, eps);
  const double u = std::numeric_limits<T>::epsilon() / 2, e = 0x1p-53;
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    const std::string at = where + " row " + std::to_string(r);
    double sum = 0, abs_sum = 0;
    bool special = false;
    for (int64_t j = 0; j < n; ++j) {
      sum += xr[j];
      abs_sum += std::fabs(static_cast<double>(xr[j]));
      special = special || !std::isfinite(xr[j]);
    }
    const double m = n > 0 ? sum / static_cast<double>(n) : 0.0;
    double ss = 0;
    for (int64_t j = 0; j < n; ++j) ss += (xr[j] - m) * (xr[j] - m);
    const double var = n > 0 ? ss / static_cast<double>(n) : 0.0;
    const double rs = 1.0 / std::sqrt(var + eps);
    const T gm = mean[static_cast<size_t>(r)], gr = rstd[static_cast<size_t>(r)];
    if (special) {  // NaN or inf in the row: the variance is NaN, and so is every output
      ASSERT_TRUE(std::isnan(gr)) << at;
      for (int64_t j = 0; j < n; ++j) ASSERT_TRUE(std::isnan(y[static_cast<size_t>(r * n + j)])) << at << " j " << j;
      continue;
    }
    const double mean_abs = n > 0 ? abs_sum / static_cast<double>(n) : 0.0;
    ASSERT_LE(std::fabs(gm - m), u * std::fabs(m) + (n + 4) * e * mean_abs) << at << " mean";
    ASSERT_LE(std::fabs(gr - rs), (2 * u + (2 * n + 8) * e) * rs) << at << " rstd";
    const T t = -gr * gm;
    for (int64_t j = 0; j < n; ++j) {  // in long double, so that for T = double the reference's own rounding is negligible
      const long double xs = static_cast<long double>(xr[j]) * gr;
      const long double wj = w ? w[j] : 1.0L, bj = b ? b[j] : 0.0L;
      const long double ref = (xs + t) * wj + bj;
      const long double bound = 2 * u * (std::fabs(xs) + std::fabs(t)) * std::fabs(wj) +
                                2 * u * (std::fabs((xs + t) * wj) + std::fabs(bj)) + std::numeric_limits<T>::denorm_min();
      const T got = y[static_cast<size_t>(r * n + j)];
      ASSERT_LE(std::fabs(got - ref), bound) << at << " y[" << j << "] = " << got << ", expected " << static_cast<double>(ref);
    }
  }
  for (size_t i = static_cast<size_t>(rows * n); i < y.size(); ++i) ASSERT_EQ(y[i], sentinel) << where << " past y";
  ASSERT_EQ(mean[static_cast<size_t>(rows)], sentinel) << where << " past mean";
  ASSERT_EQ(rstd[static_cast<size_t>(rows)], sentinel) << where << " past rstd";
}

template <typename T>
void check_all() {
  std::mt19937 gen(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  const size_t line = 64 / sizeof(T);
  std::vector<int64_t> lengths;
  for (int64_t n = 0; n <= 70; ++n) lengths.push_back(n);
  for (int64_t n : {255, 1000, 1024, 1031}) lengths.push_back(n);
  for (int64_t n : lengths) {
    const int64_t rows = 1 + n % 3;
    std::vector<T> xbuf(static_cast<size_t>(rows * n) + line), w(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    // Rows centred away from zero, so the mean matters: (x - mean) cancels most of x.
    for (auto& v : xbuf) v = static_cast<T>(3.0 + 2.0 * normal(gen));
    for (auto& v : w) v = static_cast<T>(1.0 + 0.5 * normal(gen));
    for (auto& v : b) v = static_cast<T>(0.5 * normal(gen));
    for (size_t offset : {size_t(0), size_t(1), line / 2 + 1, line - 1}) {
      const std::string where = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
      check_rows<T>(xbuf, offset, rows, n, w.data(), b.data(), 1e-5, where + " w b");
      check_rows<T>(xbuf, offset, rows, n, w.data(), nullptr, 1e-5, where + " w");
      check_rows<T>(xbuf, offset, rows, n, nullptr, b.data(), 1e-5, where + " b");
      check_rows<T>(xbuf, offset, rows, n, nullptr, nullptr, 0.1, where + " none, eps 0.1");
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  // A constant row (variance 0: rstd = 1 / sqrt(eps)), and NaN / inf in one row of three.
  for (int64_t n : {1, 7, 33, 100}) {
    std::vector<T> xbuf(static_cast<size_t>(3 * n), T(2.5));
    check_rows<T>(xbuf, 0, 3, n, nullptr, nullptr, 1e-5, "constant n=" + std::to_string(n));
    for (T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()}) {
      for (auto& v : xbuf) v = static_cast<T>(normal(gen));
      xbuf[static_cast<size_t>(n + n / 2)] = bad;
      check_rows<T>(xbuf, 0, 3, n, nullptr, nullptr, 1e-5, "special n=" + std::to_string(n));
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NormKernels, LayerNormRowsFloatEveryTarget) {
  for_each_target([] { check_all<float>(); });
}
TEST(NormKernels, LayerNormRowsDoubleEveryTarget) {
  for_each_target([] { check_all<double>(); });
}

}  // namespace
