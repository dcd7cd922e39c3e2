// Loss modules and their functional forms: MSELoss, BCELoss.
#pragma once
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/loss.h"

namespace ember {
namespace nn {

struct MSELossOptions {
  MSELossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  MSELossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  Reduction::Reduction reduction_;
};
using MSELossFuncOptions = MSELossOptions;

struct BCELossOptions {
  BCELossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  BCELossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  BCELossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  const Tensor& weight() const { return weight_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  Tensor weight_;
  Reduction::Reduction reduction_;
};
using BinaryCrossEntropyFuncOptions = BCELossOptions;

namespace functional {
inline Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {}) {
  return ember::mse_loss(input, target, options.reduction());
}
inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                                   const BinaryCrossEntropyFuncOptions& options = {}) {
  return ember::binary_cross_entropy(input, target, options.weight(), options.reduction());
}
}  // namespace functional

class MSELossImpl : public Cloneable<MSELossImpl> {
 public:
  explicit MSELossImpl(const MSELossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::MSELoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::mse_loss(input, target, options); }
  MSELossOptions options;
};
class MSELoss : public ModuleHolder<MSELossImpl> {
 public:
  using ModuleHolder<MSELossImpl>::ModuleHolder;
  using Impl = MSELossImpl;
};

class BCELossImpl : public Cloneable<BCELossImpl> {
 public:
  explicit BCELossImpl(const BCELossOptions& options = {}) : options(options) { reset(); }
  void reset() override { register_buffer("weight", options.weight()); }
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::BCELoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::binary_cross_entropy(input, target, options);
  }
  BCELossOptions options;
};
class BCELoss : public ModuleHolder<BCELossImpl> {
 public:
  using ModuleHolder<BCELossImpl>::ModuleHolder;
  using Impl = BCELossImpl;
};

}  // namespace nn
}  // namespace ember
