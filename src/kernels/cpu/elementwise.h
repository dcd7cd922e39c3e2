// SIMD elementwise kernels (Google Highway, chosen at run time among SSE4/AVX2/AVX-512 or NEON):
// unary math, the four arithmetic ops and the last-dim softmax family, for float and double.
// Autograd-free: raw pointers and sizes. Lanes outside the domain where the vector math is
// accurate (NaN, inf, overflow, denormal results) are recomputed with the scalar reference
// below, so results agree with it to a few ULP everywhere (bounds in tests/ops/test_simd_kernels.cpp).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

enum class UnaryOp : int {
  Exp,
  Log,
  Tanh,
  Sigmoid,
  Relu,
  GeluErf,   // 0.5 x (1 + erf(x / sqrt 2)); SIMD for float only
  GeluTanh,  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  Silu,
  Sqrt,
  Neg,
  Abs,
  SigmoidBackward,  // grad * y * (1 - y), y the sigmoid's result
  TanhBackward,     // grad * (1 - y * y), y the tanh's result
  ReluBackward,     // y > 0 ? grad : 0, y the relu's result
  GeluErfBackward,  // grad * (Phi(x) + x phi(x)), y the gelu's input x; SIMD for float only
  kCount
};
enum class BinaryOp : int { None, Add, Sub, Mul, Div };

// The scalar reference of each unary op, the same formulas as the op files compute (GELU and SiLU
// in double, as PyTorch's scalar path does); SIMD lanes outside their safe domain use it.
template <typename T>
T unary_reference(UnaryOp op, T v);
// Backward forms take (y, grad).
template <typename T>
T unary_backward_reference(UnaryOp op, T y, T grad);

// y[i] = op(x[i]) over n contiguous elements, on the calling thread. x may equal y.
template <typename T>
void unary_contiguous(UnaryOp op, const T* x, T* y, int64_t n);
// out[i] = op(y[i], grad[i]) for the backward ops.
template <typename T>
void unary_backward_contiguous(UnaryOp op, const T* y, const T* grad, T* out, int64_t n);
// out[i] = a[i * a_step] op (alpha * b[i * b_step]), a step 0 for a broadcast single value;
// alpha applies to add and sub only.
template <typename T>
void binary_contiguous(BinaryOp op, const T* a, int64_t a_step, const T* b, int64_t b_step, T* out, int64_t n,
                       T alpha);
// Softmax or log-softmax of each of `rows` contiguous rows of length n.
template <typename T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t n, bool log);

// Tensor entry points for the ops: true when handled (float or double, `out` contiguous, inputs
// contiguous or broadcast single values, all of one dtype), false to leave it to the generic
// strided loop. Parallel over chunks of kernels::kGrain elements (kGrainCheap for the cheap ops).
bool unary(UnaryOp op, const Tensor& out, const Tensor& in);
bool unary_backward(UnaryOp op, const Tensor& out, const Tensor& y, const Tensor& grad);
// Whether unary_backward takes y and grad, with an output made contiguous in y's dtype and shape:
// asked before that output is allocated.
bool unary_backward_accepts(const Tensor& y, const Tensor& grad);
bool binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0);
// The same with b a C++ number, cast to out's dtype as a wrapped-number tensor of it would be (a
// contiguous, of out's dtype and size); with number_first, out = b op (alpha * a).
bool binary_scalar(BinaryOp op, const Tensor& out, const Tensor& a, const Scalar& b, double alpha = 1.0,
                   bool number_first = false);
// Whether binary_scalar takes a, with an output made contiguous in a's dtype and shape: asked
// before that output is allocated.
bool binary_scalar_accepts(BinaryOp op, const Tensor& a);

// The instruction sets compiled in and supported by this CPU, best first, and the one in use; a
// test may restrict dispatch to one of them (0 lifts the restriction).
std::vector<int64_t> simd_targets();
std::string simd_target_name(int64_t target);
void force_simd_target(int64_t target);
int64_t simd_target_in_use();

}  // namespace kernels
}  // namespace ember
