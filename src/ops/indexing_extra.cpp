// Indexing extras: take/put by element position (and the nodes every op of this family records),
// index_add/index_copy/index_fill/index_reduce, scatter_reduce, index_put with a list of indices,
// masked_scatter, take_along_dim, argwhere/nonzero_numpy, repeat_interleave and the unique family.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "ember/ops/indexing.h"
#include "ember/ops/shape_extra.h"
#include "ops/indexing_util.h"
#include "ops/shape_extra_util.h"

namespace ember {

namespace ops {

Tensor positions(IntArrayRef sizes) { return arange(numel_of(sizes), TensorOptions(kLong)).view(sizes); }

Tensor& write_back(Tensor& self, const Tensor& r) {
  autograd::check_inplace(self);
  return assign_inplace(self, r);
}

}  // namespace ops

namespace {

// The storage offset (in elements, from data_ptr) of each row-major position of t; empty when t is
// contiguous (the position is the offset).
std::vector<int64_t> element_offsets(const Tensor& t) {
  if (t.is_contiguous()) return {};
  return offsets_of(t.sizes(), t.strides());
}

struct TakeNode final : Node {
  const char* name_ = "TakeBackward0";
  SavedVariable index;
  DimVector self_sizes;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    return {put_positions(zeros(self_sizes, TensorOptions(g[0].dtype())), index.unpack(), g[0], true, "PutBackward0")};
  }
  void release_variables() override { index.reset_data(); }
};

struct PutNode final : Node {
  const char* name_ = "PutBackward0";
  SavedVariable index;
  DimVector source_sizes;
  bool accumulate = false;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor idx = index.unpack(), gs, gv;
    if (should_compute_output(0))
      gs = accumulate ? g[0] : put_positions(g[0], idx, zeros(idx.sizes(), TensorOptions(g[0].dtype())), false, "PutBackward0");
    if (should_compute_output(1)) gv = take_positions(g[0], idx, "TakeBackward0").reshape(source_sizes);
    return {gs, gv};
  }
  void release_variables() override { index.reset_data(); }
};

}  // namespace

namespace ops {

Tensor take_positions(const Tensor& self, const Tensor& index_in, const char* name) {
  Tensor index = contiguous_raw(index_in);
  Tensor out = new_tensor(index.sizes(), self.dtype());
  const std::vector<int64_t> offs = element_offsets(self);
  const int64_t* ip = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  visit_dtype(self.dtype(), "take", [&](auto tag) {
    using T = decltype(tag);
    const T* s = reinterpret_cast<const T*>(self.data_ptr());
    T* o = reinterpret_cast<T*>(out.data_ptr());
    if (offs.empty()) {
      for (int64_t i = 0; i < n; ++i) o[i] = s[ip[i]];
    } else {
      for (int64_t i = 0; i < n; ++i) o[i] = s[offs[static_cast<size_t>(ip[i])]];
    }
  });
  if (any_requires_grad(self)) {
    auto node = make_node<TakeNode>(self);
    node->name_ = name;
    node->index = save(index);
    node->self_sizes = self.sizes();
    set_history(out, node);
  }
  return out;
}

Tensor put_positions(const Tensor& self, const Tensor& index_in, const Tensor& source, bool accumulate, const char* name) {
  Tensor index = contiguous_raw(index_in);
  EMBER_CHECK(source.numel() == index.numel(), "put_(): Expected source and index to have the same number of elements, but got source.numel() = ",
              source.numel(), ", index.numel() = ", index.numel());
  Tensor out = copy_raw(self);
  Tensor src = contiguous_raw(cast(source, self.dtype()));
  const int64_t* ip = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  visit_dtype(self.dtype(), "put_", [&](auto tag) {
    using T = decltype(tag);
    const T* s = reinterpret_cast<const T*>(src.data_ptr());
    T* o = reinterpret_cast<T*>(out.data_ptr());
    for (int64_t i = 0; i < n; ++i) {
      T& x = o[ip[i]];
      x = accumulate ? static_cast<T>(x + s[i]) : s[i];
    }
  });
  if (any_requires_grad(self, source)) {
    auto node = make_node<PutNode>(self, source);
    node->name_ = name;
    node->index = save(index);
    node->source_sizes = source.sizes();
    node->accumulate = accumulate;
    set_history(out, node);
  }
  return out;
}

}  // namespace ops

// ---------------------------------------------------------------- take / put

namespace {

// index (int64) with negative positions wrapped, each checked against a tensor of `numel` elements.
Tensor wrap_positions(const Tensor& index, int64_t numel) {
  Tensor idx = copy_raw(index);
  int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) {
    EMBER_CHECK(p[i] >= -numel && p[i] < numel, "out of range: tried to access index ", p[i], " on a tensor of ", numel,
                " elements.");
    if (p[i] < 0) p[i] += numel;
  }
  return idx;
}

}  // namespace

Tensor take(const Tensor& self, const Tensor& index) {
  EMBER_CHECK(index.dtype() == kLong, "take(): Expected a long tensor for index, but got ", to_string(index.dtype()));
  EMBER_CHECK(self.numel() > 0 || index.numel() == 0, "take(): tried to take from an empty tensor");
  return take_positions(self, wrap_positions(index, self.numel()), "TakeBackward0");
}

Tensor put(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
  EMBER_CHECK(index.dtype() == kLong, "put_(): Expected a long tensor for index, but got ", to_string(index.dtype()));
  EMBER_CHECK(self.dtype() == source.dtype(), "put_(): self and source expected to have the same dtype, but got self.dtype = ",
              to_string(self.dtype()), " and source.dtype = ", to_string(source.dtype()));
  EMBER_CHECK(source.numel() == index.numel(), "put_(): Expected source and index to have the same number of elements, but got source.numel() = ",
              source.numel(), ", index.numel() = ", index.numel());
  EMBER_CHECK(self.numel() > 0 || index.numel() == 0, "put_(): Tried to put elements into an empty tensor");
  return put_positions(self, wrap_positions(index, self.numel()), source, accumulate, "PutBackward0");
}

Tensor Tensor::take(const Tensor& index) const { return ember::take(*this, index); }
Tensor Tensor::put(const Tensor& index, const Tensor& source, bool accumulate) const {
  return ember::put(*this, index, source, accumulate);
}
Tensor& Tensor::put_(const Tensor& index, const Tensor& source, bool accumulate) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::put(*this, index, source, accumulate));
}

Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
  EMBER_CHECK(indices.dtype() == kLong, "torch.take_along_dim(): dtype of indices should be Long but got ",
              to_string(indices.dtype()));
  if (!dim) return self.reshape({-1}).gather(0, indices.reshape({-1}));
  EMBER_CHECK(self.dim() == indices.dim(), "torch.take_along_dim(): input and indices should have the same number of dimensions, but got ",
              self.dim(), " dimensions for input, and ", indices.dim(), " dimensions for indices");
  const int64_t d = maybe_wrap_dim(*dim, self.dim());
  DimVector a(self.sizes()), b(indices.sizes());
  if (self.dim() == 0) return self.gather(0, indices);
  a[static_cast<size_t>(d)] = 1;
  b[static_cast<size_t>(d)] = 1;
  DimVector shape = broadcast_shapes(a, b);
  DimVector self_shape(shape), index_shape(shape);
  self_shape[static_cast<size_t>(d)] = self.size(d);
  index_shape[static_cast<size_t>(d)] = indices.size(d);
  return self.expand(self_shape).gather(d, indices.expand(index_shape));
}
Tensor Tensor::take_along_dim(const Tensor& indices, std::optional<int64_t> dim) const {
  return ember::take_along_dim(*this, indices, dim);
}

// ---------------------------------------------------------------- index_add / index_copy / index_fill

namespace {

enum class RangeRule { OutOfRangeInSelf, IndexCopy, Wrap };

// `index` (0-d or 1-d) as a 1-d int64 tensor of positions along dim d of self, checked and (for
// index_fill) wrapped.
Tensor dim_index(const Tensor& self, int64_t d, const Tensor& index, RangeRule rule) {
  const int64_t n = self.dim() == 0 ? 1 : self.size(d);
  Tensor idx = copy_raw(index.reshape({-1}).to(kLong));
  int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) {
    int64_t v = p[i];
    switch (rule) {
      case RangeRule::OutOfRangeInSelf: EMBER_CHECK(v >= 0 && v < n, "index out of range in self"); break;
      case RangeRule::IndexCopy:
        EMBER_CHECK(v >= 0 && v < n, "index_copy_(): index ", v, " is out of bounds for dimension ", d, " with size ", n);
        break;
      case RangeRule::Wrap:
        EMBER_CHECK(v >= -n && v < n, "index ", v, " is out of bounds for dimension ", d, " with size ", n);
        if (v < 0) p[i] = v + n;
        break;
    }
  }
  return idx;
}

// Positions of self's elements in the slices idx selects along d, laid out as the source of an
// index_add/index_copy (size idx.numel() along d).
Tensor slice_positions(const Tensor& self, int64_t d, const Tensor& idx) {
  if (self.dim() == 0) return positions({1}).index_select(0, idx);
  return positions(self.sizes()).index_select(d, idx);
}

// The shape checks index_add, index_reduce (style "add") and index_copy (style "copy") share.
void check_source(const char* op, bool copy_style, const Tensor& self, int64_t d, const Tensor& source, int64_t count) {
  Tensor s1 = as_1d(self), src = as_1d(source);
  if (copy_style) {
    EMBER_CHECK(count == (src.dim() > d ? src.size(d) : 1), op, "(): Number of indices (", count,
                ") should be equal to source.size(dim) (", src.dim() > d ? src.size(d) : 1, ")");
  } else {
    EMBER_CHECK(src.dim() > d && count == src.size(d), op, "(): Number of indices (", count,
                ") should be equal to source.size(dim): (", src.dim() > d ? src.size(d) : 1, "), for dim: ", d);
  }
  EMBER_CHECK(src.dim() == s1.dim(), op, "(): source (", src.dim(), "-d) and self (", s1.dim(),
              "-d) must have the same number of dimensions");
  for (int64_t k = 0; k < s1.dim(); ++k) {
    if (k == d || s1.size(k) == src.size(k)) continue;
    const int64_t slice_dim = k < d ? k : k - 1;
    if (copy_style)
      fail(op, "(): Source/destination tensor must have same slice shapes. Destination slice shape: ", s1.size(k),
           " at dimension ", slice_dim, " and source slice shape: ", src.size(k), " at dimension ", slice_dim, ".");
    fail("The size of tensor a (", s1.size(k), ") must match the size of tensor b (", src.size(k),
         ") at non-singleton dimension ", slice_dim);
  }
}

void check_index_vector(const char* op, const Tensor& index, bool int32_ok) {
  if (int32_ok) {
    EMBER_CHECK(index.dtype() == kLong || index.dtype() == kInt, op, "(): Expected dtype int32/int64 for index but got: ",
                to_string(index.dtype()));
  }
  EMBER_CHECK(index.dim() <= 1, op, "(): Index is supposed to be a vector, but got dim: ", index.dim(), " with type: ",
              to_string(index.dtype()), " and size: ", index.sizes());
}

}  // namespace

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  check_index_vector("index_add_", index, true);
  EMBER_CHECK(self.dtype() == source.dtype(), "index_add_(): self (", to_string(self.dtype()), ") and source (",
              to_string(source.dtype()), ") must have the same scalar type");
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  check_source("index_add_", false, self, d, source, index.numel());
  Tensor idx = dim_index(self, d, index, RangeRule::OutOfRangeInSelf);
  // As ATen: alpha is cast to self's dtype before it scales (0.5 is 0 for an integer tensor).
  check_value_fits(alpha, self.dtype());
  Scalar a = alpha;
  if (self.dtype() == kBool)
    a = Scalar(alpha.toDouble() != 0.0);
  else if (is_integral_type(self.dtype(), false))
    a = Scalar(alpha.toLong());
  Tensor src = source;
  if (!(a.isIntegral(false) && a.to<int64_t>() == 1)) src = source.mul(a).to(self.dtype());
  return put_positions(self, slice_positions(self, d, idx), src, true, "IndexAddBackward0");
}

Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  EMBER_CHECK(index.dtype() == kLong, "index_copy_(): Expected a long tensor for index, but got ", to_string(index.dtype()));
  check_index_vector("index_copy_", index, false);
  EMBER_CHECK(self.dtype() == source.dtype(), "index_copy_(): self and source expected to have the same dtype, but got (self) ",
              to_string(self.dtype()), " and (source) ", to_string(source.dtype()));
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  check_source("index_copy_", true, self, d, source, index.numel());
  Tensor idx = dim_index(self, d, index, RangeRule::IndexCopy);
  return put_positions(self, slice_positions(self, d, idx), source, false, "IndexCopyBackward0");
}

namespace {
Tensor index_fill_impl(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* value_tensor, const Scalar& value) {
  EMBER_CHECK(index.dtype() == kLong, "index_fill_(): Expected dtype int64 for index.");
  check_index_vector("index_fill_", index, false);
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  Tensor idx = dim_index(self, d, index, RangeRule::Wrap);
  if (value_tensor) {
    EMBER_CHECK(value_tensor->dim() == 0, "index_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
                value_tensor->dim(), " dimension(s).");
    // The value's gradient counts each filled element once, however often the index names it.
    std::vector<int64_t> v(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    Tensor u = new_tensor({static_cast<int64_t>(v.size())}, kLong);
    std::copy(v.begin(), v.end(), u.data_ptr<int64_t>());
    Tensor pos = slice_positions(self, d, u);
    return put_positions(self, pos, value_tensor->to(self.dtype()).expand(pos.sizes()), false, "IndexFillBackward1");
  }
  check_value_fits(value, self.dtype());
  Tensor pos = slice_positions(self, d, idx);
  return put_positions(self, pos, full(pos.sizes(), value, TensorOptions(self.dtype())), false, "IndexFillBackward0");
}
}  // namespace

Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  return index_fill_impl(self, dim, index, nullptr, value);
}
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  return index_fill_impl(self, dim, index, &value, 0);
}

Tensor Tensor::index_add(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) const {
  return ember::index_add(*this, dim, index, source, alpha);
}
Tensor& Tensor::index_add_(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::index_add(*this, dim, index, source, alpha));
}
Tensor Tensor::index_copy(int64_t dim, const Tensor& index, const Tensor& source) const {
  return ember::index_copy(*this, dim, index, source);
}
Tensor& Tensor::index_copy_(int64_t dim, const Tensor& index, const Tensor& source) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::index_copy(*this, dim, index, source));
}
Tensor Tensor::index_fill(int64_t dim, const Tensor& index, const Scalar& value) const {
  return ember::index_fill(*this, dim, index, value);
}
Tensor Tensor::index_fill(int64_t dim, const Tensor& index, const Tensor& value) const {
  return ember::index_fill(*this, dim, index, value);
}
Tensor& Tensor::index_fill_(int64_t dim, const Tensor& index, const Scalar& value) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::index_fill(*this, dim, index, value));
}
Tensor& Tensor::index_fill_(int64_t dim, const Tensor& index, const Tensor& value) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::index_fill(*this, dim, index, value));
}

// ---------------------------------------------------------------- scatter_reduce / index_reduce

namespace {

enum class Reduce { Sum, Prod, Mean, Amax, Amin };

// out (a contiguous copy of self) reduced along d with src at index; index and src of one rank.
void scatter_reduce_kernel(const Tensor& out, int64_t d, const Tensor& index, const Tensor& src, Reduce red,
                           bool include_self) {
  const int64_t sd = out.stride(d);
  DimVector out_strides(out.strides());
  out_strides[static_cast<size_t>(d)] = 0;
  const int64_t* ip = index.data_ptr<int64_t>();
  visit_dtype(out.dtype(), "scatter_reduce", [&](auto tag) {
    using T = decltype(tag);
    T* o = reinterpret_cast<T*>(out.data_ptr());
    const T* s = reinterpret_cast<const T*>(src.data_ptr());
    auto each = [&](const auto& f) {
      walk<3>(index.sizes(), {DimVector(index.strides()), out_strides, DimVector(src.strides())},
              [&](const std::array<int64_t, 3>& off, const DimVector&) { f(off[1] + ip[off[0]] * sd, s[off[2]]); });
    };
    auto is_nan = [](T v) {
      if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
      else return false;
    };
    if (!include_self) {
      T init{};
      if (red == Reduce::Prod) init = static_cast<T>(1);
      if (red == Reduce::Amax)
        init = std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
      if (red == Reduce::Amin)
        init = std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
      each([&](int64_t p, T) { o[p] = init; });
    }
    std::vector<int64_t> count(red == Reduce::Mean ? static_cast<size_t>(out.numel()) : 0, include_self ? 1 : 0);
    each([&](int64_t p, T v) {
      T& x = o[p];
      switch (red) {
        case Reduce::Sum: x = static_cast<T>(x + v); break;
        case Reduce::Mean:
          x = static_cast<T>(x + v);
          ++count[static_cast<size_t>(p)];
          break;
        case Reduce::Prod: x = static_cast<T>(x * v); break;
        case Reduce::Amax:
          if (is_nan(v) || (!is_nan(x) && v > x)) x = v;
          break;
        case Reduce::Amin:
          if (is_nan(v) || (!is_nan(x) && v < x)) x = v;
          break;
      }
    });
    if (red == Reduce::Mean) {
      for (size_t p = 0; p < count.size(); ++p) {
        const int64_t c = count[p];
        if (c == 0) continue;
        if constexpr (std::is_floating_point_v<T>) {
          o[p] = static_cast<T>(o[p] / static_cast<T>(c));
        } else if constexpr (!std::is_same_v<T, bool>) {
          // integer means round toward negative infinity, as PyTorch's floor division
          const int64_t a = static_cast<int64_t>(o[p]);
          int64_t q = a / c;
          if (a % c != 0 && a < 0) --q;
          o[p] = static_cast<T>(q);
        }
      }
    }
  });
}

// t zero-padded at the end of each dim up to `sizes`.
Tensor pad_to(const Tensor& t, IntArrayRef sizes) {
  Tensor r = t;
  for (int64_t k = 0; k < r.dim(); ++k) {
    if (r.size(k) == sizes[static_cast<size_t>(k)]) continue;
    DimVector pad(r.sizes());
    pad[static_cast<size_t>(k)] = sizes[static_cast<size_t>(k)] - r.size(k);
    r = cat(std::vector<Tensor>{r, zeros(pad, TensorOptions(t.dtype()))}, k);
  }
  return r;
}
// src's first index.sizes() elements: the part a scatter reads.
Tensor read_part(const Tensor& src, const Tensor& index) {
  Tensor r = src;
  for (int64_t k = 0; k < r.dim(); ++k)
    if (r.size(k) != index.size(k)) r = r.narrow(k, 0, index.size(k));
  return r;
}

Tensor scatter_reduce_impl(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src, Reduce red,
                           bool include_self, const char* name);

// PyTorch's scatter_reduce_backward, written with differentiable ops.
struct ScatterReduceNode final : Node {
  const char* name_ = "ScatterReduceBackward0";
  SavedVariable self, src, index, result;
  int64_t dim = 0;
  Reduce red = Reduce::Sum;
  bool include_self = true;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    Tensor s = self.unpack(), idx = index.unpack(), r = result.unpack(this);
    Tensor full_src = src.unpack();
    Tensor x = read_part(full_src, idx);
    Tensor gs, gx;
    switch (red) {
      case Reduce::Sum:
        gs = g;
        gx = g.gather(dim, idx);
        break;
      case Reduce::Mean: {
        Tensor n = (include_self ? ones_like(s) : zeros_like(s)).scatter_add(dim, idx, ones_like(x));
        n = n.masked_fill(n.eq(0), 1);
        gs = g.div(n);
        gx = gs.gather(dim, idx);
        break;
      }
      case Reduce::Prod: {
        Tensor masked_self = s.masked_fill(s.eq(0), 1);
        Tensor masked_self_result = scatter_reduce_impl(masked_self, dim, idx, x, red, include_self, "ScatterReduceBackward0");
        gs = g.mul(masked_self_result).div(masked_self);
        Tensor src_zero = x.eq(0);
        Tensor src_num_zeros = zeros_like(s).scatter_add(dim, idx, src_zero.to(s.dtype())).gather(dim, idx);
        Tensor src_single_zero = src_zero.logical_and(src_num_zeros.eq(1));
        Tensor masked_src = x.masked_fill(src_single_zero, 1);
        Tensor masked_src_result = scatter_reduce_impl(s, dim, idx, masked_src, red, include_self, "ScatterReduceBackward0");
        gx = where(src_single_zero, g.mul(masked_src_result).gather(dim, idx),
                   g.mul(r).gather(dim, idx).div(x.masked_fill(src_zero, 1)));
        break;
      }
      default: {
        Tensor value = r.gather(dim, idx);
        Tensor self_is_result = s.eq(r).to(s.dtype());
        Tensor src_is_result = x.eq(value).to(s.dtype());
        Tensor n = self_is_result.scatter_add(dim, idx, src_is_result);
        Tensor share = g.div(n);
        gs = self_is_result.mul(share);
        gx = src_is_result.mul(share.gather(dim, idx));
        break;
      }
    }
    if (!include_self) gs = gs.scatter(dim, idx, Scalar(0));
    return {gs, pad_to(gx, full_src.sizes())};
  }
  void release_variables() override {
    self.reset_data();
    src.reset_data();
    index.reset_data();
    result.reset_data();
  }
};

// self (at least 1-d) reduced along d with src at index (int64, checked); no argument checks here.
Tensor scatter_reduce_impl(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src, Reduce red,
                           bool include_self, const char* name) {
  Tensor out = copy_raw(self);
  scatter_reduce_kernel(out, d, contiguous_raw(index), contiguous_raw(src), red, include_self);
  if (any_requires_grad(self, src)) {
    auto n = make_node<ScatterReduceNode>(self, src);
    n->name_ = name;
    n->self = save(self);
    n->src = save(src);
    n->index = save(index);
    n->result = save_output(out);
    n->dim = d;
    n->red = red;
    n->include_self = include_self;
    set_history(out, n);
  }
  return out;
}

}  // namespace

Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce,
                      bool include_self) {
  Reduce red = Reduce::Sum;
  if (reduce == "sum") red = Reduce::Sum;
  else if (reduce == "prod") red = Reduce::Prod;
  else if (reduce == "mean") red = Reduce::Mean;
  else if (reduce == "amax") red = Reduce::Amax;
  else if (reduce == "amin") red = Reduce::Amin;
  else fail("reduce argument must be either sum, prod, mean, amax or amin, got ", reduce);
  EMBER_CHECK(index.dtype() == kLong, "scatter(): Expected dtype int64 for index");
  EMBER_CHECK(src.dtype() == self.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  // LibTorch has no Bool kernel for the mean (a bool sum has no count to divide by)
  EMBER_CHECK(red != Reduce::Mean || self.dtype() != kBool,
              "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'");
  if (self.dim() == 0) {
    return scatter_reduce(self.reshape({1}), 0, index.reshape({-1}), src.reshape({-1}), reduce, include_self).reshape({});
  }
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  EMBER_CHECK(as_1d(index).dim() == self.dim(), "Index tensor must have the same number of dimensions as self tensor");
  EMBER_CHECK(as_1d(src).dim() == self.dim(), "Index tensor must have the same number of dimensions as src tensor");
  Tensor idx = as_1d(index), s = as_1d(src);
  bool ok = true;
  for (int64_t k = 0; k < idx.dim(); ++k) {
    if (k != d && idx.size(k) > self.size(k)) ok = false;
    if (idx.size(k) > s.size(k)) ok = false;
  }
  EMBER_CHECK(ok, "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(), " apart from dimension ", d,
              " and to be smaller size than src ", src.sizes());
  check_index_range(idx, d, self.size(d));
  return scatter_reduce_impl(self, d, idx, s, red, include_self, "ScatterReduceBackward0");
}

Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, std::string_view reduce,
                    bool include_self) {
  Reduce red = Reduce::Sum;
  if (reduce == "prod") red = Reduce::Prod;
  else if (reduce == "mean") red = Reduce::Mean;
  else if (reduce == "amax") red = Reduce::Amax;
  else if (reduce == "amin") red = Reduce::Amin;
  else fail("index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got ", reduce, ".");
  check_index_vector("index_reduce_", index, true);
  EMBER_CHECK(self.dtype() == source.dtype(), "index_reduce_(): self (", to_string(self.dtype()), ") and source (",
              to_string(source.dtype()), ") must have the same scalar type");
  EMBER_CHECK(self.dtype() != kBool, "\"index_func_\" not implemented for 'Bool'");
  if (self.dim() == 0) {
    return index_reduce(self.reshape({1}), 0, index, source.reshape({-1}), reduce, include_self).reshape({});
  }
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  check_source("index_reduce_", false, self, d, source, index.numel());
  Tensor idx = dim_index(self, d, index, RangeRule::OutOfRangeInSelf);
  // The index spread over source's shape: a scatter along d.
  DimVector shape(source.dim(), 1);
  shape[static_cast<size_t>(d)] = idx.numel();
  Tensor spread = contiguous_raw(expand_raw(idx.view(shape), source.sizes()));
  return scatter_reduce_impl(self, d, spread, source, red, include_self, "IndexReduceBackward0");
}

Tensor Tensor::scatter_reduce(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce,
                              bool include_self) const {
  return ember::scatter_reduce(*this, dim, index, src, reduce, include_self);
}
Tensor& Tensor::scatter_reduce_(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce,
                                bool include_self) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::scatter_reduce(*this, dim, index, src, reduce, include_self));
}
Tensor Tensor::index_reduce(int64_t dim, const Tensor& index, const Tensor& source, std::string_view reduce,
                            bool include_self) const {
  return ember::index_reduce(*this, dim, index, source, reduce, include_self);
}
Tensor& Tensor::index_reduce_(int64_t dim, const Tensor& index, const Tensor& source, std::string_view reduce,
                              bool include_self) const {
  autograd::check_inplace(*this);
  return write_back(mutable_self(), ember::index_reduce(*this, dim, index, source, reduce, include_self));
}

// ---------------------------------------------------------------- index_put / masked_scatter

Tensor index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate) {
  std::vector<indexing::TensorIndex> ti;
  for (const auto& i : indices) {
    if (i && i->defined()) ti.emplace_back(*i);
    else ti.emplace_back(indexing::Slice());
  }
  EMBER_CHECK(values.dtype() == self.dtype(), "Index put requires the source and destination dtypes match, got ",
              to_string(self.dtype()), " for the destination and ", to_string(values.dtype()), " for the source.");
  Tensor pos = positions(self.sizes()).index(ti);
  EMBER_CHECK(broadcastable_to(values.sizes(), pos.sizes()), "shape mismatch: value tensor of shape ", values.sizes(),
              " cannot be broadcast to indexing result of shape ", pos.sizes());
  return put_positions(self, pos, values.expand(pos.sizes()), accumulate, "IndexPutBackward0");
}
Tensor& index_put_(Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate) {
  autograd::check_inplace(self);
  return write_back(self, index_put(self, indices, values, accumulate));
}
Tensor Tensor::index_put(const std::vector<std::optional<Tensor>>& indices, const Tensor& values, bool accumulate) const {
  return ember::index_put(*this, indices, values, accumulate);
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  EMBER_CHECK(self.dtype() == source.dtype(), "masked_scatter: expected self and source to have same dtypes but got ",
              to_string(self.dtype()), " and ", to_string(source.dtype()));
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor m = mask.dtype() == kBool ? mask : mask.ne(0);
  Tensor pos = positions(shape).masked_select(m.expand(shape));
  EMBER_CHECK(source.numel() >= pos.numel(), "Number of elements of source < number of ones in mask");
  Tensor part = source.reshape({-1}).narrow(0, 0, pos.numel());
  return put_positions(self.expand(shape), pos, part, false, "MaskedScatterBackward0");
}
Tensor Tensor::masked_scatter(const Tensor& mask, const Tensor& source) const {
  return ember::masked_scatter(*this, mask, source);
}
Tensor& Tensor::masked_scatter_(const Tensor& mask, const Tensor& source) const {
  autograd::check_inplace(*this);
  EMBER_CHECK(broadcastable_to(mask.sizes(), sizes()), "masked_scatter_: expected mask to be broadcastable to self ",
              sizes(), ", got ", mask.sizes());
  return write_back(mutable_self(), ember::masked_scatter(*this, mask, source));
}

// ---------------------------------------------------------------- argwhere / nonzero_numpy

Tensor argwhere(const Tensor& x) { return x.nonzero(); }
std::vector<Tensor> nonzero_numpy(const Tensor& x) {
  Tensor nz = x.dim() == 0 ? x.unsqueeze(0).nonzero() : x.nonzero();
  std::vector<Tensor> out;
  for (int64_t d = 0; d < nz.size(1); ++d) out.push_back(nz.select(1, d).contiguous());
  return out;
}
Tensor Tensor::argwhere() const { return ember::argwhere(*this); }
std::vector<Tensor> Tensor::nonzero_numpy() const { return ember::nonzero_numpy(*this); }

// ---------------------------------------------------------------- repeat_interleave

Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size) {
  EMBER_CHECK(repeats.dim() <= 1, "repeats must be 0-dim or 1-dim tensor");
  EMBER_CHECK(repeats.dtype() == kLong || repeats.dtype() == kInt, "\"repeat_interleave_cpu\" not implemented for '",
              to_string(repeats.dtype()), "'");
  Tensor r = copy_raw(cast(repeats.reshape({-1}), kLong));
  const int64_t* rp = r.data_ptr<int64_t>();
  int64_t total = 0;
  for (int64_t i = 0; i < r.numel(); ++i) {
    EMBER_CHECK(rp[i] >= 0, "repeats can not be negative");
    total += rp[i];
  }
  // ATen returns empty repeats' (empty) result before it looks at output_size.
  EMBER_CHECK(!output_size || r.numel() == 0 || *output_size == total, "allocated size does not match required size");
  Tensor out = new_tensor({total}, kLong);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < r.numel(); ++i)
    for (int64_t k = 0; k < rp[i]; ++k) *o++ = i;
  return cast(out, repeats.dtype());
}

Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  // A 0-d input has no dim to name (without a dim it is flattened first).
  EMBER_CHECK(!(dim && self.dim() == 0), "Dimension specified as ", dim.value_or(0), " but tensor has no dimensions");
  Tensor input = dim ? self : self.reshape({-1});
  const int64_t d = dim ? maybe_wrap_dim(*dim, self.dim()) : 0;
  EMBER_CHECK(repeats.dim() <= 1, "repeats must be 0-dim or 1-dim tensor");
  Tensor reps = repeats;
  if (reps.numel() == 1) reps = reps.reshape({1}).expand({input.size(d)});
  EMBER_CHECK(reps.dim() == 1 && reps.size(0) == input.size(d), "repeats must have the same size as input along dim");
  Tensor idx = repeat_interleave(reps, output_size);
  return input.index_select(d, cast(idx, kLong));
}
Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  EMBER_CHECK(repeats >= 0, "repeats can not be negative");
  return repeat_interleave(self, scalar_tensor(repeats, TensorOptions(kLong)), dim, output_size);
}
Tensor Tensor::repeat_interleave(const Tensor& repeats, std::optional<int64_t> dim,
                                 std::optional<int64_t> output_size) const {
  return ember::repeat_interleave(*this, repeats, dim, output_size);
}
Tensor Tensor::repeat_interleave(int64_t repeats, std::optional<int64_t> dim, std::optional<int64_t> output_size) const {
  return ember::repeat_interleave(*this, repeats, dim, output_size);
}

// ---------------------------------------------------------------- unique family

namespace {

// The rows of x2 (n x m, contiguous) grouped: equal neighbours (consecutive) or equal rows after a
// lexicographic sort. first: a representative row of each group in group order; inverse: each
// row's group; counts: each group's size.
struct Groups {
  std::vector<int64_t> first, inverse, counts;
};
Groups group_rows(const Tensor& x2, bool consecutive) {
  const int64_t n = x2.size(0), m = x2.size(1);
  Groups g;
  g.inverse.assign(static_cast<size_t>(n), 0);
  visit_dtype(x2.dtype(), "unique", [&](auto tag) {
    using T = decltype(tag);
    const T* p = reinterpret_cast<const T*>(x2.data_ptr());
    auto less = [&](int64_t a, int64_t b) {
      return std::lexicographical_compare(p + a * m, p + a * m + m, p + b * m, p + b * m + m);
    };
    auto equal = [&](int64_t a, int64_t b) { return std::equal(p + a * m, p + a * m + m, p + b * m); };
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (!consecutive) std::stable_sort(order.begin(), order.end(), less);
    for (size_t i = 0; i < order.size(); ++i) {
      if (i == 0 || !equal(order[i - 1], order[i])) {
        g.first.push_back(order[i]);
        g.counts.push_back(0);
      }
      g.inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(g.first.size()) - 1;
      ++g.counts.back();
    }
  });
  return g;
}

Tensor long_tensor(const std::vector<int64_t>& v, IntArrayRef shape) {
  Tensor t = new_tensor(shape, kLong);
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

std::tuple<Tensor, Tensor, Tensor> unique_along(const Tensor& self, int64_t dim, bool consecutive, bool return_inverse,
                                                bool return_counts) {
  NoGradGuard no_grad;
  EMBER_CHECK(self.dim() > 0, "unique_dim: a 0-d tensor has no dim ", dim);
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  const int64_t n = self.size(d);
  const int64_t m = n == 0 ? 0 : self.numel() / n;
  // Each slice flattened as PyTorch does (transpose(d, 0), not movedim): the sorted order is
  // lexicographic in that element order.
  Tensor x2 = contiguous_raw(self.detach().transpose(d, 0).reshape({n, m}));
  Groups g = group_rows(x2, consecutive);
  Tensor values = self.detach().index_select(d, long_tensor(g.first, {static_cast<int64_t>(g.first.size())}));
  Tensor inverse = return_inverse ? long_tensor(g.inverse, {n}) : empty({0}, TensorOptions(kLong));
  Tensor counts = return_counts ? long_tensor(g.counts, {static_cast<int64_t>(g.counts.size())}) : empty({0}, TensorOptions(kLong));
  return {values, inverse, counts};
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& self, bool return_inverse, bool return_counts,
                                                      std::optional<int64_t> dim) {
  if (dim) return unique_along(self, *dim, true, return_inverse, return_counts);
  NoGradGuard no_grad;
  Tensor flat = self.detach().reshape({-1});
  auto [values, inverse, counts] = unique_along(flat, 0, true, return_inverse, return_counts);
  if (return_inverse) inverse = inverse.view(self.sizes());
  return {values, inverse, counts};
}
std::tuple<Tensor, Tensor, Tensor> unique_dim(const Tensor& self, int64_t dim, bool /*sorted: always sorted, as PyTorch*/,
                                              bool return_inverse, bool return_counts) {
  return unique_along(self, dim, false, return_inverse, return_counts);
}
std::tuple<Tensor, Tensor, Tensor> unique_dim_consecutive(const Tensor& self, int64_t dim, bool return_inverse,
                                                          bool return_counts) {
  return unique_along(self, dim, true, return_inverse, return_counts);
}

}  // namespace ember
