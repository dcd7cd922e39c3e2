// Fixture ops of the factories, sampling and statistics family (cov ... vander, binning, windows),
// run by the op table in op_table.h; nullopt for an op this table does not know.
#pragma once
#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

inline std::optional<ember::Tensor> run_stats_op(const std::string& op, const std::vector<ember::Tensor>& in,
                                                 const nlohmann::json& a) {
  using ember::Tensor;
  static const std::set<std::string> ops = {
      "window", "logspace", "range", "cov", "corrcoef", "dist", "cdist", "logcumsumexp", "diff", "trapezoid",
      "cumulative_trapezoid", "gradient", "quantile", "nanquantile", "msort", "vander", "renorm", "histc",
      "histogram", "histogramdd", "bincount", "searchsorted", "bucketize"};
  if (!ops.count(op)) return std::nullopt;
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  auto i64 = [&](const char* k, int64_t d) { return has(k) ? a[k].get<int64_t>() : d; };
  auto f64 = [&](const char* k, double d) {
    if (!has(k)) return d;
    if (a[k].is_string()) return (a[k].get<std::string>() == "inf" ? 1.0 : -1.0) * std::numeric_limits<double>::infinity();
    return a[k].get<double>();
  };
  auto flag = [&](const char* k) { return has(k) && a[k].get<bool>(); };
  auto scalar = [&](const char* k) {
    return a[k].is_number_integer() ? ember::Scalar(a[k].get<int64_t>()) : ember::Scalar(a[k].get<double>());
  };
  auto options = [&]() {
    if (!has("dtype")) return ember::TensorOptions();
    const std::string d = a["dtype"];
    return ember::TensorOptions(d == "float64" ? ember::kDouble : d == "int64" ? ember::kLong : ember::kFloat);
  };
  const int64_t part = i64("part", 0);
  if (in.empty()) {
    if (op == "window") {
      const std::string kind = a["kind"];
      const int64_t n = a["n"].get<int64_t>();
      const bool periodic = a["periodic"].get<bool>();
      if (kind == "hann") return ember::hann_window(n, periodic, options());
      if (kind == "bartlett") return ember::bartlett_window(n, periodic, options());
      if (kind == "blackman") return ember::blackman_window(n, periodic, options());
      if (kind == "hamming")
        return has("alpha") ? ember::hamming_window(n, periodic, f64("alpha", 0), f64("beta", 0), options())
                            : ember::hamming_window(n, periodic, options());
      if (kind == "kaiser")
        return has("beta") ? ember::kaiser_window(n, periodic, f64("beta", 0), options())
                           : ember::kaiser_window(n, periodic, options());
    }
    if (op == "logspace")
      return ember::logspace(scalar("start"), scalar("end"), a["steps"].get<int64_t>(), f64("base", 10), options());
    if (op == "range") return ember::range(scalar("start"), scalar("end"), scalar("step"), options());
    return std::nullopt;
  }
  const Tensor& x = in[0];
  const std::optional<int64_t> dim = has("dim") ? std::optional<int64_t>(a["dim"].get<int64_t>()) : std::nullopt;
  if (op == "cov") {
    size_t next = 1;
    std::optional<Tensor> fw, aw;
    if (flag("fweights")) fw = in[next++];
    if (flag("aweights")) aw = in[next++];
    return x.cov(i64("correction", 1), fw, aw);
  }
  if (op == "corrcoef") return x.corrcoef();
  if (op == "dist") return x.dist(in[1], f64("p", 2));
  if (op == "cdist") {
    std::optional<int64_t> mode = has("compute_mode") ? std::optional<int64_t>(i64("compute_mode", 0)) : std::nullopt;
    return ember::cdist(x, in[1], f64("p", 2), mode);
  }
  if (op == "logcumsumexp") return x.logcumsumexp(*dim);
  if (op == "diff") {
    size_t next = 1;
    std::optional<Tensor> pre, post;
    if (flag("prepend")) pre = in[next++];
    if (flag("append")) post = in[next++];
    return x.diff(i64("n", 1), dim.value_or(-1), pre, post);
  }
  if (op == "trapezoid" || op == "cumulative_trapezoid") {
    const bool cumulative = op == "cumulative_trapezoid";
    if (flag("x")) return cumulative ? ember::cumulative_trapezoid(x, in[1], dim.value_or(-1))
                                     : ember::trapezoid(x, in[1], dim.value_or(-1));
    const ember::Scalar dx = has("dx") ? scalar("dx") : ember::Scalar(1);
    return cumulative ? ember::cumulative_trapezoid(x, dx, dim.value_or(-1)) : ember::trapezoid(x, dx, dim.value_or(-1));
  }
  if (op == "gradient") {
    const int64_t edge = i64("edge_order", 1);
    if (flag("coordinates")) return ember::gradient(x, ember::TensorList(&in[1], 1), dim, edge)[part];
    if (has("spacing_list")) {
      std::vector<ember::Scalar> sp;
      for (double v : a["spacing_list"].get<std::vector<double>>()) sp.emplace_back(v);
      return ember::gradient(x, ember::ArrayRef<ember::Scalar>(sp), dim, edge)[part];
    }
    if (has("spacing")) return ember::gradient(x, std::optional<ember::Scalar>(scalar("spacing")), dim, edge)[part];
    return ember::gradient(x)[part];
  }
  if (op == "quantile" || op == "nanquantile") {
    const std::string interp = has("interpolation") ? a["interpolation"].get<std::string>() : "linear";
    const bool keep = flag("keepdim");
    const bool nan = op == "nanquantile";
    if (flag("q_tensor")) return nan ? x.nanquantile(in[1], dim, keep, interp) : x.quantile(in[1], dim, keep, interp);
    return nan ? x.nanquantile(f64("q", 0), dim, keep, interp) : x.quantile(f64("q", 0), dim, keep, interp);
  }
  if (op == "msort") return x.msort();
  if (op == "vander")
    return ember::vander(x, has("N") ? std::optional<int64_t>(i64("N", 0)) : std::nullopt, flag("increasing"));
  if (op == "renorm") return x.renorm(scalar("p"), i64("dim", 0), scalar("maxnorm"));
  if (op == "histc") return x.histc(i64("bins", 100), scalar("min"), scalar("max"));
  if (op == "histogram") {
    std::optional<Tensor> w = flag("weight") ? std::optional<Tensor>(in[1]) : std::nullopt;
    if (flag("bins_tensor")) return std::get<0>(x.histogram(in[1], std::nullopt, flag("density")));
    std::vector<double> range;
    if (has("range")) range = a["range"].get<std::vector<double>>();
    auto r = x.histogram(i64("bins", 100),
                         has("range") ? std::optional<ember::ArrayRef<double>>(range) : std::nullopt, w,
                         flag("density"));
    return part == 0 ? std::get<0>(r) : std::get<1>(r);
  }
  if (op == "histogramdd") {
    const std::vector<int64_t> bins = a["bins"].get<std::vector<int64_t>>();
    auto [hist, edges] = ember::histogramdd(x, ember::IntArrayRef(bins));
    return part == 0 ? hist : edges[static_cast<size_t>(part - 1)];
  }
  if (op == "bincount")
    return x.bincount(flag("weights") ? std::optional<Tensor>(in[1]) : std::nullopt, i64("minlength", 0));
  if (op == "searchsorted") {
    std::optional<std::string_view> side;
    std::string s;
    if (has("side")) {
      s = a["side"].get<std::string>();
      side = s;
    }
    std::optional<Tensor> sorter = flag("sorter") ? std::optional<Tensor>(in[2]) : std::nullopt;
    return ember::searchsorted(x, in[1], flag("out_int32"), flag("right"), side, sorter);
  }
  if (op == "bucketize") return ember::bucketize(x, in[1], flag("out_int32"), flag("right"));
  return std::nullopt;
}

}  // namespace ember_test
