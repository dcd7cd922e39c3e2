// More pooling under ATen's names, composed of public ops one spatial dim at a time (a max or a
// weighted sum over each window): adaptive max pooling 1-d / 2-d, adaptive average pooling 3-d,
// max pooling 3-d and average pooling 3-d.
#pragma once
#include <optional>
#include <tuple>

#include "ember/core/tensor.h"

namespace ember {

// (N, C, L) or (C, L): window o covers [floor(o L / out), ceil((o + 1) L / out)). Indices are
// positions in the input's last dim(s), flattened, as PyTorch returns them.
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& input, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, IntArrayRef output_size);
// (N, C, L) or (C, L), through the 2-d ops on an (N, C, 1, L) view, as ATen does.
Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size);
// (N, C, D, H, W) or (C, D, H, W).
Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

}  // namespace ember
