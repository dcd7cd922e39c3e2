// More activations under their ATen names (softplus, hardtanh, relu6, mish, selu, celu, glu, prelu,
// log_sigmoid, threshold, softsign, tanhshrink, softshrink, hardshrink, hardswish, hardsigmoid,
// rrelu) and alpha dropout, each composed of public differentiable ops.
#pragma once
#include "ember/core/tensor.h"

namespace ember {

// x where beta x > threshold, log(1 + exp(beta x)) / beta elsewhere.
Tensor softplus(const Tensor& x, const Scalar& beta = 1, const Scalar& threshold = 20);
// x clamped to [min_val, max_val]; the gradient passes only strictly inside.
Tensor hardtanh(const Tensor& x, const Scalar& min_val = -1, const Scalar& max_val = 1);
Tensor relu6(const Tensor& x);
// x tanh(softplus(x)).
Tensor mish(const Tensor& x);
// scale elu(x, alpha) with SELU's fixed alpha and scale.
Tensor selu(const Tensor& x);
// max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
Tensor celu(const Tensor& x, const Scalar& alpha = 1.0);
// a sigmoid(b), a and b the two halves of x along dim.
Tensor glu(const Tensor& x, int64_t dim = -1);
// x where x > 0, weight x elsewhere; weight has one value or one per channel (dim 1).
Tensor prelu(const Tensor& x, const Tensor& weight);
// log(sigmoid(x)), stable for large |x|.
Tensor log_sigmoid(const Tensor& x);
// x where x > threshold, value elsewhere.
Tensor threshold(const Tensor& x, const Scalar& threshold, const Scalar& value);
Tensor softsign(const Tensor& x);
Tensor tanhshrink(const Tensor& x);
// x - lambd where x > lambd, x + lambd where x < -lambd, 0 between.
Tensor softshrink(const Tensor& x, const Scalar& lambd = 0.5);
// 0 where -lambd <= x <= lambd, x elsewhere.
Tensor hardshrink(const Tensor& x, const Scalar& lambd = 0.5);
// x relu6(x + 3) / 6 and relu6(x + 3) / 6.
Tensor hardswish(const Tensor& x);
Tensor hardsigmoid(const Tensor& x);
// Leaky ReLU whose negative slope is drawn from U(lower, upper) per element while training and is
// (lower + upper) / 2 otherwise.
Tensor rrelu(const Tensor& x, const Scalar& lower = 1.0 / 8.0, const Scalar& upper = 1.0 / 3.0,
             bool training = false);
// SELU-preserving dropout: dropped elements take SELU's negative saturation value and the result
// is rescaled so that mean and variance are kept. The feature form drops whole channels.
Tensor alpha_dropout(const Tensor& x, double p, bool train);
Tensor feature_alpha_dropout(const Tensor& x, double p, bool train);

}  // namespace ember
