// EmbeddingBag and functional::embedding_bag with LibTorch's options and printing: the sum, mean
// or max of the embeddings of each bag of indices (bags given by offsets into a 1-D input, or the
// rows of a 2-D input).
#pragma once
#include <optional>
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/loss.h"

namespace ember {

// torch::kMax (kSum and kMean are the reduction constants of ops/loss.h).
namespace enumtype {
struct kMax {};
}  // namespace enumtype
constexpr enumtype::kMax kMax{};

namespace nn {

// An EmbeddingBag mode: torch::kSum, torch::kMean or torch::kMax.
class EmbeddingBagMode {
 public:
  EmbeddingBagMode(Reduction::Reduction r) : mode_(r == Reduction::Sum ? 0 : 1) {
    EMBER_CHECK(r != Reduction::None, "EmbeddingBag: mode must be kSum, kMean or kMax");
  }
  EmbeddingBagMode(enumtype::kMax) : mode_(2) {}
  // 0 sum, 1 mean, 2 max (ATen's mode numbers).
  int index() const { return mode_; }
  const char* name() const { return mode_ == 0 ? "kSum" : (mode_ == 1 ? "kMean" : "kMax"); }

 private:
  int mode_;
};

struct EmbeddingBagOptions {
  using mode_t = EmbeddingBagMode;
  EmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EmbeddingBagOptions& num_embeddings(int64_t v) { return num_embeddings_ = v, *this; }
  EmbeddingBagOptions& embedding_dim(int64_t v) { return embedding_dim_ = v, *this; }
  EmbeddingBagOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingBagOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingBagOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingBagOptions& mode(mode_t v) { return mode_ = v, *this; }
  EmbeddingBagOptions& sparse(bool v) { return sparse_ = v, *this; }
  EmbeddingBagOptions& _weight(Tensor v) { return weight_ = std::move(v), *this; }
  EmbeddingBagOptions& include_last_offset(bool v) { return include_last_offset_ = v, *this; }
  EmbeddingBagOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  const mode_t& mode() const { return mode_; }
  bool sparse() const { return sparse_; }
  const Tensor& _weight() const { return weight_; }
  bool include_last_offset() const { return include_last_offset_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

 private:
  int64_t num_embeddings_, embedding_dim_;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  mode_t mode_ = Reduction::Mean;
  bool sparse_ = false;
  Tensor weight_;
  bool include_last_offset_ = false;
  std::optional<int64_t> padding_idx_;
};

// The options of EmbeddingBag::from_pretrained.
struct EmbeddingBagFromPretrainedOptions {
  EmbeddingBagFromPretrainedOptions& freeze(bool v) { return freeze_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& mode(EmbeddingBagMode v) { return mode_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& sparse(bool v) { return sparse_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& include_last_offset(bool v) { return include_last_offset_ = v, *this; }
  EmbeddingBagFromPretrainedOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  bool freeze() const { return freeze_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  const EmbeddingBagMode& mode() const { return mode_; }
  bool sparse() const { return sparse_; }
  bool include_last_offset() const { return include_last_offset_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

 private:
  bool freeze_ = true;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  EmbeddingBagMode mode_ = Reduction::Mean;
  bool sparse_ = false;
  bool include_last_offset_ = false;
  std::optional<int64_t> padding_idx_;
};

namespace functional {
struct EmbeddingBagFuncOptions {
  EmbeddingBagFuncOptions& offsets(Tensor v) { return offsets_ = std::move(v), *this; }
  EmbeddingBagFuncOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingBagFuncOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingBagFuncOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingBagFuncOptions& mode(EmbeddingBagMode v) { return mode_ = v, *this; }
  EmbeddingBagFuncOptions& sparse(bool v) { return sparse_ = v, *this; }
  EmbeddingBagFuncOptions& per_sample_weights(Tensor v) { return per_sample_weights_ = std::move(v), *this; }
  EmbeddingBagFuncOptions& include_last_offset(bool v) { return include_last_offset_ = v, *this; }
  EmbeddingBagFuncOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  const Tensor& offsets() const { return offsets_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  const EmbeddingBagMode& mode() const { return mode_; }
  bool sparse() const { return sparse_; }
  const Tensor& per_sample_weights() const { return per_sample_weights_; }
  bool include_last_offset() const { return include_last_offset_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

 private:
  Tensor offsets_;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  EmbeddingBagMode mode_ = Reduction::Mean;
  bool sparse_ = false;
  Tensor per_sample_weights_;
  bool include_last_offset_ = false;
  std::optional<int64_t> padding_idx_;
};

// (bags, embedding_dim); an empty bag gives zeros. Indices equal to padding_idx are left out of
// their bag (and of its mean).
Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& options = {});
}  // namespace functional

// weight (num_embeddings, embedding_dim) drawn from N(0, 1), the padding_idx row zeroed.
class EmbeddingBagImpl : public Cloneable<EmbeddingBagImpl> {
 public:
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBagImpl(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingBagImpl(EmbeddingBagOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& offsets = {}, const Tensor& per_sample_weights = {});

  EmbeddingBagOptions options;
  Tensor weight;
};
class EmbeddingBag : public ModuleHolder<EmbeddingBagImpl> {
 public:
  using ModuleHolder<EmbeddingBagImpl>::ModuleHolder;
  using Impl = EmbeddingBagImpl;
  // An EmbeddingBag whose weight is `embeddings` (rows, cols), frozen unless freeze(false).
  static EmbeddingBag from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& options = {});
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<EmbeddingBagImpl>;

}  // namespace nn
}  // namespace ember
