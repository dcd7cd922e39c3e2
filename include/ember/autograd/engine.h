// The backward engine: torch::autograd::backward and torch::autograd::grad.
#pragma once
#include <optional>

#include "ember/autograd/node.h"

namespace ember {
namespace autograd {

// Accumulates d(sum of tensors * grad_tensors)/d(leaf) into each leaf's .grad
// (or only into `inputs` when given).
void backward(const variable_list& tensors, const variable_list& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const variable_list& inputs = {});

// Returns the gradients of outputs w.r.t. inputs without touching any .grad.
variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                   bool create_graph = false, bool allow_unused = false);

}  // namespace autograd
}  // namespace ember
