// Embedding, Embedding::from_pretrained and functional::embedding.
#include "ember/nn/embedding.h"

#include "ember/autograd/grad_mode.h"
#include "ember/nn/init.h"
#include "ember/ops/factory.h"

namespace ember {
namespace nn {

namespace {
// padding_idx checked against num_embeddings and made non-negative (nullopt stays nullopt).
std::optional<int64_t> resolve_padding_idx(std::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx) return padding_idx;
  if (*padding_idx > 0) EMBER_CHECK(*padding_idx < num_embeddings, "Padding_idx must be within num_embeddings");
  if (*padding_idx < 0) {
    EMBER_CHECK(*padding_idx >= -num_embeddings, "Padding_idx must be within num_embedding");
    return num_embeddings + *padding_idx;
  }
  return padding_idx;
}
}  // namespace

namespace functional {
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& o) {
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  const std::optional<int64_t> padding_idx = resolve_padding_idx(o.padding_idx(), weight.size(0));
  if (o.max_norm()) {
    // embedding_renorm_ checks every index before it writes; sparse is refused before it too.
    EMBER_CHECK(!o.sparse(), "embedding: sparse=true asks for a sparse gradient, and ember has no sparse tensors");
    Tensor w = weight;
    embedding_renorm_(w, input, *o.max_norm(), o.norm_type());
  }
  return ember::embedding(weight, input, padding_idx.value_or(-1), o.scale_grad_by_freq(), o.sparse());
}
}  // namespace functional

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions options_) : options(std::move(options_)) { reset(); }

void EmbeddingImpl::reset() {
  EMBER_CHECK(options.num_embeddings() >= 0 && options.embedding_dim() >= 0,
              "Embedding: num_embeddings and embedding_dim must be non-negative, got ", options.num_embeddings(), " and ",
              options.embedding_dim());
  options.padding_idx(resolve_padding_idx(options.padding_idx(), options.num_embeddings()));
  if (!options._weight().defined()) {
    weight = register_parameter("weight", empty({options.num_embeddings(), options.embedding_dim()}));
    reset_parameters();
  } else {
    EMBER_CHECK(options._weight().sizes() == IntArrayRef({options.num_embeddings(), options.embedding_dim()}),
                "Shape of _weight does not match num_embeddings and embedding_dim");
    weight = register_parameter("weight", options._weight());
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard ng;
    weight[*options.padding_idx()].fill_(0);
  }
}

void EmbeddingImpl::pretty_print(std::ostream& s) const {
  s << "torch::nn::Embedding(num_embeddings=" << options.num_embeddings()
    << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx()) s << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) s << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) s << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) s << ", scale_grad_by_freq=true";
  if (options.sparse()) s << ", sparse=true";
  s << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return functional::embedding(indices, weight,
                               functional::EmbeddingFuncOptions()
                                   .padding_idx(options.padding_idx())
                                   .max_norm(options.max_norm())
                                   .norm_type(options.norm_type())
                                   .scale_grad_by_freq(options.scale_grad_by_freq())
                                   .sparse(options.sparse()));
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& o) {
  EMBER_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                  ._weight(embeddings)
                  .padding_idx(o.padding_idx())
                  .max_norm(o.max_norm())
                  .norm_type(o.norm_type())
                  .scale_grad_by_freq(o.scale_grad_by_freq())
                  .sparse(o.sparse()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

}  // namespace nn
}  // namespace ember
