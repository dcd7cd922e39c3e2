// Normalisation kernels (Google Highway, chosen at run time): layer norm's forward over contiguous
// rows, for float and double. Autograd-free: raw pointers and sizes.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// For each of `rows` contiguous rows of n elements of x: mean[r] and rstd[r] = 1 / sqrt(biased
// variance + eps), both accumulated in double over two passes (the sum, then the squared
// deviations from the mean) and rounded once to T; then y = (x * s + t) * w + b with s = rstd[r]
// and t = -rstd[r] * mean[r] rounded in T, and w, b (n values each) left out where null. Rows run
// in parallel; y may not overlap x.
template <typename T>
void layer_norm_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t n,
                     double eps);

}  // namespace kernels
}  // namespace ember
