// SIMD reductions (Google Highway, chosen at run time) for float and double: sum, product, max and
// min over one run of dims of a contiguous tensor, seen as [outer, n, inner] and reduced along n.
//
// Sums are cascaded, as PyTorch's CPU sum is: partial sums in the input's precision, each added
// into a vector accumulator for at most 16 terms before that is folded into the next level, so
// the rounding error grows with about 16 * (levels) + log2(lanes) terms instead of n; inputs over
// kReduceChunk elements are split into fixed chunks (summed in parallel, then combined pairwise),
// so a result does not depend on the thread count. Max and min propagate NaN.
// Autograd-free: raw pointers and sizes.
#pragma once
#include <cstdint>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

enum class ReduceOp : int { Sum, Prod, Max, Min };

constexpr int64_t kReduceChunk = 1 << 16;

// out[o * inner + i] = op over r < n of x[(o * n + r) * inner + i], on the calling thread.
// n >= 1 for max and min; n == 0 gives 0 (sum) or 1 (prod).
template <typename T>
void reduce_contiguous(ReduceOp op, const T* x, T* out, int64_t outer, int64_t n, int64_t inner);

// Tensor entry point: true when handled (in float or double and contiguous, out contiguous of in's
// dtype holding the kept elements, the reduced dims, size-1 dims aside, one consecutive run,
// in not empty), false to leave it to the generic strided loop. `reduced` has one flag per dim of in.
bool reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduced);
// Whether reduce() takes `in` (with a contiguous output of in's dtype and shape), asked before the
// output is allocated.
bool reduce_accepts(const Tensor& in, const std::vector<bool>& reduced);

}  // namespace kernels
}  // namespace ember
