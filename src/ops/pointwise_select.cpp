// Pointwise ops that select or bound values: clamp, minimum/maximum, where, and xlogy (whose
// gradient selects where x is zero), each with its backward beside it. Arithmetic is in
// pointwise.cpp.
#include <cmath>

#include "ops/elementwise.h"

namespace ember {

// ---------------------------------------------------------------- clamp, minimum, maximum, where

namespace {
struct ClampBackward final : Node {
  const char* name_;
  SavedVariable self;
  std::optional<Scalar> lo, hi;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor s = self.unpack();
    Tensor keep;
    if (lo) keep = s.ge(*lo);
    if (hi) keep = keep.defined() ? keep.logical_and(s.le(*hi)) : s.le(*hi);
    return {keep.defined() ? where(keep, g[0], 0.0) : g[0]};
  }
  void release_variables() override { self.reset_data(); }
};

// one_sided: clamp_min/clamp_max, which give NaN everywhere for a NaN bound (ATen's
// clamp_min/clamp_max kernels); clamp with a single NaN bound leaves x as it is.
Tensor clamp_impl(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi, const char* backward_name,
                  bool one_sided = false) {
  EMBER_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  // The bounds take part in type promotion (a bool tensor clamped by floats is float).
  ScalarType dt = lo ? result_type(x, *lo) : x.dtype();
  if (hi) dt = promote_types(dt, result_type(x, *hi));
  EMBER_CHECK(dt != kBool, "\"clamp_cpu\" not implemented for 'Bool'");
  if (lo) check_value_fits(*lo, dt);
  if (hi) check_value_fits(*hi, dt);
  // With both bounds given and either one NaN, every element is NaN (ATen's clamp_out); so too
  // for clamp_min/clamp_max with a NaN bound.
  const bool lo_nan = lo && std::isnan(lo->toDouble()), hi_nan = hi && std::isnan(hi->toDouble());
  const bool nan_bound = (lo && hi && (lo_nan || hi_nan)) || (one_sided && (lo_nan || hi_nan));
  Tensor r = visit_dtype(dt, "clamp", [&](auto tag) {
    using T = decltype(tag);
    const bool has_lo = lo.has_value(), has_hi = hi.has_value();
    const T l = has_lo ? lo->to<T>() : T(0), h = has_hi ? hi->to<T>() : T(0);
    return unary_kernel("clamp", x, dt, [=](T v) {
      if constexpr (std::is_floating_point_v<T>) {
        if (nan_bound) return std::numeric_limits<T>::quiet_NaN();
        if (std::isnan(v)) return v;
      }
      if (has_lo && v < l) v = l;
      if (has_hi && v > h) v = h;
      return v;
    });
  });
  if (any_requires_grad(x)) {
    auto n = make_node<ClampBackward>(x);
    n->name_ = backward_name;
    n->self = save(x);
    n->lo = lo;
    n->hi = hi;
    set_history(r, n);
  }
  return r;
}

struct MinMaxBackward final : Node {
  const char* name_;
  bool is_max;
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor a = self.unpack(), b = other.unpack();
    // As PyTorch: half each at a tie, none to the loser; a NaN on either side (no winner, the
    // result is NaN) sends the whole gradient to both.
    Tensor tie = a.eq(b);
    Tensor half = g[0].div(2);
    Tensor a_wins = is_max ? a.gt(b) : a.lt(b);
    Tensor b_wins = is_max ? b.gt(a) : b.lt(a);
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(where(tie, half, where(b_wins, 0.0, g[0])), a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(where(tie, half, where(a_wins, 0.0, g[0])), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};

Tensor min_max(const Tensor& a, const Tensor& b, bool is_max) {
  ScalarType ct = result_type(a, b);
  Tensor r = binary_kernel(is_max ? "maximum" : "minimum", a, b, ct, ct, Tensor(), [is_max](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
    }
    return is_max ? (x > y ? x : y) : (x < y ? x : y);
  });
  if (any_requires_grad(a, b)) {
    auto n = make_node<MinMaxBackward>(a, b);
    n->name_ = is_max ? "MaximumBackward0" : "MinimumBackward0";
    n->is_max = is_max;
    n->self = save(a);
    n->other = save(b);
    n->a_sizes = a.sizes();
    n->b_sizes = b.sizes();
    n->a_dtype = a.dtype();
    n->b_dtype = b.dtype();
    set_history(r, n);
  }
  return r;
}

struct WhereBackward0 final : NamedNode<"WhereBackward0"> {
  SavedVariable condition;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor c = condition.unpack();
    Tensor zero = zeros_like(g[0], g[0].dtype());
    Tensor ga, gb;
    if (should_compute_output(1)) ga = reduce_grad(where(c, g[0], zero), a_sizes, a_dtype);
    if (should_compute_output(2)) gb = reduce_grad(where(c, zero, g[0]), b_sizes, b_dtype);
    return {Tensor(), ga, gb};
  }
  void release_variables() override { condition.reset_data(); }
};
}  // namespace

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp_impl(x, min, max, "ClampBackward1");
}
Tensor clamp_min(const Tensor& x, const Scalar& min) {
  return clamp_impl(x, min, std::nullopt, "ClampMinBackward0", /*one_sided=*/true);
}
Tensor clamp_max(const Tensor& x, const Scalar& max) {
  return clamp_impl(x, std::nullopt, max, "ClampMaxBackward0", /*one_sided=*/true);
}
Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::clamp(requires_grad() ? clone() : mutable_self(), min, max));
}
// Recorded as their out-of-place forms (ClampMinBackward0, ClampMaxBackward0), as LibTorch does.
Tensor& Tensor::clamp_min_(const Scalar& min) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::clamp_min(requires_grad() ? clone() : mutable_self(), min));
}
Tensor& Tensor::clamp_max_(const Scalar& max) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::clamp_max(requires_grad() ? clone() : mutable_self(), max));
}
Tensor minimum(const Tensor& a, const Tensor& b) { return min_max(a, b, false); }
Tensor maximum(const Tensor& a, const Tensor& b) { return min_max(a, b, true); }
Tensor min(const Tensor& a, const Tensor& b) { return minimum(a, b); }
Tensor max(const Tensor& a, const Tensor& b) { return maximum(a, b); }

Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other) {
  EMBER_CHECK(condition.dtype() == kBool || condition.dtype() == kByte,
              "where expected condition to be a boolean tensor, but got a tensor with dtype ",
              to_string(condition.dtype()));
  DimVector shape = broadcast_shapes(broadcast_shapes(condition.sizes(), self.sizes()), other.sizes());
  ScalarType ct = result_type(self, other);
  Tensor out = new_tensor(shape, ct);
  Tensor c = expand_raw(cast(condition, kBool), shape);
  Tensor a = expand_raw(cast(self, ct), shape), b = expand_raw(cast(other, ct), shape);
  visit_dtype(ct, "where", [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<T, bool, T, T>(out, [](bool k, T x, T y) { return k ? x : y; }, c, a, b);
  });
  if (any_requires_grad(self, other)) {
    auto n = make_node<WhereBackward0>(condition, self, other);
    n->condition = save(condition);
    n->a_sizes = self.sizes();
    n->b_sizes = other.sizes();
    n->a_dtype = self.dtype();
    n->b_dtype = other.dtype();
    set_history(out, n);
  }
  return out;
}
Tensor where(const Tensor& condition, const Scalar& self, const Tensor& other) {
  return where(condition, wrap_scalar(self), other);
}
Tensor where(const Tensor& condition, const Tensor& self, const Scalar& other) {
  return where(condition, self, wrap_scalar(other));
}
Tensor where(const Tensor& condition, const Scalar& self, const Scalar& other) {
  return where(condition, wrap_scalar(self), wrap_scalar(other));
}

// ---------------------------------------------------------------- xlogy

namespace {
struct XlogyBackward0 final : NamedNode<"XlogyBackward0"> {
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), y = other.unpack();
    Tensor ga, gb;
    // d/dx is g log(y), as xlogy(g, y), except 0 where x == 0 and y <= 0 (PyTorch 1.13's formula);
    // d/dy is x / y.
    if (should_compute_output(0)) {
      Tensor d = xlogy(g[0], y);
      ga = reduce_grad(where(x.eq(0.0).logical_and(y.le(0.0)), zeros_like(d), d), a_sizes, a_dtype);
    }
    if (should_compute_output(1)) gb = reduce_grad(g[0].mul(x).div(y), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};
}  // namespace

namespace {
// xlogy's values without history; a Scalar argument comes in as a wrapped number.
Tensor xlogy_values(const Tensor& self, const Tensor& other) {
  ScalarType ct = result_type(self, other);
  if (!is_floating_type(ct)) ct = get_default_dtype();
  return binary_kernel("xlogy", self, other, ct, ct, Tensor(), [](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
      return x == 0 ? T(0) : static_cast<T>(x * std::log(y));
    } else {
      return x;  // not reached: the compute dtype is floating
    }
  });
}

// xlogy(Scalar, Tensor): only the tensor is saved, as in PyTorch.
struct XlogyBackward1 final : NamedNode<"XlogyBackward1"> {
  Scalar self;
  SavedVariable other;
  ScalarType b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor y = other.unpack();
    return {reduce_grad(g[0].mul(self).div(y), y.sizes(), b_dtype)};
  }
  void release_variables() override { other.reset_data(); }
};

// xlogy(Tensor, Scalar).
struct XlogyBackward2 final : NamedNode<"XlogyBackward2"> {
  SavedVariable self;
  Scalar other;
  ScalarType a_dtype;
  variable_list apply(variable_list&& g) override {
    // As XlogyBackward0: xlogy(g, other), zeroed where x == 0 when other <= 0.
    Tensor x = self.unpack();
    Tensor d = xlogy(g[0], other);
    if (!(other.toDouble() > 0)) d = where(x.eq(0.0), zeros_like(d), d);
    return {reduce_grad(d, x.sizes(), a_dtype)};
  }
  void release_variables() override { self.reset_data(); }
};
}  // namespace

Tensor xlogy(const Tensor& self, const Tensor& other) {
  Tensor r = xlogy_values(self, other);
  if (any_requires_grad(self, other)) {
    auto n = make_node<XlogyBackward0>(self, other);
    n->self = save(self);
    n->other = save(other);
    n->a_sizes = self.sizes();
    n->b_sizes = other.sizes();
    n->a_dtype = self.dtype();
    n->b_dtype = other.dtype();
    set_history(r, n);
  }
  return r;
}
Tensor xlogy(const Tensor& self, const Scalar& other) {
  Tensor r = xlogy_values(self, wrap_scalar(other));
  if (any_requires_grad(self)) {
    auto n = make_node<XlogyBackward2>(self);
    n->self = save(self);
    n->other = other;
    n->a_dtype = self.dtype();
    set_history(r, n);
  }
  return r;
}
Tensor xlogy(const Scalar& self, const Tensor& other) {
  Tensor r = xlogy_values(wrap_scalar(self), other);
  if (any_requires_grad(other)) {
    auto n = make_node<XlogyBackward1>(other);
    n->self = self;
    n->other = save(other);
    n->b_dtype = other.dtype();
    set_history(r, n);
  }
  return r;
}

}  // namespace ember
