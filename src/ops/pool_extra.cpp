// The pooling of pool_extra.h, one spatial dim at a time: a max over each window (index_select of
// the window's source positions, then max along the window, first maximum winning as in PyTorch's
// row-major scan) or a weighted sum (a matmul with the windows' averaging matrix). Gradients come
// from those ops.
#include "ember/ops/pool_extra.h"

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

// Max of x over each window along `dim`; returns the values and, for each, the source position
// along `dim` of the (first) maximum.
std::pair<Tensor, Tensor> window_max(const Tensor& x, int64_t dim, const Windows& win) {
  const int64_t in = x.size(dim), out = static_cast<int64_t>(win.size());
  size_t k = 1;
  bool padded = false;
  for (const auto& w : win) {
    k = std::max(k, w.size());
    for (int64_t i : w) padded = padded || i < 0;
  }
  // Short windows repeat their last position (a repeat never beats the first occurrence);
  // padding reads an extra -inf slot at position `in`.
  std::vector<int64_t> flat;
  flat.reserve(static_cast<size_t>(out) * k);
  for (const auto& w : win)
    for (size_t j = 0; j < k; ++j) {
      const int64_t i = j < w.size() ? w[j] : w.back();
      flat.push_back(i < 0 ? in : i);
    }
  Tensor src = x;
  if (padded) {
    DimVector pad_shape(x.sizes());
    pad_shape[static_cast<size_t>(dim)] = 1;
    src = cat({x, full(pad_shape, -std::numeric_limits<double>::infinity(), TensorOptions(x.dtype()))}, dim);
  }
  Tensor table = tensor(flat, TensorOptions(kLong));
  const auto d = static_cast<size_t>(dim);
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape[d] = out;
  shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(d) + 1, static_cast<int64_t>(k));
  Tensor gathered = src.index_select(dim, table).view(shape);
  auto [values, arg] = gathered.max(dim + 1);
  // Window position -> source position.
  std::vector<int64_t> pos_shape(shape.size(), 1);
  pos_shape[d] = out;
  pos_shape[d + 1] = static_cast<int64_t>(k);
  Tensor source = table.view(pos_shape).expand(shape).gather(dim + 1, arg.unsqueeze(dim + 1)).squeeze(dim + 1);
  return {values, source};
}

// Max pooling over the last windows.size() dims, one dim at a time from the last; the indices
// are flattened positions in those dims.
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
    Tensor here = src.mul(inner);
    index = index.defined() ? index.gather(dim, src).add(here) : here;
    values = v;
    inner *= in;
  }
  return {values, index};
}

// The averaging matrix of one dim: A[o][i] = weight[o] for i in window o.
Tensor window_matrix(const Windows& win, int64_t in, const std::vector<double>& weight, ScalarType dtype) {
  const int64_t out = static_cast<int64_t>(win.size());
  std::vector<double> a(static_cast<size_t>(out * in), 0.0);
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i : win[static_cast<size_t>(o)])
      if (i >= 0) a[static_cast<size_t>(o * in + i)] = weight[static_cast<size_t>(o)];
  return tensor(a, TensorOptions(kDouble)).view({out, in}).to(dtype);
}

// x with `dim` replaced by A @ x along it.
Tensor apply_along(const Tensor& x, int64_t dim, const Tensor& a) {
  return x.movedim(dim, -1).matmul(a.t()).movedim(-1, dim);
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
  EMBER_CHECK(output_size[0] > 0 && output_size[1] > 0, "adaptive_max_pool2d(): output_size must be positive, got ",
              output_size);
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
  Tensor x = input;
  for (int j = 0; j < 3; ++j) {
    const int64_t dim = input.dim() - 3 + j, in = input.size(dim), out = output_size[static_cast<size_t>(j)];
    EMBER_CHECK(out >= 0, "adaptive_avg_pool3d: output_size must be non-negative, got ", output_size);
    Windows win = adaptive_windows(in, out);
    std::vector<double> w;
    for (const auto& v : win) w.push_back(1.0 / static_cast<double>(v.size()));
    x = apply_along(x, dim, window_matrix(win, in, w, input.dtype()));
  }
  return x;
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
  EMBER_CHECK(is_floating_type(input.dtype()), "\"avg_pool3d_out_frame\" not implemented for '",
              to_string(input.dtype()), "'");
  Tensor x = input;
  for (size_t j = 0; j < 3; ++j) {
    Windows win(static_cast<size_t>(g.out[j]));
    std::vector<double> w;
    for (int64_t o = 0; o < g.out[j]; ++o) {
      // The window clipped to the padded input (its size divides when padding counts), and to
      // the input itself (the valid elements).
      const int64_t start = o * g.s[j] - g.p[j];
      const int64_t end_padded = std::min(start + g.k[j], g.in[j] + g.p[j]);
      const int64_t lo = std::max<int64_t>(start, 0), hi = std::min(start + g.k[j], g.in[j]);
      for (int64_t i = lo; i < hi; ++i) win[static_cast<size_t>(o)].push_back(i);
      const int64_t count = count_include_pad ? end_padded - start : hi - lo;
      w.push_back(divisor_override ? 1.0 : 1.0 / static_cast<double>(std::max<int64_t>(count, 1)));
    }
    x = apply_along(x, input.dim() - 3 + static_cast<int64_t>(j), window_matrix(win, g.in[j], w, input.dtype()));
  }
  if (divisor_override) x = x.div(static_cast<double>(*divisor_override));
  return x;
}

std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 3, "adaptive_max_pool3d(): internal error: output_size.size() must be 3");
  EMBER_CHECK(input.dim() == 4 || input.dim() == 5, "adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: ",
              input.sizes());
  check_spatial_nonempty("adaptive_max_pool3d", input, 1);
  EMBER_CHECK(is_floating_type(input.dtype()), "\"adaptive_max_pool3d_cpu\" not implemented for '",
              to_string(input.dtype()), "'");
  EMBER_CHECK(output_size[0] > 0 && output_size[1] > 0 && output_size[2] > 0,
              "adaptive_max_pool3d(): output_size must be positive, got ", output_size);
  return separable_max(input, {adaptive_windows(input.size(-3), output_size[0]),
                               adaptive_windows(input.size(-2), output_size[1]),
                               adaptive_windows(input.size(-1), output_size[2])});
}

}  // namespace ember
