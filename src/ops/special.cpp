// Special functions: the gamma family, incomplete gamma, Hurwitz zeta, Bessel and Airy functions,
// the normal distribution's functions, erfcx, entr, xlog1py and the orthogonal polynomials, each
// with its backward beside it (or none where PyTorch 1.13 records none). The scalar math is in
// kernels/cpu/special_math.cpp.
#include "ember/ops/special.h"

#include <cmath>

#include "kernels/cpu/special_math.h"
#include "ops/elementwise.h"

namespace ember {

namespace ks = kernels::special;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrt2Pi = 2.50662827463100050242;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
constexpr double kSqrtHalf = 0.70710678118654752440;

// f(x) in double, written in the input's floating dtype (integers and bool: the default dtype).
template <typename F>
Tensor special_values(const char* op, const Tensor& x, const F& f) {
  return unary_kernel(op, x, float_of(x), [&](auto v) { return f(static_cast<double>(v)); });
}

template <typename F>
Tensor float_unary(const char* op, const Tensor& x, const UnaryDef& row, const F& f) {
  Tensor r = special_values(op, x, f);
  if (any_requires_grad(x)) record_unary(r, x, row);
  return r;
}

const UnaryDef kLgamma{"LgammaBackward0",
                       [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(digamma(s)); }, true, false};
const UnaryDef kDigamma{"DigammaBackward0",
                        [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(polygamma(1, s)); }, true,
                        false};
const UnaryDef kI0{"I0Backward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(special_i1(s)); },
                   true, false};
const UnaryDef kI0e{"SpecialI0EBackward0",
                    [](const Tensor& g, const Tensor& s, const Tensor& r) {
                      return g.mul(special_i1e(s).sub(s.sgn().mul(r)));
                    },
                    true, true};
// i1'(x) = i0(x) - i1(x)/x, and 1/2 at x = 0.
const UnaryDef kI1{"SpecialI1Backward0",
                   [](const Tensor& g, const Tensor& s, const Tensor& r) {
                     return g.mul(where(s.eq(0.0), 0.5, i0(s).sub(r.div(s))));
                   },
                   true, true};
const UnaryDef kI1e{"SpecialI1EBackward0",
                    [](const Tensor& g, const Tensor& s, const Tensor& r) {
                      return g.mul(where(s.eq(0.0), 0.5, special_i0e(s).sub(r.mul(s.sgn().add(s.reciprocal())))));
                    },
                    true, true};
const UnaryDef kErfcx{"SpecialErfcxBackward0",
                      [](const Tensor& g, const Tensor& s, const Tensor& r) {
                        return g.mul(s.mul(r).mul(2.0).sub(kTwoOverSqrtPi));
                      },
                      true, true};
const UnaryDef kNdtri{"SpecialNdtriBackward0",
                      [](const Tensor& g, const Tensor&, const Tensor& r) {
                        return g.mul(kSqrt2Pi).mul(r.square().div(2.0).exp());
                      },
                      false, true};
const UnaryDef kLogNdtr{"SpecialLogNdtrBackward0",
                        [](const Tensor& g, const Tensor& s, const Tensor& r) {
                          return g.div(kSqrt2Pi).mul(r.add(s.pow(2.0).div(2.0)).neg().exp());
                        },
                        true, true};
const UnaryDef kEntr{"SpecialEntrBackward0",
                     [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.log().add(1.0).neg()); },
                     true, false};
const UnaryDef kRoundDecimals{"RoundBackward1",
                              [](const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); }, false,
                              false};

// PolygammaBackward0 for polygamma, PolygammaBackward1 for polygamma_ (PyTorch's names).
template <FixedString Name>
struct PolygammaBackward final : NamedNode<Name> {
  int64_t n = 0;
  SavedVariable self;
  ScalarType dtype;
  variable_list apply(variable_list&& g) override {
    Tensor r = g[0].mul(polygamma(n + 1, self.unpack()));
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override { self.reset_data(); }
};

struct MvlgammaBackward0 final : NamedNode<"MvlgammaBackward0"> {
  int64_t p = 1;
  SavedVariable self;
  ScalarType dtype;
  variable_list apply(variable_list&& g) override {
    // d/dx sum_j lgamma(x - j/2) = sum_j digamma(x - j/2).
    Tensor x = self.unpack();
    Tensor d = digamma(x);
    for (int64_t j = 1; j < p; ++j) d = d.add(digamma(x.sub(0.5 * static_cast<double>(j))));
    Tensor r = g[0].mul(d);
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override { self.reset_data(); }
};

// ---- binary ops: a Scalar operand comes in as a wrapped number and gets no gradient edge.

using BinaryGrads = void (*)(const Tensor& g, const Tensor& a, const Tensor& b, Tensor& ga, Tensor& gb, bool need_a,
                             bool need_b);

struct SpecialBinaryBackward final : Node {
  const char* name_;
  BinaryGrads grads;
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  bool has_a = true, has_b = true;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    const bool need_a = has_a && should_compute_output(0);
    const bool need_b = has_b && should_compute_output(has_a ? 1 : 0);
    Tensor ga, gb;
    grads(g[0], self.unpack(), other.unpack(), ga, gb, need_a, need_b);
    if (need_a && ga.defined()) ga = reduce_grad(ga, a_sizes, a_dtype);
    if (need_b && gb.defined()) gb = reduce_grad(gb, b_sizes, b_dtype);
    if (!has_a) return {gb};
    if (!has_b) return {ga};
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};

// names: the backward's name when both are tensors, when self is a Scalar, when other is one.
void record_special_binary(const Tensor& r, const Tensor& a, const Tensor& b, bool a_scalar, bool b_scalar,
                           const char* name, BinaryGrads grads) {
  intrusive_ptr<SpecialBinaryBackward> n = a_scalar   ? make_node<SpecialBinaryBackward>(b)
                                           : b_scalar ? make_node<SpecialBinaryBackward>(a)
                                                      : make_node<SpecialBinaryBackward>(a, b);
  n->name_ = name;
  n->grads = grads;
  n->has_a = !a_scalar;
  n->has_b = !b_scalar;
  n->self = save(a);
  n->other = save(b);
  n->a_sizes = a.sizes();
  n->b_sizes = b.sizes();
  n->a_dtype = a.dtype();
  n->b_dtype = b.dtype();
  set_history(r, n);
}

template <typename F>
Tensor special_binary_values(const char* op, const Tensor& a, const Tensor& b, const F& f) {
  ScalarType ct = result_type(a, b);
  if (!is_floating_type(ct)) ct = get_default_dtype();
  return binary_kernel(op, a, b, ct, ct, Tensor(),
                       [&](auto x, auto y) { return f(static_cast<double>(x), static_cast<double>(y)); });
}

// d/dx igamma(a, x) = x^(a-1) e^-x / Gamma(a); PyTorch 1.13 does not differentiate in a.
Tensor igamma_density(const Tensor& a, const Tensor& x) {
  return a.sub(1.0).mul(x.log()).sub(x).sub(lgamma(a)).exp();
}
void igamma_grads(const Tensor& g, const Tensor& a, const Tensor& x, Tensor&, Tensor& gx, bool need_a, bool need_x) {
  if (need_a) fail("the derivative for 'igamma: input' is not implemented.");
  if (need_x) gx = g.mul(igamma_density(a, x));
}
void igammac_grads(const Tensor& g, const Tensor& a, const Tensor& x, Tensor&, Tensor& gx, bool need_a, bool need_x) {
  if (need_a) fail("the derivative for 'igammac: input' is not implemented.");
  if (need_x) gx = g.mul(igamma_density(a, x)).neg();
}
void zeta_grads(const Tensor& g, const Tensor& s, const Tensor& q, Tensor&, Tensor& gq, bool need_s, bool need_q) {
  if (need_s) fail("the derivative for 'zeta' is not implemented.");
  if (need_q) gq = g.mul(s.neg()).mul(special_zeta(s.add(1.0), q));
}
// d/dx is log1p(y) as xlog1py(g, y), zeroed where x == 0 and y <= -1; d/dy is x / (y + 1).
void xlog1py_grads(const Tensor& g, const Tensor& x, const Tensor& y, Tensor& gx, Tensor& gy, bool need_x,
                   bool need_y) {
  if (need_x) {
    Tensor d = special_xlog1py(g, y);
    gx = where(x.eq(0.0).logical_and(y.le(-1.0)), zeros_like(d), d);
  }
  if (need_y) gy = g.mul(x).div(y.add(1.0));
}

Tensor igamma_like(const char* op, const Tensor& a, const Tensor& x, double (*f)(double, double), const char* name,
                   BinaryGrads grads) {
  // PyTorch computes igamma in the promoted dtype and has no integer kernel.
  const ScalarType ct = result_type(a, x);
  EMBER_CHECK(is_floating_type(ct), "\"", op, "_cpu\" not implemented for '", to_string(ct), "'");
  Tensor r = special_binary_values(op, a, x, f);
  if (any_requires_grad(a, x)) record_special_binary(r, a, x, false, false, name, grads);
  return r;
}

Tensor zeta_impl(const Tensor& s, const Tensor& q, bool s_scalar, bool q_scalar) {
  Tensor r = special_binary_values("special_zeta", s, q, [](double a, double b) { return ks::zeta(a, b); });
  const bool track = s_scalar ? any_requires_grad(q) : q_scalar ? any_requires_grad(s) : any_requires_grad(s, q);
  if (track)
    record_special_binary(r, s, q, s_scalar, q_scalar,
                          s_scalar   ? "SpecialZetaBackward1"
                          : q_scalar ? "SpecialZetaBackward2"
                                     : "SpecialZetaBackward0",
                          zeta_grads);
  return r;
}

Tensor xlog1py_impl(const Tensor& x, const Tensor& y, bool x_scalar, bool y_scalar) {
  Tensor r = special_binary_values("special_xlog1py", x, y, [](double a, double b) { return ks::xlog1py(a, b); });
  const bool track = x_scalar ? any_requires_grad(y) : y_scalar ? any_requires_grad(x) : any_requires_grad(x, y);
  if (track)
    record_special_binary(r, x, y, x_scalar, y_scalar,
                          x_scalar   ? "SpecialXlog1PyBackward1"
                          : y_scalar ? "SpecialXlog1PyBackward2"
                                     : "SpecialXlog1PyBackward0",
                          xlog1py_grads);
  return r;
}

// Polynomials: values only, as PyTorch 1.13 records no history for them.
Tensor polynomial(const char* op, ks::Poly kind, const Tensor& x, const Tensor& n) {
  return special_binary_values(op, x, n, [kind](double a, double b) { return ks::polynomial(kind, a, b); });
}

// Round half to even at `decimals` places, as PyTorch: scaled by 10^|decimals| and back.
template <typename T>
T round_decimals(T v, int64_t decimals) {
  const bool negative = decimals < 0;
  const T scale = static_cast<T>(std::pow(10.0, static_cast<double>(negative ? -decimals : decimals)));
  if (negative) return std::nearbyint(v / scale) * scale;
  return std::nearbyint(v * scale) / scale;
}

}  // namespace

// ---------------------------------------------------------------- gamma family

Tensor lgamma(const Tensor& x) {
  return float_unary("lgamma", x, kLgamma, [](double v) { return std::lgamma(v); });
}
Tensor digamma(const Tensor& x) {
  return float_unary("digamma", x, kDigamma, [](double v) { return ks::digamma(v); });
}
namespace {
template <FixedString Name>
Tensor polygamma_impl(int64_t n, const Tensor& x) {
  EMBER_CHECK(n >= 0, "polygamma(n, x) does not support negative n.");
  Tensor r = special_values("polygamma", x, [n](double v) { return ks::polygamma(n, v); });
  if (any_requires_grad(x)) {
    auto node = make_node<PolygammaBackward<Name>>(x);
    node->n = n;
    node->self = save(x);
    node->dtype = x.dtype();
    set_history(r, node);
  }
  return r;
}
}  // namespace

Tensor polygamma(int64_t n, const Tensor& x) { return polygamma_impl<"PolygammaBackward0">(n, x); }
Tensor mvlgamma(const Tensor& x, int64_t p) {
  EMBER_CHECK(p >= 1, "p has to be greater than or equal to 1");
  const double pd = static_cast<double>(p);
  const double constant = pd * (pd - 1) * std::log(kPi) / 4;
  Tensor r = special_values("mvlgamma", x, [p, constant](double v) {
    double sum = 0;
    for (int64_t j = p - 1; j >= 0; --j) sum += std::lgamma(v - 0.5 * static_cast<double>(j));
    return sum + constant;
  });
  if (any_requires_grad(x)) {
    auto node = make_node<MvlgammaBackward0>(x);
    node->p = p;
    node->self = save(x);
    node->dtype = x.dtype();
    set_history(r, node);
  }
  return r;
}
Tensor i0(const Tensor& x) {
  return float_unary("i0", x, kI0, [](double v) { return ks::bessel_i0(v); });
}
Tensor& i0_(Tensor& x) { return x.i0_(); }
Tensor igamma(const Tensor& self, const Tensor& other) {
  return igamma_like("igamma", self, other, ks::gammainc, "IgammaBackward0", igamma_grads);
}
Tensor igammac(const Tensor& self, const Tensor& other) {
  return igamma_like("igammac", self, other, ks::gammaincc, "IgammacBackward0", igammac_grads);
}

// ---------------------------------------------------------------- special_*

Tensor special_entr(const Tensor& x) {
  return float_unary("special_entr", x, kEntr, [](double v) { return ks::entr(v); });
}
Tensor special_erfcx(const Tensor& x) {
  return float_unary("special_erfcx", x, kErfcx, [](double v) { return ks::erfcx(v); });
}
// PyTorch 1.13 composes ndtr from public ops, (1 + erf(x / sqrt 2)) / 2, and so does ember: the same
// values (which lose relative precision in the far left tail) and the same history.
Tensor special_ndtr(const Tensor& x) { return erf(x.mul(kSqrtHalf)).add(1.0).mul(0.5); }
Tensor special_ndtri(const Tensor& x) {
  return float_unary("special_ndtri", x, kNdtri, [](double v) { return ks::ndtri(v); });
}
Tensor special_log_ndtr(const Tensor& x) {
  return float_unary("special_log_ndtr", x, kLogNdtr, [](double v) { return ks::log_ndtr(v); });
}
Tensor special_i0e(const Tensor& x) {
  return float_unary("special_i0e", x, kI0e, [](double v) { return ks::bessel_i0e(v); });
}
Tensor special_i1(const Tensor& x) {
  return float_unary("special_i1", x, kI1, [](double v) { return ks::bessel_i1(v); });
}
Tensor special_i1e(const Tensor& x) {
  return float_unary("special_i1e", x, kI1e, [](double v) { return ks::bessel_i1e(v); });
}
Tensor special_xlog1py(const Tensor& self, const Tensor& other) { return xlog1py_impl(self, other, false, false); }
Tensor special_xlog1py(const Scalar& self, const Tensor& other) {
  return xlog1py_impl(wrap_scalar(self), other, true, false);
}
Tensor special_xlog1py(const Tensor& self, const Scalar& other) {
  return xlog1py_impl(self, wrap_scalar(other), false, true);
}
Tensor special_zeta(const Tensor& self, const Tensor& other) { return zeta_impl(self, other, false, false); }
Tensor special_zeta(const Scalar& self, const Tensor& other) { return zeta_impl(wrap_scalar(self), other, true, false); }
Tensor special_zeta(const Tensor& self, const Scalar& other) { return zeta_impl(self, wrap_scalar(other), false, true); }

Tensor special_round(const Tensor& x, int64_t decimals) {
  EMBER_CHECK(is_floating_type(x.dtype()), decimals == 0 ? "\"round_vml_cpu\"" : "\"round_cpu\"", " not implemented for '",
              to_string(x.dtype()), "'");
  Tensor r = unary_kernel("round", x, x.dtype(), [decimals](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) return decimals == 0 ? std::nearbyint(v) : round_decimals(v, decimals);
    else return v;
  });
  if (any_requires_grad(x)) record_unary(r, x, kRoundDecimals);
  return r;
}
Tensor round(const Tensor& x, int64_t decimals) { return special_round(x, decimals); }

Tensor special_bessel_j0(const Tensor& x) { return special_values("special_bessel_j0", x, ks::bessel_j0); }
Tensor special_bessel_j1(const Tensor& x) { return special_values("special_bessel_j1", x, ks::bessel_j1); }
Tensor special_bessel_y0(const Tensor& x) { return special_values("special_bessel_y0", x, ks::bessel_y0); }
Tensor special_bessel_y1(const Tensor& x) { return special_values("special_bessel_y1", x, ks::bessel_y1); }
Tensor special_modified_bessel_i0(const Tensor& x) {
  return special_values("special_modified_bessel_i0", x, ks::bessel_i0);
}
Tensor special_modified_bessel_i1(const Tensor& x) {
  return special_values("special_modified_bessel_i1", x, ks::bessel_i1);
}
Tensor special_modified_bessel_k0(const Tensor& x) {
  return special_values("special_modified_bessel_k0", x, ks::bessel_k0);
}
Tensor special_modified_bessel_k1(const Tensor& x) {
  return special_values("special_modified_bessel_k1", x, ks::bessel_k1);
}
Tensor special_scaled_modified_bessel_k0(const Tensor& x) {
  return special_values("special_scaled_modified_bessel_k0", x, ks::bessel_k0e);
}
Tensor special_scaled_modified_bessel_k1(const Tensor& x) {
  return special_values("special_scaled_modified_bessel_k1", x, ks::bessel_k1e);
}
Tensor special_spherical_bessel_j0(const Tensor& x) {
  return special_values("special_spherical_bessel_j0", x, ks::spherical_bessel_j0);
}
Tensor special_airy_ai(const Tensor& x) { return special_values("special_airy_ai", x, ks::airy_ai); }

Tensor special_chebyshev_polynomial_t(const Tensor& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_t", ks::Poly::ChebyshevT, x, n);
}
Tensor special_chebyshev_polynomial_t(const Scalar& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_t", ks::Poly::ChebyshevT, wrap_scalar(x), n);
}
Tensor special_chebyshev_polynomial_t(const Tensor& x, const Scalar& n) {
  return polynomial("special_chebyshev_polynomial_t", ks::Poly::ChebyshevT, x, wrap_scalar(n));
}
Tensor special_chebyshev_polynomial_u(const Tensor& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_u", ks::Poly::ChebyshevU, x, n);
}
Tensor special_chebyshev_polynomial_u(const Scalar& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_u", ks::Poly::ChebyshevU, wrap_scalar(x), n);
}
Tensor special_chebyshev_polynomial_u(const Tensor& x, const Scalar& n) {
  return polynomial("special_chebyshev_polynomial_u", ks::Poly::ChebyshevU, x, wrap_scalar(n));
}
Tensor special_chebyshev_polynomial_v(const Tensor& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_v", ks::Poly::ChebyshevV, x, n);
}
Tensor special_chebyshev_polynomial_v(const Scalar& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_v", ks::Poly::ChebyshevV, wrap_scalar(x), n);
}
Tensor special_chebyshev_polynomial_v(const Tensor& x, const Scalar& n) {
  return polynomial("special_chebyshev_polynomial_v", ks::Poly::ChebyshevV, x, wrap_scalar(n));
}
Tensor special_chebyshev_polynomial_w(const Tensor& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_w", ks::Poly::ChebyshevW, x, n);
}
Tensor special_chebyshev_polynomial_w(const Scalar& x, const Tensor& n) {
  return polynomial("special_chebyshev_polynomial_w", ks::Poly::ChebyshevW, wrap_scalar(x), n);
}
Tensor special_chebyshev_polynomial_w(const Tensor& x, const Scalar& n) {
  return polynomial("special_chebyshev_polynomial_w", ks::Poly::ChebyshevW, x, wrap_scalar(n));
}
Tensor special_shifted_chebyshev_polynomial_t(const Tensor& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_t", ks::Poly::ShiftedT, x, n);
}
Tensor special_shifted_chebyshev_polynomial_t(const Scalar& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_t", ks::Poly::ShiftedT, wrap_scalar(x), n);
}
Tensor special_shifted_chebyshev_polynomial_t(const Tensor& x, const Scalar& n) {
  return polynomial("special_shifted_chebyshev_polynomial_t", ks::Poly::ShiftedT, x, wrap_scalar(n));
}
Tensor special_shifted_chebyshev_polynomial_u(const Tensor& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_u", ks::Poly::ShiftedU, x, n);
}
Tensor special_shifted_chebyshev_polynomial_u(const Scalar& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_u", ks::Poly::ShiftedU, wrap_scalar(x), n);
}
Tensor special_shifted_chebyshev_polynomial_u(const Tensor& x, const Scalar& n) {
  return polynomial("special_shifted_chebyshev_polynomial_u", ks::Poly::ShiftedU, x, wrap_scalar(n));
}
Tensor special_shifted_chebyshev_polynomial_v(const Tensor& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_v", ks::Poly::ShiftedV, x, n);
}
Tensor special_shifted_chebyshev_polynomial_v(const Scalar& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_v", ks::Poly::ShiftedV, wrap_scalar(x), n);
}
Tensor special_shifted_chebyshev_polynomial_v(const Tensor& x, const Scalar& n) {
  return polynomial("special_shifted_chebyshev_polynomial_v", ks::Poly::ShiftedV, x, wrap_scalar(n));
}
Tensor special_shifted_chebyshev_polynomial_w(const Tensor& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_w", ks::Poly::ShiftedW, x, n);
}
Tensor special_shifted_chebyshev_polynomial_w(const Scalar& x, const Tensor& n) {
  return polynomial("special_shifted_chebyshev_polynomial_w", ks::Poly::ShiftedW, wrap_scalar(x), n);
}
Tensor special_shifted_chebyshev_polynomial_w(const Tensor& x, const Scalar& n) {
  return polynomial("special_shifted_chebyshev_polynomial_w", ks::Poly::ShiftedW, x, wrap_scalar(n));
}
Tensor special_hermite_polynomial_h(const Tensor& x, const Tensor& n) {
  return polynomial("special_hermite_polynomial_h", ks::Poly::HermiteH, x, n);
}
Tensor special_hermite_polynomial_h(const Scalar& x, const Tensor& n) {
  return polynomial("special_hermite_polynomial_h", ks::Poly::HermiteH, wrap_scalar(x), n);
}
Tensor special_hermite_polynomial_h(const Tensor& x, const Scalar& n) {
  return polynomial("special_hermite_polynomial_h", ks::Poly::HermiteH, x, wrap_scalar(n));
}
Tensor special_hermite_polynomial_he(const Tensor& x, const Tensor& n) {
  return polynomial("special_hermite_polynomial_he", ks::Poly::HermiteHe, x, n);
}
Tensor special_hermite_polynomial_he(const Scalar& x, const Tensor& n) {
  return polynomial("special_hermite_polynomial_he", ks::Poly::HermiteHe, wrap_scalar(x), n);
}
Tensor special_hermite_polynomial_he(const Tensor& x, const Scalar& n) {
  return polynomial("special_hermite_polynomial_he", ks::Poly::HermiteHe, x, wrap_scalar(n));
}
Tensor special_laguerre_polynomial_l(const Tensor& x, const Tensor& n) {
  return polynomial("special_laguerre_polynomial_l", ks::Poly::LaguerreL, x, n);
}
Tensor special_laguerre_polynomial_l(const Scalar& x, const Tensor& n) {
  return polynomial("special_laguerre_polynomial_l", ks::Poly::LaguerreL, wrap_scalar(x), n);
}
Tensor special_laguerre_polynomial_l(const Tensor& x, const Scalar& n) {
  return polynomial("special_laguerre_polynomial_l", ks::Poly::LaguerreL, x, wrap_scalar(n));
}
Tensor special_legendre_polynomial_p(const Tensor& x, const Tensor& n) {
  return polynomial("special_legendre_polynomial_p", ks::Poly::LegendreP, x, n);
}
Tensor special_legendre_polynomial_p(const Scalar& x, const Tensor& n) {
  return polynomial("special_legendre_polynomial_p", ks::Poly::LegendreP, wrap_scalar(x), n);
}
Tensor special_legendre_polynomial_p(const Tensor& x, const Scalar& n) {
  return polynomial("special_legendre_polynomial_p", ks::Poly::LegendreP, x, wrap_scalar(n));
}

// ---------------------------------------------------------------- Tensor methods

namespace {
// In-place forms: computed out of place (on a copy when the backward reads the input), written
// back with self's new history; a floating result cannot go into an integer tensor.
Tensor& write_back(const Tensor& self_const, const Tensor& r) {
  return assign_inplace(const_cast<Tensor&>(self_const), r);
}
// The input the out-of-place op reads: a copy when a backward may save it (self or `other`
// requires grad), so that writing the result into self does not clobber what it saved.
Tensor input_copy(const Tensor& self, const Tensor& other = Tensor()) {
  autograd::check_inplace(self);
  const bool tracked = self.requires_grad() || (other.defined() && other.requires_grad());
  return GradMode::is_enabled() && tracked ? self.clone() : self;
}
}  // namespace

using T = Tensor;
T T::lgamma() const { return ember::lgamma(*this); }
T& T::lgamma_() const { return write_back(*this, ember::lgamma(input_copy(*this))); }
T T::digamma() const { return ember::digamma(*this); }
T& T::digamma_() const { return write_back(*this, ember::digamma(input_copy(*this))); }
T T::polygamma(int64_t n) const { return ember::polygamma(n, *this); }
T& T::polygamma_(int64_t n) const {
  return write_back(*this, polygamma_impl<"PolygammaBackward1">(n, input_copy(*this)));
}
T T::mvlgamma(int64_t p) const { return ember::mvlgamma(*this, p); }
T& T::mvlgamma_(int64_t p) const { return write_back(*this, ember::mvlgamma(input_copy(*this), p)); }
T T::round(int64_t decimals) const { return ember::round(*this, decimals); }
T& T::round_(int64_t decimals) const { return write_back(*this, ember::round(input_copy(*this), decimals)); }
T T::i0() const { return ember::i0(*this); }
T& T::i0_() const { return write_back(*this, ember::i0(input_copy(*this))); }
T T::igamma(const T& other) const { return ember::igamma(*this, other); }
T& T::igamma_(const T& other) const { return write_back(*this, ember::igamma(input_copy(*this, other), other)); }
T T::igammac(const T& other) const { return ember::igammac(*this, other); }
T& T::igammac_(const T& other) const { return write_back(*this, ember::igammac(input_copy(*this, other), other)); }

}  // namespace ember
