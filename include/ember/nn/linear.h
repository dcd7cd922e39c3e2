// Linear layers: Linear (PyTorch's default initialization), Identity, Flatten, Unflatten.
#pragma once
#include <ostream>
#include <vector>

#include "ember/nn/module.h"

namespace ember {
namespace nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& in_features(int64_t v) { return in_features_ = v, *this; }
  LinearOptions& out_features(int64_t v) { return out_features_ = v, *this; }
  LinearOptions& bias(bool v) { return bias_ = v, *this; }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }

 private:
  int64_t in_features_, out_features_;
  bool bias_ = true;
};

// y = x W^T + b, W of shape (out, in) drawn from kaiming_uniform_(a = sqrt(5)), b from U(-1/sqrt(in), 1/sqrt(in)).
class LinearImpl : public Cloneable<LinearImpl> {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
class Linear : public ModuleHolder<LinearImpl> {
 public:
  using ModuleHolder<LinearImpl>::ModuleHolder;
  using Impl = LinearImpl;
};

class IdentityImpl : public Cloneable<IdentityImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::Identity()"; }
  Tensor forward(const Tensor& input) { return input; }
};
class Identity : public ModuleHolder<IdentityImpl> {
 public:
  using ModuleHolder<IdentityImpl>::ModuleHolder;
  using Impl = IdentityImpl;
};

struct FlattenOptions {
  FlattenOptions& start_dim(int64_t v) { return start_dim_ = v, *this; }
  FlattenOptions& end_dim(int64_t v) { return end_dim_ = v, *this; }
  int64_t start_dim() const { return start_dim_; }
  int64_t end_dim() const { return end_dim_; }

 private:
  int64_t start_dim_ = 1, end_dim_ = -1;
};
class FlattenImpl : public Cloneable<FlattenImpl> {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  FlattenOptions options;
};
class Flatten : public ModuleHolder<FlattenImpl> {
 public:
  using ModuleHolder<FlattenImpl>::ModuleHolder;
  using Impl = FlattenImpl;
};

struct UnflattenOptions {
  UnflattenOptions(int64_t dim, std::vector<int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  UnflattenOptions& dim(int64_t v) { return dim_ = v, *this; }
  UnflattenOptions& sizes(std::vector<int64_t> v) { return sizes_ = std::move(v), *this; }
  int64_t dim() const { return dim_; }
  const std::vector<int64_t>& sizes() const { return sizes_; }

 private:
  int64_t dim_;
  std::vector<int64_t> sizes_;
};
class UnflattenImpl : public Cloneable<UnflattenImpl> {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes) : UnflattenImpl(UnflattenOptions(dim, std::move(sizes))) {}
  explicit UnflattenImpl(UnflattenOptions options) : options(std::move(options)) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  UnflattenOptions options;
};
class Unflatten : public ModuleHolder<UnflattenImpl> {
 public:
  using ModuleHolder<UnflattenImpl>::ModuleHolder;
  using Impl = UnflattenImpl;
};

namespace functional {
// input @ weight^T + bias (addmm for a matrix input, as PyTorch).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
}  // namespace functional

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<LinearImpl>;
extern template class Cloneable<IdentityImpl>;
extern template class Cloneable<FlattenImpl>;
extern template class Cloneable<UnflattenImpl>;

}  // namespace nn
}  // namespace ember
