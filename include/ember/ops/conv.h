// Convolution as im2col + GEMM: unfold (im2col), fold (col2im) and conv2d; max_pool2d.
#pragma once
#include <tuple>

#include "ember/core/tensor.h"

namespace ember {

// (N, C, H, W) -> (N, C*kh*kw, L): every kernel-sized patch as a column.
Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride);
// (N, C*kh*kw, L) -> (N, C, H, W), summing overlapping patches (the adjoint of im2col).
Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride);

// input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw), bias (O) or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);

// Max over windows of (N, C, H, W) or (C, H, W); returns values and flat indices into H*W.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);

}  // namespace ember
