// CPU kernels: the defined element conversion, copy with dtype conversion, fill, GEMM, random fills.
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ember/core/generator.h"
#include "ember/core/scalar.h"
#include "ember/core/tensor.h"
#include "kernels/cpu/sgemm.h"

namespace ember {
namespace kernels {

// static_cast<Out>(v), defined for every value: a floating value becomes an integer through int64
// (so -2.0 into uint8 wraps to 254, as ATen gives on x86), and one outside int64 (or NaN) gives
// int64's minimum first, as x86's conversion does, instead of undefined behaviour.
template <typename Out, typename In>
inline Out convert(In v) {
  if constexpr (std::is_floating_point_v<In> && std::is_integral_v<Out> && !std::is_same_v<Out, bool>) {
    const int64_t i = v >= -0x1p63 && v < 0x1p63 ? static_cast<int64_t>(v) : std::numeric_limits<int64_t>::min();
    return static_cast<Out>(i);
  } else {
    return static_cast<Out>(v);
  }
}

// dst = src converted to dst's dtype; src has dst's shape (broadcast views allowed).
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, const Scalar& value);

// Row-major C = alpha * op(A) * op(B) + beta * C, op = transpose when the flag is set.
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// The longest inner dimension for which gemm<float> (ember's SGEMM, kc = kSgemmKc) and gemm<double>
// (OpenBLAS's DGEMM, whose k blocking is 256 on the machines measured) sum each element of op(A) op(B)
// completely before adding it into beta * C: with alpha = beta = 1 the result then rounds exactly
// as C + op(A) op(B) computed apart. A longer product is added into C block by block and rounds
// differently. The in-place gradient accumulation (ops/linalg.cpp) relies on this bound to give
// AccumulateGrad's result to the bit; the threads of gemm split m or n, never k.
constexpr int64_t kGemmSingleSumMaxK = 128;
static_assert(kGemmSingleSumMaxK <= kSgemmKc, "the SGEMM's kc must cover kGemmSingleSumMaxK (see above)");

void uniform(const Tensor& dst, double from, double to, Generator& gen);
void normal(const Tensor& dst, double mean, double std, Generator& gen);

}  // namespace kernels
}  // namespace ember
