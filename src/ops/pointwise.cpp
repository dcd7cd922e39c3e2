// Pointwise binary ops: arithmetic with broadcasting and type promotion, addcmul/addcdiv, lerp and
// pow, each with its backward beside it. clamp, minimum/maximum, where and xlogy are in
// pointwise_select.cpp; unary math in pointwise_unary.cpp; comparisons and logic (no gradients) in
// logic.cpp.
#include <cmath>

#include "ops/elementwise.h"

namespace ember {

// ---------------------------------------------------------------- type promotion

namespace {
ScalarType combine_categories(ScalarType higher, ScalarType lower) {
  if (is_floating_type(higher)) return higher;
  if (higher == kBool || is_floating_type(lower)) return promote_types(higher, lower);
  if (higher != ScalarType::Undefined) return higher;
  return lower;
}
int priority(const Tensor& t) {
  if (t.unsafeGetTensorImpl()->is_wrapped_number()) return 0;
  return t.dim() == 0 ? 1 : 2;
}
ScalarType effective_dtype(const Tensor& t) {
  if (t.unsafeGetTensorImpl()->is_wrapped_number() && is_floating_type(t.dtype())) return get_default_dtype();
  return t.dtype();
}
}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  // Every binary op's operands pass here first.
  EMBER_CHECK(a.defined() && b.defined(), detail::kUndefinedTensor);
  ScalarType r[3] = {ScalarType::Undefined, ScalarType::Undefined, ScalarType::Undefined};
  r[priority(a)] = promote_types(r[priority(a)], effective_dtype(a));
  r[priority(b)] = promote_types(r[priority(b)], effective_dtype(b));
  return combine_categories(r[2], combine_categories(r[1], r[0]));
}
ScalarType result_type(const Tensor& a, const Scalar& b) { return result_type(a, wrap_scalar(b)); }

// ---------------------------------------------------------------- add / sub

namespace {
bool is_one(const Scalar& s) { return s.toDouble() == 1.0; }

struct AddBackward0 final : NamedNode<"AddBackward0"> {
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  Scalar alpha;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(g[0], a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(is_one(alpha) ? g[0] : g[0].mul(alpha), b_sizes, b_dtype);
    return {ga, gb};
  }
};
struct SubBackward0 final : NamedNode<"SubBackward0"> {
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  Scalar alpha;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(g[0], a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(g[0].mul(-alpha), b_sizes, b_dtype);
    return {ga, gb};
  }
};
// Backward of an op whose gradient is the incoming one times a constant, or divided by one
// (PyTorch's DivBackward1 computes grad / other, which can differ from grad * (1 / other) in the
// last bit).
template <FixedString Name>
struct ScaleBackward final : NamedNode<Name> {
  ScalarType dtype;
  double scale = 1;
  bool divide = false;
  variable_list apply(variable_list&& g) override {
    Tensor r = scale == 1 ? g[0] : divide ? g[0].div(scale) : g[0].mul(scale);
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
};

// Records r = a * scale + constant (or a / scale with `divide`): its backward scales the incoming
// gradient the same way.
template <FixedString Name>
void record_scale(const Tensor& r, const Tensor& a, double scale, bool divide = false) {
  if (!any_requires_grad(a)) return;
  auto n = make_node<ScaleBackward<Name>>(a);
  n->dtype = a.dtype();
  n->scale = scale;
  n->divide = divide;
  set_history(r, n);
}

Tensor add_sub(const Tensor& a, const Tensor& b, const Scalar& alpha, bool subtract, const Tensor& out) {
  EMBER_CHECK(!(a.dtype() == kBool && b.dtype() == kBool && subtract),
              "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
              "operator instead.");
  EMBER_CHECK(!(subtract && (a.dtype() == kBool || b.dtype() == kBool)),
              "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, "
              "use the `~` or `logical_not()` operator instead.");
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(!(is_integral_type(ct, true) && alpha.isFloatingPoint()),
              "For integral input tensors, argument alpha must not be a floating point number.");
  EMBER_CHECK(!(alpha.isBoolean() && ct != kBool), "Boolean alpha only supported for Boolean results.");
  Tensor r;
  if (subtract) {
    visit_dtype(ct, "sub", [&](auto tag) {
      using T = decltype(tag);
      T al = alpha.to<T>();
      r = binary_kernel("sub", a, b, ct, ct, out, [al](T x, T y) { return x - al * y; }, kernels::BinaryOp::Sub,
                        static_cast<double>(al));
    });
  } else {
    visit_dtype(ct, "add", [&](auto tag) {
      using T = decltype(tag);
      T al = alpha.to<T>();
      if (al == T(1)) r = binary_kernel("add", a, b, ct, ct, out, [](T x, T y) { return x + y; }, kernels::BinaryOp::Add);
      else
        r = binary_kernel("add", a, b, ct, ct, out, [al](T x, T y) { return x + al * y; }, kernels::BinaryOp::Add,
                          static_cast<double>(al));
    });
  }
  return r;
}

// a op (alpha b) for a C++ number b, when a is a float or double tensor (not itself a wrapped
// number) laid out contiguously: the result has a's dtype, as with a wrapped-number tensor of b, and
// comes straight from the SIMD kernel without making that tensor (binary_kernel's wrapped-number
// path calls the same kernel entry once the tensor is made). Undefined when a does not qualify,
// or when b is a bool (the tensor path gives subtraction's error for it).
Tensor scalar_simd(kernels::BinaryOp op, const Tensor& a, const Scalar& b, const Scalar& alpha = 1) {
  if (!kernels::binary_scalar_accepts(op, a) || a.unsafeGetTensorImpl()->is_wrapped_number() || b.isBoolean() ||
      alpha.isBoolean())
    return Tensor();
  Tensor out = new_tensor(a.sizes(), a.dtype());
  EMBER_CHECK(kernels::binary_scalar(op, out, a, b, alpha.toDouble()), "binary_scalar refused what it accepted");
  return out;
}

// self op= (alpha b) for a C++ number b the same way, when no graph is recorded; false to leave it
// to the tensor path.
bool scalar_simd_(kernels::BinaryOp op, const Tensor& self, const Scalar& b, const Scalar& alpha = 1) {
  EMBER_CHECK(self.defined(), detail::kUndefinedTensor);
  if (any_requires_grad(self) || self.unsafeGetTensorImpl()->is_wrapped_number() || b.isBoolean() || alpha.isBoolean())
    return false;
  autograd::check_inplace(self);
  if (!kernels::binary_scalar(op, self, self, b, alpha.toDouble())) return false;
  autograd::rebase_history(self, {});
  return true;
}

template <typename N>
void record_add_sub(const Tensor& r, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  auto n = make_node<N>(a, b);
  n->a_sizes = a.sizes();
  n->b_sizes = b.sizes();
  n->a_dtype = a.dtype();
  n->b_dtype = b.dtype();
  n->alpha = alpha;
  set_history(r, n);
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  Tensor r = add_sub(a, b, alpha, false, Tensor());
  if (any_requires_grad(a, b)) record_add_sub<AddBackward0>(r, a, b, alpha);
  return r;
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  Tensor r = add_sub(a, b, alpha, true, Tensor());
  if (any_requires_grad(a, b)) record_add_sub<SubBackward0>(r, a, b, alpha);
  return r;
}
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  Tensor r = scalar_simd(kernels::BinaryOp::Add, a, b, alpha);
  if (!r.defined()) r = add_sub(a, wrap_scalar(b), alpha, false, Tensor());
  record_scale<"AddBackward1">(r, a, 1);
  return r;
}
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  Tensor r = scalar_simd(kernels::BinaryOp::Sub, a, b, alpha);
  if (!r.defined()) r = add_sub(a, wrap_scalar(b), alpha, true, Tensor());
  record_scale<"SubBackward1">(r, a, 1);
  return r;
}
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  Tensor r = add_sub(wrap_scalar(b), a, alpha, true, Tensor());
  record_scale<"RsubBackward1">(r, a, -alpha.toDouble());
  return r;
}

// ---------------------------------------------------------------- mul / div

namespace {
struct MulBackward0 final : NamedNode<"MulBackward0"> {
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(g[0].mul(other.unpack()), a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(g[0].mul(self.unpack()), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};
struct DivBackward0 final : NamedNode<"DivBackward0"> {
  SavedVariable self, other;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor o = other.unpack();
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(g[0].div(o), a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(g[0].neg().mul(self.unpack()).div(o.mul(o)), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};

template <typename N>
void record_mul_div(const Tensor& r, const Tensor& a, const Tensor& b) {
  auto n = make_node<N>(a, b);
  if (n->should_compute_output(1)) n->self = save(a);
  n->other = save(b);
  n->a_sizes = a.sizes();
  n->b_sizes = b.sizes();
  n->a_dtype = a.dtype();
  n->b_dtype = b.dtype();
  set_history(r, n);
}

Tensor mul_kernel(const Tensor& a, const Tensor& b, const Tensor& out) {
  ScalarType ct = result_type(a, b);
  if (ct == kBool) return binary_kernel("mul", a, b, ct, ct, out, [](bool x, bool y) { return x && y; });
  return binary_kernel("mul", a, b, ct, ct, out, [](auto x, auto y) { return x * y; }, kernels::BinaryOp::Mul);
}
Tensor div_kernel(const Tensor& a, const Tensor& b, const Tensor& out) {
  ScalarType ct = result_type(a, b);
  if (!is_floating_type(ct)) ct = get_default_dtype();
  return binary_kernel("div", a, b, ct, ct, out, [](auto x, auto y) { return x / y; }, kernels::BinaryOp::Div);
}
}  // namespace

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor r = mul_kernel(a, b, Tensor());
  if (any_requires_grad(a, b)) record_mul_div<MulBackward0>(r, a, b);
  return r;
}
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor r = div_kernel(a, b, Tensor());
  if (any_requires_grad(a, b)) record_mul_div<DivBackward0>(r, a, b);
  return r;
}
Tensor mul(const Tensor& a, const Scalar& b) {
  Tensor r = scalar_simd(kernels::BinaryOp::Mul, a, b);
  if (!r.defined()) r = mul_kernel(a, wrap_scalar(b), Tensor());
  record_scale<"MulBackward1">(r, a, b.toDouble());
  return r;
}
Tensor div(const Tensor& a, const Scalar& b) {
  Tensor r = scalar_simd(kernels::BinaryOp::Div, a, b);
  if (!r.defined()) r = div_kernel(a, wrap_scalar(b), Tensor());
  record_scale<"DivBackward1">(r, a, b.toDouble(), /*divide=*/true);
  return r;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return mul(reciprocal(b), a); }

namespace {
// Backward of self + value * (t1 op t2) for op = * (addcmul) or / (addcdiv).
template <FixedString Name, bool Divide>
struct AddcBackward final : NamedNode<Name> {
  SavedVariable t1, t2;
  Scalar value;
  DimVector sizes[3];
  ScalarType dtypes[3];
  variable_list apply(variable_list&& g) override {
    Tensor a = t1.unpack(), b = t2.unpack();
    Tensor gv = g[0].mul(value);
    Tensor gs, g1, g2;
    if (this->should_compute_output(0)) gs = reduce_grad(g[0], sizes[0], dtypes[0]);
    if (this->should_compute_output(1)) g1 = reduce_grad(Divide ? gv.div(b) : gv.mul(b), sizes[1], dtypes[1]);
    if (this->should_compute_output(2))
      g2 = reduce_grad(Divide ? gv.mul(a).div(b.mul(b)).neg() : gv.mul(a), sizes[2], dtypes[2]);
    return {gs, g1, g2};
  }
  void release_variables() override {
    t1.reset_data();
    t2.reset_data();
  }
};
struct LerpBackward0 final : NamedNode<"LerpBackward0"> {
  double weight;
  DimVector sizes[2];
  ScalarType dtypes[2];
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(g[0].mul(1 - weight), sizes[0], dtypes[0]);
    if (should_compute_output(1)) gb = reduce_grad(g[0].mul(weight), sizes[1], dtypes[1]);
    return {ga, gb};
  }
};

// A weight per element (broadcast): the weight's gradient is grad * (end - self).
struct LerpBackward1 final : NamedNode<"LerpBackward1"> {
  SavedVariable self, end, weight;
  DimVector sizes[3];
  ScalarType dtypes[3];
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb, gw;
    const Tensor w = weight.unpack();
    if (should_compute_output(0)) ga = reduce_grad(g[0].mul(w.neg().add(1)), sizes[0], dtypes[0]);
    if (should_compute_output(1)) gb = reduce_grad(g[0].mul(w), sizes[1], dtypes[1]);
    if (should_compute_output(2)) gw = reduce_grad(g[0].mul(end.unpack().sub(self.unpack())), sizes[2], dtypes[2]);
    return {ga, gb, gw};
  }
  void release_variables() override {
    self.reset_data();
    end.reset_data();
    weight.reset_data();
  }
};

template <typename N>
Tensor addc(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value, Tensor combined) {
  Tensor out;
  {
    NoGradGuard ng;
    // An integral result takes the value truncated to an integer, as ATen's value.to<scalar_t>().
    const ScalarType ct = result_type(self, combined);
    check_value_fits(value, ct);
    out = add(self, combined, is_integral_type(ct, true) && value.isFloatingPoint() ? Scalar(value.toLong()) : value);
  }
  if (any_requires_grad(self, t1, t2)) {
    auto n = make_node<N>(self, t1, t2);
    n->t1 = save(t1);
    n->t2 = save(t2);
    n->value = value;
    const Tensor* ins[3] = {&self, &t1, &t2};
    for (int i = 0; i < 3; ++i) n->sizes[i] = ins[i]->sizes(), n->dtypes[i] = ins[i]->dtype();
    set_history(out, n);
  }
  return out;
}
}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  EMBER_CHECK(promote_types(self.dtype(), promote_types(t1.dtype(), t2.dtype())) != kBool,
              "\"addcmul_cpu_out\" not implemented for 'Bool'");
  Tensor prod;
  {
    NoGradGuard ng;
    prod = mul(t1, t2);
  }
  return addc<AddcBackward<"AddcmulBackward0", false>>(self, t1, t2, value, prod);
}
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  EMBER_CHECK(!(is_integral_type(t1.dtype(), true) && is_integral_type(t2.dtype(), true)),
              "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
              "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
              "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
              "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
              "(input + value * tensor1 / tensor2), for all dtypes.");
  Tensor quot;
  {
    NoGradGuard ng;
    quot = div(t1, t2);
  }
  return addc<AddcBackward<"AddcdivBackward0", true>>(self, t1, t2, value, quot);
}
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight) {
  EMBER_CHECK(self.dtype() == end.dtype(), "expected dtype ", cpp_type_name(self.dtype()), " for `end` but got dtype ",
              cpp_type_name(end.dtype()));
  EMBER_CHECK(self.is_floating_point(), "\"lerp_kernel_scalar\" not implemented for '", to_string(self.dtype()), "'");
  // ATen's two-sided formula: exact at both ends, and inf - inf only where the weight's side meets it.
  Tensor out = visit_floating(self.dtype(), "lerp", [&](auto tag) {
    using T = decltype(tag);
    const T w = weight.to<T>();
    return binary_kernel("lerp", self, end, self.dtype(), self.dtype(), Tensor(), [w](T a, T b) {
      return std::abs(w) < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
    });
  });
  if (any_requires_grad(self, end)) {
    auto n = make_node<LerpBackward0>(self, end);
    n->weight = weight.toDouble();
    n->sizes[0] = self.sizes(), n->sizes[1] = end.sizes();
    n->dtypes[0] = self.dtype(), n->dtypes[1] = end.dtype();
    set_history(out, n);
  }
  return out;
}

Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  EMBER_CHECK(self.dtype() == end.dtype(), "expected dtype ", cpp_type_name(self.dtype()), " for `end` but got dtype ",
              cpp_type_name(end.dtype()));
  EMBER_CHECK(self.dtype() == weight.dtype(), "expected dtype ", cpp_type_name(self.dtype()),
              " for `weight` but got dtype ", cpp_type_name(weight.dtype()));
  EMBER_CHECK(self.is_floating_point(), "\"lerp_kernel_tensor\" not implemented for '", to_string(self.dtype()), "'");
  broadcast_shapes(broadcast_shapes(self.sizes(), end.sizes()), weight.sizes());  // PyTorch's message first
  Tensor out;
  {
    // ATen's two-sided formula, as the Scalar weight's above.
    NoGradGuard ng;
    const Tensor diff = end.sub(self);
    out = where(weight.abs().lt(0.5), self.add(weight.mul(diff)), end.sub(diff.mul(weight.neg().add(1))));
  }
  if (any_requires_grad(self, end, weight)) {
    auto n = make_node<LerpBackward1>(self, end, weight);
    n->self = save(self);
    n->end = save(end);
    n->weight = save(weight);
    const Tensor* ins[3] = {&self, &end, &weight};
    for (int i = 0; i < 3; ++i) n->sizes[i] = ins[i]->sizes(), n->dtypes[i] = ins[i]->dtype();
    set_history(out, n);
  }
  return out;
}

namespace {
// In-place arithmetic: without a graph to record, `kernel` writes straight into self; with one,
// self takes the result of the out-of-place `op` (assign_inplace records the node).
template <typename Kernel, typename Op>
Tensor& arithmetic_inplace(Tensor& self, const Tensor& other, const Kernel& kernel, const Op& op) {
  autograd::check_inplace(self);
  autograd::check_no_grad_view_inplace(self, {other});
  if (any_requires_grad(self, other)) return assign_inplace(self, op());
  kernel();
  autograd::rebase_history(self, {});
  return self;
}
}  // namespace

Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) const {
  Tensor& self = mutable_self();
  return arithmetic_inplace(
      self, other, [&] { add_sub(self, other, alpha, false, self); }, [&] { return ember::add(self, other, alpha); });
}
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) const {
  Tensor& self = mutable_self();
  return arithmetic_inplace(
      self, other, [&] { add_sub(self, other, alpha, true, self); }, [&] { return ember::sub(self, other, alpha); });
}
// mul_ and div_: the backward for `other` needs self's old value, which the write replaces.
Tensor& Tensor::mul_(const Tensor& other) const {
  Tensor& self = mutable_self();
  return arithmetic_inplace(
      self, other, [&] { mul_kernel(self, other, self); },
      [&] { return ember::mul(other.requires_grad() ? clone() : self, other); });
}
Tensor& Tensor::div_(const Tensor& other) const {
  Tensor& self = mutable_self();
  return arithmetic_inplace(
      self, other, [&] { div_kernel(self, other, self); },
      [&] { return ember::div(other.requires_grad() ? clone() : self, other); });
}
// The Scalar overloads record what LibTorch's do, as their out-of-place forms: AddBackward1,
// SubBackward1, MulBackward1, DivBackward1 (Python wraps the number into a tensor and records
// AddBackward0 and so on; a C++ program sees LibTorch's names).
Tensor& Tensor::add_(const Scalar& other, const Scalar& alpha) const {
  if (scalar_simd_(kernels::BinaryOp::Add, *this, other, alpha)) return mutable_self();
  Tensor& self = mutable_self();
  const Tensor b = wrap_scalar(other);
  return arithmetic_inplace(
      self, b, [&] { add_sub(self, b, alpha, false, self); }, [&] { return ember::add(self, other, alpha); });
}
Tensor& Tensor::sub_(const Scalar& other, const Scalar& alpha) const {
  if (scalar_simd_(kernels::BinaryOp::Sub, *this, other, alpha)) return mutable_self();
  Tensor& self = mutable_self();
  const Tensor b = wrap_scalar(other);
  return arithmetic_inplace(
      self, b, [&] { add_sub(self, b, alpha, true, self); }, [&] { return ember::sub(self, other, alpha); });
}
Tensor& Tensor::mul_(const Scalar& other) const {
  if (scalar_simd_(kernels::BinaryOp::Mul, *this, other)) return mutable_self();
  Tensor& self = mutable_self();
  const Tensor b = wrap_scalar(other);
  return arithmetic_inplace(
      self, b, [&] { mul_kernel(self, b, self); }, [&] { return ember::mul(self, other); });
}
Tensor& Tensor::div_(const Scalar& other) const {
  if (scalar_simd_(kernels::BinaryOp::Div, *this, other)) return mutable_self();
  Tensor& self = mutable_self();
  const Tensor b = wrap_scalar(other);
  return arithmetic_inplace(
      self, b, [&] { div_kernel(self, b, self); }, [&] { return ember::div(self, other); });
}
Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::addcmul(mutable_self(), t1, t2, value));
}
Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::addcdiv(mutable_self(), t1, t2, value));
}
Tensor& Tensor::lerp_(const Tensor& end, const Scalar& weight) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::lerp(mutable_self(), end, weight));
}
Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) const {
  autograd::check_inplace(mutable_self());
  // The weight's gradient reads self's old value, which the write replaces.
  return assign_inplace(mutable_self(), ember::lerp(weight.requires_grad() ? clone() : mutable_self(), end, weight));
}

// ---------------------------------------------------------------- pow

namespace {
struct PowBackward0 final : NamedNode<"PowBackward0"> {
  SavedVariable self;
  Scalar exponent;
  ScalarType dtype;
  variable_list apply(variable_list&& g) override {
    double e = exponent.toDouble();
    if (e == 0) return {zeros_like(g[0], dtype)};
    Tensor s = self.unpack();
    Tensor r = g[0].mul(s.pow(e - 1).mul(e));
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override { self.reset_data(); }
};
struct PowBackward1 final : NamedNode<"PowBackward1"> {
  SavedVariable self, exponent, result;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor s = self.unpack(), e = exponent.unpack();
    Tensor ga, gb;
    if (should_compute_output(0)) {
      // PyTorch's gradient is 0 wherever e == 0. e * s^(e-1) is already 0 there except at s = 0
      // (0 * inf) and s = NaN: mask only those points, so the second derivative in e stays right
      // at e == 0 elsewhere (PyTorch's is 0 there).
      Tensor d = where(e.eq(0.0).logical_and(s.eq(0.0).logical_or(s.isnan())), 0.0, e.mul(s.pow(e.sub(1))));
      ga = reduce_grad(g[0].mul(d), a_sizes, a_dtype);
    }
    if (should_compute_output(1)) {
      Tensor r = result.unpack(this);
      Tensor d = where(s.eq(0.0).logical_and(e.ge(0.0)), zeros_like(r), r.mul(s.log()));
      gb = reduce_grad(g[0].mul(d), b_sizes, b_dtype);
    }
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    exponent.reset_data();
    result.reset_data();
  }
};
struct PowBackward2 final : NamedNode<"PowBackward2"> {
  SavedVariable result;
  Scalar base;
  ScalarType dtype;
  variable_list apply(variable_list&& g) override {
    Tensor r = result.unpack(this);
    double b = base.toDouble();
    // 0^e: no gradient where e >= 0 (PyTorch's rule), which is where the result is 0 or 1.
    Tensor d = b == 0 ? where(r.le(1.0), zeros_like(r), r.mul(std::log(b))) : r.mul(std::log(b));
    Tensor out = g[0].mul(d);
    return {out.dtype() == dtype ? out : out.to(dtype)};
  }
  void release_variables() override { result.reset_data(); }
};

template <typename T>
T pow_value(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(x, y);
  } else if constexpr (std::is_same_v<T, bool>) {
    return x || !y;
  } else {
    if (y < 0) return x == 1 ? 1 : (x == T(-1) ? (y % 2 ? T(-1) : T(1)) : 0);
    // Squaring keeps huge exponents fast; unsigned arithmetic wraps on overflow as ATen's does, without UB.
    using U = std::make_unsigned_t<T>;
    U r = 1, b = static_cast<U>(x);
    for (U e = static_cast<U>(y); e; e >>= 1, b = static_cast<U>(b * b))
      if (e & 1) r = static_cast<U>(r * b);
    return static_cast<T>(r);
  }
}
Tensor pow_kernel(const Tensor& a, const Tensor& b) {
  ScalarType ct = result_type(a, b);
  EMBER_CHECK(ct != kBool, "\"pow\" not implemented for 'Bool'");
  return binary_kernel("pow", a, b, ct, ct, Tensor(), [](auto x, auto y) { return pow_value(x, y); });
}
// ATen raises a floating tensor to these six exponents without pow: sqrt for 0.5 and 1 / sqrt for
// -0.5 (so (-0)^0.5 is -0 and (-inf)^0.5 NaN, where std::pow gives +0 and +inf), and products for
// 2, 3, -1 and -2 (rounded as products). An undefined tensor for any other exponent or dtype.
Tensor pow_by_products(const Tensor& self, const Scalar& exponent) {
  const ScalarType ct = result_type(self, exponent);
  if (!is_floating_type(ct) || exponent.isBoolean()) return Tensor();
  const double e = exponent.toDouble();
  auto with = [&](auto f, std::optional<kernels::UnaryOp> simd = std::nullopt) {
    return unary_kernel("pow", self, ct, f, simd);
  };
  if (e == 0.5) return with([](auto v) { return std::sqrt(v); }, kernels::UnaryOp::Sqrt);
  if (e == -0.5) return with([](auto v) { return decltype(v)(1) / std::sqrt(v); });
  if (e == 2) return with([](auto v) { return v * v; });
  if (e == 3) return with([](auto v) { return v * v * v; });
  if (e == -1) return with([](auto v) { return decltype(v)(1) / v; });
  if (e == -2) return with([](auto v) { return decltype(v)(1) / (v * v); });
  return Tensor();
}
}  // namespace

Tensor pow(const Tensor& self, const Scalar& exponent) {
  // Only a Scalar exponent is refused when negative (a tensor of them gives 0, 1 or -1 per element, as ATen).
  EMBER_CHECK(!(is_integral_type(self.dtype(), true) && exponent.isIntegral(false) && exponent.toLong() < 0),
              "Integers to negative integer powers are not allowed.");
  Tensor r = pow_by_products(self, exponent);
  if (!r.defined()) r = pow_kernel(self, wrap_scalar(exponent));
  if (any_requires_grad(self)) {
    auto n = make_node<PowBackward0>(self);
    n->self = save(self);
    n->exponent = exponent;
    n->dtype = self.dtype();
    set_history(r, n);
  }
  return r;
}
Tensor pow(const Tensor& self, const Tensor& exponent) {
  Tensor r = pow_kernel(self, exponent);
  if (any_requires_grad(self, exponent)) {
    auto n = make_node<PowBackward1>(self, exponent);
    n->self = save(self);
    n->exponent = save(exponent);
    if (n->should_compute_output(1)) n->result = save_output(r);
    n->a_sizes = self.sizes();
    n->b_sizes = exponent.sizes();
    n->a_dtype = self.dtype();
    n->b_dtype = exponent.dtype();
    set_history(r, n);
  }
  return r;
}
Tensor pow(const Scalar& self, const Tensor& exponent) {
  Tensor r = pow_kernel(wrap_scalar(self), exponent);
  if (any_requires_grad(exponent)) {
    auto n = make_node<PowBackward2>(exponent);
    n->result = save_output(r);
    n->base = self;
    n->dtype = exponent.dtype();
    set_history(r, n);
  }
  return r;
}
Tensor& Tensor::pow_(const Scalar& exponent) const {
  autograd::check_inplace(mutable_self());
  return assign_inplace(mutable_self(), ember::pow(requires_grad() ? clone() : mutable_self(), exponent));
}
Tensor& Tensor::pow_(const Tensor& exponent) const {
  return assign_inplace(mutable_self(), ember::pow(input_for_inplace(*this, {exponent}), exponent));
}

}  // namespace ember
