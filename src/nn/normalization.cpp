// BatchNorm1d/2d/3d, LayerNorm, GroupNorm and functional::batch_norm.
#include "ember/nn/normalization.h"

#include "ember/autograd/grad_mode.h"
#include "ember/nn/init.h"
#include "ember/ops/factory.h"

namespace ember {
namespace nn {

namespace {
// As LibTorch's functional and module forms (the op itself computes): one value per channel has no
// variance to normalise by, and its running variance would become NaN.
void check_values_per_channel(const Tensor& input, bool training) {
  const int64_t c = input.dim() >= 2 ? input.size(1) : 0;
  EMBER_CHECK(!training || c == 0 || input.numel() / c != 1,
              "Expected more than 1 value per channel when training, got input size ", input.sizes());
}
}  // namespace

namespace functional {
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  EMBER_CHECK(o.momentum().has_value(),
              "batch_norm: momentum must have a value (a cumulative average needs BatchNorm's num_batches_tracked)");
  check_values_per_channel(input, o.training());
  return ember::batch_norm(input, o.weight(), o.bias(), running_mean, running_var, o.training(), *o.momentum(),
                           o.eps());
}
}  // namespace functional

template <size_t D, typename Derived>
void BatchNormImplBase<D, Derived>::reset() {
  const int64_t c = options.num_features();
  EMBER_CHECK(c >= 0, "BatchNorm", D, "d: num_features must be non-negative, got ", c);
  if (options.affine()) {
    weight = this->register_parameter("weight", empty({c}));
    bias = this->register_parameter("bias", empty({c}));
  } else {
    weight = this->register_parameter("weight", Tensor(), false);
    bias = this->register_parameter("bias", Tensor(), false);
  }
  if (options.track_running_stats()) {
    running_mean = this->register_buffer("running_mean", zeros({c}));
    running_var = this->register_buffer("running_var", ones({c}));
    num_batches_tracked = this->register_buffer("num_batches_tracked", zeros({}, TensorOptions(kLong)));
  } else {
    running_mean = this->register_buffer("running_mean", Tensor());
    running_var = this->register_buffer("running_var", Tensor());
    num_batches_tracked = this->register_buffer("num_batches_tracked", Tensor());
  }
  reset_parameters();
}

template <size_t D, typename Derived>
void BatchNormImplBase<D, Derived>::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard ng;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

template <size_t D, typename Derived>
void BatchNormImplBase<D, Derived>::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

template <size_t D, typename Derived>
void BatchNormImplBase<D, Derived>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::BatchNorm" << D << "d(" << options.num_features() << ", eps=" << options.eps()
    << ", momentum=";
  if (options.momentum()) s << *options.momentum();
  else s << "None";
  s << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

template <size_t D, typename Derived>
Tensor BatchNormImplBase<D, Derived>::forward(const Tensor& input) {
  if constexpr (D == 1) {
    EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "expected 2D or 3D input (got ", input.dim(), "D input)");
  } else {
    EMBER_CHECK(input.dim() == D + 2, "expected ", D + 2, "D input (got ", input.dim(), "D input)");
  }
  const bool use_batch_stats = this->is_training() || !options.track_running_stats();
  check_values_per_channel(input, use_batch_stats);
  const bool update = this->is_training() && options.track_running_stats();
  double factor = options.momentum().value_or(0.0);
  // Cumulative average: this batch weighs 1 / (batches seen, this one included).
  if (update && !options.momentum())
    factor = 1.0 / static_cast<double>(num_batches_tracked.template item<int64_t>() + 1);
  Tensor out = ember::batch_norm(input, weight, bias, running_mean, running_var, use_batch_stats, factor, options.eps());
  // Counted after batch_norm has accepted the input, so a bad call changes nothing.
  if (update) {
    NoGradGuard ng;
    num_batches_tracked.add_(1);
  }
  return out;
}

template class BatchNormImplBase<1, BatchNorm1dImpl>;
template class BatchNormImplBase<2, BatchNorm2dImpl>;
template class BatchNormImplBase<3, BatchNorm3dImpl>;

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options_) : options(options_) { reset(); }

void LayerNormImpl::reset() {
  for (int64_t s : options.normalized_shape())
    EMBER_CHECK(s >= 0, "LayerNorm: normalized_shape must be non-negative, got ", IntArrayRef(options.normalized_shape()));
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ember::empty(IntArrayRef(options.normalized_shape())));
    bias = register_parameter("bias", ember::empty(IntArrayRef(options.normalized_shape())));
  } else {
    weight = register_parameter("weight", Tensor(), false);
    bias = register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void LayerNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::LayerNorm(" << IntArrayRef(options.normalized_shape()) << ", eps=" << options.eps()
    << ", elementwise_affine=" << options.elementwise_affine() << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return ember::layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options_) : options(options_) { reset(); }

void GroupNormImpl::reset() {
  EMBER_CHECK(options.num_channels() >= 0, "GroupNorm: num_channels must be non-negative, got ", options.num_channels());
  if (options.affine()) {
    weight = register_parameter("weight", empty({options.num_channels()}));
    bias = register_parameter("bias", empty({options.num_channels()}));
  } else {
    weight = register_parameter("weight", Tensor(), false);
    bias = register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!options.affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void GroupNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::GroupNorm(" << options.num_groups() << ", " << options.num_channels()
    << ", eps=" << options.eps() << ", affine=" << options.affine() << ")";
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return ember::group_norm(input, options.num_groups(), weight, bias, options.eps());
}

}  // namespace nn
}  // namespace ember
