// torch::nn::functional::pad with LibTorch's PadFuncOptions (mode kConstant, kReflect, kReplicate,
// kCircular).
#pragma once
#include <utility>
#include <variant>
#include <vector>

#include "ember/ops/pad.h"

namespace ember {
namespace nn {
namespace functional {

struct PadFuncOptions {
  using mode_t = std::variant<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}
  PadFuncOptions& pad(std::vector<int64_t> v) { return pad_ = std::move(v), *this; }
  PadFuncOptions& mode(mode_t v) { return mode_ = v, *this; }
  PadFuncOptions& value(double v) { return value_ = v, *this; }
  const std::vector<int64_t>& pad() const { return pad_; }
  const mode_t& mode() const { return mode_; }
  double value() const { return value_; }

 private:
  std::vector<int64_t> pad_;
  mode_t mode_ = enumtype::kConstant{};
  double value_ = 0;
};

// As LibTorch: a value of 0 counts as no value, so the non-constant modes accept value(0).
inline Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  static constexpr const char* modes[] = {"constant", "reflect", "replicate", "circular"};
  std::optional<double> value;
  if (options.value() != 0.0) value = options.value();
  return ember::pad(input, options.pad(), modes[options.mode().index()], value);
}

}  // namespace functional
}  // namespace nn
}  // namespace ember
