// Fixture ops of the pointwise-math and statistics families (remainder ... count_nonzero), run by
// the op table in op_table.h; ops that also return indices give them through run_math_op_indexed.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

// (values, indices) of the ops that return both; nullopt for the others.
inline std::optional<std::tuple<ember::Tensor, ember::Tensor>> run_math_op_indexed(const std::string& op,
                                                                                 const std::vector<ember::Tensor>& in,
                                                                                 const nlohmann::json& a) {
  const ember::Tensor& x = in[0];
  const bool keep = a.contains("keepdim") && a["keepdim"].get<bool>();
  auto dim = [&](int64_t d) { return a.contains("dim") ? a["dim"].get<int64_t>() : d; };
  if (op == "cummax") return x.cummax(dim(0));
  if (op == "cummin") return x.cummin(dim(0));
  if (op == "median" && a.contains("dim")) return x.median(dim(0), keep);
  if (op == "nanmedian" && a.contains("dim")) return x.nanmedian(dim(0), keep);
  if (op == "kthvalue") return x.kthvalue(a["k"].get<int64_t>(), dim(-1), keep);
  if (op == "mode") return x.mode(dim(-1), keep);
  return std::nullopt;
}

inline ember::Tensor run_math_op(const std::string& op, const std::vector<ember::Tensor>& in, const nlohmann::json& a) {
  using ember::Tensor;
  const Tensor& x = in[0];
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  auto dims = [&]() {
    if (!has("dim")) return std::vector<int64_t>{};
    if (a["dim"].is_array()) return a["dim"].get<std::vector<int64_t>>();
    return std::vector<int64_t>{a["dim"].get<int64_t>()};
  };
  const bool keep = has("keepdim") && a["keepdim"].get<bool>();
  if (auto r = run_math_op_indexed(op, in, a)) return std::get<0>(*r);
  if (op == "remainder") {
    if (has("other_scalar")) return x.remainder(a["other_scalar"].get<double>());
    if (has("operator")) return x % in[1];
    return ember::remainder(x, in[1]);
  }
  if (op == "fmod") return has("other_scalar") ? x.fmod(a["other_scalar"].get<double>()) : ember::fmod(x, in[1]);
  if (op == "div_rounding") {
    std::optional<std::string_view> mode;
    std::string m;
    if (has("rounding_mode")) {
      m = a["rounding_mode"].get<std::string>();
      mode = m;
    }
    return has("other_scalar") ? x.div(ember::Scalar(a["other_scalar"].get<double>()), mode) : x.div(in[1], mode);
  }
  if (op == "floor_divide") return x.floor_divide(in[1]);
  static const std::map<std::string, Tensor (*)(const Tensor&)> unary = {
      {"trunc", ember::trunc}, {"frac", ember::frac},   {"expm1", ember::expm1}, {"exp2", ember::exp2},
      {"log2", ember::log2},   {"log10", ember::log10}, {"tan", ember::tan},     {"asin", ember::asin},
      {"acos", ember::acos},   {"atan", ember::atan},   {"sinh", ember::sinh},   {"cosh", ember::cosh},
      {"asinh", ember::asinh}, {"acosh", ember::acosh}, {"atanh", ember::atanh}, {"erfc", ember::erfc},
      {"erfinv", ember::erfinv}, {"sgn", ember::sgn}};
  if (auto it = unary.find(op); it != unary.end()) return it->second(x);
  if (op == "nan_to_num") {
    auto opt = [&](const char* k) { return has(k) ? std::optional<double>(a[k].get<double>()) : std::nullopt; };
    return x.nan_to_num(opt("nan"), opt("posinf"), opt("neginf"));
  }
  if (op == "atan2") return x.atan2(in[1]);
  if (op == "hypot") return x.hypot(in[1]);
  if (op == "logaddexp") return x.logaddexp(in[1]);
  if (op == "logaddexp2") return x.logaddexp2(in[1]);
  if (op == "copysign") return has("other_scalar") ? x.copysign(a["other_scalar"].get<double>()) : x.copysign(in[1]);
  if (op == "clamp_tensor") {
    std::optional<Tensor> lo, hi;
    size_t next = 1;
    if (has("min")) lo = in[next++];
    if (has("max")) hi = in[next++];
    return x.clamp(lo, hi);
  }
  if (op == "clamp_min_tensor") return x.clamp_min(in[1]);
  if (op == "clamp_max_tensor") return x.clamp_max(in[1]);
  if (op == "inplace_unary" || op == "inplace_binary") {
    const std::string m = a["method"];
    Tensor t = x * 1;
    static const std::map<std::string, Tensor& (Tensor::*)() const> unary_inplace = {
        {"sin_", &Tensor::sin_},     {"cos_", &Tensor::cos_},       {"log1p_", &Tensor::log1p_},
        {"erf_", &Tensor::erf_},     {"expm1_", &Tensor::expm1_},   {"log2_", &Tensor::log2_},
        {"atan_", &Tensor::atan_},   {"trunc_", &Tensor::trunc_},   {"frac_", &Tensor::frac_},
        {"sinh_", &Tensor::sinh_},   {"floor_", &Tensor::floor_},   {"reciprocal_", &Tensor::reciprocal_},
        {"rsqrt_", &Tensor::rsqrt_}};
    if (auto it = unary_inplace.find(m); it != unary_inplace.end()) return (t.*(it->second))();
    if (m == "remainder_") return t.remainder_(in[1]);
    if (m == "fmod_") return t.fmod_(in[1]);
    if (m == "atan2_") return t.atan2_(in[1]);
    if (m == "clamp_") return t.clamp_(std::optional<Tensor>(in[1]));
  }
  if (op == "trace") return x.trace();
  if (op == "cumprod") return x.cumprod(a["dim"].get<int64_t>());
  if (op == "median") return x.median();
  if (op == "nanmedian") return x.nanmedian();
  if (op == "std_mean" || op == "var_mean") {
    const bool unbiased = !has("unbiased") || a["unbiased"].get<bool>();
    const bool is_std = op == "std_mean";
    std::tuple<Tensor, Tensor> r = !has("dim") ? (is_std ? ember::std_mean(x, unbiased) : ember::var_mean(x, unbiased))
                                               : (is_std ? ember::std_mean(x, dims(), unbiased, keep)
                                                         : ember::var_mean(x, dims(), unbiased, keep));
    const int64_t part = a["part"].get<int64_t>();
    if (part == 0) return std::get<0>(r);
    if (part == 1) return std::get<1>(r);
    return std::get<0>(r) * 2 + std::get<1>(r) * 3;
  }
  if (op == "nansum") return has("dim") ? x.nansum(dims(), keep) : x.nansum();
  if (op == "nanmean") return has("dim") ? x.nanmean(dims(), keep) : x.nanmean();
  if (op == "aminmax") {
    auto r = has("dim") ? x.aminmax(a["dim"].get<int64_t>(), keep) : x.aminmax();
    return a["part"].get<int64_t>() == 0 ? std::get<0>(r) : std::get<1>(r);
  }
  if (op == "count_nonzero") return x.count_nonzero(ember::IntArrayRef(dims()));
  throw std::runtime_error("op table has no entry for '" + op + "'");
}

}  // namespace ember_test
