// The op table shared by the PyTorch-fixture test and the gradcheck test: every differentiable
// op is listed here by its fixture name; a fixture op missing from the table fails both tests.
#pragma once
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <string>

#include "ember/ember.h"
#include "ops/op_table_math.h"
#include "ops/op_table_pointwise.h"
#include "ops/op_table_stats.h"
#include "ops/op_table_shape.h"
#include "ops/op_table_special.h"
#include "ops/op_table_linalg.h"

namespace ember_test {

using ember::Tensor;
using json = nlohmann::json;

inline json load_fixture(const std::string& file) {
  std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/" + file);
  return json::parse(in);
}

inline ember::ScalarType dtype_from(const std::string& s) {
  if (s == "float32") return ember::kFloat;
  if (s == "float64") return ember::kDouble;
  if (s == "int64") return ember::kLong;
  if (s == "int32") return ember::kInt;
  if (s == "uint8") return ember::kByte;
  return ember::kBool;
}

inline Tensor tensor_from(const json& j) {
  std::vector<double> v;
  for (const auto& x : j["values"]) {
    if (x.is_string()) v.push_back(std::stod(x.get<std::string>()));  // "nan", "inf", "-inf"
    else v.push_back(x.is_boolean() ? double(x.get<bool>()) : x.get<double>());
  }
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  Tensor t = ember::tensor(v, ember::TensorOptions(ember::kDouble)).reshape(shape).to(dtype_from(j["dtype"]));
  return t;
}

inline std::vector<int64_t> ints(const json& args, const char* key) {
  const json& v = args.at(key);
  if (v.is_array()) return v.get<std::vector<int64_t>>();
  return {v.get<int64_t>()};
}

// Every differentiable public op, by its fixture name. The fixture test fails for any name here
// that has no case in ops.json, so an op cannot be added without its PyTorch fixture and gradcheck.
inline const std::vector<std::string>& differentiable_ops() {
  static const std::vector<std::string> ops = {
      "add", "sub", "rsub", "mul", "div", "neg", "pow", "exp", "log", "log1p", "sqrt", "rsqrt", "abs", "sign",
      "sin", "cos", "tanh", "sigmoid", "relu", "reciprocal", "square", "floor", "ceil", "round", "clamp",
      "clamp_min", "clamp_max", "minimum", "maximum", "where", "addcmul", "addcdiv", "lerp", "sum", "mean",
      "prod", "amax", "amin", "max", "min", "var", "std", "norm", "logsumexp", "cumsum", "mm", "bmm", "matmul",
      "addmm", "dot", "outer", "mv", "softmax", "log_softmax", "mse_loss", "view", "reshape", "flatten",
      "unflatten", "squeeze", "unsqueeze", "transpose", "t", "permute", "movedim", "expand", "narrow", "slice",
      "select", "diagonal", "chunk", "split", "unbind", "cat", "stack", "repeat", "flip", "tril", "triu",
      "index", "index_put", "index_select", "gather", "scatter", "scatter_add", "masked_fill", "masked_select",
      "topk", "sort", "clone", "to", "copy_", "fill_", "binary_cross_entropy", "nll_loss", "cross_entropy", "erf", "leaky_relu", "elu", "gelu",
      "silu", "conv2d", "max_pool2d", "im2col", "col2im", "l1_loss", "smooth_l1_loss", "huber_loss",
      "conv1d", "conv_transpose2d", "max_pool1d", "avg_pool2d", "avg_pool2d_backward", "adaptive_avg_pool2d",
      "adaptive_avg_pool2d_backward",
      "binary_cross_entropy_with_logits", "xlogy", "kl_div", "margin_ranking_loss", "cosine_embedding_loss", "pad",
      "normalize", "cosine_similarity",
      // special functions (op_table_special.h)
      "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "igamma", "igammac", "special_entr", "special_erfcx",
      "special_ndtr", "special_ndtri", "special_log_ndtr", "special_i0e", "special_i1", "special_i1e",
      "special_xlog1py", "special_zeta", "special_round", "special_inplace",
      // normalization, embedding, feature dropout
      "batch_norm", "layer_norm", "group_norm", "embedding", "feature_dropout",
      // remaining pointwise names (op_table_pointwise.h)
      "deg2rad", "rad2deg", "sinc", "logit", "float_power", "fmax", "fmin", "frexp", "ldexp",
      // linear algebra on LAPACK (op_table_linalg.h)
      "addmv", "addr", "addbmm", "baddbmm", "vdot", "multi_dot", "chain_matmul", "vecdot", "linalg_cross", "matrix_power",
      "matrix_exp", "linalg_vander", "det", "slogdet", "logdet", "inv", "solve", "lu_factor", "lu", "lu_solve", "lu_unpack",
      "cholesky", "cholesky_old", "cholesky_inverse", "cholesky_solve", "solve_triangular", "triangular_solve", "qr",
      "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq", "vector_norm", "matrix_norm", "linalg_norm",
      "frobenius_norm", "nuclear_norm", "cond",
      // pointwise math and statistics (op_table_math.h)
      "remainder", "fmod", "div_rounding", "trunc", "frac", "expm1", "exp2", "log2", "log10", "tan", "asin",
      "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erfc", "erfinv", "sgn", "nan_to_num", "atan2",
      "hypot", "logaddexp", "logaddexp2", "copysign", "clamp_tensor", "clamp_min_tensor", "clamp_max_tensor",
      "inplace_unary", "inplace_binary", "trace", "cumprod", "cummax", "cummin", "median", "nanmedian",
      // factories, sampling and statistics (op_table_stats.h)
      "cov", "corrcoef", "dist", "cdist", "logcumsumexp", "diff", "trapezoid", "cumulative_trapezoid", "gradient",
      "quantile", "nanquantile", "msort", "vander", "renorm",
      "kthvalue", "mode", "std_mean", "var_mean", "nansum", "nanmean",
      // shape, view and indexing extras (op_table_shape.h)
      "index_add", "index_copy", "index_fill", "index_reduce", "scatter_reduce", "put", "take", "take_along_dim",
      "masked_scatter", "index_put_list", "slice_scatter", "select_scatter", "diagonal_scatter", "as_strided_scatter", "diag",
      "diagflat", "diag_embed", "block_diag", "roll", "rot90", "tile", "unfold", "repeat_interleave", "hstack", "vstack",
      "dstack", "column_stack", "tensor_split", "meshgrid", "broadcast_tensors", "atleast_3d", "einsum", "tensordot",
      "kron", "inner", "cartesian_prod", "combinations", "sum_to_size", "ravel", "fliplr", "flipud", "moveaxis",
      "swapdims", "inplace_tri", "fill_diagonal_"};
  return ops;
}

// Runs fixture op `op` on `in` with `args`; throws for an op the table does not know.
inline Tensor run_op(const std::string& op, const std::vector<Tensor>& in, const json& a) {
  if (in.empty()) return run_stats_op(op, in, a).value();  // factories take no tensor
  auto has = [&](const char* k) { return a.contains(k); };
  const Tensor& B = in.size() > 1 ? in[1] : in[0];  // one-input cases use the tensor twice
  auto num = [&](const char* k, double d) { return has(k) ? a[k].get<double>() : d; };
  if (op == "add") return ember::add(in[0], B, num("alpha", 1));
  if (op == "sub") return ember::sub(in[0], B, num("alpha", 1));
  if (op == "mul") return in[0] * B;
  if (op == "div") return in[0] / B;
  // Unary ops: the fixture name is the ember function's name.
  static const std::map<std::string, Tensor (*)(const Tensor&)> unary = {
      {"neg", ember::neg},   {"exp", ember::exp},   {"log", ember::log},   {"log1p", ember::log1p},
      {"sqrt", ember::sqrt}, {"rsqrt", ember::rsqrt}, {"abs", ember::abs}, {"sign", ember::sign},
      {"sin", ember::sin},   {"cos", ember::cos},   {"tanh", ember::tanh}, {"sigmoid", ember::sigmoid},
      {"relu", ember::relu}, {"reciprocal", ember::reciprocal}, {"square", ember::square},
      {"erf", ember::erf},     {"silu", ember::silu},   {"floor", ember::floor}, {"ceil", ember::ceil}, {"round", ember::round}, {"clone", ember::clone}};
  if (auto it = unary.find(op); it != unary.end()) return it->second(in[0]);
  if (op == "pow") return has("exponent") ? in[0].pow(a["exponent"].get<double>()) : in[0].pow(B);
  if (op == "clamp") {
    std::optional<ember::Scalar> lo, hi;
    if (has("min")) lo = a["min"].get<double>();
    if (has("max")) hi = a["max"].get<double>();
    return in[0].clamp(lo, hi);
  }
  if (op == "clamp_min") return in[0].clamp_min(a["min"].get<double>());
  if (op == "clamp_max") return in[0].clamp_max(a["max"].get<double>());
  if (op == "rsub") return a["other"].get<double>() - in[0];
  if (op == "addcmul") return in[0].addcmul(in[1], in[2], num("value", 1));
  if (op == "addcdiv") return in[0].addcdiv(in[1], in[2], num("value", 1));
  if (op == "lerp") return in.size() == 3 ? in[0].lerp(in[1], in[2]) : in[0].lerp(in[1], num("weight", 0.5));
  if (op == "to") return in[0].to(dtype_from(a["dtype"]));
  if (op == "copy_") {
    Tensor t = in[0] * 1;
    t.copy_(in[1]);
    return t;
  }
  if (op == "fill_") {
    Tensor t = in[0] * 1;
    t.fill_(num("value", 0));
    return t;
  }
  if (op == "minimum") return ember::minimum(in[0], B);
  if (op == "maximum") return ember::maximum(in[0], B);
  if (op == "where") return ember::where(in[0], in[1], in[2]);
  bool keep = has("keepdim") && a["keepdim"].get<bool>();
  if (op == "sum") return has("dim") ? in[0].sum(ints(a, "dim"), keep) : in[0].sum();
  if (op == "mean") return has("dim") ? in[0].mean(ints(a, "dim"), keep) : in[0].mean();
  if (op == "prod") return has("dim") ? in[0].prod(a["dim"].get<int64_t>(), keep) : in[0].prod();
  if (op == "amax") return in[0].amax(ints(a, "dim"), keep);
  if (op == "amin") return in[0].amin(ints(a, "dim"), keep);
  if (op == "max") return has("dim") ? std::get<0>(in[0].max(a["dim"].get<int64_t>(), keep)) : in[0].max();
  if (op == "min") return has("dim") ? std::get<0>(in[0].min(a["dim"].get<int64_t>(), keep)) : in[0].min();
  bool unbiased = !has("unbiased") || a["unbiased"].get<bool>();
  if (op == "var") return has("dim") ? in[0].var(ints(a, "dim"), unbiased, keep) : in[0].var(unbiased);
  if (op == "std") return has("dim") ? in[0].std(ints(a, "dim"), unbiased, keep) : in[0].std(unbiased);
  // Python's Tensor.norm always goes through the dim overload (empty dim: all of them).
  if (op == "norm") return in[0].norm(ember::Scalar(num("p", 2)), has("dim") ? ints(a, "dim") : std::vector<int64_t>{}, keep);
  if (op == "logsumexp") return in[0].logsumexp(ints(a, "dim"), keep);
  if (op == "cumsum") return in[0].cumsum(a["dim"].get<int64_t>());
  if (op == "mv") return in[0].mv(in[1]);
  if (op == "mm") return in[0].mm(in[1]);
  if (op == "bmm") return in[0].bmm(in[1]);
  if (op == "matmul") return in[0].matmul(in[1]);
  if (op == "addmm") return ember::addmm(in[0], in[1], in[2], num("beta", 1), num("alpha", 1));
  if (op == "dot") return in[0].dot(in[1]);
  if (op == "outer") return in[0].outer(in[1]);
  if (op == "conv1d" || op == "conv2d") {
    const Tensor bias = in.size() > 2 ? in[2] : Tensor();
    const int64_t groups = a["groups"].get<int64_t>();
    auto conv = [&](const auto& padding) {
      return op == "conv1d" ? ember::conv1d(in[0], in[1], bias, ints(a, "stride"), padding, ints(a, "dilation"), groups)
                            : ember::conv2d(in[0], in[1], bias, ints(a, "stride"), padding, ints(a, "dilation"), groups);
    };
    // padding "same" / "valid" takes ATen's string overload
    return a["padding"].is_string() ? conv(a["padding"].get<std::string>()) : conv(ints(a, "padding"));
  }
  if (op == "conv_transpose2d")
    return ember::conv_transpose2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), ints(a, "stride"),
                                   ints(a, "padding"), ints(a, "output_padding"), a["groups"].get<int64_t>(),
                                   ints(a, "dilation"));
  if (op == "max_pool1d")
    return ember::max_pool1d(in[0], ints(a, "kernel_size"), ints(a, "stride"), ints(a, "padding"), ints(a, "dilation"),
                             a["ceil_mode"].get<bool>());
  if (op == "avg_pool2d" || op == "avg_pool2d_backward") {
    std::optional<int64_t> divisor;
    if (!a["divisor_override"].is_null()) divisor = a["divisor_override"].get<int64_t>();
    const bool ceil = a["ceil_mode"].get<bool>(), include_pad = a["count_include_pad"].get<bool>();
    if (op == "avg_pool2d")
      return ember::avg_pool2d(in[0], ints(a, "kernel_size"), ints(a, "stride"), ints(a, "padding"), ceil, include_pad,
                               divisor);
    return ember::avg_pool2d_backward(in[0], in[1], ints(a, "kernel_size"), ints(a, "stride"), ints(a, "padding"), ceil,
                                      include_pad, divisor);
  }
  if (op == "adaptive_avg_pool2d") return ember::adaptive_avg_pool2d(in[0], ints(a, "output_size"));
  if (op == "adaptive_avg_pool2d_backward") return ember::_adaptive_avg_pool2d_backward(in[0], in[1]);
  if (op == "max_pool2d")
    return ember::max_pool2d(in[0], ints(a, "kernel_size"), ints(a, "stride"), ints(a, "padding"), ints(a, "dilation"),
                             a["ceil_mode"].get<bool>());
  if (op == "im2col")
    return ember::im2col(in[0], ints(a, "kernel_size"), ints(a, "dilation"), ints(a, "padding"), ints(a, "stride"));
  if (op == "col2im")
    return ember::col2im(in[0], ints(a, "output_size"), ints(a, "kernel_size"), ints(a, "dilation"), ints(a, "padding"),
                         ints(a, "stride"));
  // Normalization: the optional inputs follow x (weight, bias if "affine"; running stats if "running").
  if (op == "batch_norm") {
    const bool affine = a["affine"].get<bool>(), running = a["running"].get<bool>();
    const Tensor none;
    return ember::batch_norm(in[0], affine ? in[1] : none, affine ? in[2] : none,
                             running ? in[in.size() - 2] : none, running ? in[in.size() - 1] : none,
                             a["training"].get<bool>(), num("momentum", 0.1), num("eps", 1e-5), false);
  }
  if (op == "layer_norm") {
    const bool affine = a["affine"].get<bool>();
    return ember::layer_norm(in[0], ints(a, "normalized_shape"), affine ? in[1] : Tensor(), affine ? in[2] : Tensor(),
                             num("eps", 1e-5));
  }
  if (op == "group_norm") {
    const bool affine = a["affine"].get<bool>();
    return ember::group_norm(in[0], a["num_groups"].get<int64_t>(), affine ? in[1] : Tensor(),
                             affine ? in[2] : Tensor(), num("eps", 1e-5));
  }
  if (op == "embedding")
    return ember::embedding(in[0], in[1], a["padding_idx"].get<int64_t>(), a["scale_grad_by_freq"].get<bool>());
  if (op == "feature_dropout") {
    ember::manual_seed(a["seed"].get<uint64_t>());
    return ember::feature_dropout(in[0], num("p", 0.5), true);
  }
  if (op == "leaky_relu") return ember::leaky_relu(in[0], num("negative_slope", 0.01));
  if (op == "elu") return ember::elu(in[0], num("alpha", 1));
  if (op == "gelu") return ember::gelu(in[0], a["approximate"].get<std::string>());
  if (op == "softmax") return in[0].softmax(a["dim"].get<int64_t>());
  if (op == "log_softmax") return in[0].log_softmax(a["dim"].get<int64_t>());
  int64_t red = ember::Reduction::Mean;
  if (has("reduction")) {
    std::string r = a["reduction"];
    red = r == "none" ? ember::Reduction::None : r == "sum" ? ember::Reduction::Sum : ember::Reduction::Mean;
  }
  const Tensor none;
  if (op == "mse_loss") return ember::mse_loss(in[0], in[1], red);
  if (op == "l1_loss") return ember::l1_loss(in[0], in[1], red);
  if (op == "smooth_l1_loss") return ember::smooth_l1_loss(in[0], in[1], red, num("beta", 1));
  if (op == "huber_loss") return ember::huber_loss(in[0], in[1], red, num("delta", 1));
  if (op == "binary_cross_entropy") return ember::binary_cross_entropy(in[0], in[1], in.size() > 2 ? in[2] : none, red);
  const int64_t ignore = has("ignore_index") ? a["ignore_index"].get<int64_t>() : -100;
  if (op == "nll_loss") {
    Tensor x = has("raw") ? in[0] : in[0].log_softmax(1);
    return ember::nll_loss(x, in[1], in.size() > 2 ? in[2] : none, red, ignore);
  }
  if (op == "cross_entropy")
    return ember::cross_entropy_loss(in[0], in[1], in.size() > 2 ? in[2] : none, red, ignore, num("label_smoothing", 0));
  if (op == "binary_cross_entropy_with_logits") {
    size_t next = 2;
    const Tensor w = has("weight") ? in[next++] : none;
    const Tensor pw = has("pos_weight") ? in[next++] : none;
    return ember::binary_cross_entropy_with_logits(in[0], in[1], w, pw, red);
  }
  if (op == "xlogy") {
    // A Scalar argument (XlogyBackward1 / XlogyBackward2) comes as an arg, not an input.
    if (has("self_scalar")) return ember::xlogy(ember::Scalar(a["self_scalar"].get<double>()), in[0]);
    if (has("other_scalar")) return ember::xlogy(in[0], ember::Scalar(a["other_scalar"].get<double>()));
    return ember::xlogy(in[0], in[1]);
  }
  if (op == "kl_div") {
    namespace F = ember::nn::functional;
    const std::string r = a["reduction"];
    F::KLDivFuncOptions o = r == "batchmean" ? F::KLDivFuncOptions(ember::kBatchMean)
                                             : F::KLDivFuncOptions(static_cast<ember::Reduction::Reduction>(red));
    return F::kl_div(in[0], in[1], o.log_target(a["log_target"].get<bool>()));
  }
  if (op == "margin_ranking_loss") return ember::margin_ranking_loss(in[0], in[1], in[2], num("margin", 0), red);
  if (op == "cosine_embedding_loss") return ember::cosine_embedding_loss(in[0], in[1], in[2], num("margin", 0), red);
  if (op == "pad") {
    const std::string mode = a["mode"];
    std::optional<double> value;
    if (has("value")) value = a["value"].get<double>();
    return ember::pad(in[0], ints(a, "pad"), mode, value);
  }
  if (op == "normalize")
    return ember::nn::functional::normalize(
        in[0], ember::nn::functional::NormalizeFuncOptions().p(num("p", 2)).dim(a["dim"].get<int64_t>()).eps(num("eps", 1e-12)));
  if (op == "cosine_similarity") return ember::cosine_similarity(in[0], in[1], a["dim"].get<int64_t>(), num("eps", 1e-8));
  Tensor x = has("input_transform") ? in[0].t() : in[0];
  if (op == "view") return x.view(ints(a, "size"));
  if (op == "reshape") return x.reshape(ints(a, "size"));
  if (op == "transpose") return x.transpose(a["dim0"].get<int64_t>(), a["dim1"].get<int64_t>());
  if (op == "permute") return x.permute(ints(a, "dims"));
  if (op == "expand") return x.expand(ints(a, "size"));
  if (op == "narrow") return x.narrow(a["dim"].get<int64_t>(), a["start"].get<int64_t>(), a["length"].get<int64_t>());
  if (op == "select") return x.select(a["dim"].get<int64_t>(), a["index"].get<int64_t>());
  if (op == "slice")
    return x.slice(a["dim"].get<int64_t>(), a["start"].get<int64_t>(), a["end"].get<int64_t>(), a["step"].get<int64_t>());
  if (op == "cat") return ember::cat(in, a["dim"].get<int64_t>());
  if (op == "stack") return ember::stack(in, a["dim"].get<int64_t>());
  if (op == "repeat") return x.repeat(ints(a, "repeats"));
  if (op == "flip") return x.flip(ints(a, "dims"));
  if (op == "tril") return x.tril(a["diagonal"].get<int64_t>());
  if (op == "triu") return x.triu(a["diagonal"].get<int64_t>());
  if (op == "index_select") return x.index_select(a["dim"].get<int64_t>(), in[1]);
  if (op == "gather") return x.gather(a["dim"].get<int64_t>(), in[1]);
  if (op == "masked_fill") return x.masked_fill(in[1], a["value"].get<double>());
  if (op == "topk")
    return std::get<0>(x.topk(a["k"].get<int64_t>(), a["dim"].get<int64_t>(), a["largest"].get<bool>()));
  if (op == "scatter") {
    const int64_t d = a["dim"].get<int64_t>();
    return has("value") ? x.scatter(d, in[1], a["value"].get<double>()) : x.scatter(d, in[1], in[2]);
  }
  if (op == "scatter_add") return x.scatter_add(a["dim"].get<int64_t>(), in[1], in[2]);
  if (op == "masked_select") return x.masked_select(in[1]);
  if (op == "index") return x.index({in[1]});
  if (op == "index_put") {
    Tensor t = x * 1;
    t.index_put_({in[1]}, in[2]);
    return t;
  }
  const int64_t part = has("part") ? a["part"].get<int64_t>() : 0;
  if (op == "chunk") return x.chunk(a["chunks"].get<int64_t>(), a["dim"].get<int64_t>())[part];
  if (op == "split") return x.split(ints(a, "sizes"), a["dim"].get<int64_t>())[part];
  if (op == "unbind") return x.unbind(a["dim"].get<int64_t>())[part];
  if (op == "diagonal") return x.diagonal(a["offset"].get<int64_t>(), a["dim1"].get<int64_t>(), a["dim2"].get<int64_t>());
  if (op == "flatten") return x.flatten(a["start_dim"].get<int64_t>(), a["end_dim"].get<int64_t>());
  if (op == "unflatten") return x.unflatten(a["dim"].get<int64_t>(), ints(a, "sizes"));
  if (op == "squeeze") return x.squeeze(a["dim"].get<int64_t>());
  if (op == "unsqueeze") return x.unsqueeze(a["dim"].get<int64_t>());
  if (op == "movedim") return x.movedim(a["source"].get<int64_t>(), a["destination"].get<int64_t>());
  if (op == "t") return x.t();
  if (op == "sort") return std::get<0>(x.sort(a["dim"].get<int64_t>(), a["descending"].get<bool>()));
  if (auto r = run_pointwise_op(op, in, a)) return *r;
  if (auto r = run_stats_op(op, in, a)) return *r;
  if (auto r = run_shape_op(op, in, a)) return *r;
  if (auto r = run_special_op(op, in, a)) return *r;
  if (auto r = run_linalg_op(op, in, a)) return *r;
  return run_math_op(op, in, a);
}

}  // namespace ember_test
