// More convolutions under ATen's names, composed of the 2-d ops: conv3d (depth taps gathered into
// channels, one conv2d) and conv_transpose3d (the input spread by the stride, then conv3d with the
// flipped weight).
#pragma once
#include <string_view>
#include <type_traits>

#include "ember/core/tensor.h"

namespace ember {

// input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kd, kh, kw), bias (O) or undefined.
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
namespace detail {
Tensor conv3d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups);
}  // namespace detail
// padding "same" or "valid", as conv1d/conv2d's string overloads (ember/ops/conv.h).
template <typename S, typename = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv3d_padding_mode(input, weight, bias, stride, padding, dilation, groups);
}
// input (N, Cin, D, H, W) or (Cin, D, H, W), weight (Cin, Cout/groups, kd, kh, kw).
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

}  // namespace ember
