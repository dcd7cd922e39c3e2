// SIMD elementwise kernels: this file is compiled once per Highway target (foreach_target.h
// re-includes it), and HWY_DYNAMIC_DISPATCH picks the best one the CPU supports at run time.
// On x86: SSE4, AVX2, AVX-512 and the portable baseline; SSSE3 and AVX3_DL would add compile time
// for no kernel here that gains from them.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/elementwise.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/elementwise-inl.h"

// ---------------------------------------------------------------- scalar reference (once)
#ifndef EMBER_ELEMENTWISE_SCALAR_ONCE
#define EMBER_ELEMENTWISE_SCALAR_ONCE
namespace ember {
namespace kernels {
namespace detail {
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kGeluCubic = 0.044715;
constexpr double kInvSqrt2Pi = 0.3989422804014327;  // 1 / sqrt(2 pi)
}  // namespace detail

template <typename T>
T unary_reference(UnaryOp op, T v) {
  const double d = static_cast<double>(v);
  switch (op) {
    case UnaryOp::Exp: return std::exp(v);
    case UnaryOp::Log: return std::log(v);
    case UnaryOp::Tanh: return std::tanh(v);
    case UnaryOp::Sigmoid: return T(1) / (T(1) + std::exp(-v));
    case UnaryOp::Relu: return v <= T(0) ? T(0) : v;  // NaN stays NaN
    case UnaryOp::GeluErf: return static_cast<T>(0.5 * d * (1 + std::erf(d / detail::kSqrt2)));
    case UnaryOp::GeluTanh:  // 0.5 x (1 + tanh u) = x / (1 + exp(-2u)), without the cancellation for x < 0
      return static_cast<T>(d / (1 + std::exp(-2 * detail::kSqrt2OverPi * (d + detail::kGeluCubic * d * d * d))));
    case UnaryOp::Silu: return static_cast<T>(d / (1 + std::exp(-d)));
    case UnaryOp::Sqrt: return std::sqrt(v);
    case UnaryOp::Neg: return -v;
    case UnaryOp::Abs: return std::abs(v);
    default: return v;
  }
}

template <typename T>
T unary_backward_reference(UnaryOp op, T y, T grad) {
  switch (op) {
    case UnaryOp::SigmoidBackward: return grad * y * (T(1) - y);
    case UnaryOp::TanhBackward: return grad * (T(1) - y * y);
    case UnaryOp::ReluBackward: return y <= T(0) ? T(0) : grad;  // a NaN result passes the gradient, as in PyTorch
    case UnaryOp::GeluErfBackward: {  // y is the input x here; erfc keeps Phi(x) accurate for x << 0
      const double x = static_cast<double>(y);
      const double cdf = 0.5 * std::erfc(-x / detail::kSqrt2);
      return static_cast<T>(static_cast<double>(grad) * (cdf + x * std::exp(-0.5 * x * x) * detail::kInvSqrt2Pi));
    }
    default: return grad;
  }
}

template float unary_reference(UnaryOp, float);
template double unary_reference(UnaryOp, double);
template float unary_backward_reference(UnaryOp, float, float);
template double unary_backward_reference(UnaryOp, double, double);
}  // namespace kernels
}  // namespace ember
#endif

// ---------------------------------------------------------------- per-target SIMD code

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Each op: Apply(d, x) for the vector result, Special(d, x) for the lanes it cannot do accurately
// (recomputed by unary_reference). kOp names the scalar reference.
struct ExpOp {
  static constexpr UnaryOp kOp = UnaryOp::Exp;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    return hn::Exp(d, x);
  }
  // Outside this range the result overflows or is denormal (or x is NaN).
  template <class D, class V>
  static auto Special(D d, V x) {
    using T = hn::TFromD<D>;
    const V lo = hn::Set(d, static_cast<T>(kIsF32<T> ? -87.0 : -708.0));
    const V hi = hn::Set(d, static_cast<T>(kIsF32<T> ? 88.0 : 709.0));
    return hn::Not(hn::And(hn::Ge(x, lo), hn::Le(x, hi)));
  }
};

struct LogOp {
  static constexpr UnaryOp kOp = UnaryOp::Log;
  static constexpr bool kSpecial = false;
  // Highway's Log scales denormals itself; the edge values are set here, in the vector, so inputs
  // with many negatives (NaN results) cost no scalar fallback: log(+-0) = -inf, log(x < 0) = NaN,
  // log(inf) = inf, log(NaN) = NaN.
  template <class D, class V>
  static V Apply(D d, V x) {
    using T = hn::TFromD<D>;
    V r = hn::Log(d, x);
    r = hn::IfThenElse(hn::Eq(x, hn::Zero(d)), hn::Set(d, -std::numeric_limits<T>::infinity()), r);
    r = hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Set(d, std::numeric_limits<T>::quiet_NaN()), r);
    r = hn::IfThenElse(hn::Eq(x, hn::Set(d, std::numeric_limits<T>::infinity())), x, r);
    return hn::IfThenElse(hn::IsNaN(x), x, r);
  }
  template <class D, class V>
  static auto Special(D d, V) {
    return hn::FirstN(d, 0);
  }
};

struct TanhOp {
  static constexpr UnaryOp kOp = UnaryOp::Tanh;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    return hn::Tanh(d, x);
  }
  // NaN, and tiny inputs (where tanh x rounds to x; Expm1's form loses the low bits there).
  template <class D, class V>
  static auto Special(D d, V x) {
    using T = hn::TFromD<D>;
    return hn::Not(hn::Ge(hn::Abs(x), hn::Set(d, static_cast<T>(kIsF32<T> ? 0x1p-12 : 0x1p-27))));
  }
};

struct SigmoidOp {
  static constexpr UnaryOp kOp = UnaryOp::Sigmoid;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    using T = hn::TFromD<D>;
    const V one = hn::Set(d, T(1));
    return hn::Div(one, hn::Add(one, hn::Exp(d, hn::Neg(x))));
  }
  template <class D, class V>
  static auto Special(D d, V x) {
    return BelowOrNaN(d, x, kIsF32<hn::TFromD<D>> ? -87.0 : -708.0);
  }
};

struct SiluOp {
  static constexpr UnaryOp kOp = UnaryOp::Silu;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    using T = hn::TFromD<D>;
    return hn::Div(x, hn::Add(hn::Set(d, T(1)), hn::Exp(d, hn::Neg(x))));
  }
  template <class D, class V>
  static auto Special(D d, V x) {
    return BelowOrNaN(d, x, kIsF32<hn::TFromD<D>> ? -87.0 : -708.0);
  }
};

// x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the tanh form without the cancellation of
// 1 + tanh(u) for negative x.
struct GeluTanhOp {
  static constexpr UnaryOp kOp = UnaryOp::GeluTanh;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    using T = hn::TFromD<D>;
    const V x2 = hn::Mul(x, x);
    const V inner = hn::Mul(hn::Mul(x, hn::Set(d, static_cast<T>(-2 * detail::kSqrt2OverPi))),
                            hn::MulAdd(x2, hn::Set(d, static_cast<T>(detail::kGeluCubic)), hn::Set(d, T(1))));
    return hn::Div(x, hn::Add(hn::Set(d, T(1)), hn::Exp(d, inner)));
  }
  // Below the bound exp(-2u) overflows; there the result is tiny and the reference gives it.
  template <class D, class V>
  static auto Special(D d, V x) {
    return BelowOrNaN(d, x, kIsF32<hn::TFromD<D>> ? -9.0 : -20.0);
  }
};

struct ReluOp {
  static constexpr UnaryOp kOp = UnaryOp::Relu;
  static constexpr bool kSpecial = false;
  template <class D, class V>
  static V Apply(D d, V x) {
    return hn::IfThenZeroElse(hn::Le(x, hn::Zero(d)), x);  // NaN compares false: kept
  }
  template <class D, class V>
  static auto Special(D d, V) {
    return hn::FirstN(d, 0);
  }
};
struct SqrtOp {
  static constexpr UnaryOp kOp = UnaryOp::Sqrt;
  static constexpr bool kSpecial = false;
  template <class D, class V>
  static V Apply(D, V x) {
    return hn::Sqrt(x);
  }
  template <class D, class V>
  static auto Special(D d, V) {
    return hn::FirstN(d, 0);
  }
};
struct NegOp {
  static constexpr UnaryOp kOp = UnaryOp::Neg;
  static constexpr bool kSpecial = false;
  template <class D, class V>
  static V Apply(D, V x) {
    return hn::Neg(x);
  }
  template <class D, class V>
  static auto Special(D d, V) {
    return hn::FirstN(d, 0);
  }
};
struct AbsOp {
  static constexpr UnaryOp kOp = UnaryOp::Abs;
  static constexpr bool kSpecial = false;
  template <class D, class V>
  static V Apply(D, V x) {
    return hn::Abs(x);
  }
  template <class D, class V>
  static auto Special(D d, V) {
    return hn::FirstN(d, 0);
  }
};

template <typename T>
void UnaryContiguous(UnaryOp op, const T* x, T* y, int64_t n) {
  const size_t m = static_cast<size_t>(n);
  switch (op) {
    case UnaryOp::Exp: return UnaryLoop<ExpOp>(x, y, m);
    case UnaryOp::Log: return UnaryLoop<LogOp>(x, y, m);
    case UnaryOp::Tanh: return UnaryLoop<TanhOp>(x, y, m);
    case UnaryOp::Sigmoid: return UnaryLoop<SigmoidOp>(x, y, m);
    case UnaryOp::Relu: return StreamUnaryLoop<ReluOp>(x, y, m);
    case UnaryOp::GeluTanh: return UnaryLoop<GeluTanhOp>(x, y, m);
    case UnaryOp::Silu: return UnaryLoop<SiluOp>(x, y, m);
    case UnaryOp::Sqrt: return UnaryLoop<SqrtOp>(x, y, m);
    case UnaryOp::Neg: return StreamUnaryLoop<NegOp>(x, y, m);
    case UnaryOp::Abs: return StreamUnaryLoop<AbsOp>(x, y, m);
    default: break;
  }
  for (size_t i = 0; i < m; ++i) y[i] = unary_reference(op, x[i]);
}
void UnaryF32(UnaryOp op, const float* x, float* y, int64_t n) { UnaryContiguous(op, x, y, n); }
void UnaryF64(UnaryOp op, const double* x, double* y, int64_t n) { UnaryContiguous(op, x, y, n); }

// Backward ops: out = f(y, grad); no special lanes (plain arithmetic, same order as the reference).
// Memory-bound, so in StreamTag vectors.
template <typename T, class F>
HWY_INLINE void BackwardLoop(const T* HWY_RESTRICT y, const T* HWY_RESTRICT g, T* out, size_t n, const F& f) {
  const StreamTag<T> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(f(d, hn::LoadU(d, y + i), hn::LoadU(d, g + i)), d, out + i);
  if (i < n) {
    HWY_ALIGN T yb[hn::MaxLanes(d)] = {};
    HWY_ALIGN T gb[hn::MaxLanes(d)] = {};
    std::memcpy(yb, y + i, (n - i) * sizeof(T));
    std::memcpy(gb, g + i, (n - i) * sizeof(T));
    hn::Store(f(d, hn::Load(d, yb), hn::Load(d, gb)), d, yb);
    std::memcpy(out + i, yb, (n - i) * sizeof(T));
  }
}

template <typename T>
void BackwardContiguous(UnaryOp op, const T* y, const T* g, T* out, int64_t n) {
  const size_t m = static_cast<size_t>(n);
  switch (op) {
    case UnaryOp::SigmoidBackward:
      return BackwardLoop(y, g, out, m, [](auto d, auto yv, auto gv) {
        return hn::Mul(hn::Mul(gv, yv), hn::Sub(hn::Set(d, hn::TFromD<decltype(d)>(1)), yv));
      });
    case UnaryOp::TanhBackward:
      return BackwardLoop(y, g, out, m, [](auto d, auto yv, auto gv) {
        return hn::Mul(gv, hn::Sub(hn::Set(d, hn::TFromD<decltype(d)>(1)), hn::Mul(yv, yv)));
      });
    case UnaryOp::ReluBackward:
      return BackwardLoop(y, g, out, m,
                          [](auto d, auto yv, auto gv) { return hn::IfThenZeroElse(hn::Le(yv, hn::Zero(d)), gv); });
    default: break;
  }
  for (size_t i = 0; i < m; ++i) out[i] = unary_backward_reference(op, y[i], g[i]);
}
void BackwardF32(UnaryOp op, const float* y, const float* g, float* out, int64_t n) {
  BackwardContiguous(op, y, g, out, n);
}
void BackwardF64(UnaryOp op, const double* y, const double* g, double* out, int64_t n) {
  BackwardContiguous(op, y, g, out, n);
}

// Binary arithmetic; a or b may be one broadcast value (step 0). Memory-bound, so in StreamTag
// vectors; division too (2^20 floats on Zen 4: 171-173 us at 256 bits, 183-205 at 512).
template <typename T, class F>
HWY_INLINE void BinaryLoop(const T* a, bool a_one, const T* b, bool b_one, T* out, size_t n, const F& f) {
  const StreamTag<T> d;
  const size_t N = hn::Lanes(d);
  const auto av = hn::Set(d, a[0]);
  const auto bv = hn::Set(d, b[0]);
  size_t i = 0;
  auto step = [&](size_t k) {
    const auto x = a_one ? av : hn::LoadU(d, a + k);
    const auto y = b_one ? bv : hn::LoadU(d, b + k);
    return f(d, x, y);
  };
  for (; i + N <= n; i += N) hn::StoreU(step(i), d, out + i);
  if (i < n) {
    HWY_ALIGN T ab[hn::MaxLanes(d)] = {};
    HWY_ALIGN T bb[hn::MaxLanes(d)] = {};
    const size_t rest = n - i;
    if (!a_one) std::memcpy(ab, a + i, rest * sizeof(T));
    if (!b_one) std::memcpy(bb, b + i, rest * sizeof(T));
    const auto x = a_one ? av : hn::Load(d, ab);
    const auto y = b_one ? bv : hn::Load(d, bb);
    hn::Store(f(d, x, y), d, ab);
    std::memcpy(out + i, ab, rest * sizeof(T));
  }
}

template <typename T, class F>
HWY_INLINE void BinaryLayouts(const T* a, int64_t a_step, const T* b, int64_t b_step, T* out, size_t n, const F& f) {
  if (a_step == 0 && b_step == 0) return BinaryLoop(a, true, b, true, out, n, f);
  if (a_step == 0) return BinaryLoop(a, true, b, false, out, n, f);
  if (b_step == 0) return BinaryLoop(a, false, b, true, out, n, f);
  return BinaryLoop(a, false, b, false, out, n, f);
}

template <typename T>
void BinaryContiguous(BinaryOp op, const T* a, int64_t a_step, const T* b, int64_t b_step, T* out, int64_t n,
                      T alpha) {
  if (n <= 0) return;
  const size_t m = static_cast<size_t>(n);
  const bool unit = alpha == T(1);
  switch (op) {
    case BinaryOp::Add:
      if (unit) return BinaryLayouts(a, a_step, b, b_step, out, m, [](auto, auto x, auto y) { return hn::Add(x, y); });
      return BinaryLayouts(a, a_step, b, b_step, out, m,
                           [alpha](auto d, auto x, auto y) { return hn::Add(x, hn::Mul(hn::Set(d, alpha), y)); });
    case BinaryOp::Sub:
      if (unit) return BinaryLayouts(a, a_step, b, b_step, out, m, [](auto, auto x, auto y) { return hn::Sub(x, y); });
      return BinaryLayouts(a, a_step, b, b_step, out, m,
                           [alpha](auto d, auto x, auto y) { return hn::Sub(x, hn::Mul(hn::Set(d, alpha), y)); });
    case BinaryOp::Mul:
      return BinaryLayouts(a, a_step, b, b_step, out, m, [](auto, auto x, auto y) { return hn::Mul(x, y); });
    case BinaryOp::Div:
      return BinaryLayouts(a, a_step, b, b_step, out, m, [](auto, auto x, auto y) { return hn::Div(x, y); });
    default: break;
  }
}
void BinaryF32(BinaryOp op, const float* a, int64_t as, const float* b, int64_t bs, float* out, int64_t n, float al) {
  BinaryContiguous(op, a, as, b, bs, out, n, al);
}
void BinaryF64(BinaryOp op, const double* a, int64_t as, const double* b, int64_t bs, double* out, int64_t n,
               double al) {
  BinaryContiguous(op, a, as, b, bs, out, n, al);
}

// Softmax of one row, in three passes: max (and a finiteness check), exp(x - max) summed (and
// stored, for softmax), then scale or shift. A row holding inf or NaN takes the scalar path.
template <typename T>
bool SoftmaxRow(const T* HWY_RESTRICT x, T* HWY_RESTRICT y, size_t n, bool log) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  if (n < N) return false;
  auto mx = hn::Set(d, -std::numeric_limits<T>::infinity());
  auto check = hn::Zero(d);  // x * 0 summed: NaN when any x is inf or NaN
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, x + i);
    mx = hn::Max(mx, v);
    check = hn::MulAdd(v, hn::Zero(d), check);
  }
  if (i < n) {  // overlapping last vector
    const auto v = hn::LoadU(d, x + n - N);
    mx = hn::Max(mx, v);
    check = hn::MulAdd(v, hn::Zero(d), check);
  }
  if (!(hn::GetLane(hn::SumOfLanes(d, check)) == T(0))) return false;
  const T m = hn::GetLane(hn::MaxOfLanes(d, mx));
  const auto mv = hn::Set(d, m);
  // Exp's result is a normal number for x - m >= lo; below it the exact (denormal or zero) value
  // is written for softmax, and left out of the sum, where it cannot matter beside exp(0) = 1.
  const T lo_s = static_cast<T>(kIsF32<T> ? -87.0 : -708.0);
  const auto lo = hn::Set(d, lo_s);
  auto exp_store = [&](size_t k) {
    const auto s = hn::Sub(hn::LoadU(d, x + k), mv);
    const auto small = hn::Lt(s, lo);
    const auto e = hn::IfThenZeroElse(small, hn::Exp(d, s));
    if (!log) {
      hn::StoreU(e, d, y + k);
      if (!hn::AllFalse(d, small))
        for (size_t j = k; j < k + N; ++j)
          if (x[j] - m < lo_s) y[j] = std::exp(x[j] - m);
    }
    return e;
  };
  // The sum in double (float lanes widened), so it adds no error of its own at any row length.
  double total = 0;
#if HWY_TARGET == HWY_SCALAR
  for (i = 0; i + N <= n; i += N) total += static_cast<double>(hn::GetLane(exp_store(i)));
#else
  if constexpr (kIsF32<T>) {
    const hn::Repartition<double, decltype(d)> dd;
    const hn::Half<decltype(d)> dh;
    auto s0 = hn::Zero(dd), s1 = hn::Zero(dd);
    for (i = 0; i + N <= n; i += N) {
      const auto e = exp_store(i);
      s0 = hn::Add(s0, hn::PromoteTo(dd, hn::LowerHalf(dh, e)));
      s1 = hn::Add(s1, hn::PromoteTo(dd, hn::UpperHalf(dh, e)));
    }
    total = hn::GetLane(hn::SumOfLanes(dd, hn::Add(s0, s1)));
  } else {
    auto s0 = hn::Zero(d);
    for (i = 0; i + N <= n; i += N) s0 = hn::Add(s0, exp_store(i));
    total = hn::GetLane(hn::SumOfLanes(d, s0));
  }
#endif
  for (size_t j = i; j < n; ++j) {
    const T s = x[j] - m;
    total += std::exp(static_cast<double>(s));
    if (!log) y[j] = std::exp(s);
  }
  if (log) {
    const T lse = static_cast<T>(std::log(total));
    const auto lv = hn::Set(d, lse);
    for (i = 0; i + N <= n; i += N) hn::StoreU(hn::Sub(hn::Sub(hn::LoadU(d, x + i), mv), lv), d, y + i);
    for (size_t j = i; j < n; ++j) y[j] = x[j] - m - lse;
  } else {
    const T inv = static_cast<T>(1 / total);
    const auto iv = hn::Set(d, inv);
    for (i = 0; i + N <= n; i += N) hn::StoreU(hn::Mul(hn::LoadU(d, y + i), iv), d, y + i);
    for (size_t j = i; j < n; ++j) y[j] *= inv;
  }
  return true;
}

template <typename T>
void SoftmaxRows(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  const size_t m = static_cast<size_t>(n);
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    if (SoftmaxRow(xr, yr, m, log)) continue;
    // Scalar path (short rows, inf or NaN): max-shifted, sum in double as the op always did.
    T mx = -std::numeric_limits<T>::infinity();
    for (size_t k = 0; k < m; ++k) mx = std::max(mx, xr[k]);
    // A row of -inf keeps a finite shift (NaN either way); +inf makes the row NaN, as in PyTorch.
    if (mx == -std::numeric_limits<T>::infinity()) mx = 0;
    double sum = 0;
    for (size_t k = 0; k < m; ++k) sum += std::exp(static_cast<double>(xr[k] - mx));
    if (log) {
      const T lse = static_cast<T>(std::log(sum));
      for (size_t k = 0; k < m; ++k) yr[k] = xr[k] - mx - lse;
    } else {
      for (size_t k = 0; k < m; ++k) yr[k] = static_cast<T>(std::exp(static_cast<double>(xr[k] - mx)) / sum);
    }
  }
}
int64_t TargetInUse() { return HWY_TARGET; }

void SoftmaxF32(const float* x, float* y, int64_t rows, int64_t n, bool log) { SoftmaxRows(x, y, rows, n, log); }
void SoftmaxF64(const double* x, double* y, int64_t rows, int64_t n, bool log) { SoftmaxRows(x, y, rows, n, log); }

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

// ---------------------------------------------------------------- dispatch (once)
#if HWY_ONCE
#include "kernels/cpu/elementwise_gelu.h"
#include "kernels/cpu/loops.h"

namespace ember {
namespace kernels {

HWY_EXPORT(TargetInUse);
HWY_EXPORT(UnaryF32);
HWY_EXPORT(UnaryF64);
HWY_EXPORT(BackwardF32);
HWY_EXPORT(BackwardF64);
HWY_EXPORT(BinaryF32);
HWY_EXPORT(BinaryF64);
HWY_EXPORT(SoftmaxF32);
HWY_EXPORT(SoftmaxF64);

template <>
void unary_contiguous<float>(UnaryOp op, const float* x, float* y, int64_t n) {
  if (op == UnaryOp::GeluErf) return gelu_erf_f32(x, y, n);
  HWY_DYNAMIC_DISPATCH(UnaryF32)(op, x, y, n);
}
template <>
void unary_contiguous<double>(UnaryOp op, const double* x, double* y, int64_t n) {
  HWY_DYNAMIC_DISPATCH(UnaryF64)(op, x, y, n);
}
template <>
void unary_backward_contiguous<float>(UnaryOp op, const float* y, const float* g, float* out, int64_t n) {
  if (op == UnaryOp::GeluErfBackward) return gelu_erf_backward_f32(y, g, out, n);
  HWY_DYNAMIC_DISPATCH(BackwardF32)(op, y, g, out, n);
}
template <>
void unary_backward_contiguous<double>(UnaryOp op, const double* y, const double* g, double* out, int64_t n) {
  HWY_DYNAMIC_DISPATCH(BackwardF64)(op, y, g, out, n);
}
template <>
void binary_contiguous<float>(BinaryOp op, const float* a, int64_t as, const float* b, int64_t bs, float* out,
                              int64_t n, float alpha) {
  HWY_DYNAMIC_DISPATCH(BinaryF32)(op, a, as, b, bs, out, n, alpha);
}
template <>
void binary_contiguous<double>(BinaryOp op, const double* a, int64_t as, const double* b, int64_t bs, double* out,
                               int64_t n, double alpha) {
  HWY_DYNAMIC_DISPATCH(BinaryF64)(op, a, as, b, bs, out, n, alpha);
}
template <>
void softmax_rows<float>(const float* x, float* y, int64_t rows, int64_t n, bool log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxF32)(x, y, rows, n, log);
}
template <>
void softmax_rows<double>(const double* x, double* y, int64_t rows, int64_t n, bool log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxF64)(x, y, rows, n, log);
}

namespace {
bool simd_dtype(ScalarType t) { return t == kFloat || t == kDouble; }

// One element of BinaryContiguous, the same IEEE operations a lane does (this file is compiled
// without contraction, so x + alpha * y is not fused here either).
template <typename T>
T binary_one(BinaryOp op, T x, T y, T alpha) {
  switch (op) {
    case BinaryOp::Add:
      return alpha == T(1) ? x + y : x + alpha * y;
    case BinaryOp::Sub:
      return alpha == T(1) ? x - y : x - alpha * y;
    case BinaryOp::Mul:
      return x * y;
    case BinaryOp::Div:
      return x / y;
    default:
      break;
  }
  return x;  // BinaryOp::None never reaches here (binary and binary_scalar refuse it)
}

// out[i] = a[i * as] op alpha * b[i * bs] over n elements (steps 0 or 1), in parallel chunks; a
// single element (a scalar op under autograd) is computed here, without the SIMD dispatch.
template <typename T>
void binary_run(BinaryOp op, const T* ap, int64_t as, const T* bp, int64_t bs, T* o, int64_t n, T alpha) {
  if (n == 1) {
    *o = binary_one(op, *ap, *bp, alpha);
    return;
  }
  // Two cheap grains: parallel_for cuts a range of under two grains in two, and a 200K-element
  // parameter update or gradient accumulation (the MLP's first layer) measured slower split.
  parallel_for(0, n, 2 * kGrainCheap, [&](int64_t s, int64_t e) {
    binary_contiguous(op, ap + s * as, as, bp + s * bs, bs, o + s, e - s, alpha);
  });
}
}  // namespace

bool unary(UnaryOp op, const Tensor& out, const Tensor& in) {
  if (!simd_dtype(out.dtype()) || in.dtype() != out.dtype() || !out.is_contiguous() || !in.is_contiguous() ||
      in.numel() != out.numel())
    return false;
  const int64_t n = out.numel();
  if (n == 0) return true;
  const bool cheap = op == UnaryOp::Relu || op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sqrt;
  const int64_t grain = cheap ? kGrainCheap : kGrain;
  if (out.dtype() == kFloat) {
    const float* x = in.data_ptr<float>();
    float* y = out.data_ptr<float>();
    parallel_for(0, n, grain, [&](int64_t b, int64_t e) { unary_contiguous(op, x + b, y + b, e - b); });
  } else {
    const double* x = in.data_ptr<double>();
    double* y = out.data_ptr<double>();
    parallel_for(0, n, grain, [&](int64_t b, int64_t e) { unary_contiguous(op, x + b, y + b, e - b); });
  }
  return true;
}

bool unary_backward_accepts(const Tensor& y, const Tensor& grad) {
  return simd_dtype(y.dtype()) && grad.dtype() == y.dtype() && y.is_contiguous() && grad.is_contiguous() &&
         grad.sizes() == y.sizes();
}

bool unary_backward(UnaryOp op, const Tensor& out, const Tensor& y, const Tensor& grad) {
  if (!unary_backward_accepts(y, grad) || out.dtype() != y.dtype() || !out.is_contiguous() || out.sizes() != y.sizes())
    return false;
  const int64_t n = out.numel();
  if (n == 0) return true;
  visit_floating(y.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* yp = y.data_ptr<T>();
    const T* gp = grad.data_ptr<T>();
    T* o = out.data_ptr<T>();
    parallel_for(0, n, op == UnaryOp::GeluErfBackward ? kGrain : kGrainCheap,
                 [&](int64_t b, int64_t e) { unary_backward_contiguous(op, yp + b, gp + b, o + b, e - b); });
  });
  return true;
}

bool binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const ScalarType t = out.dtype();
  if (op == BinaryOp::None || !simd_dtype(t) || a.dtype() != t || b.dtype() != t || !out.is_contiguous()) return false;
  const int64_t n = out.numel();
  if (a.numel() != n && !is_broadcast_value(a)) return false;
  if (b.numel() != n && !is_broadcast_value(b)) return false;
  const bool a_one = is_broadcast_value(a), b_one = is_broadcast_value(b);
  if ((!a_one && !a.is_contiguous()) || (!b_one && !b.is_contiguous())) return false;
  if (n == 0) return true;
  visit_floating(t, "binary", [&](auto tag) {
    using T = decltype(tag);
    binary_run(op, a.data_ptr<T>(), a_one ? 0 : 1, b.data_ptr<T>(), b_one ? 0 : 1, out.data_ptr<T>(), n,
               static_cast<T>(alpha));
  });
  return true;
}

bool binary_scalar_accepts(BinaryOp op, const Tensor& a) {
  return op != BinaryOp::None && simd_dtype(a.dtype()) && a.is_contiguous();
}

bool binary_scalar(BinaryOp op, const Tensor& out, const Tensor& a, const Scalar& b, double alpha, bool number_first) {
  const ScalarType t = out.dtype();
  if (!binary_scalar_accepts(op, a) || a.dtype() != t || !out.is_contiguous() || a.numel() != out.numel()) return false;
  const int64_t n = out.numel();
  if (n == 0) return true;
  visit_floating(t, "binary", [&](auto tag) {
    using T = decltype(tag);
    // The value a wrapped-number tensor of b would hold once cast to T.
    const T bv = b.isFloatingPoint() ? static_cast<T>(b.toDouble())
                 : b.isBoolean()     ? static_cast<T>(b.toBool())
                                     : static_cast<T>(b.toLong());
    if (number_first) binary_run(op, &bv, 0, a.data_ptr<T>(), 1, out.data_ptr<T>(), n, static_cast<T>(alpha));
    else binary_run(op, a.data_ptr<T>(), 1, &bv, 0, out.data_ptr<T>(), n, static_cast<T>(alpha));
  });
  return true;
}

std::vector<int64_t> simd_targets() {
  std::vector<int64_t> r;
  const int64_t supported = hwy::SupportedTargets();
  for (int64_t bit = 0; bit < 63; ++bit) {
    const int64_t t = int64_t(1) << bit;
    if ((HWY_TARGETS & t) && (supported & t)) r.push_back(t);
  }
  return r;
}
std::string simd_target_name(int64_t target) { return hwy::TargetName(target); }
void force_simd_target(int64_t target) {
  hwy::SetSupportedTargetsForTest(target);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}
int64_t simd_target_in_use() { return HWY_DYNAMIC_DISPATCH(TargetInUse)(); }

}  // namespace kernels
}  // namespace ember
#endif
