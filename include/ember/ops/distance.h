// Similarity between vectors: cosine_similarity.
#pragma once
#include "ember/core/tensor.h"

namespace ember {

// <x1, x2> / (max(|x1|, eps) max(|x2|, eps)) along `dim`, inputs broadcast; PyTorch 1.13's
// formula: each input divided by its clamped norm, then the products summed.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);

}  // namespace ember
