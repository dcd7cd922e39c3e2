// Normalization layers: BatchNorm1d/2d/3d (running statistics, momentum or cumulative average,
// num_batches_tracked), LayerNorm, GroupNorm, and their functional forms with LibTorch's options.
#pragma once
#include <optional>
#include <ostream>
#include <vector>

#include "ember/nn/module.h"
#include "ember/ops/norm.h"

namespace ember {
namespace nn {

struct BatchNormOptions {
  /* implicit */ BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  BatchNormOptions& num_features(int64_t v) { return num_features_ = v, *this; }
  BatchNormOptions& eps(double v) { return eps_ = v, *this; }
  // nullopt: running statistics are the cumulative average of all batches seen.
  BatchNormOptions& momentum(std::optional<double> v) { return momentum_ = v, *this; }
  BatchNormOptions& affine(bool v) { return affine_ = v, *this; }
  BatchNormOptions& track_running_stats(bool v) { return track_running_stats_ = v, *this; }
  int64_t num_features() const { return num_features_; }
  double eps() const { return eps_; }
  std::optional<double> momentum() const { return momentum_; }
  bool affine() const { return affine_; }
  bool track_running_stats() const { return track_running_stats_; }

 private:
  int64_t num_features_;
  double eps_ = 1e-5;
  std::optional<double> momentum_ = 0.1;
  bool affine_ = true;
  bool track_running_stats_ = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

struct LayerNormOptions {
  /* implicit */ LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  LayerNormOptions& normalized_shape(std::vector<int64_t> v) { return normalized_shape_ = std::move(v), *this; }
  LayerNormOptions& eps(double v) { return eps_ = v, *this; }
  LayerNormOptions& elementwise_affine(bool v) { return elementwise_affine_ = v, *this; }
  const std::vector<int64_t>& normalized_shape() const { return normalized_shape_; }
  double eps() const { return eps_; }
  bool elementwise_affine() const { return elementwise_affine_; }

 private:
  std::vector<int64_t> normalized_shape_;
  double eps_ = 1e-5;
  bool elementwise_affine_ = true;
};

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  GroupNormOptions& num_groups(int64_t v) { return num_groups_ = v, *this; }
  GroupNormOptions& num_channels(int64_t v) { return num_channels_ = v, *this; }
  GroupNormOptions& eps(double v) { return eps_ = v, *this; }
  GroupNormOptions& affine(bool v) { return affine_ = v, *this; }
  int64_t num_groups() const { return num_groups_; }
  int64_t num_channels() const { return num_channels_; }
  double eps() const { return eps_; }
  bool affine() const { return affine_; }

 private:
  int64_t num_groups_, num_channels_;
  double eps_ = 1e-5;
  bool affine_ = true;
};

namespace functional {
struct BatchNormFuncOptions {
  BatchNormFuncOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  BatchNormFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  BatchNormFuncOptions& training(bool v) { return training_ = v, *this; }
  BatchNormFuncOptions& momentum(std::optional<double> v) { return momentum_ = v, *this; }
  BatchNormFuncOptions& eps(double v) { return eps_ = v, *this; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  bool training() const { return training_; }
  std::optional<double> momentum() const { return momentum_; }
  double eps() const { return eps_; }

 private:
  Tensor weight_, bias_;
  bool training_ = false;
  std::optional<double> momentum_ = 0.1;
  double eps_ = 1e-5;
};

struct LayerNormFuncOptions {
  /* implicit */ LayerNormFuncOptions(std::vector<int64_t> normalized_shape)
      : normalized_shape_(std::move(normalized_shape)) {}
  LayerNormFuncOptions& normalized_shape(std::vector<int64_t> v) { return normalized_shape_ = std::move(v), *this; }
  LayerNormFuncOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  LayerNormFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  LayerNormFuncOptions& eps(double v) { return eps_ = v, *this; }
  const std::vector<int64_t>& normalized_shape() const { return normalized_shape_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  double eps() const { return eps_; }

 private:
  std::vector<int64_t> normalized_shape_;
  Tensor weight_, bias_;
  double eps_ = 1e-5;
};

struct GroupNormFuncOptions {
  /* implicit */ GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}
  GroupNormFuncOptions& num_groups(int64_t v) { return num_groups_ = v, *this; }
  GroupNormFuncOptions& weight(Tensor v) { return weight_ = std::move(v), *this; }
  GroupNormFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  GroupNormFuncOptions& eps(double v) { return eps_ = v, *this; }
  int64_t num_groups() const { return num_groups_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  double eps() const { return eps_; }

 private:
  int64_t num_groups_;
  Tensor weight_, bias_;
  double eps_ = 1e-5;
};

// momentum nullopt has no meaning without a module's batch count: it is an error here.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
inline Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  return ember::layer_norm(input, o.normalized_shape(), o.weight(), o.bias(), o.eps());
}
inline Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  return ember::group_norm(input, o.num_groups(), o.weight(), o.bias(), o.eps());
}
}  // namespace functional

// The shared part of BatchNorm1d/2d/3d; D is the number of spatial dims the layer is named for.
template <size_t D, typename Derived>
class BatchNormImplBase : public Cloneable<Derived> {
 public:
  explicit BatchNormImplBase(const BatchNormOptions& options_) : options(options_) { reset(); }
  void reset() override;
  void reset_running_stats();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  BatchNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};

class BatchNorm1dImpl : public BatchNormImplBase<1, BatchNorm1dImpl> {
 public:
  using BatchNormImplBase::BatchNormImplBase;
};
class BatchNorm2dImpl : public BatchNormImplBase<2, BatchNorm2dImpl> {
 public:
  using BatchNormImplBase::BatchNormImplBase;
};
class BatchNorm3dImpl : public BatchNormImplBase<3, BatchNorm3dImpl> {
 public:
  using BatchNormImplBase::BatchNormImplBase;
};
extern template class BatchNormImplBase<1, BatchNorm1dImpl>;
extern template class BatchNormImplBase<2, BatchNorm2dImpl>;
extern template class BatchNormImplBase<3, BatchNorm3dImpl>;

class BatchNorm1d : public ModuleHolder<BatchNorm1dImpl> {
 public:
  using ModuleHolder<BatchNorm1dImpl>::ModuleHolder;
  using Impl = BatchNorm1dImpl;
};
class BatchNorm2d : public ModuleHolder<BatchNorm2dImpl> {
 public:
  using ModuleHolder<BatchNorm2dImpl>::ModuleHolder;
  using Impl = BatchNorm2dImpl;
};
class BatchNorm3d : public ModuleHolder<BatchNorm3dImpl> {
 public:
  using ModuleHolder<BatchNorm3dImpl>::ModuleHolder;
  using Impl = BatchNorm3dImpl;
};

// Normalises over the trailing normalized_shape dims; weight ones and bias zeros of that shape.
class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape) : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(const LayerNormOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LayerNormOptions options;
  Tensor weight, bias;
};
class LayerNorm : public ModuleHolder<LayerNormImpl> {
 public:
  using ModuleHolder<LayerNormImpl>::ModuleHolder;
  using Impl = LayerNormImpl;
};

class GroupNormImpl : public Cloneable<GroupNormImpl> {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  GroupNormOptions options;
  Tensor weight, bias;
};
class GroupNorm : public ModuleHolder<GroupNormImpl> {
 public:
  using ModuleHolder<GroupNormImpl>::ModuleHolder;
  using Impl = GroupNormImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<BatchNorm1dImpl>;
extern template class Cloneable<BatchNorm2dImpl>;
extern template class Cloneable<BatchNorm3dImpl>;
extern template class Cloneable<LayerNormImpl>;
extern template class Cloneable<GroupNormImpl>;

}  // namespace nn
}  // namespace ember
