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

// The node for `ins`, or none when no input requires grad (or grad mode is off). An in-place op
// makes it before it writes, so that self's edge is its history before the write.
template <typename... Ts>
intrusive_ptr<Node> zero_grad_node(const char* name, const Ts&... ins) {
  if (!any_requires_grad(ins...)) return {};
  auto n = make_node<ZeroGradBackward>(ins...);
  n->name_ = name;
  (n->inputs.emplace_back(DimVector(ins.sizes()), ins.dtype()), ...);
  return n;
}

}  // namespace ops
}  // namespace ember
