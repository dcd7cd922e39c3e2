// Shape and view extras: alias, unfold and the in-place restrides (t_, transpose_, as_strided_),
// the *_scatter ops of views, the diag family, stacks and splits, roll/rot90/tile, new_* factories,
// resize_, fill_diagonal_, meshgrid, tril/triu_indices, cartesian_prod and combinations (the tensor
// products are in tensor_products.cpp). Ops that move elements are written with take/put by
// position (shape_extra_util.h), so each records the backward node PyTorch names and double
// backward works.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "ember/ops/indexing.h"
#include "ember/ops/linalg.h"
#include "ember/ops/shape_extra.h"
#include "ops/elementwise.h"
#include "ops/shape_extra_util.h"

namespace ember {

namespace {

Tensor long_tensor(const std::vector<int64_t>& v, IntArrayRef shape) {
  Tensor t = new_tensor(shape, kLong);
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

// The backward of a view op as a function of the incoming gradient.
struct ViewData {
  DimVector in_sizes;
  Tensor positions;  // unfold: the input position each output element reads
};
using ViewFormula = Tensor (*)(const Tensor& grad, const ViewData& data);
struct ViewNode final : Node {
  const char* name_ = "";
  ViewFormula formula = nullptr;
  ViewData data;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {formula(g[0], data)}; }
};
Tensor as_view(const Tensor& x, Tensor out, const char* name, ViewFormula f, ViewData data = {}) {
  if (any_requires_grad(x)) {
    auto n = make_node<ViewNode>(x);
    n->name_ = name;
    n->formula = f;
    data.in_sizes = x.sizes();
    n->data = std::move(data);
    set_history(out, n);
  }
  autograd::set_view_base(out, x);
  return out;
}

// self takes the geometry of v, a view of it computed by a differentiable op, and v's history.
Tensor& restride(Tensor& self, const Tensor& v) {
  auto fn = v.grad_fn();
  self.unsafeGetTensorImpl()->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  if (fn) set_history(self, fn);
  return self;
}

}  // namespace

// ---------------------------------------------------------------- views

Tensor alias(const Tensor& x) {
  return as_view(x, raw_view(x, x.sizes(), x.strides(), x.storage_offset()), "AliasBackward0",
                 [](const Tensor& g, const ViewData&) { return g; });
}
Tensor Tensor::alias() const { return ember::alias(*this); }

Tensor Tensor::unfold(int64_t dimension, int64_t size, int64_t step) const {
  const int64_t d = maybe_wrap_dim(dimension, dim());
  const int64_t n = dim() == 0 ? 1 : this->size(d);
  const int64_t st = dim() == 0 ? 1 : stride(d);
  EMBER_CHECK(size <= n, "maximum size for tensor at dimension ", d, " is ", n, " but size is ", size);
  EMBER_CHECK(size >= 0, "size is ", size, " but must be >= 0");
  EMBER_CHECK(step > 0, "step is ", step, " but must be > 0");
  DimVector sizes(this->sizes()), strides(this->strides());
  if (dim() > 0) {
    sizes[static_cast<size_t>(d)] = (n - size) / step + 1;
    strides[static_cast<size_t>(d)] = st * step;
  }
  sizes.push_back(size);
  strides.push_back(st);
  Tensor out = raw_view(*this, sizes, strides, storage_offset());
  if (!any_requires_grad(*this)) {
    autograd::set_view_base(out, *this);
    return out;
  }
  ViewData data;
  {
    NoGradGuard no_grad;
    data.positions = positions(this->sizes()).unfold(dimension, size, step).contiguous();
  }
  return as_view(*this, out, "UnfoldBackward0", [](const Tensor& g, const ViewData& v) {
    return put_positions(zeros(v.in_sizes, TensorOptions(g.dtype())), v.positions, g, true, "UnfoldBackwardBackward0");
  }, std::move(data));
}

Tensor Tensor::as_strided(IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) const {
  return ember::as_strided(*this, size, stride, storage_offset);
}
const Tensor& as_strided_(const Tensor& x, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) {
  autograd::check_inplace(x, /*allow_overlap=*/true);
  Tensor v = ember::as_strided(x, size, stride, storage_offset);
  x.unsafeGetTensorImpl()->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  if (auto fn = v.grad_fn()) set_history(x, fn);
  return x;
}
const Tensor& Tensor::as_strided_(IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) const {
  return ember::as_strided_(*this, size, stride, storage_offset);
}
Tensor Tensor::broadcast_to(IntArrayRef size) const { return ember::broadcast_to(*this, size); }

Tensor moveaxis(const Tensor& x, int64_t source, int64_t destination) { return movedim(x, source, destination); }
Tensor moveaxis(const Tensor& x, IntArrayRef source, IntArrayRef destination) {
  EMBER_CHECK(source.size() == destination.size(), "movedim: Invalid source or destination dims: source (", source,
              " dims) should contain the same number of dims as destination (", destination, " dims)");
  const int64_t n = x.dim();
  std::vector<int64_t> order(static_cast<size_t>(std::max<int64_t>(n, 0)), -1);
  std::vector<bool> used(order.size(), false), placed(order.size(), false);
  for (size_t i = 0; i < source.size(); ++i) {
    const int64_t s = maybe_wrap_dim(source[i], n), d = maybe_wrap_dim(destination[i], n);
    if (n == 0) continue;
    EMBER_CHECK(!used[static_cast<size_t>(s)], "movedim: repeated dim in `source` (", source, ")");
    EMBER_CHECK(!placed[static_cast<size_t>(d)], "movedim: repeated dim in `destination` (", destination, ")");
    used[static_cast<size_t>(s)] = true;
    placed[static_cast<size_t>(d)] = true;
    order[static_cast<size_t>(d)] = s;
  }
  int64_t next = 0;
  for (auto& o : order) {
    if (o >= 0) continue;
    while (used[static_cast<size_t>(next)]) ++next;
    o = next++;
  }
  return x.permute(order);
}
Tensor Tensor::moveaxis(int64_t source, int64_t destination) const { return ember::moveaxis(*this, source, destination); }
Tensor Tensor::moveaxis(IntArrayRef source, IntArrayRef destination) const {
  return ember::moveaxis(*this, source, destination);
}
Tensor swapaxes(const Tensor& x, int64_t axis0, int64_t axis1) { return x.transpose(axis0, axis1); }
Tensor swapdims(const Tensor& x, int64_t dim0, int64_t dim1) { return x.transpose(dim0, dim1); }
Tensor Tensor::swapdims(int64_t dim0, int64_t dim1) const { return transpose(dim0, dim1); }
Tensor Tensor::numpy_T() const {
  std::vector<int64_t> order(static_cast<size_t>(dim()));
  for (int64_t i = 0; i < dim(); ++i) order[static_cast<size_t>(i)] = dim() - 1 - i;
  return permute(order);
}

Tensor& Tensor::transpose_(int64_t dim0, int64_t dim1) const {
  autograd::check_inplace(*this, /*allow_overlap=*/true);
  return restride(mutable_self(), ember::transpose(*this, dim0, dim1));
}
Tensor& Tensor::swapdims_(int64_t dim0, int64_t dim1) const { return transpose_(dim0, dim1); }
Tensor& Tensor::swapaxes_(int64_t axis0, int64_t axis1) const { return transpose_(axis0, axis1); }
Tensor& Tensor::t_() const {
  EMBER_CHECK(dim() <= 2, "t_() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  autograd::check_inplace(*this, /*allow_overlap=*/true);
  return restride(mutable_self(), ember::t(*this));
}
Tensor& Tensor::tril_(int64_t diagonal) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::tril(*this, diagonal));
}
Tensor& Tensor::triu_(int64_t diagonal) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::triu(*this, diagonal));
}

// ---------------------------------------------------------------- scatters into views

namespace {
Tensor scatter_into(const Tensor& self, const Tensor& pos, const Tensor& src, const char* name) {
  EMBER_CHECK(pos.sizes() == src.sizes(), "expected src to have a size equal to the slice of self. src size = ",
              src.sizes(), ", slice size = ", pos.sizes());
  return put_positions(self, pos, src, false, name);
}
}  // namespace

Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step) {
  return scatter_into(self, positions(self.sizes()).slice(dim, start, end, step), src, "SliceScatterBackward0");
}
Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index) {
  return scatter_into(self, positions(self.sizes()).select(dim, index), src, "SelectScatterBackward0");
}
Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset, int64_t dim1, int64_t dim2) {
  return scatter_into(self, positions(self.sizes()).diagonal(offset, dim1, dim2), src, "DiagonalScatterBackward0");
}
Tensor as_strided_scatter(const Tensor& self, const Tensor& src, IntArrayRef size, IntArrayRef stride,
                          std::optional<int64_t> storage_offset) {
  // Positions are those of a contiguous copy of self, as PyTorch's clone of a contiguous self.
  Tensor pos = ember::as_strided(positions(self.sizes()), size, stride, storage_offset.value_or(0));
  return scatter_into(self, pos, src, "AsStridedScatterBackward0");
}
Tensor Tensor::slice_scatter(const Tensor& src, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                             int64_t step) const {
  return ember::slice_scatter(*this, src, dim, start, end, step);
}
Tensor Tensor::select_scatter(const Tensor& src, int64_t dim, int64_t index) const {
  return ember::select_scatter(*this, src, dim, index);
}
Tensor Tensor::diagonal_scatter(const Tensor& src, int64_t offset, int64_t dim1, int64_t dim2) const {
  return ember::diagonal_scatter(*this, src, offset, dim1, dim2);
}
Tensor Tensor::as_strided_scatter(const Tensor& src, IntArrayRef size, IntArrayRef stride,
                                  std::optional<int64_t> storage_offset) const {
  return ember::as_strided_scatter(*this, src, size, stride, storage_offset);
}

// ---------------------------------------------------------------- diag family

Tensor diag(const Tensor& x, int64_t diagonal) {
  EMBER_CHECK(x.dim() == 1 || x.dim() == 2, "matrix or a vector expected");
  if (x.dim() == 2) return take_positions(x, positions(x.sizes()).diagonal(diagonal), "DiagBackward0");
  const int64_t n = x.size(0) + (diagonal < 0 ? -diagonal : diagonal);
  return put_positions(zeros({n, n}, TensorOptions(x.dtype())), positions({n, n}).diagonal(diagonal), x, false,
                       "DiagBackward0");
}
Tensor diagflat(const Tensor& x, int64_t offset) { return diag(x.contiguous().view({-1}), offset); }
Tensor diag_embed(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  EMBER_CHECK(x.dim() >= 1, "diag_embed: expected a tensor of at least 1 dimension");
  const int64_t r = x.dim() + 1;
  const int64_t d1 = maybe_wrap_dim(dim1, r), d2 = maybe_wrap_dim(dim2, r);
  EMBER_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  const int64_t n = x.size(-1) + (offset < 0 ? -offset : offset);
  DimVector sizes;
  int64_t next = 0;
  for (int64_t k = 0; k < r; ++k) sizes.push_back(k == d1 || k == d2 ? n : x.size(next++));
  return put_positions(zeros(sizes, TensorOptions(x.dtype())), positions(sizes).diagonal(offset, d1, d2), x, false,
                       "DiagEmbedBackward0");
}
Tensor block_diag(TensorList tensors) {
  if (tensors.empty()) return empty({1, 0});
  ScalarType dtype = tensors[0].dtype();
  int64_t rows = 0, cols = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.dim() <= 2, "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ", i, " has ",
                t.dim(), " dimensions");
    dtype = promote_types(dtype, t.dtype());
    rows += t.dim() == 2 ? t.size(0) : 1;
    cols += t.dim() == 2 ? t.size(1) : (t.dim() == 1 ? t.size(0) : 1);
  }
  std::vector<Tensor> pos, src;
  Tensor all = positions({rows, cols});
  int64_t r0 = 0, c0 = 0;
  for (const Tensor& t : tensors) {
    const int64_t h = t.dim() == 2 ? t.size(0) : 1, w = t.dim() == 2 ? t.size(1) : (t.dim() == 1 ? t.size(0) : 1);
    pos.push_back(all.slice(0, r0, r0 + h).slice(1, c0, c0 + w).reshape({-1}));
    src.push_back(t.to(dtype).reshape({-1}));
    r0 += h;
    c0 += w;
  }
  return put_positions(zeros({rows, cols}, TensorOptions(dtype)), cat(pos), cat(src), false, "BlockDiagBackward0");
}
Tensor Tensor::diag(int64_t diagonal) const { return ember::diag(*this, diagonal); }
Tensor Tensor::diagflat(int64_t offset) const { return ember::diagflat(*this, offset); }
Tensor Tensor::diag_embed(int64_t offset, int64_t dim1, int64_t dim2) const {
  return ember::diag_embed(*this, offset, dim1, dim2);
}

Tensor& Tensor::fill_diagonal_(const Scalar& fill_value, bool wrap) const {
  EMBER_CHECK(dim() >= 2, "dimensions must larger than 1");
  const int64_t h = size(0), w = size(1);
  if (dim() > 2)
    for (int64_t d = 1; d < dim(); ++d) EMBER_CHECK(size(d) == h, "all dimensions of input must be of equal length");
  check_value_fits(fill_value, scalar_type());
  // Row-major positions of the diagonal; `wrap` continues it below a tall matrix every w + 1 rows.
  int64_t step = 0, inner = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    step += inner;
    inner *= size(d);
  }
  std::vector<int64_t> pos;
  const int64_t len = std::min(h, w);
  for (int64_t k = 0; k < len; ++k) pos.push_back(k * step);
  if (wrap && dim() == 2 && h > w + 1)
    for (int64_t p = len * step; p < numel(); p += step) pos.push_back(p);
  Tensor idx = long_tensor(pos, {static_cast<int64_t>(pos.size())});
  autograd::check_inplace(*this);
  return write_back(mutable_self(),
                    put_positions(*this, idx, full(idx.sizes(), fill_value, TensorOptions(scalar_type())), false,
                                  "torch::autograd::CopySlices"));
}

// ---------------------------------------------------------------- stacks

Tensor atleast_1d(const Tensor& x) { return x.dim() == 0 ? x.reshape({1}) : x; }
Tensor atleast_2d(const Tensor& x) {
  if (x.dim() == 0) return x.reshape({1, 1});
  return x.dim() == 1 ? x.unsqueeze(0) : x;
}
Tensor atleast_3d(const Tensor& x) {
  if (x.dim() == 0) return x.reshape({1, 1, 1});
  if (x.dim() == 1) return x.unsqueeze(0).unsqueeze(-1);
  return x.dim() == 2 ? x.unsqueeze(-1) : x;
}
namespace {
std::vector<Tensor> each(TensorList ts, Tensor (*f)(const Tensor&)) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(f(t));
  return out;
}
}  // namespace
std::vector<Tensor> atleast_1d(TensorList tensors) { return each(tensors, [](const Tensor& t) { return atleast_1d(t); }); }
std::vector<Tensor> atleast_2d(TensorList tensors) { return each(tensors, [](const Tensor& t) { return atleast_2d(t); }); }
std::vector<Tensor> atleast_3d(TensorList tensors) { return each(tensors, [](const Tensor& t) { return atleast_3d(t); }); }

std::vector<Tensor> broadcast_tensors(TensorList tensors) {
  DimVector shape;
  for (const Tensor& t : tensors) shape = broadcast_shapes(shape, t.sizes());
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(t.sizes() == shape.ref() ? t : t.expand(shape));
  return out;
}
Tensor concatenate(TensorList tensors, int64_t dim) { return cat(tensors, dim); }
Tensor hstack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "hstack expects a non-empty TensorList");
  std::vector<Tensor> r = atleast_1d(tensors);
  return cat(r, r[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "vstack expects a non-empty TensorList");
  return cat(atleast_2d(tensors), 0);
}
Tensor row_stack(TensorList tensors) { return vstack(tensors); }
Tensor dstack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "dstack expects a non-empty TensorList");
  return cat(atleast_3d(tensors), 2);
}
Tensor column_stack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "column_stack expects a non-empty TensorList");
  std::vector<Tensor> r;
  for (const Tensor& t : tensors) r.push_back(t.dim() <= 1 ? t.reshape({t.numel(), 1}) : t);
  return cat(r, 1);
}

// ---------------------------------------------------------------- splits

std::vector<Tensor> tensor_split(const Tensor& x, int64_t sections, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a tensor with ", x.dim(), " dims");
  EMBER_CHECK(sections > 0, "number of sections must be larger than 0, got ", sections);
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  const int64_t n = x.size(d), q = n / sections, rem = n % sections;
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t len = q + (i < rem ? 1 : 0);
    out.push_back(x.slice(d, start, start + len));
    start += len;
  }
  return out;
}
std::vector<Tensor> tensor_split(const Tensor& x, IntArrayRef indices, int64_t dim) {
  EMBER_CHECK(x.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a tensor with ", x.dim(), " dims");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t idx : indices) {
    out.push_back(x.slice(d, start, idx));
    start = idx;
  }
  out.push_back(x.slice(d, start));
  return out;
}
std::vector<Tensor> tensor_split(const Tensor& x, const Tensor& tensor_indices_or_sections, int64_t dim) {
  const Tensor& t = tensor_indices_or_sections;
  EMBER_CHECK(t.dtype() == kLong, "tensor_split expected tensor_indices_or_sections to have dtype of long, but got ",
              to_string(t.dtype()));
  EMBER_CHECK(t.dim() <= 1, "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with ",
              t.dim(), " dims");
  if (t.dim() == 0) return tensor_split(x, t.item<int64_t>(), dim);
  return tensor_split(x, IntArrayRef(t.contiguous().to_vector<int64_t>()), dim);
}
namespace {
int64_t split_dim(const Tensor& x, const char* op, int64_t min_dim, int64_t dim) {
  EMBER_CHECK(x.dim() >= min_dim, "torch.", op, " requires a tensor with at least ", min_dim,
              " dimension, but got a tensor with ", x.dim(), " dimensions!");
  return dim;
}
std::vector<Tensor> split_sections(const Tensor& x, const char* op, int64_t d, int64_t sections) {
  EMBER_CHECK(sections != 0 && x.size(d) % sections == 0, "torch.", op, " attempted to split along dimension ", d,
              ", but the size of the dimension ", x.size(d), " is not divisible by the split_size ", sections, "!");
  return tensor_split(x, sections, d);
}
}  // namespace
std::vector<Tensor> hsplit(const Tensor& x, int64_t sections) {
  const int64_t d = split_dim(x, "hsplit", 1, x.dim() == 1 ? 0 : 1);
  return split_sections(x, "hsplit", d, sections);
}
std::vector<Tensor> hsplit(const Tensor& x, IntArrayRef indices) {
  return tensor_split(x, indices, split_dim(x, "hsplit", 1, x.dim() == 1 ? 0 : 1));
}
std::vector<Tensor> vsplit(const Tensor& x, int64_t sections) {
  return split_sections(x, "vsplit", split_dim(x, "vsplit", 2, 0), sections);
}
std::vector<Tensor> vsplit(const Tensor& x, IntArrayRef indices) { return tensor_split(x, indices, split_dim(x, "vsplit", 2, 0)); }
std::vector<Tensor> dsplit(const Tensor& x, int64_t sections) {
  return split_sections(x, "dsplit", split_dim(x, "dsplit", 3, 2), sections);
}
std::vector<Tensor> dsplit(const Tensor& x, IntArrayRef indices) { return tensor_split(x, indices, split_dim(x, "dsplit", 3, 2)); }
std::vector<Tensor> split_with_sizes(const Tensor& x, IntArrayRef split_sizes, int64_t dim) { return x.split(split_sizes, dim); }

std::vector<Tensor> Tensor::tensor_split(int64_t sections, int64_t dim) const { return ember::tensor_split(*this, sections, dim); }
std::vector<Tensor> Tensor::tensor_split(IntArrayRef indices, int64_t dim) const { return ember::tensor_split(*this, indices, dim); }
std::vector<Tensor> Tensor::tensor_split(const Tensor& t, int64_t dim) const { return ember::tensor_split(*this, t, dim); }
std::vector<Tensor> Tensor::hsplit(int64_t sections) const { return ember::hsplit(*this, sections); }
std::vector<Tensor> Tensor::hsplit(IntArrayRef indices) const { return ember::hsplit(*this, indices); }
std::vector<Tensor> Tensor::vsplit(int64_t sections) const { return ember::vsplit(*this, sections); }
std::vector<Tensor> Tensor::vsplit(IntArrayRef indices) const { return ember::vsplit(*this, indices); }
std::vector<Tensor> Tensor::dsplit(int64_t sections) const { return ember::dsplit(*this, sections); }
std::vector<Tensor> Tensor::dsplit(IntArrayRef indices) const { return ember::dsplit(*this, indices); }

// ---------------------------------------------------------------- flips, rolls, tiles, copies

Tensor fliplr(const Tensor& x) {
  EMBER_CHECK(x.dim() >= 2, "Input must be >= 2-d.");
  return x.flip({1});
}
Tensor flipud(const Tensor& x) {
  EMBER_CHECK(x.dim() >= 1, "Input must be >= 1-d.");
  return x.flip({0});
}
Tensor Tensor::fliplr() const { return ember::fliplr(*this); }
Tensor Tensor::flipud() const { return ember::flipud(*this); }

Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) {
  EMBER_CHECK(!shifts.empty(), "`shifts` required");
  if (dims.empty()) {
    EMBER_CHECK(shifts.size() == 1, "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:", dims.size());
    Tensor flat = roll(positions({x.numel()}), shifts, {0});
    return take_positions(x, flat.view(x.sizes()), "RollBackward0");
  }
  EMBER_CHECK(shifts.size() == dims.size(), "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:",
              dims.size());
  Tensor pos = positions(x.sizes());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = maybe_wrap_dim(dims[i], x.dim());
    const int64_t n = x.dim() == 0 ? 1 : x.size(d);
    if (n == 0 || x.dim() == 0) continue;
    const int64_t s = ((shifts[i] % n) + n) % n;
    if (s != 0) pos = cat(std::vector<Tensor>{pos.narrow(d, n - s, s), pos.narrow(d, 0, n - s)}, d);
  }
  return take_positions(x, pos, "RollBackward0");
}
Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const { return ember::roll(*this, shifts, dims); }

Tensor rot90(const Tensor& x, int64_t k, IntArrayRef dims) {
  EMBER_CHECK(dims.size() == 2, "expected total rotation dims == 2, but got dims = ", dims.size());
  EMBER_CHECK(x.dim() >= 2, "expected total dims >= 2, but got total dims = ", x.dim());
  EMBER_CHECK(dims[0] != dims[1] && std::abs(dims[0] - dims[1]) != x.dim(),
              "expected rotation dims to be different, but got dim0 = ", dims[0], " and dim1 = ", dims[1]);
  const int64_t d0 = maybe_wrap_dim(dims[0], x.dim()), d1 = maybe_wrap_dim(dims[1], x.dim());
  Tensor pos = positions(x.sizes());
  switch (((k % 4) + 4) % 4) {
    case 1: pos = pos.flip({d1}).transpose(d0, d1); break;
    case 2: pos = pos.flip({d0, d1}); break;
    case 3: pos = pos.flip({d0}).transpose(d0, d1); break;
    default: break;
  }
  return take_positions(x, pos, "Rot90Backward0");
}
Tensor Tensor::rot90(int64_t k, IntArrayRef dims) const { return ember::rot90(*this, k, dims); }

Tensor tile(const Tensor& x, IntArrayRef dims) {
  std::vector<int64_t> reps(dims.begin(), dims.end());
  while (static_cast<int64_t>(reps.size()) < x.dim()) reps.insert(reps.begin(), 1);
  return x.repeat(reps);
}
Tensor Tensor::tile(IntArrayRef dims) const { return ember::tile(*this, dims); }

Tensor narrow_copy(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return x.narrow(dim, start, length).clone();
}
Tensor Tensor::narrow_copy(int64_t dim, int64_t start, int64_t length) const {
  return ember::narrow_copy(*this, dim, start, length);
}
Tensor ravel(const Tensor& x) { return x.contiguous().view({-1}); }
Tensor Tensor::ravel() const { return ember::ravel(*this); }

Tensor Tensor::sum_to_size(IntArrayRef size) const {
  bool ok = static_cast<int64_t>(size.size()) <= dim();
  for (size_t i = 0; ok && i < size.size(); ++i) {
    const int64_t have = this->size(dim() - static_cast<int64_t>(size.size()) + static_cast<int64_t>(i));
    ok = size[i] == have || size[i] == 1;
  }
  EMBER_CHECK(ok, "size {", size, "} is not expandable to size {", sizes(), "}.");
  return sum_to(*this, size);
}

// ---------------------------------------------------------------- new_* and resize_

namespace {
TensorOptions like(const Tensor& self, TensorOptions options) {
  return options.has_dtype() ? options : options.dtype(self.scalar_type());
}
}  // namespace
Tensor Tensor::new_empty(IntArrayRef size, TensorOptions options) const { return empty(size, like(*this, options)); }
Tensor Tensor::new_zeros(IntArrayRef size, TensorOptions options) const { return zeros(size, like(*this, options)); }
Tensor Tensor::new_ones(IntArrayRef size, TensorOptions options) const { return ones(size, like(*this, options)); }
Tensor Tensor::new_full(IntArrayRef size, const Scalar& fill_value, TensorOptions options) const {
  return full(size, fill_value, like(*this, options));
}
Tensor Tensor::new_empty_strided(IntArrayRef size, IntArrayRef stride, TensorOptions options) const {
  EMBER_CHECK(size.size() == stride.size(), "mismatch in length of strides and shape");
  int64_t extent = 1;
  bool empty_tensor = false;
  for (size_t i = 0; i < size.size(); ++i) {
    EMBER_CHECK(size[i] >= 0 && stride[i] >= 0, "Storage size calculation overflowed with sizes=", size,
                " and strides=", stride);
    if (size[i] == 0) empty_tensor = true;
    extent += (size[i] - 1) * stride[i];
  }
  Tensor base = empty({empty_tensor ? 0 : extent}, like(*this, options));
  return raw_view(base, size, stride, 0);
}

const Tensor& Tensor::resize_(IntArrayRef size, std::optional<MemoryFormat>) const {
  EMBER_CHECK(!requires_grad(), "cannot resize variables that require grad");
  int64_t n = 1;
  for (int64_t s : size) {
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", size);
    EMBER_CHECK(s == 0 || n <= std::numeric_limits<int64_t>::max() / s, "numel: integer multiplication overflow");
    n *= s;
  }
  TensorImpl* impl = unsafeGetTensorImpl();
  const int64_t elem = element_size();
  EMBER_CHECK(n <= (std::numeric_limits<int64_t>::max() / elem) - storage_offset(), "numel: integer multiplication overflow");
  const size_t need = static_cast<size_t>((storage_offset() + n) * elem);
  DimVector strides = contiguous_strides(size);
  if (need > impl->storage()->nbytes()) {
    // The old elements are kept at the front of a larger storage (views of the old one keep theirs).
    Storage grown = make_intrusive<StorageImpl>(need);
    if (impl->storage()->nbytes() > 0) std::memcpy(grown->data(), impl->storage()->data(), impl->storage()->nbytes());
    impl->set_storage(std::move(grown), scalar_type(), size, strides, storage_offset());
  } else {
    impl->set_geometry(size, strides, storage_offset());
  }
  return *this;
}
const Tensor& Tensor::resize_as_(const Tensor& the_template, std::optional<MemoryFormat> memory_format) const {
  return resize_(the_template.sizes(), memory_format);
}
const Tensor& resize_as_(const Tensor& self, const Tensor& the_template, std::optional<MemoryFormat> memory_format) {
  return self.resize_as_(the_template, memory_format);
}

// ---------------------------------------------------------------- meshgrid, tril/triu_indices

std::vector<Tensor> meshgrid(TensorList tensors) { return meshgrid(tensors, "ij"); }
std::vector<Tensor> meshgrid(TensorList tensors, std::string_view indexing) {
  EMBER_CHECK(!tensors.empty(), "meshgrid expects a non-empty TensorList");
  EMBER_CHECK(indexing == "ij" || indexing == "xy", "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: ",
              indexing);
  const size_t n = tensors.size();
  DimVector shape;
  for (size_t i = 0; i < n; ++i) {
    EMBER_CHECK(tensors[i].dim() <= 1, "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of shape ",
                tensors[i].sizes());
    EMBER_CHECK(tensors[i].dtype() == tensors[0].dtype(), "meshgrid expects all tensors to have the same dtype");
    shape.push_back(tensors[i].numel());
  }
  const bool xy = indexing == "xy" && n >= 2;
  if (xy) std::swap(shape[0], shape[1]);
  std::vector<Tensor> out;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = xy && i < 2 ? 1 - i : i;
    DimVector view(n, 1);
    view[at] = -1;
    out.push_back(tensors[i].reshape(view).expand(shape));
  }
  return out;
}

namespace {
Tensor tri_indices(const char* op, int64_t row, int64_t col, int64_t offset, const TensorOptions& options, bool lower) {
  EMBER_CHECK(row >= 0, "row must be non-negative, got", row);
  EMBER_CHECK(col >= 0, "col must be non-negative, got", col);
  (void)op;
  std::vector<int64_t> rs, cs;
  for (int64_t i = 0; i < row; ++i)
    for (int64_t j = 0; j < col; ++j)
      if (lower ? j - i <= offset : j - i >= offset) {
        rs.push_back(i);
        cs.push_back(j);
      }
  rs.insert(rs.end(), cs.begin(), cs.end());
  Tensor t = long_tensor(rs, {2, static_cast<int64_t>(cs.size())});
  return t.to(options.has_dtype() ? options.dtype() : kLong);
}
}  // namespace
Tensor tril_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& options) {
  return tri_indices("tril_indices", row, col, offset, options, true);
}
Tensor triu_indices(int64_t row, int64_t col, int64_t offset, const TensorOptions& options) {
  return tri_indices("triu_indices", row, col, offset, options, false);
}

// ---------------------------------------------------------------- cartesian_prod, combinations

Tensor cartesian_prod(TensorList tensors) {
  for (const Tensor& t : tensors) EMBER_CHECK(t.dim() == 1, "Expect a 1D vector, but got shape ", t.sizes());
  EMBER_CHECK(!tensors.empty(), "cartesian_prod expects a non-empty TensorList");
  if (tensors.size() == 1) return tensors[0];
  std::vector<Tensor> grids = meshgrid(tensors, "ij");
  for (auto& g : grids) g = g.flatten();
  return stack(grids, 1);
}

Tensor combinations(const Tensor& x, int64_t r, bool with_replacement) {
  EMBER_CHECK(x.dim() == 1, "Expect a 1D vector, but got shape ", x.sizes());
  EMBER_CHECK(r >= 0, "Expect a non-negative number, but got ", r);
  if (r == 0) return empty({0}, TensorOptions(x.dtype()));
  const int64_t n = x.size(0);
  std::vector<std::vector<int64_t>> cols(static_cast<size_t>(r));
  std::vector<int64_t> cur(static_cast<size_t>(r), 0);
  // Lexicographic r-tuples of indices, increasing (or non-decreasing with replacement).
  std::function<void(int64_t, int64_t)> rec = [&](int64_t pos, int64_t from) {
    if (pos == r) {
      for (int64_t j = 0; j < r; ++j) cols[static_cast<size_t>(j)].push_back(cur[static_cast<size_t>(j)]);
      return;
    }
    for (int64_t v = from; v < n; ++v) {
      cur[static_cast<size_t>(pos)] = v;
      rec(pos + 1, with_replacement ? v : v + 1);
    }
  };
  rec(0, 0);
  std::vector<Tensor> parts;
  for (const auto& c : cols) parts.push_back(x.index_select(0, long_tensor(c, {static_cast<int64_t>(c.size())})));
  return stack(parts, 1);
}

}  // namespace ember
