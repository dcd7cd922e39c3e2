// Direct float convolution for stride 1, no dilation, one group and few channels, where im2col +
// GEMM spends as long copying columns and packing small products as multiplying (a 16 -> 32
// channel 3x3 layer on 14 x 14 images ran its GEMM tiles at three quarters of the FMA peak, and the
// whole layer at half of it). Two kinds of register tile, picked per part by conv2d_direct_plan:
// - rows: each output row is cut into vectors of columns; a tile holds several output channels of
//   several such vectors and adds, for every input channel and tap, one broadcast weight times one
//   unaligned load of the zero-padded input. The weight gradient keeps one vector of partial sums
//   per weight, over whole images, with the columns past a row masked.
// - planes: the rows kernel where the output rows are as wide as the input's ("same" padding
//   across): the input planes are stored without their side padding, so that output i reads
//   input i + a * W + b for every tap (a, b), and a vector runs on across rows; each plane is
//   copied once per tap column, with the columns that tap would reach in the next or previous row
//   zeroed. Every vector is full but a plane's last (a 28 x 28 plane: 49 vectors of 16, where rows
//   take 56).
// - channels: a vector holds consecutive output channels; a tile holds several such vectors of
//   several output pixels and adds, for every input channel and tap, a vector of weights times one
//   broadcast input element. Its results are pixel-major, transposed to planes per image; the
//   weight gradient reads the output gradient transposed so.
// - Winograd's F(2 x 2, 3 x 3) (conv_winograd.h) for every part of 3 x 3 kernels over at least 8
//   channels in and out, with finite operands.
// The input gradient is the forward's correlation over the zero-padded output gradient with the
// weight flipped and transposed. Called from conv.cpp's conv2d_forward and conv2d_backward; private
// to the kernel layer and its tests.
#pragma once
#include <cstdint>

#include "kernels/cpu/conv.h"

namespace ember {
namespace kernels {

// How each part of a (float) convolution is computed: by conv.cpp's im2col + GEMM, or by a direct
// kernel with a row's columns in the lanes, a plane's pixels in the lanes (the forward and input
// gradient only), or with channels in the lanes.
// Each part of a 3 x 3 kernel over at least 8 channels in and out may instead take Winograd's
// F(2 x 2, 3 x 3) (conv_winograd.h), where the operands are finite; the path is then the fallback
// for operands that are not.
enum class DirectPath : uint8_t { kGemm, kRows, kPlanes, kChannels };
struct DirectPlan {
  DirectPath forward = DirectPath::kGemm, input_grad = DirectPath::kGemm, weight_grad = DirectPath::kGemm;
  bool winograd_forward = false, winograd_input_grad = false, winograd_weight_grad = false;
};
// The plan is computed once per call and passed to the functions below.
DirectPlan conv2d_direct_plan(const Conv2dShape& s);
// Whether plans may take Winograd (default yes): tests turn it off to run the direct kernels on
// finite operands too.
void conv2d_allow_winograd(bool allow);
// The widest vector of floats the kernels use on this machine (the plan depends on it).
int64_t conv2d_direct_lanes();
// Scratch elements conv2d_direct_forward (backward false) or conv2d_direct_backward needs for the
// parts the plan gives a direct kernel, using every thread; INT64_MAX when the count overflows.
int64_t conv2d_direct_workspace(const Conv2dShape& s, const DirectPlan& plan, bool backward);
// As conv2d_forward, where the plan's forward is direct.
void conv2d_direct_forward(const float* x, const float* w, const float* bias, const Conv2dShape& s,
                           const DirectPlan& plan, float* out, float* workspace, int64_t workspace_size);
// As conv2d_backward without the bias gradient: gx and gw, each skipped when null, and each given
// only where the plan's part is direct.
void conv2d_direct_backward(const float* x, const float* w, const float* gout, const Conv2dShape& s,
                            const DirectPlan& plan, float* gx, float* gw, float* workspace, int64_t workspace_size);

}  // namespace kernels
}  // namespace ember
