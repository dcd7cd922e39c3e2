// GELU with erf in float, forward and derivative (UnaryOp::GeluErf and GeluErfBackward of
// elementwise.h; unary_contiguous<float> and unary_backward_contiguous<float> send them here):
// compiled once per Highway target (foreach_target.h re-includes this file), HWY_DYNAMIC_DISPATCH
// picks the best one at run time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/elementwise_gelu.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <limits>

#include "kernels/cpu/elementwise-inl.h"
#include "kernels/cpu/elementwise_gelu.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// GELU with erf, float. With a = min(|x|, 6): Phi(-a) = 0.5 erfc(a / sqrt 2) = e Q(t), where
// e = exp(-a^2 / 2), t = 1 / (1 + a / 2) and Q a degree-9 polynomial fitted (relative least squares)
// to 0.5 erfc(a / sqrt 2) exp(a^2 / 2) on [0, 6] (relative error 2.4e-8 in exact arithmetic).
// - a^2 is split into hi + lo with an FMA (Dekker's product on targets without FMA), and lo goes
//   into the exponential's reduced argument, so e keeps full relative precision (dropping lo costs
//   a^2 / 2 ULP: 18 at a = 6).
// - The exponential only ever sees [-18, 0], so it needs no range handling: n = round(-hi/2 log2 e)
//   is read from the low bits of a float near 1.5 * 2^23, r = -(hi + lo)/2 - n ln 2 (with FMA, ln 2
//   as one float: |n| <= 26 keeps its rounding under 5e-8 in r, about 0.8 ULP; without FMA in two
//   parts, the first exact times n), exp(r) = 1 + r + r^2 P(r)
//   with P of degree 4 fitted (relative minimax) on [-ln 2 / 2, ln 2 / 2] (3e-9), and 2^n is added
//   into the exponent field (n >= -26: the result stays normal).
// - t is the approximate reciprocal refined by Newton steps (one where it starts from 14 bits,
//   AVX-512; two where it starts from 12 or fewer) instead of a division.
// Returns Phi(-a) and sets e (the density's exponential, for the derivative).
template <class D, class V>
HWY_INLINE V GeluErfTail(D d, V x, V& e) {
  using T = hn::TFromD<D>;
  const V one = hn::Set(d, T(1));
  const V a = hn::Min(hn::Abs(x), hn::Set(d, T(6)));  // beyond 6, 1 - Phi(-a) rounds to 1
  const V hi = hn::Mul(a, a);
#if HWY_NATIVE_FMA
  const V lo = hn::MulSub(a, a, hi);
#else  // Dekker's product: a split into two 12-bit halves, whose products are exact
  const V c = hn::Mul(a, hn::Set(d, T(4097)));
  const V ah = hn::Sub(c, hn::Sub(c, a));
  const V al = hn::Sub(a, ah);
  const V lo = hn::Add(hn::Add(hn::Sub(hn::Mul(ah, ah), hi), hn::Mul(hn::Add(ah, ah), al)), hn::Mul(al, al));
#endif
  const V y = hn::Mul(hi, hn::Set(d, T(-0.5)));  // exact
  const V magic = hn::Set(d, T(0x1.8p23));
  const V k = hn::MulAdd(y, hn::Set(d, T(1.44269504088896341)), magic);
  const V n = hn::Sub(k, magic);
#if HWY_NATIVE_FMA
  V r = hn::MulAdd(n, hn::Set(d, T(-0.693147180559945309)), y);
#else  // without FMA n ln 2 rounds: ln 2 in two parts, the first with few bits (exact times n)
  V r = hn::MulAdd(n, hn::Set(d, T(-0.693145751953125)), y);
  r = hn::MulAdd(n, hn::Set(d, T(-1.428606765330187045e-6)), r);
#endif
  r = hn::MulAdd(lo, hn::Set(d, T(-0.5)), r);
  V p = hn::Set(d, T(0.001381385838612914));
  p = hn::MulAdd(p, r, hn::Set(d, T(0.008368635550141335)));
  p = hn::MulAdd(p, r, hn::Set(d, T(0.041668396443128586)));
  p = hn::MulAdd(p, r, hn::Set(d, T(0.1666652113199234)));
  p = hn::MulAdd(p, r, hn::Set(d, T(0.4999999403953552)));
  p = hn::MulAdd(p, r, one);
  p = hn::MulAdd(p, r, one);
  const hn::RebindToSigned<D> di;
  e = hn::BitCast(d, hn::Add(hn::BitCast(di, p), hn::ShiftLeft<23>(hn::BitCast(di, k))));

  const V den = hn::MulAdd(a, hn::Set(d, T(0.5)), one);  // in [1, 4]
  V t = hn::ApproximateReciprocal(den);
  t = hn::MulAdd(t, hn::NegMulAdd(den, t, one), t);
#if !(HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL)
  t = hn::MulAdd(t, hn::NegMulAdd(den, t, one), t);
#endif
  // The fit's coefficients halved (exactly), so that e q is Phi(-a).
  V q = hn::Set(d, static_cast<T>(0.5 * 4.422641890e-02));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * -1.888635660e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 1.989545164e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 3.113029405e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * -9.054480182e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 5.805974765e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 1.297548986e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 4.344613415e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 3.948077303e-01)));
  q = hn::MulAdd(q, t, hn::Set(d, static_cast<T>(0.5 * 2.062809804e-04)));
  return hn::Mul(e, q);
}

// gelu(x) = x Phi(x): x Phi(-a) for x < 0 and x (1 - Phi(-a)) for x >= 0, relative accuracy on
// both sides.
struct GeluErfOp {
  static constexpr UnaryOp kOp = UnaryOp::GeluErf;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x) {
    using T = hn::TFromD<D>;
    V e;
    const V w = GeluErfTail(d, x, e);
    return hn::Mul(x, hn::IfThenElse(hn::Lt(x, hn::Zero(d)), w, hn::Sub(hn::Set(d, T(1)), w)));
  }
  // Below -6 (the end of the fit; the result there is under 6e-9 in size), -inf and NaN.
  template <class D, class V>
  static auto Special(D d, V x) {
    return BelowOrNaN(d, x, -6.0);
  }
};

// GELU's derivative times the incoming gradient: g (Phi(x) + x phi(x)), phi(x) = e / sqrt(2 pi).
// Above 6 the derivative rounds to 1 (Phi(-x) and x phi(x) are both under half an ULP of 1), which
// is set directly, since e is that of the clamped a there. Below -6, +-inf (where x phi(x) is
// inf * 0, NaN as in PyTorch) and NaN: the reference.
struct GeluErfBackwardOp {
  static constexpr UnaryOp kOp = UnaryOp::GeluErfBackward;
  static constexpr bool kSpecial = true;
  template <class D, class V>
  static V Apply(D d, V x, V g) {
    using T = hn::TFromD<D>;
    const V one = hn::Set(d, T(1));
    V e;
    const V w = GeluErfTail(d, x, e);
    const V cdf = hn::IfThenElse(hn::Lt(x, hn::Zero(d)), w, hn::Sub(one, w));
    const V deriv = hn::MulAdd(x, hn::Mul(e, hn::Set(d, static_cast<T>(0.3989422804014327))), cdf);
    return hn::Mul(g, hn::IfThenElse(hn::Gt(x, hn::Set(d, T(6))), one, deriv));
  }
  template <class D, class V>
  static auto Special(D d, V x) {
    using T = hn::TFromD<D>;
    return hn::Not(hn::And(hn::Ge(x, hn::Set(d, T(-6))), hn::Lt(x, hn::Set(d, std::numeric_limits<T>::infinity()))));
  }
};

void GeluErfF32(const float* x, float* y, int64_t n) { UnaryLoop<GeluErfOp>(x, y, static_cast<size_t>(n)); }
void GeluErfBackwardF32(const float* x, const float* g, float* out, int64_t n) {
  const hn::ScalableTag<float> d;
  SpecialLanesLoop<GeluErfBackwardOp, true>(d, x, g, out, static_cast<size_t>(n));
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(GeluErfF32);
HWY_EXPORT(GeluErfBackwardF32);

void gelu_erf_f32(const float* x, float* y, int64_t n) { HWY_DYNAMIC_DISPATCH(GeluErfF32)(x, y, n); }
void gelu_erf_backward_f32(const float* x, const float* g, float* out, int64_t n) {
  HWY_DYNAMIC_DISPATCH(GeluErfBackwardF32)(x, g, out, n);
}
}  // namespace kernels
}  // namespace ember
#endif
