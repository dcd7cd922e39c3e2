// The nn-flavoured ATen functions behind torch::nn layers that ember composes from its public
// differentiable ops: max unpooling, bilinear forms, pairwise distances, affine grids and grid
// sampling, channel shuffle, conv_tbc / convolution, the nll_loss spellings, norm_except_dim,
// pad_sequence and the in-place dropout / rrelu forms.
#pragma once
#include <optional>
#include <tuple>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

// Each element of self goes to the flattened spatial position `indices` names (as max_pool2d's
// indices give them) in a zero output of spatial size output_size {H, W}. self and indices are
// (C, h, w) or (N, C, h, w).
Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size);
// The 3-D form: output_size {D, H, W}; stride and padding (three each) are checked as ATen does.
Tensor max_unpool3d(const Tensor& self, const Tensor& indices, IntArrayRef output_size, IntArrayRef stride,
                    IntArrayRef padding);

// Fractional max pooling (Graham): kernel_size windows starting at pseudo-random, increasing
// offsets drawn from random_samples (N, C, 2 or 3) in [0, 1); (values, flattened indices).
std::tuple<Tensor, Tensor> fractional_max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef output_size,
                                                 const Tensor& random_samples);
std::tuple<Tensor, Tensor> fractional_max_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef output_size,
                                                 const Tensor& random_samples);

// y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = {});

// The p-norm distances between the rows of a 2-D input, the pairs (i, j), i < j, in row-major order.
Tensor pdist(const Tensor& input, double p = 2);

// The sampling grid of an affine map theta (N, 2, 3) for size {N, C, H, W}, or (N, 3, 4) for
// {N, C, D, H, W}: (N, H, W, 2) or (N, D, H, W, 3) normalized coordinates (x first).
Tensor affine_grid_generator(const Tensor& theta, IntArrayRef size, bool align_corners);

// Samples input (N, C, H, W) or (N, C, D, H, W) at the normalized grid coordinates.
// interpolation_mode: 0 bilinear, 1 nearest, 2 bicubic (4-D only); padding_mode: 0 zeros,
// 1 border, 2 reflection.
Tensor grid_sampler(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                    bool align_corners);
Tensor grid_sampler_2d(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                       bool align_corners);
Tensor grid_sampler_3d(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                       bool align_corners);

// (N, C, *) with its C channels, seen as (groups, C / groups), transposed.
Tensor channel_shuffle(const Tensor& self, int64_t groups);

// Time-batch-channel convolution: self (T, B, Cin), weight (K, Cin, Cout), bias (Cout).
Tensor conv_tbc(const Tensor& self, const Tensor& weight, const Tensor& bias, int64_t pad = 0);
// The convolution every conv layer reaches: 1-3 spatial dims from weight, transposed or not.
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed, IntArrayRef output_padding,
                   int64_t groups);

// nll_loss under the names ATen keeps for the (N, C, H, W) and (N, C, d1, ...) forms.
Tensor nll_loss2d(const Tensor& self, const Tensor& target, const Tensor& weight = {}, int64_t reduction = 1,
                  int64_t ignore_index = -100);
Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const Tensor& weight = {}, int64_t reduction = 1,
                   int64_t ignore_index = -100);

// The pow-norm of v over every dim but `dim` (kept, the others of size 1); dim -1: over all.
Tensor norm_except_dim(const Tensor& v, int64_t pow = 2, int64_t dim = 0);

// The sequences (L_i, *) stacked into (max L, B, *) or (B, max L, *), padded with padding_value.
Tensor pad_sequence(TensorList sequences, bool batch_first = false, double padding_value = 0.0);

// Applies the op to self and writes the result into it (the in-place ATen forms).
Tensor& dropout_(Tensor& self, double p, bool train);
Tensor& alpha_dropout_(Tensor& self, double p, bool train);
Tensor& feature_alpha_dropout_(Tensor& self, double p, bool train);
Tensor& rrelu_(Tensor& self, const Scalar& lower = 1.0 / 8.0, const Scalar& upper = 1.0 / 3.0,
               bool training = false);
// rrelu whose slopes are written into noise (same shape as self): the drawn slope for each
// non-positive element and 1 for the others while training; noise is left alone in eval.
Tensor rrelu_with_noise(const Tensor& self, const Tensor& noise, const Scalar& lower = 1.0 / 8.0,
                        const Scalar& upper = 1.0 / 3.0, bool training = false);
Tensor& rrelu_with_noise_(Tensor& self, const Tensor& noise, const Scalar& lower = 1.0 / 8.0,
                          const Scalar& upper = 1.0 / 3.0, bool training = false);

}  // namespace ember
