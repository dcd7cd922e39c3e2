// Normalization: batch_norm (running statistics updated in place), layer_norm and group_norm, each
// a fused forward kernel with PyTorch's backward node (NativeBatchNormBackward0, ...).
#pragma once
#include "ember/core/tensor.h"

namespace ember {

// input (N, C, *): normalises each channel over N and *. Training uses the batch statistics and,
// where running_mean / running_var are given, updates them in place as
// running = (1 - momentum) * running + momentum * batch (the unbiased variance for running_var).
// Evaluation normalises with the running statistics. cudnn_enabled is accepted and ignored.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps, bool cudnn_enabled = false);

// Normalises over the trailing dims given by normalized_shape; weight / bias have that shape.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, bool cudnn_enable = true);

// input (N, C, *): normalises each of num_groups groups of C / num_groups channels; weight / bias (C).
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5, bool cudnn_enabled = true);

}  // namespace ember
