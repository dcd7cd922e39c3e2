// Convolution as im2col + GEMM: unfold (im2col), fold (col2im), conv1d, conv2d (with padding
// "same"/"valid" overloads), conv_transpose1d and conv_transpose2d. Integer tensors are convolved as
// LibTorch 1.13 convolves them (wrapping), where its CPU kernels take them.
#pragma once
#include <string_view>
#include <type_traits>

#include "ember/core/tensor.h"
#include "ember/ops/pool.h"

namespace ember {

// (N, C, H, W) -> (N, C*kh*kw, L): every kernel-sized patch as a column.
Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride);
// (N, C*kh*kw, L) -> (N, C, H, W), summing overlapping patches (the adjoint of im2col).
Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride);

// input (N, C, L) or (C, L), weight (O, C/groups, k), bias (O) or undefined.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
// input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw), bias (O) or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);

namespace detail {
Tensor conv1d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups);
Tensor conv2d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups);
}  // namespace detail

// ATen's string-padding overloads: padding "same" (output as large as the input; stride 1 only)
// or "valid" (no padding). A template so that a literal 0 still picks the IntArrayRef overload.
template <typename S, typename = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv1d_padding_mode(input, weight, bias, stride, padding, dilation, groups);
}
template <typename S, typename = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv2d_padding_mode(input, weight, bias, stride, padding, dilation, groups);
}

// The adjoint of conv2d in its input: input (N, Cin, H, W) or (Cin, H, W), weight
// (Cin, Cout/groups, kh, kw); output size (H-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1.
// Arguments in ATen's order (output_padding and groups before dilation).
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);
// input (N, Cin, L) or (Cin, L), weight (Cin, Cout/groups, k); ATen's argument order.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

}  // namespace ember
