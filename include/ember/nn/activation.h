// Activation modules (ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax),
// Dropout, Dropout2d, and their functional forms with LibTorch's *FuncOptions.
#pragma once
#include <ostream>
#include <string>

#include "ember/nn/module.h"
#include "ember/ops/activation.h"
#include "ember/ops/pointwise.h"

namespace ember {
namespace nn {

struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}
  ReLUOptions& inplace(bool v) { return inplace_ = v, *this; }
  bool inplace() const { return inplace_; }

 private:
  bool inplace_;
};
struct LeakyReLUOptions {
  LeakyReLUOptions& negative_slope(double v) { return negative_slope_ = v, *this; }
  LeakyReLUOptions& inplace(bool v) { return inplace_ = v, *this; }
  double negative_slope() const { return negative_slope_; }
  bool inplace() const { return inplace_; }

 private:
  double negative_slope_ = 0.01;
  bool inplace_ = false;
};
struct ELUOptions {
  ELUOptions& alpha(double v) { return alpha_ = v, *this; }
  ELUOptions& inplace(bool v) { return inplace_ = v, *this; }
  double alpha() const { return alpha_; }
  bool inplace() const { return inplace_; }

 private:
  double alpha_ = 1.0;
  bool inplace_ = false;
};
struct GELUOptions {
  GELUOptions& approximate(std::string v) { return approximate_ = std::move(v), *this; }
  const std::string& approximate() const { return approximate_; }

 private:
  std::string approximate_ = "none";
};
struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  SoftmaxOptions& dim(int64_t v) { return dim_ = v, *this; }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};
using LogSoftmaxOptions = SoftmaxOptions;
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  DropoutOptions& p(double v) { return p_ = v, *this; }
  DropoutOptions& inplace(bool v) { return inplace_ = v, *this; }
  double p() const { return p_; }
  bool inplace() const { return inplace_; }

 private:
  double p_;
  bool inplace_ = false;
};

using Dropout2dOptions = DropoutOptions;

namespace functional {
using ReLUFuncOptions = ReLUOptions;
using LeakyReLUFuncOptions = LeakyReLUOptions;
using ELUFuncOptions = ELUOptions;
using GELUFuncOptions = GELUOptions;
using SoftmaxFuncOptions = SoftmaxOptions;
using LogSoftmaxFuncOptions = SoftmaxOptions;
struct DropoutFuncOptions {
  DropoutFuncOptions& p(double v) { return p_ = v, *this; }
  DropoutFuncOptions& training(bool v) { return training_ = v, *this; }
  DropoutFuncOptions& inplace(bool v) { return inplace_ = v, *this; }
  double p() const { return p_; }
  bool training() const { return training_; }
  bool inplace() const { return inplace_; }

 private:
  double p_ = 0.5;
  bool training_ = true;
  bool inplace_ = false;
};

inline Tensor relu(Tensor x, const ReLUFuncOptions& o = {}) { return o.inplace() ? x.relu_() : x.relu(); }
inline Tensor leaky_relu(const Tensor& x, const LeakyReLUFuncOptions& o = {}) {
  return ember::leaky_relu(x, o.negative_slope());
}
inline Tensor elu(const Tensor& x, const ELUFuncOptions& o = {}) { return ember::elu(x, o.alpha()); }
inline Tensor gelu(const Tensor& x, const GELUFuncOptions& o = {}) { return ember::gelu(x, o.approximate()); }
inline Tensor silu(const Tensor& x) { return ember::silu(x); }
inline Tensor sigmoid(const Tensor& x) { return x.sigmoid(); }
inline Tensor tanh(const Tensor& x) { return x.tanh(); }
inline Tensor softmax(const Tensor& x, const SoftmaxFuncOptions& o) { return x.softmax(o.dim()); }
inline Tensor log_softmax(const Tensor& x, const LogSoftmaxFuncOptions& o) { return x.log_softmax(o.dim()); }
inline Tensor dropout(const Tensor& x, const DropoutFuncOptions& o = {}) {
  return ember::dropout(x, o.p(), o.training());
}
using Dropout2dFuncOptions = DropoutFuncOptions;
// Zeroes whole channels of (N, C, H, W); any other rank counts as one unbatched sample (LibTorch's
// rule: a 3-D input is (C, H, W)). inplace writes into x.
inline Tensor dropout2d(Tensor x, const Dropout2dFuncOptions& o = {}) {
  EMBER_CHECK(o.p() >= 0 && o.p() <= 1, "dropout probability has to be between 0 and 1, but got ", o.p());
  const bool batched = x.dim() == 4;
  Tensor in = batched ? x : x.unsqueeze(0);
  Tensor out = o.inplace() ? ember::feature_dropout_(in, o.p(), o.training()) : ember::feature_dropout(in, o.p(), o.training());
  return batched ? out : out.squeeze(0);
}
}  // namespace functional

class ReLUImpl : public Cloneable<ReLUImpl> {
 public:
  explicit ReLUImpl(const ReLUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::ReLU()"; }
  Tensor forward(Tensor x) { return functional::relu(std::move(x), options); }
  ReLUOptions options;
};
class LeakyReLUImpl : public Cloneable<LeakyReLUImpl> {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::LeakyReLU(negative_slope=" << options.negative_slope() << ")";
  }
  Tensor forward(const Tensor& x) { return functional::leaky_relu(x, options); }
  LeakyReLUOptions options;
};
class ELUImpl : public Cloneable<ELUImpl> {
 public:
  explicit ELUImpl(const ELUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::ELU(alpha=" << options.alpha() << ")"; }
  Tensor forward(const Tensor& x) { return functional::elu(x, options); }
  ELUOptions options;
};
class GELUImpl : public Cloneable<GELUImpl> {
 public:
  explicit GELUImpl(const GELUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::GELU()"; }
  Tensor forward(const Tensor& x) { return functional::gelu(x, options); }
  GELUOptions options;
};
class SiLUImpl : public Cloneable<SiLUImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::SiLU()"; }
  Tensor forward(const Tensor& x) { return functional::silu(x); }
};
class SigmoidImpl : public Cloneable<SigmoidImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Sigmoid()"; }
  Tensor forward(const Tensor& x) { return x.sigmoid(); }
};
class TanhImpl : public Cloneable<TanhImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Tanh()"; }
  Tensor forward(const Tensor& x) { return x.tanh(); }
};
class SoftmaxImpl : public Cloneable<SoftmaxImpl> {
 public:
  explicit SoftmaxImpl(int64_t dim) : options(dim) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Softmax(dim=" << options.dim() << ")"; }
  Tensor forward(const Tensor& x) { return x.softmax(options.dim()); }
  SoftmaxOptions options;
};
class LogSoftmaxImpl : public Cloneable<LogSoftmaxImpl> {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : options(dim) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::LogSoftmax(dim=" << options.dim() << ")"; }
  Tensor forward(const Tensor& x) { return x.log_softmax(options.dim()); }
  LogSoftmaxOptions options;
};
// Zeroes elements with probability p while training and scales the rest by 1 / (1 - p).
class DropoutImpl : public Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options = {}) : options(options) {
    EMBER_CHECK(options.p() >= 0 && options.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
                options.p());
  }
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Dropout(p=" << options.p() << ", inplace=" << std::boolalpha << options.inplace() << ")";
  }
  Tensor forward(const Tensor& x) { return ember::dropout(x, options.p(), is_training()); }
  DropoutOptions options;
};

// Zeroes whole channels with probability p while training, scaling the rest by 1 / (1 - p).
class Dropout2dImpl : public Cloneable<Dropout2dImpl> {
 public:
  explicit Dropout2dImpl(double p) : Dropout2dImpl(Dropout2dOptions(p)) {}
  explicit Dropout2dImpl(const Dropout2dOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.p() >= 0 && options.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
                options.p());
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Dropout2d(p=" << options.p() << ", inplace=" << std::boolalpha << options.inplace() << ")";
  }
  Tensor forward(Tensor x) {
    return functional::dropout2d(std::move(x),
                                 functional::Dropout2dFuncOptions().p(options.p()).training(is_training()).inplace(
                                     options.inplace()));
  }
  Dropout2dOptions options;
};

// The holders (what TORCH_MODULE would declare).
template <typename ImplType>
class ActivationHolder : public ModuleHolder<ImplType> {
 public:
  using ModuleHolder<ImplType>::ModuleHolder;
  using Impl = ImplType;
};
class ReLU : public ActivationHolder<ReLUImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class LeakyReLU : public ActivationHolder<LeakyReLUImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class ELU : public ActivationHolder<ELUImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class GELU : public ActivationHolder<GELUImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class SiLU : public ActivationHolder<SiLUImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class Sigmoid : public ActivationHolder<SigmoidImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class Tanh : public ActivationHolder<TanhImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class Softmax : public ActivationHolder<SoftmaxImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class LogSoftmax : public ActivationHolder<LogSoftmaxImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class Dropout : public ActivationHolder<DropoutImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};
class Dropout2d : public ActivationHolder<Dropout2dImpl> {
 public:
  using ActivationHolder::ActivationHolder;
};

// clone() of each module here is compiled once, in src/nn/activation_instantiations.cpp (see Cloneable).
extern template class Cloneable<ReLUImpl>;
extern template class Cloneable<LeakyReLUImpl>;
extern template class Cloneable<ELUImpl>;
extern template class Cloneable<GELUImpl>;
extern template class Cloneable<SiLUImpl>;
extern template class Cloneable<SigmoidImpl>;
extern template class Cloneable<TanhImpl>;
extern template class Cloneable<SoftmaxImpl>;
extern template class Cloneable<LogSoftmaxImpl>;
extern template class Cloneable<DropoutImpl>;
extern template class Cloneable<Dropout2dImpl>;

}  // namespace nn
}  // namespace ember
