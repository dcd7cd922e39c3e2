// Losses available before nn: mse_loss (the seed's loss).
#pragma once
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember {

// PyTorch's reduction enum (at::Reduction).
namespace Reduction {
enum Reduction : int64_t { None = 0, Mean = 1, Sum = 2 };
}

Tensor mse_loss(const Tensor& input, const Tensor& target, int64_t reduction = Reduction::Mean);

}  // namespace ember
