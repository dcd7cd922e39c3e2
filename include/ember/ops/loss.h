// Losses as tensor ops (the nn layer wraps them in modules): mse_loss, binary_cross_entropy, nll,
// cross entropy, the robust regression losses, BCE with logits, KL divergence and the margin losses.
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

// torch::kBatchMean, KLDivLoss's extra reduction: the summed loss divided by the batch size.
namespace enumtype {
struct kBatchMean {};
}  // namespace enumtype
constexpr enumtype::kBatchMean kBatchMean{};

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

// Sigmoid and binary cross entropy in one numerically stable pass (no overflow for large |input|):
// (1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x)), times weight. target must have input's
// shape; weight and pos_weight broadcast to it.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, int64_t reduction = Reduction::Mean);
// Pointwise KL divergence target (log target - input) of log-probabilities `input`; with log_target
// the target is given as log-probabilities too. Reductions None/Mean/Sum (batchmean is the
// functional's: Sum divided by input.size(0)).
Tensor kl_div(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean, bool log_target = false);
// max(0, -target (input1 - input2) + margin).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                           int64_t reduction = Reduction::Mean);
// 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1 (0 elsewhere);
// rows of (N, D) inputs with a (N) target, or (D) inputs with a 0-dim target.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                             int64_t reduction = Reduction::Mean);

}  // namespace ember
