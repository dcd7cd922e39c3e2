// The backward engine: torch::autograd::backward and torch::autograd::grad.
#pragma once
#include <functional>
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

// Runs hook(leaf) each time a backward pass has accumulated into the leaf's .grad (PyTorch's
// Tensor.register_post_accumulate_grad_hook): the hook sees the finished .grad, which a hook
// registered with register_hook (it runs before accumulation) cannot. Returns a handle for
// remove_post_accumulate_grad_hook.
unsigned register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook);
void remove_post_accumulate_grad_hook(const Tensor& leaf, unsigned handle);

// Called during a backward pass (from a hook): runs `callback` once that pass has finished every
// node, before backward() returns (PyTorch's Engine::queue_callback). Callbacks run in the order
// queued, and may queue more. They do not run when the pass throws.
void queue_callback(std::function<void()> callback);

}  // namespace autograd
}  // namespace ember
