// as_strided: a view of any geometry over the input's storage, and its backward (PyTorch's formula
// for overlapping and offset geometries).
#include <algorithm>
#include <utility>
#include <vector>

#include "ember/ops/indexing.h"
#include "ember/ops/shape.h"
#include "ember/ops/shape_extra.h"
#include "ops/util.h"

namespace ember {

namespace {
// The last element an as_strided geometry reaches, counted from `offset`, plus one (0 when empty).
int64_t strided_extent(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  int64_t last = offset;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return 0;
    last += (sizes[d] - 1) * strides[d];
  }
  return last + 1;
}
// Whether two elements of a geometry may be one location (ordered by stride, each dimension must
// step past the extent of the ones below it).
bool may_overlap(IntArrayRef all_sizes, IntArrayRef all_strides) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size) of the dims with size > 1
  for (size_t d = 0; d < all_sizes.size(); ++d)
    if (all_sizes[d] > 1) dims.emplace_back(all_strides[d], all_sizes[d]);
  std::sort(dims.begin(), dims.end());
  int64_t extent = 1;
  for (const auto& [st, n] : dims) {
    if (st < extent) return true;
    extent = st * n;
  }
  return false;
}

// PyTorch's as_strided backward: the gradient is summed into a buffer standing for the storage
// both geometries index (from the lower of their offsets), and the input reads its elements back,
// each location's sum shared equally among the input's elements at it. Public ops throughout, so
// create_graph differentiates it.
struct AsStridedBackward0 final : ops::NamedNode<"AsStridedBackward0"> {
  DimVector in_sizes, in_strides, out_sizes, out_strides;
  int64_t in_offset = 0, out_offset = 0;
  variable_list apply(variable_list&& g) override {
    const TensorOptions opts(g[0].dtype());
    if (numel_of(in_sizes) == 0 || numel_of(out_sizes) == 0) return {zeros(in_sizes, opts)};
    const int64_t shared = std::min(in_offset, out_offset);
    const int64_t n = std::max(strided_extent(in_sizes, in_strides, in_offset - shared),
                               strided_extent(out_sizes, out_strides, out_offset - shared));
    const Tensor pos = arange(n, TensorOptions(kLong));
    const Tensor out_idx = as_strided(pos, out_sizes, out_strides, out_offset - shared).reshape({-1});
    const Tensor in_idx = as_strided(pos, in_sizes, in_strides, in_offset - shared).reshape({-1});
    Tensor storage = index_add(zeros({n}, opts), 0, out_idx, g[0].reshape({-1}));
    if (may_overlap(in_sizes, in_strides)) {
      Tensor count = index_add(zeros({n}, opts), 0, in_idx, ones({in_idx.numel()}, opts));
      storage = storage / count;  // 0/0 only where the input has no element, never read
    }
    return {index_select(storage, 0, in_idx).reshape(in_sizes)};
  }
};
}  // namespace

Tensor as_strided(const Tensor& x, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) {
  EMBER_CHECK(size.size() == stride.size(), "mismatch in length of strides and shape");
  int64_t off = storage_offset.value_or(x.storage_offset());
  int64_t extent = off;
  for (size_t i = 0; i < size.size(); ++i) {
    EMBER_CHECK(size[i] >= 0 && stride[i] >= 0, "as_strided: negative size or stride");
    if (size[i] == 0) extent = -1;
  }
  if (extent >= 0) {
    for (size_t i = 0; i < size.size(); ++i) extent += (size[i] - 1) * stride[i];
    EMBER_CHECK(static_cast<size_t>(extent + 1) * x.element_size() <= x.unsafeGetTensorImpl()->storage()->nbytes(),
                "setStorage: sizes ", size, ", strides ", stride, ", storage offset ", off,
                " requiring a storage size of ", (extent + 1) * x.element_size(),
                " are out of bounds for storage of size ", x.unsafeGetTensorImpl()->storage()->nbytes());
  }
  Tensor out = raw_view(x, size, stride, off);
  if (any_requires_grad(x)) {
    auto n = make_node<AsStridedBackward0>(x);
    n->in_sizes = x.sizes();
    n->in_strides = x.strides();
    n->in_offset = x.storage_offset();
    n->out_sizes = size;
    n->out_strides = stride;
    n->out_offset = off;
    set_history(out, n);
  }
  autograd::set_view_base(out, x);
  return out;
}

}  // namespace ember
