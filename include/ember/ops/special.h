// Special functions (LibTorch's names): the gamma family (lgamma, digamma, polygamma, mvlgamma),
// the incomplete gamma functions, Hurwitz zeta, Bessel and Airy functions, the normal
// distribution's ndtr/ndtri/log_ndtr, erfcx, entr, xlog1py, the orthogonal polynomials, and the
// torch::special_* / torch::special:: spellings of these and of older ops.
#pragma once
#include <cstdint>
#include <optional>

#include "ember/core/tensor.h"
#include "ember/ops/activation.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/pointwise_extra.h"
#include "ember/ops/pointwise_math.h"
#include "ember/ops/reduction.h"

namespace ember {

Tensor lgamma(const Tensor& x);
Tensor digamma(const Tensor& x);
// n >= 0: the n-th derivative of digamma.
Tensor polygamma(int64_t n, const Tensor& x);
// The multivariate log-gamma function of dimension p >= 1.
Tensor mvlgamma(const Tensor& x, int64_t p);
// The modified Bessel function of the first kind, order 0.
Tensor i0(const Tensor& x);
Tensor& i0_(Tensor& x);
// Regularized lower (igamma) and upper (igammac) incomplete gamma functions of (a, x).
Tensor igamma(const Tensor& self, const Tensor& other);
Tensor igammac(const Tensor& self, const Tensor& other);

Tensor special_entr(const Tensor& x);
Tensor special_erfcx(const Tensor& x);
Tensor special_ndtr(const Tensor& x);
Tensor special_ndtri(const Tensor& x);
Tensor special_log_ndtr(const Tensor& x);
Tensor special_i0e(const Tensor& x);
Tensor special_i1(const Tensor& x);
Tensor special_i1e(const Tensor& x);
Tensor special_xlog1py(const Tensor& self, const Tensor& other);
Tensor special_xlog1py(const Scalar& self, const Tensor& other);
Tensor special_xlog1py(const Tensor& self, const Scalar& other);
// Hurwitz zeta(x, q); differentiable in q only, as in PyTorch.
Tensor special_zeta(const Tensor& self, const Tensor& other);
Tensor special_zeta(const Scalar& self, const Tensor& other);
Tensor special_zeta(const Tensor& self, const Scalar& other);
// Rounds half to even at `decimals` decimal places (negative: to tens, hundreds, ...).
Tensor special_round(const Tensor& x, int64_t decimals = 0);
// Bessel, Airy and the modified Bessel functions; PyTorch 1.13 records no gradient for them.
Tensor special_bessel_j0(const Tensor& x);
Tensor special_bessel_j1(const Tensor& x);
Tensor special_bessel_y0(const Tensor& x);
Tensor special_bessel_y1(const Tensor& x);
Tensor special_modified_bessel_i0(const Tensor& x);
Tensor special_modified_bessel_i1(const Tensor& x);
Tensor special_modified_bessel_k0(const Tensor& x);
Tensor special_modified_bessel_k1(const Tensor& x);
Tensor special_scaled_modified_bessel_k0(const Tensor& x);
Tensor special_scaled_modified_bessel_k1(const Tensor& x);
Tensor special_spherical_bessel_j0(const Tensor& x);
Tensor special_airy_ai(const Tensor& x);

// Orthogonal polynomials P_n(x), elementwise over broadcast x and n (n's integer part; 0 for n < 0).
// PyTorch 1.13 records no gradient for them.
Tensor special_chebyshev_polynomial_t(const Tensor& x, const Tensor& n);
Tensor special_chebyshev_polynomial_t(const Scalar& x, const Tensor& n);
Tensor special_chebyshev_polynomial_t(const Tensor& x, const Scalar& n);
Tensor special_chebyshev_polynomial_u(const Tensor& x, const Tensor& n);
Tensor special_chebyshev_polynomial_u(const Scalar& x, const Tensor& n);
Tensor special_chebyshev_polynomial_u(const Tensor& x, const Scalar& n);
Tensor special_chebyshev_polynomial_v(const Tensor& x, const Tensor& n);
Tensor special_chebyshev_polynomial_v(const Scalar& x, const Tensor& n);
Tensor special_chebyshev_polynomial_v(const Tensor& x, const Scalar& n);
Tensor special_chebyshev_polynomial_w(const Tensor& x, const Tensor& n);
Tensor special_chebyshev_polynomial_w(const Scalar& x, const Tensor& n);
Tensor special_chebyshev_polynomial_w(const Tensor& x, const Scalar& n);
Tensor special_shifted_chebyshev_polynomial_t(const Tensor& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_t(const Scalar& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_t(const Tensor& x, const Scalar& n);
Tensor special_shifted_chebyshev_polynomial_u(const Tensor& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_u(const Scalar& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_u(const Tensor& x, const Scalar& n);
Tensor special_shifted_chebyshev_polynomial_v(const Tensor& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_v(const Scalar& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_v(const Tensor& x, const Scalar& n);
Tensor special_shifted_chebyshev_polynomial_w(const Tensor& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_w(const Scalar& x, const Tensor& n);
Tensor special_shifted_chebyshev_polynomial_w(const Tensor& x, const Scalar& n);
Tensor special_hermite_polynomial_h(const Tensor& x, const Tensor& n);
Tensor special_hermite_polynomial_h(const Scalar& x, const Tensor& n);
Tensor special_hermite_polynomial_h(const Tensor& x, const Scalar& n);
Tensor special_hermite_polynomial_he(const Tensor& x, const Tensor& n);
Tensor special_hermite_polynomial_he(const Scalar& x, const Tensor& n);
Tensor special_hermite_polynomial_he(const Tensor& x, const Scalar& n);
Tensor special_laguerre_polynomial_l(const Tensor& x, const Tensor& n);
Tensor special_laguerre_polynomial_l(const Scalar& x, const Tensor& n);
Tensor special_laguerre_polynomial_l(const Tensor& x, const Scalar& n);
Tensor special_legendre_polynomial_p(const Tensor& x, const Tensor& n);
Tensor special_legendre_polynomial_p(const Scalar& x, const Tensor& n);
Tensor special_legendre_polynomial_p(const Tensor& x, const Scalar& n);

// torch::special_* spellings of ops defined elsewhere.
inline Tensor special_gammaln(const Tensor& x) { return lgamma(x); }
inline Tensor special_digamma(const Tensor& x) { return digamma(x); }
inline Tensor special_psi(const Tensor& x) { return digamma(x); }
inline Tensor special_polygamma(int64_t n, const Tensor& x) { return polygamma(n, x); }
inline Tensor special_multigammaln(const Tensor& x, int64_t p) { return mvlgamma(x, p); }
inline Tensor special_i0(const Tensor& x) { return i0(x); }
inline Tensor special_gammainc(const Tensor& self, const Tensor& other) { return igamma(self, other); }
inline Tensor special_gammaincc(const Tensor& self, const Tensor& other) { return igammac(self, other); }
inline Tensor special_expit(const Tensor& x) { return sigmoid(x); }
inline Tensor special_logit(const Tensor& x, std::optional<double> eps = std::nullopt) { return logit(x, eps); }
inline Tensor special_sinc(const Tensor& x) { return sinc(x); }
inline Tensor special_exp2(const Tensor& x) { return exp2(x); }
inline Tensor special_expm1(const Tensor& x) { return expm1(x); }
inline Tensor special_erf(const Tensor& x) { return erf(x); }
inline Tensor special_erfc(const Tensor& x) { return erfc(x); }
inline Tensor special_erfinv(const Tensor& x) { return erfinv(x); }
inline Tensor special_log1p(const Tensor& x) { return log1p(x); }
inline Tensor special_xlogy(const Tensor& self, const Tensor& other) { return xlogy(self, other); }
inline Tensor special_xlogy(const Scalar& self, const Tensor& other) { return xlogy(self, other); }
inline Tensor special_xlogy(const Tensor& self, const Scalar& other) { return xlogy(self, other); }
inline Tensor special_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt) {
  return softmax(x, dim, dtype);
}
inline Tensor special_log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt) {
  return log_softmax(x, dim, dtype);
}
inline Tensor special_logsumexp(const Tensor& x, IntArrayRef dim, bool keepdim = false) {
  return logsumexp(x, dim, keepdim);
}

// LibTorch's torch::special:: namespace (torch/special.h): the same functions without the prefix.
namespace special {
inline Tensor gammaln(const Tensor& x) { return ::ember::lgamma(x); }
inline Tensor digamma(const Tensor& x) { return ::ember::digamma(x); }
inline Tensor psi(const Tensor& x) { return ::ember::digamma(x); }
inline Tensor polygamma(int64_t n, const Tensor& x) { return ::ember::polygamma(n, x); }
inline Tensor multigammaln(const Tensor& x, int64_t p) { return ::ember::mvlgamma(x, p); }
inline Tensor gammainc(const Tensor& a, const Tensor& x) { return ::ember::igamma(a, x); }
inline Tensor gammaincc(const Tensor& a, const Tensor& x) { return ::ember::igammac(a, x); }
inline Tensor entr(const Tensor& x) { return special_entr(x); }
inline Tensor erf(const Tensor& x) { return ::ember::erf(x); }
inline Tensor erfc(const Tensor& x) { return ::ember::erfc(x); }
inline Tensor erfcx(const Tensor& x) { return special_erfcx(x); }
inline Tensor erfinv(const Tensor& x) { return ::ember::erfinv(x); }
inline Tensor ndtr(const Tensor& x) { return special_ndtr(x); }
inline Tensor ndtri(const Tensor& x) { return special_ndtri(x); }
inline Tensor log_ndtr(const Tensor& x) { return special_log_ndtr(x); }
inline Tensor expit(const Tensor& x) { return ::ember::sigmoid(x); }
inline Tensor logit(const Tensor& x, std::optional<double> eps = std::nullopt) { return ::ember::logit(x, eps); }
inline Tensor sinc(const Tensor& x) { return ::ember::sinc(x); }
inline Tensor exp2(const Tensor& x) { return ::ember::exp2(x); }
inline Tensor expm1(const Tensor& x) { return ::ember::expm1(x); }
inline Tensor log1p(const Tensor& x) { return ::ember::log1p(x); }
inline Tensor round(const Tensor& x, int64_t decimals = 0) { return special_round(x, decimals); }
inline Tensor xlogy(const Tensor& self, const Tensor& other) { return ::ember::xlogy(self, other); }
inline Tensor xlogy(const Scalar& self, const Tensor& other) { return ::ember::xlogy(self, other); }
inline Tensor xlogy(const Tensor& self, const Scalar& other) { return ::ember::xlogy(self, other); }
inline Tensor xlog1py(const Tensor& self, const Tensor& other) { return special_xlog1py(self, other); }
inline Tensor xlog1py(const Scalar& self, const Tensor& other) { return special_xlog1py(self, other); }
inline Tensor xlog1py(const Tensor& self, const Scalar& other) { return special_xlog1py(self, other); }
inline Tensor zeta(const Tensor& self, const Tensor& other) { return special_zeta(self, other); }
inline Tensor zeta(const Scalar& self, const Tensor& other) { return special_zeta(self, other); }
inline Tensor zeta(const Tensor& self, const Scalar& other) { return special_zeta(self, other); }
inline Tensor i0(const Tensor& x) { return ::ember::i0(x); }
inline Tensor i0e(const Tensor& x) { return special_i0e(x); }
inline Tensor i1(const Tensor& x) { return special_i1(x); }
inline Tensor i1e(const Tensor& x) { return special_i1e(x); }
inline Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::softmax(x, dim, dtype);
}
inline Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::log_softmax(x, dim, dtype);
}
inline Tensor logsumexp(const Tensor& x, IntArrayRef dim, bool keepdim = false) {
  return ::ember::logsumexp(x, dim, keepdim);
}
inline Tensor bessel_j0(const Tensor& x) { return special_bessel_j0(x); }
inline Tensor bessel_j1(const Tensor& x) { return special_bessel_j1(x); }
inline Tensor bessel_y0(const Tensor& x) { return special_bessel_y0(x); }
inline Tensor bessel_y1(const Tensor& x) { return special_bessel_y1(x); }
inline Tensor modified_bessel_i0(const Tensor& x) { return special_modified_bessel_i0(x); }
inline Tensor modified_bessel_i1(const Tensor& x) { return special_modified_bessel_i1(x); }
inline Tensor modified_bessel_k0(const Tensor& x) { return special_modified_bessel_k0(x); }
inline Tensor modified_bessel_k1(const Tensor& x) { return special_modified_bessel_k1(x); }
inline Tensor scaled_modified_bessel_k0(const Tensor& x) { return special_scaled_modified_bessel_k0(x); }
inline Tensor scaled_modified_bessel_k1(const Tensor& x) { return special_scaled_modified_bessel_k1(x); }
inline Tensor spherical_bessel_j0(const Tensor& x) { return special_spherical_bessel_j0(x); }
inline Tensor airy_ai(const Tensor& x) { return special_airy_ai(x); }
inline Tensor chebyshev_polynomial_t(const Tensor& x, const Tensor& n) { return special_chebyshev_polynomial_t(x, n); }
inline Tensor chebyshev_polynomial_t(const Scalar& x, const Tensor& n) { return special_chebyshev_polynomial_t(x, n); }
inline Tensor chebyshev_polynomial_t(const Tensor& x, const Scalar& n) { return special_chebyshev_polynomial_t(x, n); }
inline Tensor chebyshev_polynomial_u(const Tensor& x, const Tensor& n) { return special_chebyshev_polynomial_u(x, n); }
inline Tensor chebyshev_polynomial_u(const Scalar& x, const Tensor& n) { return special_chebyshev_polynomial_u(x, n); }
inline Tensor chebyshev_polynomial_u(const Tensor& x, const Scalar& n) { return special_chebyshev_polynomial_u(x, n); }
inline Tensor chebyshev_polynomial_v(const Tensor& x, const Tensor& n) { return special_chebyshev_polynomial_v(x, n); }
inline Tensor chebyshev_polynomial_v(const Scalar& x, const Tensor& n) { return special_chebyshev_polynomial_v(x, n); }
inline Tensor chebyshev_polynomial_v(const Tensor& x, const Scalar& n) { return special_chebyshev_polynomial_v(x, n); }
inline Tensor chebyshev_polynomial_w(const Tensor& x, const Tensor& n) { return special_chebyshev_polynomial_w(x, n); }
inline Tensor chebyshev_polynomial_w(const Scalar& x, const Tensor& n) { return special_chebyshev_polynomial_w(x, n); }
inline Tensor chebyshev_polynomial_w(const Tensor& x, const Scalar& n) { return special_chebyshev_polynomial_w(x, n); }
inline Tensor shifted_chebyshev_polynomial_t(const Tensor& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_t(x, n); }
inline Tensor shifted_chebyshev_polynomial_t(const Scalar& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_t(x, n); }
inline Tensor shifted_chebyshev_polynomial_t(const Tensor& x, const Scalar& n) { return special_shifted_chebyshev_polynomial_t(x, n); }
inline Tensor shifted_chebyshev_polynomial_u(const Tensor& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_u(x, n); }
inline Tensor shifted_chebyshev_polynomial_u(const Scalar& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_u(x, n); }
inline Tensor shifted_chebyshev_polynomial_u(const Tensor& x, const Scalar& n) { return special_shifted_chebyshev_polynomial_u(x, n); }
inline Tensor shifted_chebyshev_polynomial_v(const Tensor& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_v(x, n); }
inline Tensor shifted_chebyshev_polynomial_v(const Scalar& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_v(x, n); }
inline Tensor shifted_chebyshev_polynomial_v(const Tensor& x, const Scalar& n) { return special_shifted_chebyshev_polynomial_v(x, n); }
inline Tensor shifted_chebyshev_polynomial_w(const Tensor& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_w(x, n); }
inline Tensor shifted_chebyshev_polynomial_w(const Scalar& x, const Tensor& n) { return special_shifted_chebyshev_polynomial_w(x, n); }
inline Tensor shifted_chebyshev_polynomial_w(const Tensor& x, const Scalar& n) { return special_shifted_chebyshev_polynomial_w(x, n); }
inline Tensor hermite_polynomial_h(const Tensor& x, const Tensor& n) { return special_hermite_polynomial_h(x, n); }
inline Tensor hermite_polynomial_h(const Scalar& x, const Tensor& n) { return special_hermite_polynomial_h(x, n); }
inline Tensor hermite_polynomial_h(const Tensor& x, const Scalar& n) { return special_hermite_polynomial_h(x, n); }
inline Tensor hermite_polynomial_he(const Tensor& x, const Tensor& n) { return special_hermite_polynomial_he(x, n); }
inline Tensor hermite_polynomial_he(const Scalar& x, const Tensor& n) { return special_hermite_polynomial_he(x, n); }
inline Tensor hermite_polynomial_he(const Tensor& x, const Scalar& n) { return special_hermite_polynomial_he(x, n); }
inline Tensor laguerre_polynomial_l(const Tensor& x, const Tensor& n) { return special_laguerre_polynomial_l(x, n); }
inline Tensor laguerre_polynomial_l(const Scalar& x, const Tensor& n) { return special_laguerre_polynomial_l(x, n); }
inline Tensor laguerre_polynomial_l(const Tensor& x, const Scalar& n) { return special_laguerre_polynomial_l(x, n); }
inline Tensor legendre_polynomial_p(const Tensor& x, const Tensor& n) { return special_legendre_polynomial_p(x, n); }
inline Tensor legendre_polynomial_p(const Scalar& x, const Tensor& n) { return special_legendre_polynomial_p(x, n); }
inline Tensor legendre_polynomial_p(const Tensor& x, const Scalar& n) { return special_legendre_polynomial_p(x, n); }
}  // namespace special

}  // namespace ember
