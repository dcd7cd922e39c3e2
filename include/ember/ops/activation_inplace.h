// ATen's in-place activation functions (torch::relu_(x), torch::elu_(x), ...): each writes its
// activation into x and returns x, with the history of the out-of-place op.
#pragma once
#include <string>

#include "ember/core/tensor.h"

namespace ember {

Tensor& relu_(Tensor& self);
Tensor& relu6_(Tensor& self);
Tensor& elu_(Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1, const Scalar& input_scale = 1);
Tensor& celu_(Tensor& self, const Scalar& alpha = 1.0);
Tensor& selu_(Tensor& self);
Tensor& silu_(Tensor& self);
Tensor& gelu_(Tensor& self, const std::string& approximate = "none");
Tensor& mish_(Tensor& self);
Tensor& hardsigmoid_(Tensor& self);
Tensor& hardswish_(Tensor& self);
Tensor& hardtanh_(Tensor& self, const Scalar& min_val = -1, const Scalar& max_val = 1);
Tensor& leaky_relu_(Tensor& self, const Scalar& negative_slope = 0.01);
Tensor& threshold_(Tensor& self, const Scalar& threshold, const Scalar& value);

}  // namespace ember
