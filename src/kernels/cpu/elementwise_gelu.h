// GELU with erf in float (elementwise_gelu.cpp): the SIMD kernels behind UnaryOp::GeluErf and
// GeluErfBackward, which unary_contiguous<float> and unary_backward_contiguous<float> call.
#pragma once

#include <cstdint>

namespace ember {
namespace kernels {

// y[i] = gelu(x[i]) over n contiguous floats, on the calling thread. x may equal y.
void gelu_erf_f32(const float* x, float* y, int64_t n);
// out[i] = g[i] gelu'(x[i]), x the GELU's input.
void gelu_erf_backward_f32(const float* x, const float* g, float* out, int64_t n);

}  // namespace kernels
}  // namespace ember
