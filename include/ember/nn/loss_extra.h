// More loss modules with LibTorch's Options, functionals and printing: SoftMarginLoss,
// HingeEmbeddingLoss, MultiMarginLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
// PoissonNLLLoss, TripletMarginLoss, CTCLoss.
#pragma once
#include <ostream>

#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/ops/activation_extra.h"
#include "ember/ops/loss_extra.h"
#include "ember/ops/pointwise.h"

namespace ember {
namespace nn {

// Options that carry only a reduction (LibTorch's TORCH_OPTIONS_CTOR_VARIANT_ARG3 ones).
struct SoftMarginLossOptions {
  SoftMarginLossOptions(Reduction::Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  SoftMarginLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  Reduction::Reduction reduction_;
};
using MultiLabelMarginLossOptions = SoftMarginLossOptions;

struct HingeEmbeddingLossOptions {
  HingeEmbeddingLossOptions& margin(double v) { return margin_ = v, *this; }
  HingeEmbeddingLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  double margin() const { return margin_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  double margin_ = 1.0;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct MultiMarginLossOptions {
  MultiMarginLossOptions& p(int64_t v) { return p_ = v, *this; }
  MultiMarginLossOptions& margin(double v) { return margin_ = v, *this; }
  MultiMarginLossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  MultiMarginLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  int64_t p() const { return p_; }
  double margin() const { return margin_; }
  const Tensor& weight() const { return weight_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  int64_t p_ = 1;
  double margin_ = 1.0;
  Tensor weight_;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct MultiLabelSoftMarginLossOptions {
  MultiLabelSoftMarginLossOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  MultiLabelSoftMarginLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  const Tensor& weight() const { return weight_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  Tensor weight_;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct PoissonNLLLossOptions {
  PoissonNLLLossOptions& log_input(bool v) { return log_input_ = v, *this; }
  PoissonNLLLossOptions& full(bool v) { return full_ = v, *this; }
  PoissonNLLLossOptions& eps(double v) { return eps_ = v, *this; }
  PoissonNLLLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  bool log_input() const { return log_input_; }
  bool full() const { return full_; }
  double eps() const { return eps_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  bool log_input_ = true, full_ = false;
  double eps_ = 1e-8;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct TripletMarginLossOptions {
  TripletMarginLossOptions& margin(double v) { return margin_ = v, *this; }
  TripletMarginLossOptions& p(double v) { return p_ = v, *this; }
  TripletMarginLossOptions& eps(double v) { return eps_ = v, *this; }
  TripletMarginLossOptions& swap(bool v) { return swap_ = v, *this; }
  TripletMarginLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  double margin() const { return margin_; }
  double p() const { return p_; }
  double eps() const { return eps_; }
  bool swap() const { return swap_; }
  Reduction::Reduction reduction() const { return reduction_; }

 private:
  double margin_ = 1.0, p_ = 2.0, eps_ = 1e-6;
  bool swap_ = false;
  Reduction::Reduction reduction_ = Reduction::Mean;
};

struct CTCLossOptions {
  CTCLossOptions& blank(int64_t v) { return blank_ = v, *this; }
  CTCLossOptions& reduction(Reduction::Reduction v) { return reduction_ = v, *this; }
  CTCLossOptions& zero_infinity(bool v) { return zero_infinity_ = v, *this; }
  int64_t blank() const { return blank_; }
  Reduction::Reduction reduction() const { return reduction_; }
  bool zero_infinity() const { return zero_infinity_; }

 private:
  int64_t blank_ = 0;
  Reduction::Reduction reduction_ = Reduction::Mean;
  bool zero_infinity_ = false;
};

namespace functional {
using CTCLossFuncOptions = CTCLossOptions;
inline Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                       const Tensor& target_lengths, const CTCLossFuncOptions& o = {}) {
  return ember::ctc_loss(log_probs, targets, input_lengths, target_lengths, o.blank(), o.reduction(),
                         o.zero_infinity());
}
using SoftMarginLossFuncOptions = SoftMarginLossOptions;
using MultilabelMarginLossFuncOptions = MultiLabelMarginLossOptions;
using HingeEmbeddingLossFuncOptions = HingeEmbeddingLossOptions;
using MultiMarginLossFuncOptions = MultiMarginLossOptions;
using MultilabelSoftMarginLossFuncOptions = MultiLabelSoftMarginLossOptions;
using PoissonNLLLossFuncOptions = PoissonNLLLossOptions;
using TripletMarginLossFuncOptions = TripletMarginLossOptions;

inline Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const SoftMarginLossFuncOptions& o = {}) {
  return ember::soft_margin_loss(input, target, o.reduction());
}
inline Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target,
                                   const HingeEmbeddingLossFuncOptions& o = {}) {
  return ember::hinge_embedding_loss(input, target, o.margin(), o.reduction());
}
inline Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const MultiMarginLossFuncOptions& o = {}) {
  return ember::multi_margin_loss(input, target, o.p(), o.margin(), o.weight(), o.reduction());
}
inline Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                                     const MultilabelMarginLossFuncOptions& o = {}) {
  return ember::multilabel_margin_loss(input, target, o.reduction());
}
// -(t log sigmoid(x) + (1 - t) log sigmoid(-x)), times weight, averaged over the classes (dim 1),
// then reduced over the batch.
inline Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                          const MultilabelSoftMarginLossFuncOptions& o = {}) {
  Tensor loss = target.mul(ember::log_sigmoid(input)).add(rsub(target, 1).mul(ember::log_sigmoid(input.neg()))).neg();
  if (o.weight().defined()) loss = loss.mul(o.weight());
  const int64_t class_dim = input.dim() - 1;
  loss = loss.sum({class_dim}).div(static_cast<double>(input.size(class_dim)));
  if (o.reduction() == Reduction::None) return loss;
  return o.reduction() == Reduction::Sum ? loss.sum() : loss.mean();
}
inline Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLLossFuncOptions& o = {}) {
  return ember::poisson_nll_loss(input, target, o.log_input(), o.full(), o.eps(), o.reduction());
}
inline Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                  const TripletMarginLossFuncOptions& o = {}) {
  return ember::triplet_margin_loss(anchor, positive, negative, o.margin(), o.p(), o.eps(), o.swap(), o.reduction());
}
}  // namespace functional

class SoftMarginLossImpl : public Cloneable<SoftMarginLossImpl> {
 public:
  explicit SoftMarginLossImpl(const SoftMarginLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::SoftMarginLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::soft_margin_loss(input, target, options);
  }
  SoftMarginLossOptions options;
};
class HingeEmbeddingLossImpl : public Cloneable<HingeEmbeddingLossImpl> {
 public:
  explicit HingeEmbeddingLossImpl(const HingeEmbeddingLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::HingeEmbeddingLoss(margin=" << options.margin() << ")";
  }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::hinge_embedding_loss(input, target, options);
  }
  HingeEmbeddingLossOptions options;
};
class MultiMarginLossImpl : public Cloneable<MultiMarginLossImpl> {
 public:
  explicit MultiMarginLossImpl(const MultiMarginLossOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.p() == 1 || options.p() == 2, "only p == 1 and p == 2 supported");
    EMBER_CHECK(!options.weight().defined() || options.weight().dim() == 1,
                "MultiMarginLoss: expected weight to be None or 1D tensor");
    weight = register_buffer("weight", options.weight());
  }
  void pretty_print(std::ostream& s) const override {
    static const char* const reductions[] = {"kNone", "kMean", "kSum"};
    s << "torch::nn::MultiMarginLoss(p=" << options.p() << ", margin=" << options.margin() << ", weight=";
    if (weight.defined()) s << weight;
    else s << "[ Tensor (undefined) ]";
    s << ", reduction=" << reductions[static_cast<int>(options.reduction())] << ")";
  }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::multi_margin_loss(input, target, MultiMarginLossOptions(options).weight(weight));
  }
  MultiMarginLossOptions options;
  Tensor weight;
};
class MultiLabelMarginLossImpl : public Cloneable<MultiLabelMarginLossImpl> {
 public:
  explicit MultiLabelMarginLossImpl(const MultiLabelMarginLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::MultiLabelMarginLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::multilabel_margin_loss(input, target, options);
  }
  MultiLabelMarginLossOptions options;
};
class MultiLabelSoftMarginLossImpl : public Cloneable<MultiLabelSoftMarginLossImpl> {
 public:
  explicit MultiLabelSoftMarginLossImpl(const MultiLabelSoftMarginLossOptions& options = {}) : options(options) {
    reset();
  }
  void reset() override { weight = register_buffer("weight", options.weight()); }
  void pretty_print(std::ostream& s) const override { s << "torch::nn::MultiLabelSoftMarginLoss()"; }
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::multilabel_soft_margin_loss(input, target, MultiLabelSoftMarginLossOptions(options).weight(weight));
  }
  MultiLabelSoftMarginLossOptions options;
  Tensor weight;
};
class PoissonNLLLossImpl : public Cloneable<PoissonNLLLossImpl> {
 public:
  explicit PoissonNLLLossImpl(const PoissonNLLLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::PoissonNLLLoss()"; }
  Tensor forward(const Tensor& log_input, const Tensor& target) {
    return functional::poisson_nll_loss(log_input, target, options);
  }
  PoissonNLLLossOptions options;
};
class TripletMarginLossImpl : public Cloneable<TripletMarginLossImpl> {
 public:
  explicit TripletMarginLossImpl(const TripletMarginLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::TripletMarginLoss(margin=" << options.margin() << ", p=" << options.p()
      << ", eps=" << options.eps() << ", swap=" << options.swap() << ")";
  }
  Tensor forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
    return functional::triplet_margin_loss(anchor, positive, negative, options);
  }
  TripletMarginLossOptions options;
};

class CTCLossImpl : public Cloneable<CTCLossImpl> {
 public:
  explicit CTCLossImpl(const CTCLossOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::CTCLoss()"; }
  Tensor forward(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                 const Tensor& target_lengths) {
    return functional::ctc_loss(log_probs, targets, input_lengths, target_lengths, options);
  }
  CTCLossOptions options;
};
class CTCLoss : public ModuleHolder<CTCLossImpl> {
 public:
  using ModuleHolder<CTCLossImpl>::ModuleHolder;
  using Impl = CTCLossImpl;
};

// The holders (what TORCH_MODULE would declare).
class SoftMarginLoss : public ModuleHolder<SoftMarginLossImpl> {
 public:
  using ModuleHolder<SoftMarginLossImpl>::ModuleHolder;
  using Impl = SoftMarginLossImpl;
};
class HingeEmbeddingLoss : public ModuleHolder<HingeEmbeddingLossImpl> {
 public:
  using ModuleHolder<HingeEmbeddingLossImpl>::ModuleHolder;
  using Impl = HingeEmbeddingLossImpl;
};
class MultiMarginLoss : public ModuleHolder<MultiMarginLossImpl> {
 public:
  using ModuleHolder<MultiMarginLossImpl>::ModuleHolder;
  using Impl = MultiMarginLossImpl;
};
class MultiLabelMarginLoss : public ModuleHolder<MultiLabelMarginLossImpl> {
 public:
  using ModuleHolder<MultiLabelMarginLossImpl>::ModuleHolder;
  using Impl = MultiLabelMarginLossImpl;
};
class MultiLabelSoftMarginLoss : public ModuleHolder<MultiLabelSoftMarginLossImpl> {
 public:
  using ModuleHolder<MultiLabelSoftMarginLossImpl>::ModuleHolder;
  using Impl = MultiLabelSoftMarginLossImpl;
};
class PoissonNLLLoss : public ModuleHolder<PoissonNLLLossImpl> {
 public:
  using ModuleHolder<PoissonNLLLossImpl>::ModuleHolder;
  using Impl = PoissonNLLLossImpl;
};
class TripletMarginLoss : public ModuleHolder<TripletMarginLossImpl> {
 public:
  using ModuleHolder<TripletMarginLossImpl>::ModuleHolder;
  using Impl = TripletMarginLossImpl;
};

// clone() of each module here is compiled once, in src/nn/loss_instantiations.cpp (see Cloneable).
extern template class Cloneable<SoftMarginLossImpl>;
extern template class Cloneable<HingeEmbeddingLossImpl>;
extern template class Cloneable<MultiMarginLossImpl>;
extern template class Cloneable<MultiLabelMarginLossImpl>;
extern template class Cloneable<MultiLabelSoftMarginLossImpl>;
extern template class Cloneable<PoissonNLLLossImpl>;
extern template class Cloneable<TripletMarginLossImpl>;
extern template class Cloneable<CTCLossImpl>;

}  // namespace nn
}  // namespace ember
