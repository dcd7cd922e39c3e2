// For backward nodes that can add a gradient straight into a leaf's existing .grad (a GEMM with
// beta = 1) instead of returning a new tensor that AccumulateGrad then adds: one read-modify-write
// pass over the gradient instead of a write, two reads and a write.
#pragma once
#include <mutex>

#include "ember/autograd/node.h"

namespace ember {
namespace autograd {

// The node t() records (ops/shape.cpp): the gradient transposed back. A class of its own so that
// inplace_grad_target recognises it by type, not by name.
struct TBackward0 final : Node {
  std::string name() const override { return "TBackward0"; }
  variable_list apply(variable_list&& g) override { return {g[0].t()}; }
};

// Where output `output` of `node` (running in the current backward pass) may be accumulated in
// place. `grad` is the leaf's .grad; `transposed` says the node's output is grad.t() (it reaches the
// leaf through one t() view, as a Linear weight does). Undefined `grad` when the normal path must
// run. It is defined only when the result cannot differ from AccumulateGrad's `grad += g`:
// a backward() pass that accumulates into every leaf (not grad(), no `inputs`), without
// create_graph or anomaly mode; this node is the only producer for the leaf (and the t() node)
// in this pass; no hooks on the way (tensor hooks, pre-hooks, retained grads, post-accumulate
// hooks); and the .grad is defined, contiguous, detached, of the leaf's shape and of `dtype`.
// A node that uses it writes the sum into `grad`, calls bump_version on it, and returns an
// undefined gradient for that output (the nodes after it are then skipped).
// `lock` holds the leaf's AccumulateGrad while the node writes into `grad`, so a pass on another
// thread accumulating into the same leaf waits.
struct InplaceGrad {
  Tensor grad;
  bool transposed = false;
  std::unique_lock<NodeMutex> lock;
};
InplaceGrad inplace_grad_target(const Node& node, size_t output, ScalarType dtype);

}  // namespace autograd
}  // namespace ember
