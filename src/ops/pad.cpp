// Padding: constant_pad_nd (crop or fill), and reflect/replicate/circular padding as per-dim index
// maps (out position -> input position): forward gathers along each padded dim, backward
// scatter-adds the gradient back with public ops.
#include "ember/ops/pad.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "ember/ops/indexing.h"
#include "core/alloc_limit.h"
#include "ops/util.h"

namespace ember {

// ---------------------------------------------------------------- constant_pad_nd

namespace {
struct ConstantPadNdBackward0 final : NamedNode<"ConstantPadNdBackward0"> {
  std::vector<int64_t> undo;  // the negated padding: crops what was added, zero-fills what was cropped
  variable_list apply(variable_list&& g) override { return {constant_pad_nd(g[0], undo, 0)}; }
};
}  // namespace

Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value) {
  EMBER_CHECK(pad.size() % 2 == 0, "Length of pad must be even but instead it equals ", pad.size());
  const int64_t nd = self.dim();
  const int64_t np = static_cast<int64_t>(pad.size()) / 2;
  EMBER_CHECK(nd >= np, "Length of pad should be no more than twice the number of dimensions of the input. Pad length is ",
              pad.size(), "while the input has ", nd, "dimensions.");
  DimVector shape(self.sizes());
  for (int64_t i = 0; i < np; ++i) {
    const int64_t d = nd - 1 - i, lo = pad[2 * i], hi = pad[2 * i + 1], size = self.size(d);
    EMBER_CHECK(size + lo + hi >= 0, "The input size ", size, ", plus negative padding ", lo, " and ", hi,
                " resulted in a negative output size, which is invalid. Check dimension ", d, " of your input.");
    EMBER_CHECK(std::max<int64_t>(-lo, 0) + std::max<int64_t>(-hi, 0) <= size, "constant_pad_nd: negative padding ",
                lo, " and ", hi, " crops more than the input size ", size, " at dimension ", d);
    shape[static_cast<size_t>(d)] = size + lo + hi;
  }
  Tensor out = full(shape, value, TensorOptions(self.dtype()));
  {
    NoGradGuard ng;
    Tensor src = self.detach(), dst = out.detach();
    for (int64_t i = 0; i < np; ++i) {
      const int64_t d = nd - 1 - i, lo = pad[2 * i], hi = pad[2 * i + 1];
      const int64_t crop_lo = std::max<int64_t>(-lo, 0), crop_hi = std::max<int64_t>(-hi, 0);
      const int64_t fill_lo = std::max<int64_t>(lo, 0), fill_hi = std::max<int64_t>(hi, 0);
      src = src.narrow(d, crop_lo, src.size(d) - crop_lo - crop_hi);
      dst = dst.narrow(d, fill_lo, dst.size(d) - fill_lo - fill_hi);
    }
    if (src.numel() > 0) kernels::copy(dst, src);
  }
  if (any_requires_grad(self)) {
    auto n = make_node<ConstantPadNdBackward0>(self);
    for (int64_t p : pad) n->undo.push_back(-p);
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- index-map padding

namespace {
// Maps of the padded dims, the last dim first; dims[i] is the dim maps[i] indexes.
struct PadMaps {
  std::vector<std::vector<int64_t>> maps;
  std::vector<int64_t> dims;
};

struct IndexPadBackward final : Node {
  const char* name_;
  std::vector<Tensor> maps;  // int64, no history
  std::vector<int64_t> dims;
  DimVector in_sizes;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    // Each output element's gradient goes to the input element it was copied from.
    Tensor r = g[0];
    for (size_t i = 0; i < dims.size(); ++i) {
      const auto d = static_cast<size_t>(dims[i]);
      DimVector shape(r.sizes());
      shape[d] = in_sizes[d];
      DimVector ishape(r.sizes().size(), 1);
      ishape[d] = maps[i].numel();
      Tensor idx = maps[i].reshape(ishape).expand(r.sizes());
      r = zeros(shape, TensorOptions(r.dtype())).scatter_add(dims[i], idx, r);
    }
    return {r};
  }
};

Tensor long_tensor(const std::vector<int64_t>& v) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, TensorOptions(kLong));
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

Tensor index_pad(const Tensor& self, const PadMaps& pm, const char* node_name) {
  std::vector<Tensor> maps;
  for (const auto& m : pm.maps) maps.push_back(long_tensor(m));
  Tensor out = self.detach();
  {
    NoGradGuard ng;
    for (size_t i = 0; i < maps.size(); ++i) out = out.index_select(pm.dims[i], maps[i]);
    if (maps.empty()) out = out.clone();
  }
  if (any_requires_grad(self)) {
    auto n = make_node<IndexPadBackward>(self);
    n->name_ = node_name;
    n->maps = maps;
    n->dims = pm.dims;
    n->in_sizes = self.sizes();
    set_history(out, n);
  }
  return out;
}

// Out position j -> input position, PyTorch's formulas (negative padding crops first).
std::vector<int64_t> mirror_map(bool reflect, int64_t in, int64_t lo, int64_t hi) {
  const int64_t out = in + lo + hi;
  const int64_t shift = std::max<int64_t>(-lo, 0) - std::max<int64_t>(lo, 0);
  std::vector<int64_t> m(static_cast<size_t>(std::max<int64_t>(out, 0)));
  for (int64_t j = 0; j < out; ++j) {
    int64_t p;
    if (j < lo) p = reflect ? 2 * lo - j : lo;
    else if (j < in + lo) p = j;
    else p = reflect ? 2 * (in + lo - 1) - j : in + lo - 1;
    p += shift;
    EMBER_CHECK(p >= 0 && p < in, reflect ? "reflection" : "replication", "_pad: padding (", lo, ", ", hi,
                ") does not fit an input of size ", in);
    m[static_cast<size_t>(j)] = p;
  }
  return m;
}

std::string shape_str(IntArrayRef s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

Tensor mirror_pad(bool reflect, const Tensor& self, IntArrayRef padding, int64_t k) {
  EMBER_CHECK(static_cast<int64_t>(padding.size()) == 2 * k, "padding size is expected to be ", 2 * k);
  const int64_t nd = self.dim();
  bool ok = nd == k + 1 || nd == k + 2;
  for (int64_t d = nd == k + 2 ? 1 : 0; ok && d < nd; ++d) ok = self.size(d) != 0;
  EMBER_CHECK(ok, "Expected ", k + 1, "D or ", k + 2,
              "D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ",
              self.sizes());
  static const char* names[] = {"W", "H", "D"};
  if (reflect) {
    for (int64_t i = 0; i < k; ++i) {
      const int64_t d = nd - 1 - i, lo = padding[2 * i], hi = padding[2 * i + 1];
      EMBER_CHECK(lo < self.size(d) && hi < self.size(d), "Argument #", 4 + 2 * i,
                  ": Padding size should be less than the corresponding input dimension, but got: padding (", lo, ", ",
                  hi, ") at dimension ", d, " of input ", k == 2 ? std::to_string(nd) : shape_str(self.sizes()));
    }
  }
  bool fits = true;
  std::ostringstream in_desc, out_desc;
  DimVector out_shape(self.sizes());
  for (int64_t i = k - 1; i >= 0; --i) {
    const int64_t d = nd - 1 - i;
    int64_t o = 0;
    EMBER_CHECK(!__builtin_add_overflow(self.size(d), padding[2 * i], &o) &&
                    !__builtin_add_overflow(o, padding[2 * i + 1], &o),
                reflect ? "reflection" : "replication", "_pad: padding ", padding, " is too large");
    out_shape[static_cast<size_t>(d)] = o;
    fits = fits && (k == 1 ? o >= 1 : o >= 0);
    in_desc << names[i] << ": " << self.size(d) << (i > 0 ? ", " : "");
    out_desc << " " << names[i] << ": " << o;
  }
  EMBER_CHECK(fits, "input (", in_desc.str(), ") is too small. Calculated output", out_desc.str());
  // Before the index maps (one entry per output position) are built.
  check_allocatable(self.dtype(), out_shape);
  PadMaps pm;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i;
    pm.maps.push_back(mirror_map(reflect, self.size(d), padding[2 * i], padding[2 * i + 1]));
    pm.dims.push_back(d);
  }
  static const char* reflect_names[] = {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0",
                                        "ReflectionPad3DBackward0"};
  static const char* replicate_names[] = {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0",
                                          "ReplicationPad3DBackward0"};
  return index_pad(self, pm, (reflect ? reflect_names : replicate_names)[k - 1]);
}
}  // namespace

Tensor reflection_pad1d(const Tensor& self, IntArrayRef padding) { return mirror_pad(true, self, padding, 1); }
Tensor reflection_pad2d(const Tensor& self, IntArrayRef padding) { return mirror_pad(true, self, padding, 2); }
Tensor reflection_pad3d(const Tensor& self, IntArrayRef padding) { return mirror_pad(true, self, padding, 3); }
Tensor replication_pad1d(const Tensor& self, IntArrayRef padding) { return mirror_pad(false, self, padding, 1); }
Tensor replication_pad2d(const Tensor& self, IntArrayRef padding) { return mirror_pad(false, self, padding, 2); }
Tensor replication_pad3d(const Tensor& self, IntArrayRef padding) { return mirror_pad(false, self, padding, 3); }

Tensor _pad_circular(const Tensor& self, IntArrayRef padding) {
  const int64_t nd = self.dim();
  const int64_t k = nd - 2;
  EMBER_CHECK(nd >= 2 && static_cast<int64_t>(padding.size()) + 4 == nd * 2, "Invalid padding size, expected ",
              k * 2, " but got ", padding.size());
  PadMaps pm;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, lo = padding[2 * i], hi = padding[2 * i + 1], in = self.size(d);
    const int64_t out = in + lo + hi;
    EMBER_CHECK(lo <= in && hi <= in, "Padding value causes wrapping around more than once.");
    EMBER_CHECK(out >= 0, "Negative padding value is resulting in an empty dimension");
    // PyTorch's order: the (cropped) input into the middle, then the left pad copied from the
    // right end of what is there, then the right pad from the left end.
    std::vector<int64_t> m(static_cast<size_t>(out), -1);
    const int64_t fill_lo = std::max<int64_t>(lo, 0), fill_hi = std::max<int64_t>(hi, 0);
    for (int64_t j = fill_lo; j < out - fill_hi; ++j) m[static_cast<size_t>(j)] = j - lo;
    auto take = [&](int64_t j, int64_t from) {
      EMBER_CHECK(from >= 0 && from < out && m[static_cast<size_t>(from)] >= 0,
                  "Padding value causes wrapping around more than once.");
      m[static_cast<size_t>(j)] = m[static_cast<size_t>(from)];
    };
    for (int64_t j = 0; j < lo; ++j) take(j, out - lo - fill_hi + j);
    for (int64_t j = out - hi; hi > 0 && j < out; ++j) take(j, fill_lo + j - (out - hi));
    pm.maps.push_back(std::move(m));
    pm.dims.push_back(d);
  }
  // PyTorch composes circular padding from slice copies, so its grad_fn reads CopySlices.
  return index_pad(self, pm, "torch::autograd::CopySlices");
}

Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode, std::optional<double> value) {
  const int64_t nd = self.dim();
  EMBER_CHECK(pad.size() % 2 == 0, "Padding length must be divisible by 2");
  EMBER_CHECK(static_cast<int64_t>(pad.size()) <= nd * 2, "Padding length too large");
  EMBER_CHECK(mode == "constant" || mode == "reflect" || mode == "replicate" || mode == "circular",
              "Unrecognised padding mode ", mode);
  if (mode == "constant") return constant_pad_nd(self, pad, value.value_or(0.0));
  EMBER_CHECK(!value || *value == 0, "Padding mode \"", mode, "\" doesn't take in value argument");
  const int64_t k = static_cast<int64_t>(pad.size()) / 2;
  if (k >= 1 && k <= 3 && (nd == k + 1 || nd == k + 2)) {
    if (mode == "circular") return _pad_circular(self, pad);
    return mirror_pad(mode == "reflect", self, pad, k);
  }
  fail("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
}

}  // namespace ember
