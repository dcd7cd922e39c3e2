// EmbeddingBag: each bag's embeddings gathered with index_select and reduced with scatter_add
// (sum, mean) or a max over a padded (bags, longest bag, dim) view, so gradients come from those
// ops; LibTorch's argument checks and printing.
#include "ember/nn/embedding_bag.h"

#include <limits>
#include <vector>

#include "ember/ops/embedding.h"
#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/shape.h"

namespace ember {
namespace nn {

namespace functional {

Tensor embedding_bag(const Tensor& input_in, const Tensor& weight, const EmbeddingBagFuncOptions& o) {
  Tensor input = input_in, offsets = o.offsets(), psw = o.per_sample_weights();
  EMBER_CHECK(!psw.defined() || input.sizes() == psw.sizes(), "embedding_bag: If per_sample_weights (", psw.sizes(),
              ") is not null, then it must have the same shape as the input (", input.sizes(), ")");
  if (input.dim() == 2) {
    EMBER_CHECK(!offsets.defined(),
                "If input is 2D, then offsets has to be null, as input is treated is a mini-batch of fixed length "
                "sequences. However, found offsets of type Tensor");
    offsets = arange(0, input.numel(), std::max<int64_t>(input.size(1), 1), TensorOptions(kLong));
    if (input.size(1) == 0) offsets = zeros({input.size(0)}, TensorOptions(kLong));
    input = input.reshape({-1});
    if (psw.defined()) psw = psw.reshape({-1});
  } else if (input.dim() == 1) {
    EMBER_CHECK(offsets.defined(), "offsets has to be a 1D Tensor but got null");
    EMBER_CHECK(offsets.dim() == 1, "offsets has to be a 1D Tensor");
  } else {
    EMBER_CHECK(false, "input has to be 1D or 2D Tensor, but got Tensor of dimension ", input.dim());
  }
  const int mode = o.mode().index();
  EMBER_CHECK(!psw.defined() || mode == 0, "embedding_bag: per_sample_weights was not null. per_sample_weights is only "
              "supported for mode='kSum' (got mode='", o.mode().name(), "').Please open a feature request on GitHub.");
  EMBER_CHECK(!o.scale_grad_by_freq(), "embedding_bag: scale_grad_by_freq is not supported by ember");
  EMBER_CHECK(input.dtype() == kLong || input.dtype() == kInt,
              "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ",
              to_string(input.dtype()), " instead (while checking arguments for embedding_bag)");
  EMBER_CHECK(offsets.dtype() == kLong || offsets.dtype() == kInt,
              "Expected tensor for argument #1 'offsets' to have one of the following scalar types: Long, Int; but got ",
              to_string(offsets.dtype()), " instead (while checking arguments for embedding_bag)");
  EMBER_CHECK(weight.dim() == 2, "embedding_bag: weight has to be a 2D Tensor, but got Tensor of dimension ",
              weight.dim());
  const int64_t num = weight.size(0), dim = weight.size(1);
  std::vector<int64_t> idx = input.to(kLong).contiguous().to_vector<int64_t>();
  std::vector<int64_t> off = offsets.to(kLong).contiguous().to_vector<int64_t>();
  const int64_t n = static_cast<int64_t>(idx.size());
  const int64_t bags = static_cast<int64_t>(off.size()) - (o.include_last_offset() ? 1 : 0);
  EMBER_CHECK(bags >= 0, "embedding_bag: include_last_offset needs at least one offset");
  if (!off.empty()) {
    EMBER_CHECK(off[0] == 0, "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                "position 0. However, got ", off[0]);
    EMBER_CHECK(off.back() <= n, "offsets[-1] can not be greater than input's length ", n, ", but got ", off.back());
  }
  for (size_t p = 0; p < idx.size(); ++p)
    EMBER_CHECK(idx[p] >= 0 && idx[p] < num, "embedding_bag: Index ", p, " is out of bounds: ", idx[p], ", range 0 to ",
                num);
  std::optional<int64_t> pad = o.padding_idx();
  if (pad && *pad < 0) *pad += num;
  if (o.max_norm()) {
    NoGradGuard ng;
    Tensor w = weight;
    embedding_renorm_(w, input, *o.max_norm(), o.norm_type());
  }
  // Which input positions go to which bag (padding_idx entries go nowhere).
  std::vector<int64_t> keep_pos, keep_idx, keep_bag, count(static_cast<size_t>(bags), 0);
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(bags));
  for (int64_t b = 0; b < bags; ++b) {
    const int64_t start = off[static_cast<size_t>(b)];
    const int64_t end = b + 1 < static_cast<int64_t>(off.size()) ? off[static_cast<size_t>(b) + 1] : n;
    for (int64_t p = start; p < end; ++p) {
      const int64_t i = idx[static_cast<size_t>(p)];
      if (pad && i == *pad) continue;
      members[static_cast<size_t>(b)].push_back(static_cast<int64_t>(keep_pos.size()));
      keep_pos.push_back(p), keep_idx.push_back(i), keep_bag.push_back(b);
      ++count[static_cast<size_t>(b)];
    }
  }
  const int64_t kept = static_cast<int64_t>(keep_idx.size());
  const TensorOptions lo(kLong);
  Tensor emb = weight.index_select(0, tensor(keep_idx, lo).reshape({kept}));
  if (mode == 2) {
    int64_t longest = 0;
    for (int64_t c : count) longest = std::max(longest, c);
    if (longest == 0) {
      // Every bag is empty: zeros, still connected to the weight (a zero gradient), as LibTorch's.
      if (!(GradMode::is_enabled() && weight.requires_grad())) return zeros({bags, dim}, TensorOptions(weight.dtype()));
      return emb.sum(IntArrayRef{0}, true, emb.dtype()).expand({bags, dim}).contiguous();
    }
    // Row `kept` is a -inf row that pads the short bags.
    Tensor ext = cat({emb, full({1, dim}, -std::numeric_limits<double>::infinity(), TensorOptions(weight.dtype()))}, 0);
    std::vector<int64_t> table;
    for (const auto& m : members)
      for (int64_t j = 0; j < longest; ++j) table.push_back(j < static_cast<int64_t>(m.size()) ? m[static_cast<size_t>(j)] : kept);
    Tensor values = std::get<0>(ext.index_select(0, tensor(table, lo)).view({bags, longest, dim}).max(1));
    Tensor empty_bag = tensor(count, lo).eq(0).unsqueeze(1);
    return where(empty_bag, zeros_like(values), values);
  }
  if (psw.defined()) emb = emb.mul(psw.index_select(0, tensor(keep_pos, lo).reshape({kept})).unsqueeze(1));
  Tensor target = tensor(keep_bag, lo).reshape({kept, 1}).expand({kept, dim});
  Tensor out = zeros({bags, dim}, TensorOptions(emb.dtype())).scatter_add(0, target, emb);
  if (mode == 1) {
    std::vector<double> divisor;
    for (int64_t c : count) divisor.push_back(static_cast<double>(std::max<int64_t>(c, 1)));
    out = out.div(tensor(divisor, TensorOptions(kDouble)).to(out.dtype()).unsqueeze(1));
  }
  return out;
}

}  // namespace functional

EmbeddingBagImpl::EmbeddingBagImpl(EmbeddingBagOptions options_) : options(std::move(options_)) { reset(); }

void EmbeddingBagImpl::reset() {
  const auto& o = options;
  if (o.padding_idx()) {
    const int64_t p = *o.padding_idx();
    EMBER_CHECK(p < o.num_embeddings() && p >= -o.num_embeddings(), "padding_idx must be within num_embedding");
    if (p < 0) options.padding_idx(p + o.num_embeddings());
  }
  if (o._weight().defined()) {
    EMBER_CHECK(o._weight().dim() == 2 && o._weight().size(0) == o.num_embeddings() &&
                    o._weight().size(1) == o.embedding_dim(),
                "Shape of _weight does not match num_embeddings and embedding_dim");
    weight = register_parameter("weight", o._weight());
  } else {
    weight = register_parameter("weight", empty({o.num_embeddings(), o.embedding_dim()}));
    reset_parameters();
  }
}

void EmbeddingBagImpl::reset_parameters() {
  NoGradGuard ng;
  weight.normal_(0, 1);
  if (options.padding_idx()) weight[*options.padding_idx()].fill_(0);
}

void EmbeddingBagImpl::pretty_print(std::ostream& s) const {
  const auto& o = options;
  s << std::boolalpha << "torch::nn::EmbeddingBag(num_embeddings=" << o.num_embeddings()
    << ", embedding_dim=" << o.embedding_dim();
  if (o.max_norm()) s << ", max_norm=" << *o.max_norm();
  if (o.norm_type() != 2) s << ", norm_type=" << o.norm_type();
  if (o.scale_grad_by_freq()) s << ", scale_grad_by_freq=" << o.scale_grad_by_freq();
  if (o.sparse()) s << ", sparse=" << o.sparse();
  if (o.mode().index() != 1) s << ", mode=" << o.mode().name();
  if (o.include_last_offset()) s << ", include_last_offset=" << o.include_last_offset();
  if (o.padding_idx()) s << ", padding_idx=" << *o.padding_idx();
  s << ")";
}

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return functional::embedding_bag(input, weight,
                                   functional::EmbeddingBagFuncOptions()
                                       .offsets(offsets)
                                       .max_norm(options.max_norm())
                                       .norm_type(options.norm_type())
                                       .scale_grad_by_freq(options.scale_grad_by_freq())
                                       .mode(options.mode())
                                       .sparse(options.sparse())
                                       .per_sample_weights(per_sample_weights)
                                       .include_last_offset(options.include_last_offset())
                                       .padding_idx(options.padding_idx()));
}

}  // namespace nn
}  // namespace ember
