// Embedding (a lookup table of num_embeddings vectors, optional padding_idx and max_norm),
// Embedding::from_pretrained, and functional::embedding / one_hot with LibTorch's options.
#pragma once
#include <optional>
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/embedding.h"

namespace ember {
namespace nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EmbeddingOptions& num_embeddings(int64_t v) { return num_embeddings_ = v, *this; }
  EmbeddingOptions& embedding_dim(int64_t v) { return embedding_dim_ = v, *this; }
  EmbeddingOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  EmbeddingOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingOptions& sparse(bool v) { return sparse_ = v, *this; }
  // A ready-made weight (num_embeddings, embedding_dim) instead of a freshly initialised one.
  EmbeddingOptions& _weight(Tensor v) { return weight_ = std::move(v), *this; }
  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  bool sparse() const { return sparse_; }
  const Tensor& _weight() const { return weight_; }

 private:
  int64_t num_embeddings_, embedding_dim_;
  std::optional<int64_t> padding_idx_;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  bool sparse_ = false;
  Tensor weight_;
};

struct EmbeddingFromPretrainedOptions {
  EmbeddingFromPretrainedOptions& freeze(bool v) { return freeze_ = v, *this; }
  EmbeddingFromPretrainedOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  EmbeddingFromPretrainedOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingFromPretrainedOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingFromPretrainedOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingFromPretrainedOptions& sparse(bool v) { return sparse_ = v, *this; }
  bool freeze() const { return freeze_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  bool sparse() const { return sparse_; }

 private:
  bool freeze_ = true;
  std::optional<int64_t> padding_idx_;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  bool sparse_ = false;
};

namespace functional {
struct EmbeddingFuncOptions {
  EmbeddingFuncOptions& padding_idx(std::optional<int64_t> v) { return padding_idx_ = v, *this; }
  EmbeddingFuncOptions& max_norm(std::optional<double> v) { return max_norm_ = v, *this; }
  EmbeddingFuncOptions& norm_type(double v) { return norm_type_ = v, *this; }
  EmbeddingFuncOptions& scale_grad_by_freq(bool v) { return scale_grad_by_freq_ = v, *this; }
  EmbeddingFuncOptions& sparse(bool v) { return sparse_ = v, *this; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }
  std::optional<double> max_norm() const { return max_norm_; }
  double norm_type() const { return norm_type_; }
  bool scale_grad_by_freq() const { return scale_grad_by_freq_; }
  bool sparse() const { return sparse_; }

 private:
  std::optional<int64_t> padding_idx_;
  std::optional<double> max_norm_;
  double norm_type_ = 2.0;
  bool scale_grad_by_freq_ = false;
  bool sparse_ = false;
};

// Rows of weight picked by input; a negative padding_idx counts from the end.
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});
inline Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1) { return ember::one_hot(tensor, num_classes); }
}  // namespace functional

// weight (num_embeddings, embedding_dim) drawn from N(0, 1), the padding_idx row zeroed.
class EmbeddingImpl : public Cloneable<EmbeddingImpl> {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(EmbeddingOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& indices);

  EmbeddingOptions options;
  Tensor weight;
};
class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  using Impl = EmbeddingImpl;
  // An Embedding holding `embeddings` (2-D) as its weight, frozen (no grad) unless freeze(false).
  static Embedding from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options = {});
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<EmbeddingImpl>;

}  // namespace nn
}  // namespace ember
