// Layer norm's forward (see norm.h), compiled once per Highway target (foreach_target.h re-includes
// this file); HWY_DYNAMIC_DISPATCH picks the best one at run time. Per row: the sum and the squared
// deviations in double vectors (float rows are widened half a vector at a time), four independent
// accumulators per pass so the adds do not wait on each other, then one pass per element of a fused
// x * rstd + (-rstd * mean), times the weight, plus the bias. The row is read from memory once; the
// later passes find it in L1.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/norm.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels/cpu/norm.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Sum over i < n of f(x[i]) in double, f applied to double vectors (and to the scalar tail).
template <typename T, class F>
HWY_INLINE double RowSum(const T* HWY_RESTRICT x, size_t n, const F& f) {
  const hn::ScalableTag<double> dd;
  const size_t N = hn::Lanes(dd);
  auto load = [&](size_t i) {
    if constexpr (std::is_same_v<T, float>) {
      const hn::Rebind<float, decltype(dd)> df;  // as many floats as dd has doubles
      return hn::PromoteTo(dd, hn::LoadU(df, x + i));
    } else {
      return hn::LoadU(dd, x + i);
    }
  };
  auto s0 = hn::Zero(dd), s1 = hn::Zero(dd), s2 = hn::Zero(dd), s3 = hn::Zero(dd);
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    s0 = hn::Add(s0, f(dd, load(i)));
    s1 = hn::Add(s1, f(dd, load(i + N)));
    s2 = hn::Add(s2, f(dd, load(i + 2 * N)));
    s3 = hn::Add(s3, f(dd, load(i + 3 * N)));
  }
  for (; i + N <= n; i += N) s0 = hn::Add(s0, f(dd, load(i)));
  double sum = hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
  const hn::CappedTag<double, 1> d1;
  for (; i < n; ++i) sum += hn::GetLane(f(d1, hn::Set(d1, static_cast<double>(x[i]))));
  return sum;
}

template <typename T, bool kHasW, bool kHasB>
void LayerNormRows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, size_t rows, size_t n, double eps) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  for (size_t r = 0; r < rows; ++r, x += n, y += n) {
    const double m = n > 0 ? RowSum(x, n, [](auto, auto v) { return v; }) / static_cast<double>(n) : 0.0;
    const double ss = RowSum(x, n, [m](auto dd, auto v) {
      const auto dv = hn::Sub(v, hn::Set(dd, m));
      return hn::Mul(dv, dv);
    });
    const double var = n > 0 ? ss / static_cast<double>(n) : 0.0;
    mean[r] = static_cast<T>(m);
    rstd[r] = static_cast<T>(1.0 / std::sqrt(std::max(var, 0.0) + eps));
    const T shift = -rstd[r] * mean[r];
    const auto vs = hn::Set(d, rstd[r]), vt = hn::Set(d, shift);
    auto out = [&](auto xv, size_t j) {
      auto v = hn::MulAdd(xv, vs, vt);
      if constexpr (kHasW) v = hn::Mul(v, hn::LoadU(d, w + j));
      if constexpr (kHasB) v = hn::Add(v, hn::LoadU(d, b + j));
      return v;
    };
    size_t j = 0;
    for (; j + N <= n; j += N) hn::StoreU(out(hn::LoadU(d, x + j), j), d, y + j);
    if (j < n) {  // the tail through buffers, so it takes the same arithmetic as the body
      const size_t rest = n - j;
      HWY_ALIGN T xb[hn::MaxLanes(d)] = {};
      HWY_ALIGN T wb[hn::MaxLanes(d)] = {};
      HWY_ALIGN T bb[hn::MaxLanes(d)] = {};
      std::memcpy(xb, x + j, rest * sizeof(T));
      auto v = hn::MulAdd(hn::Load(d, xb), vs, vt);
      if constexpr (kHasW) {
        std::memcpy(wb, w + j, rest * sizeof(T));
        v = hn::Mul(v, hn::Load(d, wb));
      }
      if constexpr (kHasB) {
        std::memcpy(bb, b + j, rest * sizeof(T));
        v = hn::Add(v, hn::Load(d, bb));
      }
      hn::Store(v, d, xb);
      std::memcpy(y + j, xb, rest * sizeof(T));
    }
  }
}

template <typename T>
void LayerNorm(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t n, double eps) {
  const size_t r = static_cast<size_t>(rows), c = static_cast<size_t>(n);
  if (w && b) return LayerNormRows<T, true, true>(x, w, b, y, mean, rstd, r, c, eps);
  if (w) return LayerNormRows<T, true, false>(x, w, b, y, mean, rstd, r, c, eps);
  if (b) return LayerNormRows<T, false, true>(x, w, b, y, mean, rstd, r, c, eps);
  LayerNormRows<T, false, false>(x, w, b, y, mean, rstd, r, c, eps);
}
void LayerNormF32(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd, int64_t rows,
                  int64_t n, double eps) {
  LayerNorm(x, w, b, y, mean, rstd, rows, n, eps);
}
void LayerNormF64(const double* x, const double* w, const double* b, double* y, double* mean, double* rstd,
                  int64_t rows, int64_t n, double eps) {
  LayerNorm(x, w, b, y, mean, rstd, rows, n, eps);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "kernels/cpu/loops.h"

namespace ember {
namespace kernels {

HWY_EXPORT(LayerNormF32);
HWY_EXPORT(LayerNormF64);

template <typename T>
void layer_norm_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t n,
                     double eps) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1));
  parallel_for(0, rows, grain, [&](int64_t s, int64_t e) {
    const int64_t off = s * n;
    if constexpr (std::is_same_v<T, float>)
      HWY_DYNAMIC_DISPATCH(LayerNormF32)(x + off, w, b, y + off, mean + s, rstd + s, e - s, n, eps);
    else
      HWY_DYNAMIC_DISPATCH(LayerNormF64)(x + off, w, b, y + off, mean + s, rstd + s, e - s, n, eps);
  });
}
template void layer_norm_rows<float>(const float*, const float*, const float*, float*, float*, float*, int64_t,
                                     int64_t, double);
template void layer_norm_rows<double>(const double*, const double*, const double*, double*, double*, double*,
                                      int64_t, int64_t, double);

}  // namespace kernels
}  // namespace ember
#endif  // HWY_ONCE
