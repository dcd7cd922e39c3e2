// The pooling of pool_extra.h, one spatial dim at a time: a max over each window (index_select of
// the window's source positions, then max along the window, first maximum or last NaN winning as
// in PyTorch's row-major scan) or a sum over each window's own elements (index_select, then sum),
// divided once at the end. Gradients come from those ops.
#include "ember/ops/pool_extra.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/pool.h"
#include "ember/ops/shape.h"

#include "ops/util.h"

namespace ember {

namespace {

// win[o] lists the source positions of output o; -1 marks padding.
using Windows = std::vector<std::vector<int64_t>>;

Windows adaptive_windows(int64_t in, int64_t out) {
  Windows w(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = (o * in) / out;
    const int64_t end = ((o + 1) * in + out - 1) / out;
    for (int64_t i = start; i < end; ++i) w[static_cast<size_t>(o)].push_back(i);
  }
  return w;
}

// The windows as one index table for index_select, k entries per window: a window shorter than k
// repeats its last position (a repeat never changes a max, and a max or sum over a repeat reads
// the same element again), an empty one reads the extra slot at position `in`, which the caller
// fills with the identity of its reduction. Positions of -1 (padding) are left out: they never
// win a max over real elements (PyTorch's scan starts at the first element inside the input).
struct WindowTable {
  std::vector<int64_t> flat;
  int64_t k = 1;
  bool empty_window = false;
};

WindowTable window_table(const Windows& win, int64_t in, bool repeat_last) {
  WindowTable t;
  std::vector<std::vector<int64_t>> kept;
  for (const auto& w : win) {
    std::vector<int64_t> v;
    for (int64_t i : w)
      if (i >= 0) v.push_back(i);
    t.k = std::max(t.k, static_cast<int64_t>(v.size()));
    t.empty_window = t.empty_window || v.empty();
    kept.push_back(std::move(v));
  }
  t.flat.reserve(win.size() * static_cast<size_t>(t.k));
  for (const auto& v : kept)
    for (size_t j = 0; j < static_cast<size_t>(t.k); ++j)
      t.flat.push_back(j < v.size() ? v[j] : (v.empty() || !repeat_last) ? in : v.back());
  return t;
}

// x gathered through the table: `dim` becomes (windows, k). `extra` fills the slot at `in`.
Tensor gather_windows(const Tensor& x, int64_t dim, const WindowTable& t, bool needs_extra, double extra,
                      Tensor* table_out = nullptr) {
  Tensor src = x;
  if (needs_extra) {
    DimVector pad_shape(x.sizes());
    pad_shape[static_cast<size_t>(dim)] = 1;
    src = cat({x, full(pad_shape, extra, TensorOptions(x.dtype()))}, dim);
  }
  Tensor table = tensor(t.flat, TensorOptions(kLong));
  if (table_out) *table_out = table;
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  const auto d = static_cast<size_t>(dim);
  shape[d] = static_cast<int64_t>(t.flat.size()) / t.k;
  shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(d) + 1, t.k);
  return src.index_select(dim, table).view(shape);
}

// Max of x over each window along `dim`; returns the values and, for each, the source position
// along `dim` that PyTorch's pooling scan picks: the first maximum, or the last NaN (a NaN always
// takes over), and `in` for a window with no element (value -inf).
std::pair<Tensor, Tensor> window_max(const Tensor& x, int64_t dim, const Windows& win) {
  const int64_t in = x.size(dim), out = static_cast<int64_t>(win.size());
  const WindowTable t = window_table(win, in, true);
  Tensor table;
  Tensor gathered = gather_windows(x, dim, t, t.empty_window, -std::numeric_limits<double>::infinity(), &table);
  Tensor first, last;
  {
    NoGradGuard ng;
    first = std::get<1>(gathered.max(dim + 1));
    // The last maximum is the first of the reversed window; it is taken only for NaN windows.
    Tensor last_rev = std::get<1>(gathered.flip({dim + 1}).max(dim + 1));
    last = rsub(last_rev, t.k - 1);
  }
  Tensor arg = where(gathered.isnan().any(dim + 1), last, first).unsqueeze(dim + 1);
  Tensor values = gathered.gather(dim + 1, arg).squeeze(dim + 1);
  // Window position -> source position.
  const auto d = static_cast<size_t>(dim);
  std::vector<int64_t> pos_shape(static_cast<size_t>(gathered.dim()), 1);
  pos_shape[d] = out;
  pos_shape[d + 1] = t.k;
  Tensor source = table.view(pos_shape).expand(gathered.sizes()).gather(dim + 1, arg).squeeze(dim + 1);
  return {values, source};
}

// Max pooling over the last windows.size() dims, one dim at a time from the last; the indices
// are flattened positions in those dims, -1 where a window holds no element (its value is -inf
// and it sends no gradient, as ember's max_pool2d).
std::tuple<Tensor, Tensor> separable_max(const Tensor& x, const std::vector<Windows>& windows) {
  const size_t nd = windows.size();
  const int64_t first = x.dim() - static_cast<int64_t>(nd);
  Tensor values = x;
  Tensor index;  // flattened position within the pooled dims seen so far
  int64_t inner = 1;
  for (size_t j = nd; j-- > 0;) {
    const int64_t dim = first + static_cast<int64_t>(j);
    const int64_t in = x.size(dim);
    auto [v, src] = window_max(values, dim, windows[j]);
    Tensor valid = src.lt(in);
    Tensor at = where(valid, src, zeros_like(src));
    Tensor here = at.mul(inner);
    if (index.defined()) {
      Tensor inner_index = index.gather(dim, at);
      valid = valid.logical_and(inner_index.ge(0));
      here = inner_index.add(here);
    }
    index = where(valid, here, full_like(here, -1));
    values = v;
    inner *= in;
  }
  return {values, index};
}

// x with `dim` replaced by the sum over each window along it. Only a window's own elements are
// added (no product with a zero weight, which would turn a NaN or inf elsewhere into NaN).
Tensor window_sum(const Tensor& x, int64_t dim, const Windows& win) {
  const WindowTable t = window_table(win, x.size(dim), false);
  const bool short_window = std::any_of(win.begin(), win.end(), [&](const auto& w) {
    return static_cast<int64_t>(std::count_if(w.begin(), w.end(), [](int64_t i) { return i >= 0; })) < t.k;
  });
  return gather_windows(x, dim, t, short_window, 0.0).sum({dim + 1});
}

// The element count of each window along one of the three pooled dims, shaped to broadcast over
// the pooled (T, H, W) with `trailing` dims after it: one factor of each window's divisor.
Tensor window_counts(const std::vector<int64_t>& counts, size_t trailing, ScalarType dtype) {
  std::vector<double> c(counts.begin(), counts.end());
  DimVector shape(trailing + 1, 1);
  shape[0] = static_cast<int64_t>(counts.size());
  return tensor(c, TensorOptions(kDouble)).to(dtype).view(shape);
}

int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil_mode) {
  // Floor division (a window larger than the padded input gives 0, not 1).
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

std::vector<int64_t> three(IntArrayRef v, const char* what, const char* op, bool allow_empty) {
  EMBER_CHECK((allow_empty && v.empty()) || v.size() == 1 || v.size() == 3, op, ": ", what,
              allow_empty ? " must either be omitted, a single int, or a tuple of three ints"
                          : " must either be a single int, or a tuple of three ints");
  if (v.empty()) return {};
  return v.size() == 1 ? std::vector<int64_t>{v[0], v[0], v[0]} : std::vector<int64_t>{v[0], v[1], v[2]};
}

void check_spatial_nonempty(const char* op, const Tensor& input, int64_t from) {
  for (int64_t i = from; i < input.dim(); ++i)
    EMBER_CHECK(input.size(i) > 0, op, "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ",
                input.sizes(), " with dimension ", i, " being empty");
}

// An output size of 0 gives an empty result (and empty indices), as in PyTorch; a negative one
// fails as PyTorch's allocation of the output does.
void check_output_sizes(const Tensor& input, IntArrayRef output_size) {
  DimVector shape(input.sizes());
  const size_t first = shape.size() - output_size.size();
  for (size_t j = 0; j < output_size.size(); ++j) shape[first + j] = output_size[j];
  for (int64_t v : output_size) EMBER_CHECK(v >= 0, "Trying to create tensor with negative dimension ", v, ": ", shape);
}

struct Pool3dGeometry {
  std::vector<int64_t> k, s, p, d, in, out;
};

// check_input_size: average pooling also requires the unpadded input to hold a whole kernel.
Pool3dGeometry pool3d_geometry(const char* op, const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                               IntArrayRef padding, IntArrayRef dilation, bool ceil_mode, bool check_input_size = false) {
  Pool3dGeometry g;
  g.k = three(kernel_size, "kernel_size", op, false);
  g.s = three(stride, "stride", op, true);
  if (g.s.empty()) g.s = g.k;
  g.p = three(padding, "padding", op, false);
  g.d = three(dilation, "dilation", op, false);
  EMBER_CHECK(input.dim() == 4 || input.dim() == 5, "non-empty 4D or 5D (batch mode) tensor expected for input");
  EMBER_CHECK(g.k[0] > 0 && g.k[1] > 0 && g.k[2] > 0, "kernel size should be greater than zero, but got kT: ", g.k[0],
              " kH: ", g.k[1], " kW: ", g.k[2]);
  EMBER_CHECK(g.s[0] > 0 && g.s[1] > 0 && g.s[2] > 0, "stride should be greater than zero, but got dT: ", g.s[0],
              " dH: ", g.s[1], " dW: ", g.s[2]);
  EMBER_CHECK(g.d[0] > 0 && g.d[1] > 0 && g.d[2] > 0, "dilation should be greater than zero, but got dilationT: ",
              g.d[0], " dilationH: ", g.d[1], " dilationW: ", g.d[2]);
  for (size_t j = 0; j < 3; ++j)
    EMBER_CHECK(g.p[j] <= g.k[j] / 2, "pad should be at most half of kernel size, but got pad=", g.p[j],
                " and kernel_size=", g.k[j]);
  check_spatial_nonempty(op, input, input.dim() - 4);
  for (int j = 0; j < 3; ++j) {
    const int64_t in = input.size(input.dim() - 3 + j);
    g.in.push_back(in);
    g.out.push_back(pooled_size(in, g.k[static_cast<size_t>(j)], g.p[static_cast<size_t>(j)],
                                g.s[static_cast<size_t>(j)], g.d[static_cast<size_t>(j)], ceil_mode));
  }
  if (check_input_size)
    EMBER_CHECK(g.in[0] >= g.k[0] && g.in[1] >= g.k[1] && g.in[2] >= g.k[2], "input image (T: ", g.in[0], " H: ",
                g.in[1], " W: ", g.in[2], ") smaller than kernel size (kT: ", g.k[0], " kH: ", g.k[1], " kW: ", g.k[2],
                ")");
  EMBER_CHECK(g.out[0] >= 1 && g.out[1] >= 1 && g.out[2] >= 1, "Given input size: (", input.size(-4), "x", g.in[0],
              "x", g.in[1], "x", g.in[2], "). Calculated output size: (", input.size(-4), "x", g.out[0], "x", g.out[1],
              "x", g.out[2], "). Output size is too small");
  return g;
}

}  // namespace

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ",
              input.sizes());
  check_spatial_nonempty("adaptive_max_pool2d", input, 1);
  EMBER_CHECK(output_size.size() == 2, "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  EMBER_CHECK(is_floating_type(input.dtype()), "\"adaptive_max_pool2d\" not implemented for '",
              to_string(input.dtype()), "'");
  check_output_sizes(input, output_size);
  return separable_max(input, {adaptive_windows(input.size(-2), output_size[0]),
                               adaptive_windows(input.size(-1), output_size[1])});
}

std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(input.dim() >= 2 && input.dim() <= 3, "Expected 2 to 3 dimensions, but got ", input.dim(),
              "-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)");
  EMBER_CHECK(output_size.size() == 1, "adaptive_max_pool1d() argument 'output_size' should contain one int (got ",
              output_size.size(), ")");
  auto [v, i] = adaptive_max_pool2d(input.unsqueeze(-2), {1, output_size[0]});
  return {v.squeeze(-2), i.squeeze(-2)};
}

namespace {
void check_pool1d(const char* op, const Tensor& input) {
  EMBER_CHECK(input.dim() >= 2 && input.dim() <= 3, "Expected 2 to 3 dimensions, but got ", input.dim(),
              "-dimensional tensor for argument #1 'self' (while checking arguments for ", op, ")");
}
int64_t one_int(IntArrayRef v, const char* op, const char* what) {
  EMBER_CHECK(v.size() == 1, op, "() argument '", what, "' should contain one int (got ", v.size(), ")");
  return v[0];
}
}  // namespace

Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad) {
  check_pool1d("avg_pool1d", input);
  const int64_t k = one_int(kernel_size, "avg_pool1d", "kernel_size");
  const int64_t s = stride.empty() ? k : one_int(stride, "avg_pool1d", "stride");
  const int64_t p = one_int(padding, "avg_pool1d", "padding");
  EMBER_CHECK(p <= k / 2, "pad should be at most half of kernel size, but got pad=", p, " and kernel_size=", k);
  return avg_pool2d(input.unsqueeze(-2), {1, k}, {1, s}, {0, p}, ceil_mode, count_include_pad).squeeze(-2);
}

Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size) {
  check_pool1d("adaptive_avg_pool1d", input);
  const int64_t o = one_int(output_size, "adaptive_avg_pool1d", "output_size");
  return adaptive_avg_pool2d(input.unsqueeze(-2), {1, o}).squeeze(-2);
}

Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 3, "adaptive_avg_pool3d: output_size must be 3");
  EMBER_CHECK(input.dim() == 4 || input.dim() == 5, "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got ",
              input.sizes());
  check_spatial_nonempty("adaptive_avg_pool3d", input, 1);
  EMBER_CHECK(is_floating_type(input.dtype()), "\"adaptive_avg_pool3d_cpu\" not implemented for '",
              to_string(input.dtype()), "'");
  for (int64_t out : output_size)
    EMBER_CHECK(out >= 0, "adaptive_avg_pool3d: output_size must be non-negative, got ", output_size);
  // Each window summed, then divided once by its element count, as ATen does.
  Tensor x = input, count;
  for (int j = 0; j < 3; ++j) {
    const int64_t dim = input.dim() - 3 + j, in = input.size(dim), out = output_size[static_cast<size_t>(j)];
    Windows win = adaptive_windows(in, out);
    std::vector<int64_t> n;
    for (const auto& v : win) n.push_back(static_cast<int64_t>(v.size()));
    x = window_sum(x, dim, win);
    Tensor c = window_counts(n, 2 - static_cast<size_t>(j), input.dtype());
    count = count.defined() ? count.mul(c) : c;
  }
  return x.div(count);
}

std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  Pool3dGeometry g = pool3d_geometry("max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode);
  EMBER_CHECK(is_floating_type(input.dtype()), "\"max_pool3d_with_indices_cpu\" not implemented for '",
              to_string(input.dtype()), "'");
  std::vector<Windows> windows;
  for (size_t j = 0; j < 3; ++j) {
    Windows win(static_cast<size_t>(g.out[j]));
    for (int64_t o = 0; o < g.out[j]; ++o)
      for (int64_t t = 0; t < g.k[j]; ++t) {
        const int64_t i = o * g.s[j] - g.p[j] + t * g.d[j];
        win[static_cast<size_t>(o)].push_back(i >= 0 && i < g.in[j] ? i : -1);
      }
    windows.push_back(std::move(win));
  }
  return separable_max(input, windows);
}

Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  Pool3dGeometry g = pool3d_geometry("avg_pool3d", input, kernel_size, stride, padding, {1}, ceil_mode, true);
  EMBER_CHECK(!divisor_override || *divisor_override != 0, "divisor must be not zero");
  EMBER_CHECK(is_floating_type(input.dtype()) || input.dtype() == kLong,
              "\"avg_pool3d_out_frame\" not implemented for '", to_string(input.dtype()), "'");
  // Each window summed over its elements inside the input, then divided once, as ATen does (int64:
  // an integer division that truncates, as ATen's).
  Tensor x = input, count;
  for (size_t j = 0; j < 3; ++j) {
    Windows win(static_cast<size_t>(g.out[j]));
    std::vector<int64_t> n;
    for (int64_t o = 0; o < g.out[j]; ++o) {
      // The window clipped to the padded input (its size divides when padding counts), and to
      // the input itself (the valid elements).
      const int64_t start = o * g.s[j] - g.p[j];
      const int64_t end_padded = std::min(start + g.k[j], g.in[j] + g.p[j]);
      const int64_t lo = std::max<int64_t>(start, 0), hi = std::min(start + g.k[j], g.in[j]);
      for (int64_t i = lo; i < hi; ++i) win[static_cast<size_t>(o)].push_back(i);
      n.push_back(std::max<int64_t>(count_include_pad ? end_padded - start : hi - lo, 1));
    }
    x = window_sum(x, input.dim() - 3 + static_cast<int64_t>(j), win);
    if (divisor_override) continue;
    Tensor c = window_counts(n, 2 - static_cast<size_t>(j), input.dtype());
    count = count.defined() ? count.mul(c) : c;
  }
  if (input.dtype() == kLong)
    return divisor_override ? x.div(Scalar(*divisor_override), "trunc") : x.div(count, "trunc");
  return divisor_override ? x.div(static_cast<double>(*divisor_override)) : x.div(count);
}

std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 3, "adaptive_max_pool3d(): internal error: output_size.size() must be 3");
  EMBER_CHECK(input.dim() == 4 || input.dim() == 5, "adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: ",
              input.sizes());
  check_spatial_nonempty("adaptive_max_pool3d", input, 1);
  EMBER_CHECK(is_floating_type(input.dtype()), "\"adaptive_max_pool3d_cpu\" not implemented for '",
              to_string(input.dtype()), "'");
  check_output_sizes(input, output_size);
  return separable_max(input, {adaptive_windows(input.size(-3), output_size[0]),
                               adaptive_windows(input.size(-2), output_size[1]),
                               adaptive_windows(input.size(-1), output_size[2])});
}

}  // namespace ember
