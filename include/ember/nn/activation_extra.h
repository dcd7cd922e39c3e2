// More activation modules with LibTorch's Options, functionals and printing: Softplus, Hardtanh,
// ReLU6, Mish, SELU, CELU, GLU, Softmin, LogSigmoid, Threshold, Softsign, Tanhshrink, Softshrink,
// Hardshrink, PReLU, RReLU, Softmax2d; AlphaDropout and FeatureAlphaDropout.
#pragma once
#include <optional>
#include <ostream>

#include "ember/nn/activation.h"
#include "ember/nn/module.h"
#include "ember/ops/activation.h"
#include "ember/ops/activation_extra.h"
#include "ember/ops/factory.h"

namespace ember {
namespace nn {

struct SoftplusOptions {
  SoftplusOptions& beta(double v) { return beta_ = v, *this; }
  SoftplusOptions& threshold(double v) { return threshold_ = v, *this; }
  double beta() const { return beta_; }
  double threshold() const { return threshold_; }

 private:
  double beta_ = 1.0, threshold_ = 20.0;
};
struct HardtanhOptions {
  HardtanhOptions& min_val(double v) { return min_val_ = v, *this; }
  HardtanhOptions& max_val(double v) { return max_val_ = v, *this; }
  HardtanhOptions& inplace(bool v) { return inplace_ = v, *this; }
  double min_val() const { return min_val_; }
  double max_val() const { return max_val_; }
  bool inplace() const { return inplace_; }

 private:
  double min_val_ = -1.0, max_val_ = 1.0;
  bool inplace_ = false;
};
// SELU and ReLU6 take only `inplace` (LibTorch's SELUOptions / ReLU6Options).
struct SELUOptions {
  SELUOptions(bool inplace = false) : inplace_(inplace) {}
  SELUOptions& inplace(bool v) { return inplace_ = v, *this; }
  bool inplace() const { return inplace_; }

 private:
  bool inplace_;
};
struct ReLU6Options {
  ReLU6Options(bool inplace = false) : inplace_(inplace) {}
  ReLU6Options& inplace(bool v) { return inplace_ = v, *this; }
  bool inplace() const { return inplace_; }

 private:
  bool inplace_;
};
struct CELUOptions {
  CELUOptions& alpha(double v) { return alpha_ = v, *this; }
  CELUOptions& inplace(bool v) { return inplace_ = v, *this; }
  double alpha() const { return alpha_; }
  bool inplace() const { return inplace_; }

 private:
  double alpha_ = 1.0;
  bool inplace_ = false;
};
struct GLUOptions {
  GLUOptions(int64_t dim = -1) : dim_(dim) {}
  GLUOptions& dim(int64_t v) { return dim_ = v, *this; }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};
struct SoftminOptions {
  SoftminOptions(int64_t dim) : dim_(dim) {}
  SoftminOptions& dim(int64_t v) { return dim_ = v, *this; }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};
struct ThresholdOptions {
  ThresholdOptions(double threshold, double value) : threshold_(threshold), value_(value) {}
  ThresholdOptions& threshold(double v) { return threshold_ = v, *this; }
  ThresholdOptions& value(double v) { return value_ = v, *this; }
  ThresholdOptions& inplace(bool v) { return inplace_ = v, *this; }
  double threshold() const { return threshold_; }
  double value() const { return value_; }
  bool inplace() const { return inplace_; }

 private:
  double threshold_, value_;
  bool inplace_ = false;
};
// Softshrink and Hardshrink: one `lambda` (default 0.5).
struct SoftshrinkOptions {
  SoftshrinkOptions(double lambda = 0.5) : lambda_(lambda) {}
  SoftshrinkOptions& lambda(double v) { return lambda_ = v, *this; }
  double lambda() const { return lambda_; }

 private:
  double lambda_;
};
using HardshrinkOptions = SoftshrinkOptions;
struct PReLUOptions {
  PReLUOptions& num_parameters(int64_t v) { return num_parameters_ = v, *this; }
  PReLUOptions& init(double v) { return init_ = v, *this; }
  int64_t num_parameters() const { return num_parameters_; }
  double init() const { return init_; }

 private:
  int64_t num_parameters_ = 1;
  double init_ = 0.25;
};
struct RReLUOptions {
  RReLUOptions& lower(double v) { return lower_ = v, *this; }
  RReLUOptions& upper(double v) { return upper_ = v, *this; }
  RReLUOptions& inplace(bool v) { return inplace_ = v, *this; }
  double lower() const { return lower_; }
  double upper() const { return upper_; }
  bool inplace() const { return inplace_; }

 private:
  double lower_ = 1.0 / 8.0, upper_ = 1.0 / 3.0;
  bool inplace_ = false;
};
using AlphaDropoutOptions = DropoutOptions;
using FeatureAlphaDropoutOptions = DropoutOptions;

namespace functional {
using SoftplusFuncOptions = SoftplusOptions;
using HardtanhFuncOptions = HardtanhOptions;
using SELUFuncOptions = SELUOptions;
using ReLU6FuncOptions = ReLU6Options;
using CELUFuncOptions = CELUOptions;
using GLUFuncOptions = GLUOptions;
using ThresholdFuncOptions = ThresholdOptions;
using SoftshrinkFuncOptions = SoftshrinkOptions;
using HardshrinkFuncOptions = HardshrinkOptions;
struct SoftminFuncOptions {
  SoftminFuncOptions(int64_t dim) : dim_(dim) {}
  SoftminFuncOptions& dim(int64_t v) { return dim_ = v, *this; }
  SoftminFuncOptions& dtype(std::optional<ScalarType> v) { return dtype_ = v, *this; }
  int64_t dim() const { return dim_; }
  const std::optional<ScalarType>& dtype() const { return dtype_; }

 private:
  int64_t dim_;
  std::optional<ScalarType> dtype_;
};
struct RReLUFuncOptions {
  RReLUFuncOptions& lower(double v) { return lower_ = v, *this; }
  RReLUFuncOptions& upper(double v) { return upper_ = v, *this; }
  RReLUFuncOptions& training(bool v) { return training_ = v, *this; }
  RReLUFuncOptions& inplace(bool v) { return inplace_ = v, *this; }
  double lower() const { return lower_; }
  double upper() const { return upper_; }
  bool training() const { return training_; }
  bool inplace() const { return inplace_; }

 private:
  double lower_ = 1.0 / 8.0, upper_ = 1.0 / 3.0;
  bool training_ = false, inplace_ = false;
};
// LibTorch's alpha dropout defaults to training=false in the functional form.
struct AlphaDropoutFuncOptions {
  AlphaDropoutFuncOptions& p(double v) { return p_ = v, *this; }
  AlphaDropoutFuncOptions& training(bool v) { return training_ = v, *this; }
  AlphaDropoutFuncOptions& inplace(bool v) { return inplace_ = v, *this; }
  double p() const { return p_; }
  bool training() const { return training_; }
  bool inplace() const { return inplace_; }

 private:
  double p_ = 0.5;
  bool training_ = false, inplace_ = false;
};
using FeatureAlphaDropoutFuncOptions = AlphaDropoutFuncOptions;

namespace detail {
// `inplace` writes f's result into x, as LibTorch's _ variants do. f reads a copy of x, so the
// history f records does not hold the tensor being overwritten and backward still works.
template <typename Fn>
Tensor maybe_inplace(Tensor x, bool inplace, const Fn& f) {
  if (!inplace) return f(x);
  Tensor input = x.clone();
  Tensor result = f(input);
  if (result.is_same(input)) return x;  // f left its input alone (dropout in eval)
  x.copy_(result);
  return x;
}
}  // namespace detail

inline Tensor softplus(const Tensor& x, const SoftplusFuncOptions& o = {}) {
  return ember::softplus(x, o.beta(), o.threshold());
}
// min_val > max_val is accepted, as LibTorch does: the result is then max_val everywhere.
inline Tensor hardtanh(Tensor x, const HardtanhFuncOptions& o = {}) {
  return detail::maybe_inplace(x, o.inplace(),
                               [&](const Tensor& in) { return ember::hardtanh(in, o.min_val(), o.max_val()); });
}
inline Tensor relu6(Tensor x, const ReLU6FuncOptions& o = {}) {
  return detail::maybe_inplace(x, o.inplace(), [](const Tensor& in) { return ember::relu6(in); });
}
inline Tensor mish(const Tensor& x) { return ember::mish(x); }
inline Tensor selu(Tensor x, const SELUFuncOptions& o = {}) {
  return detail::maybe_inplace(x, o.inplace(), [](const Tensor& in) { return ember::selu(in); });
}
inline Tensor celu(Tensor x, const CELUFuncOptions& o = {}) {
  return detail::maybe_inplace(x, o.inplace(), [&](const Tensor& in) { return ember::celu(in, o.alpha()); });
}
inline Tensor glu(const Tensor& x, const GLUFuncOptions& o = {}) { return ember::glu(x, o.dim()); }
inline Tensor softmin(const Tensor& x, const SoftminFuncOptions& o) {
  return ember::softmax(x.neg(), o.dim(), o.dtype());
}
inline Tensor logsigmoid(const Tensor& x) { return ember::log_sigmoid(x); }
inline Tensor threshold(Tensor x, const ThresholdFuncOptions& o) {
  return detail::maybe_inplace(x, o.inplace(),
                               [&](const Tensor& in) { return ember::threshold(in, o.threshold(), o.value()); });
}
inline Tensor softsign(const Tensor& x) { return ember::softsign(x); }
inline Tensor tanhshrink(const Tensor& x) { return ember::tanhshrink(x); }
inline Tensor softshrink(const Tensor& x, const SoftshrinkFuncOptions& o = {}) {
  return ember::softshrink(x, o.lambda());
}
inline Tensor hardshrink(const Tensor& x, const HardshrinkFuncOptions& o = {}) {
  return ember::hardshrink(x, o.lambda());
}
inline Tensor prelu(const Tensor& x, const Tensor& weight) { return ember::prelu(x, weight); }
inline Tensor rrelu(Tensor x, const RReLUFuncOptions& o = {}) {
  return detail::maybe_inplace(
      x, o.inplace(), [&](const Tensor& in) { return ember::rrelu(in, o.lower(), o.upper(), o.training()); });
}
inline Tensor alpha_dropout(Tensor x, const AlphaDropoutFuncOptions& o = {}) {
  return detail::maybe_inplace(x, o.inplace(),
                               [&](const Tensor& in) { return ember::alpha_dropout(in, o.p(), o.training()); });
}
inline Tensor feature_alpha_dropout(Tensor x, const FeatureAlphaDropoutFuncOptions& o = {}) {
  return detail::maybe_inplace(
      x, o.inplace(), [&](const Tensor& in) { return ember::feature_alpha_dropout(in, o.p(), o.training()); });
}
}  // namespace functional

// Printing follows LibTorch: `inplace` appears only when it is true.
class SoftplusImpl : public Cloneable<SoftplusImpl> {
 public:
  explicit SoftplusImpl(const SoftplusOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Softplus(beta=" << options.beta() << ", threshold=" << options.threshold() << ")";
  }
  Tensor forward(const Tensor& x) { return functional::softplus(x, options); }
  SoftplusOptions options;
};
class HardtanhImpl : public Cloneable<HardtanhImpl> {
 public:
  explicit HardtanhImpl(const HardtanhOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.max_val() > options.min_val(), "max_val must be greater than min_val");
  }
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::Hardtanh(min_val=" << options.min_val() << ", max_val=" << options.max_val();
    if (options.inplace()) s << ", inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) { return functional::hardtanh(std::move(x), options); }
  HardtanhOptions options;
};
class ReLU6Impl : public Cloneable<ReLU6Impl> {
 public:
  explicit ReLU6Impl(const ReLU6Options& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::ReLU6(";
    if (options.inplace()) s << "inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) { return functional::relu6(std::move(x), options); }
  ReLU6Options options;
};
class MishImpl : public Cloneable<MishImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Mish()"; }
  Tensor forward(const Tensor& x) { return functional::mish(x); }
};
class SELUImpl : public Cloneable<SELUImpl> {
 public:
  explicit SELUImpl(const SELUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::SELU(";
    if (options.inplace()) s << "inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) { return functional::selu(std::move(x), options); }
  SELUOptions options;
};
class CELUImpl : public Cloneable<CELUImpl> {
 public:
  explicit CELUImpl(const CELUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::CELU(alpha=" << options.alpha();
    if (options.inplace()) s << ", inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) { return functional::celu(std::move(x), options); }
  CELUOptions options;
};
class GLUImpl : public Cloneable<GLUImpl> {
 public:
  explicit GLUImpl(const GLUOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::GLU(dim=" << options.dim() << ")"; }
  Tensor forward(const Tensor& x) { return functional::glu(x, options); }
  GLUOptions options;
};
class SoftminImpl : public Cloneable<SoftminImpl> {
 public:
  explicit SoftminImpl(int64_t dim) : options(dim) {}
  explicit SoftminImpl(const SoftminOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Softmin(dim=" << options.dim() << ")"; }
  Tensor forward(const Tensor& x) { return functional::softmin(x, options.dim()); }
  SoftminOptions options;
};
class LogSigmoidImpl : public Cloneable<LogSigmoidImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::LogSigmoid()"; }
  Tensor forward(const Tensor& x) { return functional::logsigmoid(x); }
};
class ThresholdImpl : public Cloneable<ThresholdImpl> {
 public:
  ThresholdImpl(double threshold, double value) : options(threshold, value) {}
  explicit ThresholdImpl(const ThresholdOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::Threshold(threshold=" << options.threshold() << ", value=" << options.value();
    if (options.inplace()) s << ", inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) { return functional::threshold(std::move(x), options); }
  ThresholdOptions options;
};
class SoftsignImpl : public Cloneable<SoftsignImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Softsign()"; }
  Tensor forward(const Tensor& x) { return functional::softsign(x); }
};
class TanhshrinkImpl : public Cloneable<TanhshrinkImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Tanhshrink()"; }
  Tensor forward(const Tensor& x) { return functional::tanhshrink(x); }
};
class SoftshrinkImpl : public Cloneable<SoftshrinkImpl> {
 public:
  explicit SoftshrinkImpl(const SoftshrinkOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Softshrink(" << options.lambda() << ")"; }
  Tensor forward(const Tensor& x) { return functional::softshrink(x, options); }
  SoftshrinkOptions options;
};
class HardshrinkImpl : public Cloneable<HardshrinkImpl> {
 public:
  explicit HardshrinkImpl(const HardshrinkOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Hardshrink(" << options.lambda() << ")"; }
  Tensor forward(const Tensor& x) { return functional::hardshrink(x, options); }
  HardshrinkOptions options;
};
// One learnable slope, or one per channel (dim 1), initialised to `init`.
class PReLUImpl : public Cloneable<PReLUImpl> {
 public:
  explicit PReLUImpl(const PReLUOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::PReLU(num_parameters=" << options.num_parameters() << ")";
  }
  Tensor forward(const Tensor& x) { return functional::prelu(x, weight); }
  PReLUOptions options;
  Tensor weight;
};
class RReLUImpl : public Cloneable<RReLUImpl> {
 public:
  explicit RReLUImpl(const RReLUOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.lower() <= options.upper(), "lower bound must be less than or equal to upper bound");
  }
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::RReLU(lower=" << options.lower() << ", upper=" << options.upper();
    if (options.inplace()) s << ", inplace=" << options.inplace();
    s << ")";
  }
  Tensor forward(Tensor x) {
    return functional::rrelu(std::move(x), functional::RReLUFuncOptions()
                                               .lower(options.lower())
                                               .upper(options.upper())
                                               .inplace(options.inplace())
                                               .training(is_training()));
  }
  RReLUOptions options;
};
class Softmax2dImpl : public Cloneable<Softmax2dImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Softmax2d()"; }
  Tensor forward(const Tensor& x) {
    EMBER_CHECK(x.dim() == 4 || x.dim() == 3, "Softmax2d requires a 3D or 4D tensor as input");
    return x.softmax(-3);
  }
};
class AlphaDropoutImpl : public Cloneable<AlphaDropoutImpl> {
 public:
  explicit AlphaDropoutImpl(double p) : AlphaDropoutImpl(AlphaDropoutOptions(p)) {}
  explicit AlphaDropoutImpl(const AlphaDropoutOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.p() >= 0. && options.p() <= 1., "dropout probability has to be between 0 and 1, but got ",
                options.p());
  }
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::AlphaDropout(p=" << options.p() << ", inplace=" << options.inplace() << ")";
  }
  Tensor forward(Tensor x) {
    return functional::alpha_dropout(
        std::move(x), functional::AlphaDropoutFuncOptions().p(options.p()).inplace(options.inplace()).training(
                          is_training()));
  }
  AlphaDropoutOptions options;
};
class FeatureAlphaDropoutImpl : public Cloneable<FeatureAlphaDropoutImpl> {
 public:
  explicit FeatureAlphaDropoutImpl(double p) : FeatureAlphaDropoutImpl(FeatureAlphaDropoutOptions(p)) {}
  explicit FeatureAlphaDropoutImpl(const FeatureAlphaDropoutOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.p() >= 0. && options.p() <= 1., "dropout probability has to be between 0 and 1, but got ",
                options.p());
  }
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::FeatureAlphaDropout(p=" << options.p() << ", inplace=" << options.inplace()
      << ")";
  }
  Tensor forward(Tensor x) {
    return functional::feature_alpha_dropout(
        std::move(x), functional::FeatureAlphaDropoutFuncOptions().p(options.p()).inplace(options.inplace()).training(
                          is_training()));
  }
  FeatureAlphaDropoutOptions options;
};

// The holders (what TORCH_MODULE would declare).
class Softplus : public ModuleHolder<SoftplusImpl> {
 public:
  using ModuleHolder<SoftplusImpl>::ModuleHolder;
  using Impl = SoftplusImpl;
};
class Hardtanh : public ModuleHolder<HardtanhImpl> {
 public:
  using ModuleHolder<HardtanhImpl>::ModuleHolder;
  using Impl = HardtanhImpl;
};
class ReLU6 : public ModuleHolder<ReLU6Impl> {
 public:
  using ModuleHolder<ReLU6Impl>::ModuleHolder;
  using Impl = ReLU6Impl;
};
class Mish : public ModuleHolder<MishImpl> {
 public:
  using ModuleHolder<MishImpl>::ModuleHolder;
  using Impl = MishImpl;
};
class SELU : public ModuleHolder<SELUImpl> {
 public:
  using ModuleHolder<SELUImpl>::ModuleHolder;
  using Impl = SELUImpl;
};
class CELU : public ModuleHolder<CELUImpl> {
 public:
  using ModuleHolder<CELUImpl>::ModuleHolder;
  using Impl = CELUImpl;
};
class GLU : public ModuleHolder<GLUImpl> {
 public:
  using ModuleHolder<GLUImpl>::ModuleHolder;
  using Impl = GLUImpl;
};
class Softmin : public ModuleHolder<SoftminImpl> {
 public:
  using ModuleHolder<SoftminImpl>::ModuleHolder;
  using Impl = SoftminImpl;
};
class LogSigmoid : public ModuleHolder<LogSigmoidImpl> {
 public:
  using ModuleHolder<LogSigmoidImpl>::ModuleHolder;
  using Impl = LogSigmoidImpl;
};
class Threshold : public ModuleHolder<ThresholdImpl> {
 public:
  using ModuleHolder<ThresholdImpl>::ModuleHolder;
  using Impl = ThresholdImpl;
};
class Softsign : public ModuleHolder<SoftsignImpl> {
 public:
  using ModuleHolder<SoftsignImpl>::ModuleHolder;
  using Impl = SoftsignImpl;
};
class Tanhshrink : public ModuleHolder<TanhshrinkImpl> {
 public:
  using ModuleHolder<TanhshrinkImpl>::ModuleHolder;
  using Impl = TanhshrinkImpl;
};
class Softshrink : public ModuleHolder<SoftshrinkImpl> {
 public:
  using ModuleHolder<SoftshrinkImpl>::ModuleHolder;
  using Impl = SoftshrinkImpl;
};
class Hardshrink : public ModuleHolder<HardshrinkImpl> {
 public:
  using ModuleHolder<HardshrinkImpl>::ModuleHolder;
  using Impl = HardshrinkImpl;
};
class PReLU : public ModuleHolder<PReLUImpl> {
 public:
  using ModuleHolder<PReLUImpl>::ModuleHolder;
  using Impl = PReLUImpl;
};
class RReLU : public ModuleHolder<RReLUImpl> {
 public:
  using ModuleHolder<RReLUImpl>::ModuleHolder;
  using Impl = RReLUImpl;
};
class Softmax2d : public ModuleHolder<Softmax2dImpl> {
 public:
  using ModuleHolder<Softmax2dImpl>::ModuleHolder;
  using Impl = Softmax2dImpl;
};
class AlphaDropout : public ModuleHolder<AlphaDropoutImpl> {
 public:
  using ModuleHolder<AlphaDropoutImpl>::ModuleHolder;
  using Impl = AlphaDropoutImpl;
};
class FeatureAlphaDropout : public ModuleHolder<FeatureAlphaDropoutImpl> {
 public:
  using ModuleHolder<FeatureAlphaDropoutImpl>::ModuleHolder;
  using Impl = FeatureAlphaDropoutImpl;
};

// clone() of each module here is compiled once, in src/nn/activation_instantiations.cpp (see Cloneable).
extern template class Cloneable<SoftplusImpl>;
extern template class Cloneable<HardtanhImpl>;
extern template class Cloneable<ReLU6Impl>;
extern template class Cloneable<MishImpl>;
extern template class Cloneable<SELUImpl>;
extern template class Cloneable<CELUImpl>;
extern template class Cloneable<GLUImpl>;
extern template class Cloneable<SoftminImpl>;
extern template class Cloneable<LogSigmoidImpl>;
extern template class Cloneable<ThresholdImpl>;
extern template class Cloneable<SoftsignImpl>;
extern template class Cloneable<TanhshrinkImpl>;
extern template class Cloneable<SoftshrinkImpl>;
extern template class Cloneable<HardshrinkImpl>;
extern template class Cloneable<PReLUImpl>;
extern template class Cloneable<RReLUImpl>;
extern template class Cloneable<Softmax2dImpl>;
extern template class Cloneable<AlphaDropoutImpl>;
extern template class Cloneable<FeatureAlphaDropoutImpl>;

}  // namespace nn
}  // namespace ember
