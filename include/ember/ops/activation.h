// Activations with parameters (leaky_relu, elu, gelu, silu) and softmax / log-softmax (fused,
// numerically stable). relu, sigmoid and tanh are pointwise ops.
#pragma once
#include <optional>
#include <string>

#include "ember/core/tensor.h"

namespace ember {

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor leaky_relu(const Tensor& x, const Scalar& negative_slope = 0.01);
Tensor elu(const Tensor& x, const Scalar& alpha = 1.0);
// approximate: "none" (the erf form) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor silu(const Tensor& x);
// x * mask / (1 - p) with mask ~ Bernoulli(1 - p) when train; x itself otherwise.
Tensor dropout(const Tensor& x, double p, bool train);
// Channel-wise dropout of x (N, C, *): whole channels zeroed with probability p, the rest scaled by
// 1 / (1 - p); needs at least 2 dims. The _ form writes into x.
Tensor feature_dropout(const Tensor& x, double p, bool train);
Tensor& feature_dropout_(Tensor& x, double p, bool train);

}  // namespace ember
