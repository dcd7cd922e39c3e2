// Norm-based functionals and the CosineSimilarity and PairwiseDistance modules: normalize,
// cosine_similarity, pairwise_distance, with LibTorch's options.
#pragma once
#include <optional>
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/distance.h"
#include "ember/ops/loss_extra.h"

namespace ember {
namespace nn {

struct CosineSimilarityOptions {
  CosineSimilarityOptions& dim(int64_t v) { return dim_ = v, *this; }
  CosineSimilarityOptions& eps(double v) { return eps_ = v, *this; }
  int64_t dim() const { return dim_; }
  double eps() const { return eps_; }

 private:
  int64_t dim_ = 1;
  double eps_ = 1e-8;
};

namespace functional {
using CosineSimilarityFuncOptions = CosineSimilarityOptions;

struct NormalizeFuncOptions {
  NormalizeFuncOptions& p(double v) { return p_ = v, *this; }
  NormalizeFuncOptions& dim(int64_t v) { return dim_ = v, *this; }
  NormalizeFuncOptions& eps(double v) { return eps_ = v, *this; }
  NormalizeFuncOptions& out(std::optional<Tensor> v) { return out_ = std::move(v), *this; }
  double p() const { return p_; }
  int64_t dim() const { return dim_; }
  double eps() const { return eps_; }
  const std::optional<Tensor>& out() const { return out_; }

 private:
  double p_ = 2.0;
  int64_t dim_ = 1;
  double eps_ = 1e-12;
  std::optional<Tensor> out_;
};

// input / max(|input|_p, eps) along dim; with out, the result is also written into *out.
inline Tensor normalize(const Tensor& input, const NormalizeFuncOptions& options = {}) {
  Tensor denom = input.norm(Scalar(options.p()), {options.dim()}, true).clamp_min(options.eps()).expand_as(input);
  Tensor r = input.div(denom);
  if (!options.out()) return r;
  Tensor out = *options.out();
  out.copy_(r);
  return out;
}

inline Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& options = {}) {
  return ember::cosine_similarity(x1, x2, options.dim(), options.eps());
}
}  // namespace functional

class CosineSimilarityImpl : public Cloneable<CosineSimilarityImpl> {
 public:
  explicit CosineSimilarityImpl(const CosineSimilarityOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::CosineSimilarity(dim=" << options.dim() << ", eps=" << options.eps() << ")";
  }
  Tensor forward(const Tensor& x1, const Tensor& x2) { return functional::cosine_similarity(x1, x2, options); }
  CosineSimilarityOptions options;
};
class CosineSimilarity : public ModuleHolder<CosineSimilarityImpl> {
 public:
  using ModuleHolder<CosineSimilarityImpl>::ModuleHolder;
  using Impl = CosineSimilarityImpl;
};

struct PairwiseDistanceOptions {
  PairwiseDistanceOptions& p(double v) { return p_ = v, *this; }
  PairwiseDistanceOptions& eps(double v) { return eps_ = v, *this; }
  PairwiseDistanceOptions& keepdim(bool v) { return keepdim_ = v, *this; }
  double p() const { return p_; }
  double eps() const { return eps_; }
  bool keepdim() const { return keepdim_; }

 private:
  double p_ = 2.0, eps_ = 1e-6;
  bool keepdim_ = false;
};
namespace functional {
using PairwiseDistanceFuncOptions = PairwiseDistanceOptions;
inline Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& options = {}) {
  return ember::pairwise_distance(x1, x2, options.p(), options.eps(), options.keepdim());
}
}  // namespace functional
class PairwiseDistanceImpl : public Cloneable<PairwiseDistanceImpl> {
 public:
  explicit PairwiseDistanceImpl(const PairwiseDistanceOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << std::boolalpha << "torch::nn::PairwiseDistance(p=" << options.p() << ", eps=" << options.eps()
           << ", keepdim=" << options.keepdim() << ")";
  }
  Tensor forward(const Tensor& x1, const Tensor& x2) { return functional::pairwise_distance(x1, x2, options); }
  PairwiseDistanceOptions options;
};
class PairwiseDistance : public ModuleHolder<PairwiseDistanceImpl> {
 public:
  using ModuleHolder<PairwiseDistanceImpl>::ModuleHolder;
  using Impl = PairwiseDistanceImpl;
};

// clone() of each module here is compiled once, in src/nn/loss_instantiations.cpp (see Cloneable).
extern template class Cloneable<CosineSimilarityImpl>;
extern template class Cloneable<PairwiseDistanceImpl>;

}  // namespace nn
}  // namespace ember
