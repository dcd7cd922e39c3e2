// Softmax and log-softmax (fused, numerically stable).
#pragma once
#include <optional>

#include "ember/core/tensor.h"

namespace ember {

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

}  // namespace ember
