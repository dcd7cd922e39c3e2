// Reductions. Contiguous float and double sums, products, max and min run the SIMD kernels of
// kernels/cpu/reduce.h (in the input's precision, sums cascaded); the generic loop accumulates
// floating sums in double. Every backward restores the reduced dims and
// broadcasts with public ops.
#include "ember/ops/reduction.h"

#include <cmath>
#include <limits>

#include "ember/ops/indexing.h"
#include "ember/ops/pointwise_extra.h"
#include "kernels/cpu/reduce.h"
#include "ops/util.h"

namespace ember {

namespace {

struct Dims {
  std::vector<bool> reduced;
  DimVector keep_shape;  // input shape with reduced dims set to 1
  DimVector out_shape;   // the result's shape (keepdim applied)
  DimVector list;        // reduced dims, sorted
  int64_t count = 1;     // elements per output
};

Dims reduce_dims(const Tensor& x, IntArrayRef dims, bool keepdim) {
  Dims r;
  r.reduced.assign(std::max<int64_t>(x.dim(), 0), dims.empty());
  bool scalar_seen = false;  // a 0-d tensor has the one dim 0 (or -1), which may appear once too
  for (int64_t d : dims) {
    int64_t w = maybe_wrap_dim(d, x.dim());
    EMBER_CHECK(!(x.dim() == 0 ? scalar_seen : r.reduced[w]), "dim ", w, " appears multiple times in the list of dims");
    if (x.dim() == 0)
      scalar_seen = true;
    else
      r.reduced[w] = true;
  }
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (r.reduced[i]) {
      r.keep_shape.push_back(1);
      if (keepdim) r.out_shape.push_back(1);
      r.count *= x.size(i);
      r.list.push_back(i);
    } else {
      r.keep_shape.push_back(x.size(i));
      r.out_shape.push_back(x.size(i));
    }
  }
  return r;
}

// Accumulates every input element into its output slot: acc = combine(acc, x).
template <typename Acc, typename F>
Tensor reduce_raw(const Tensor& x, const Dims& r, ScalarType acc_dtype, Acc init, const F& combine) {
  Tensor acc = new_tensor(r.keep_shape, acc_dtype);
  kernels::fill(acc, Scalar(init));
  if (x.numel() == 0) return acc;
  Tensor acc_view = expand_raw(acc, x.sizes());
  visit_dtype(x.dtype(), "reduce", [&](auto tag) {
    using In = decltype(tag);
    kernels::reduce_into<Acc, In>(acc_view, x, [&](Acc a, In v) { return combine(a, static_cast<Acc>(v)); });
  });
  return acc;
}

// Reshapes a gradient of the reduced shape back to keep_shape and broadcasts it to the input.
Tensor restore(const Tensor& g, const DimVector& keep_shape, IntArrayRef in_sizes) {
  return g.reshape(keep_shape).expand(in_sizes);
}

bool all_finite(const Tensor& x) {
  NoGradGuard ng;
  return isfinite(x).all().item<bool>();
}

bool has_zero(const Tensor& x) {
  NoGradGuard ng;
  return x.eq(0.0).any().item<bool>();
}

// For each element, the product of the other elements of its slice over `dims` (no division, so
// exact with zeros, infinities and NaN): exclusive prefix and suffix products along the flattened
// reduced dims. Written in public ops, so it is differentiable again.
Tensor products_of_others(const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> order, kept_sizes;
  std::vector<bool> reduced(static_cast<size_t>(x.dim()), false);
  for (int64_t d : dims) reduced[static_cast<size_t>(d)] = true;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!reduced[static_cast<size_t>(d)]) order.push_back(d), kept_sizes.push_back(x.size(d));
  for (int64_t d : dims) order.push_back(d);
  DimVector flat_shape(kept_sizes);
  flat_shape.push_back(-1);
  Tensor flat = x.dim() == 0 ? x.reshape({1}) : x.permute(order).reshape(flat_shape);
  const int64_t n = flat.size(-1);
  std::vector<Tensor> prefix(static_cast<size_t>(n)), suffix(static_cast<size_t>(n));
  Tensor one = ones_like(flat.narrow(-1, 0, std::min<int64_t>(n, 1)));
  for (int64_t i = 0; i < n; ++i)
    prefix[static_cast<size_t>(i)] = i == 0 ? one : prefix[static_cast<size_t>(i - 1)].mul(flat.narrow(-1, i - 1, 1));
  for (int64_t i = n - 1; i >= 0; --i)
    suffix[static_cast<size_t>(i)] = i == n - 1 ? one : suffix[static_cast<size_t>(i + 1)].mul(flat.narrow(-1, i + 1, 1));
  std::vector<Tensor> others;
  for (int64_t i = 0; i < n; ++i) others.push_back(prefix[static_cast<size_t>(i)].mul(suffix[static_cast<size_t>(i)]));
  Tensor r = n == 0 ? flat : cat(others, -1);
  if (x.dim() == 0) return r.reshape({});
  DimVector permuted_sizes;
  for (int64_t d : order) permuted_sizes.push_back(x.size(d));
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
  return r.reshape(permuted_sizes).permute(inverse);
}

// Product over `dims` (kept), broadcast back to the input's shape.
Tensor prod_keep(const Tensor& x, const std::vector<int64_t>& dims, const DimVector& keep_shape, IntArrayRef in_sizes) {
  Tensor r = x;
  for (int64_t d : dims) r = prod(r, d, true);
  return r.reshape(keep_shape).expand(in_sizes);
}

struct ReduceBackward final : Node {
  enum Kind { Sum, Mean, Prod, Evenly, Var, Std, Norm, LogSumExp } kind;
  const char* name_;
  DimVector keep_shape, in_sizes;
  ScalarType dtype;
  int64_t count = 1;
  double p = 2, correction = 1;
  // Evenly: max()/min() over everything share the gradient among NaN inputs when the result is
  // NaN (PyTorch's evenly_distribute_backward); amax/amin compare with == only, so a NaN result
  // gets 0/0.
  bool nan_equal = false;
  // Prod: prod(dim) (PyTorch's prod_safe_zeros_backward when differentiated again), not prod().
  bool over_dim = false;
  SavedVariable self, result;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& gs) override {
    // The 0-"norm" counts non-zeros: piecewise constant, so no gradient flows (PyTorch returns none).
    if (kind == Norm && p == 0) return {Tensor()};
    Tensor g = restore(gs[0], keep_shape, in_sizes);
    Tensor out;
    switch (kind) {
      case Sum: out = g; break;
      case Mean: out = g.div(static_cast<double>(count)); break;
      case Prod: {
        Tensor x = self.unpack(), r = restore(result.unpack(this), keep_shape, in_sizes);
        // One factor per output: the gradient is g, which does not depend on x. PyTorch's
        // prod_backward returns grad itself (no graph) for a 0-d input, and for one factor when
        // the input holds a zero (its other path, grad * result / input, is recorded).
        if (in_sizes.empty() || (count == 1 && has_zero(x))) {
          out = g;
          break;
        }
        std::vector<int64_t> dims = reduced_list();
        // r / x is NaN at inf (and 0 * inf in r): take the other factors' product. So too for
        // prod(dim) of a slice with zeros when the gradient is differentiated again: PyTorch's
        // prod_safe_zeros_backward (exclusive products) gives two zeros of a slice the product of
        // the rest as their mixed second derivative, where the masked formula below is constant 0.
        // (prod() of everything with several zeros returns constant zeros in PyTorch too.)
        if (!all_finite(x) || (GradMode::is_enabled() && over_dim && has_zero(x))) {
          // One factor and no zero: the derivative is 1. PyTorch records grad * result / input
          // here, so the gradient requires grad (NaN at inf and NaN); ember records r / x where x
          // is finite (exactly 1) and keeps 1 at the others.
          out = count == 1 ? g.mul(where(isfinite(x), r.div(x), 1.0)) : g.mul(products_of_others(x, dims));
          break;
        }
        Tensor zero = x.eq(0.0);
        Tensor others = prod_keep(where(zero, 1.0, x), dims, keep_shape, in_sizes);
        Tensor nzeros = zero.to(x.dtype()).sum(dims, true).expand(in_sizes);
        Tensor at_zero = where(nzeros.eq(1.0), others, 0.0);
        out = g.mul(where(zero, at_zero, r.div(where(zero, 1.0, x))));
        break;
      }
      case Evenly: {
        Tensor x = self.unpack(), r = restore(result.unpack(this), keep_shape, in_sizes);
        Tensor mask = x.eq(r);
        if (nan_equal) mask = mask.logical_or(x.isnan().logical_and(r.isnan()));
        Tensor count = mask.to(g.dtype()).sum(reduced_list(), true).expand(in_sizes);
        // max()/min(): PyTorch's CPU evenly_distribute_backward fills zeros where the mask is
        // false, so an infinite gradient leaves the other elements 0; amax/amin's
        // scale_grad_by_count multiplies by the mask (inf * 0 = NaN there).
        out = nan_equal ? where(mask, g.div(count), 0.0) : g.mul(mask.to(g.dtype())).div(count);
        break;
      }
      case Var:
      case Std: {
        Tensor x = self.unpack();
        Tensor centered = x.sub(x.mean(reduced_list(), true));
        double denom = std::max(0.0, static_cast<double>(count) - correction);
        if (kind == Var) out = g.mul(centered).mul(2.0 / denom);
        else {
          // Where the std is 0 its gradient is taken as 0 (as PyTorch), not 0/0; the division
          // sees 1 there, so the gradient's own derivative is 0 there too, not 0 * inf.
          Tensor r = restore(result.unpack(this), keep_shape, in_sizes);
          Tensor zero = r.eq(0.0);
          out = where(zero, 0.0, g.mul(centered).div(where(zero, 1.0, r).mul(denom)));
        }
        break;
      }
      case Norm: {
        // PyTorch's norm_backward, case by case: below p = 1 the zero coordinates are masked
        // (|x|^(p-1) is inf there) and the norm's power is a factor; between 1 and 2 |x|^(p-1) is
        // finite at 0; a zero norm gives 0 throughout.
        Tensor x = self.unpack(), r = restore(result.unpack(this), keep_shape, in_sizes);
        if (p == 1) out = g.mul(x.sign());
        else if (std::isinf(p)) {
          // A NaN norm's maxima are its NaN elements (as PyTorch): they share the gradient, and
          // sign(NaN) = 0 makes theirs 0, so no element gets 0/0.
          Tensor hit = x.abs().eq(r);
          Tensor mask = hit.to(g.dtype());
          Tensor count = hit.logical_or(x.isnan().logical_and(r.isnan())).to(g.dtype());
          out = g.mul(x.sign()).mul(mask).div(count.sum(reduced_list(), true).expand(in_sizes));
        } else if (p == 2) out = where(r.eq(0.0), 0.0, g.mul(x).div(r));
        else if (p < 1)
          out = where(x.eq(0.0), 0.0, x.sign().mul(x.abs().pow(p - 1))).mul(g).mul(r.pow(1 - p));
        else if (p < 2)
          out = x.sign().mul(x.abs().pow(p - 1)).mul(where(r.eq(0.0), 0.0, g.div(r.pow(p - 1))));
        else
          out = x.mul(x.abs().pow(p - 2)).mul(where(r.eq(0.0), 0.0, g.div(r.pow(p - 1))));
        break;
      }
      case LogSumExp: {
        Tensor x = self.unpack(), r = restore(result.unpack(this), keep_shape, in_sizes);
        out = g.mul(x.sub(r).exp());
        break;
      }
    }
    return {out.dtype() == dtype ? out : out.to(dtype)};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
  // The reduced dims, as recorded (a reduced dim of size 1 cannot be told from keep_shape alone).
  std::vector<int64_t> reduced;
  const std::vector<int64_t>& reduced_list() const { return reduced; }
};

intrusive_ptr<ReduceBackward> record(const Tensor& out, const Tensor& x, const Dims& r, ReduceBackward::Kind kind,
                                     const char* name) {
  auto n = make_node<ReduceBackward>(x);
  n->kind = kind;
  n->name_ = name;
  n->keep_shape = r.keep_shape;
  n->in_sizes = x.sizes();
  n->dtype = x.dtype();
  n->count = r.count;
  n->reduced.assign(r.list.begin(), r.list.end());
  set_history(out, n);
  return n;
}

ScalarType sum_dtype(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return is_integral_type(x.dtype(), true) ? kLong : x.dtype();
}

// The SIMD kernel's result (float or double, contiguous, one run of reduced dims), or an undefined tensor.
Tensor reduce_simd(kernels::ReduceOp op, const Tensor& x, const Dims& r) {
  if (!kernels::reduce_accepts(x, r.reduced)) return Tensor();
  Tensor out = new_tensor(r.out_shape, x.dtype());
  if (kernels::reduce(op, out, x, r.reduced)) return out;
  return Tensor();
}

Tensor sum_raw(const Tensor& x, const Dims& r, ScalarType out_dtype) {
  // Float and double sum in their own precision, cascaded as PyTorch's kernel does; the generic
  // loop below accumulates in double.
  if (out_dtype == x.dtype())
    if (Tensor s = reduce_simd(kernels::ReduceOp::Sum, x, r); s.defined()) return s;
  Tensor acc = is_floating_type(out_dtype) ? reduce_raw<double>(x, r, kDouble, 0.0, [](double a, double v) { return a + v; })
                                           : reduce_raw<int64_t>(x, r, kLong, int64_t(0), [](int64_t a, int64_t v) { return a + v; });
  Tensor out = cast(acc, out_dtype);
  return raw_view(out, r.out_shape, contiguous_strides(r.out_shape), 0);
}

// As PyTorch: a reduction to another dtype casts the input first, so a bool sum is "any", a float
// sum to int truncates each element and a double sum to float rounds each element.
Tensor as_dtype(const Tensor& x, ScalarType dtype) { return x.dtype() == dtype ? x : cast(x, dtype); }

Tensor sum_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype, bool all) {
  Dims r = reduce_dims(x, dims, keepdim);
  const ScalarType dt = sum_dtype(x, dtype);
  Tensor out = sum_raw(as_dtype(x, dt), r, dt);
  if (any_requires_grad(x)) record(out, x, r, ReduceBackward::Sum, all ? "SumBackward0" : "SumBackward1");
  return out;
}

Tensor mean_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype, bool all) {
  ScalarType dt = dtype.value_or(x.dtype());
  EMBER_CHECK(is_floating_type(dt), "mean(): could not infer output dtype. ", dtype ? "Optional" : "Input",
              " dtype must be either a floating point or complex dtype. Got: ", to_string(dt));
  Dims r = reduce_dims(x, dims, keepdim);
  // As PyTorch: the input cast to the result's dtype, summed in it, divided by the count.
  Tensor out = sum_raw(as_dtype(x, dt), r, dt).div(static_cast<double>(r.count));
  if (!out.is_contiguous() || out.sizes() != r.out_shape.ref()) out = out.reshape(r.out_shape);
  if (any_requires_grad(x)) record(out, x, r, ReduceBackward::Mean, all ? "MeanBackward0" : "MeanBackward1");
  return out;
}

template <bool IsMax>
Tensor extreme_raw(const Tensor& x, const Dims& r) {
  if (x.numel() > 0)
    if (Tensor s = reduce_simd(IsMax ? kernels::ReduceOp::Max : kernels::ReduceOp::Min, x, r); s.defined()) return s;
  return visit_dtype(x.dtype(), IsMax ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    T init = IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    if constexpr (std::is_floating_point_v<T>) init = IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    Tensor acc = reduce_raw<T>(x, r, x.dtype(), init, [](T a, T v) {
      if constexpr (std::is_floating_point_v<T>)
        if (std::isnan(a) || std::isnan(v)) return std::numeric_limits<T>::quiet_NaN();
      return IsMax ? (v > a ? v : a) : (v < a ? v : a);
    });
    return raw_view(acc, r.out_shape, contiguous_strides(r.out_shape), 0);
  });
}

// Index of the max (or min) along `dim` for every other position; first occurrence wins, NaN counts as largest.
template <bool IsMax>
std::tuple<Tensor, Tensor> arg_extreme(const Tensor& x, int64_t dim, bool keepdim) {
  int64_t d = maybe_wrap_dim(dim, x.dim());
  Tensor xc = contiguous_raw(x);
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  EMBER_CHECK(n > 0, IsMax ? "max" : "min", "(): Expected reduction dim ", d, " to have non-zero size.");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  DimVector keep(x.sizes());
  if (x.dim() > 0) keep[d] = 1;
  Tensor values = new_tensor(keep, x.dtype()), indices = new_tensor(keep, kLong);
  visit_dtype(x.dtype(), IsMax ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    const T* p = xc.data_ptr<T>();
    T* v = values.data_ptr<T>();
    int64_t* ix = indices.data_ptr<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* base = p + o * n * inner + i;
        T best = base[0];
        int64_t bi = 0;
        for (int64_t k = 1; k < n; ++k) {
          T c = base[k * inner];
          bool better;
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(best)) break;
            better = std::isnan(c) || (IsMax ? c > best : c < best);
          } else {
            better = IsMax ? c > best : c < best;
          }
          if (better) best = c, bi = k;
        }
        v[o * inner + i] = best;
        ix[o * inner + i] = bi;
      }
  });
  if (!keepdim && x.dim() > 0) {
    values = values.squeeze(d);
    indices = indices.squeeze(d);
  }
  return {values, indices};
}

struct IndexSelectingBackward final : Node {
  const char* name_;
  int64_t dim;
  bool keepdim;
  DimVector in_sizes;
  SavedVariable indices;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor gi = g[0], idx = indices.unpack();
    if (!keepdim && !in_sizes.empty()) {
      gi = gi.unsqueeze(dim);
      idx = idx.unsqueeze(dim);
    }
    return {zeros(in_sizes, TensorOptions(gi.dtype())).scatter(dim, idx, gi)};
  }
  void release_variables() override { indices.reset_data(); }
};

template <bool IsMax>
std::tuple<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t dim, bool keepdim) {
  auto [values, indices] = arg_extreme<IsMax>(x, dim, keepdim);
  if (any_requires_grad(x)) {
    auto n = make_node<IndexSelectingBackward>(x);
    n->name_ = IsMax ? "MaxBackward0" : "MinBackward0";
    n->dim = x.dim() == 0 ? 0 : maybe_wrap_dim(dim, x.dim());
    n->keepdim = keepdim;
    n->in_sizes = x.sizes();
    n->indices = save(indices);
    set_history(values, n);
  }
  return {values, indices};
}

template <bool IsMax>
Tensor extreme_all(const Tensor& x, IntArrayRef dims, bool keepdim, const char* name, bool nan_equal = false) {
  EMBER_CHECK(x.numel() > 0 || !dims.empty(), IsMax ? "max" : "min",
              "(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
  Dims r = reduce_dims(x, dims, keepdim);
  if (x.numel() == 0)
    for (int64_t d : r.list)
      EMBER_CHECK(x.size(d) > 0, IsMax ? "amax" : "amin", "(): Expected reduction dim ", d, " to have non-zero size.");
  Tensor out = extreme_raw<IsMax>(x, r);
  if (any_requires_grad(x)) {
    auto n = record(out, x, r, ReduceBackward::Evenly, name);
    n->nan_equal = nan_equal;
    n->self = save(x);
    n->result = save_output(out);
  }
  return out;
}

// An empty `dims` reduces over every dim, forward and backward. (LibTorch 1.13's var/std backward
// treats dims={} as "no dim reduced" and returns a wrong gradient; ember's is right.)
Tensor var_impl(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim, bool is_std) {
  EMBER_CHECK(is_floating_type(x.dtype()), is_std ? "std" : "var",
              "(): input dtype should be either floating point or complex. Got ", to_string(x.dtype()), " instead.");
  Dims r = reduce_dims(x, dims, keepdim);
  Tensor out;
  {
    NoGradGuard ng;
    std::vector<int64_t> list(r.list.begin(), r.list.end());
    if (list.empty())
      for (int64_t i = 0; i < x.dim(); ++i) list.push_back(i);
    // Computed in double, as ATen accumulates float's variance (Welford in double), and shifted by
    // the first element of each reduced slice: a slice of equal values then has variance exactly
    // 0, as Welford's, not a rounding residue of its mean (its std gradient would be O(1)).
    Tensor xd = x.dtype() == kFloat ? x.to(kDouble) : x;
    if (xd.dim() > 0 && r.count > 0) {
      Tensor first = xd;
      for (int64_t d : list) first = first.narrow(d, 0, 1);
      xd = xd.sub(first);
    }
    Tensor centered = xd.dim() == 0 ? xd.sub(xd) : xd.sub(xd.mean(list, true));
    double denom = std::max(0.0, static_cast<double>(r.count) - (unbiased ? 1.0 : 0.0));
    Tensor ss = xd.dim() == 0 ? centered.mul(centered) : centered.mul(centered).sum(list, keepdim);
    out = ss.div(denom);
    if (is_std) out = out.sqrt();
    out = out.to(x.dtype());
  }
  if (any_requires_grad(x)) {
    auto n = record(out, x, r, is_std ? ReduceBackward::Std : ReduceBackward::Var, is_std ? "StdBackward0" : "VarBackward0");
    n->correction = unbiased ? 1 : 0;
    n->self = save(x);
    if (is_std) n->result = save_output(out);
  }
  return out;
}

Tensor norm_impl(const Tensor& x, double p, IntArrayRef dims, bool keepdim, const char* name) {
  EMBER_CHECK(is_floating_type(x.dtype()), "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
              to_string(x.dtype()));
  Dims r = reduce_dims(x, dims, keepdim);
  Tensor out;
  {
    NoGradGuard ng;
    Tensor a = x.abs();
    std::vector<int64_t> list(r.list.begin(), r.list.end());
    if (list.empty())
      for (int64_t i = 0; i < x.dim(); ++i) list.push_back(i);
    auto over = [&](const Tensor& t) { return x.dim() == 0 ? t : t.sum(list, keepdim); };
    // Over no elements every norm is 0 (LibTorch gives 0 for +-inf too, where amax/amin would refuse).
    if (std::isinf(p) && r.count == 0) out = zeros(r.out_shape, TensorOptions(x.dtype()));
    else if (std::isinf(p)) out = x.dim() == 0 ? a : (p > 0 ? a.amax(list, keepdim) : a.amin(list, keepdim));
    else if (p == 0) out = over(a.ne(0.0).to(x.dtype()));
    else if (p == 1) out = over(a);
    else if (p == 2) out = over(a.mul(a)).sqrt();
    else out = over(a.pow(p)).pow(1.0 / p);
  }
  if (any_requires_grad(x)) {
    auto n = record(out, x, r, ReduceBackward::Norm, name);
    n->p = p;
    n->self = save(x);
    n->result = save_output(out);
  }
  return out;
}

struct CumsumBackward0 final : NamedNode<"CumsumBackward0"> {
  int64_t dim;
  ScalarType dtype;
  variable_list apply(variable_list&& g) override {
    Tensor r = g[0].flip({dim}).cumsum(dim).flip({dim});
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
};

}  // namespace

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype) { return sum_impl(x, {}, false, dtype, true); }
Tensor sum(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  return sum_impl(x, dim, keepdim, dtype, false);
}
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype) { return mean_impl(x, {}, false, dtype, true); }
Tensor mean(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  return mean_impl(x, dim, keepdim, dtype, false);
}

namespace {
Tensor prod_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype, const char* name) {
  Dims r = reduce_dims(x, dims, keepdim);
  ScalarType dt = sum_dtype(x, dtype);
  Tensor src = as_dtype(x, dt);
  Tensor out = reduce_simd(kernels::ReduceOp::Prod, src, r);
  if (!out.defined()) {
    Tensor acc = is_floating_type(dt)
                     ? reduce_raw<double>(src, r, kDouble, 1.0, [](double a, double v) { return a * v; })
                     : reduce_raw<int64_t>(src, r, kLong, int64_t(1), [](int64_t a, int64_t v) { return a * v; });
    out = raw_view(cast(acc, dt), r.out_shape, contiguous_strides(r.out_shape), 0);
  }
  if (any_requires_grad(x)) {
    auto n = record(out, x, r, ReduceBackward::Prod, name);
    n->over_dim = !dims.empty();
    n->self = save(x);
    n->result = save_output(out);
  }
  return out;
}
}  // namespace
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype) { return prod_impl(x, {}, false, dtype, "ProdBackward0"); }
Tensor prod(const Tensor& x, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  return prod_impl(x, IntArrayRef(dim), keepdim, dtype, "ProdBackward1");
}

Tensor max(const Tensor& x) { return extreme_all<true>(x, {}, false, "MaxBackward1", true); }
Tensor min(const Tensor& x) { return extreme_all<false>(x, {}, false, "MinBackward1", true); }
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim<true>(x, dim, keepdim); }
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim<false>(x, dim, keepdim); }
Tensor amax(const Tensor& x, IntArrayRef dim, bool keepdim) { return extreme_all<true>(x, dim, keepdim, "AmaxBackward0"); }
Tensor amin(const Tensor& x, IntArrayRef dim, bool keepdim) { return extreme_all<false>(x, dim, keepdim, "AminBackward0"); }
namespace {
// argmax/argmin: without a dim, over the flattened input; keepdim then keeps every dim as size 1.
template <bool IsMax>
Tensor arg_reduce(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  if (dim) return std::get<1>(arg_extreme<IsMax>(x.detach(), *dim, keepdim));
  EMBER_CHECK(x.numel() > 0, IsMax ? "argmax" : "argmin",
              "(): Expected reduction dim to be specified for input.numel() == 0.");
  Tensor flat = std::get<1>(arg_extreme<IsMax>(x.detach().reshape({-1}), 0, false));
  return keepdim ? flat.reshape(DimVector(x.dim(), 1)) : flat;
}
}  // namespace
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce<true>(x, dim, keepdim); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce<false>(x, dim, keepdim); }

Tensor var(const Tensor& x, bool unbiased) { return var_impl(x, {}, unbiased, false, false); }
Tensor var(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) { return var_impl(x, dim, unbiased, keepdim, false); }
Tensor std(const Tensor& x, bool unbiased) { return var_impl(x, {}, unbiased, false, true); }
Tensor std(const Tensor& x, IntArrayRef dim, bool unbiased, bool keepdim) { return var_impl(x, dim, unbiased, keepdim, true); }
Tensor var(const Tensor& x, int dim) { return var_impl(x, IntArrayRef(int64_t(dim)), true, false, false); }
Tensor std(const Tensor& x, int dim) { return var_impl(x, IntArrayRef(int64_t(dim)), true, false, true); }
Tensor norm(const Tensor& x, const Scalar& p) { return norm_impl(x, p.toDouble(), {}, false, "NormBackward0"); }
Tensor norm(const Tensor& x, std::optional<Scalar> p, IntArrayRef dim, bool keepdim) {
  return norm_impl(x, p ? p->toDouble() : 2.0, dim, keepdim, "NormBackward1");
}

Tensor logsumexp(const Tensor& x, IntArrayRef dim, bool keepdim) {
  Dims r = reduce_dims(x, dim, keepdim);
  Tensor xf = is_floating_type(x.dtype()) ? x : x.to(get_default_dtype());
  Tensor out;
  {
    NoGradGuard ng;
    std::vector<int64_t> list(r.list.begin(), r.list.end());
    if (x.dim() == 0) {
      out = xf.clone();  // a 0-d input is its own logsumexp (and keeps its gradient below)
    } else if (r.count == 0) {
      out = full(r.out_shape, -std::numeric_limits<double>::infinity(), TensorOptions(xf.dtype()));
    } else {
      Tensor m = xf.amax(list, true);
      m = where(isinf(m), 0.0, m);
      out = xf.sub(m).exp().sum(list, true).log().add(m);
      if (!keepdim) out = out.reshape(r.out_shape);
    }
  }
  if (any_requires_grad(x)) {
    auto n = record(out, x, r, ReduceBackward::LogSumExp, "LogsumexpBackward0");
    n->self = save(x);
    n->result = save_output(out);
  }
  return out;
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  int64_t d = maybe_wrap_dim(dim, x.dim());
  ScalarType dt = sum_dtype(x, dtype);
  // ATen copies a 0-d input and zeroes an empty one before it dispatches on the dtype.
  EMBER_CHECK(dt != kBool || x.dim() == 0 || x.numel() == 0, "\"cumsum_out_cpu\" not implemented for 'Bool'");
  Tensor src = contiguous_raw(cast(x, dt));
  Tensor out = new_tensor(x.sizes(), dt);
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  visit_dtype(dt, "cumsum", [&](auto tag) {
    using T = decltype(tag);
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    const T* p = src.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        Acc acc = 0;
        for (int64_t k = 0; k < n; ++k) {
          int64_t at = (a * n + k) * inner + i;
          acc += static_cast<Acc>(p[at]);
          o[at] = kernels::convert<T>(acc);
        }
      }
  });
  if (any_requires_grad(x)) {
    auto node = make_node<CumsumBackward0>(x);
    node->dim = d;
    node->dtype = x.dtype();
    set_history(out, node);
  }
  return out;
}

Tensor all(const Tensor& x) { return all(x.reshape({-1}), 0, false); }
Tensor any(const Tensor& x) { return any(x.reshape({-1}), 0, false); }
namespace {
// all/any: bool results, except that uint8 inputs give uint8 (LibTorch 1.13 keeps that legacy type).
template <bool IsAll>
Tensor all_any(const Tensor& x, int64_t dim, bool keepdim) {
  Dims r = reduce_dims(x, IntArrayRef(dim), keepdim);
  Tensor acc = reduce_raw<bool>(cast(x, kBool), r, kBool, IsAll,
                                [](bool a, bool v) { return IsAll ? (a && v) : (a || v); });
  if (x.dtype() == kByte) acc = cast(acc, kByte);
  return raw_view(acc, r.out_shape, contiguous_strides(r.out_shape), 0);
}
}  // namespace
Tensor all(const Tensor& x, int64_t dim, bool keepdim) { return all_any<true>(x, dim, keepdim); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) { return all_any<false>(x, dim, keepdim); }

bool equal(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes()) return false;
  NoGradGuard ng;
  return eq(a, b).all().item<bool>();
}

// PyTorch's definition: isclose (its dtype and tolerance checks, its rounding) over every element.
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}

Tensor sum_to(const Tensor& x, IntArrayRef shape) {
  if (x.sizes() == shape) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  EMBER_CHECK(lead >= 0, "sum_to: shape ", shape, " has more dims than the tensor ", x.sizes());
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < lead; ++i) dims.push_back(i);
  for (int64_t i = lead; i < x.dim(); ++i) {
    EMBER_CHECK(shape[i - lead] == x.size(i) || shape[i - lead] == 1, "sum_to: tensor of shape ", x.sizes(),
                " is not expandable to ", shape);
    if (shape[i - lead] == 1 && x.size(i) != 1) dims.push_back(i);
  }
  Tensor r = dims.empty() ? x : x.sum(dims, true);
  return r.sizes() == shape ? r : r.reshape(shape);
}

}  // namespace ember
