// Factories and statistics of LibTorch's API: windows, logspace, range, empty_strided; bincount,
// histc, histogram(dd), bucketize/searchsorted; msort, quantile, cov/corrcoef, dist/cdist,
// logcumsumexp, vander, renorm (diff, gradient and trapezoid are in diff_integrate.cpp). Most are
// compositions of differentiable ops (as in ATen), so their gradients come from those ops; their
// results carry PyTorch's grad_fn name.
#include "ember/ops/stats_extra.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "ember/ops/reduction_stats.h"
#include "kernels/cpu/stats.h"
#include "ops/elementwise.h"
#include "ops/window.h"
#include "ops/zero_grad.h"

namespace ember {

namespace {

// The identity, recorded under the name PyTorch gives the last node of a composite op, so that
// `grad_fn` reads as in LibTorch; the gradient passes straight to the composite's own graph.
struct RenamedBackward final : Node {
  const char* name_ = "";
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {g[0]}; }
};

Tensor named_as(const Tensor& r, const char* name) {
  if (!r.requires_grad() || !r.grad_fn() || r.grad_fn()->name() == name) return r;
  Tensor out = raw_view(r, r.sizes(), r.strides(), r.storage_offset());
  auto n = make_node<RenamedBackward>(r);
  n->name_ = name;
  set_history(out, n);
  return out;
}

// cdist with p = 0 counts the differing coordinates of each pair (a of the rows of x1 against
// b of x2's): flat, so zeros flow back to the inputs (where norm's own 0-norm gives none).
Tensor zero_norm_distance(const Tensor& a, const Tensor& b, const char* name) {
  Tensor out;
  {
    NoGradGuard no_grad;
    // ATen's cdist/pdist count min(ceil(|d|), 1), so a NaN difference makes the distance NaN
    // (norm(0) would count it as a non-zero).
    out = a.unsqueeze(-2).sub(b.unsqueeze(-3)).abs().ceil().clamp_max(1).sum(IntArrayRef(-1));
  }
  return ops::with_zero_grad(out, name, a, b);
}

Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

// ---------------------------------------------------------------- windows

template <typename F>
Tensor window(const char* name, int64_t n, bool periodic, const TensorOptions& options, const F& symmetric) {
  check_device(options.device(), name);
  EMBER_CHECK(n >= 0, name, " requires non-negative window_length, got window_length=", n);
  const ScalarType dt = options.dtype();
  EMBER_CHECK(is_floating_type(dt), name, " expects floating point dtypes, got: ", to_string(dt));
  if (n == 0) return finish(empty({0}, TensorOptions(dt)), options);
  if (n == 1) return finish(ones({1}, TensorOptions(dt)), options);
  const int64_t m = periodic ? n + 1 : n;
  Tensor w;
  {
    NoGradGuard no_grad;
    w = symmetric(m);  // m points in double
    if (periodic) w = w.narrow(0, 0, n);
    w = w.to(dt).contiguous();
  }
  return finish(w, options);
}

// 2 pi k i / (m - 1) for i < m.
Tensor angles(int64_t m, double k) { return arange(m, TensorOptions(kDouble)).mul(2 * M_PI * k / double(m - 1)); }

Tensor hamming_values(int64_t m, double alpha, double beta) { return angles(m, 1).cos().mul(-beta).add(alpha); }

}  // namespace

Tensor bartlett_window(int64_t n, const TensorOptions& o) { return bartlett_window(n, true, o); }
Tensor bartlett_window(int64_t n, bool periodic, const TensorOptions& o) {
  return window("bartlett_window", n, periodic, o, [](int64_t m) {
    return arange(m, TensorOptions(kDouble)).mul(2.0 / double(m - 1)).sub(1).abs().neg().add(1);
  });
}
Tensor blackman_window(int64_t n, const TensorOptions& o) { return blackman_window(n, true, o); }
Tensor blackman_window(int64_t n, bool periodic, const TensorOptions& o) {
  return window("blackman_window", n, periodic, o, [](int64_t m) {
    return angles(m, 2).cos().mul(0.08).sub(angles(m, 1).cos().mul(0.5)).add(0.42);
  });
}
Tensor hann_window(int64_t n, const TensorOptions& o) { return hann_window(n, true, o); }
Tensor hann_window(int64_t n, bool periodic, const TensorOptions& o) {
  return window("hann_window", n, periodic, o, [](int64_t m) { return hamming_values(m, 0.5, 0.5); });
}
Tensor hamming_window(int64_t n, const TensorOptions& o) { return hamming_window(n, true, o); }
Tensor hamming_window(int64_t n, bool periodic, const TensorOptions& o) { return hamming_window(n, periodic, 0.54, 0.46, o); }
Tensor hamming_window(int64_t n, bool periodic, double alpha, const TensorOptions& o) {
  return hamming_window(n, periodic, alpha, 0.46, o);
}
Tensor hamming_window(int64_t n, bool periodic, double alpha, double beta, const TensorOptions& o) {
  return window("hamming_window", n, periodic, o, [&](int64_t m) { return hamming_values(m, alpha, beta); });
}
Tensor kaiser_window(int64_t n, const TensorOptions& o) { return kaiser_window(n, true, 12.0, o); }
Tensor kaiser_window(int64_t n, bool periodic, const TensorOptions& o) { return kaiser_window(n, periodic, 12.0, o); }
Tensor kaiser_window(int64_t n, bool periodic, double beta, const TensorOptions& o) {
  return window("kaiser_window", n, periodic, o, [&](int64_t m) {
    Tensor w = new_tensor({m}, kDouble);
    kernels::kaiser_window(w, m - 1, beta);
    return w;
  });
}

// ---------------------------------------------------------------- logspace, range, empty_strided

Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, const TensorOptions& options) {
  check_device(options.device(), "logspace");
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  Tensor t;
  {
    NoGradGuard no_grad;
    t = ember::pow(Scalar(base), linspace(start, end, steps, TensorOptions(kDouble))).to(options.dtype()).contiguous();
  }
  return finish(t, options);
}

Tensor range(const Scalar& start, const Scalar& end, const TensorOptions& options) { return range(start, end, 1, options); }
Tensor range(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  check_device(options.device(), "range");
  const double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  EMBER_CHECK(st != 0, "step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "unsupported range: ", s, " -> ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "upper bound and lower bound inconsistent with step sign");
  const double count = std::floor((e - s) / st) + 1;
  EMBER_CHECK(count <= double(std::numeric_limits<int64_t>::max() / 8), "range: too many elements (", count, ")");
  Tensor t;
  {
    NoGradGuard no_grad;
    t = arange(static_cast<int64_t>(count), TensorOptions(kDouble)).mul(st).add(s).to(options.dtype()).contiguous();
  }
  return finish(t, options);
}

Tensor empty_strided(IntArrayRef size, IntArrayRef stride, const TensorOptions& options) {
  check_device(options.device(), "empty_strided");
  EMBER_CHECK(size.size() == stride.size(), "dimensionality of sizes (", size.size(),
              ") must match dimensionality of strides (", stride.size(), ")");
  int64_t extent = 1;
  for (size_t i = 0; i < size.size(); ++i) {
    EMBER_CHECK(size[i] >= 0, "Trying to create tensor with negative dimension ", size[i], ": ", size);
    EMBER_CHECK(stride[i] >= 0, "empty_strided: strides must be non-negative, got ", stride);
    if (size[i] == 0) extent = 0;
  }
  if (extent) {
    for (size_t i = 0; i < size.size(); ++i) extent = checked_mul("empty_strided", size[i] - 1, stride[i]) + extent;
  }
  Tensor base = new_tensor({extent}, options.dtype());
  return finish(raw_view(base, size, stride, 0), options);
}

// ---------------------------------------------------------------- bincount, histograms, search

Tensor bincount(const Tensor& self, const std::optional<Tensor>& weights, int64_t minlength) {
  EMBER_CHECK(minlength >= 0, "minlength should be >= 0");
  EMBER_CHECK(is_integral_type(self.dtype(), false), "\"bincount_cpu\" not implemented for '", to_string(self.dtype()),
              "'");
  const bool weighted = weights && weights->defined();
  EMBER_CHECK(self.dim() == 1 && (self.numel() == 0 || self.min().item<int64_t>() >= 0),
              "bincount only supports 1-d non-negative integral inputs.");
  if (weighted)
    EMBER_CHECK(weights->dim() == 1 && weights->numel() == self.numel(),
                "weights should be 1-d and have the same length as input");
  const int64_t nbins = std::max(minlength, self.numel() ? self.max().item<int64_t>() + 1 : int64_t(0));
  NoGradGuard no_grad;
  Tensor x = contiguous_raw(cast(self, kLong));
  if (!weighted) {
    Tensor out = zeros({nbins}, TensorOptions(kLong));
    kernels::bincount(x, Tensor(), out);
    return out;
  }
  // float weights count in float, every other dtype in double (as ATen).
  const ScalarType dt = weights->dtype() == kFloat ? kFloat : kDouble;
  Tensor out = zeros({nbins}, TensorOptions(dt));
  kernels::bincount(x, contiguous_raw(cast(weights->detach(), dt)), out);
  return out;
}

namespace {

void check_hist_dtype(const Tensor& x, const char* kernel) {
  EMBER_CHECK(is_floating_type(x.dtype()), "\"", kernel, "\" not implemented for '", to_string(x.dtype()), "'");
}

// (leftmost, rightmost) edges of dim j of the (n, d) points: the given range, else the data's
// range, widened by 0.5 each way when empty.
std::pair<double, double> outer_edges(const Tensor& pts, int64_t j, std::optional<ArrayRef<double>> range) {
  double lo = 0, hi = 1;
  if (range) {
    lo = (*range)[static_cast<size_t>(2 * j)];
    hi = (*range)[static_cast<size_t>(2 * j + 1)];
  } else if (pts.size(0) > 0) {
    Tensor col = pts.select(1, j);
    lo = col.min().item<double>();
    hi = col.max().item<double>();
  }
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histogramdd: dimension ", j, "'s range [", lo, ", ", hi,
              "] is not finite");
  EMBER_CHECK(lo <= hi, "torch.histogramdd: min should not exceed max, but got min ", lo, " max ", hi,
              " for dimension ", j);
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return {lo, hi};
}

// The shared body of histogram and histogramdd: pts (n, d), edges per dim (given or made from
// counts and range), weights over the n points.
std::tuple<Tensor, std::vector<Tensor>> histogramdd_impl(const Tensor& self, std::optional<IntArrayRef> bin_counts,
                                                         TensorList bin_edges, std::optional<ArrayRef<double>> range,
                                                         const std::optional<Tensor>& weight, bool density,
                                                         kernels::BinRule rule) {
  check_hist_dtype(self, "histogramdd");
  EMBER_CHECK(self.dim() >= 2, "torch.histogramdd: input tensor should have at least 2 dimensions");
  const int64_t d = self.size(-1);
  NoGradGuard no_grad;
  Tensor pts = contiguous_raw(self.detach().reshape({-1, d}));
  const int64_t nb = bin_counts ? static_cast<int64_t>(bin_counts->size()) : static_cast<int64_t>(bin_edges.size());
  EMBER_CHECK(nb == d, "torch.histogramdd: expected ", d, " sequences of bin edges for each of the ", d,
              " dimensions of the input, but got ", nb);
  if (range)
    EMBER_CHECK(static_cast<int64_t>(range->size()) == 2 * d, "torch.histogramdd: for a ", d,
                "-dimensional input, expected a range of ", 2 * d, " values, but got ", range->size());
  Tensor w;
  if (weight && weight->defined()) {
    DimVector want(IntArrayRef(self.sizes().data(), self.sizes().size() - 1));
    EMBER_CHECK(weight->sizes() == IntArrayRef(want),
                "torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor "
                "excluding its innermost dimension, but got input with shape ",
                self.sizes(), " and weight with shape ", weight->sizes());
    EMBER_CHECK(weight->dtype() == self.dtype(), "torch.histogramdd: if weight tensor is provided, input tensor and "
                                                 "weight tensor should have the same dtype, but got input(",
                to_string(self.dtype()), "), and weight(", to_string(weight->dtype()), ")");
    w = contiguous_raw(weight->detach().reshape({-1}));
  }
  std::vector<Tensor> edges;
  DimVector hist_shape;
  for (int64_t j = 0; j < d; ++j) {
    Tensor e;
    if (bin_counts) {
      const int64_t b = (*bin_counts)[static_cast<size_t>(j)];
      EMBER_CHECK(b > 0, "torch.histogram(): bins must be > 0, but got ", b, " for dimension ", j);
      auto [lo, hi] = outer_edges(pts, j, range);
      e = linspace(lo, hi, b + 1, TensorOptions(self.dtype()));
    } else {
      const Tensor& given = bin_edges[static_cast<size_t>(j)];
      EMBER_CHECK(given.dim() == 1, "torch.histogramdd: bins tensor should have one dimension, but got ", given.dim(),
                  " dimensions in the bins tensor for dimension ", j);
      EMBER_CHECK(given.numel() > 0, "torch.histogramdd: bins tensor should have at least 1 element, but got ",
                  given.numel(), " elements in the bins tensor for dimension ", j);
      EMBER_CHECK(given.dtype() == self.dtype(), "torch.histogramdd: input tensor and bins tensors should have the same "
                                                 "dtype, but got input ",
                  to_string(self.dtype()), " and bins for dimension ", j, " ", to_string(given.dtype()));
      e = contiguous_raw(given.detach());
    }
    hist_shape.push_back(e.numel() - 1);
    edges.push_back(e.contiguous());
  }
  Tensor hist = zeros(hist_shape, TensorOptions(self.dtype()));
  bool any_empty = false;
  for (int64_t s : hist_shape) any_empty = any_empty || s == 0;
  if (!any_empty) kernels::histogramdd(pts, w, hist, edges, rule);
  if (density) {
    Tensor dens = hist.div(hist.sum());
    for (int64_t j = 0; j < d; ++j) {
      Tensor widths = edges[static_cast<size_t>(j)].diff();
      DimVector shape(static_cast<size_t>(d), 1);
      shape[static_cast<size_t>(j)] = widths.numel();
      dens = dens.div(widths.reshape(shape));
    }
    hist = dens;
  }
  return {hist, edges};
}

}  // namespace

Tensor histc(const Tensor& self, int64_t bins, const Scalar& min, const Scalar& max) {
  check_hist_dtype(self, "histogram_cpu");
  EMBER_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins, " for dimension 0");
  double lo = min.toDouble(), hi = max.toDouble();
  EMBER_CHECK(!(hi < lo), "torch.histc: max must be larger than min");
  NoGradGuard no_grad;
  Tensor flat = contiguous_raw(self.detach().reshape({-1, 1}));
  if (lo == hi && flat.numel() > 0) {
    lo = flat.min().item<double>();
    hi = flat.max().item<double>();
  }
  if (lo == hi) {
    lo -= 1;
    hi += 1;
  }
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histc: range of [", lo, ", ", hi, "] is not finite");
  // The edges in the input's dtype, as ATen's; histc bins by position only.
  Tensor hist = zeros({bins}, TensorOptions(self.dtype()));
  std::vector<Tensor> edges{linspace(lo, hi, bins + 1, TensorOptions(self.dtype()))};
  kernels::histogramdd(flat, Tensor(), hist, edges, kernels::BinRule::Linear);
  return hist;
}

namespace {
// histogram: self's elements as 1-D points, weight of self's shape.
std::optional<Tensor> flat_weight(const Tensor& self, const std::optional<Tensor>& weight) {
  if (!weight || !weight->defined()) return std::nullopt;
  EMBER_CHECK(weight->sizes() == self.sizes(),
              "torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor "
              "excluding its innermost dimension, but got input with shape ",
              self.reshape({-1, 1}).sizes(), " and weight with shape ", weight->sizes());
  return weight->reshape({-1});
}
}  // namespace

std::tuple<Tensor, Tensor> histogram(const Tensor& self, const Tensor& bins, const std::optional<Tensor>& weight,
                                     bool density) {
  check_hist_dtype(self, "histogramdd");
  auto [h, e] = histogramdd_impl(self.reshape({-1, 1}), std::nullopt, TensorList(&bins, 1), std::nullopt,
                                 flat_weight(self, weight), density, kernels::BinRule::Search);
  return {h, e[0]};
}
std::tuple<Tensor, Tensor> histogram(const Tensor& self, int64_t bins, std::optional<ArrayRef<double>> range,
                                     const std::optional<Tensor>& weight, bool density) {
  check_hist_dtype(self, "histogramdd");
  const int64_t counts[1] = {bins};
  auto [h, e] = histogramdd_impl(self.reshape({-1, 1}), IntArrayRef(counts, 1), {}, range, flat_weight(self, weight),
                                 density, kernels::BinRule::LinearWithSearch);
  return {h, e[0]};
}
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, IntArrayRef bins,
                                                    std::optional<ArrayRef<double>> range,
                                                    const std::optional<Tensor>& weight, bool density) {
  return histogramdd_impl(self, bins, {}, range, weight, density, kernels::BinRule::LinearWithSearch);
}
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, int64_t bins,
                                                    std::optional<ArrayRef<double>> range,
                                                    const std::optional<Tensor>& weight, bool density) {
  EMBER_CHECK(self.dim() >= 2, "torch.histogramdd: input tensor should have at least 2 dimensions");
  std::vector<int64_t> counts(static_cast<size_t>(self.size(-1)), bins);
  return histogramdd(self, IntArrayRef(counts), range, weight, density);
}
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, TensorList bins,
                                                    std::optional<ArrayRef<double>> range,
                                                    const std::optional<Tensor>& weight, bool density) {
  return histogramdd_impl(self, std::nullopt, bins, range, weight, density, kernels::BinRule::Search);
}

Tensor searchsorted(const Tensor& seq, const Tensor& self, bool out_int32, bool right,
                    std::optional<std::string_view> side, const std::optional<Tensor>& sorter) {
  if (side) {
    EMBER_CHECK(*side == "left" || *side == "right", "torch.searchsorted(): side can only be 'left' or 'right' but got ",
                *side);
    EMBER_CHECK(!(right && *side == "left"), "torch.searchsorted(): side and right can't be set to opposites, got side "
                                             "of left while right was True");
    right = *side == "right";
  }
  EMBER_CHECK(seq.dim() >= 1, "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                              "dimensions of boundaries tensor and input value tensor must match, but we got "
                              "boundaries tensor ",
              seq.sizes(), " and input value tensor ", self.sizes());
  if (seq.dim() > 1) {
    bool match = self.dim() == seq.dim();
    for (int64_t i = 0; match && i + 1 < seq.dim(); ++i) match = seq.size(i) == self.size(i);
    EMBER_CHECK(match, "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                       "boundaries tensor and input value tensor must match, but we got boundaries tensor ",
                seq.sizes(), " and input value tensor ", self.sizes());
  }
  const bool sorted_by = sorter && sorter->defined();
  if (sorted_by) {
    EMBER_CHECK(sorter->dtype() == kLong, "torch.searchsorted(): sorter must be a tensor of long dtype but got ",
                to_string(sorter->dtype()));
    EMBER_CHECK(sorter->sizes() == seq.sizes(), "torch.searchsorted(): boundary and sorter must have the same size, but "
                                                "got boundary tensor ",
                seq.sizes(), "and got sorter tensor ", sorter->sizes());
    const int64_t m = seq.size(-1);
    EMBER_CHECK(sorter->numel() == 0 || (sorter->min().item<int64_t>() >= 0 && sorter->max().item<int64_t>() < m),
                "torch.searchsorted(): sorter index out of range");
  }
  // As ATen: both sides in their common dtype (a bool side promotes), compared exactly in it.
  const ScalarType common = result_type(seq, self);
  EMBER_CHECK(common != kBool, "\"searchsorted_out_cpu\" not implemented for '", to_string(common), "'");
  NoGradGuard no_grad;
  const int64_t m = seq.size(-1);
  const int64_t rows = seq.dim() == 1 ? 1 : seq.numel() / std::max<int64_t>(m, 1);
  const int64_t k = self.dim() == 0 ? 1 : self.size(-1);
  Tensor out = new_tensor(self.sizes(), out_int32 ? kInt : kLong);
  if (out.numel() == 0) return out;
  Tensor b = contiguous_raw(cast(seq.detach(), common));
  Tensor v = contiguous_raw(cast(self.detach(), common));
  Tensor s = sorted_by ? contiguous_raw(sorter->detach()) : Tensor();
  kernels::searchsorted(b, rows, m, v, k, s, right, out);
  return out;
}
Tensor searchsorted(const Tensor& seq, const Scalar& self, bool out_int32, bool right,
                    std::optional<std::string_view> side, const std::optional<Tensor>& sorter) {
  EMBER_CHECK(seq.dim() == 1, "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension "
                              "is 1, but we got boundaries tensor dim(",
              seq.dim(), ") and input value's dim(0) numel(1)");
  // The scalar takes part in promotion as a wrapped number, as in a binary op.
  return searchsorted(seq, scalar_tensor(self, TensorOptions(result_type(seq, self))), out_int32, right, side, sorter);
}
Tensor bucketize(const Tensor& self, const Tensor& boundaries, bool out_int32, bool right) {
  EMBER_CHECK(boundaries.dim() == 1, "boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  return searchsorted(boundaries, self, out_int32, right);
}
Tensor bucketize(const Scalar& self, const Tensor& boundaries, bool out_int32, bool right) {
  EMBER_CHECK(boundaries.dim() == 1, "boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  return searchsorted(boundaries, self, out_int32, right);
}

// ---------------------------------------------------------------- msort, quantile

Tensor msort(const Tensor& self) { return std::get<0>(self.sort(0)); }

namespace {

enum class Interp { Linear, Lower, Higher, Midpoint, Nearest };

Tensor quantile_impl(const Tensor& self, const Tensor& q_in, bool q_scalar, std::optional<int64_t> dim, bool keepdim,
                     std::string_view interpolation, bool ignore_nan) {
  EMBER_CHECK(self.numel() > 0, "quantile() input tensor must be non-empty");
  EMBER_CHECK(q_in.dim() <= 1, "quantile() q must be a scalar or 1D tensor");
  EMBER_CHECK(self.dtype() == kFloat || self.dtype() == kDouble,
              "quantile() input tensor must be either float or double dtype");
  EMBER_CHECK(q_in.dtype() == self.dtype(), "quantile() q tensor must be same dtype as the input tensor");
  Interp mode = Interp::Linear;
  if (interpolation == "linear") mode = Interp::Linear;
  else if (interpolation == "lower") mode = Interp::Lower;
  else if (interpolation == "higher") mode = Interp::Higher;
  else if (interpolation == "midpoint") mode = Interp::Midpoint;
  else if (interpolation == "nearest") mode = Interp::Nearest;
  else fail("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ",
            interpolation);
  {
    NoGradGuard no_grad;
    const Tensor qd = q_in.detach();
    EMBER_CHECK(qd.numel() == 0 || (qd.ge(0).all().item<bool>() && qd.le(1).all().item<bool>()),
                "quantile() q values must be in the range [0, 1]");
  }
  // The values to reduce, with the reduced dim last: (..., n).
  const int64_t d = dim ? maybe_wrap_dim(*dim, self.dim()) : 0;
  Tensor work = dim ? (self.dim() == 0 ? self.reshape({1}) : self.movedim(d, -1)) : self.reshape({-1});
  DimVector out_shape;  // the reduced shape, keepdim applied
  if (dim) {
    for (int64_t i = 0; i < self.dim(); ++i)
      if (i != d) out_shape.push_back(self.size(i));
      else if (keepdim) out_shape.push_back(1);
  } else if (keepdim) {
    out_shape = DimVector(static_cast<size_t>(self.dim()), 1);
  }
  const int64_t n = work.size(-1);
  EMBER_CHECK(n > 0, "quantile() input tensor must be non-empty");
  Tensor sorted = std::get<0>(work.sort(-1));  // NaN sorts last
  Tensor count;  // the values ranks are taken over, per row (keepdim), as double
  Tensor has_nan;
  {
    NoGradGuard no_grad;
    Tensor nan = work.detach().isnan();
    has_nan = nan.any(-1, true);
    count = ignore_nan ? nan.logical_not().sum(IntArrayRef(-1), true).to(kDouble)
                       : full_like(has_nan, double(n), TensorOptions(kDouble));
  }
  const int64_t nq = q_in.numel();
  Tensor qs = q_in.detach().to(kDouble).reshape({-1});
  std::vector<Tensor> per_q;
  for (int64_t j = 0; j < nq; ++j) {
    const double q = qs[j].item<double>();
    Tensor rank, below, above, weight;
    {
      NoGradGuard no_grad;
      rank = count.sub(1).mul(q);
      // A row holding a NaN gives quantile that NaN (its last element once sorted); an all-NaN row
      // gives nanquantile its first element, a NaN too (ATen's choices, which decide where the
      // gradient goes).
      rank = ignore_nan ? where(count.eq(0), 0.0, rank) : where(has_nan, double(n - 1), rank);
      if (mode == Interp::Lower) rank = rank.floor();
      else if (mode == Interp::Higher) rank = rank.ceil();
      else if (mode == Interp::Nearest) rank = rank.round();
      Tensor lo = rank.floor(), hi = rank.ceil();
      weight = (mode == Interp::Midpoint ? where(rank.eq(lo), 0.0, full_like(rank, 0.5)) : rank.sub(lo)).to(self.dtype());
      below = lo.to(kLong);
      above = hi.to(kLong);
    }
    Tensor vb = sorted.gather(-1, below), va = sorted.gather(-1, above);
    // lerp's two forms, as ATen: from the lower end for weights below one half, else from the upper.
    Tensor delta = va.sub(vb);
    Tensor v = where(weight.lt(0.5), vb.add(delta.mul(weight)), va.sub(delta.mul(weight.neg().add(1))));
    per_q.push_back(v.squeeze(-1));
  }
  Tensor out = stack(per_q, 0);  // (nq, reduced...)
  DimVector shape;
  if (!q_scalar) shape.push_back(nq);
  for (int64_t s : out_shape) shape.push_back(s);
  return named_as(out.reshape(shape), "SqueezeBackward3");
}

}  // namespace

Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                std::string_view interpolation) {
  return quantile_impl(self, q, q.dim() == 0, dim, keepdim, interpolation, false);
}
Tensor quantile(const Tensor& self, double q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) {
  EMBER_CHECK(q >= 0 && q <= 1, "quantile() q must be in the range [0, 1] but got ", q);
  return quantile_impl(self, scalar_tensor(q, TensorOptions(self.dtype())), true, dim, keepdim, interpolation, false);
}
Tensor nanquantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                   std::string_view interpolation) {
  return quantile_impl(self, q, q.dim() == 0, dim, keepdim, interpolation, true);
}
Tensor nanquantile(const Tensor& self, double q, std::optional<int64_t> dim, bool keepdim,
                   std::string_view interpolation) {
  EMBER_CHECK(q >= 0 && q <= 1, "quantile() q must be in the range [0, 1] but got ", q);
  return quantile_impl(self, scalar_tensor(q, TensorOptions(self.dtype())), true, dim, keepdim, interpolation, true);
}

// ---------------------------------------------------------------- cov, corrcoef

Tensor cov(const Tensor& self, int64_t correction, const std::optional<Tensor>& fweights_in,
           const std::optional<Tensor>& aweights_in) {
  EMBER_CHECK(self.dim() <= 2, "cov(): expected input to have two or fewer dimensions but got an input with ",
              self.dim(), " dimensions");
  EMBER_CHECK(self.dtype() != kBool, "cov(): bool dtype is not supported for input");
  Tensor x = self.dim() < 2 ? self.reshape({1, -1}) : self;
  if (!is_floating_type(x.dtype())) x = x.to(get_default_dtype());
  const int64_t num_obs = x.size(1);
  const bool has_f = fweights_in && fweights_in->defined(), has_a = aweights_in && aweights_in->defined();
  auto check_weights = [&](const Tensor& w, const char* what) {
    EMBER_CHECK(w.dim() <= 1, "cov(): expected ", what, " to have one or fewer dimensions but got ", what, " with ",
                w.dim(), " dimensions");
    EMBER_CHECK(w.numel() == num_obs, "cov(): expected ", what,
                " to have the same numel as there are observations in the input but got ", w.numel(), " != ", num_obs);
  };
  Tensor w;
  if (has_f) {
    const Tensor& f = *fweights_in;
    check_weights(f, "fweights");
    EMBER_CHECK(is_integral_type(f.dtype(), false), "cov(): expected fweights to have integral dtype but got fweights "
                                                    "with ",
                to_string(f.dtype()), " dtype");
    EMBER_CHECK(f.numel() == 0 || f.min().item<int64_t>() >= 0, "cov(): fweights cannot be negative");
    w = f;
  }
  if (has_a) {
    const Tensor& a = *aweights_in;
    check_weights(a, "aweights");
    EMBER_CHECK(is_floating_type(a.dtype()), "cov(): expected aweights to have floating point dtype but got aweights "
                                             "with ",
                to_string(a.dtype()), " dtype");
    EMBER_CHECK(a.numel() == 0 || a.min().item<double>() >= 0, "cov(): aweights cannot be negative");
    w = w.defined() ? w.mul(a) : a;
  }
  const Tensor w_sum = w.defined() ? w.sum() : scalar_tensor(num_obs, TensorOptions(kLong));
  const Tensor avg = w.defined() ? x.mul(w).sum(IntArrayRef(1)).div(w_sum) : x.mean(IntArrayRef(1));
  Tensor norm_factor;
  if (w.defined() && has_a && correction != 0) {
    norm_factor = w_sum.sub(w.mul(*aweights_in).sum().mul(correction).div(w_sum));
  } else {
    norm_factor = w_sum.sub(correction);
  }
  {
    NoGradGuard no_grad;
    // Too few degrees of freedom: LibTorch warns and divides by zero (inf / NaN results).
    if (norm_factor.item<double>() <= 0) norm_factor = zeros_like(norm_factor);
  }
  Tensor centered = x.sub(avg.unsqueeze(1));
  Tensor c = centered.mm((w.defined() ? centered.mul(w) : centered).t());
  return c.div(norm_factor).squeeze();
}

Tensor corrcoef(const Tensor& self) {
  EMBER_CHECK(self.dim() <= 2, "corrcoef(): expected input to have two or fewer dimensions but got an input with ",
              self.dim(), " dimensions");
  Tensor c = cov(self);
  if (c.dim() == 0) return c.div(c);
  Tensor stddev = c.diagonal().sqrt();
  c = c.div(stddev.unsqueeze(1)).div(stddev.unsqueeze(0));
  return c.clamp(Scalar(-1), Scalar(1));
}

// ---------------------------------------------------------------- dist, cdist

Tensor dist(const Tensor& self, const Tensor& other, const Scalar& p) {
  EMBER_CHECK(is_floating_type(self.dtype()) && is_floating_type(other.dtype()),
              "norm(): input dtype should be either floating point or complex. Got ",
              to_string(is_floating_type(self.dtype()) ? other.dtype() : self.dtype()), " instead.");
  return named_as(self.sub(other).norm(p), "DistBackward0");
}

Tensor cdist(const Tensor& x1, const Tensor& x2, double p, std::optional<int64_t> compute_mode) {
  EMBER_CHECK(x1.dim() >= 2, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
  EMBER_CHECK(x2.dim() >= 2, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
  EMBER_CHECK(x1.size(-1) == x2.size(-1), "X1 and X2 must have the same number of columns. X1: ", x1.size(-1),
              " X2: ", x2.size(-1));
  EMBER_CHECK(is_floating_type(x1.dtype()), "cdist only supports floating-point dtypes, X1 got: ", to_string(x1.dtype()));
  EMBER_CHECK(is_floating_type(x2.dtype()), "cdist only supports floating-point dtypes, X2 got: ", to_string(x2.dtype()));
  EMBER_CHECK(x1.dtype() == x2.dtype(), "expected scalar type ", to_string(x1.dtype()), " but found ",
              to_string(x2.dtype()));
  EMBER_CHECK(p >= 0, "cdist only supports non-negative p values");
  const int64_t mode = compute_mode.value_or(0);
  EMBER_CHECK(mode >= 0 && mode <= 2, "possible modes: 0, 1, 2, but was: ", mode);
  const int64_t r1 = x1.size(-2), r2 = x2.size(-2);
  const bool use_mm = p == 2 && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)));
  if (use_mm) {
    // |a|^2 - 2 a.b + |b|^2 as one matrix product, as ATen's _euclidean_dist.
    Tensor n1 = x1.pow(2).sum(IntArrayRef(-1), true), n2 = x2.pow(2).sum(IntArrayRef(-1), true);
    Tensor a = cat({x1.mul(-2), n1, ones_like(n1)}, -1);
    Tensor b = cat({x2, ones_like(n2), n2}, -1);
    return named_as(a.matmul(b.transpose(-1, -2)).clamp_min(0).sqrt(), "ViewBackward0");
  }
  if (p == 0) return zero_norm_distance(x1, x2, "CdistBackward0");
  Tensor diffs = x1.unsqueeze(-2).sub(x2.unsqueeze(-3));  // (..., r1, r2, m)
  return named_as(diffs.norm(Scalar(p), IntArrayRef(-1), false), "CdistBackward0");
}

// ---------------------------------------------------------------- logcumsumexp

namespace {
struct LogcumsumexpBackward0 final : NamedNode<"LogcumsumexpBackward0"> {
  int64_t dim = 0;
  SavedVariable self, result;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), r = result.unpack(this), gr = g[0];
    if (x.dim() == 0) return {gr};  // a single element: the op is the identity
    // ATen's formula: the positive and negative parts of grad, each through a reversed
    // logcumsumexp in log space, so nothing overflows.
    const double lowest = x.dtype() == kFloat ? double(std::numeric_limits<float>::lowest())
                                              : std::numeric_limits<double>::lowest();
    auto reverse_lcse = [&](const Tensor& t) { return logcumsumexp(t.flip({dim}), dim).flip({dim}); };
    Tensor pos = reverse_lcse(where(gr.gt(0), gr.log(), lowest).sub(r)).add(x).exp();
    Tensor neg = reverse_lcse(where(gr.lt(0), gr.neg().log(), lowest).sub(r)).add(x).exp();
    return {pos.sub(neg)};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
};
}  // namespace

Tensor logcumsumexp(const Tensor& self, int64_t dim) {
  EMBER_CHECK(is_floating_type(self.dtype()), "\"logcumsumexp_out_cpu\" not implemented for '",
              to_string(self.dtype()), "'");
  const int64_t d = maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1));
  Tensor src = contiguous_raw(self);
  Tensor out = new_tensor(self.sizes(), self.dtype());
  if (out.numel() > 0) {
    int64_t outer = 1, inner = 1;
    const int64_t n = self.dim() == 0 ? 1 : self.size(d);
    for (int64_t i = 0; i < d && i < self.dim(); ++i) outer *= self.size(i);
    for (int64_t i = d + 1; i < self.dim(); ++i) inner *= self.size(i);
    kernels::logcumsumexp(src, out, outer, n, inner);
  }
  if (any_requires_grad(self)) {
    auto node = make_node<LogcumsumexpBackward0>(self);
    node->dim = self.dim() == 0 ? 0 : d;
    node->self = save(self);
    node->result = save_output(out);
    set_history(out, node);
  }
  return out;
}

// ---------------------------------------------------------------- vander, renorm

Tensor vander(const Tensor& x, std::optional<int64_t> N, bool increasing) {
  EMBER_CHECK(x.dim() == 1, "x must be a one-dimensional tensor.");
  const int64_t n = N.value_or(x.size(0));
  EMBER_CHECK(n >= 0, "N must be non-negative.");
  const ScalarType dt = promote_types(x.dtype(), kLong);
  Tensor result = ones({x.size(0), std::min<int64_t>(n, 1)}, TensorOptions(dt));
  if (n > 1) {
    // ATen writes the running products into a slice of ones (CopySlices); a cat gives the same.
    Tensor powers = x.to(dt).unsqueeze(1).expand({x.size(0), n - 1}).cumprod(1);
    result = named_as(cat({result, powers}, 1), "torch::autograd::CopySlices");
  }
  return increasing ? result : result.flip({1});
}

Tensor renorm(const Tensor& self, const Scalar& p, int64_t dim, const Scalar& maxnorm) {
  EMBER_CHECK(p.toDouble() > 0, "renorm: non-positive-norm not supported");
  EMBER_CHECK(maxnorm.toDouble() >= 0, "renorm: expected maxnorm to be >= 0 but got ", maxnorm.toDouble());
  EMBER_CHECK(self.dim() > 1, "renorm: input needs at least 2 dimensions, got ", self.dim(), " dimensions");
  EMBER_CHECK(is_floating_type(self.dtype()), "linalg.vector_norm: Expected a floating point or complex tensor as "
                                              "input. Got ",
              to_string(self.dtype()));
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  std::vector<int64_t> others;
  for (int64_t i = 0; i < self.dim(); ++i)
    if (i != d) others.push_back(i);
  Tensor norms = self.norm(p, IntArrayRef(others), true);
  const double mx = maxnorm.toDouble();
  // Slices over maxnorm are scaled by maxnorm / (norm + 1e-7), as ATen's.
  Tensor factor = where(norms.gt(mx), norms.add(1e-7).reciprocal().mul(mx), ones_like(norms));
  return named_as(self.mul(factor), "RenormBackward0");
}

// ---------------------------------------------------------------- Tensor methods

using T = Tensor;

T T::bincount(const std::optional<T>& weights, int64_t minlength) const {
  return ember::bincount(*this, weights, minlength);
}
T T::histc(int64_t bins, const Scalar& min, const Scalar& max) const { return ember::histc(*this, bins, min, max); }
std::tuple<T, T> T::histogram(const T& bins, const std::optional<T>& weight, bool density) const {
  return ember::histogram(*this, bins, weight, density);
}
std::tuple<T, T> T::histogram(int64_t bins, std::optional<ArrayRef<double>> range, const std::optional<T>& weight,
                              bool density) const {
  return ember::histogram(*this, bins, range, weight, density);
}
T T::msort() const { return ember::msort(*this); }
T T::quantile(const T& q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return ember::quantile(*this, q, dim, keepdim, interpolation);
}
T T::quantile(double q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return ember::quantile(*this, q, dim, keepdim, interpolation);
}
T T::nanquantile(const T& q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return ember::nanquantile(*this, q, dim, keepdim, interpolation);
}
T T::nanquantile(double q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return ember::nanquantile(*this, q, dim, keepdim, interpolation);
}
T T::cov(int64_t correction, const std::optional<T>& fweights, const std::optional<T>& aweights) const {
  return ember::cov(*this, correction, fweights, aweights);
}
T T::corrcoef() const { return ember::corrcoef(*this); }
T T::dist(const T& other, const Scalar& p) const { return ember::dist(*this, other, p); }
T T::logcumsumexp(int64_t dim) const { return ember::logcumsumexp(*this, dim); }
T T::renorm(const Scalar& p, int64_t dim, const Scalar& maxnorm) const { return ember::renorm(*this, p, dim, maxnorm); }
T& T::renorm_(const Scalar& p, int64_t dim, const Scalar& maxnorm) const {
  autograd::check_inplace(*this);
  Tensor input = GradMode::is_enabled() && requires_grad() ? clone() : *this;
  return assign_inplace(const_cast<Tensor&>(*this), ember::renorm(input, p, dim, maxnorm));
}

}  // namespace ember
