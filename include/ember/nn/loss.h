// Loss modules and their functional forms: MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss,
// NLLLoss, CrossEntropyLoss, BCEWithLogitsLoss, KLDivLoss, MarginRankingLoss, CosineEmbeddingLoss.
#pragma once
#include <ostream>
#include <variant>

#include "ember/nn/module.h"
#include "ember/ops/factory.h"
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

using L1LossOptions = MSELossOptions;
using L1LossFuncOptions = MSELossOptions;
struct SmoothL1LossOptions {
  SmoothL1LossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  SmoothL1LossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  SmoothL1LossOptions& beta(double v) { return beta_ = v, *this; }
  Reduction::Reduction reduction() const { return reduction_; }
  double beta() const { return beta_; }

 private:
  Reduction::Reduction reduction_;
  double beta_ = 1.0;
};
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
struct HuberLossOptions {
  HuberLossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  HuberLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  HuberLossOptions& delta(double v) { return delta_ = v, *this; }
  Reduction::Reduction reduction() const { return reduction_; }
  double delta() const { return delta_; }

 private:
  Reduction::Reduction reduction_;
  double delta_ = 1.0;
};
using HuberLossFuncOptions = HuberLossOptions;

struct NLLLossOptions {
  NLLLossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  NLLLossOptions& ignore_index(int64_t v) { return ignore_index_ = v, *this; }
  NLLLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  const Tensor& weight() const { return weight_; }
  int64_t ignore_index() const { return ignore_index_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  Tensor weight_;
  int64_t ignore_index_ = -100;
  Reduction::Reduction reduction_ = Reduction::Mean;
};
using NLLLossFuncOptions = NLLLossOptions;

struct CrossEntropyLossOptions {
  CrossEntropyLossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  CrossEntropyLossOptions& ignore_index(int64_t v) { return ignore_index_ = v, *this; }
  CrossEntropyLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  CrossEntropyLossOptions& label_smoothing(double v) { return label_smoothing_ = v, *this; }
  const Tensor& weight() const { return weight_; }
  int64_t ignore_index() const { return ignore_index_; }
  Reduction::Reduction reduction() const { return reduction_; }
  double label_smoothing() const { return label_smoothing_; }

 private:
  Tensor weight_;
  int64_t ignore_index_ = -100;
  Reduction::Reduction reduction_ = Reduction::Mean;
  double label_smoothing_ = 0.0;
};
using CrossEntropyFuncOptions = CrossEntropyLossOptions;

namespace functional {
// LibTorch spells these torch::nn::functional::...FuncOptions; qualified lookup through the
// torch:: aliases does not reach ember::nn, so they are declared here too.
using nn::BinaryCrossEntropyFuncOptions;
using nn::CrossEntropyFuncOptions;
using nn::HuberLossFuncOptions;
using nn::L1LossFuncOptions;
using nn::MSELossFuncOptions;
using nn::NLLLossFuncOptions;
using nn::SmoothL1LossFuncOptions;

inline Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {}) {
  return ember::nll_loss(input, target, options.weight(), options.reduction(), options.ignore_index());
}
inline Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {}) {
  return ember::cross_entropy_loss(input, target, options.weight(), options.reduction(), options.ignore_index(),
                                   options.label_smoothing());
}
inline Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {}) {
  return ember::l1_loss(input, target, options.reduction());
}
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {}) {
  return ember::smooth_l1_loss(input, target, options.reduction(), options.beta());
}
// LibTorch 1.13's signature with beta beside the options (which then carry no beta of their own).
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options,
                             double beta) {
  return ember::smooth_l1_loss(input, target, options.reduction(), beta);
}
inline Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {}) {
  return ember::huber_loss(input, target, options.reduction(), options.delta());
}
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

class NLLLossImpl : public Cloneable<NLLLossImpl> {
 public:
  explicit NLLLossImpl(const NLLLossOptions& options = {}) : options(options) { reset(); }
  void reset() override { register_buffer("weight", options.weight()); }
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::NLLLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::nll_loss(input, target, options); }
  NLLLossOptions options;
};
class NLLLoss : public ModuleHolder<NLLLossImpl> {
 public:
  using ModuleHolder<NLLLossImpl>::ModuleHolder;
  using Impl = NLLLossImpl;
};

class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl> {
 public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions& options = {}) : options(options) { reset(); }
  void reset() override { register_buffer("weight", options.weight()); }
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::CrossEntropyLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::cross_entropy(input, target, options);
  }
  CrossEntropyLossOptions options;
};
class CrossEntropyLoss : public ModuleHolder<CrossEntropyLossImpl> {
 public:
  using ModuleHolder<CrossEntropyLossImpl>::ModuleHolder;
  using Impl = CrossEntropyLossImpl;
};

class L1LossImpl : public Cloneable<L1LossImpl> {
 public:
  explicit L1LossImpl(const L1LossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::L1Loss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::l1_loss(input, target, options); }
  L1LossOptions options;
};
class L1Loss : public ModuleHolder<L1LossImpl> {
 public:
  using ModuleHolder<L1LossImpl>::ModuleHolder;
  using Impl = L1LossImpl;
};

class SmoothL1LossImpl : public Cloneable<SmoothL1LossImpl> {
 public:
  explicit SmoothL1LossImpl(const SmoothL1LossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::SmoothL1Loss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::smooth_l1_loss(input, target, options); }
  SmoothL1LossOptions options;
};
class SmoothL1Loss : public ModuleHolder<SmoothL1LossImpl> {
 public:
  using ModuleHolder<SmoothL1LossImpl>::ModuleHolder;
  using Impl = SmoothL1LossImpl;
};

class HuberLossImpl : public Cloneable<HuberLossImpl> {
 public:
  explicit HuberLossImpl(const HuberLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::HuberLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::huber_loss(input, target, options); }
  HuberLossOptions options;
};
class HuberLoss : public ModuleHolder<HuberLossImpl> {
 public:
  using ModuleHolder<HuberLossImpl>::ModuleHolder;
  using Impl = HuberLossImpl;
};

// ---------------------------------------------------------------- BCEWithLogitsLoss, KLDivLoss, margin losses

struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  BCEWithLogitsLossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  BCEWithLogitsLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  BCEWithLogitsLossOptions& pos_weight(Tensor v) { return pos_weight_ = std::move(v), *this; }
  const Tensor& weight() const { return weight_; }
  Reduction::Reduction reduction() const { return reduction_; }
  const Tensor& pos_weight() const { return pos_weight_; }

 private:
  Tensor weight_;
  Reduction::Reduction reduction_;
  Tensor pos_weight_;
};

// reduction: torch::kNone, kBatchMean, kSum or kMean (LibTorch's variant of the four).
struct KLDivLossOptions {
  using reduction_t = std::variant<Reduction::Reduction, enumtype::kBatchMean>;
  KLDivLossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  KLDivLossOptions(enumtype::kBatchMean reduction) : reduction_(reduction) {}
  KLDivLossOptions& reduction(reduction_t v) { return reduction_ = v, *this; }
  KLDivLossOptions& log_target(bool v) { return log_target_ = v, *this; }
  const reduction_t& reduction() const { return reduction_; }
  bool log_target() const { return log_target_; }

 private:
  reduction_t reduction_;
  bool log_target_ = false;
};

struct MarginRankingLossOptions {
  MarginRankingLossOptions& margin(double v) { return margin_ = v, *this; }
  MarginRankingLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  double margin() const { return margin_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  double margin_ = 0;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct CosineEmbeddingLossOptions {
  CosineEmbeddingLossOptions& margin(double v) { return margin_ = v, *this; }
  CosineEmbeddingLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  double margin() const { return margin_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  double margin_ = 0;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

namespace functional {
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using KLDivFuncOptions = KLDivLossOptions;
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;

inline Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                               const BinaryCrossEntropyWithLogitsFuncOptions& options = {}) {
  return ember::binary_cross_entropy_with_logits(input, target, options.weight(), options.pos_weight(),
                                                 options.reduction());
}
// batchmean: the summed loss divided by the batch size input.size(0) (as LibTorch, not for a 0-dim
// input), through a tensor divisor so grad_fn reads DivBackward0 as in PyTorch.
inline Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {}) {
  const bool batchmean = std::holds_alternative<enumtype::kBatchMean>(options.reduction());
  const int64_t r = batchmean ? Reduction::Sum : std::get<Reduction::Reduction>(options.reduction());
  Tensor reduced = ember::kl_div(input, target, r, options.log_target());
  if (batchmean && input.dim() != 0) reduced = reduced.div(scalar_tensor(input.size(0), TensorOptions(reduced.dtype())));
  return reduced;
}
inline Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                                  const MarginRankingLossFuncOptions& options = {}) {
  EMBER_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
              "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ",
              input1.sizes(), ", input2: ", input2.sizes(), ", target: ", target.sizes());
  return ember::margin_ranking_loss(input1, input2, target, options.margin(), options.reduction());
}
inline Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                                    const CosineEmbeddingLossFuncOptions& options = {}) {
  return ember::cosine_embedding_loss(input1, input2, target, options.margin(), options.reduction());
}
}  // namespace functional

class BCEWithLogitsLossImpl : public Cloneable<BCEWithLogitsLossImpl> {
 public:
  explicit BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    weight = register_buffer("weight", options.weight());
    pos_weight = register_buffer("pos_weight", options.pos_weight());
  }
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::BCEWithLogitsLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::binary_cross_entropy_with_logits(input, target, options);
  }
  BCEWithLogitsLossOptions options;
  Tensor weight;
  Tensor pos_weight;
};
class BCEWithLogitsLoss : public ModuleHolder<BCEWithLogitsLossImpl> {
 public:
  using ModuleHolder<BCEWithLogitsLossImpl>::ModuleHolder;
  using Impl = BCEWithLogitsLossImpl;
};

class KLDivLossImpl : public Cloneable<KLDivLossImpl> {
 public:
  explicit KLDivLossImpl(const KLDivLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::KLDivLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::kl_div(input, target, options); }
  KLDivLossOptions options;
};
class KLDivLoss : public ModuleHolder<KLDivLossImpl> {
 public:
  using ModuleHolder<KLDivLossImpl>::ModuleHolder;
  using Impl = KLDivLossImpl;
};

class MarginRankingLossImpl : public Cloneable<MarginRankingLossImpl> {
 public:
  explicit MarginRankingLossImpl(const MarginRankingLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::MarginRankingLoss()"; }
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
    return functional::margin_ranking_loss(input1, input2, target, options);
  }
  MarginRankingLossOptions options;
};
class MarginRankingLoss : public ModuleHolder<MarginRankingLossImpl> {
 public:
  using ModuleHolder<MarginRankingLossImpl>::ModuleHolder;
  using Impl = MarginRankingLossImpl;
};

class CosineEmbeddingLossImpl : public Cloneable<CosineEmbeddingLossImpl> {
 public:
  explicit CosineEmbeddingLossImpl(const CosineEmbeddingLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::CosineEmbeddingLoss(margin=" << options.margin() << ")";
  }
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
    return functional::cosine_embedding_loss(input1, input2, target, options);
  }
  CosineEmbeddingLossOptions options;
};
class CosineEmbeddingLoss : public ModuleHolder<CosineEmbeddingLossImpl> {
 public:
  using ModuleHolder<CosineEmbeddingLossImpl>::ModuleHolder;
  using Impl = CosineEmbeddingLossImpl;
};

// clone() of each module here is compiled once, in src/nn/loss_instantiations.cpp (see Cloneable).
extern template class Cloneable<MSELossImpl>;
extern template class Cloneable<BCELossImpl>;
extern template class Cloneable<NLLLossImpl>;
extern template class Cloneable<CrossEntropyLossImpl>;
extern template class Cloneable<L1LossImpl>;
extern template class Cloneable<SmoothL1LossImpl>;
extern template class Cloneable<HuberLossImpl>;
extern template class Cloneable<BCEWithLogitsLossImpl>;
extern template class Cloneable<KLDivLossImpl>;
extern template class Cloneable<MarginRankingLossImpl>;
extern template class Cloneable<CosineEmbeddingLossImpl>;

}  // namespace nn
}  // namespace ember
