// Padding ops: constant_pad_nd, reflection/replication padding of the last 1-3 dims, circular
// padding, and the pad() dispatcher behind torch::nn::functional::pad.
#pragma once
#include <optional>
#include <string_view>

#include "ember/core/tensor.h"

namespace ember {

// LibTorch's padding-mode tags: torch::kConstant, kReflect, kReplicate, kCircular.
namespace enumtype {
struct kConstant {};
struct kReflect {};
struct kReplicate {};
struct kCircular {};
}  // namespace enumtype
constexpr enumtype::kConstant kConstant{};
constexpr enumtype::kReflect kReflect{};
constexpr enumtype::kReplicate kReplicate{};
constexpr enumtype::kCircular kCircular{};

// Pads the last pad.size() / 2 dims, the last dim first: pad = {left, right, top, bottom, ...}.
// Negative entries crop. New elements hold `value`.
Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value = 0);
// Mirror padding (the edge itself not repeated) of the last 1, 2 or 3 dims of a (C, ...) or
// (N, C, ...) tensor; each padding must be smaller than its dim.
Tensor reflection_pad1d(const Tensor& self, IntArrayRef padding);
Tensor reflection_pad2d(const Tensor& self, IntArrayRef padding);
Tensor reflection_pad3d(const Tensor& self, IntArrayRef padding);
// Edge padding: the border value repeated.
Tensor replication_pad1d(const Tensor& self, IntArrayRef padding);
Tensor replication_pad2d(const Tensor& self, IntArrayRef padding);
Tensor replication_pad3d(const Tensor& self, IntArrayRef padding);
// Periodic padding of the dims after (N, C): each padding at most its dim.
Tensor _pad_circular(const Tensor& self, IntArrayRef padding);
// mode "constant" (value, default 0), "reflect", "replicate" or "circular" (no value).
Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode = "constant",
           std::optional<double> value = std::nullopt);

}  // namespace ember
