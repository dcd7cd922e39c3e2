// Fixture ops of the special-function family (lgamma ... legendre_polynomial_p), run by the op
// table in op_table.h. Ops that take a Scalar operand say so in their args ("self_scalar",
// "other_scalar"); in-place forms name their method.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

inline std::optional<ember::Tensor> run_special_op(const std::string& op, const std::vector<ember::Tensor>& in,
                                                   const nlohmann::json& a) {
  using ember::Tensor;
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  const Tensor& x = in[0];
  static const std::map<std::string, Tensor (*)(const Tensor&)> unary = {
      {"lgamma", ember::lgamma},
      {"digamma", ember::digamma},
      {"i0", ember::i0},
      {"special_entr", ember::special_entr},
      {"special_erfcx", ember::special_erfcx},
      {"special_ndtr", ember::special_ndtr},
      {"special_ndtri", ember::special_ndtri},
      {"special_log_ndtr", ember::special_log_ndtr},
      {"special_i0e", ember::special_i0e},
      {"special_i1", ember::special_i1},
      {"special_i1e", ember::special_i1e},
      {"special_bessel_j0", ember::special_bessel_j0},
      {"special_bessel_j1", ember::special_bessel_j1},
      {"special_bessel_y0", ember::special_bessel_y0},
      {"special_bessel_y1", ember::special_bessel_y1},
      {"special_modified_bessel_i0", ember::special_modified_bessel_i0},
      {"special_modified_bessel_i1", ember::special_modified_bessel_i1},
      {"special_modified_bessel_k0", ember::special_modified_bessel_k0},
      {"special_modified_bessel_k1", ember::special_modified_bessel_k1},
      {"special_scaled_modified_bessel_k0", ember::special_scaled_modified_bessel_k0},
      {"special_scaled_modified_bessel_k1", ember::special_scaled_modified_bessel_k1},
      {"special_spherical_bessel_j0", ember::special_spherical_bessel_j0},
      {"special_airy_ai", ember::special_airy_ai}};
  if (auto it = unary.find(op); it != unary.end()) return it->second(x);
  if (op == "polygamma") return x.polygamma(a["n"].get<int64_t>());
  if (op == "mvlgamma") return x.mvlgamma(a["p"].get<int64_t>());
  if (op == "special_round") return ember::special_round(x, a["decimals"].get<int64_t>());
  if (op == "igamma") return x.igamma(in[1]);
  if (op == "igammac") return x.igammac(in[1]);
  using Binary = Tensor (*)(const Tensor&, const Tensor&);
  using ScalarSelf = Tensor (*)(const ember::Scalar&, const Tensor&);
  using ScalarOther = Tensor (*)(const Tensor&, const ember::Scalar&);
  struct Overloads {
    Binary tt;
    ScalarSelf st;
    ScalarOther ts;
  };
  static const std::map<std::string, Overloads> binary = {
      {"special_xlog1py", {ember::special_xlog1py, ember::special_xlog1py, ember::special_xlog1py}},
      {"special_zeta", {ember::special_zeta, ember::special_zeta, ember::special_zeta}},
      {"special_chebyshev_polynomial_t",
       {ember::special_chebyshev_polynomial_t, ember::special_chebyshev_polynomial_t,
        ember::special_chebyshev_polynomial_t}},
      {"special_chebyshev_polynomial_u",
       {ember::special_chebyshev_polynomial_u, ember::special_chebyshev_polynomial_u,
        ember::special_chebyshev_polynomial_u}},
      {"special_chebyshev_polynomial_v",
       {ember::special_chebyshev_polynomial_v, ember::special_chebyshev_polynomial_v,
        ember::special_chebyshev_polynomial_v}},
      {"special_chebyshev_polynomial_w",
       {ember::special_chebyshev_polynomial_w, ember::special_chebyshev_polynomial_w,
        ember::special_chebyshev_polynomial_w}},
      {"special_shifted_chebyshev_polynomial_t",
       {ember::special_shifted_chebyshev_polynomial_t, ember::special_shifted_chebyshev_polynomial_t,
        ember::special_shifted_chebyshev_polynomial_t}},
      {"special_shifted_chebyshev_polynomial_u",
       {ember::special_shifted_chebyshev_polynomial_u, ember::special_shifted_chebyshev_polynomial_u,
        ember::special_shifted_chebyshev_polynomial_u}},
      {"special_shifted_chebyshev_polynomial_v",
       {ember::special_shifted_chebyshev_polynomial_v, ember::special_shifted_chebyshev_polynomial_v,
        ember::special_shifted_chebyshev_polynomial_v}},
      {"special_shifted_chebyshev_polynomial_w",
       {ember::special_shifted_chebyshev_polynomial_w, ember::special_shifted_chebyshev_polynomial_w,
        ember::special_shifted_chebyshev_polynomial_w}},
      {"special_hermite_polynomial_h",
       {ember::special_hermite_polynomial_h, ember::special_hermite_polynomial_h, ember::special_hermite_polynomial_h}},
      {"special_hermite_polynomial_he",
       {ember::special_hermite_polynomial_he, ember::special_hermite_polynomial_he,
        ember::special_hermite_polynomial_he}},
      {"special_laguerre_polynomial_l",
       {ember::special_laguerre_polynomial_l, ember::special_laguerre_polynomial_l,
        ember::special_laguerre_polynomial_l}},
      {"special_legendre_polynomial_p",
       {ember::special_legendre_polynomial_p, ember::special_legendre_polynomial_p,
        ember::special_legendre_polynomial_p}}};
  if (auto it = binary.find(op); it != binary.end()) {
    if (has("self_scalar")) return it->second.st(a["self_scalar"].get<double>(), in[0]);
    if (has("other_scalar")) return it->second.ts(in[0], a["other_scalar"].get<double>());
    return it->second.tt(in[0], in[1]);
  }
  if (op == "special_inplace") {
    const std::string m = a["method"];
    Tensor t = x * 1;
    if (m == "lgamma_") return t.lgamma_();
    if (m == "digamma_") return t.digamma_();
    if (m == "polygamma_") return t.polygamma_(a["n"].get<int64_t>());
    if (m == "mvlgamma_") return t.mvlgamma_(a["p"].get<int64_t>());
    if (m == "i0_") return t.i0_();
    if (m == "igammac_") return t.igammac_(in[1]);
  }
  return std::nullopt;
}

}  // namespace ember_test
