// embedding (index_select of rows with an EmbeddingBackward0 node), embedding_renorm_, one_hot.
#include "ember/ops/embedding.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/ops/indexing.h"
#include "ops/util.h"

namespace ember {

namespace {

std::string tensor_type_name(ScalarType t) { return std::string("torch.") + to_string(t) + "Tensor"; }

// The indices as a contiguous int64 vector, after checking dtype and range [0, rows).
Tensor checked_indices(const char* op, const Tensor& indices, int64_t rows) {
  EMBER_CHECK(indices.dtype() == kLong || indices.dtype() == kInt,
              "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
              "got ", tensor_type_name(indices.dtype()), " instead (while checking arguments for ", op, ")");
  Tensor idx = contiguous_raw(cast(indices, kLong));
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) EMBER_CHECK(p[i] >= 0 && p[i] < rows, "index out of range in self");
  return idx;
}

struct EmbeddingBackward0 final : NamedNode<"EmbeddingBackward0"> {
  SavedVariable indices;
  int64_t num_weights = 0, padding_idx = -1;
  bool scale_grad_by_freq = false;
  variable_list apply(variable_list&& grads) override {
    Tensor idx = cast(indices.unpack(), kLong).reshape({-1});
    const int64_t k = idx.numel();
    Tensor g = grads[0].reshape({k, grads[0].size(grads[0].dim() - 1)});  // explicit: k may be 0
    // Rows for padding_idx get nothing; the rest are summed into their weight rows.
    if (padding_idx >= 0) g = g.mul(idx.ne(padding_idx).unsqueeze(1).to(g.dtype()));
    if (scale_grad_by_freq) {
      Tensor counts = zeros({num_weights}, TensorOptions(g.dtype())).scatter_add(0, idx, ones({k}, TensorOptions(g.dtype())));
      g = g.div(counts.index_select(0, idx).unsqueeze(1));
    }
    Tensor rows = idx.unsqueeze(1).expand({k, g.size(1)});
    return {zeros({num_weights, g.size(1)}, TensorOptions(g.dtype())).scatter_add(0, rows, g)};
  }
  void release_variables() override { indices.reset_data(); }
};

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool scale_grad_by_freq,
                 bool sparse) {
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  EMBER_CHECK(!sparse, "embedding: sparse=true asks for a sparse gradient, and ember has no sparse tensors");
  Tensor idx = checked_indices("embedding", indices, weight.size(0));
  Tensor flat = raw_view(idx, {idx.numel()}, {1}, idx.storage_offset());
  Tensor rows;
  {
    NoGradGuard ng;
    rows = weight.index_select(0, flat);
  }
  DimVector size(indices.sizes());
  size.push_back(weight.size(1));
  Tensor out = raw_view(rows, size, contiguous_strides(size), 0);
  if (any_requires_grad(weight)) {
    auto n = make_node<EmbeddingBackward0>(weight);
    n->indices = save(indices);
    n->num_weights = weight.size(0);
    n->padding_idx = padding_idx;
    n->scale_grad_by_freq = scale_grad_by_freq;
    set_history(out, n);
  }
  return out;
}

Tensor& embedding_renorm_(Tensor& self, const Tensor& indices, double max_norm, double norm_type) {
  EMBER_CHECK(self.dim() == 2, "Expected 2-dimensional tensor, but got ", self.dim(),
              "-dimensional tensor for argument #1 'self' (while checking arguments for embedding_renorm_)");
  Tensor idx = checked_indices("embedding_renorm_", indices, self.size(0));
  const int64_t* p = idx.data_ptr<int64_t>();
  std::vector<int64_t> sorted(p, p + idx.numel());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  NoGradGuard ng;
  for (int64_t i : sorted) {
    Tensor row = self[i];
    const double norm = row.norm(norm_type).item<double>();
    if (norm > max_norm) row.mul_(max_norm / (norm + 1e-7));
  }
  return self;
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  EMBER_CHECK(self.dtype() == kLong, "one_hot is only applicable to index tensor.");
  DimVector shape(self.sizes());
  if (self.numel() == 0) {
    EMBER_CHECK(num_classes > 0, "Can not infer total number of classes from empty tensor.");
    shape.push_back(num_classes);
    return zeros(shape, TensorOptions(kLong));
  }
  Tensor idx = contiguous_raw(self);
  const int64_t* p = idx.data_ptr<int64_t>();
  const int64_t n = idx.numel();
  const int64_t lo = *std::min_element(p, p + n), hi = *std::max_element(p, p + n);
  EMBER_CHECK(lo >= 0, "Class values must be non-negative.");
  if (num_classes == -1) num_classes = hi + 1;
  else EMBER_CHECK(num_classes > hi, "Class values must be smaller than num_classes.");
  shape.push_back(num_classes);
  Tensor out = zeros(shape, TensorOptions(kLong));
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
  return out;
}

}  // namespace ember
