// Direct float convolution for stride 1, no dilation, one group and few channels, where im2col +
// GEMM spends as long copying columns and packing small products as multiplying (a 16 -> 32
// channel 3x3 layer on 14 x 14 images ran its GEMM tiles at three quarters of the FMA peak, and the
// whole layer at half of it). Each output row is cut into vectors of columns; a register tile holds
// several output channels of several such vectors and adds, for every input channel and tap, one
// broadcast weight times one unaligned load of the zero-padded input. The input gradient is the
// same kernel over the zero-padded output gradient with the weight flipped and transposed; the
// weight gradient keeps one vector of partial sums per weight, over whole images. Called from
// conv.cpp's conv2d_forward and conv2d_backward; private to the kernel layer and its tests.
#pragma once
#include <cstdint>

#include "kernels/cpu/conv.h"

namespace ember {
namespace kernels {

// Whether the direct kernels take this (float) convolution; the weight gradient only where
// conv2d_direct_weight_grad says so too, else conv.cpp's im2col + GEMM computes it.
bool conv2d_direct_applies(const Conv2dShape& s);
bool conv2d_direct_weight_grad(const Conv2dShape& s);
// Scratch elements conv2d_direct_forward (backward false) or conv2d_direct_backward needs to use
// every thread; INT64_MAX when the count overflows.
int64_t conv2d_direct_workspace(const Conv2dShape& s, bool backward);
// As conv2d_forward, for a shape conv2d_direct_applies takes.
void conv2d_direct_forward(const float* x, const float* w, const float* bias, const Conv2dShape& s, float* out,
                           float* workspace, int64_t workspace_size);
// As conv2d_backward without the bias gradient: gx and gw, each skipped when null.
void conv2d_direct_backward(const float* x, const float* w, const float* gout, const Conv2dShape& s, float* gx,
                            float* gw, float* workspace, int64_t workspace_size);

}  // namespace kernels
}  // namespace ember
