// Fixture ops of the linear-algebra family (addmv ... cond), run by the op table in op_table.h.
// Cholesky and eigh cases read their input through x x^T + 3 I and x + x^T, as the fixtures do, so
// that finite differences see only symmetric perturbations.
#pragma once
#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

inline double linalg_ord(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>() == "inf" ? INFINITY : -INFINITY;
  return v.get<double>();
}

inline std::optional<ember::Tensor> run_linalg_op(const std::string& op, const std::vector<ember::Tensor>& in,
                                                  const nlohmann::json& a) {
  using ember::Tensor;
  namespace L = ember::linalg;
  const Tensor& x = in[0];
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  auto flag = [&](const char* k, bool d) { return has(k) ? a[k].get<bool>() : d; };
  auto num = [&](const char* k, double d) { return has(k) ? a[k].get<double>() : d; };
  auto part = [&]() { return has("part") ? a["part"].get<int64_t>() : 0; };
  auto spd = [](const Tensor& t) { return t.matmul(t.mT()) + ember::eye(t.size(-1), ember::TensorOptions(t.dtype())) * 3; };
  auto sym = [](const Tensor& t) { return t + t.mT(); };
  auto dims = [&]() { return a["dim"].get<std::vector<int64_t>>(); };
  const bool keep = flag("keepdim", false);
  if (op == "addmv") return ember::addmv(x, in[1], in[2], num("beta", 1), num("alpha", 1));
  if (op == "addr") return x.addr(in[1], in[2], num("beta", 1), num("alpha", 1));
  if (op == "addbmm") return ember::addbmm(x, in[1], in[2], num("beta", 1), num("alpha", 1));
  if (op == "baddbmm") return x.baddbmm(in[1], in[2], num("beta", 1), num("alpha", 1));
  if (op == "vdot") return ember::vdot(x, in[1]);
  if (op == "multi_dot") return L::multi_dot(in);
  if (op == "chain_matmul") return ember::chain_matmul(in);
  if (op == "vecdot") return L::vecdot(x, in[1], has("dim") ? a["dim"].get<int64_t>() : -1);
  if (op == "linalg_cross") return L::cross(x, in[1], has("dim") ? a["dim"].get<int64_t>() : -1);
  if (op == "matrix_power") return L::matrix_power(x, a["n"].get<int64_t>());
  if (op == "matrix_exp") return x.matrix_exp();
  if (op == "linalg_vander") return L::vander(x, a["N"].get<int64_t>());
  if (op == "det") return L::det(x);
  if (op == "slogdet") return part() == 0 ? std::get<0>(L::slogdet(x)) : std::get<1>(L::slogdet(x));
  if (op == "logdet") return x.logdet();
  if (op == "inv") return L::inv(x);
  if (op == "solve") return L::solve(x, in[1]);
  if (op == "lu_factor") return std::get<0>(L::lu_factor(x));
  if (op == "lu") {
    auto r = L::lu(x);
    return part() == 0 ? std::get<0>(r) : part() == 1 ? std::get<1>(r) : std::get<2>(r);
  }
  if (op == "lu_solve") return ember::linalg_lu_solve(x, in[1], in[2], flag("left", true), flag("adjoint", false));
  if (op == "lu_unpack") {
    auto r = ember::lu_unpack(x, in[1]);
    return part() == 1 ? std::get<1>(r) : std::get<2>(r);
  }
  if (op == "cholesky") return ember::linalg_cholesky(spd(x), flag("upper", false));
  if (op == "cholesky_old") return spd(x).cholesky();
  if (op == "cholesky_inverse") {
    const bool upper = flag("upper", false);
    return (upper ? x.triu() : x.tril()).cholesky_inverse(upper);
  }
  if (op == "cholesky_solve") return x.cholesky_solve(in[1].tril());
  if (op == "solve_triangular")
    return L::solve_triangular(x, in[1], a["upper"].get<bool>(), flag("left", true), flag("unitriangular", false));
  if (op == "triangular_solve")
    return std::get<0>(x.triangular_solve(in[1], flag("upper", true), flag("transpose", false), flag("unitriangular", false)));
  if (op == "qr") {
    auto r = L::qr(x, has("mode") ? a["mode"].get<std::string>() : "reduced");
    return part() == 0 ? std::get<0>(r) : std::get<1>(r);
  }
  if (op == "geqrf") return part() == 0 ? std::get<0>(x.geqrf()) : std::get<1>(x.geqrf());
  if (op == "householder_product") return L::householder_product(x, in[1]);
  if (op == "ormqr") return x.ormqr(in[1], in[2], flag("left", true), flag("transpose", false));
  if (op == "eigh") {
    auto r = L::eigh(sym(x), has("UPLO") ? a["UPLO"].get<std::string>() : "L");
    return part() == 0 ? std::get<0>(r) : std::get<1>(r).abs();
  }
  if (op == "eigvalsh") return L::eigvalsh(sym(x));
  if (op == "svd") {
    auto [U, S, Vh] = L::svd(x, false);
    const std::string p = a["which"];
    if (p == "S") return S;
    if (p == "UVh") return U.matmul(Vh);
    if (p == "Uabs") return U.abs();
    return Vh.abs();
  }
  if (op == "svdvals") return L::svdvals(x);
  if (op == "pinv") return flag("hermitian", false) ? L::pinv(sym(x), 1e-15, true) : L::pinv(x);
  if (op == "lstsq") return std::get<0>(L::lstsq(x, in[1]));
  if (op == "matrix_rank")
    return has("tol") ? L::matrix_rank(x, a["tol"].get<double>(), flag("hermitian", false)) : ember::linalg_matrix_rank(x);
  if (op == "tensorinv") return L::tensorinv(x, a["ind"].get<int64_t>());
  if (op == "tensorsolve") return L::tensorsolve(x, in[1]);
  if (op == "vector_norm") {
    std::optional<ember::ScalarType> dt;
    if (has("dtype")) dt = ember::kDouble;
    std::optional<std::vector<int64_t>> d;
    if (has("dim")) d = dims();
    return L::vector_norm(x, has("ord") ? linalg_ord(a["ord"]) : 2.0, d, keep, dt);
  }
  if (op == "matrix_norm") {
    std::vector<int64_t> d = has("dim") ? dims() : std::vector<int64_t>{-2, -1};
    if (a["ord"].is_string() && (a["ord"] == "fro" || a["ord"] == "nuc"))
      return L::matrix_norm(x, a["ord"].get<std::string>(), d, keep);
    return L::matrix_norm(x, linalg_ord(a["ord"]), d, keep);
  }
  if (op == "linalg_norm") {
    std::optional<std::vector<int64_t>> d;
    if (has("dim")) d = dims();
    if (!has("ord")) return L::norm(x, std::nullopt, d, keep);
    if (a["ord"] == "nuc" || a["ord"] == "fro") return L::norm(x, a["ord"].get<std::string>(), d, keep);
    return L::norm(x, ember::Scalar(linalg_ord(a["ord"])), d, keep);
  }
  if (op == "frobenius_norm") return has("dim") ? ember::frobenius_norm(x, dims(), keep) : ember::frobenius_norm(x);
  if (op == "nuclear_norm") return ember::nuclear_norm(x);
  if (op == "cond") {
    if (!has("ord")) return L::cond(x);
    if (a["ord"].is_string() && (a["ord"] == "fro" || a["ord"] == "nuc")) return L::cond(x, a["ord"].get<std::string>());
    return L::cond(x, ember::Scalar(linalg_ord(a["ord"])));
  }
  return std::nullopt;
}

}  // namespace ember_test
