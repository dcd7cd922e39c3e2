// The backward of ops whose result carries no gradient to their inputs (random draws,
// comparisons): each input gets zeros of its shape, as PyTorch's derivatives.yaml says.
#pragma once
#include <utility>
#include <vector>

#include "ops/util.h"

namespace ember {
namespace ops {

struct ZeroGradBackward final : Node {
  const char* name_ = "";
  std::vector<std::pair<DimVector, ScalarType>> inputs;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&&) override {
    variable_list r;
    for (const auto& [sizes, dtype] : inputs) r.push_back(zeros(sizes, TensorOptions(dtype)));
    return r;
  }
};

// A ZeroGradBackward named `name` over `inputs`.
template <typename... Ts>
intrusive_ptr<ZeroGradBackward> zero_grad_backward(const char* name, const Ts&... inputs) {
  auto n = make_node<ZeroGradBackward>(inputs...);
  n->name_ = name;
  (n->inputs.emplace_back(DimVector(inputs.sizes()), inputs.dtype()), ...);
  return n;
}

// The node of an in-place op on `self` (with `others` as further inputs), or none when no input
// requires grad (or grad mode is off). The op makes it before it writes or draws anything, so that
// self's edge is its history before the write, and a refused op (autograd::check_rebase: self is
// a view made under no_grad) has changed nothing, the generator included.
template <typename... Ts>
intrusive_ptr<Node> zero_grad_node(const char* name, const Tensor& self, const Ts&... others) {
  if (!any_requires_grad(self, others...)) return {};
  auto n = zero_grad_backward(name, self, others...);
  autograd::check_rebase(self, n.get());
  return n;
}

// `out`, computed from `inputs` under no_grad, as the result of a `name` node that gives every
// input a zero gradient (when one of them requires grad).
template <typename... Ts>
Tensor with_zero_grad(Tensor out, const char* name, const Ts&... inputs) {
  if (any_requires_grad(inputs...)) set_history(out, zero_grad_backward(name, inputs...));
  return out;
}

}  // namespace ops
}  // namespace ember
