// ember's own single-precision GEMM (Highway, AVX-512 / AVX2 / SSE4 / portable, chosen at run time).
// Private to the library and its tests; kernels::gemm<float> calls it.
#pragma once

#include <cstdint>

namespace ember {
namespace kernels {

// Row-major C = alpha * op(A) * op(B) + beta * C on the calling thread. m, n >= 0, k >= 0; where
// beta is 0, C is overwritten (NaN in C does not propagate); where alpha is 0, A and B are not read.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The default blocking of the inner dimension (kc): a product with k <= kSgemmKc sums each element
// of op(A) op(B) completely in registers before it reads C, and rounds the sum into C once.
// kernels.h's kGemmSingleSumMaxK depends on it (and asserts so).
constexpr int64_t kSgemmKc = 512;

// Register and cache blocking of the target in use: an mr x nr micro-tile of C, blocks of
// mc rows of A by kc of the inner dimension, panels of nc columns of B.
struct SgemmBlocking {
  int64_t mr, nr, mc, kc, nc;
};
SgemmBlocking sgemm_blocking();
// Tests: mc and nc as counts of micro-tiles and kc as a length (0 restores the defaults), so small
// products cross every block boundary.
void sgemm_set_blocking_for_test(int64_t mc_tiles, int64_t kc, int64_t nc_tiles);
int64_t sgemm_target_in_use();

}  // namespace kernels
}  // namespace ember
