// Elementwise building blocks shared by the pointwise op files: broadcast binary and unary
// kernels in a compute dtype, casting rules, and the in-place write-back.
#pragma once
#include <initializer_list>

#include "ember/ops/pointwise_extra.h"
#include "kernels/cpu/elementwise.h"
#include "ops/util.h"

namespace ember {
namespace ops {

// Whether a result of dtype `from` may be written into a tensor of dtype `to` (PyTorch's canCast).
// (ember::can_cast, public in ember/ops/pointwise_extra.h.)
using ::ember::can_cast;

// f(a, b) broadcast, computed in `compute`, written as `out_dtype` (into `out` when given). `simd`
// names the SIMD kernel that computes f (a + alpha b for add and sub) for float and double.
template <typename F>
Tensor binary_kernel(const char* op, const Tensor& a, const Tensor& b, ScalarType compute, ScalarType out_dtype,
                     const Tensor& out_given, const F& f, kernels::BinaryOp simd = kernels::BinaryOp::None,
                     double alpha = 1.0) {
  DimVector shape = broadcast_shapes(a.sizes(), b.sizes());
  Tensor out = out_given;
  if (out.defined()) {
    EMBER_CHECK(out.sizes() == shape.ref(), "output with shape ", out.sizes(), " doesn't match the broadcast shape ",
                shape);
    EMBER_CHECK(can_cast(out_dtype, out.dtype()), "result type ", to_string(out_dtype),
                " can't be cast to the desired output type ", to_string(out.dtype()));
    if (out.dtype() != out_dtype) {
      Tensor tmp = binary_kernel(op, a, b, compute, out_dtype, Tensor(), f, simd, alpha);
      kernels::copy(out, tmp);
      return out;
    }
  } else {
    out = new_tensor(shape, out_dtype);
  }
  // A wrapped number (a C++ number as a 0-d tensor) beside a tensor of the compute dtype and the
  // result's size: the SIMD kernel takes the number itself, with no cast of it and no broadcast views.
  if (simd != kernels::BinaryOp::None && out_dtype == compute) {
    const bool a_number = a.unsafeGetTensorImpl()->is_wrapped_number();
    const bool b_number = b.unsafeGetTensorImpl()->is_wrapped_number();
    if (a_number != b_number) {
      const Tensor& t = a_number ? b : a;
      if (t.dtype() == compute && t.numel() == out.numel() && kernels::binary_scalar_accepts(simd, t) &&
          kernels::binary_scalar(simd, out, t, (a_number ? a : b).item(), alpha, a_number))
        return out;
    }
  }
  // Operands already in the compute dtype and the result's shape are read as they are (no handle
  // copies: a scalar op's cost is counted in such steps).
  Tensor a_conformed, b_conformed;
  const Tensor& ac = conform(a, compute, shape, a_conformed);
  const Tensor& bc = conform(b, compute, shape, b_conformed);
  if (out_dtype == compute && kernels::binary(simd, out, ac, bc, alpha)) return out;
  visit_dtype(compute, op, [&](auto tag) {
    using T = decltype(tag);
    if (out_dtype == kBool && compute != kBool)
      kernels::pointwise<bool, T, T>(out, [&](T x, T y) { return static_cast<bool>(f(x, y)); }, ac, bc);
    else
      kernels::pointwise<T, T, T>(out, [&](T x, T y) { return static_cast<T>(f(x, y)); }, ac, bc);
  });
  return out;
}

// f(x) computed and written in `dtype`; `simd`, when given, is the SIMD kernel computing f.
template <typename F>
Tensor unary_kernel(const char* op, const Tensor& x, ScalarType dtype, const F& f,
                    std::optional<kernels::UnaryOp> simd = std::nullopt) {
  Tensor out = new_tensor(x.sizes(), dtype);
  Tensor xc = cast(x, dtype);
  if (simd && kernels::unary(*simd, out, xc)) return out;
  visit_dtype(dtype, op, [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<T, T>(out, [&](T v) { return static_cast<T>(f(v)); }, xc);
  });
  return out;
}

inline ScalarType float_of(const Tensor& x) { return is_floating_type(x.dtype()) ? x.dtype() : get_default_dtype(); }

// The tensor an in-place op computes from: a copy of self when autograd records the op (self or
// one of `others` requires grad), since the op's backward may need self's old value, which the
// write-back overwrites (a.atan2_(b) with only b requiring grad still needs a for b's gradient).
inline Tensor input_for_inplace(const Tensor& self, std::initializer_list<Tensor> others = {}) {
  autograd::check_inplace(self);
  if (!GradMode::is_enabled()) return self;
  autograd::check_no_grad_view_inplace(self, others);
  bool records = self.requires_grad();
  for (const Tensor& o : others) records = records || (o.defined() && o.requires_grad());
  return records ? self.clone() : self;
}

inline void resave_result(Node* node, const Tensor& self);

// Copies r into self for an in-place op and makes `node` self's history.
inline Tensor& assign_inplace(Tensor& self, const Tensor& r, const intrusive_ptr<Node>& node) {
  EMBER_CHECK(r.sizes() == self.sizes(), "output with shape ", self.sizes(), " doesn't match the broadcast shape ",
              r.sizes());
  EMBER_CHECK(can_cast(r.dtype(), self.dtype()), "result type ", to_string(r.dtype()),
              " can't be cast to the desired output type ", to_string(self.dtype()));
  autograd::check_rebase(self, node.get());
  kernels::copy(self, r);
  autograd::rebase_history(self, node);
  return self;
}
// Copies r into self for an in-place op and makes r's backward self's history.
inline Tensor& assign_inplace(Tensor& self, const Tensor& r) {
  intrusive_ptr<Node> node = r.grad_fn();
  assign_inplace(self, r, node);
  if (node) resave_result(node.get(), self);
  return self;
}

// op(y, g) by the SIMD backward kernel (kernels::UnaryOp's backward forms), when no graph is
// recorded and the kernel takes the operands; undefined otherwise (the caller composes the formula).
inline Tensor fused_backward(kernels::UnaryOp op, const Tensor& g, const Tensor& y) {
  if (any_requires_grad(g, y) || !kernels::unary_backward_accepts(y, g)) return Tensor();
  Tensor out = new_tensor(y.sizes(), y.dtype());
  EMBER_CHECK(kernels::unary_backward(op, out, y, g), "unary_backward refused what it accepted");
  return out;
}

// ---- the backward node of unary pointwise ops

using UnaryFormula = Tensor (*)(const Tensor& grad, const Tensor& self, const Tensor& result);

// One node type serves every unary op: its name and gradient formula come from the op's UnaryDef.
struct UnaryBackward final : Node {
  const char* name_;
  UnaryFormula formula;
  SavedVariable self, result;
  ScalarType dtype;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor r = formula(g[0], self.unpack(), result.unpack(this));
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
};

// A unary op's row: PyTorch's backward name, the gradient formula, and what the node saves.
struct UnaryDef {
  const char* backward_name;
  UnaryFormula formula;
  bool saves_self;
  bool saves_result;
};

// A result the in-place op's backward saved is self from now on (PyTorch saves self itself), so a
// later in-place op on self, its base or another view of it is the version-counter error at
// backward, and the out-of-place result is not kept alive.
inline void resave_result(Node* node, const Tensor& self) {
  auto* u = dynamic_cast<UnaryBackward*>(node);
  if (u && u->result.defined()) u->result = save_output(self);
}

inline void record_unary(const Tensor& r, const Tensor& x, const UnaryDef& def) {
  auto n = make_node<UnaryBackward>(x);
  n->name_ = def.backward_name;
  n->formula = def.formula;
  n->dtype = x.dtype();
  if (def.saves_self) n->self = save(x);
  if (def.saves_result) n->result = save_output(r);
  set_history(r, n);
}

}  // namespace ops
}  // namespace ember
