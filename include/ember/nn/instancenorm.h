// InstanceNorm1d/2d/3d and functional::instance_norm, with LibTorch's options and printing:
// each (sample, channel) is normalised over its own spatial dims, through batch_norm on an
// (1, N C, *) view, as ATen does.
#pragma once
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/factory.h"
#include "ember/ops/norm.h"

namespace ember {
namespace nn {

struct InstanceNormOptions {
  /* implicit */ InstanceNormOptions(int64_t num_features) : num_features_(num_features) {}
  InstanceNormOptions& num_features(int64_t v) { return num_features_ = v, *this; }
  InstanceNormOptions& eps(double v) { return eps_ = v, *this; }
  InstanceNormOptions& momentum(double v) { return momentum_ = v, *this; }
  InstanceNormOptions& affine(bool v) { return affine_ = v, *this; }
  InstanceNormOptions& track_running_stats(bool v) { return track_running_stats_ = v, *this; }
  int64_t num_features() const { return num_features_; }
  double eps() const { return eps_; }
  double momentum() const { return momentum_; }
  bool affine() const { return affine_; }
  bool track_running_stats() const { return track_running_stats_; }

 private:
  int64_t num_features_;
  double eps_ = 1e-5, momentum_ = 0.1;
  bool affine_ = false, track_running_stats_ = false;
};
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

namespace functional {
struct InstanceNormFuncOptions {
  InstanceNormFuncOptions& running_mean(Tensor v) { return running_mean_ = std::move(v), *this; }
  InstanceNormFuncOptions& running_var(Tensor v) { return running_var_ = std::move(v), *this; }
  InstanceNormFuncOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  InstanceNormFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  InstanceNormFuncOptions& use_input_stats(bool v) { return use_input_stats_ = v, *this; }
  InstanceNormFuncOptions& momentum(double v) { return momentum_ = v, *this; }
  InstanceNormFuncOptions& eps(double v) { return eps_ = v, *this; }
  const Tensor& running_mean() const { return running_mean_; }
  const Tensor& running_var() const { return running_var_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  bool use_input_stats() const { return use_input_stats_; }
  double momentum() const { return momentum_; }
  double eps() const { return eps_; }

 private:
  Tensor running_mean_, running_var_, weight_, bias_;
  bool use_input_stats_ = true;
  double momentum_ = 0.1, eps_ = 1e-5;
};

namespace detail {
// Running statistics, when given, are updated with the mean over the batch of the per-sample ones.
inline Tensor instance_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight, const Tensor& bias, bool use_input_stats, double momentum,
                            double eps) {
  EMBER_CHECK(use_input_stats || (running_mean.defined() && running_var.defined()),
              "Expected running_mean and running_var to be defined when use_input_stats is false");
  EMBER_CHECK(input.dim() >= 2, "instance_norm: expected an input of shape (N, C, *), got ", input.sizes());
  const int64_t b = input.size(0), c = input.size(1);
  DimVector shape(input.sizes());
  shape[1] = b * c;
  shape[0] = 1;
  Tensor w = weight.defined() ? weight.repeat({b}) : Tensor();
  Tensor bi = bias.defined() ? bias.repeat({b}) : Tensor();
  Tensor rm = running_mean.defined() ? running_mean.repeat({b}) : Tensor();
  Tensor rv = running_var.defined() ? running_var.repeat({b}) : Tensor();
  Tensor out = ember::batch_norm(input.contiguous().view(shape), w, bi, rm, rv, use_input_stats, momentum, eps);
  if (running_mean.defined()) {
    NoGradGuard ng;
    running_mean.copy_(rm.view({b, c}).mean({0}, false));
  }
  if (running_var.defined()) {
    NoGradGuard ng;
    running_var.copy_(rv.view({b, c}).mean({0}, false));
  }
  return out.view(input.sizes());
}
}  // namespace detail

inline Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& o = {}) {
  return detail::instance_norm(input, o.running_mean(), o.running_var(), o.weight(), o.bias(), o.use_input_stats(),
                               o.momentum(), o.eps());
}
}  // namespace functional

// Shared by InstanceNorm1d/2d/3d: D spatial dims, so (D + 2)-D batched or (D + 1)-D unbatched input.
template <size_t D, typename Derived>
class InstanceNormImpl : public Cloneable<Derived> {
 public:
  explicit InstanceNormImpl(const InstanceNormOptions& options) : options(options) { reset(); }
  void reset() override {
    const int64_t n = options.num_features();
    weight = this->register_parameter("weight", options.affine() ? ones({n}) : Tensor(), options.affine());
    bias = this->register_parameter("bias", options.affine() ? zeros({n}) : Tensor(), options.affine());
    const bool track = options.track_running_stats();
    running_mean = this->register_buffer("running_mean", track ? zeros({n}) : Tensor());
    running_var = this->register_buffer("running_var", track ? ones({n}) : Tensor());
    num_batches_tracked = this->register_buffer("num_batches_tracked", track ? scalar_tensor(0, kLong) : Tensor());
  }
  void reset_running_stats() {
    if (!options.track_running_stats()) return;
    NoGradGuard ng;
    running_mean.zero_();
    running_var.fill_(1);
    num_batches_tracked.zero_();
  }
  void reset_parameters() {
    reset_running_stats();
    if (!options.affine()) return;
    NoGradGuard ng;
    weight.fill_(1);
    bias.zero_();
  }
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::InstanceNorm" << D << "d(" << options.num_features() << ", eps=" << options.eps()
      << ", momentum=" << options.momentum() << ", affine=" << options.affine()
      << ", track_running_stats=" << options.track_running_stats() << ")";
  }
  Tensor forward(const Tensor& input) {
    const int64_t d = static_cast<int64_t>(D);
    if (D == 1)
      EMBER_CHECK(input.dim() == 3 || input.dim() == 2, "expected 2D or 3D input (got ", input.dim(), "D input)");
    else
      EMBER_CHECK(input.dim() == d + 2 || input.dim() == d + 1, "expected ", d + 1, "D or ", d + 2, "D input (got ",
                  input.dim(), "D input)");
    const bool unbatched = input.dim() == d + 1;
    Tensor x = unbatched ? input.unsqueeze(0) : input;
    Tensor out = functional::detail::instance_norm(x, running_mean, running_var, weight, bias,
                                                   this->is_training() || !options.track_running_stats(),
                                                   options.momentum(), options.eps());
    return unbatched ? out.squeeze(0) : out;
  }

  InstanceNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};

class InstanceNorm1dImpl : public InstanceNormImpl<1, InstanceNorm1dImpl> {
 public:
  using InstanceNormImpl<1, InstanceNorm1dImpl>::InstanceNormImpl;
};
class InstanceNorm2dImpl : public InstanceNormImpl<2, InstanceNorm2dImpl> {
 public:
  using InstanceNormImpl<2, InstanceNorm2dImpl>::InstanceNormImpl;
};
class InstanceNorm3dImpl : public InstanceNormImpl<3, InstanceNorm3dImpl> {
 public:
  using InstanceNormImpl<3, InstanceNorm3dImpl>::InstanceNormImpl;
};
class InstanceNorm1d : public ModuleHolder<InstanceNorm1dImpl> {
 public:
  using ModuleHolder<InstanceNorm1dImpl>::ModuleHolder;
  using Impl = InstanceNorm1dImpl;
};
class InstanceNorm2d : public ModuleHolder<InstanceNorm2dImpl> {
 public:
  using ModuleHolder<InstanceNorm2dImpl>::ModuleHolder;
  using Impl = InstanceNorm2dImpl;
};
class InstanceNorm3d : public ModuleHolder<InstanceNorm3dImpl> {
 public:
  using ModuleHolder<InstanceNorm3dImpl>::ModuleHolder;
  using Impl = InstanceNorm3dImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<InstanceNorm1dImpl>;
extern template class Cloneable<InstanceNorm2dImpl>;
extern template class Cloneable<InstanceNorm3dImpl>;

}  // namespace nn
}  // namespace ember
