// Helpers of the LAPACK-backed linear-algebra files: argument checks with PyTorch's messages,
// column-major copies of batched matrices, and the float/double dispatch.
#pragma once
#include <string>

#include "ember/ops/linalg.h"
#include "ember/ops/linalg_extra.h"
#include "kernels/cpu/lapack.h"
#include "ops/util.h"

namespace ember {
namespace linalg_detail {

// The product of two 1-D tensors of one dtype and length (checked by the caller), with history named
// DotBackward0, or VdotBackward0 for vdot.
Tensor dot_product(const Tensor& a, const Tensor& b, bool vdot);

inline void check_floating(const Tensor& A, const char* op) {
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, op,
              ": Expected a floating point or complex tensor as input. Got ", to_string(A.dtype()));
}
inline void check_matrix(const Tensor& A, const char* op) {
  EMBER_CHECK(A.dim() >= 2, op, ": The input tensor A must have at least 2 dimensions.");
}
inline void check_square(const Tensor& A, const char* op) {
  check_matrix(A, op);
  EMBER_CHECK(A.size(-1) == A.size(-2), op, ": A must be batches of square matrices, but they are ", A.size(-2), " by ",
              A.size(-1), " matrices");
}
inline DimVector batch_of(const Tensor& A) { return DimVector(IntArrayRef(A.sizes().data(), A.dim() - 2)); }
inline DimVector with_tail(DimVector v, std::initializer_list<int64_t> tail) {
  for (int64_t t : tail) v.push_back(t);
  return v;
}
// "(Batch element i): " for batched inputs, as PyTorch prefixes its LAPACK errors.
inline std::string batch_prefix(const Tensor& A, int64_t i) {
  return A.dim() > 2 ? "(Batch element " + std::to_string(i) + "): " : "";
}
// A contiguous copy of the last two dims transposed: the column-major layout of A's matrices
// (and, applied to such a buffer, the row-major result). No history.
inline Tensor transposed_copy(const Tensor& A) {
  Tensor t = A.detach().transpose(-2, -1);
  Tensor out = new_tensor(t.sizes(), A.dtype());
  kernels::copy(out, t);
  return out;
}
// A contiguous copy (never A's own storage), no history.
inline Tensor fresh_copy(const Tensor& A) {
  Tensor out = new_tensor(A.sizes(), A.dtype());
  kernels::copy(out, A.detach());
  return out;
}
template <typename F>
void visit_floating(ScalarType t, F&& f) {
  if (t == kFloat) f(float{});
  else f(double{});
}
// Batched identity (..., n, n).
inline Tensor batch_eye(IntArrayRef batch, int64_t n, ScalarType dtype) {
  return eye(n, TensorOptions(dtype)).expand(with_tail(DimVector(batch), {n, n}));
}
// diag_embed of the last dim, written with differentiable ops.
inline Tensor diag_embed_last(const Tensor& v) {
  const int64_t n = v.size(-1);
  return v.unsqueeze(-1) * eye(n, TensorOptions(v.dtype()));
}

}  // namespace linalg_detail
}  // namespace ember
