// More pointwise math: remainder/fmod and rounded division, trunc/frac, exp/log variants,
// hyperbolic and inverse trig functions, erfc/erfinv, atan2/hypot/logaddexp, copysign,
// nan_to_num and clamp with tensor bounds; each with its backward beside it.
#include <cmath>
#include <limits>

#include "ember/ops/pointwise_math.h"
#include "ops/elementwise.h"

namespace ember {

namespace {

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kLn10 = 2.30258509299404568402;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
constexpr double kSqrtPiOverTwo = 0.88622692545275801365;

// ---------------------------------------------------------------- unary ops

// f in the input's floating dtype (integers and bool compute in the default dtype).
template <typename F>
Tensor float_unary(const char* op, const Tensor& x, const UnaryDef& row, const F& f) {
  Tensor r = unary_kernel(op, x, float_of(x), f);
  if (any_requires_grad(x)) record_unary(r, x, row);
  return r;
}

Tensor zero_grad(const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); }

// 1 / sqrt(1 - x^2), the derivative of asin.
Tensor one_minus_square_rsqrt(const Tensor& s) { return rsub(s.mul(s), 1).rsqrt(); }

const UnaryDef kTrunc{"TruncBackward0", zero_grad, false, false};
const UnaryDef kFrac{"FracBackward0", [](const Tensor& g, const Tensor&, const Tensor&) { return g; }, false, false};
const UnaryDef kExpm1{"Expm1Backward0",
                      [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r.add(1)); }, false, true};
const UnaryDef kExp2{"Exp2Backward0",
                     [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r).mul(kLn2); }, false, true};
const UnaryDef kLog2{"Log2Backward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(s.mul(kLn2)); }, true, false};
const UnaryDef kLog10{"Log10Backward0",
                      [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(s.mul(kLn10)); }, true, false};
const UnaryDef kTan{"TanBackward0",
                    [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r.mul(r).add(1)); }, false, true};
const UnaryDef kAsin{"AsinBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(one_minus_square_rsqrt(s)); },
                     true, false};
const UnaryDef kAcos{"AcosBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) {
                       return g.mul(one_minus_square_rsqrt(s)).neg();
                     },
                     true, false};
const UnaryDef kAtan{"AtanBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(s.mul(s).add(1)); }, true, false};
const UnaryDef kSinh{"SinhBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.cosh()); },
                     true, false};
const UnaryDef kCosh{"CoshBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.sinh()); },
                     true, false};
const UnaryDef kAsinh{"AsinhBackward0",
                      [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.mul(s).add(1).rsqrt()); },
                      true, false};
const UnaryDef kAcosh{"AcoshBackward0",
                      [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.mul(s).sub(1).rsqrt()); },
                      true, false};
const UnaryDef kAtanh{"AtanhBackward0",
                      [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(rsub(s.mul(s), 1)); }, true,
                      false};
const UnaryDef kErfc{"ErfcBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) {
                       return g.mul(s.mul(s).neg().exp().mul(-kTwoOverSqrtPi));
                     },
                     true, false};
const UnaryDef kErfinv{"ErfinvBackward0",
                       [](const Tensor& g, const Tensor&, const Tensor& r) {
                         return g.mul(r.mul(r).exp().mul(kSqrtPiOverTwo));
                       },
                       false, true};
const UnaryDef kSgn{"SgnBackward0", zero_grad, false, false};
const UnaryDef kNanToNum{"NanToNumBackward0",
                         [](const Tensor& g, const Tensor& s, const Tensor&) { return where(s.isfinite(), g, 0.0); },
                         true, false};

// The inverse error function: a rational first guess refined by Newton steps on erf(y) = x.
template <typename T>
T erfinv_value(T x) {
  if (std::isnan(x) || x < T(-1) || x > T(1)) return std::numeric_limits<T>::quiet_NaN();
  if (x == T(1)) return std::numeric_limits<T>::infinity();
  if (x == T(-1)) return -std::numeric_limits<T>::infinity();
  const double xd = static_cast<double>(x);
  // M. Giles' single-precision approximation ("Approximating the erfinv function", 2010).
  double w = -std::log((1.0 - xd) * (1.0 + xd)), p;
  if (w < 6.25) {
    w -= 3.125;
    p = -3.6444120640178196996e-21;
    for (double c : {-1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17,
                     -1.333171662854620906e-16, 2.0972767875968561637e-17, 6.6376381343583238325e-15,
                     -4.0545662729752068639e-14, -8.1519341976054721522e-14, 2.6335093153082322977e-12,
                     -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-09,
                     -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
                     -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352,
                     -0.00074070253416626697512, -0.0060336708714301490533, 0.24015818242558961693,
                     1.6536545626831027356})
      p = p * w + c;
  } else if (w < 16.0) {
    w = std::sqrt(w) - 3.25;
    p = 2.2137376921775787049e-09;
    for (double c : {9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
                     1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06,
                     1.2475304481671778723e-05, -4.7318229009055733981e-05, 6.8284851459573175448e-05,
                     2.4031110387097893999e-05, -0.0003550375203628474796, 0.00095328937973738049703,
                     -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107,
                     0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635})
      p = p * w + c;
  } else {
    w = std::sqrt(w) - 5.0;
    p = -2.7109920616438573243e-11;
    for (double c : {-2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09,
                     7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08,
                     -6.7711997758452339498e-08, 2.2900482228026654717e-07, -9.9298272942317002539e-07,
                     4.5260625972231537039e-06, -1.9681778105531670567e-05, 7.5995277030017761139e-05,
                     -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
                     4.8499064014085844221})
      p = p * w + c;
  }
  // Newton on |x| (erfinv is odd). Near |x| = 1, erf(y) - |x| is formed as (1 - |x|) - erfc(y):
  // 1 - |x| is exact there and erfc keeps its digits, where erf(y) would round to 1.
  const double ax = std::fabs(xd);
  double y = std::fabs(p * xd);
  for (int i = 0; i < 2; ++i) {
    const double err = ax > 0.5 ? (1.0 - ax) - std::erfc(y) : std::erf(y) - ax;
    y -= err / (kTwoOverSqrtPi * std::exp(-y * y));
  }
  return static_cast<T>(std::copysign(y, xd));  // erfinv(-0) is -0
}

// In-place form: computed out of place, written back with self's new history. When the backward
// reads the input, the recording call runs on a copy so the write does not clobber what it saved.
Tensor& inplace_math(Tensor& self, Tensor (*op)(const Tensor&), bool backward_reads_input) {
  autograd::check_inplace(self);
  const bool keep_input = backward_reads_input && GradMode::is_enabled() && self.requires_grad();
  return assign_inplace(self, op(keep_input ? self.clone() : self));
}

}  // namespace

Tensor trunc(const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool, "\"trunc_vml_cpu\" not implemented for 'Bool'");
  if (!is_floating_type(x.dtype())) return x.clone();
  Tensor r = unary_kernel("trunc", x, x.dtype(), [](auto v) { return std::trunc(v); });
  if (any_requires_grad(x)) record_unary(r, x, kTrunc);
  return r;
}
Tensor frac(const Tensor& x) {
  EMBER_CHECK(is_floating_type(x.dtype()), "\"frac_cpu\" not implemented for '", to_string(x.dtype()), "'");
  Tensor r = unary_kernel("frac", x, x.dtype(), [](auto v) { return v - std::trunc(v); });
  if (any_requires_grad(x)) record_unary(r, x, kFrac);
  return r;
}
Tensor expm1(const Tensor& x) {
  return float_unary("expm1", x, kExpm1, [](auto v) { return std::expm1(v); });
}
Tensor exp2(const Tensor& x) {
  return float_unary("exp2", x, kExp2, [](auto v) { return std::exp2(v); });
}
Tensor log2(const Tensor& x) {
  return float_unary("log2", x, kLog2, [](auto v) { return std::log2(v); });
}
Tensor log10(const Tensor& x) {
  return float_unary("log10", x, kLog10, [](auto v) { return std::log10(v); });
}
Tensor tan(const Tensor& x) {
  return float_unary("tan", x, kTan, [](auto v) { return std::tan(v); });
}
Tensor asin(const Tensor& x) {
  return float_unary("asin", x, kAsin, [](auto v) { return std::asin(v); });
}
Tensor acos(const Tensor& x) {
  return float_unary("acos", x, kAcos, [](auto v) { return std::acos(v); });
}
Tensor atan(const Tensor& x) {
  return float_unary("atan", x, kAtan, [](auto v) { return std::atan(v); });
}
Tensor sinh(const Tensor& x) {
  return float_unary("sinh", x, kSinh, [](auto v) { return std::sinh(v); });
}
Tensor cosh(const Tensor& x) {
  return float_unary("cosh", x, kCosh, [](auto v) { return std::cosh(v); });
}
Tensor asinh(const Tensor& x) {
  return float_unary("asinh", x, kAsinh, [](auto v) { return std::asinh(v); });
}
Tensor acosh(const Tensor& x) {
  return float_unary("acosh", x, kAcosh, [](auto v) { return std::acosh(v); });
}
Tensor atanh(const Tensor& x) {
  return float_unary("atanh", x, kAtanh, [](auto v) { return std::atanh(v); });
}
Tensor erfc(const Tensor& x) {
  return float_unary("erfc", x, kErfc, [](auto v) { return std::erfc(v); });
}
Tensor erfinv(const Tensor& x) {
  return float_unary("erfinv", x, kErfinv, [](auto v) { return erfinv_value(v); });
}
Tensor sgn(const Tensor& x) {
  Tensor r = x.detach().sign();
  if (any_requires_grad(x)) record_unary(r, x, kSgn);
  return r;
}
Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating_type(x.dtype())) return x.clone();
  Tensor r = unary_kernel("nan_to_num", x, x.dtype(), [&](auto v) {
    using T = decltype(v);
    if (std::isnan(v)) return static_cast<T>(nan.value_or(0.0));
    if (v == std::numeric_limits<T>::infinity())
      return posinf ? static_cast<T>(*posinf) : std::numeric_limits<T>::max();
    if (v == -std::numeric_limits<T>::infinity())
      return neginf ? static_cast<T>(*neginf) : std::numeric_limits<T>::lowest();
    return v;
  });
  if (any_requires_grad(x)) record_unary(r, x, kNanToNum);
  return r;
}

// ---------------------------------------------------------------- binary ops

namespace {

enum class Rounding { None, Trunc, Floor };

Rounding parse_rounding(std::optional<std::string_view> mode) {
  if (!mode) return Rounding::None;
  if (*mode == "trunc") return Rounding::Trunc;
  if (*mode == "floor") return Rounding::Floor;
  fail("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", std::string(*mode), "'");
}

// Integer division, remainder and fmod by zero raise, as PyTorch's CPU kernels do.
void check_integer_divisor(const Tensor& dividend, const Tensor& divisor, ScalarType compute) {
  // Nothing is divided when the dividend is empty.
  if (is_floating_type(compute) || dividend.numel() == 0) return;
  EMBER_CHECK(!divisor.eq(0).any().item<bool>(), "ZeroDivisionError");
}

template <typename T>
T python_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T m = std::fmod(a, b);
    if (m != 0 && ((b < 0) != (m < 0))) m += b;
    return m;
  } else if constexpr (std::is_unsigned_v<T>) {
    return static_cast<T>(a % b);
  } else {
    T m = static_cast<T>(a % b);
    if (m != 0 && ((b < 0) != (m < 0))) m = static_cast<T>(m + b);
    return m;
  }
}

template <typename T>
T c_fmod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::fmod(a, b);
  else return static_cast<T>(a % b);
}

// Division rounded toward -inf, as PyTorch computes it (exact for integers; for floats a/b
// corrected by the remainder so that e.g. 1 // 0.1 is 9, as Python).
template <typename T>
T floor_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (b == 0) return a / b;
    T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
    if (div == 0) return std::copysign(T(0), a / b);
    T fl = std::floor(div);
    if (div - fl > T(0.5)) fl += T(1);
    return fl;
  } else if constexpr (std::is_unsigned_v<T>) {
    return static_cast<T>(a / b);
  } else {
    T q = static_cast<T>(a / b);
    if (a % b != 0 && ((a < 0) != (b < 0))) q = static_cast<T>(q - 1);
    return q;
  }
}

template <typename T>
T trunc_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::trunc(a / b);
  else return static_cast<T>(a / b);
}

using BinaryFormula = void (*)(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor& r, Tensor& ga,
                               Tensor& gb, bool need_a, bool need_b);

// One node type for the binary ops of this file; a Scalar operand is saved as a wrapped number
// and gets no gradient edge.
struct MathBinaryBackward final : Node {
  const char* name_;
  BinaryFormula formula;
  SavedVariable self, other, result;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  bool scalar_other = false;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    const bool need_a = should_compute_output(0), need_b = !scalar_other && should_compute_output(1);
    formula(g[0], self.unpack(), other.unpack(), result.unpack(this), ga, gb, need_a, need_b);
    if (need_a && ga.defined()) ga = reduce_grad(ga, a_sizes, a_dtype);
    if (need_b && gb.defined()) gb = reduce_grad(gb, b_sizes, b_dtype);
    if (scalar_other) return {ga};
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
    result.reset_data();
  }
};

void record_binary(const Tensor& r, const Tensor& a, const Tensor& b, bool scalar_other, const char* name,
                   BinaryFormula formula, bool saves_result = false) {
  intrusive_ptr<MathBinaryBackward> n = scalar_other ? make_node<MathBinaryBackward>(a) : make_node<MathBinaryBackward>(a, b);
  n->name_ = name;
  n->formula = formula;
  n->scalar_other = scalar_other;
  n->self = save(a);
  n->other = save(b);
  if (saves_result) n->result = save_output(r);
  n->a_sizes = a.sizes();
  n->b_sizes = b.sizes();
  n->a_dtype = a.dtype();
  n->b_dtype = b.dtype();
  set_history(r, n);
}

void remainder_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb,
                     bool need_a, bool need_b) {
  if (need_a) ga = g;
  if (need_b) gb = g.neg().mul(div(a, b, "floor"));
}
void fmod_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb, bool need_a,
                bool need_b) {
  if (need_a) ga = g;
  if (need_b) gb = g.neg().mul(div(a, b, "trunc"));
}
void rounded_div_grads(const Tensor& g, const Tensor&, const Tensor&, const Tensor&, Tensor& ga, Tensor& gb,
                       bool need_a, bool need_b) {
  if (need_a) ga = zeros_like(g);
  if (need_b) gb = zeros_like(g);
}
void true_div_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb,
                    bool need_a, bool need_b) {
  if (need_a) ga = g.div(b);
  if (need_b) gb = g.neg().mul(a).div(b.mul(b));
}
void atan2_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb, bool need_a,
                 bool need_b) {
  Tensor denom = a.mul(a).add(b.mul(b));
  if (need_a) ga = g.mul(b).div(denom);
  if (need_b) gb = g.mul(a.neg()).div(denom);
}
void hypot_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor& r, Tensor& ga, Tensor& gb,
                 bool need_a, bool need_b) {
  if (need_a) ga = g.mul(a).div(r);
  if (need_b) gb = g.mul(b).div(r);
}
void logaddexp_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb,
                     bool need_a, bool need_b) {
  if (need_a) ga = g.div(b.sub(a).exp().add(1));
  if (need_b) gb = g.div(a.sub(b).exp().add(1));
}
void logaddexp2_grads(const Tensor& g, const Tensor& a, const Tensor& b, const Tensor&, Tensor& ga, Tensor& gb,
                      bool need_a, bool need_b) {
  if (need_a) ga = g.div(pow(2.0, b.sub(a)).add(1));
  if (need_b) gb = g.div(pow(2.0, a.sub(b)).add(1));
}
// d copysign(a, b) / da is sign(result / a), 0 where a == 0; no gradient flows to b.
void copysign_grads(const Tensor& g, const Tensor& a, const Tensor&, const Tensor& r, Tensor& ga, Tensor& gb,
                    bool need_a, bool need_b) {
  if (need_a) ga = g.mul(where(a.eq(0.0), 0.0, r.div(a)));
  if (need_b) gb = zeros_like(g);
}

ScalarType float_result(const Tensor& a, const Tensor& b) {
  ScalarType ct = result_type(a, b);
  return is_floating_type(ct) ? ct : get_default_dtype();
}

Tensor remainder_impl(const Tensor& a, const Tensor& b, bool scalar_other) {
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(ct != kBool, "\"remainder_cpu\" not implemented for 'Bool'");
  check_integer_divisor(a, b, ct);
  Tensor r = binary_kernel("remainder", a, b, ct, ct, Tensor(), [](auto x, auto y) { return python_mod(x, y); });
  if (scalar_other ? any_requires_grad(a) : any_requires_grad(a, b))
    record_binary(r, a, b, scalar_other, scalar_other ? "RemainderBackward0" : "RemainderBackward1", remainder_grads);
  return r;
}
Tensor fmod_impl(const Tensor& a, const Tensor& b, bool scalar_other) {
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(ct != kBool, "\"fmod_cpu\" not implemented for 'Bool'");
  check_integer_divisor(a, b, ct);
  Tensor r = binary_kernel("fmod", a, b, ct, ct, Tensor(), [](auto x, auto y) { return c_fmod(x, y); });
  if (scalar_other ? any_requires_grad(a) : any_requires_grad(a, b))
    record_binary(r, a, b, scalar_other, scalar_other ? "FmodBackward0" : "FmodBackward1", fmod_grads);
  return r;
}
// Values of a / b rounded as asked, without history.
Tensor rounded_div_values(const Tensor& a, const Tensor& b, Rounding mode) {
  ScalarType ct = result_type(a, b);
  if (mode == Rounding::None) {
    if (!is_floating_type(ct)) ct = get_default_dtype();
    return binary_kernel("div", a, b, ct, ct, Tensor(), [](auto x, auto y) { return x / y; });
  }
  EMBER_CHECK(ct != kBool, mode == Rounding::Floor ? "\"div_floor_cpu\"" : "\"div_trunc_cpu\"",
              " not implemented for 'Bool'");
  check_integer_divisor(a, b, ct);
  if (mode == Rounding::Floor)
    return binary_kernel("div_floor", a, b, ct, ct, Tensor(), [](auto x, auto y) { return floor_div(x, y); });
  return binary_kernel("div_trunc", a, b, ct, ct, Tensor(), [](auto x, auto y) { return trunc_div(x, y); });
}
Tensor rounded_div(const Tensor& a, const Tensor& b, Rounding mode, bool scalar_other) {
  Tensor r = rounded_div_values(a, b, mode);
  if (scalar_other ? any_requires_grad(a) : any_requires_grad(a, b))
    record_binary(r, a, b, scalar_other, scalar_other ? "DivBackward3" : "DivBackward2",
                  mode == Rounding::None ? true_div_grads : rounded_div_grads);
  return r;
}

// ATen's kernels for these have no integer or bool instantiation: the promoted type must be floating.
void check_floating_kernel(const char* kernel, const Tensor& a, const Tensor& b) {
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(is_floating_type(ct), "\"", kernel, "\" not implemented for '", to_string(ct), "'");
}

template <typename F>
Tensor float_binary(const char* op, const Tensor& a, const Tensor& b, bool scalar_other, const char* name,
                    BinaryFormula formula, bool saves_result, const F& f) {
  ScalarType ct = float_result(a, b);
  Tensor r = binary_kernel(op, a, b, ct, ct, Tensor(), f);
  if (scalar_other ? any_requires_grad(a) : any_requires_grad(a, b))
    record_binary(r, a, b, scalar_other, name, formula, saves_result);
  return r;
}

}  // namespace

Tensor remainder(const Tensor& self, const Tensor& other) { return remainder_impl(self, other, false); }
Tensor remainder(const Tensor& self, const Scalar& other) { return remainder_impl(self, wrap_scalar(other), true); }
Tensor remainder(const Scalar& self, const Tensor& other) {
  // The number takes part in type promotion as Python's `2 % t` does; it gets no gradient.
  return remainder_impl(wrap_scalar(self), other, false);
}
Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
Tensor operator%(const Tensor& a, const Scalar& b) { return remainder(a, b); }
Tensor operator%(const Scalar& a, const Tensor& b) { return remainder(a, b); }
Tensor fmod(const Tensor& self, const Tensor& other) { return fmod_impl(self, other, false); }
Tensor fmod(const Tensor& self, const Scalar& other) { return fmod_impl(self, wrap_scalar(other), true); }
Tensor div(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode) {
  return rounded_div(self, other, parse_rounding(rounding_mode), false);
}
Tensor div(const Tensor& self, const Scalar& other, std::optional<std::string_view> rounding_mode) {
  return rounded_div(self, wrap_scalar(other), parse_rounding(rounding_mode), true);
}
// Not differentiable, as in PyTorch: the result carries no history.
Tensor floor_divide(const Tensor& self, const Tensor& other) {
  return rounded_div_values(self, other, Rounding::Floor);
}
Tensor floor_divide(const Tensor& self, const Scalar& other) {
  return rounded_div_values(self, wrap_scalar(other), Rounding::Floor);
}

Tensor atan2(const Tensor& self, const Tensor& other) {
  return float_binary("atan2", self, other, false, "Atan2Backward0", atan2_grads, false,
                      [](auto y, auto x) { return std::atan2(y, x); });
}
Tensor hypot(const Tensor& self, const Tensor& other) {
  check_floating_kernel("hypot_cpu", self, other);
  return float_binary("hypot", self, other, false, "HypotBackward0", hypot_grads, true,
                      [](auto x, auto y) { return std::hypot(x, y); });
}
Tensor logaddexp(const Tensor& self, const Tensor& other) {
  check_floating_kernel("logaddexp_cpu", self, other);
  return float_binary("logaddexp", self, other, false, "LogaddexpBackward0", logaddexp_grads, false,
                      [](auto x, auto y) {
                        using T = decltype(x);
                        if constexpr (std::is_floating_point_v<T>) {
                          if (std::isinf(x) && x == y) return x;  // -inf stays -inf, +inf stays +inf
                          if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
                          return static_cast<T>(std::max(x, y) + std::log1p(std::exp(-std::abs(x - y))));
                        } else {
                          return x;  // not reached: the compute dtype is floating
                        }
                      });
}
Tensor logaddexp2(const Tensor& self, const Tensor& other) {
  check_floating_kernel("logaddexp2_cpu", self, other);
  return float_binary("logaddexp2", self, other, false, "Logaddexp2Backward0", logaddexp2_grads, false,
                      [](auto x, auto y) {
                        using T = decltype(x);
                        if constexpr (std::is_floating_point_v<T>) {
                          if (std::isinf(x) && x == y) return x;
                          if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
                          return static_cast<T>(std::max(x, y) + std::log1p(std::exp2(-std::abs(x - y))) / T(kLn2));
                        } else {
                          return x;  // not reached: the compute dtype is floating
                        }
                      });
}
Tensor copysign(const Tensor& self, const Tensor& other) {
  return float_binary("copysign", self, other, false, "CopysignBackward0", copysign_grads, true,
                      [](auto x, auto y) { return std::copysign(x, y); });
}
Tensor copysign(const Tensor& self, const Scalar& other) {
  return float_binary("copysign", self, wrap_scalar(other), true, "CopysignBackward1", copysign_grads, true,
                      [](auto x, auto y) { return std::copysign(x, y); });
}

// ---------------------------------------------------------------- clamp with tensor bounds

namespace {
struct ClampTensorBackward final : Node {
  const char* name_;
  SavedVariable self, min, max;
  bool has_min = false, has_max = false;
  DimVector self_sizes, min_sizes, max_sizes;
  ScalarType self_dtype, min_dtype, max_dtype;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), lo = has_min ? min.unpack() : Tensor(), hi = has_max ? max.unpack() : Tensor();
    Tensor gx, glo, ghi;
    // PyTorch's rule: where min > max the result is max, and only max gets the gradient; min
    // gets it only where x < min < max (so not at min == max, where max takes it only if x > max).
    if (should_compute_output(0)) {
      Tensor pass;
      if (has_min && has_max) pass = x.ge(lo).logical_and(x.le(hi));
      else if (has_min) pass = x.ge(lo);
      else pass = x.le(hi);
      gx = reduce_grad(where(pass, g[0], 0.0), self_sizes, self_dtype);
    }
    size_t next = 1;
    if (has_min) {
      if (should_compute_output(next)) {
        Tensor pick = has_max ? lo.gt(x).logical_and(lo.lt(hi)) : lo.gt(x);
        glo = reduce_grad(where(pick, g[0], 0.0), min_sizes, min_dtype);
      }
      ++next;
    }
    if (has_max && should_compute_output(next)) {
      Tensor pick = has_min ? hi.lt(x).logical_or(hi.lt(lo)) : hi.lt(x);
      ghi = reduce_grad(where(pick, g[0], 0.0), max_sizes, max_dtype);
    }
    variable_list out{gx};
    if (has_min) out.push_back(glo);
    if (has_max) out.push_back(ghi);
    return out;
  }
  void release_variables() override {
    self.reset_data();
    min.reset_data();
    max.reset_data();
  }
};

Tensor clamp_tensor_impl(const Tensor& x, const Tensor& lo, const Tensor& hi, const char* name) {
  EMBER_CHECK(lo.defined() || hi.defined(), "torch.clamp: At least one of 'min' or 'max' must not be None");
  ScalarType ct = x.dtype();
  if (lo.defined()) ct = result_type(x, lo);
  if (hi.defined()) ct = promote_types(ct, result_type(x, hi));
  // One bool bound clamps a bool tensor as LibTorch's clamp_min/clamp_max kernels do (false < true);
  // two bounds (LibTorch's clamp kernel) and the Scalar forms refuse it.
  EMBER_CHECK(ct != kBool || !(lo.defined() && hi.defined()), "\"clamp_cpu\" not implemented for 'Bool'");
  DimVector shape(x.sizes());
  if (lo.defined()) shape = broadcast_shapes(shape, lo.sizes());
  if (hi.defined()) shape = broadcast_shapes(shape, hi.sizes());
  Tensor out = new_tensor(shape, ct);
  Tensor xc = expand_raw(cast(x, ct), shape);
  visit_dtype(ct, "clamp", [&](auto tag) {
    using T = decltype(tag);
    auto nan_of = [](T v) {
      if constexpr (std::is_floating_point_v<T>) {
        return std::isnan(v);
      } else {
        (void)v;
        return false;
      }
    };
    if (lo.defined() && hi.defined()) {
      Tensor l = expand_raw(cast(lo, ct), shape), h = expand_raw(cast(hi, ct), shape);
      kernels::pointwise<T, T, T, T>(out, [&](T v, T a, T b) {
        if (nan_of(v) || nan_of(a) || nan_of(b)) return nan_of(v) ? v : (nan_of(a) ? a : b);
        T m = v < a ? a : v;
        return m > b ? b : m;
      }, xc, l, h);
    } else {
      const bool is_min = lo.defined();
      Tensor bound = expand_raw(cast(is_min ? lo : hi, ct), shape);
      kernels::pointwise<T, T, T>(out, [&](T v, T a) {
        if (nan_of(v) || nan_of(a)) return nan_of(v) ? v : a;
        return is_min ? (v < a ? a : v) : (v > a ? a : v);
      }, xc, bound);
    }
  });
  const bool grad = any_requires_grad(x) || (lo.defined() && any_requires_grad(lo)) ||
                    (hi.defined() && any_requires_grad(hi));
  if (grad) {
    std::vector<Tensor> inputs{x};
    if (lo.defined()) inputs.push_back(lo);
    if (hi.defined()) inputs.push_back(hi);
    auto n = autograd::make_node_list<ClampTensorBackward>(inputs);
    n->name_ = name;
    n->self = save(x);
    n->self_sizes = x.sizes();
    n->self_dtype = x.dtype();
    if (lo.defined()) {
      n->has_min = true;
      n->min = save(lo);
      n->min_sizes = lo.sizes();
      n->min_dtype = lo.dtype();
    }
    if (hi.defined()) {
      n->has_max = true;
      n->max = save(hi);
      n->max_sizes = hi.sizes();
      n->max_dtype = hi.dtype();
    }
    set_history(out, n);
  }
  return out;
}
}  // namespace

Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  return clamp_tensor_impl(x, min ? *min : Tensor(), max ? *max : Tensor(), "ClampBackward0");
}
Tensor clamp_min(const Tensor& x, const Tensor& min) {
  EMBER_CHECK(min.defined(), "clamp_min: min is an undefined tensor");
  return clamp_tensor_impl(x, min, Tensor(), "ClampMinBackward1");
}
Tensor clamp_max(const Tensor& x, const Tensor& max) {
  EMBER_CHECK(max.defined(), "clamp_max: max is an undefined tensor");
  return clamp_tensor_impl(x, Tensor(), max, "ClampMaxBackward1");
}

// ---------------------------------------------------------------- Tensor methods

using T = Tensor;
using Mode = std::optional<std::string_view>;

namespace {
// In-place binary forms: the result keeps self's shape and dtype (PyTorch's rules for `out=self`).
Tensor& inplace_binary(const Tensor& self_const, const Tensor& r_of_copy) {
  Tensor& self = const_cast<Tensor&>(self_const);
  return assign_inplace(self, r_of_copy);
}
}  // namespace

T T::remainder(const T& o) const { return ember::remainder(*this, o); }
T T::remainder(const Scalar& o) const { return ember::remainder(*this, o); }
T& T::remainder_(const T& o) const { return inplace_binary(*this, ember::remainder(input_for_inplace(*this, {o}), o)); }
T& T::remainder_(const Scalar& o) const { return inplace_binary(*this, ember::remainder(input_for_inplace(*this), o)); }
T T::fmod(const T& o) const { return ember::fmod(*this, o); }
T T::fmod(const Scalar& o) const { return ember::fmod(*this, o); }
T& T::fmod_(const T& o) const { return inplace_binary(*this, ember::fmod(input_for_inplace(*this, {o}), o)); }
T& T::fmod_(const Scalar& o) const { return inplace_binary(*this, ember::fmod(input_for_inplace(*this), o)); }
T T::div(const T& o, Mode m) const { return ember::div(*this, o, m); }
T T::div(const Scalar& o, Mode m) const { return ember::div(*this, o, m); }
T& T::div_(const T& o, Mode m) const { return inplace_binary(*this, ember::div(input_for_inplace(*this, {o}), o, m)); }
T& T::div_(const Scalar& o, Mode m) const { return inplace_binary(*this, ember::div(input_for_inplace(*this), o, m)); }
T T::divide(const T& o) const { return ember::div(*this, o); }
T T::divide(const Scalar& o) const { return ember::div(*this, o); }
T T::divide(const T& o, Mode m) const { return ember::div(*this, o, m); }
T T::divide(const Scalar& o, Mode m) const { return ember::div(*this, o, m); }
T& T::divide_(const T& o) const { return div_(o); }
T& T::divide_(const Scalar& o) const { return div_(o); }
T T::true_divide(const T& o) const { return ember::div(*this, o); }
T T::true_divide(const Scalar& o) const { return ember::div(*this, o); }
T& T::true_divide_(const T& o) const { return div_(o); }
T& T::true_divide_(const Scalar& o) const { return div_(o); }
T T::floor_divide(const T& o) const { return ember::floor_divide(*this, o); }
T T::floor_divide(const Scalar& o) const { return ember::floor_divide(*this, o); }
T& T::floor_divide_(const T& o) const {
  autograd::check_inplace(mutable_self());
  return inplace_binary(*this, ember::floor_divide(*this, o));
}
T& T::floor_divide_(const Scalar& o) const {
  autograd::check_inplace(mutable_self());
  return inplace_binary(*this, ember::floor_divide(*this, o));
}
T T::atan2(const T& o) const { return ember::atan2(*this, o); }
T& T::atan2_(const T& o) const { return inplace_binary(*this, ember::atan2(input_for_inplace(*this, {o}), o)); }
T T::arctan2(const T& o) const { return ember::atan2(*this, o); }
T& T::arctan2_(const T& o) const { return atan2_(o); }
T T::hypot(const T& o) const { return ember::hypot(*this, o); }
T& T::hypot_(const T& o) const { return inplace_binary(*this, ember::hypot(input_for_inplace(*this, {o}), o)); }
T T::logaddexp(const T& o) const { return ember::logaddexp(*this, o); }
T T::logaddexp2(const T& o) const { return ember::logaddexp2(*this, o); }
T T::copysign(const T& o) const { return ember::copysign(*this, o); }
T T::copysign(const Scalar& o) const { return ember::copysign(*this, o); }
T& T::copysign_(const T& o) const { return inplace_binary(*this, ember::copysign(input_for_inplace(*this, {o}), o)); }
T& T::copysign_(const Scalar& o) const {
  return inplace_binary(*this, ember::copysign(input_for_inplace(*this), o));
}
T T::nan_to_num(std::optional<double> n, std::optional<double> p, std::optional<double> m) const {
  return ember::nan_to_num(*this, n, p, m);
}
T& T::nan_to_num_(std::optional<double> n, std::optional<double> p, std::optional<double> m) const {
  // Integers and bools have nothing to replace: LibTorch copies self onto itself, a no-op.
  if (!is_floating_type(dtype())) return mutable_self();
  return inplace_binary(*this, ember::nan_to_num(input_for_inplace(*this), n, p, m));
}
T T::clamp(const std::optional<T>& lo, const std::optional<T>& hi) const { return ember::clamp(*this, lo, hi); }
T& T::clamp_(const std::optional<T>& lo, const std::optional<T>& hi) const {
  return inplace_binary(*this, ember::clamp(input_for_inplace(*this, {lo.value_or(T()), hi.value_or(T())}), lo, hi));
}
T T::clamp_min(const T& lo) const { return ember::clamp_min(*this, lo); }
T& T::clamp_min_(const T& lo) const { return inplace_binary(*this, ember::clamp_min(input_for_inplace(*this, {lo}), lo)); }
T T::clamp_max(const T& hi) const { return ember::clamp_max(*this, hi); }
T& T::clamp_max_(const T& hi) const { return inplace_binary(*this, ember::clamp_max(input_for_inplace(*this, {hi}), hi)); }
T& T::clip_(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return clamp_(lo, hi); }
T T::clip(const std::optional<T>& lo, const std::optional<T>& hi) const { return ember::clamp(*this, lo, hi); }
T& T::clip_(const std::optional<T>& lo, const std::optional<T>& hi) const { return clamp_(lo, hi); }

// Unary methods and their in-place forms (the flag: the backward reads the input).
T T::trunc() const { return ember::trunc(*this); }
T& T::trunc_() const { return inplace_math(mutable_self(), ember::trunc, false); }
T T::frac() const { return ember::frac(*this); }
T& T::frac_() const { return inplace_math(mutable_self(), ember::frac, false); }
T T::expm1() const { return ember::expm1(*this); }
T& T::expm1_() const { return inplace_math(mutable_self(), ember::expm1, false); }
T T::exp2() const { return ember::exp2(*this); }
T& T::exp2_() const { return inplace_math(mutable_self(), ember::exp2, false); }
T T::log2() const { return ember::log2(*this); }
T& T::log2_() const { return inplace_math(mutable_self(), ember::log2, true); }
T T::log10() const { return ember::log10(*this); }
T& T::log10_() const { return inplace_math(mutable_self(), ember::log10, true); }
T T::tan() const { return ember::tan(*this); }
T& T::tan_() const { return inplace_math(mutable_self(), ember::tan, false); }
T T::asin() const { return ember::asin(*this); }
T& T::asin_() const { return inplace_math(mutable_self(), ember::asin, true); }
T T::acos() const { return ember::acos(*this); }
T& T::acos_() const { return inplace_math(mutable_self(), ember::acos, true); }
T T::atan() const { return ember::atan(*this); }
T& T::atan_() const { return inplace_math(mutable_self(), ember::atan, true); }
T T::sinh() const { return ember::sinh(*this); }
T& T::sinh_() const { return inplace_math(mutable_self(), ember::sinh, true); }
T T::cosh() const { return ember::cosh(*this); }
T& T::cosh_() const { return inplace_math(mutable_self(), ember::cosh, true); }
T T::asinh() const { return ember::asinh(*this); }
T& T::asinh_() const { return inplace_math(mutable_self(), ember::asinh, true); }
T T::acosh() const { return ember::acosh(*this); }
T& T::acosh_() const { return inplace_math(mutable_self(), ember::acosh, true); }
T T::atanh() const { return ember::atanh(*this); }
T& T::atanh_() const { return inplace_math(mutable_self(), ember::atanh, true); }
T T::erfc() const { return ember::erfc(*this); }
T& T::erfc_() const { return inplace_math(mutable_self(), ember::erfc, true); }
T T::erfinv() const { return ember::erfinv(*this); }
T& T::erfinv_() const { return inplace_math(mutable_self(), ember::erfinv, false); }
T T::sgn() const { return ember::sgn(*this); }
T& T::sgn_() const { return inplace_math(mutable_self(), ember::sgn, false); }
T T::fix() const { return ember::trunc(*this); }
T& T::fix_() const { return trunc_(); }
T T::arcsin() const { return ember::asin(*this); }
T& T::arcsin_() const { return asin_(); }
T T::arccos() const { return ember::acos(*this); }
T& T::arccos_() const { return acos_(); }
T T::arctan() const { return ember::atan(*this); }
T& T::arctan_() const { return atan_(); }
T T::arcsinh() const { return ember::asinh(*this); }
T& T::arcsinh_() const { return asinh_(); }
T T::arccosh() const { return ember::acosh(*this); }
T& T::arccosh_() const { return acosh_(); }
T T::arctanh() const { return ember::atanh(*this); }
T& T::arctanh_() const { return atanh_(); }
// In-place forms of the unary ops of pointwise_unary.cpp.
T& T::sin_() const { return inplace_math(mutable_self(), ember::sin, true); }
T& T::cos_() const { return inplace_math(mutable_self(), ember::cos, true); }
T& T::log1p_() const { return inplace_math(mutable_self(), ember::log1p, true); }
T& T::rsqrt_() const { return inplace_math(mutable_self(), ember::rsqrt, false); }
T& T::reciprocal_() const { return inplace_math(mutable_self(), ember::reciprocal, false); }
T& T::sign_() const { return inplace_math(mutable_self(), ember::sign, false); }
T& T::erf_() const { return inplace_math(mutable_self(), ember::erf, true); }
T& T::floor_() const { return inplace_math(mutable_self(), ember::floor, false); }
T& T::ceil_() const { return inplace_math(mutable_self(), ember::ceil, false); }
T& T::round_() const { return inplace_math(mutable_self(), ember::round, false); }
T& T::square_() const { return inplace_math(mutable_self(), ember::square, true); }

}  // namespace ember
