// More losses under their ATen names, composed of public differentiable ops: soft margin, hinge
// embedding, multi-class and multi-label margin, Poisson NLL, triplet margin; pairwise_distance.
#pragma once
#include <cstdint>

#include "ember/core/tensor.h"
#include "ember/ops/loss.h"

namespace ember {

// |x1 - x2 + eps|_p over the last dim (inputs broadcast).
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6, bool keepdim = false);
// log(1 + exp(-target input)).
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean);
// input where target is 1, max(0, margin - input) where target is -1 (both where it is neither).
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            int64_t reduction = Reduction::Mean);
// Per sample: sum over classes j != y of w[y] max(0, margin - x[y] + x[j])^p / C; p is 1 or 2.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const Scalar& p = 1, const Scalar& margin = 1,
                         const Tensor& weight = {}, int64_t reduction = Reduction::Mean);
// Per sample: sum over the target classes j (target's entries up to the first -1) and the other
// classes k of max(0, 1 - (x[j] - x[k])) / C.
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean);
// exp(input) - target input (log_input), or input - target log(input + eps); full adds Stirling's
// approximation of log(target!) where target > 1.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input = true, bool full = false,
                        double eps = 1e-8, int64_t reduction = Reduction::Mean);
// max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise p-distance; swap uses
// min(d(a, n), d(p, n)) for the negative distance.
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin = 1.0,
                           double p = 2, double eps = 1e-6, bool swap = false, int64_t reduction = Reduction::Mean);

// Connectionist temporal classification: -log of the probability, summed over every alignment, of
// each target given log_probs (T, N, C) or unbatched (T, C). targets are padded (N, S) or
// concatenated 1-D; lengths per sample. Mean reduction divides each loss by its target length
// first. An impossible target gives inf (0, with a zero gradient, under zero_infinity).
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, IntArrayRef input_lengths, IntArrayRef target_lengths,
                int64_t blank = 0, int64_t reduction = Reduction::Mean, bool zero_infinity = false);
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank = 0, int64_t reduction = Reduction::Mean,
                bool zero_infinity = false);

}  // namespace ember
