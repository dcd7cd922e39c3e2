// Selection by index tensors: gather, scatter/scatter_add, index_select, masked_fill/masked_select,
// topk/sort/argsort and nonzero, with their backward.
#include "ember/ops/indexing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "ember/ops/factory.h"
#include "ember/ops/shape_extra.h"
#include "ops/indexing_util.h"

namespace ember {

// ---------------------------------------------------------------- scatter / gather

namespace {

DimVector zero_at(IntArrayRef strides, int64_t d) {
  DimVector s(strides);
  s[static_cast<size_t>(d)] = 0;
  return s;
}

// dst[..., index[i] (on dim d), ...] = (or +=) src[i] for each position i of index; src may be a
// zero-dim value, read at every position. All three are at least 1-d and of one rank.
void scatter_kernel(const Tensor& dst, int64_t d, const Tensor& index, const Tensor& src, bool add) {
  const int64_t sd = dst.stride(d);
  DimVector src_strides = src.dim() == 0 ? DimVector(static_cast<size_t>(index.dim()), 0) : DimVector(src.strides());
  visit_dtype(dst.dtype(), add ? "scatter_add" : "scatter", [&](auto tag) {
    using T = decltype(tag);
    T* o = reinterpret_cast<T*>(dst.data_ptr());
    const T* s = reinterpret_cast<const T*>(src.data_ptr());
    const int64_t* ip = index.data_ptr<int64_t>();
    walk<3>(index.sizes(), {DimVector(index.strides()), zero_at(dst.strides(), d), src_strides},
            [&](const std::array<int64_t, 3>& off, const DimVector&) {
              T& x = o[off[1] + ip[off[0]] * sd];
              x = add ? static_cast<T>(x + s[off[2]]) : s[off[2]];
            });
  });
}

// Checks shared by scatter, scatter_ and scatter_add(_); returns the wrapped dim. src is null for
// the Scalar-value overloads.
int64_t scatter_check(const char* op, const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src) {
  EMBER_CHECK(index.dtype() == kLong, op, "(): Expected dtype int64 for index");
  if (src) EMBER_CHECK(src->dtype() == self.dtype(), op, "(): Expected self.dtype to be equal to src.dtype");
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  Tensor s1 = as_1d(self), i1 = as_1d(index);
  EMBER_CHECK(i1.dim() == s1.dim(), "Index tensor must have the same number of dimensions as self tensor");
  if (src)
    EMBER_CHECK(as_1d(*src).dim() == i1.dim(), "Index tensor must have the same number of dimensions as src tensor");
  bool ok = true;
  for (int64_t k = 0; k < i1.dim(); ++k) {
    if (k != d && i1.size(k) > s1.size(k)) ok = false;
    if (src && i1.size(k) > as_1d(*src).size(k)) ok = false;
  }
  if (src)
    EMBER_CHECK(ok, "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                " apart from dimension ", d, " and to be smaller size than src ", src->sizes());
  else
    EMBER_CHECK(ok, "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                " apart from dimension ", d);
  check_index_range(i1, d, s1.size(d));
  return d;
}

struct GatherBackward0 final : NamedNode<"GatherBackward0"> {
  SavedVariable index;
  DimVector self_sizes;
  int64_t dim = 0;
  variable_list apply(variable_list&& g) override {
    return {zeros(self_sizes, TensorOptions(g[0].dtype())).scatter_add(dim, index.unpack(), g[0])};
  }
  void release_variables() override { index.reset_data(); }
};

// Gradient for src of scatter/scatter_add: g gathered at index, padded with zeros where src is
// larger than index (only src's first index.sizes() elements were read). LibTorch 1.13 returns the
// gathered gradient alone there, whose shape is not src's; ember keeps src's shape.
Tensor src_grad(const Tensor& g, int64_t dim, const Tensor& index, IntArrayRef src_sizes) {
  Tensor r = g.gather(dim, index);
  if (r.sizes() == src_sizes) return r;
  for (int64_t k = 0; k < r.dim(); ++k) {
    if (r.size(k) == src_sizes[k]) continue;
    DimVector pad(r.sizes());
    pad[k] = src_sizes[k] - r.size(k);
    r = cat(std::vector<Tensor>{r, zeros(pad, TensorOptions(g.dtype()))}, k);
  }
  return r;
}

struct ScatterBackward0 final : NamedNode<"ScatterBackward0"> {
  SavedVariable index;
  DimVector src_sizes;
  int64_t dim = 0;
  variable_list apply(variable_list&& g) override {
    Tensor idx = index.unpack();
    Tensor gs, gv;
    if (should_compute_output(0)) gs = g[0].scatter(dim, idx, Scalar(0));
    if (should_compute_output(1)) gv = src_grad(g[0], dim, idx, src_sizes);
    return {gs, gv};
  }
  void release_variables() override { index.reset_data(); }
};
struct ScatterBackward1 final : NamedNode<"ScatterBackward1"> {
  SavedVariable index;
  int64_t dim = 0;
  variable_list apply(variable_list&& g) override { return {g[0].scatter(dim, index.unpack(), Scalar(0))}; }
  void release_variables() override { index.reset_data(); }
};
struct ScatterAddBackward0 final : NamedNode<"ScatterAddBackward0"> {
  SavedVariable index;
  DimVector src_sizes;
  int64_t dim = 0;
  variable_list apply(variable_list&& g) override {
    Tensor gs, gv;
    if (should_compute_output(0)) gs = g[0];
    if (should_compute_output(1)) gv = src_grad(g[0], dim, index.unpack(), src_sizes);
    return {gs, gv};
  }
  void release_variables() override { index.reset_data(); }
};

Tensor scatter_impl(const char* op, const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                    const Scalar& value, bool add) {
  const int64_t d = scatter_check(op, self, dim, index, src);
  if (!src) check_value_fits(value, self.dtype());
  Tensor out = copy_raw(self);
  Tensor s = src ? *src : scalar_of(value, self.dtype());
  scatter_kernel(as_1d(out), d, as_1d(index), src ? as_1d(s) : s, add);
  if (add && any_requires_grad(self, *src)) {
    auto n = make_node<ScatterAddBackward0>(self, *src);
    n->index = save(index);
    n->src_sizes = src->sizes();
    n->dim = d;
    set_history(out, n);
  } else if (!add && src && any_requires_grad(self, *src)) {
    auto n = make_node<ScatterBackward0>(self, *src);
    n->index = save(index);
    n->src_sizes = src->sizes();
    n->dim = d;
    set_history(out, n);
  } else if (!add && !src && any_requires_grad(self)) {
    auto n = make_node<ScatterBackward1>(self);
    n->index = save(index);
    n->dim = d;
    set_history(out, n);
  }
  return out;
}

// In place without a graph: the kernel writes straight into self.
Tensor& scatter_inplace(Tensor& self, const char* op, int64_t dim, const Tensor& index, const Tensor* src,
                        const Scalar& value, bool add) {
  autograd::check_inplace(self);
  if ((src && any_requires_grad(self, *src)) || (!src && any_requires_grad(self))) {
    return assign_inplace(self, scatter_impl(op, self, dim, index, src, value, add));
  }
  const int64_t d = scatter_check(op, self, dim, index, src);
  if (!src) check_value_fits(value, self.dtype());
  Tensor s = src ? (shares_storage(*src, self) ? copy_raw(*src) : *src) : scalar_of(value, self.dtype());
  Tensor idx = shares_storage(index, self) ? copy_raw(index) : index;
  scatter_kernel(as_1d(self), d, as_1d(idx), src ? as_1d(s) : s, add);
  autograd::rebase_history(self, {});
  return self;
}

}  // namespace

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index, bool /*sparse_grad: dense gradients only*/) {
  EMBER_CHECK(index.dtype() == kLong, "gather(): Expected dtype int64 for index");
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  Tensor s1 = as_1d(self), i1 = as_1d(index);
  EMBER_CHECK(i1.dim() == s1.dim(), "Index tensor must have the same number of dimensions as input tensor");
  for (int64_t k = 0; k < i1.dim(); ++k)
    EMBER_CHECK(k == d || i1.size(k) <= s1.size(k), "Size does not match at dimension ", k, " expected index ",
                index.sizes(), " to be smaller than self ", self.sizes(), " apart from dimension ", d);
  check_index_range(i1, d, s1.size(d));
  Tensor out = new_tensor(index.sizes(), self.dtype());
  Tensor o1 = as_1d(out);
  const int64_t sd = s1.stride(d);
  visit_dtype(self.dtype(), "gather", [&](auto tag) {
    using T = decltype(tag);
    const T* s = reinterpret_cast<const T*>(s1.data_ptr());
    T* o = reinterpret_cast<T*>(o1.data_ptr());
    const int64_t* ip = i1.data_ptr<int64_t>();
    walk<3>(i1.sizes(), {DimVector(i1.strides()), DimVector(o1.strides()), zero_at(s1.strides(), d)},
            [&](const std::array<int64_t, 3>& off, const DimVector&) { o[off[1]] = s[off[2] + ip[off[0]] * sd]; });
  });
  if (any_requires_grad(self)) {
    auto n = make_node<GatherBackward0>(self);
    n->index = save(index);
    n->self_sizes = self.sizes();
    n->dim = d;
    set_history(out, n);
  }
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl("scatter", self, dim, index, &src, Scalar(), false);
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  return scatter_impl("scatter", self, dim, index, nullptr, value, false);
}
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl("scatter_add", self, dim, index, &src, Scalar(), true);
}

namespace {
std::string_view scatter_reduction(std::string_view reduce) {
  if (reduce == "add") return "sum";
  if (reduce == "multiply") return "prod";
  fail("reduce argument must be either add or multiply.");
}
// The value form scatters a tensor of the index's shape filled with it.
Tensor filled_like_index(const Tensor& self, const Tensor& index, const Scalar& value) {
  return full(index.sizes(), value, TensorOptions(self.dtype()));
}
}  // namespace

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) {
  return scatter_reduce(self, dim, index, src, scatter_reduction(reduce), true);
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) {
  return scatter(self, dim, index, filled_like_index(self, index, value), reduce);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const {
  return ember::scatter(*this, dim, index, src, reduce);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const {
  return ember::scatter(*this, dim, index, value, reduce);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const {
  return scatter_reduce_(dim, index, src, scatter_reduction(reduce), true);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const {
  return scatter_(dim, index, filled_like_index(*this, index, value), reduce);
}

Tensor Tensor::gather(int64_t dim, const Tensor& index, bool sparse_grad) const {
  return ember::gather(*this, dim, index, sparse_grad);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Scalar& value) const {
  return ember::scatter(*this, dim, index, value);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_inplace(mutable_self(), "scatter", dim, index, &src, Scalar(), false);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Scalar& value) const {
  return scatter_inplace(mutable_self(), "scatter", dim, index, nullptr, value, false);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter_add(*this, dim, index, src);
}
Tensor& Tensor::scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_inplace(mutable_self(), "scatter_add", dim, index, &src, Scalar(), true);
}

// ---------------------------------------------------------------- index_select

namespace {
struct IndexSelectBackward0 final : NamedNode<"IndexSelectBackward0"> {
  SavedVariable index;
  DimVector self_sizes;
  int64_t dim = 0;
  variable_list apply(variable_list&& g) override {
    if (self_sizes.empty()) return {g[0]};
    // index_add as a scatter_add of g along dim, the index repeated over the other dims.
    Tensor idx = contiguous_raw(cast(index.unpack(), kLong));
    DimVector strides(g[0].sizes().size(), 0);
    strides[static_cast<size_t>(dim)] = idx.numel() > 0 && idx.dim() > 0 ? idx.stride(0) : 1;
    Tensor expanded = raw_view(idx, g[0].sizes(), strides, idx.storage_offset());
    return {zeros(self_sizes, TensorOptions(g[0].dtype())).scatter_add(dim, expanded, g[0])};
  }
  void release_variables() override { index.reset_data(); }
};
}  // namespace

Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  EMBER_CHECK(index.dtype() == kLong || index.dtype() == kInt,
              "index_select(): Expected dtype int32 or int64 for index");
  EMBER_CHECK(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  Tensor s1 = as_1d(self);
  const int64_t n = s1.size(d);
  Tensor idx = contiguous_raw(cast(index, kLong));
  const int64_t* ip = idx.data_ptr<int64_t>();
  const int64_t k = idx.numel();
  for (int64_t i = 0; i < k; ++i)
    EMBER_CHECK(ip[i] >= 0 && ip[i] < n, "index out of range in self: index_select(): index ", ip[i],
                " is out of bounds for dimension ", d, " with size ", n);
  DimVector out_sizes(s1.sizes());
  out_sizes[static_cast<size_t>(d)] = k;
  // A zero-dim self gives a zero-dim result, as in PyTorch.
  Tensor out = new_tensor(self.dim() == 0 && k > 0 ? IntArrayRef() : IntArrayRef(out_sizes), self.dtype());
  Tensor o1 = as_1d(out);
  if (out.numel() > 0) {
    if (s1.is_contiguous()) {
      // Rows of `inner` contiguous elements, copied whole.
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < d; ++i) outer *= s1.size(i);
      for (int64_t i = d + 1; i < s1.dim(); ++i) inner *= s1.size(i);
      const size_t es = static_cast<size_t>(self.element_size());
      const char* s = static_cast<const char*>(s1.data_ptr());
      char* o = static_cast<char*>(o1.data_ptr());
      const int64_t kk = self.dim() == 0 ? 1 : k;
      for (int64_t a = 0; a < outer; ++a)
        for (int64_t i = 0; i < kk; ++i)
          std::memcpy(o + ((a * kk + i) * inner) * es, s + ((a * n + ip[i]) * inner) * es, inner * es);
    } else {
      const int64_t sd = s1.stride(d);
      visit_dtype(self.dtype(), "index_select", [&](auto tag) {
        using T = decltype(tag);
        const T* s = reinterpret_cast<const T*>(s1.data_ptr());
        T* o = reinterpret_cast<T*>(o1.data_ptr());
        walk<2>(o1.sizes(), {DimVector(o1.strides()), zero_at(s1.strides(), d)},
                [&](const std::array<int64_t, 2>& off, const DimVector& pos) {
                  o[off[0]] = s[off[1] + ip[pos[static_cast<size_t>(d)]] * sd];
                });
      });
    }
  }
  if (any_requires_grad(self)) {
    auto n = make_node<IndexSelectBackward0>(self);
    n->index = save(index);
    n->self_sizes = self.sizes();
    n->dim = d;
    set_history(out, n);
  }
  return out;
}
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return ember::index_select(*this, dim, index); }

// ---------------------------------------------------------------- masked ops

namespace {

void check_mask(const char* op, const Tensor& mask) {
  EMBER_CHECK(mask.defined(), op, ": the mask is undefined");
  EMBER_CHECK(mask.dtype() == kBool || mask.dtype() == kByte, op,
              " only supports boolean masks, but got mask with dtype ", to_string(mask.dtype()));
  check_byte_mask_values(mask);
}

// self with value where mask (broadcast together), written into `out` of the broadcast shape.
void masked_fill_kernel(const Tensor& out, const Tensor& self, const Tensor& mask, const Tensor& value) {
  Tensor m = expand_raw(cast(mask, kBool), out.sizes());
  Tensor s = expand_raw(self, out.sizes());
  visit_dtype(out.dtype(), "masked_fill", [&](auto tag) {
    using T = decltype(tag);
    const T v = cast(value, out.dtype()).template item<T>();
    kernels::pointwise<T, bool, T>(out, [v](bool k, T x) { return k ? v : x; }, m, s);
  });
}

struct MaskedFillBackward final : Node {
  const char* name_;
  SavedVariable mask;
  DimVector self_sizes;
  ScalarType self_dtype = kFloat, value_dtype = kFloat;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor m = mask.unpack();
    Tensor gs, gv;
    if (should_compute_output(0)) gs = reduce_grad(g[0].masked_fill(m, Scalar(0)), self_sizes, self_dtype);
    if (should_compute_output(1)) {
      gv = where(m, g[0], 0.0).sum();
      if (gv.dtype() != value_dtype) gv = gv.to(value_dtype);
    }
    return {gs, gv};
  }
  void release_variables() override { mask.reset_data(); }
};

Tensor masked_fill_impl(const Tensor& self, const Tensor& mask, const Tensor& value, bool tensor_value) {
  check_mask("masked_fill_", mask);
  EMBER_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s).");
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor out = new_tensor(shape, self.dtype());
  masked_fill_kernel(out, self, mask, value);
  const bool value_grad = tensor_value && any_requires_grad(value);
  if (any_requires_grad(self) || value_grad) {
    auto n = tensor_value ? make_node<MaskedFillBackward>(self, value) : make_node<MaskedFillBackward>(self);
    n->name_ = tensor_value ? "MaskedFillBackward1" : "MaskedFillBackward0";
    n->mask = save(mask);
    n->self_sizes = self.sizes();
    n->self_dtype = self.dtype();
    n->value_dtype = value.dtype();
    set_history(out, n);
  }
  return out;
}

// Flat (row-major) positions where the mask, broadcast to `shape`, is set.
Tensor mask_positions(const Tensor& mask, IntArrayRef shape) {
  Tensor m = expand_raw(cast(mask, kBool), shape);
  const bool* mp = m.data_ptr<bool>();
  std::vector<int64_t> pos;
  int64_t i = 0;
  walk<1>(shape, {DimVector(m.strides())}, [&](const std::array<int64_t, 1>& off, const DimVector&) {
    if (mp[off[0]]) pos.push_back(i);
    ++i;
  });
  Tensor out = new_tensor(IntArrayRef({static_cast<int64_t>(pos.size())}), kLong);
  if (!pos.empty()) std::memcpy(out.data_ptr(), pos.data(), pos.size() * sizeof(int64_t));
  return out;
}

struct MaskedSelectBackward0 final : NamedNode<"MaskedSelectBackward0"> {
  SavedVariable mask;
  DimVector self_sizes, shape;
  ScalarType self_dtype = kFloat;
  variable_list apply(variable_list&& g) override {
    Tensor pos = mask_positions(mask.unpack(), shape);
    Tensor flat = zeros(IntArrayRef({numel_of(shape)}), TensorOptions(g[0].dtype())).scatter_add(0, pos, g[0]);
    return {reduce_grad(flat.reshape(shape), self_sizes, self_dtype)};
  }
  void release_variables() override { mask.reset_data(); }
};

}  // namespace

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  check_value_fits(value, self.dtype());
  return masked_fill_impl(self, mask, scalar_of(value, value.type()), false);
}
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  EMBER_CHECK(value.defined(), "masked_fill: the value tensor is undefined");
  return masked_fill_impl(self, mask, value, true);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return ember::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return ember::masked_fill(*this, mask, value);
}
namespace {
// What both in-place forms check before writing: the mask, that it broadcasts to self's shape, and
// self's autograd state. Allowed on expanded tensors, where LibTorch only warns (a shared location
// takes the last write).
void check_masked_fill_inplace(const Tensor& self, const Tensor& mask) {
  check_mask("masked_fill_", mask);
  auto shape = try_broadcast(self.sizes(), mask.sizes());
  EMBER_CHECK(shape && shape->ref() == self.sizes(), "output with shape ", self.sizes(),
              " doesn't match the broadcast shape ", shape ? *shape : DimVector(mask.sizes()));
  autograd::check_inplace(self, /*allow_overlap=*/true);
}
}  // namespace

Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) const {
  check_value_fits(value, dtype());
  check_masked_fill_inplace(*this, mask);
  if (any_requires_grad(mutable_self())) {
    return assign_inplace(mutable_self(), ember::masked_fill(mutable_self(), mask, value));
  }
  Tensor m = shares_storage(mask, mutable_self()) ? copy_raw(mask) : mask;
  masked_fill_kernel(mutable_self(), mutable_self(), m, scalar_of(value, value.type()));
  autograd::rebase_history(mutable_self(), {});
  return mutable_self();
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& value) const {
  EMBER_CHECK(value.defined(), "masked_fill_: the value tensor is undefined");
  check_masked_fill_inplace(*this, mask);
  // Computed out of place, so a value that is a view of self reads the old contents.
  return assign_inplace(mutable_self(), ember::masked_fill(*this, mask, value));
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  check_mask("masked_select", mask);
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor m = expand_raw(cast(mask, kBool), shape);
  Tensor s = expand_raw(self, shape);
  const bool* mp = m.data_ptr<bool>();
  int64_t count = 0;
  walk<1>(shape, {DimVector(m.strides())},
          [&](const std::array<int64_t, 1>& off, const DimVector&) { count += mp[off[0]]; });
  Tensor out = new_tensor(IntArrayRef({count}), self.dtype());
  visit_dtype(self.dtype(), "masked_select", [&](auto tag) {
    using T = decltype(tag);
    const T* sp = reinterpret_cast<const T*>(s.data_ptr());
    T* o = reinterpret_cast<T*>(out.data_ptr());
    int64_t j = 0;
    walk<2>(shape, {DimVector(s.strides()), DimVector(m.strides())},
            [&](const std::array<int64_t, 2>& off, const DimVector&) {
              if (mp[off[1]]) o[j++] = sp[off[0]];
            });
  });
  if (any_requires_grad(self)) {
    auto n = make_node<MaskedSelectBackward0>(self);
    n->mask = save(mask);
    n->self_sizes = self.sizes();
    n->shape = shape;
    n->self_dtype = self.dtype();
    set_history(out, n);
  }
  return out;
}
Tensor Tensor::masked_select(const Tensor& mask) const { return ember::masked_select(*this, mask); }

// ---------------------------------------------------------------- sort / topk / nonzero

namespace {

// For each row along d: the first k elements in sorted order (NaN counts as the largest; ties keep
// their original order) into values and indices.
void sort_rows(const Tensor& self, int64_t d, int64_t k, bool descending, const Tensor& values, const Tensor& indices) {
  if (self.numel() == 0 || k == 0) return;  // nothing to sort or to write (and no data pointer to offset)
  Tensor s1 = as_1d(self), v1 = as_1d(values), i1 = as_1d(indices);
  const int64_t n = s1.size(d), sd = s1.stride(d), vd = v1.stride(d), id = i1.stride(d);
  DimVector outer(s1.sizes());
  outer[static_cast<size_t>(d)] = 1;
  visit_dtype(self.dtype(), "sort", [&](auto tag) {
    using T = decltype(tag);
    auto less = [](T a, T b) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(a)) return false;
        if (std::isnan(b)) return true;
      }
      return a < b;
    };
    const T* sp = reinterpret_cast<const T*>(s1.data_ptr());
    T* vp = reinterpret_cast<T*>(v1.data_ptr());
    int64_t* ip = i1.data_ptr<int64_t>();
    std::vector<int64_t> perm(static_cast<size_t>(n));
    walk<3>(outer, {DimVector(s1.strides()), DimVector(v1.strides()), DimVector(i1.strides())},
            [&](const std::array<int64_t, 3>& off, const DimVector&) {
              const T* row = sp + off[0];
              std::iota(perm.begin(), perm.end(), int64_t(0));
              auto cmp = [&](int64_t i, int64_t j) {
                T a = row[i * sd], b = row[j * sd];
                if (descending ? less(b, a) : less(a, b)) return true;
                if (descending ? less(a, b) : less(b, a)) return false;
                return i < j;
              };
              if (k < n) std::partial_sort(perm.begin(), perm.begin() + k, perm.end(), cmp);
              else std::sort(perm.begin(), perm.end(), cmp);
              for (int64_t j = 0; j < k; ++j) {
                vp[off[1] + j * vd] = row[perm[static_cast<size_t>(j)] * sd];
                ip[off[2] + j * id] = perm[static_cast<size_t>(j)];
              }
            });
  });
}

// Gradient of an op that picks elements by `indices` along dim: g written back at those places.
struct SelectionBackward final : Node {
  const char* name_;
  SavedVariable indices;
  DimVector self_sizes;
  int64_t dim = 0;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    return {zeros(self_sizes, TensorOptions(g[0].dtype())).scatter(dim, indices.unpack(), g[0])};
  }
  void release_variables() override { indices.reset_data(); }
};

std::tuple<Tensor, Tensor> sort_impl(const Tensor& self, int64_t dim, int64_t k, bool descending, const char* name,
                                     bool record) {
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  DimVector sizes(self.sizes());
  if (self.dim() > 0) sizes[static_cast<size_t>(d)] = k;
  else if (k == 0) sizes = DimVector{0};
  Tensor values = new_tensor(sizes, self.dtype());
  Tensor indices = new_tensor(sizes, kLong);
  sort_rows(self, d, k, descending, values, indices);
  if (record && any_requires_grad(self)) {
    auto n = make_node<SelectionBackward>(self);
    n->name_ = name;
    n->indices = save(indices);
    n->self_sizes = self.sizes();
    n->dim = d;
    set_history(values, n);
  }
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest, bool /*sorted*/) {
  EMBER_CHECK(self.dtype() != kBool, "\"topk_cpu\" not implemented for 'Bool'");
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  const int64_t n = self.dim() == 0 ? 1 : self.size(d);
  EMBER_CHECK(k >= 0 && k <= n, "selected index k out of range");
  return sort_impl(self, d, k, largest, "TopkBackward0", true);
}
std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending) {
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  return sort_impl(self, d, self.dim() == 0 ? 1 : self.size(d), descending, "SortBackward0", true);
}
Tensor argsort(const Tensor& self, int64_t dim, bool descending) {
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  return std::get<1>(sort_impl(self, d, self.dim() == 0 ? 1 : self.size(d), descending, "SortBackward0", false));
}

std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return ember::topk(*this, k, dim, largest, sorted);
}
std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return ember::sort(*this, dim, descending);
}
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> /*stable: ember's sort always is*/, int64_t dim, bool descending) const {
  return ember::sort(*this, dim, descending);
}
Tensor Tensor::argsort(int64_t dim, bool descending) const { return ember::argsort(*this, dim, descending); }

namespace {
// Positions (one row of coordinates each) of the non-zero elements of t, row-major.
DimVector nonzero_positions(const Tensor& t, int64_t* count) {
  DimVector coords;
  int64_t n = 0;
  visit_dtype(t.dtype(), "nonzero", [&](auto tag) {
    using T = decltype(tag);
    const T* p = reinterpret_cast<const T*>(t.data_ptr());
    walk<1>(t.sizes(), {DimVector(t.strides())}, [&](const std::array<int64_t, 1>& off, const DimVector& pos) {
      if (p[off[0]] != T(0)) {
        for (int64_t c : pos) coords.push_back(c);
        ++n;
      }
    });
  });
  *count = n;
  return coords;
}
}  // namespace

Tensor nonzero(const Tensor& self) {
  int64_t n = 0;
  DimVector coords = nonzero_positions(self, &n);
  Tensor out = new_tensor(IntArrayRef({n, self.dim()}), kLong);
  if (!coords.empty()) std::memcpy(out.data_ptr(), coords.data(), coords.size() * sizeof(int64_t));
  return out;
}
Tensor Tensor::nonzero() const { return ember::nonzero(*this); }

}  // namespace ember
