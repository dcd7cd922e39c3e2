// Indexing ops: index/index_put_ (basic views plus advanced tensor indices), index_select, gather,
// scatter/scatter_add, masked_fill/masked_select, topk/sort/argsort and nonzero, with their backward.
#include "ember/ops/indexing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "ops/util.h"

namespace ember {

using autograd::any_requires_grad;
using autograd::make_node;
using autograd::set_history;
using indexing::TensorIndex;
using namespace ops;

indexing::TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  EMBER_CHECK(s && std::string_view(s) == "...", "Expected \"...\" to represent an ellipsis index, but got \"",
              s ? s : "(null)", "\"");
}

// ---------------------------------------------------------------- helpers

namespace {

// Visits every position of `sizes` in row-major order; f(off, pos) gets one element offset per
// operand (from that operand's element strides) and the position itself.
template <size_t N, typename F>
void walk(IntArrayRef sizes, const std::array<DimVector, N>& strides, const F& f) {
  if (numel_of(sizes) == 0) return;
  const size_t nd = sizes.size();
  DimVector pos(nd, 0);
  std::array<int64_t, N> off{};
  if (nd == 0) {
    f(off, pos);
    return;
  }
  // The innermost dim runs as a plain loop; the outer dims advance as a counter.
  const size_t last = nd - 1;
  const int64_t inner = sizes[last];
  std::array<int64_t, N> step;
  for (size_t k = 0; k < N; ++k) step[k] = strides[k][last];
  while (true) {
    std::array<int64_t, N> o = off;
    for (int64_t i = 0; i < inner; ++i) {
      pos[last] = i;
      f(o, pos);
      for (size_t k = 0; k < N; ++k) o[k] += step[k];
    }
    pos[last] = 0;
    size_t d = last;
    while (d-- > 0) {
      if (++pos[d] < sizes[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
        break;
      }
      pos[d] = 0;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * (sizes[d] - 1);
    }
    if (d == static_cast<size_t>(-1)) return;
  }
}

// A zero-dim tensor seen as one element of one dim (PyTorch's ensure_nonempty_dim for gather/scatter).
Tensor as_1d(const Tensor& t) {
  if (t.dim() > 0) return t;
  return raw_view(t, IntArrayRef({int64_t(1)}), IntArrayRef({int64_t(1)}), t.storage_offset());
}

bool shares_storage(const Tensor& a, const Tensor& b) {
  return a.unsafeGetTensorImpl()->storage().get() == b.unsafeGetTensorImpl()->storage().get();
}
Tensor copy_raw(const Tensor& t) {
  Tensor out = new_tensor(t.sizes(), t.dtype());
  kernels::copy(out, t);
  return out;
}
// A zero-dim tensor of `dtype` holding `v`.
Tensor scalar_of(const Scalar& v, ScalarType dtype) {
  Tensor t = new_tensor({}, dtype);
  kernels::fill(t, v);
  return t;
}

// `shape` broadcast with `other`, or nothing when they do not broadcast.
std::optional<DimVector> try_broadcast(IntArrayRef a, IntArrayRef b) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}
bool broadcastable_to(IntArrayRef from, IntArrayRef to) {
  auto b = try_broadcast(from, to);
  return b && b->ref() == to;
}
// PyTorch's expand error, for a value copied into a view of shape `to`.
void check_expandable(IntArrayRef from, IntArrayRef to) {
  EMBER_CHECK(from.size() <= to.size(), "index_put_: value tensor of shape ", from,
              " cannot be broadcast to indexing result of shape ", to);
  const size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    EMBER_CHECK(from[i] == to[off + i] || from[i] == 1, "The expanded size of the tensor (", to[off + i],
                ") must match the existing size (", from[i], ") at non-singleton dimension ", off + i,
                ".  Target sizes: ", to, ".  Tensor sizes: ", from);
}

// In-place ops with autograd copy an out-of-place result into self; they refuse, before any write,
// what rebase_history would refuse after it.
void check_inplace_with_grad(const Tensor& self) {
  autograd::check_inplace(self);
  auto* m = autograd::meta_of(self);
  EMBER_CHECK(!(m && m->view_base_.defined() && m->view_base_.requires_grad()),
              "ember: an in-place operation on a view of a tensor that requires grad is not supported yet; "
              "apply it to a clone() of the view, or to the base tensor");
}
Tensor& assign_inplace(Tensor& self, const Tensor& r) {
  kernels::copy(self, r);
  autograd::rebase_history(self, r.grad_fn());
  return self;
}

// Throws PyTorch's message for an index outside [0, size) (gather, scatter: no wrapping).
void check_index_range(const Tensor& index, int64_t dim, int64_t size) {
  const int64_t* p = index.data_ptr<int64_t>();
  walk<1>(index.sizes(), {DimVector(index.strides())}, [&](const std::array<int64_t, 1>& off, const DimVector&) {
    int64_t v = p[off[0]];
    EMBER_CHECK(v >= 0 && v < size, "index ", v, " is out of bounds for dimension ", dim, " with size ", size);
  });
}

// Row-major element offsets of every position of `sizes` under `strides`.
std::vector<int64_t> offsets_of(IntArrayRef sizes, IntArrayRef strides) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(numel_of(sizes)));
  walk<1>(sizes, {DimVector(strides)},
          [&](const std::array<int64_t, 1>& off, const DimVector&) { out.push_back(off[0]); });
  return out;
}

}  // namespace

// ---------------------------------------------------------------- basic index views

namespace {

// One view op of a basic index, replayed with the differentiable shape ops or on raw geometry.
struct Step {
  enum Kind { Select, Slice, Unsqueeze } kind;
  int64_t dim, start, end, step;
  Step(Kind k, int64_t d, int64_t s = 0, int64_t e = 0, int64_t st = 1) : kind(k), dim(d), start(s), end(e), step(st) {}
};

struct Geometry {
  DimVector sizes, strides;
  int64_t offset = 0;
  explicit Geometry(const Tensor& t) : sizes(t.sizes()), strides(t.strides()), offset(t.storage_offset()) {}
  void apply(const Step& s) {
    const size_t d = static_cast<size_t>(s.dim);
    switch (s.kind) {
      case Step::Select:
        offset += s.start * strides[d];
        sizes.erase(d);
        strides.erase(d);
        break;
      case Step::Slice:
        offset += s.start * strides[d];
        sizes[d] = std::max<int64_t>(0, (s.end - s.start + s.step - 1) / s.step);
        strides[d] *= s.step;
        break;
      case Step::Unsqueeze: {
        int64_t st = d < sizes.size() ? sizes[d] * strides[d] : 1;
        sizes.insert(d, 1);
        strides.insert(d, st);
        break;
      }
    }
  }
  void permute(IntArrayRef perm) {
    DimVector s, st;
    for (int64_t p : perm) s.push_back(sizes[p]), st.push_back(strides[p]);
    sizes = s;
    strides = st;
  }
};

Tensor replay(const Tensor& t, const std::vector<Step>& steps) {
  Tensor r = t;
  for (const Step& s : steps) {
    switch (s.kind) {
      case Step::Select: r = ember::select(r, s.dim, s.start); break;
      case Step::Slice: r = ember::slice(r, s.dim, s.start, s.end, s.step); break;
      case Step::Unsqueeze: r = ember::unsqueeze(r, s.dim); break;
    }
  }
  return r;
}
Tensor replay_raw(const Tensor& t, const std::vector<Step>& steps) {
  Geometry g(t);
  for (const Step& s : steps) g.apply(s);
  return raw_view(t, g.sizes, g.strides, g.offset);
}

// An index list split into its basic part (view steps) and its advanced part (tensors, each on one
// dim of the basic view).
struct Parsed {
  std::vector<Step> steps;
  Geometry geo;
  std::vector<std::pair<int64_t, Tensor>> adv;
  explicit Parsed(const Tensor& t) : geo(t) {}
};

bool is_mask(const Tensor& t) { return t.dtype() == kBool || t.dtype() == kByte; }

Tensor bool_index(bool b) {
  Tensor t = new_tensor(IntArrayRef({int64_t(b ? 1 : 0)}), kLong);
  if (b) t.data_ptr<int64_t>()[0] = 0;
  return t;
}

Parsed parse(const Tensor& self, ArrayRef<TensorIndex> indices) {
  const int64_t ndim = self.dim();
  int64_t specified = 0, ellipses = 0;
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer:
      case TensorIndex::Kind::Slice: ++specified; break;
      case TensorIndex::Kind::Ellipsis: ++ellipses; break;
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = i.tensor();
        EMBER_CHECK(t.defined(), "index: an index tensor is undefined");
        EMBER_CHECK(is_integral_type(t.dtype(), true),
                    "tensors used as indices must be long, int, byte or bool tensors");
        specified += is_mask(t) ? t.dim() : 1;
        break;
      }
      default: break;
    }
  }
  EMBER_CHECK(ellipses <= 1, "an index can only have a single ellipsis ('...')");
  EMBER_CHECK(specified <= ndim, "too many indices for tensor of dimension ", ndim);

  Parsed p(self);
  Geometry& g = p.geo;
  int64_t dim = 0;
  auto push = [&](Step s) {
    g.apply(s);
    p.steps.push_back(s);
  };
  auto select_at = [&](int64_t i) {
    const int64_t n = g.sizes[static_cast<size_t>(dim)];
    EMBER_CHECK(i >= -n && i < n, "index ", i, " is out of bounds for dimension ", dim, " with size ", n);
    push({Step::Select, dim, i < 0 ? i + n : i});
  };
  auto bool_at = [&](bool b) {
    push({Step::Unsqueeze, dim});
    p.adv.emplace_back(dim, bool_index(b));
    ++dim;
  };
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::None:
        push({Step::Unsqueeze, dim});
        ++dim;
        break;
      case TensorIndex::Kind::Ellipsis: dim += ndim - specified; break;
      case TensorIndex::Kind::Integer: select_at(i.integer()); break;
      case TensorIndex::Kind::Boolean: bool_at(i.boolean()); break;
      case TensorIndex::Kind::Slice: {
        const auto& s = i.slice();
        EMBER_CHECK(s.step() != 0, "slice step cannot be zero");
        EMBER_CHECK(s.step() > 0, "step must be greater than zero");
        const int64_t n = g.sizes[static_cast<size_t>(dim)];
        int64_t start = s.start().value_or(0), end = s.stop().value_or(n);
        if (start < 0) start += n;
        if (end < 0) end += n;
        start = std::clamp<int64_t>(start, 0, n);
        end = std::clamp<int64_t>(end, start, n);
        push({Step::Slice, dim, start, end, s.step()});
        ++dim;
        break;
      }
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = i.tensor();
        if (t.dim() == 0) {
          if (is_mask(t)) bool_at(cast(t, kBool).item<bool>());
          else select_at(cast(t, kLong).item<int64_t>());
          break;
        }
        if (is_mask(t)) {
          for (int64_t j = 0; j < t.dim(); ++j) {
            const size_t d = static_cast<size_t>(dim + j);
            EMBER_CHECK(d < g.sizes.size() && t.size(j) == g.sizes[d], "The shape of the mask ", t.sizes(),
                        " at index ", j, " does not match the shape of the indexed tensor ", g.sizes, " at index ",
                        dim + j);
          }
          Tensor nz = nonzero(t);  // [n, k]
          const int64_t n = nz.size(0);
          for (int64_t j = 0; j < t.dim(); ++j)
            p.adv.emplace_back(dim + j,
                               raw_view(nz, IntArrayRef({n}), IntArrayRef({t.dim()}), nz.storage_offset() + j));
          dim += t.dim();
        } else {
          p.adv.emplace_back(dim, cast(t, kLong));
          ++dim;
        }
        break;
      }
    }
  }
  return p;
}

}  // namespace

// ---------------------------------------------------------------- advanced indexing

namespace {

// Index tensors (int64, broadcast to `shape`) applied to dims [start, start + indices.size()).
struct AdvIndex {
  int64_t start = 0;
  std::vector<Tensor> indices;
  DimVector shape;
};

struct SavedAdvIndex {
  int64_t start = 0;
  DimVector shape;
  std::vector<SavedVariable> indices;
  explicit SavedAdvIndex(const AdvIndex& a) : start(a.start), shape(a.shape) {
    for (const Tensor& t : a.indices) indices.push_back(save(t));
  }
  SavedAdvIndex() = default;
  AdvIndex unpack() const {
    AdvIndex a;
    a.start = start;
    a.shape = shape;
    for (const auto& s : indices) a.indices.push_back(s.unpack());
    return a;
  }
  void reset() {
    for (auto& s : indices) s.reset_data();
  }
};

// Broadcasts the advanced indices of `p`. When they are not on adjacent dims, `perm` receives the
// permutation of the basic view that brings them to the front (NumPy's rule).
AdvIndex make_adv(const Parsed& p, DimVector& perm) {
  AdvIndex a;
  DimVector shape;
  bool ok = true;
  for (const auto& [d, t] : p.adv) {
    auto b = try_broadcast(shape, t.sizes());
    if (!b) {
      ok = false;
      break;
    }
    shape = *b;
  }
  if (!ok) {
    std::ostringstream os;
    for (size_t i = 0; i < p.adv.size(); ++i) os << (i ? ", " : "") << p.adv[i].second.sizes();
    fail("shape mismatch: indexing tensors could not be broadcast together with shapes ", os.str());
  }
  a.shape = shape;
  for (const auto& [d, t] : p.adv) a.indices.push_back(expand_raw(t, shape));
  bool adjacent = true;
  for (size_t j = 0; j < p.adv.size(); ++j) adjacent = adjacent && p.adv[j].first == p.adv[0].first + int64_t(j);
  if (adjacent) {
    a.start = p.adv[0].first;
  } else {
    a.start = 0;
    perm.clear();
    for (const auto& [d, t] : p.adv) perm.push_back(d);
    for (int64_t d = 0; d < static_cast<int64_t>(p.geo.sizes.size()); ++d)
      if (std::none_of(p.adv.begin(), p.adv.end(), [d](const auto& x) { return x.first == d; })) perm.push_back(d);
  }
  return a;
}

// Element offsets for reading/writing `src[pre..., idx(b)..., post...]`, bounds-checked.
struct Plan {
  std::vector<int64_t> pre, mid, post;
  DimVector out_sizes;
};

Plan make_plan(IntArrayRef sizes, IntArrayRef strides, const AdvIndex& a) {
  const size_t m = a.indices.size();
  const size_t s = static_cast<size_t>(a.start);
  EMBER_CHECK(s + m <= sizes.size(), "index: too many indices for tensor of dimension ", sizes.size());
  Plan p;
  const int64_t nb = numel_of(a.shape);
  p.mid.assign(static_cast<size_t>(nb), 0);
  for (size_t j = 0; j < m; ++j) {
    const int64_t n = sizes[s + j], st = strides[s + j];
    Tensor idx = contiguous_raw(a.indices[j]);
    const int64_t* ip = idx.data_ptr<int64_t>();
    for (int64_t b = 0; b < nb; ++b) {
      int64_t v = ip[b];
      EMBER_CHECK(v >= -n && v < n, "index ", v, " is out of bounds for dimension ", s + j, " with size ", n);
      p.mid[static_cast<size_t>(b)] += (v < 0 ? v + n : v) * st;
    }
  }
  p.pre = offsets_of(sizes.slice(0, s), strides.slice(0, s));
  p.post = offsets_of(sizes.slice(s + m), strides.slice(s + m));
  for (size_t i = 0; i < s; ++i) p.out_sizes.push_back(sizes[i]);
  for (int64_t x : a.shape) p.out_sizes.push_back(x);
  for (size_t i = s + m; i < sizes.size(); ++i) p.out_sizes.push_back(sizes[i]);
  return p;
}

Tensor adv_gather_kernel(const Tensor& src, const Plan& p) {
  Tensor out = new_tensor(p.out_sizes, src.dtype());
  visit_dtype(src.dtype(), "index", [&](auto tag) {
    using T = decltype(tag);
    const T* s = reinterpret_cast<const T*>(src.data_ptr());
    T* o = reinterpret_cast<T*>(out.data_ptr());
    int64_t i = 0;
    for (int64_t a : p.pre)
      for (int64_t b : p.mid)
        for (int64_t c : p.post) o[i++] = s[a + b + c];
  });
  return out;
}

// dst[pre, idx(b), post] = (or +=) values, values contiguous of p.out_sizes and dst's dtype.
void adv_put_kernel(const Tensor& dst, const Plan& p, const Tensor& values, bool accumulate) {
  visit_dtype(dst.dtype(), "index_put_", [&](auto tag) {
    using T = decltype(tag);
    T* d = reinterpret_cast<T*>(dst.data_ptr());
    const T* v = reinterpret_cast<const T*>(values.data_ptr());
    int64_t i = 0;
    for (int64_t a : p.pre)
      for (int64_t b : p.mid)
        for (int64_t c : p.post) {
          T& x = d[a + b + c];
          x = accumulate ? static_cast<T>(x + v[i]) : v[i];
          ++i;
        }
  });
}

Tensor advanced_index(const Tensor& src, const AdvIndex& a);
Tensor advanced_index_put(const Tensor& self, const AdvIndex& a, const Tensor& values, bool accumulate);

struct IndexBackward0 final : NamedNode<"IndexBackward0"> {
  SavedAdvIndex index;
  DimVector src_sizes;
  variable_list apply(variable_list&& g) override {
    Tensor z = zeros(src_sizes, TensorOptions(g[0].dtype()));
    return {advanced_index_put(z, index.unpack(), g[0], true)};
  }
  void release_variables() override { index.reset(); }
};

struct IndexPutBackward0 final : NamedNode<"IndexPutBackward0"> {
  SavedAdvIndex index;
  DimVector values_sizes;
  ScalarType values_dtype = kFloat;
  bool accumulate = false;
  variable_list apply(variable_list&& g) override {
    AdvIndex a = index.unpack();
    Tensor gs, gv;
    if (should_compute_output(0))
      gs = accumulate ? g[0] : advanced_index_put(g[0], a, scalar_of(0, g[0].dtype()), false);
    if (should_compute_output(1)) gv = reduce_grad(advanced_index(g[0], a), values_sizes, values_dtype);
    return {gs, gv};
  }
  void release_variables() override { index.reset(); }
};

Tensor advanced_index(const Tensor& src, const AdvIndex& a) {
  Plan p = make_plan(src.sizes(), src.strides(), a);
  Tensor out = adv_gather_kernel(src, p);
  if (any_requires_grad(src)) {
    auto n = make_node<IndexBackward0>(src);
    n->index = SavedAdvIndex(a);
    n->src_sizes = src.sizes();
    set_history(out, n);
  }
  return out;
}

// Out of place: a copy of self with values (broadcast to the indexed shape) written or added.
Tensor advanced_index_put(const Tensor& self, const AdvIndex& a, const Tensor& values, bool accumulate) {
  Plan p = make_plan(self.sizes(), contiguous_strides(self.sizes()), a);
  Tensor v = contiguous_raw(expand_raw(cast(values, self.dtype()), p.out_sizes));
  Tensor out = copy_raw(self);
  adv_put_kernel(out, p, v, accumulate);
  if (any_requires_grad(self, values)) {
    auto n = make_node<IndexPutBackward0>(self, values);
    n->index = SavedAdvIndex(a);
    n->values_sizes = values.sizes();
    n->values_dtype = values.dtype();
    n->accumulate = accumulate;
    set_history(out, n);
  }
  return out;
}

// Out of place: a copy of self whose basic-index view (`steps`) holds src (broadcast).
Tensor view_put(const Tensor& self, const std::vector<Step>& steps, const Tensor& src);

struct CopySlices final : NamedNode<"CopySlices"> {
  std::vector<Step> steps;
  DimVector src_sizes;
  ScalarType src_dtype = kFloat;
  variable_list apply(variable_list&& g) override {
    Tensor gs, gv;
    if (should_compute_output(0)) gs = view_put(g[0], steps, scalar_of(0, g[0].dtype()));
    if (should_compute_output(1)) gv = reduce_grad(replay(g[0], steps), src_sizes, src_dtype);
    return {gs, gv};
  }
};

Tensor view_put(const Tensor& self, const std::vector<Step>& steps, const Tensor& src) {
  Tensor out = copy_raw(self);
  Tensor region = replay_raw(out, steps);
  kernels::copy(region, expand_raw(src, region.sizes()));
  if (any_requires_grad(self, src)) {
    auto n = make_node<CopySlices>(self, src);
    n->steps = steps;
    n->src_sizes = src.sizes();
    n->src_dtype = src.dtype();
    set_history(out, n);
  }
  return out;
}

DimVector inverse_perm(IntArrayRef perm) {
  DimVector inv(perm.size(), 0);
  for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return inv;
}

Tensor& index_put_impl(Tensor& self, ArrayRef<TensorIndex> indices, const Tensor& value, bool from_scalar) {
  EMBER_CHECK(value.defined(), "index_put_: the value tensor is undefined");
  Parsed p = parse(self, indices);
  const bool has_adv = !p.adv.empty();
  DimVector perm;
  AdvIndex a;
  Geometry g = p.geo;
  Plan plan;
  DimVector target;
  if (has_adv) {
    a = make_adv(p, perm);
    if (!perm.empty()) g.permute(perm);
    EMBER_CHECK(from_scalar || value.dtype() == self.dtype(),
                "Index put requires the source and destination dtypes match, got ", to_string(self.dtype()),
                " for the destination and ", to_string(value.dtype()), " for the source.");
    plan = make_plan(g.sizes, g.strides, a);
    target = plan.out_sizes;
    EMBER_CHECK(broadcastable_to(value.sizes(), target), "shape mismatch: value tensor of shape ", value.sizes(),
                " cannot be broadcast to indexing result of shape ", target);
  } else {
    target = g.sizes;
    check_expandable(value.sizes(), target);
  }

  if (!any_requires_grad(self, value)) {
    Tensor val = shares_storage(value, self) ? copy_raw(value) : value;
    Tensor view = raw_view(self, g.sizes, g.strides, g.offset);
    if (has_adv) adv_put_kernel(view, plan, contiguous_raw(expand_raw(cast(val, self.dtype()), target)), false);
    else kernels::copy(view, expand_raw(val, target));
    autograd::rebase_history(self, {});
    return self;
  }

  check_inplace_with_grad(self);
  Tensor r;
  if (has_adv) {
    Tensor v = replay(self, p.steps);
    if (!perm.empty()) v = ember::permute(v, perm);
    Tensor put = advanced_index_put(v, a, value, false);
    if (!perm.empty()) put = ember::permute(put, inverse_perm(perm));
    r = p.steps.empty() ? put : view_put(self, p.steps, put);
  } else {
    r = view_put(self, p.steps, value);
  }
  return assign_inplace(self, r);
}

}  // namespace

Tensor index(const Tensor& self, ArrayRef<TensorIndex> indices) {
  Parsed p = parse(self, indices);
  if (p.adv.empty()) return replay(self, p.steps);
  DimVector perm;
  AdvIndex a = make_adv(p, perm);
  Tensor v = replay(self, p.steps);
  if (!perm.empty()) v = ember::permute(v, perm);
  return advanced_index(v, a);
}

Tensor Tensor::index(ArrayRef<TensorIndex> indices) const { return ember::index(*this, indices); }
Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return ember::index(*this, ArrayRef<TensorIndex>(indices));
}
Tensor Tensor::operator[](const Tensor& index) const { return ember::index(*this, {TensorIndex(index)}); }

Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& value) {
  return index_put_impl(*this, indices, value, false);
}
Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& value) {
  return index_put_impl(*this, indices, scalar_of(value, dtype()), true);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) {
  return index_put_impl(*this, ArrayRef<TensorIndex>(indices), value, false);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& value) {
  return index_put_impl(*this, ArrayRef<TensorIndex>(indices), scalar_of(value, dtype()), true);
}

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
// larger than index.
Tensor src_grad(const Tensor& g, int64_t dim, const Tensor& index, IntArrayRef src_sizes) {
  Tensor r = g.gather(dim, index);
  if (r.sizes() == src_sizes) return r;
  std::vector<Step> steps;
  for (int64_t k = 0; k < index.dim(); ++k) steps.push_back({Step::Slice, k, 0, index.size(k), 1});
  return view_put(zeros(src_sizes, TensorOptions(g.dtype())), steps, r);
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
    check_inplace_with_grad(self);
    return assign_inplace(self, scatter_impl(op, self, dim, index, src, value, add));
  }
  const int64_t d = scatter_check(op, self, dim, index, src);
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

Tensor Tensor::gather(int64_t dim, const Tensor& index, bool sparse_grad) const {
  return ember::gather(*this, dim, index, sparse_grad);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Scalar& value) const {
  return ember::scatter(*this, dim, index, value);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_inplace(*this, "scatter", dim, index, &src, Scalar(), false);
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Scalar& value) {
  return scatter_inplace(*this, "scatter", dim, index, nullptr, value, false);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter_add(*this, dim, index, src);
}
Tensor& Tensor::scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_inplace(*this, "scatter_add", dim, index, &src, Scalar(), true);
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
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) {
  check_mask("masked_fill_", mask);
  auto shape = try_broadcast(sizes(), mask.sizes());
  EMBER_CHECK(shape && shape->ref() == sizes(), "output with shape ", sizes(), " doesn't match the broadcast shape ",
              shape ? *shape : DimVector(mask.sizes()));
  autograd::check_inplace(*this);
  if (any_requires_grad(*this)) {
    check_inplace_with_grad(*this);
    return assign_inplace(*this, ember::masked_fill(*this, mask, value));
  }
  Tensor m = shares_storage(mask, *this) ? copy_raw(mask) : mask;
  masked_fill_kernel(*this, *this, m, scalar_of(value, value.type()));
  autograd::rebase_history(*this, {});
  return *this;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  EMBER_CHECK(mask.defined() && (mask.dtype() == kBool || mask.dtype() == kByte),
              "masked_select: expected BoolTensor or ByteTensor for mask");
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
