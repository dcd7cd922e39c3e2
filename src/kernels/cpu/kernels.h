// Non-template CPU kernels: copy with dtype conversion, fill, GEMM, random fills.
#pragma once
#include <cstdint>

#include "ember/core/generator.h"
#include "ember/core/scalar.h"
#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

// dst = src converted to dst's dtype; src has dst's shape (broadcast views allowed).
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, const Scalar& value);

// Row-major C = alpha * op(A) * op(B) + beta * C, op = transpose when the flag is set.
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

void uniform(const Tensor& dst, double from, double to, Generator& gen);
void normal(const Tensor& dst, double mean, double std, Generator& gen);

}  // namespace kernels
}  // namespace ember
