// The compiled parts of the transforms: Stack's collations and Normalize's parameter checks.
#include "ember/data/transforms.h"

#include <cmath>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace data {
namespace transforms {

Example<> Stack<Example<>>::apply_batch(std::vector<Example<>> examples) {
  EMBER_CHECK(!examples.empty(), "Stack: cannot collate an empty batch");
  std::vector<Tensor> data, targets;
  data.reserve(examples.size());
  targets.reserve(examples.size());
  for (auto& e : examples) {
    data.push_back(std::move(e.data));
    targets.push_back(std::move(e.target));
  }
  return {stack(data), stack(targets)};
}

TensorExample Stack<TensorExample>::apply_batch(std::vector<TensorExample> examples) {
  EMBER_CHECK(!examples.empty(), "Stack: cannot collate an empty batch");
  std::vector<Tensor> data;
  data.reserve(examples.size());
  for (auto& e : examples) data.push_back(std::move(e.data));
  return stack(data);
}

namespace detail {

Tensor normalize_parameters(ArrayRef<double> values, const char* name) {
  EMBER_CHECK(!values.empty(), "Normalize: ", name, " must have at least one value");
  for (double v : values) EMBER_CHECK(std::isfinite(v), "Normalize: ", name, " must be finite, got ", v);
  return tensor(values, kFloat).reshape({static_cast<int64_t>(values.size()), 1, 1});
}

void check_normalize_parameters(const Tensor& mean, const Tensor& stddev) {
  const int64_t m = mean.size(0), s = stddev.size(0);
  EMBER_CHECK(m == s || m == 1 || s == 1, "Normalize: mean has ", m, " values and stddev ", s,
              "; give one value each, or one per channel for both");
  // As torchvision does: a zero stddev would silently turn the data into inf and nan.
  EMBER_CHECK(!stddev.eq(0).any().item<bool>(),
              "Normalize: std evaluated to zero after conversion to float32, leading to division by zero.");
}

Tensor normalize(const Tensor& input, const Tensor& mean, const Tensor& stddev) {
  const int64_t channels = std::max(mean.size(0), stddev.size(0));
  if (channels > 1) {
    EMBER_CHECK(input.dim() >= 3 && input.size(-3) == channels, "Normalize: ", channels,
                " per-channel values need an input of shape [..., ", channels, ", H, W], got ", input.sizes());
  }
  return input.sub(mean).div(stddev);
}

}  // namespace detail
}  // namespace transforms
}  // namespace data
}  // namespace ember
