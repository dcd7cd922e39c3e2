// Pointwise ops, comparisons and predicates under LibTorch's remaining names: bitwise and shift
// ops, aliases (absolute, multiply, greater, ...), deg2rad/rad2deg, sinc, logit, float_power,
// fmax/fmin, frexp, gcd/lcm, heaviside, isclose, isin, ldexp, nextafter, signbit, the torch::
// function forms of the in-place methods, and the tensor predicates (numel, is_signed, can_cast).
#pragma once
#include <optional>
#include <tuple>

#include "ember/core/tensor.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/pointwise_math.h"

namespace ember {

// Whether a value of dtype `from` may be written into a tensor of dtype `to` (PyTorch's canCast:
// no floating -> integral, nothing but bool -> bool).
bool can_cast(ScalarType from, ScalarType to);

// ---- aliases
inline Tensor absolute(const Tensor& x) { return abs(x); }
inline Tensor negative(const Tensor& x) { return neg(x); }
// x itself (refused for bool, as LibTorch's unary +).
Tensor positive(const Tensor& x);
inline Tensor multiply(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor multiply(const Tensor& a, const Scalar& b) { return mul(a, b); }
inline Tensor subtract(const Tensor& a, const Tensor& b, const Scalar& alpha = 1) { return sub(a, b, alpha); }
inline Tensor subtract(const Tensor& a, const Scalar& b, const Scalar& alpha = 1) { return sub(a, b, alpha); }
inline Tensor greater(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor greater(const Tensor& a, const Scalar& b) { return gt(a, b); }
inline Tensor greater_equal(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor greater_equal(const Tensor& a, const Scalar& b) { return ge(a, b); }
inline Tensor less(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor less(const Tensor& a, const Scalar& b) { return lt(a, b); }
inline Tensor less_equal(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor less_equal(const Tensor& a, const Scalar& b) { return le(a, b); }
inline Tensor not_equal(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor not_equal(const Tensor& a, const Scalar& b) { return ne(a, b); }

// ---- bitwise ops (integral and bool dtypes) and shifts (integral dtypes)
Tensor bitwise_and(const Tensor& a, const Tensor& b);
Tensor bitwise_and(const Tensor& a, const Scalar& b);
Tensor bitwise_and(const Scalar& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Scalar& b);
Tensor bitwise_or(const Scalar& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Scalar& b);
Tensor bitwise_xor(const Scalar& a, const Tensor& b);
Tensor bitwise_not(const Tensor& a);
Tensor operator&(const Tensor& a, const Scalar& b);
Tensor operator&(const Scalar& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Scalar& b);
Tensor operator|(const Scalar& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Scalar& b);
Tensor operator^(const Scalar& a, const Tensor& b);
// A shift by a negative count or by at least the bit width gives 0 (left) or the sign fill (right).
Tensor bitwise_left_shift(const Tensor& a, const Tensor& b);
Tensor bitwise_left_shift(const Tensor& a, const Scalar& b);
Tensor bitwise_left_shift(const Scalar& a, const Tensor& b);
Tensor bitwise_right_shift(const Tensor& a, const Tensor& b);
Tensor bitwise_right_shift(const Tensor& a, const Scalar& b);
Tensor bitwise_right_shift(const Scalar& a, const Tensor& b);
// gcd >= 0; lcm = |a / gcd * b| (0 when both are 0). Integral dtypes only.
Tensor gcd(const Tensor& a, const Tensor& b);
Tensor lcm(const Tensor& a, const Tensor& b);

// ---- floating pointwise math
Tensor deg2rad(const Tensor& x);
Tensor rad2deg(const Tensor& x);
// sin(pi x) / (pi x), 1 at 0.
Tensor sinc(const Tensor& x);
// log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given.
Tensor logit(const Tensor& x, std::optional<double> eps = std::nullopt);
// pow computed in double (the result is float64).
Tensor float_power(const Tensor& self, const Tensor& exponent);
Tensor float_power(const Tensor& self, const Scalar& exponent);
Tensor float_power(const Scalar& self, const Tensor& exponent);
// max/min that ignore a NaN operand (NaN only when both are NaN).
Tensor fmax(const Tensor& a, const Tensor& b);
Tensor fmin(const Tensor& a, const Tensor& b);
// (mantissa, exponent) with x = mantissa * 2^exponent, |mantissa| in [0.5, 1); exponent is int32.
std::tuple<Tensor, Tensor> frexp(const Tensor& x);
// self * 2^other.
Tensor ldexp(const Tensor& self, const Tensor& other);
// 0 where x < 0, values where x == 0, 1 where x > 0 (same dtypes; not differentiable).
Tensor heaviside(const Tensor& self, const Tensor& values);
// The next representable value after self toward other (floating dtypes; not differentiable).
Tensor nextafter(const Tensor& self, const Tensor& other);

// ---- boolean predicates of values
// |a - b| <= atol + rtol * |b|, elementwise (a and b of one dtype).
Tensor isclose(const Tensor& self, const Tensor& other, double rtol = 1e-05, double atol = 1e-08,
               bool equal_nan = false);
// Whether each element occurs in test_elements (after type promotion); `invert` negates.
Tensor isin(const Tensor& elements, const Tensor& test_elements, bool assume_unique = false, bool invert = false);
Tensor isin(const Tensor& elements, const Scalar& test_element, bool assume_unique = false, bool invert = false);
Tensor isin(const Scalar& element, const Tensor& test_elements, bool assume_unique = false, bool invert = false);
Tensor isneginf(const Tensor& x);
Tensor isposinf(const Tensor& x);
// true everywhere: ember has no complex dtypes.
Tensor isreal(const Tensor& x);
Tensor signbit(const Tensor& x);

// ---- tensor predicates and metadata as functions
inline bool is_distributed(const Tensor&) { return false; }
inline bool is_floating_point(const Tensor& x) { return x.is_floating_point(); }
inline bool is_signed(const Tensor& x) { return x.is_signed(); }
inline bool is_nonzero(const Tensor& x) { return x.is_nonzero(); }
inline bool is_same_size(const Tensor& a, const Tensor& b) { return a.is_same_size(b); }
inline bool is_vulkan_available() { return false; }
inline int64_t numel(const Tensor& x) { return x.numel(); }
inline int64_t size(const Tensor& x, int64_t dim) { return x.size(dim); }
inline int64_t stride(const Tensor& x, int64_t dim) { return x.stride(dim); }
inline Tensor detach(const Tensor& x) { return x.detach(); }

// ---- in-place ops as functions (LibTorch's at::abs_(self) and so on)
inline Tensor& detach_(Tensor& x) { return x.detach_(); }
inline Tensor& fill_(Tensor& x, const Scalar& value) { return x.fill_(value); }
inline Tensor& fill_(Tensor& x, const Tensor& value) { return x.fill_(value); }
inline Tensor& zero_(Tensor& x) { return x.zero_(); }
inline Tensor& abs_(Tensor& x) { return x.abs_(); }
inline Tensor& absolute_(Tensor& x) { return x.abs_(); }
inline Tensor& neg_(Tensor& x) { return x.neg_(); }
inline Tensor& negative_(Tensor& x) { return x.neg_(); }
inline Tensor& exp_(Tensor& x) { return x.exp_(); }
inline Tensor& exp2_(Tensor& x) { return x.exp2_(); }
inline Tensor& expm1_(Tensor& x) { return x.expm1_(); }
inline Tensor& log_(Tensor& x) { return x.log_(); }
inline Tensor& log2_(Tensor& x) { return x.log2_(); }
inline Tensor& log10_(Tensor& x) { return x.log10_(); }
inline Tensor& log1p_(Tensor& x) { return x.log1p_(); }
inline Tensor& sqrt_(Tensor& x) { return x.sqrt_(); }
inline Tensor& rsqrt_(Tensor& x) { return x.rsqrt_(); }
inline Tensor& square_(Tensor& x) { return x.square_(); }
inline Tensor& reciprocal_(Tensor& x) { return x.reciprocal_(); }
inline Tensor& sigmoid_(Tensor& x) { return x.sigmoid_(); }
inline Tensor& sin_(Tensor& x) { return x.sin_(); }
inline Tensor& cos_(Tensor& x) { return x.cos_(); }
inline Tensor& tan_(Tensor& x) { return x.tan_(); }
inline Tensor& sinh_(Tensor& x) { return x.sinh_(); }
inline Tensor& cosh_(Tensor& x) { return x.cosh_(); }
inline Tensor& tanh_(Tensor& x) { return x.tanh_(); }
inline Tensor& asin_(Tensor& x) { return x.asin_(); }
inline Tensor& acos_(Tensor& x) { return x.acos_(); }
inline Tensor& atan_(Tensor& x) { return x.atan_(); }
inline Tensor& asinh_(Tensor& x) { return x.asinh_(); }
inline Tensor& acosh_(Tensor& x) { return x.acosh_(); }
inline Tensor& atanh_(Tensor& x) { return x.atanh_(); }
inline Tensor& arcsin_(Tensor& x) { return x.asin_(); }
inline Tensor& arccos_(Tensor& x) { return x.acos_(); }
inline Tensor& arctan_(Tensor& x) { return x.atan_(); }
inline Tensor& arcsinh_(Tensor& x) { return x.asinh_(); }
inline Tensor& arccosh_(Tensor& x) { return x.acosh_(); }
inline Tensor& arctanh_(Tensor& x) { return x.atanh_(); }
inline Tensor& erf_(Tensor& x) { return x.erf_(); }
inline Tensor& erfc_(Tensor& x) { return x.erfc_(); }
inline Tensor& floor_(Tensor& x) { return x.floor_(); }
inline Tensor& ceil_(Tensor& x) { return x.ceil_(); }
inline Tensor& round_(Tensor& x) { return x.round_(); }
inline Tensor& trunc_(Tensor& x) { return x.trunc_(); }
inline Tensor& frac_(Tensor& x) { return x.frac_(); }
inline Tensor& clamp_(Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max = std::nullopt) {
  return x.clamp_(min, max);
}
inline Tensor& clamp_(Tensor& x, const std::optional<Tensor>& min = std::nullopt,
                      const std::optional<Tensor>& max = std::nullopt) {
  return x.clamp_(min, max);
}
inline Tensor& clip_(Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max = std::nullopt) {
  return x.clamp_(min, max);
}
inline Tensor& clip_(Tensor& x, const std::optional<Tensor>& min = std::nullopt,
                     const std::optional<Tensor>& max = std::nullopt) {
  return x.clamp_(min, max);
}
inline Tensor& clamp_min_(Tensor& x, const Scalar& min) { return x.clamp_min_(min); }
inline Tensor& clamp_min_(Tensor& x, const Tensor& min) { return x.clamp_min_(min); }
inline Tensor& clamp_max_(Tensor& x, const Scalar& max) { return x.clamp_max_(max); }
inline Tensor& clamp_max_(Tensor& x, const Tensor& max) { return x.clamp_max_(max); }
inline Tensor& nan_to_num_(Tensor& x, std::optional<double> nan = std::nullopt,
                           std::optional<double> posinf = std::nullopt, std::optional<double> neginf = std::nullopt) {
  return x.nan_to_num_(nan, posinf, neginf);
}
inline Tensor& xlogy_(Tensor& x, const Tensor& other) { return x.xlogy_(other); }
inline Tensor& xlogy_(Tensor& x, const Scalar& other) { return x.xlogy_(other); }
inline Tensor& sinc_(Tensor& x) { return x.sinc_(); }
inline Tensor& deg2rad_(Tensor& x) { return x.deg2rad_(); }
inline Tensor& rad2deg_(Tensor& x) { return x.rad2deg_(); }
inline Tensor& gcd_(Tensor& x, const Tensor& other) { return x.gcd_(other); }
inline Tensor& lcm_(Tensor& x, const Tensor& other) { return x.lcm_(other); }
inline Tensor& ldexp_(Tensor& x, const Tensor& other) { return x.ldexp_(other); }
inline Tensor& logit_(Tensor& x, std::optional<double> eps = std::nullopt) { return x.logit_(eps); }

}  // namespace ember
