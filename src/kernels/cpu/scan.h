// CPU kernels along one axis of a contiguous (outer, n, inner) block: cumulative product,
// running max/min with their positions, and the mode of sorted rows.
#pragma once
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

// out = running product of src along the middle axis (same dtype; products in double or int64).
void cumprod(const Tensor& src, const Tensor& out, int64_t outer, int64_t n, int64_t inner);
// values/indices = running max (is_max) or min of src along the middle axis and where it was
// last reached; a NaN wins and stays, as PyTorch's cummax/cummin.
void cum_extreme(const Tensor& src, const Tensor& values, const Tensor& indices, int64_t outer, int64_t n,
                 int64_t inner, bool is_max);
// For each of `rows` rows of n ascending values (sorted stably, with their original positions in
// `sorted_indices`): the most frequent value (the smallest when tied) and the original position
// of its last occurrence.
void mode_of_sorted_rows(const Tensor& sorted_values, const Tensor& sorted_indices, const Tensor& values,
                         const Tensor& indices, int64_t rows, int64_t n);

}  // namespace kernels
}  // namespace ember
