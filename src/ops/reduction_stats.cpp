// More reductions: trace, cumprod, cummax/cummin, median/nanmedian, mode, kthvalue,
// std_mean/var_mean, nansum/nanmean, aminmax, count_nonzero; each with its backward beside it.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/ops/reduction_stats.h"
#include "kernels/cpu/scan.h"
#include "ops/elementwise.h"

namespace ember {

namespace {

ScalarType accumulate_dtype(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return is_integral_type(x.dtype(), true) ? kLong : x.dtype();
}

// The sizes of (outer, n, inner) around dim d of a contiguous tensor of `sizes`.
void split_at(IntArrayRef sizes, int64_t d, int64_t& outer, int64_t& n, int64_t& inner) {
  outer = 1;
  inner = 1;
  n = sizes.empty() ? 1 : sizes[static_cast<size_t>(d)];
  for (int64_t i = 0; i < d; ++i) outer *= sizes[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(d) + 1; i < sizes.size(); ++i) inner *= sizes[i];
}

// The gradient of an op that picked one element per output along dim by `indices`: g goes back
// to the picked places (PyTorch's value_selecting_reduction_backward).
struct PickedBackward final : Node {
  const char* name_;
  int64_t dim = 0;
  bool keepdim = false;
  DimVector in_sizes;
  SavedVariable indices;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor gi = g[0], idx = indices.unpack();
    if (in_sizes.empty()) return {gi.reshape({})};
    if (!keepdim) {
      gi = gi.unsqueeze(dim);
      idx = idx.unsqueeze(dim);
    }
    return {zeros(in_sizes, TensorOptions(gi.dtype())).scatter(dim, idx, gi)};
  }
  void release_variables() override { indices.reset_data(); }
};

void record_picked(const Tensor& values, const Tensor& x, const Tensor& indices, int64_t dim, bool keepdim,
                   const char* name) {
  auto n = make_node<PickedBackward>(x);
  n->name_ = name;
  n->dim = dim;
  n->keepdim = keepdim;
  n->in_sizes = x.sizes();
  n->indices = save(indices);
  set_history(values, n);
}

// Sorted position -> (value, index) along dim d of x, for the per-row positions `pos` (keepdim
// shape, int64). Computed without history.
std::tuple<Tensor, Tensor> pick_sorted(const Tensor& x, int64_t d, const Tensor& pos, bool keepdim) {
  NoGradGuard no_grad;
  auto [sv, si] = x.detach().sort(d);
  Tensor values = sv.gather(d, pos), indices = si.gather(d, pos);
  if (!keepdim) {
    values = values.squeeze(d);
    indices = indices.squeeze(d);
  }
  return {values.contiguous(), indices.contiguous()};
}

enum class MedianKind { Median, NanMedian };

std::tuple<Tensor, Tensor> median_dim(const Tensor& x, int64_t dim, bool keepdim, MedianKind kind) {
  const char* op = kind == MedianKind::Median ? "median" : "nanmedian";
  EMBER_CHECK(x.dtype() != kBool, "\"", op, "_out\" not implemented for 'Bool'");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  if (x.dim() == 0) {
    Tensor v = x.detach().clone(), i = zeros({}, TensorOptions(kLong));
    if (any_requires_grad(x)) record_picked(v, x, i, 0, keepdim, kind == MedianKind::Median ? "MedianBackward1" : "NanmedianBackward1");
    return {v, i};
  }
  EMBER_CHECK(x.size(d) > 0, op, "(): Expected reduction dim ", d, " to have non-zero size.");
  Tensor pos;
  {
    NoGradGuard no_grad;
    const int64_t n = x.size(d);
    // NaNs sort last; `valid` counts the others in each row.
    Tensor valid = x.detach().isnan().logical_not().sum(IntArrayRef(d), true);
    if (kind == MedianKind::Median) {
      // A row holding a NaN gives its first NaN (the first after the valid ones once sorted).
      pos = where(valid.lt(n), valid, full_like(valid, double((n - 1) / 2)));
    } else {
      pos = where(valid.gt(0), valid.sub(1).div(2, "floor"), zeros_like(valid));
    }
  }
  auto [values, indices] = pick_sorted(x, d, pos, keepdim);
  if (any_requires_grad(x))
    record_picked(values, x, indices, d, keepdim, kind == MedianKind::Median ? "MedianBackward1" : "NanmedianBackward1");
  return {values, indices};
}

// median over every element: the gradient is shared evenly by the elements equal to the result
// (PyTorch's evenly_distribute_backward).
struct EvenlyBackward final : Node {
  const char* name_;
  SavedVariable self, result;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), r = result.unpack(this);
    Tensor mask = r.isnan().item<bool>() ? x.isnan() : x.eq(r);
    return {mask.to(g[0].dtype()).mul(g[0].div(mask.sum()))};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
};

Tensor median_all(const Tensor& x, MedianKind kind) {
  const char* op = kind == MedianKind::Median ? "median" : "nanmedian";
  EMBER_CHECK(x.dtype() != kBool, "\"", op, "_cpu\" not implemented for 'Bool'");
  Tensor r;
  if (x.numel() == 0) {
    EMBER_CHECK(is_floating_type(x.dtype()), op, "(): input of dtype ", to_string(x.dtype()), " is empty");
    r = full({}, std::numeric_limits<double>::quiet_NaN(), TensorOptions(x.dtype()));
  } else {
    r = std::get<0>(median_dim(x.detach().reshape({-1}), 0, false, kind));
  }
  if (any_requires_grad(x)) {
    auto n = make_node<EvenlyBackward>(x);
    n->name_ = kind == MedianKind::Median ? "MedianBackward0" : "NanmedianBackward0";
    n->self = save(x);
    n->result = save_output(r);
    set_history(r, n);
  }
  return r;
}

// ---- cumprod

struct CumprodBackward0 final : NamedNode<"CumprodBackward0"> {
  int64_t dim = 0;
  ScalarType dtype;
  SavedVariable self, result;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), r = result.unpack(this), gr = g[0];
    Tensor out;
    // One factor per output (a 0-d input, a dim of size 1) or none: the gradient is g, as PyTorch's
    // cumprod_backward (no division, so a NaN or 0 input is exact too).
    if (x.dim() == 0 || x.numel() == 0 || x.size(dim) == 1) {
      out = gr.clone();
    } else if (x.ne(0.0).logical_and(isfinite(x)).all().item<bool>()) {
      // d out_j / d x_k = out_j / x_k for j >= k: a reversed cumulative sum of g * out, over x.
      // (Not at inf or NaN, where out_j / x_k is inf / inf: the products below are exact there.)
      out = gr.mul(r).flip({dim}).cumsum(dim).flip({dim}).div(x);
    } else {
      // With zeros present, the products of the other elements, directly: row k of P holds x with
      // x_k replaced by 1; its running product at j >= k is d out_j / d x_k.
      const int64_t n = x.size(dim);
      Tensor xm = x.movedim(dim, -1), gm = gr.movedim(dim, -1);
      Tensor eye_mask = eye(n, TensorOptions(kBool));
      Tensor p = where(eye_mask, 1.0, xm.unsqueeze(-2)).cumprod(-1);
      Tensor upper = ones({n, n}, TensorOptions(kBool)).triu();
      out = where(upper, p.mul(gm.unsqueeze(-2)), 0.0).sum(IntArrayRef(-1)).movedim(-1, dim);
    }
    return {out.dtype() == dtype ? out : out.to(dtype)};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
};

// ---- cummax / cummin

struct CumExtremeBackward final : Node {
  const char* name_;
  int64_t dim = 0;
  SavedVariable indices;
  DimVector in_sizes;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    if (in_sizes.empty()) return {g[0]};
    return {zeros(in_sizes, TensorOptions(g[0].dtype())).scatter_add(dim, indices.unpack(), g[0])};
  }
  void release_variables() override { indices.reset_data(); }
};

std::tuple<Tensor, Tensor> cum_extreme(const Tensor& x, int64_t dim, bool is_max) {
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  Tensor src = contiguous_raw(x);
  Tensor values = new_tensor(x.sizes(), x.dtype()), indices = new_tensor(x.sizes(), kLong);
  int64_t outer, n, inner;
  split_at(x.sizes(), d, outer, n, inner);
  kernels::cum_extreme(src, values, indices, outer, n, inner, is_max);
  if (any_requires_grad(x)) {
    auto node = make_node<CumExtremeBackward>(x);
    node->name_ = is_max ? "CummaxBackward0" : "CumminBackward0";
    node->dim = d;
    node->indices = save(indices);
    node->in_sizes = x.sizes();
    set_history(values, node);
  }
  return {values, indices};
}

// ---- std_mean / var_mean

struct StatMeanBackward final : Node {
  const char* name_;
  bool is_std = false;
  DimVector list;  // reduced dims, sorted
  bool keepdim = false;
  double divisor = 1;  // N - correction
  int64_t count = 1;   // N
  SavedVariable self, stat, mean;
  std::string name() const override { return name_; }
  Tensor keep(const Tensor& t) const {
    if (keepdim) return t;
    Tensor r = t;
    for (int64_t d : list) r = r.unsqueeze(d);
    return r;
  }
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack();
    Tensor out;
    if (g[0].defined()) {
      // The mean and std are recomputed from x (not taken from the saved outputs), so that a
      // double backward differentiates them as functions of x.
      std::vector<int64_t> dims(list.begin(), list.end());
      Tensor m = x.dim() == 0 ? x : x.mean(dims, true);
      Tensor gs = keep(g[0]);
      if (is_std) {
        Tensor s = keep(stat.unpack(this)).detach();
        Tensor s_live = x.dim() == 0 ? x.sub(x) : x.sub(m).pow(2).sum(dims, true).div(divisor).sqrt();
        gs = where(s.eq(0.0), 0.0, gs.div(s_live.mul(2)));
      }
      out = gs.mul(x.sub(m)).mul(2.0 / divisor);
    }
    if (g.size() > 1 && g[1].defined()) {
      Tensor gm = keep(g[1]).expand(x.sizes()).div(double(count));
      out = out.defined() ? out.add(gm) : gm;
    }
    if (!out.defined()) out = zeros_like(x);
    return {out};
  }
  void release_variables() override {
    self.reset_data();
    stat.reset_data();
    mean.reset_data();
  }
};

std::tuple<Tensor, Tensor> stat_mean(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim, bool is_std) {
  const char* op = is_std ? "std_mean" : "var_mean";
  EMBER_CHECK(is_floating_type(x.dtype()), op, "(): input dtype should be either floating point or complex. Got ",
              to_string(x.dtype()), " instead.");
  DimVector list;
  for (int64_t d : dims) list.push_back(maybe_wrap_dim(d, x.dim()));
  if (dims.empty())
    for (int64_t d = 0; d < x.dim(); ++d) list.push_back(d);
  std::sort(list.begin(), list.end());
  EMBER_CHECK(std::adjacent_find(list.begin(), list.end()) == list.end(), "dim ", list.empty() ? 0 : list[0],
              " appears multiple times in the list of dims");
  Tensor s, m;
  int64_t count = 1;
  {
    NoGradGuard no_grad;
    Tensor xd = x.detach();
    std::vector<int64_t> v(list.begin(), list.end());
    s = is_std ? xd.std(v, unbiased, keepdim) : xd.var(v, unbiased, keepdim);
    // ATen's mean here comes out of the same double Welford pass as the variance.
    m = xd.dtype() == kFloat ? xd.to(kDouble).mean(v, keepdim).to(kFloat) : xd.mean(v, keepdim);
    for (int64_t d : list)
      if (x.dim() > 0) count *= x.size(d);
  }
  if (any_requires_grad(x)) {
    auto n = make_node<StatMeanBackward>(x);
    n->name_ = is_std ? "StdMeanBackward0" : "VarMeanBackward0";
    n->set_num_inputs(2);  // two outputs, two incoming gradients
    n->is_std = is_std;
    n->list = x.dim() == 0 ? DimVector() : list;
    n->keepdim = keepdim;
    n->divisor = double(count) - (unbiased ? 1.0 : 0.0);
    n->count = count;
    n->self = save(x);
    n->stat = save_output(s);
    n->mean = save_output(m);
    set_history(s, n, 0);
    set_history(m, n, 1);
  }
  return {s, m};
}

// ---- nansum

struct NansumBackward0 final : NamedNode<"NansumBackward0"> {
  DimVector list;
  bool keepdim = false;
  ScalarType dtype;
  SavedVariable self;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), gr = g[0];
    if (!keepdim && x.dim() > 0)
      for (int64_t d : list) gr = gr.unsqueeze(d);
    // As ATen's nansum_backward: the gradient times the not-NaN mask, so an inf or NaN gradient
    // reaching a NaN element gives NaN (nanmean's 0/0 there), not 0.
    Tensor out = gr.expand(x.sizes()).mul(x.isnan().logical_not());
    return {out.dtype() == dtype ? out : out.to(dtype)};
  }
  void release_variables() override { self.reset_data(); }
};

Tensor nansum_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  // Integer inputs are summed as they are; a floating one is cast to the dtype first (as sum), and
  // ATen's nansum kernel has no bool (an empty input never reaches it).
  EMBER_CHECK(!(is_floating_type(x.dtype()) && dtype == kBool && x.numel() > 0),
              "\"nansum_cpu\" not implemented for 'Bool'");
  DimVector list;
  for (int64_t d : dims) list.push_back(maybe_wrap_dim(d, x.dim()));
  if (dims.empty())
    for (int64_t d = 0; d < x.dim(); ++d) list.push_back(d);
  std::sort(list.begin(), list.end());
  Tensor r;
  {
    NoGradGuard no_grad;
    Tensor xd = x.detach();
    if (is_floating_type(xd.dtype())) xd = where(xd.isnan(), 0.0, xd);
    std::vector<int64_t> v(list.begin(), list.end());
    r = xd.sum(v, keepdim, accumulate_dtype(x, dtype));
  }
  if (any_requires_grad(x)) {
    auto n = make_node<NansumBackward0>(x);
    n->list = list;
    n->keepdim = keepdim;
    n->dtype = x.dtype();
    n->self = save(x);
    set_history(r, n);
  }
  return r;
}

}  // namespace

Tensor trace(const Tensor& x) {
  EMBER_CHECK(x.dim() == 2, "trace: expected a matrix, but got tensor with dim ", x.dim());
  // The diagonal is a view; sum gives TraceBackward0's gradient (g on the diagonal) by itself.
  Tensor r;
  {
    NoGradGuard no_grad;
    r = x.detach().diagonal().sum();
  }
  struct TraceBackward0 final : NamedNode<"TraceBackward0"> {
    DimVector sizes;
    ScalarType dtype;
    variable_list apply(variable_list&& g) override {
      Tensor out = eye(sizes[0], sizes[1], TensorOptions(g[0].dtype())).mul(g[0]);
      return {out.dtype() == dtype ? out : out.to(dtype)};
    }
  };
  if (any_requires_grad(x)) {
    auto n = make_node<TraceBackward0>(x);
    n->sizes = x.sizes();
    n->dtype = x.dtype();
    set_history(r, n);
  }
  return r;
}

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  ScalarType dt = accumulate_dtype(x, dtype);
  // ATen copies a 0-d input and zeroes an empty one before it dispatches on the dtype.
  EMBER_CHECK(dt != kBool || x.dim() == 0 || x.numel() == 0, "\"cumprod_out_cpu\" not implemented for 'Bool'");
  Tensor src = contiguous_raw(cast(x, dt));
  Tensor out = new_tensor(x.sizes(), dt);
  int64_t outer, n, inner;
  split_at(x.sizes(), d, outer, n, inner);
  kernels::cumprod(src, out, outer, n, inner);
  if (any_requires_grad(x)) {
    auto node = make_node<CumprodBackward0>(x);
    node->dim = x.dim() == 0 ? 0 : d;
    node->dtype = x.dtype();
    node->self = save(x);
    node->result = save_output(out);
    set_history(out, node);
  }
  return out;
}

std::tuple<Tensor, Tensor> cummax(const Tensor& x, int64_t dim) { return cum_extreme(x, dim, true); }
std::tuple<Tensor, Tensor> cummin(const Tensor& x, int64_t dim) { return cum_extreme(x, dim, false); }

Tensor median(const Tensor& x) { return median_all(x, MedianKind::Median); }
std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim) {
  return median_dim(x, dim, keepdim, MedianKind::Median);
}
Tensor nanmedian(const Tensor& x) { return median_all(x, MedianKind::NanMedian); }
std::tuple<Tensor, Tensor> nanmedian(const Tensor& x, int64_t dim, bool keepdim) {
  return median_dim(x, dim, keepdim, MedianKind::NanMedian);
}

std::tuple<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
  EMBER_CHECK(x.dtype() != kBool, "\"kthvalue_cpu\" not implemented for 'Bool'");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  EMBER_CHECK(k >= 1 && k <= n, "kthvalue(): selected number k out of range for dimension ", d);
  if (x.dim() == 0) {
    Tensor v = x.detach().clone(), i = zeros({}, TensorOptions(kLong));
    if (any_requires_grad(x)) record_picked(v, x, i, 0, keepdim, "KthvalueBackward0");
    return {v, i};
  }
  DimVector pos_shape(x.sizes());
  pos_shape[static_cast<size_t>(d)] = 1;
  Tensor pos = full(pos_shape, double(k - 1), TensorOptions(kLong));
  auto [values, indices] = pick_sorted(x, d, pos, keepdim);
  if (any_requires_grad(x)) record_picked(values, x, indices, d, keepdim, "KthvalueBackward0");
  return {values, indices};
}

std::tuple<Tensor, Tensor> mode(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  if (x.dim() == 0) {
    Tensor v = x.detach().clone(), i = zeros({}, TensorOptions(kLong));
    if (any_requires_grad(x)) record_picked(v, x, i, 0, keepdim, "ModeBackward0");
    return {v, i};
  }
  EMBER_CHECK(x.size(d) > 0, "mode(): Expected reduction dim ", d, " to have non-zero size.");
  DimVector keep_shape(x.sizes());
  keep_shape[static_cast<size_t>(d)] = 1;
  Tensor values = new_tensor(keep_shape, x.dtype()), indices = new_tensor(keep_shape, kLong);
  {
    NoGradGuard no_grad;
    auto [sv, si] = x.detach().movedim(d, -1).sort(-1);
    const int64_t n = x.size(d);
    const int64_t rows = x.numel() / n;
    Tensor vrow = new_tensor({rows}, x.dtype()), irow = new_tensor({rows}, kLong);
    kernels::mode_of_sorted_rows(sv.contiguous(), si.contiguous(), vrow, irow, rows, n);
    DimVector moved(x.sizes());
    moved.erase(static_cast<size_t>(d));
    moved.push_back(1);
    values = vrow.reshape(moved).movedim(-1, d).contiguous();
    indices = irow.reshape(moved).movedim(-1, d).contiguous();
    if (!keepdim) {
      values = values.squeeze(d);
      indices = indices.squeeze(d);
    }
  }
  if (any_requires_grad(x)) record_picked(values, x, indices, d, keepdim, "ModeBackward0");
  return {values, indices};
}

std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased) { return stat_mean(x, {}, unbiased, false, true); }
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return stat_mean(x, dim, unbiased, keepdim, true);
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased) { return stat_mean(x, {}, unbiased, false, false); }
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) {
  return stat_mean(x, dim, unbiased, keepdim, false);
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, int dim) {
  return stat_mean(x, IntArrayRef(int64_t(dim)), true, false, true);
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, int dim) {
  return stat_mean(x, IntArrayRef(int64_t(dim)), true, false, false);
}

Tensor nansum(const Tensor& x, std::optional<ScalarType> dtype) { return nansum_impl(x, {}, false, dtype); }
Tensor nansum(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  return nansum_impl(x, dim, keepdim, dtype);
}
Tensor nanmean(const Tensor& x, std::optional<ScalarType> dtype) { return nanmean(x, {}, false, dtype); }
Tensor nanmean(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_CHECK(is_floating_type(x.dtype()), "nanmean(): expected input to have floating point dtype but got ",
              to_string(x.dtype()));
  // As PyTorch: nansum / number of non-NaN elements (so the backward is DivBackward0's).
  Tensor counted = x.detach().isnan().logical_not().sum(dim, keepdim);
  return nansum_impl(x, dim, keepdim, dtype).div(counted);
}

std::tuple<Tensor, Tensor> aminmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  if (dim) {
    const int64_t d = maybe_wrap_dim(*dim, x.dim());
    EMBER_CHECK(x.dim() == 0 || x.size(d) > 0,
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
  } else {
    EMBER_CHECK(x.numel() > 0,
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
  }
  // Not differentiable in PyTorch 1.13: the results carry no history.
  NoGradGuard no_grad;
  Tensor xd = x.detach();
  if (dim) return {xd.amin(IntArrayRef(*dim), keepdim), xd.amax(IntArrayRef(*dim), keepdim)};
  if (keepdim) {
    DimVector ones_shape;
    for (int64_t d = 0; d < x.dim(); ++d) ones_shape.push_back(1);
    return {xd.amin().reshape(ones_shape), xd.amax().reshape(ones_shape)};
  }
  return {xd.amin(), xd.amax()};
}

Tensor count_nonzero(const Tensor& x, IntArrayRef dim) {
  NoGradGuard no_grad;
  return x.detach().ne(0).sum(dim, false, kLong);
}
Tensor count_nonzero(const Tensor& x, std::optional<int64_t> dim) {
  return dim ? count_nonzero(x, IntArrayRef(*dim)) : count_nonzero(x, IntArrayRef());
}
Tensor count_nonzero(const Tensor& x, int64_t dim) { return count_nonzero(x, IntArrayRef(dim)); }

// ---------------------------------------------------------------- Tensor methods

using T = Tensor;
using OptDtype = std::optional<ScalarType>;

T T::trace() const { return ember::trace(*this); }
T T::cumprod(int64_t d, OptDtype dt) const { return ember::cumprod(*this, d, dt); }
T& T::cumprod_(int64_t d, OptDtype dt) const {
  autograd::check_inplace(*this);
  Tensor r = ember::cumprod(GradMode::is_enabled() && requires_grad() ? clone() : *this, d, dt);
  return ops::assign_inplace(mutable_self(), r);
}
T& T::cumsum_(int64_t d, OptDtype dt) const {
  autograd::check_inplace(*this);
  return ops::assign_inplace(mutable_self(), ember::cumsum(*this, d, dt));
}
std::tuple<T, T> T::cummax(int64_t d) const { return ember::cummax(*this, d); }
std::tuple<T, T> T::cummin(int64_t d) const { return ember::cummin(*this, d); }
T T::median() const { return ember::median(*this); }
std::tuple<T, T> T::median(int64_t d, bool k) const { return ember::median(*this, d, k); }
T T::nanmedian() const { return ember::nanmedian(*this); }
std::tuple<T, T> T::nanmedian(int64_t d, bool k) const { return ember::nanmedian(*this, d, k); }
std::tuple<T, T> T::mode(int64_t d, bool k) const { return ember::mode(*this, d, k); }
std::tuple<T, T> T::kthvalue(int64_t kth, int64_t d, bool k) const { return ember::kthvalue(*this, kth, d, k); }
T T::nansum(OptDtype dt) const { return ember::nansum(*this, dt); }
T T::nansum(IntArrayRef d, bool k, OptDtype dt) const { return ember::nansum(*this, d, k, dt); }
T T::nanmean(OptDtype dt) const { return ember::nanmean(*this, dt); }
T T::nanmean(IntArrayRef d, bool k, OptDtype dt) const { return ember::nanmean(*this, d, k, dt); }
std::tuple<T, T> T::aminmax(std::optional<int64_t> d, bool k) const { return ember::aminmax(*this, d, k); }
T T::count_nonzero(IntArrayRef d) const { return ember::count_nonzero(*this, d); }
T T::count_nonzero(std::optional<int64_t> d) const { return ember::count_nonzero(*this, d); }
T T::count_nonzero(int64_t d) const { return ember::count_nonzero(*this, d); }

}  // namespace ember
