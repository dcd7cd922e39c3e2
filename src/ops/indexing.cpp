// Indexing with TensorIndex: index/index_put_ (basic views plus advanced tensor indices), with
// their backward. Selection by index tensors (gather, scatter, ...) is in selection.cpp.
#include "ember/ops/indexing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "ops/indexing_util.h"

namespace ember {

using indexing::TensorIndex;

indexing::TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  EMBER_CHECK(s && std::string_view(s) == "...", "Expected \"...\" to represent an ellipsis index, but got \"",
              s ? s : "(null)", "\"");
}

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

struct CopySlices final : NamedNode<"torch::autograd::CopySlices"> {
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
  // A uint8 mask must hold 0/1 when writing (LibTorch reads it through masked_fill_'s check).
  for (const TensorIndex& i : indices)
    if (i.kind() == TensorIndex::Kind::Tensor && i.tensor().defined()) check_byte_mask_values(i.tensor());
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

  autograd::check_inplace(self, /*allow_overlap=*/true);
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

namespace {
// LibTorch writes a one-element value through a single bool/uint8 mask with masked_fill_, whose
// number is converted to self's dtype: so that value may have another dtype.
bool fills_through_mask(const Tensor& self, ArrayRef<TensorIndex> indices, const Tensor& value) {
  if (!value.defined() || value.numel() != 1 || value.dtype() == self.dtype()) return false;
  int masks = 0, tensors = 0;
  for (const TensorIndex& i : indices) {
    if (i.kind() != TensorIndex::Kind::Tensor || !i.tensor().defined()) continue;
    ++tensors;
    masks += i.tensor().dtype() == kBool || i.tensor().dtype() == kByte;
  }
  return tensors == 1 && masks == 1;
}
}  // namespace

Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& value) const {
  if (fills_through_mask(*this, indices, value)) return index_put_(indices, value.item());
  return index_put_impl(mutable_self(), indices, value, false);
}
Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& value) const {
  check_value_fits(value, dtype());  // LibTorch fills a tensor of self's dtype with it, checked
  return index_put_impl(mutable_self(), indices, scalar_of(value, dtype()), true);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) const {
  return index_put_(ArrayRef<TensorIndex>(indices), value);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& value) const {
  check_value_fits(value, dtype());
  return index_put_impl(mutable_self(), ArrayRef<TensorIndex>(indices), scalar_of(value, dtype()), true);
}

}  // namespace ember
