// The first-order gradient of an activation as an op of its own (PyTorch's leaky_relu_backward,
// hardtanh_backward, elu_backward, softplus_backward), so that create_graph differentiates it
// with PyTorch's double-backward formulas rather than through the masks of its composition.
#pragma once
#include <array>

#include "ops/util.h"

namespace ember {
namespace ops {

using ActParams = std::array<double, 3>;
// grad_input from grad_output and self: linear in the gradient.
using ActGrad = Tensor (*)(const Tensor& grad, const Tensor& self, const ActParams& p);
// The gradient with respect to self of sum(gg * ActGrad(grad, self)); null where the gradient is
// piecewise constant in self (its derivative is 0, as PyTorch's zeros_like(grad)).
using ActGradSelf = Tensor (*)(const Tensor& gg, const Tensor& grad, const Tensor& self, const ActParams& p);

// f(grad, self, p). With no graph to record (plain backward) this is f itself; with create_graph
// the result gets a node named `name` whose gradients are f(gg, self, p) for grad and df (or
// zeros) for self.
Tensor activation_grad(const char* name, ActGrad f, ActGradSelf df, const Tensor& grad, const Tensor& self,
                       const ActParams& p);

// ATen's elu_backward (is_result = false), p = {alpha, scale, input_scale}: the negative branch
// where self <= 0, so a NaN input takes the positive one (scalar kernel); and PyTorch's
// elu_double_backward, its derivative in self: 0 where self >= 0.
Tensor elu_grad(const Tensor& grad, const Tensor& self, const ActParams& p);
Tensor elu_grad_self(const Tensor& gg, const Tensor& grad, const Tensor& self, const ActParams& p);

}  // namespace ops
}  // namespace ember
