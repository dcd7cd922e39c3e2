// Pointwise ops under LibTorch's remaining names: bitwise and shift ops, gcd/lcm, deg2rad/rad2deg,
// sinc, logit, float_power, fmax/fmin, frexp, ldexp, heaviside, nextafter, isclose/isin and the
// value predicates; the aliases and in-place forms as Tensor methods; the tensor predicates.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "ember/ops/pointwise_extra.h"
#include "ops/elementwise.h"
#include "ops/zero_grad.h"

namespace ember {

bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating_type(from) && is_integral_type(to, true)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kPiOver180 = 0.017453292519943295769236907684886127134428718885417;
constexpr double k180OverPi = 57.295779513082320876798154814105170332405472466564;

template <typename T>
bool is_nan_value(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

template <typename T>
constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// ---------------------------------------------------------------- integer ops

// Refuses float and bool (PyTorch's kernels for these ops dispatch on integral types only).
void check_integral(const char* kernel, ScalarType t, bool allow_bool) {
  EMBER_CHECK(!is_floating_type(t) && (allow_bool || t != kBool), "\"", kernel, "\" not implemented for '",
              to_string(t), "'");
}

// Left shift with PyTorch's rule for counts outside [0, bits): the result is 0.
template <typename T>
T shift_left(T a, T b) {
  using S = std::make_signed_t<T>;
  using U = std::make_unsigned_t<T>;
  constexpr T bits = static_cast<T>(sizeof(T) * 8);
  if (static_cast<S>(b) < 0 || b >= bits) return T(0);
  return static_cast<T>(static_cast<U>(a) << b);
}

// Right shift: a count outside the range shifts every value bit out, leaving the sign fill
// (-1 or 0) for signed types and 0 for unsigned ones.
template <typename T>
T shift_right(T a, T b) {
  using S = std::make_signed_t<T>;
  constexpr T max_shift = static_cast<T>(sizeof(T) * 8 - (std::is_signed_v<T> ? 1 : 0));
  if (static_cast<S>(b) < 0 || b >= max_shift) return static_cast<T>(a >> max_shift);
  return static_cast<T>(a >> b);
}

// |a| in the unsigned type, so that the most negative value does not overflow.
template <typename T>
std::make_unsigned_t<T> magnitude(T a) {
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_signed_v<T>) {
    return a < 0 ? static_cast<U>(U(0) - static_cast<U>(a)) : static_cast<U>(a);
  } else {
    return a;
  }
}

// Euclid on magnitudes; gcd(min, 0) wraps to min, as PyTorch's abs does.
template <typename T>
T gcd_value(T a, T b) {
  auto x = magnitude(a), y = magnitude(b);
  while (x != 0) {
    auto r = static_cast<decltype(x)>(y % x);
    y = x;
    x = r;
  }
  return static_cast<T>(y);
}

// |a / g * b| with the product wrapping on overflow.
template <typename T>
T lcm_value(T a, T b) {
  using U = std::make_unsigned_t<T>;
  const T g = gcd_value(a, b);
  if (g == 0) return T(0);
  const T r = static_cast<T>(static_cast<U>(static_cast<T>(a / g)) * static_cast<U>(b));
  return static_cast<T>(magnitude(r));
}

template <typename F>
Tensor integer_binary(const char* op, const char* kernel, const Tensor& a, const Tensor& b, const F& f) {
  ScalarType ct = result_type(a, b);
  check_integral(kernel, ct, false);
  return binary_kernel(op, a, b, ct, ct, Tensor(), [&](auto x, auto y) {
    using T = decltype(x);
    if constexpr (is_int_v<T>) return f(x, y);
    else return x;  // not reached: the compute dtype is integral
  });
}

// ---------------------------------------------------------------- unary float ops

template <typename F>
Tensor float_unary(const char* op, const Tensor& x, const UnaryDef* row, const F& f) {
  Tensor r = unary_kernel(op, x, float_of(x), [&](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) return f(v);
    else return v;  // not reached: the dtype is floating
  });
  if (row && any_requires_grad(x)) record_unary(r, x, *row);
  return r;
}

const UnaryDef kDeg2Rad{"Deg2RadBackward0",
                        [](const Tensor& g, const Tensor&, const Tensor&) { return g.mul(kPiOver180); }, false, false};
const UnaryDef kRad2Deg{"Rad2DegBackward0",
                        [](const Tensor& g, const Tensor&, const Tensor&) { return g.mul(k180OverPi); }, false, false};
// d sinc / dx = (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 at x = 0.
const UnaryDef kSinc{"SincBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) {
                       Tensor pix = s.mul(kPi);
                       Tensor pix2 = s.mul(s).mul(kPi);
                       Tensor d = g.mul(pix.mul(pix.cos()).sub(pix.sin())).div(pix2);
                       return where(pix2.eq(0.0), 0.0, d);
                     },
                     true, false};
// The mantissa's gradient: x = m 2^e with e piecewise constant.
const UnaryDef kFrexp{"FrexpBackward0",
                      [](const Tensor& g, const Tensor& s, const Tensor&) {
                        Tensor e = std::get<1>(frexp(s.detach()));
                        return g.div(exp2(e.to(g.scalar_type())));
                      },
                      true, false};

struct LogitBackward final : NamedNode<"LogitBackward0"> {
  SavedVariable self;
  double eps = -1.0;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack();
    // At 0 and 1, ATen's kernel returns dy * inf rather than dy / (x (1 - x)), so -0 gives +inf.
    Tensor d = where(x.eq(0.0).logical_or(x.eq(1.0)), g[0].mul(std::numeric_limits<double>::infinity()),
                     g[0].div(x.mul(rsub(x, 1))));
    if (eps < 0) return {where(x.lt(0.0).logical_or(x.gt(1.0)), std::numeric_limits<double>::quiet_NaN(), d)};
    return {where(x.lt(eps).logical_or(x.gt(1.0 - eps)), 0.0, d)};
  }
  void release_variables() override { self.reset_data(); }
};

// ---------------------------------------------------------------- fmax / fmin

struct FmaxFminBackward final : Node {
  bool is_max = true;
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype = kFloat, b_dtype = kFloat;
  std::string name() const override { return is_max ? "FmaxBackward0" : "FminBackward0"; }
  variable_list apply(variable_list&& g) override {
    Tensor a = self.unpack(), b = other.unpack();
    // The gradient goes to self where self was picked (or other was NaN), else to other.
    Tensor pick_self = (is_max ? a.ge(b) : a.le(b)).logical_or(b.isnan());
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(where(pick_self, g[0], 0.0), a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(where(pick_self, 0.0, g[0]), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};

Tensor fmax_fmin(const Tensor& a, const Tensor& b, bool is_max) {
  ScalarType ct = result_type(a, b);
  Tensor r = binary_kernel(is_max ? "fmax" : "fmin", a, b, ct, ct, Tensor(), [is_max](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      return is_max ? std::fmax(x, y) : std::fmin(x, y);
    } else {
      return is_max ? (x < y ? y : x) : (y < x ? y : x);
    }
  });
  if (any_requires_grad(a, b)) {
    auto n = make_node<FmaxFminBackward>(a, b);
    n->is_max = is_max;
    n->self = save(a);
    n->other = save(b);
    n->a_sizes = a.sizes();
    n->b_sizes = b.sizes();
    n->a_dtype = a.dtype();
    n->b_dtype = b.dtype();
    set_history(r, n);
  }
  return r;
}

// ---------------------------------------------------------------- in-place helpers

Tensor& write_back(const Tensor& self, const Tensor& r) { return assign_inplace(const_cast<Tensor&>(self), r); }
// self, after the in-place checks (leaf requiring grad, overlapping memory), for ops without a
// gradient whose result is written back.
const Tensor& guarded(const Tensor& self) {
  autograd::check_inplace(self);
  return self;
}
Tensor& predicate_inplace(const Tensor& self, const Tensor& r) { return write_back(self, r); }
// Comparisons in place: self takes the 0/1 result r, and a tensor in the graph passes no gradient
// back through it: its history becomes a zero-gradient node over self and other, named as PyTorch
// does (EqBackward0 against a number, EqBackward1 against a tensor).
Tensor& compare_inplace(const Tensor& self, const Tensor& other, const Tensor& r, const char* against_number,
                        const char* against_tensor) {
  const auto node = other.unsafeGetTensorImpl()->is_wrapped_number() ? zero_grad_node(against_number, self)
                                                                      : zero_grad_node(against_tensor, self, other);
  return assign_inplace(const_cast<Tensor&>(self), r, node);
}
// For integer ops: the result type of `self op other` must fit self's dtype, checked before the
// kernel's own dtype check, as LibTorch does (so the message is the cast error).
const Tensor& fits(const Tensor& self, const Tensor& other) {
  autograd::check_inplace(self);
  const ScalarType result = result_type(self, other);
  EMBER_CHECK(can_cast(result, self.dtype()), "result type ", to_string(result),
              " can't be cast to the desired output type ", to_string(self.dtype()));
  return self;
}
Tensor& integer_inplace(const Tensor& self, const Tensor&, const Tensor& r) { return write_back(self, r); }

}  // namespace

// ---------------------------------------------------------------- functions

Tensor positive(const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool, "The `+` operator, on a bool tensor is not supported.");
  return x;
}

Tensor bitwise_and(const Tensor& a, const Tensor& b) { return a & b; }
Tensor bitwise_and(const Tensor& a, const Scalar& b) { return a & wrap_scalar(b); }
Tensor bitwise_and(const Scalar& a, const Tensor& b) { return wrap_scalar(a) & b; }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return a | b; }
Tensor bitwise_or(const Tensor& a, const Scalar& b) { return a | wrap_scalar(b); }
Tensor bitwise_or(const Scalar& a, const Tensor& b) { return wrap_scalar(a) | b; }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return a ^ b; }
Tensor bitwise_xor(const Tensor& a, const Scalar& b) { return a ^ wrap_scalar(b); }
Tensor bitwise_xor(const Scalar& a, const Tensor& b) { return wrap_scalar(a) ^ b; }
Tensor bitwise_not(const Tensor& a) { return ~a; }
Tensor operator&(const Tensor& a, const Scalar& b) { return a & wrap_scalar(b); }
Tensor operator&(const Scalar& a, const Tensor& b) { return b & wrap_scalar(a); }
Tensor operator|(const Tensor& a, const Scalar& b) { return a | wrap_scalar(b); }
Tensor operator|(const Scalar& a, const Tensor& b) { return b | wrap_scalar(a); }
Tensor operator^(const Tensor& a, const Scalar& b) { return a ^ wrap_scalar(b); }
Tensor operator^(const Scalar& a, const Tensor& b) { return b ^ wrap_scalar(a); }

Tensor bitwise_left_shift(const Tensor& a, const Tensor& b) {
  return integer_binary("bitwise_left_shift", "lshift_cpu", a, b, [](auto x, auto y) { return shift_left(x, y); });
}
Tensor bitwise_left_shift(const Tensor& a, const Scalar& b) { return bitwise_left_shift(a, wrap_scalar(b)); }
Tensor bitwise_left_shift(const Scalar& a, const Tensor& b) { return bitwise_left_shift(wrap_scalar(a), b); }
Tensor bitwise_right_shift(const Tensor& a, const Tensor& b) {
  return integer_binary("bitwise_right_shift", "rshift_cpu", a, b, [](auto x, auto y) { return shift_right(x, y); });
}
Tensor bitwise_right_shift(const Tensor& a, const Scalar& b) { return bitwise_right_shift(a, wrap_scalar(b)); }
Tensor bitwise_right_shift(const Scalar& a, const Tensor& b) { return bitwise_right_shift(wrap_scalar(a), b); }
Tensor gcd(const Tensor& a, const Tensor& b) {
  return integer_binary("gcd", "gcd_cpu", a, b, [](auto x, auto y) { return gcd_value(x, y); });
}
Tensor lcm(const Tensor& a, const Tensor& b) {
  return integer_binary("lcm", "lcm_cpu", a, b, [](auto x, auto y) { return lcm_value(x, y); });
}

Tensor deg2rad(const Tensor& x) {
  return float_unary("deg2rad", x, &kDeg2Rad, [](auto v) { return v * static_cast<decltype(v)>(kPiOver180); });
}
Tensor rad2deg(const Tensor& x) {
  return float_unary("rad2deg", x, &kRad2Deg, [](auto v) { return v * static_cast<decltype(v)>(k180OverPi); });
}
Tensor sinc(const Tensor& x) {
  return float_unary("sinc", x, &kSinc, [](auto v) {
    using T = decltype(v);
    if (v == T(0)) return T(1);
    const T p = static_cast<T>(kPi) * v;
    return std::sin(p) / p;
  });
}
Tensor logit(const Tensor& x, std::optional<double> eps) {
  const double e = eps.value_or(-1.0);
  Tensor r = float_unary("logit", x, nullptr, [e](auto v) {
    using T = decltype(v);
    if (e < 0) return v == T(1) ? std::numeric_limits<T>::infinity() : std::log(v / (T(1) - v));
    const T lo = static_cast<T>(e), hi = static_cast<T>(1.0 - e);
    const T c = v < lo ? lo : (v > hi ? hi : v);
    return std::log(c / (T(1) - c));
  });
  if (any_requires_grad(x)) {
    auto n = make_node<LogitBackward>(x);
    n->self = save(x);
    n->eps = e;
    set_history(r, n);
  }
  return r;
}
Tensor float_power(const Tensor& self, const Tensor& exponent) { return self.to(kDouble).pow(exponent.to(kDouble)); }
Tensor float_power(const Tensor& self, const Scalar& exponent) {
  return self.to(kDouble).pow(Scalar(exponent.toDouble()));
}
Tensor float_power(const Scalar& self, const Tensor& exponent) {
  return pow(Scalar(self.toDouble()), exponent.to(kDouble));
}
Tensor fmax(const Tensor& a, const Tensor& b) { return fmax_fmin(a, b, true); }
Tensor fmin(const Tensor& a, const Tensor& b) { return fmax_fmin(a, b, false); }

std::tuple<Tensor, Tensor> frexp(const Tensor& x) {
  EMBER_CHECK(x.is_floating_point(), "torch.frexp() only supports floating-point dtypes");
  Tensor mantissa = unary_kernel("frexp", x, x.dtype(), [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) {
      int e = 0;
      return std::isfinite(v) ? std::frexp(v, &e) : v;
    } else {
      return v;
    }
  });
  Tensor exponent = new_tensor(x.sizes(), kInt);
  visit_floating(x.dtype(), "frexp", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<int32_t, T>(exponent, [](T v) {
      int e = 0;
      if (std::isfinite(v)) std::frexp(v, &e);
      return static_cast<int32_t>(e);
    }, x);
  });
  if (any_requires_grad(x)) record_unary(mantissa, x, kFrexp);
  return {mantissa, exponent};
}

Tensor ldexp(const Tensor& self, const Tensor& other) { return self.mul(pow(2.0, other)); }

Tensor heaviside(const Tensor& self, const Tensor& values) {
  EMBER_CHECK(self.dtype() == values.dtype(), "heaviside is not yet implemented for tensors with different dtypes.");
  const ScalarType t = self.dtype();
  return binary_kernel("heaviside", self.detach(), values.detach(), t, t, Tensor(), [](auto x, auto v) {
    using T = decltype(x);
    return x == T(0) ? v : static_cast<T>(x > T(0));
  });
}

Tensor nextafter(const Tensor& self, const Tensor& other) {
  ScalarType ct = result_type(self, other);
  EMBER_CHECK(is_floating_type(ct), "\"nextafter_cpu\" not implemented for '", to_string(ct), "'");
  return binary_kernel("nextafter", self.detach(), other.detach(), ct, ct, Tensor(), [](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) return std::nextafter(x, y);
    else return x;  // not reached: the compute dtype is floating
  });
}

Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(self.dtype() == other.dtype(), to_string(self.dtype()), " did not match ", to_string(other.dtype()));
  EMBER_CHECK(rtol >= 0, "rtol must be greater than or equal to zero, but got ", rtol);
  EMBER_CHECK(atol >= 0, "atol must be greater than or equal to zero, but got ", atol);
  NoGradGuard no_grad;
  // PyTorch's definition, step by step, so that rounding follows its dtypes: equal values
  // (NaN == NaN when asked) are close; otherwise a finite |a - b| <= atol + |rtol * b|.
  // For integer and bool inputs b is taken in the default dtype first, so a - b is a float
  // difference (no wrap-around: uint8 4 and 5 are within atol=1).
  Tensor close = self.eq(other);
  if (equal_nan && self.is_floating_point()) close = close.logical_or(self.isnan().logical_and(other.isnan()));
  if (rtol == 0 && atol == 0) return close;
  Tensor a = self.dtype() == kBool ? self.to(get_default_dtype()) : self;
  Tensor b = self.is_floating_point() ? other : other.to(get_default_dtype());
  Tensor allowed = b.mul(rtol).abs().add(atol);
  Tensor actual = a.sub(b).abs();
  return close.logical_or(actual.isfinite().logical_and(actual.le(allowed)));
}

Tensor isin(const Tensor& elements, const Tensor& test_elements, bool /*assume_unique*/, bool invert) {
  ScalarType ct = result_type(elements, test_elements);
  if (ct == kBool) ct = kByte;  // the same values, in a type std::vector sorts as numbers
  Tensor out = new_tensor(elements.sizes(), kBool);
  Tensor tests = contiguous_raw(cast(test_elements.detach(), ct));
  Tensor values = cast(elements.detach(), ct);
  visit_dtype(ct, "isin", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      // Sorted test values (NaN equals nothing, so it is left out), searched per element.
      const T* p = tests.data_ptr<T>();
      std::vector<T> sorted;
      sorted.reserve(static_cast<size_t>(tests.numel()));
      for (int64_t i = 0; i < tests.numel(); ++i) {
        if (!is_nan_value(p[i])) sorted.push_back(p[i]);
      }
      std::sort(sorted.begin(), sorted.end());
      kernels::pointwise<bool, T>(out, [&](T v) {
        if (is_nan_value(v)) return invert;
        return std::binary_search(sorted.begin(), sorted.end(), v) != invert;
      }, values);
    }
  });
  return out;
}
Tensor isin(const Tensor& elements, const Scalar& test_element, bool, bool invert) {
  return invert ? elements.ne(test_element) : elements.eq(test_element);
}
Tensor isin(const Scalar& element, const Tensor& test_elements, bool assume_unique, bool invert) {
  return isin(wrap_scalar(element), test_elements, assume_unique, invert);
}

Tensor isneginf(const Tensor& x) {
  Tensor out = new_tensor(x.sizes(), kBool);
  visit_dtype(x.dtype(), "isneginf", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<bool, T>(out, [](T v) {
      if constexpr (std::is_floating_point_v<T>) return v == -std::numeric_limits<T>::infinity();
      else return false;
    }, x);
  });
  return out;
}
Tensor isposinf(const Tensor& x) {
  Tensor out = new_tensor(x.sizes(), kBool);
  visit_dtype(x.dtype(), "isposinf", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<bool, T>(out, [](T v) {
      if constexpr (std::is_floating_point_v<T>) return v == std::numeric_limits<T>::infinity();
      else return false;
    }, x);
  });
  return out;
}
Tensor isreal(const Tensor& x) { return ones(x.sizes(), TensorOptions(kBool)); }
Tensor signbit(const Tensor& x) {
  Tensor out = new_tensor(x.sizes(), kBool);
  visit_dtype(x.dtype(), "signbit", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<bool, T>(out, [](T v) {
      if constexpr (std::is_floating_point_v<T>) return std::signbit(v);
      else if constexpr (std::is_signed_v<T>) return v < T(0);
      else return false;
    }, x);
  });
  return out;
}

// ---------------------------------------------------------------- Tensor methods

using T = Tensor;

T T::absolute() const { return ember::abs(*this); }
T& T::absolute_() const { return abs_(); }
T T::negative() const { return ember::neg(*this); }
T& T::negative_() const { return neg_(); }
T T::positive() const { return ember::positive(*this); }
T T::multiply(const T& o) const { return ember::mul(*this, o); }
T T::multiply(const Scalar& o) const { return ember::mul(*this, o); }
T& T::multiply_(const T& o) const { return mul_(o); }
T& T::multiply_(const Scalar& o) const { return mul_(o); }
T T::subtract(const T& o, const Scalar& alpha) const { return ember::sub(*this, o, alpha); }
T T::subtract(const Scalar& o, const Scalar& alpha) const { return ember::sub(*this, o, alpha); }
T& T::subtract_(const T& o, const Scalar& alpha) const { return sub_(o, alpha); }
T& T::subtract_(const Scalar& o, const Scalar& alpha) const { return sub_(o, alpha); }

// Comparisons and logical ops in place: the boolean result is written in self's dtype.
T& T::eq_(const T& o) const {
  return compare_inplace(*this, o, ember::eq(guarded(*this), o), "EqBackward0", "EqBackward1");
}
T& T::eq_(const Scalar& o) const { return eq_(wrap_scalar(o)); }
T& T::ne_(const T& o) const {
  return compare_inplace(*this, o, ember::ne(guarded(*this), o), "NeBackward0", "NeBackward1");
}
T& T::ne_(const Scalar& o) const { return ne_(wrap_scalar(o)); }
T& T::lt_(const T& o) const {
  return compare_inplace(*this, o, ember::lt(guarded(*this), o), "LtBackward0", "LtBackward1");
}
T& T::lt_(const Scalar& o) const { return lt_(wrap_scalar(o)); }
T& T::le_(const T& o) const {
  return compare_inplace(*this, o, ember::le(guarded(*this), o), "LeBackward0", "LeBackward1");
}
T& T::le_(const Scalar& o) const { return le_(wrap_scalar(o)); }
T& T::gt_(const T& o) const {
  return compare_inplace(*this, o, ember::gt(guarded(*this), o), "GtBackward0", "GtBackward1");
}
T& T::gt_(const Scalar& o) const { return gt_(wrap_scalar(o)); }
T& T::ge_(const T& o) const {
  return compare_inplace(*this, o, ember::ge(guarded(*this), o), "GeBackward0", "GeBackward1");
}
T& T::ge_(const Scalar& o) const { return ge_(wrap_scalar(o)); }
T T::greater(const T& o) const { return ember::gt(*this, o); }
T T::greater(const Scalar& o) const { return ember::gt(*this, o); }
T& T::greater_(const T& o) const { return gt_(o); }
T& T::greater_(const Scalar& o) const { return gt_(o); }
T T::greater_equal(const T& o) const { return ember::ge(*this, o); }
T T::greater_equal(const Scalar& o) const { return ember::ge(*this, o); }
T& T::greater_equal_(const T& o) const { return ge_(o); }
T& T::greater_equal_(const Scalar& o) const { return ge_(o); }
T T::less(const T& o) const { return ember::lt(*this, o); }
T T::less(const Scalar& o) const { return ember::lt(*this, o); }
T& T::less_(const T& o) const { return lt_(o); }
T& T::less_(const Scalar& o) const { return lt_(o); }
T T::less_equal(const T& o) const { return ember::le(*this, o); }
T T::less_equal(const Scalar& o) const { return ember::le(*this, o); }
T& T::less_equal_(const T& o) const { return le_(o); }
T& T::less_equal_(const Scalar& o) const { return le_(o); }
T T::not_equal(const T& o) const { return ember::ne(*this, o); }
T T::not_equal(const Scalar& o) const { return ember::ne(*this, o); }
T& T::not_equal_(const T& o) const { return ne_(o); }
T& T::not_equal_(const Scalar& o) const { return ne_(o); }
T& T::logical_and_(const T& o) const { return predicate_inplace(*this, ember::logical_and(guarded(*this), o)); }
T& T::logical_or_(const T& o) const { return predicate_inplace(*this, ember::logical_or(guarded(*this), o)); }
T& T::logical_xor_(const T& o) const { return predicate_inplace(*this, ember::logical_xor(guarded(*this), o)); }
T& T::logical_not_() const { return predicate_inplace(*this, ember::logical_not(guarded(*this))); }

// Integer ops and their in-place forms (the result type must fit self's dtype).
T T::bitwise_and(const T& o) const { return ember::bitwise_and(*this, o); }
T T::bitwise_and(const Scalar& o) const { return ember::bitwise_and(*this, o); }
T& T::bitwise_and_(const T& o) const { return integer_inplace(*this, o, ember::bitwise_and(fits(*this, o), o)); }
T& T::bitwise_and_(const Scalar& o) const { return bitwise_and_(wrap_scalar(o)); }
T T::bitwise_or(const T& o) const { return ember::bitwise_or(*this, o); }
T T::bitwise_or(const Scalar& o) const { return ember::bitwise_or(*this, o); }
T& T::bitwise_or_(const T& o) const { return integer_inplace(*this, o, ember::bitwise_or(fits(*this, o), o)); }
T& T::bitwise_or_(const Scalar& o) const { return bitwise_or_(wrap_scalar(o)); }
T T::bitwise_xor(const T& o) const { return ember::bitwise_xor(*this, o); }
T T::bitwise_xor(const Scalar& o) const { return ember::bitwise_xor(*this, o); }
T& T::bitwise_xor_(const T& o) const { return integer_inplace(*this, o, ember::bitwise_xor(fits(*this, o), o)); }
T& T::bitwise_xor_(const Scalar& o) const { return bitwise_xor_(wrap_scalar(o)); }
T T::bitwise_left_shift(const T& o) const { return ember::bitwise_left_shift(*this, o); }
T T::bitwise_left_shift(const Scalar& o) const { return ember::bitwise_left_shift(*this, o); }
T& T::bitwise_left_shift_(const T& o) const {
  return integer_inplace(*this, o, ember::bitwise_left_shift(fits(*this, o), o));
}
T& T::bitwise_left_shift_(const Scalar& o) const { return bitwise_left_shift_(wrap_scalar(o)); }
T T::bitwise_right_shift(const T& o) const { return ember::bitwise_right_shift(*this, o); }
T T::bitwise_right_shift(const Scalar& o) const { return ember::bitwise_right_shift(*this, o); }
T& T::bitwise_right_shift_(const T& o) const {
  return integer_inplace(*this, o, ember::bitwise_right_shift(fits(*this, o), o));
}
T& T::bitwise_right_shift_(const Scalar& o) const { return bitwise_right_shift_(wrap_scalar(o)); }
T T::gcd(const T& o) const { return ember::gcd(*this, o); }
T& T::gcd_(const T& o) const { return integer_inplace(*this, o, ember::gcd(fits(*this, o), o)); }
T T::lcm(const T& o) const { return ember::lcm(*this, o); }
T& T::lcm_(const T& o) const { return integer_inplace(*this, o, ember::lcm(fits(*this, o), o)); }
T T::bitwise_not() const { return ember::bitwise_not(*this); }
T& T::bitwise_not_() const { return predicate_inplace(*this, ember::bitwise_not(guarded(*this))); }

// Float ops: the in-place forms compute from a copy when autograd needs the old value.
T T::deg2rad() const { return ember::deg2rad(*this); }
T& T::deg2rad_() const { return write_back(*this, ember::deg2rad(input_for_inplace(*this))); }
T T::rad2deg() const { return ember::rad2deg(*this); }
T& T::rad2deg_() const { return write_back(*this, ember::rad2deg(input_for_inplace(*this))); }
T T::sinc() const { return ember::sinc(*this); }
T& T::sinc_() const { return write_back(*this, ember::sinc(input_for_inplace(*this))); }
T T::logit(std::optional<double> eps) const { return ember::logit(*this, eps); }
T& T::logit_(std::optional<double> eps) const { return write_back(*this, ember::logit(input_for_inplace(*this), eps)); }
T T::float_power(const T& e) const { return ember::float_power(*this, e); }
T T::float_power(const Scalar& e) const { return ember::float_power(*this, e); }
T& T::float_power_(const T& e) const {
  EMBER_CHECK(dtype() == kDouble, "the base given to float_power_ has dtype ", to_string(dtype()),
              " but the operation's result requires dtype Double");
  return write_back(*this, ember::float_power(input_for_inplace(*this, {e}), e));
}
T& T::float_power_(const Scalar& e) const {
  EMBER_CHECK(dtype() == kDouble, "the base given to float_power_ has dtype ", to_string(dtype()),
              " but the operation's result requires dtype Double");
  return write_back(*this, ember::float_power(input_for_inplace(*this), e));
}
T T::fmax(const T& o) const { return ember::fmax(*this, o); }
T T::fmin(const T& o) const { return ember::fmin(*this, o); }
std::tuple<T, T> T::frexp() const { return ember::frexp(*this); }
T T::ldexp(const T& o) const { return ember::ldexp(*this, o); }
T& T::ldexp_(const T& o) const { return mul_(ember::pow(2.0, o)); }
T T::heaviside(const T& v) const { return ember::heaviside(*this, v); }
T& T::heaviside_(const T& v) const { return write_back(*this, ember::heaviside(guarded(*this), v)); }
T T::nextafter(const T& o) const { return ember::nextafter(*this, o); }
T& T::nextafter_(const T& o) const { return write_back(*this, ember::nextafter(fits(*this, o), o)); }
T T::xlogy(const T& o) const { return ember::xlogy(*this, o); }
T T::xlogy(const Scalar& o) const { return ember::xlogy(*this, o); }
T& T::xlogy_(const T& o) const { return write_back(*this, ember::xlogy(input_for_inplace(*this, {o}), o)); }
T& T::xlogy_(const Scalar& o) const { return write_back(*this, ember::xlogy(input_for_inplace(*this), o)); }
T T::isclose(const T& o, double rtol, double atol, bool equal_nan) const {
  return ember::isclose(*this, o, rtol, atol, equal_nan);
}
T T::isneginf() const { return ember::isneginf(*this); }
T T::isposinf() const { return ember::isposinf(*this); }
T T::isreal() const { return ember::isreal(*this); }
T T::signbit() const { return ember::signbit(*this); }

// ---------------------------------------------------------------- tensor predicates

bool T::is_nonzero() const {
  EMBER_CHECK(numel() != 0, "Boolean value of Tensor with no values is ambiguous");
  EMBER_CHECK(numel() == 1, "Boolean value of Tensor with more than one value is ambiguous");
  return item().toDouble() != 0.0;
}
bool T::is_coalesced() const {
  fail("Could not run 'aten::is_coalesced' with arguments from the 'CPU' backend: it is only available for sparse "
       "tensors, and this tensor is strided");
}
bool T::is_set_to(const T& t) const {
  const TensorImpl* a = unsafeGetTensorImpl();
  const TensorImpl* b = t.unsafeGetTensorImpl();
  EMBER_CHECK(a && b, "is_set_to: tensor is undefined");
  return a->storage().get() == b->storage().get() && a->storage_offset() == b->storage_offset() &&
         a->sizes() == b->sizes() && a->strides() == b->strides();
}

}  // namespace ember
