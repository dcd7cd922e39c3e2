// Lookup-table ops: embedding (rows of a weight matrix picked by index), embedding_renorm_, one_hot.
#pragma once
#include "ember/core/tensor.h"

namespace ember {

// weight (num_embeddings, dim), indices of any shape (int64 or int32) -> indices.shape + (dim).
// Rows picked by padding_idx get no gradient; scale_grad_by_freq divides each row's gradient by
// how often its index occurs in `indices`. ember has no sparse tensors: sparse must be false.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1, bool scale_grad_by_freq = false,
                 bool sparse = false);
// Rescales (in place, without history) each row of self named in indices whose norm_type-norm
// exceeds max_norm to norm max_norm (times 1 / (1 + 1e-7 / norm), as PyTorch).
Tensor& embedding_renorm_(Tensor& self, const Tensor& indices, double max_norm, double norm_type);
// int64 class indices -> int64 one-hot vectors of num_classes (-1: max index + 1) in a new last dim.
Tensor one_hot(const Tensor& self, int64_t num_classes = -1);

}  // namespace ember
