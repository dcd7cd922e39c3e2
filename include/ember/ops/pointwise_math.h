// More pointwise math (LibTorch's names): remainder/fmod and rounded division, trunc/frac,
// exp/log variants, hyperbolic and inverse trig functions, erfc/erfinv, atan2/hypot/logaddexp,
// copysign, nan_to_num, clamp with tensor bounds.
#pragma once
#include <optional>
#include <string_view>

#include "ember/core/tensor.h"
#include "ember/ops/pointwise.h"

namespace ember {

// Python's %: the result takes the sign of the divisor.
Tensor remainder(const Tensor& self, const Tensor& other);
Tensor remainder(const Tensor& self, const Scalar& other);
Tensor remainder(const Scalar& self, const Tensor& other);
Tensor operator%(const Tensor& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Scalar& b);
Tensor operator%(const Scalar& a, const Tensor& b);
// C's fmod: the result takes the sign of the dividend.
Tensor fmod(const Tensor& self, const Tensor& other);
Tensor fmod(const Tensor& self, const Scalar& other);
// rounding_mode: nullopt (true division), "trunc" or "floor".
Tensor div(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode);
Tensor div(const Tensor& self, const Scalar& other, std::optional<std::string_view> rounding_mode);
inline Tensor divide(const Tensor& self, const Tensor& other) { return div(self, other); }
inline Tensor divide(const Tensor& self, const Scalar& other) { return div(self, other); }
inline Tensor divide(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode) {
  return div(self, other, rounding_mode);
}
inline Tensor divide(const Tensor& self, const Scalar& other, std::optional<std::string_view> rounding_mode) {
  return div(self, other, rounding_mode);
}
inline Tensor true_divide(const Tensor& self, const Tensor& other) { return div(self, other); }
inline Tensor true_divide(const Tensor& self, const Scalar& other) { return div(self, other); }
Tensor floor_divide(const Tensor& self, const Tensor& other);
Tensor floor_divide(const Tensor& self, const Scalar& other);

Tensor atan2(const Tensor& self, const Tensor& other);
inline Tensor arctan2(const Tensor& self, const Tensor& other) { return atan2(self, other); }
Tensor hypot(const Tensor& self, const Tensor& other);
Tensor logaddexp(const Tensor& self, const Tensor& other);
Tensor logaddexp2(const Tensor& self, const Tensor& other);
Tensor copysign(const Tensor& self, const Tensor& other);
Tensor copysign(const Tensor& self, const Scalar& other);

Tensor trunc(const Tensor& x);
inline Tensor fix(const Tensor& x) { return trunc(x); }
Tensor frac(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor exp2(const Tensor& x);
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor atan(const Tensor& x);
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor asinh(const Tensor& x);
Tensor acosh(const Tensor& x);
Tensor atanh(const Tensor& x);
inline Tensor arcsin(const Tensor& x) { return asin(x); }
inline Tensor arccos(const Tensor& x) { return acos(x); }
inline Tensor arctan(const Tensor& x) { return atan(x); }
inline Tensor arcsinh(const Tensor& x) { return asinh(x); }
inline Tensor arccosh(const Tensor& x) { return acosh(x); }
inline Tensor arctanh(const Tensor& x) { return atanh(x); }
Tensor erfc(const Tensor& x);
Tensor erfinv(const Tensor& x);
// The sign of a real tensor (sign); ember has no complex dtypes.
Tensor sgn(const Tensor& x);
// NaN -> nan (default 0), +inf -> posinf, -inf -> neginf (default: the dtype's largest/lowest).
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);

// clamp with tensor bounds (broadcast); at least one bound must be given.
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt);
Tensor clamp_min(const Tensor& x, const Tensor& min);
Tensor clamp_max(const Tensor& x, const Tensor& max);
inline Tensor clip(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt) {
  return clamp(x, min, max);
}

}  // namespace ember
