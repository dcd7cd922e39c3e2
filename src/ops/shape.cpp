// Views and shape ops. A view shares storage; its backward maps the gradient back to the input's
// geometry with public ops, so double backward works.
#include "ember/ops/shape.h"

#include <numeric>

#include "autograd/inplace_grad.h"
#include "ops/util.h"

namespace ember {

namespace {

// Everything a view op needs to be replayed or inverted.
struct ViewInfo {
  DimVector in_sizes;
  DimVector perm;
  int64_t dim = 0, start = 0, end = 0, step = 1, a = 0, b = 0;
  ScalarType dtype = kFloat;
};
using ViewFormula = Tensor (*)(const Tensor& grad, const ViewInfo& info);

struct ViewBackward final : Node {
  const char* name_;
  ViewFormula formula;
  ViewInfo info;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {formula(g[0], info)}; }
};

// Records `out` as a view of `x` whose backward is `formula`.
Tensor as_view_of(const Tensor& x, Tensor out, const char* name, ViewFormula formula, ViewInfo info = {}) {
  if (any_requires_grad(x)) {
    auto n = make_node<ViewBackward>(x);
    n->name_ = name;
    n->formula = formula;
    info.in_sizes = x.sizes();
    info.dtype = x.dtype();
    n->info = std::move(info);
    set_history(out, n);
  }
  autograd::set_view_base(out, x);
  return out;
}

Tensor reshape_grad(const Tensor& g, const ViewInfo& i) { return g.reshape(i.in_sizes); }

DimVector infer_size(IntArrayRef shape, int64_t numel) {
  DimVector out(shape);
  int64_t known = 1;
  int64_t infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(infer < 0, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer >= 0 && known != 0 && numel % known == 0) {
    out[infer] = numel / known;
    return out;
  }
  EMBER_CHECK(infer < 0 && known == numel, "shape '", shape, "' is invalid for input of size ", numel);
  if (infer >= 0) {
    EMBER_CHECK(known != 0, "cannot reshape tensor of 0 elements into shape ", shape,
                " because the unspecified dimension size -1 can be any value and is ambiguous");
  }
  return out;
}

// Strides that let `sizes` view memory laid out as old sizes/strides, if any (PyTorch's computeStride).
std::optional<DimVector> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef sizes) {
  DimVector st(sizes.size(), 1);
  if (old_sizes.empty()) return st;
  if (numel_of(old_sizes) == 0) {
    if (old_sizes == sizes) return DimVector(old_strides);
    return contiguous_strides(sizes);
  }
  int64_t view_d = static_cast<int64_t>(sizes.size()) - 1;
  int64_t chunk_base = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || sizes[view_d] == 1)) {
        st[view_d] = view_numel * chunk_base;
        view_numel *= sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return st;
}

Tensor slice_raw(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  DimVector sizes(x.sizes()), strides(x.strides());
  sizes[dim] = (end - start + step - 1) / step;
  if (sizes[dim] < 0) sizes[dim] = 0;
  strides[dim] *= step;
  return raw_view(x, sizes, strides, x.storage_offset() + start * x.stride(dim));
}
Tensor select_raw(const Tensor& x, int64_t dim, int64_t index) {
  DimVector sizes(x.sizes()), strides(x.strides());
  sizes.erase(dim);
  strides.erase(dim);
  return raw_view(x, sizes, strides, x.storage_offset() + index * x.stride(dim));
}
Tensor diagonal_raw(const Tensor& x, int64_t offset, int64_t d1, int64_t d2) {
  DimVector sizes, strides;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (i != d1 && i != d2) sizes.push_back(x.size(i)), strides.push_back(x.stride(i));
  int64_t len = offset >= 0 ? std::max<int64_t>(0, std::min(x.size(d1), x.size(d2) - offset))
                            : std::max<int64_t>(0, std::min(x.size(d1) + offset, x.size(d2)));
  int64_t off = x.storage_offset();
  if (len > 0) off += offset >= 0 ? offset * x.stride(d2) : -offset * x.stride(d1);
  sizes.push_back(len);
  strides.push_back(x.stride(d1) + x.stride(d2));
  return raw_view(x, sizes, strides, off);
}

// The gradient of a narrowing view: g written into zeros of the input's shape. Itself
// differentiable: its backward takes the same view of the incoming gradient.
enum class Narrowing { Slice, Select, Diagonal };
Tensor narrowing_view(Narrowing k, const Tensor& x, const ViewInfo& i) {
  switch (k) {
    case Narrowing::Slice: return x.slice(i.dim, i.start, i.end, i.step);
    case Narrowing::Select: return x.select(i.dim, i.start);
    default: return x.diagonal(i.a, i.dim, i.b);
  }
}
Tensor narrowing_raw(Narrowing k, const Tensor& x, const ViewInfo& i) {
  switch (k) {
    case Narrowing::Slice: return slice_raw(x, i.dim, i.start, i.end, i.step);
    case Narrowing::Select: return select_raw(x, i.dim, i.start);
    default: return diagonal_raw(x, i.a, i.dim, i.b);
  }
}
struct EmbedBackward final : Node {
  const char* name_;
  Narrowing kind;
  ViewInfo info;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {narrowing_view(kind, g[0], info)}; }
};
Tensor embed(Narrowing k, const char* backward_name, const Tensor& g, const ViewInfo& i) {
  Tensor z = zeros(i.in_sizes, TensorOptions(g.dtype()));
  kernels::copy(narrowing_raw(k, z, i), g);
  if (any_requires_grad(g)) {
    auto n = make_node<EmbedBackward>(g);
    n->name_ = backward_name;
    n->kind = k;
    n->info = i;
    set_history(z, n);
  }
  return z;
}

}  // namespace

// ---------------------------------------------------------------- view / reshape

Tensor view(const Tensor& x, IntArrayRef size) {
  DimVector shape = infer_size(size, x.numel());
  auto st = view_strides(x.sizes(), x.strides(), shape);
  EMBER_CHECK(st, "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                  "across two contiguous subspaces). Use .reshape(...) instead.");
  return as_view_of(x, raw_view(x, shape, *st, x.storage_offset()), "ViewBackward0", reshape_grad);
}

// PyTorch 1.13 names a reshape that is a view ReshapeAliasBackward0, and one that copies
// UnsafeViewBackward0 (the copy is not a view of the input).
Tensor reshape(const Tensor& x, IntArrayRef shape_in) {
  DimVector shape = infer_size(shape_in, x.numel());
  if (auto st = view_strides(x.sizes(), x.strides(), shape))
    return as_view_of(x, raw_view(x, shape, *st, x.storage_offset()), "ReshapeAliasBackward0", reshape_grad);
  return unsafe_view(x.clone(), shape);
}

Tensor unsafe_view(const Tensor& x, IntArrayRef shape_in) {
  DimVector shape = infer_size(shape_in, x.numel());
  EMBER_CHECK(x.is_contiguous(), "_unsafe_view: expected a contiguous tensor");
  Tensor out = raw_view(x, shape, contiguous_strides(shape), x.storage_offset());
  if (any_requires_grad(x)) {
    auto n = make_node<ViewBackward>(x);
    n->name_ = "UnsafeViewBackward0";
    n->formula = reshape_grad;
    n->info.in_sizes = x.sizes();
    set_history(out, n);
  }
  return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  int64_t s = maybe_wrap_dim(start_dim, x.dim()), e = maybe_wrap_dim(end_dim, x.dim());
  EMBER_CHECK(s <= e, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (x.dim() == 0) return x.reshape({1});
  if (s == e) return x;
  DimVector shape;
  for (int64_t i = 0; i < s; ++i) shape.push_back(x.size(i));
  int64_t m = 1;
  for (int64_t i = s; i <= e; ++i) m *= x.size(i);
  shape.push_back(m);
  for (int64_t i = e + 1; i < x.dim(); ++i) shape.push_back(x.size(i));
  return x.reshape(shape);
}

Tensor unflatten(const Tensor& x, int64_t dim, IntArrayRef sizes) {
  int64_t d = maybe_wrap_dim(dim, x.dim());
  EMBER_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  DimVector inner;
  try {
    inner = infer_size(sizes, x.size(d));
  } catch (const Error& e) {
    // PyTorch rewords infer_size's "shape '[...]' is invalid" for unflatten.
    if (std::string(e.what()).find("shape '[") == std::string::npos) throw;
    fail("unflatten: Provided sizes ", sizes, " don't multiply up to the size of dim ", d, " (", x.size(d),
         ") in the input tensor");
  }
  DimVector shape;
  for (int64_t i = 0; i < d; ++i) shape.push_back(x.size(i));
  for (int64_t s : inner) shape.push_back(s);
  for (int64_t i = d + 1; i < x.dim(); ++i) shape.push_back(x.size(i));
  return x.view(shape);
}

Tensor squeeze(const Tensor& x) {
  DimVector sizes, strides;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (x.size(i) != 1) sizes.push_back(x.size(i)), strides.push_back(x.stride(i));
  return as_view_of(x, raw_view(x, sizes, strides, x.storage_offset()), "SqueezeBackward0", reshape_grad);
}
Tensor squeeze(const Tensor& x, int64_t dim) {
  int64_t d = maybe_wrap_dim(dim, x.dim());
  if (x.dim() == 0 || x.size(d) != 1) return as_view_of(x, raw_view(x, x.sizes(), x.strides(), x.storage_offset()), "SqueezeBackward1", reshape_grad);
  return as_view_of(x, select_raw(x, d, 0), "SqueezeBackward1", reshape_grad);
}
Tensor unsqueeze(const Tensor& x, int64_t dim) {
  int64_t d = maybe_wrap_dim(dim, x.dim() + 1);
  DimVector sizes(x.sizes()), strides(x.strides());
  int64_t st = d < x.dim() ? x.size(d) * x.stride(d) : 1;
  sizes.insert(d, 1);
  strides.insert(d, st);
  return as_view_of(x, raw_view(x, sizes, strides, x.storage_offset()), "UnsqueezeBackward0", reshape_grad);
}
namespace {
// squeeze_/unsqueeze_: self takes the geometry of `v` (a view of it); the data is unchanged, so a
// tensor in a graph only gains a node that reshapes its gradient back to the old sizes.
Tensor& restride_inplace(Tensor& self, const Tensor& v, const char* name) {
  autograd::check_inplace(self, /*allow_overlap=*/true);
  intrusive_ptr<ViewBackward> n;
  if (any_requires_grad(self)) {
    n = make_node<ViewBackward>(self);
    n->name_ = name;
    n->formula = reshape_grad;
    n->info.in_sizes = self.sizes();
    n->info.dtype = self.dtype();
  }
  self.unsafeGetTensorImpl()->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  if (n) set_history(self, n);
  return self;
}
}  // namespace
Tensor& Tensor::squeeze_() const {
  return restride_inplace(mutable_self(), ember::squeeze(detach()), "SqueezeBackward0");
}
Tensor& Tensor::squeeze_(int64_t dim) const { return restride_inplace(mutable_self(), ember::squeeze(detach(), dim), "SqueezeBackward3"); }
Tensor& Tensor::unsqueeze_(int64_t dim) const {
  return restride_inplace(mutable_self(), ember::unsqueeze(detach(), dim), "UnsqueezeBackward1");
}

// ---------------------------------------------------------------- transpose / permute / expand

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  int64_t a = maybe_wrap_dim(dim0, x.dim()), b = maybe_wrap_dim(dim1, x.dim());
  DimVector sizes(x.sizes()), strides(x.strides());
  if (x.dim() > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  ViewInfo i;
  i.a = a;
  i.b = b;
  return as_view_of(x, raw_view(x, sizes, strides, x.storage_offset()), "TransposeBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return g.transpose(i.a, i.b); }, i);
}
Tensor t(const Tensor& x) {
  EMBER_CHECK(x.dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", x.dim(), "D");
  DimVector sizes(x.sizes()), strides(x.strides());
  if (x.dim() == 2) {
    std::swap(sizes[0], sizes[1]);
    std::swap(strides[0], strides[1]);
  }
  Tensor out = raw_view(x, sizes, strides, x.storage_offset());
  // Its own node class (not ViewBackward): the in-place weight gradient looks through it by type.
  if (any_requires_grad(x)) set_history(out, make_node<autograd::TBackward0>(x));
  autograd::set_view_base(out, x);
  return out;
}
Tensor permute(const Tensor& x, IntArrayRef dims) {
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ",
              x.dim(), " is not equal to len(dims) = ", dims.size());
  DimVector sizes(dims.size()), strides(dims.size()), inverse(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = maybe_wrap_dim(dims[i], x.dim());
    EMBER_CHECK(!seen[d], "permute(): duplicate dims are not allowed.");
    seen[d] = true;
    sizes[i] = x.size(d);
    strides[i] = x.stride(d);
    inverse[d] = static_cast<int64_t>(i);
  }
  ViewInfo info;
  info.perm = inverse;
  return as_view_of(x, raw_view(x, sizes, strides, x.storage_offset()), "PermuteBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return g.permute(i.perm); }, info);
}
Tensor movedim(const Tensor& x, int64_t source, int64_t destination) {
  int64_t s = maybe_wrap_dim(source, x.dim()), d = maybe_wrap_dim(destination, x.dim());
  if (x.dim() == 0) return x.permute({});  // dims 0/-1 of a 0-d tensor name the tensor itself
  std::vector<int64_t> order;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (i != s) order.push_back(i);
  order.insert(order.begin() + d, s);
  return x.permute(order);
}

Tensor expand(const Tensor& x, IntArrayRef size) {
  EMBER_CHECK(static_cast<int64_t>(size.size()) >= x.dim(), "expand(torch.FloatTensor{", x.sizes(),
              "}, size=", size, "): the number of sizes provided (", size.size(),
              ") must be greater or equal to the number of dimensions in the tensor (", x.dim(), ")");
  const int64_t off = static_cast<int64_t>(size.size()) - x.dim();
  DimVector shape(size), strides(size.size(), 0);
  for (int64_t i = static_cast<int64_t>(size.size()) - 1; i >= 0; --i) {
    int64_t j = i - off;
    if (j >= 0) {
      int64_t have = x.size(j);
      if (size[i] == -1) shape[i] = have;
      EMBER_CHECK(have == shape[i] || have == 1, "The expanded size of the tensor (", shape[i],
                  ") must match the existing size (", have, ") at non-singleton dimension ", i,
                  ".  Target sizes: ", size, ".  Tensor sizes: ", x.sizes());
      strides[i] = have == shape[i] ? x.stride(j) : 0;
    } else {
      EMBER_CHECK(size[i] >= 0, "The expanded size of the tensor (", size[i],
                  ") isn't allowed in a leading, non-existing dimension ", i);
    }
  }
  return as_view_of(x, raw_view(x, shape, strides, x.storage_offset()), "ExpandBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return sum_to(g, i.in_sizes); });
}
Tensor Tensor::expand(IntArrayRef size, bool) const { return ember::expand(*this, size); }
Tensor broadcast_to(const Tensor& x, IntArrayRef size) { return expand(x, size); }

// ---------------------------------------------------------------- slice / select / narrow

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start_in, std::optional<int64_t> end_in, int64_t step) {
  EMBER_CHECK(x.dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  EMBER_CHECK(step > 0, "slice step must be positive");
  int64_t n = x.size(d);
  int64_t start = start_in.value_or(0), end = end_in.value_or(n);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  ViewInfo info;
  info.dim = d;
  info.start = start;
  info.end = end;
  info.step = step;
  return as_view_of(x, slice_raw(x, d, start, end, step), "SliceBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return embed(Narrowing::Slice, "SliceBackwardBackward0", g, i); },
                    info);
}
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  EMBER_CHECK(x.dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t n = x.size(d);
  EMBER_CHECK(start >= -n && start <= n, "start out of range (expected to be in range of [", -n, ", ", n,
              "], but got ", start, ")");
  if (start < 0) start += n;
  EMBER_CHECK(length >= 0 && start <= n - length, "start (", start, ") + length (", length,
              ") exceeds dimension size (", n, ").");
  return slice(x, d, start, start + length, 1);
}
Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  EMBER_CHECK(x.dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t n = x.size(d);
  EMBER_CHECK(index >= -n && index < n, "select(): index ", index, " out of range for tensor of size ", x.sizes(),
              " at dimension ", d);
  if (index < 0) index += n;
  ViewInfo info;
  info.dim = d;
  info.start = index;
  return as_view_of(x, select_raw(x, d, index), "SelectBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return embed(Narrowing::Select, "SelectBackwardBackward0", g, i); },
                    info);
}
Tensor diagonal(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t a = maybe_wrap_dim(dim1, x.dim()), b = maybe_wrap_dim(dim2, x.dim());
  EMBER_CHECK(a != b, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  ViewInfo info;
  info.a = offset;
  info.dim = a;
  info.b = b;
  return as_view_of(x, diagonal_raw(x, offset, a, b), "DiagonalBackward0",
                    [](const Tensor& g, const ViewInfo& i) { return embed(Narrowing::Diagonal, "DiagonalBackwardBackward0", g, i); },
                    info);
}
// ---------------------------------------------------------------- chunk / split / unbind

namespace {
// One node for all the pieces of split/chunk/unbind: the input's gradient is the pieces'
// gradients put back together (zeros for pieces that got none).
struct SplitBackward final : Node {
  const char* name_;
  int64_t dim;
  bool unbind;  // pieces lost the split dim
  std::vector<int64_t> lengths;
  DimVector in_sizes;
  ScalarType dtype;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    std::vector<Tensor> parts;
    for (size_t i = 0; i < lengths.size(); ++i) {
      if (g[i].defined()) {
        parts.push_back(unbind ? g[i].unsqueeze(dim) : g[i]);
      } else {
        DimVector shape(in_sizes);
        shape[dim] = lengths[i];
        parts.push_back(zeros(shape, TensorOptions(dtype)));
      }
    }
    return {cat(parts, dim)};
  }
};

// Views of x along `dim` with the given lengths, recorded as the outputs of one backward node.
std::vector<Tensor> split_views(const Tensor& x, int64_t d, const std::vector<int64_t>& lengths, bool unbind,
                                const char* name) {
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t len : lengths) {
    out.push_back(unbind ? select_raw(x, d, start) : slice_raw(x, d, start, start + len, 1));
    start += len;
  }
  if (any_requires_grad(x)) {
    auto n = make_node<SplitBackward>(x);
    n->name_ = name;
    n->dim = d;
    n->unbind = unbind;
    n->lengths = lengths;
    n->in_sizes = x.sizes();
    n->dtype = x.dtype();
    n->set_num_inputs(static_cast<uint32_t>(out.size()));
    for (uint32_t i = 0; i < out.size(); ++i) {
      set_history(out[i], n, i);
    }
  }
  for (auto& o : out) autograd::set_view_base(o, x, /*multi_output=*/true);
  return out;
}
}  // namespace

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "split expects at least a 1-dimensional tensor");
  EMBER_CHECK(split_size >= 0, "split expects split_size be non-negative, but got split_size=", split_size);
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t n = x.size(d);
  EMBER_CHECK(split_size > 0 || n == 0, "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  std::vector<int64_t> lengths;
  for (int64_t s = 0; s < n; s += split_size) lengths.push_back(std::min(split_size, n - s));
  if (lengths.empty()) lengths.push_back(0);
  return split_views(x, d, lengths, false, "SplitBackward0");
}
std::vector<Tensor> split(const Tensor& x, IntArrayRef sizes, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "split expects at least a 1-dimensional tensor");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t total = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=", sizes);
    total += s;
  }
  EMBER_CHECK(total == x.size(d), "split_with_sizes expects split_sizes to sum exactly to ", x.size(d),
              " (input tensor's size at dimension ", d, "), but got split_sizes=", sizes);
  return split_views(x, d, sizes.vec(), false, "SplitWithSizesBackward0");
}
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "chunk expects at least a 1-dimensional tensor");
  EMBER_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t n = x.size(d);
  if (n == 0) return split(x, std::vector<int64_t>(chunks, 0), d);
  return split(x, (n + chunks - 1) / chunks, d);
}
std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "Dimension specified as 0 but tensor has no dimensions");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  return split_views(x, d, std::vector<int64_t>(x.size(d), 1), true, "UnbindBackward0");
}

// ---------------------------------------------------------------- cat / stack

namespace {
struct CatBackward0 final : NamedNode<"CatBackward0"> {
  int64_t dim;
  std::vector<int64_t> lengths;
  std::vector<DimVector> sizes;
  std::vector<ScalarType> dtypes;
  variable_list apply(variable_list&& g) override {
    variable_list out;
    int64_t s = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      if (should_compute_output(i)) {
        // 1-D empty inputs were skipped by cat and get a zero gradient of their own shape.
        if (sizes[i].size() == 1 && sizes[i][0] == 0) out.push_back(zeros(sizes[i], TensorOptions(dtypes[i])));
        else out.push_back(reduce_grad(g[0].slice(dim, s, s + lengths[i]), sizes[i], dtypes[i]));
      } else {
        out.emplace_back();
      }
      s += lengths[i];
    }
    return out;
  }
};
}  // namespace

Tensor cat(TensorList tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  for (size_t i = 0; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].dim() > 0, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
  // Legacy rule: 1-D empty tensors are skipped for the shape checks, but still take part in type
  // promotion and autograd. When every tensor is one, the result is one too and `dim` is not checked.
  const Tensor* ref = nullptr;
  for (const auto& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) {
      ref = &t;
      break;
    }
  int64_t d = ref ? maybe_wrap_dim(dim, ref->dim()) : 0;
  ScalarType dt = tensors[0].dtype();
  for (const auto& t : tensors) dt = promote_types(dt, t.dtype());
  DimVector shape(ref ? ref->sizes() : tensors[0].sizes());
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.numel() == 0) continue;
    EMBER_CHECK(t.dim() == ref->dim(), "Tensors must have same number of dimensions: got ", ref->dim(), " and ",
                t.dim());
    for (int64_t k = 0; k < t.dim(); ++k)
      EMBER_CHECK(k == d || t.size(k) == ref->size(k), "Sizes of tensors must match except in dimension ", d,
                  ". Expected size ", ref->size(k), " but got size ", t.size(k), " for tensor number ", i,
                  " in the list.");
    total += t.size(d);
  }
  shape[d] = total;
  Tensor out = new_tensor(shape, dt);
  int64_t s = 0;
  for (const auto& t : tensors) {
    if (t.dim() == 1 && t.numel() == 0) continue;
    kernels::copy(slice_raw(out, d, s, s + t.size(d), 1), t);
    s += t.size(d);
  }
  if (any_requires_grad_list(tensors)) {
    auto n = autograd::make_node_list<CatBackward0>(tensors);
    n->dim = d;
    for (const auto& t : tensors) {
      n->lengths.push_back(t.dim() == 1 && t.numel() == 0 ? 0 : t.size(d));
      n->sizes.emplace_back(t.sizes());
      n->dtypes.push_back(t.dtype());
    }
    set_history(out, n);
  }
  return out;
}
Tensor concat(TensorList tensors, int64_t dim) { return cat(tensors, dim); }

namespace {
struct StackBackward0 final : NamedNode<"StackBackward0"> {
  int64_t dim;
  std::vector<ScalarType> dtypes;
  variable_list apply(variable_list&& g) override {
    variable_list out;
    for (size_t i = 0; i < dtypes.size(); ++i) {
      if (!should_compute_output(i)) {
        out.emplace_back();
        continue;
      }
      Tensor gi = g[0].select(dim, static_cast<int64_t>(i));
      out.push_back(gi.dtype() == dtypes[i] ? gi : gi.to(dtypes[i]));
    }
    return out;
  }
};
}  // namespace

Tensor stack(TensorList tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  for (size_t i = 1; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack expects each tensor to be equal size, but got ",
                tensors[0].sizes(), " at entry 0 and ", tensors[i].sizes(), " at entry ", i);
  int64_t d = maybe_wrap_dim(dim, tensors[0].dim() + 1);
  Tensor out;
  {
    NoGradGuard ng;
    std::vector<Tensor> parts;
    for (const auto& t : tensors) parts.push_back(t.unsqueeze(d));
    out = cat(parts, d);
  }
  if (any_requires_grad_list(tensors)) {
    auto n = autograd::make_node_list<StackBackward0>(tensors);
    n->dim = d;
    for (const auto& t : tensors) n->dtypes.push_back(t.dtype());
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- repeat / flip / tril / triu

namespace {
struct RepeatBackward0 final : NamedNode<"RepeatBackward0"> {
  DimVector in_sizes, repeats;
  variable_list apply(variable_list&& g) override {
    // Split every output dim into (repeat, size) and sum over the repeat axes.
    const int64_t lead = static_cast<int64_t>(repeats.size()) - static_cast<int64_t>(in_sizes.size());
    DimVector split_shape;
    std::vector<int64_t> sum_dims;
    for (int64_t i = 0; i < static_cast<int64_t>(repeats.size()); ++i) {
      int64_t s = i >= lead ? in_sizes[i - lead] : 1;
      sum_dims.push_back(static_cast<int64_t>(split_shape.size()));
      split_shape.push_back(repeats[i]);
      split_shape.push_back(s);
    }
    Tensor r = g[0].reshape(split_shape).sum(sum_dims);
    return {r.reshape(in_sizes)};
  }
};
struct FlipBackward0 final : NamedNode<"FlipBackward0"> {
  DimVector dims;
  variable_list apply(variable_list&& g) override { return {g[0].flip(dims)}; }
};
struct TriBackward final : Node {
  bool upper;
  int64_t diagonal;
  std::string name() const override { return upper ? "TriuBackward0" : "TrilBackward0"; }
  variable_list apply(variable_list&& g) override { return {upper ? g[0].triu(diagonal) : g[0].tril(diagonal)}; }
};
}  // namespace

Tensor repeat(const Tensor& x, IntArrayRef repeats) {
  EMBER_CHECK(static_cast<int64_t>(repeats.size()) >= x.dim(),
              "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  const int64_t lead = static_cast<int64_t>(repeats.size()) - x.dim();
  DimVector padded, out_shape, expand_shape, view_shape;
  for (int64_t i = 0; i < static_cast<int64_t>(repeats.size()); ++i) {
    EMBER_CHECK(repeats[i] >= 0, "Trying to create tensor with negative dimension ", repeats[i], ": ", repeats);
    int64_t s = i >= lead ? x.size(i - lead) : 1;
    out_shape.push_back(s * repeats[i]);
    view_shape.push_back(1);
    view_shape.push_back(s);
    expand_shape.push_back(repeats[i]);
    expand_shape.push_back(s);
  }
  const Tensor xc = contiguous_raw(x);  // x itself when contiguous: keep its storage offset
  Tensor src = expand_raw(raw_view(xc, view_shape, contiguous_strides(view_shape), xc.storage_offset()), expand_shape);
  Tensor out = new_tensor(out_shape, x.dtype());
  kernels::copy(raw_view(out, expand_shape, contiguous_strides(expand_shape), 0), src);
  if (any_requires_grad(x)) {
    auto n = make_node<RepeatBackward0>(x);
    n->in_sizes = x.sizes();
    n->repeats = repeats;
    set_history(out, n);
  }
  return out;
}

Tensor flip(const Tensor& x, IntArrayRef dims) {
  DimVector strides(x.strides());
  int64_t off = x.storage_offset();
  std::vector<bool> seen(x.dim(), false);
  DimVector wrapped;
  for (int64_t d0 : dims) {
    int64_t d = maybe_wrap_dim(d0, x.dim());
    if (x.dim() == 0) continue;  // a 0-d tensor flipped along its only "dim" is itself
    EMBER_CHECK(!seen[d], "dims has duplicates, original flip dims size=", dims.size());
    seen[d] = true;
    wrapped.push_back(d);
    if (x.size(d) > 0) off += (x.size(d) - 1) * strides[d];
    strides[d] = -strides[d];
  }
  // A negative-stride view, copied out at once: ember tensors never keep negative strides.
  Tensor out = new_tensor(x.sizes(), x.dtype());
  if (x.numel() > 0) {
    visit_dtype(x.dtype(), "flip", [&](auto tag) {
      using T = decltype(tag);
      const T* base = static_cast<const T*>(x.unsafeGetTensorImpl()->storage()->data());
      T* o = out.data_ptr<T>();
      DimVector idx(x.dim(), 0);
      for (int64_t i = 0; i < x.numel(); ++i) {
        int64_t p = off;
        for (int64_t k = 0; k < x.dim(); ++k) p += idx[k] * strides[k];
        o[i] = base[p];
        for (int64_t k = x.dim() - 1; k >= 0; --k) {
          if (++idx[k] < x.size(k)) break;
          idx[k] = 0;
        }
      }
    });
  }
  if (any_requires_grad(x)) {
    auto n = make_node<FlipBackward0>(x);
    n->dims = wrapped;
    set_history(out, n);
  }
  return out;
}

namespace {
Tensor tri(const Tensor& x, int64_t diagonal, bool upper) {
  EMBER_CHECK(x.dim() >= 2, upper ? "triu" : "tril", ": input tensor must have at least 2 dimensions");
  Tensor out = new_tensor(x.sizes(), x.dtype());
  kernels::copy(out, x);
  const int64_t rows = x.size(-2), cols = x.size(-1);
  const int64_t batch = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
  visit_dtype(x.dtype(), upper ? "triu" : "tril", [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data_ptr<T>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          bool keep = upper ? j - i >= diagonal : j - i <= diagonal;
          if (!keep) p[(b * rows + i) * cols + j] = T(0);
        }
  });
  if (any_requires_grad(x)) {
    auto n = make_node<TriBackward>(x);
    n->upper = upper;
    n->diagonal = diagonal;
    set_history(out, n);
  }
  return out;
}
}  // namespace
Tensor tril(const Tensor& x, int64_t diagonal) { return tri(x, diagonal, false); }
Tensor triu(const Tensor& x, int64_t diagonal) { return tri(x, diagonal, true); }

}  // namespace ember
