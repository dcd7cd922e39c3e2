// Comparisons, logical and bitwise ops, isnan/isinf/isfinite: pointwise ops with boolean or
// integer results and no gradients, on the same broadcasting and type promotion as arithmetic.
#include <cmath>

#include "ops/elementwise.h"

namespace ember {

namespace {
template <typename F>
Tensor compare(const char* op, const Tensor& a, const Tensor& b, const F& f) {
  return binary_kernel(op, a, b, result_type(a, b), kBool, Tensor(), f);
}
template <typename F>
Tensor logical(const char* op, const Tensor& a, const Tensor& b, const F& f) {
  Tensor ab = cast(a, kBool), bb = cast(b, kBool);
  return binary_kernel(op, ab, bb, kBool, kBool, Tensor(), f);
}
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", a, b, [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", a, b, [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", a, b, [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", a, b, [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", a, b, [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", a, b, [](auto x, auto y) { return x >= y; }); }
Tensor eq(const Tensor& a, const Scalar& b) { return eq(a, wrap_scalar(b)); }
Tensor ne(const Tensor& a, const Scalar& b) { return ne(a, wrap_scalar(b)); }
Tensor lt(const Tensor& a, const Scalar& b) { return lt(a, wrap_scalar(b)); }
Tensor le(const Tensor& a, const Scalar& b) { return le(a, wrap_scalar(b)); }
Tensor gt(const Tensor& a, const Scalar& b) { return gt(a, wrap_scalar(b)); }
Tensor ge(const Tensor& a, const Scalar& b) { return ge(a, wrap_scalar(b)); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }

Tensor logical_and(const Tensor& a, const Tensor& b) { return logical("logical_and", a, b, [](bool x, bool y) { return x && y; }); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return logical("logical_or", a, b, [](bool x, bool y) { return x || y; }); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return logical("logical_xor", a, b, [](bool x, bool y) { return x != y; }); }
Tensor logical_not(const Tensor& a) {
  return unary_kernel("logical_not", cast(a, kBool), kBool, [](bool v) { return !v; });
}
namespace {
template <typename F>
Tensor bitwise(const char* op, const Tensor& a, const Tensor& b, const F& f) {
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(!is_floating_type(ct), "\"", op, "_cpu\" not implemented for '", to_string(ct), "'");
  return binary_kernel(op, a, b, ct, ct, Tensor(), [&](auto x, auto y) {
    if constexpr (std::is_integral_v<decltype(x)>) return f(x, y);
    else return x;
  });
}
}  // namespace
Tensor operator&(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_and", a, b, [](auto x, auto y) { return x & y; });
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_or", a, b, [](auto x, auto y) { return x | y; });
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_xor", a, b, [](auto x, auto y) { return x ^ y; });
}
Tensor operator~(const Tensor& a) {
  EMBER_CHECK(!a.is_floating_point(), "\"bitwise_not_cpu\" not implemented for '", to_string(a.dtype()), "'");
  if (a.dtype() == kBool) return logical_not(a);
  return unary_kernel("bitwise_not", a, a.dtype(), [](auto v) {
    if constexpr (std::is_integral_v<decltype(v)> && !std::is_same_v<decltype(v), bool>) return static_cast<decltype(v)>(~v);
    else return v;
  });
}
Tensor isnan(const Tensor& x) {
  Tensor out = new_tensor(x.sizes(), kBool);
  visit_dtype(x.dtype(), "isnan", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<bool, T>(out, [](T v) { if constexpr (std::is_floating_point_v<T>) return std::isnan(v); else return false; }, x);
  });
  return out;
}
Tensor isinf(const Tensor& x) {
  Tensor out = new_tensor(x.sizes(), kBool);
  visit_dtype(x.dtype(), "isinf", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<bool, T>(out, [](T v) { if constexpr (std::is_floating_point_v<T>) return std::isinf(v); else return false; }, x);
  });
  return out;
}
Tensor isfinite(const Tensor& x) { return logical_not(logical_or(isnan(x), isinf(x))); }

}  // namespace ember
