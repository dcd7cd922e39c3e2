// Pooling: max_pool1d/max_pool2d (values and indices), avg_pool2d, adaptive_avg_pool2d, and the
// average pools' backward ops (public, so that their own gradient is the forward pool).
#pragma once
#include <optional>
#include <tuple>

#include "ember/core/tensor.h"

namespace ember {

// Max over windows of (N, C, L) or (C, L); indices into L.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);

// Max over windows of (N, C, H, W) or (C, H, W); returns values and flat indices into H*W.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);

// Mean over windows of (N, C, H, W) or (C, H, W); an empty stride means stride = kernel_size.
// count_include_pad counts zero padding in the divisor; divisor_override replaces the divisor.
Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
// The gradient of avg_pool2d for input `self` (used for its shape only) given the output's gradient.
Tensor avg_pool2d_backward(const Tensor& grad_output, const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                           IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override);

// Mean over output_size = {OH, OW} cells of (N, C, H, W) or (C, H, W); cell i of O covers input
// [floor(i*I/O), ceil((i+1)*I/O)).
Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size);
// The gradient of adaptive_avg_pool2d for input `self` (used for its shape only).
Tensor _adaptive_avg_pool2d_backward(const Tensor& grad_output, const Tensor& self);

}  // namespace ember
