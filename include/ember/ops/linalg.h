// Linear algebra: mm, bmm, matmul (all rank combinations, batch broadcasting), addmm, dot, outer (ger), mv.
#pragma once
#include "ember/core/tensor.h"

namespace ember {

Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
// LibTorch's older name for outer.
inline Tensor ger(const Tensor& a, const Tensor& b) { return outer(a, b); }
Tensor mv(const Tensor& a, const Tensor& v);

}  // namespace ember
