// Losses as tensor ops (the nn layer wraps them in modules): mse_loss, binary_cross_entropy.
#pragma once
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember {

// PyTorch's reduction enum (at::Reduction).
namespace Reduction {
enum Reduction : int64_t { None = 0, Mean = 1, Sum = 2 };
}

// LibTorch spells the reductions torch::kNone, torch::kMean, torch::kSum.
constexpr Reduction::Reduction kNone = Reduction::None;
constexpr Reduction::Reduction kMean = Reduction::Mean;
constexpr Reduction::Reduction kSum = Reduction::Sum;

Tensor mse_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean);
// -w (t log x + (1 - t) log(1 - x)), logs clamped at -100 as PyTorch does; x must lie in [0, 1].
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            int64_t reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean);
// 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - target).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean,
                      double beta = 1.0);
// 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere.
Tensor huber_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean, double delta = 1.0);
// Negative log likelihood of log-probabilities `input` (C), (N, C) or (N, C, d1, ...) at class
// indices `target`; entries equal to ignore_index count neither in the loss nor in the mean.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
// nll_loss(log_softmax(input, 1)) for class-index targets, or -sum(target * log_softmax) for
// probability targets of input's shape; label_smoothing mixes in the uniform distribution.
Tensor cross_entropy_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                          int64_t reduction = Reduction::Mean, int64_t ignore_index = -100,
                          double label_smoothing = 0.0);

}  // namespace ember
