// conv3d and conv_transpose3d composed of conv2d and shape ops, so they share the 2-d kernels'
// speed work and take their gradients from those ops.
#include "ember/ops/conv_extra.h"

#include <cmath>
#include <string>
#include <vector>

#include "ember/ops/conv.h"
#include "ember/ops/factory.h"
#include "ember/ops/pad.h"
#include "ember/ops/shape.h"

#include "ops/util.h"
#include "ops/window.h"

namespace ember {

namespace {

std::vector<int64_t> expand3(IntArrayRef v, const char* what) {
  EMBER_CHECK(v.size() == 1 || v.size() == 3, "expected ", what, " to be a single integer value or a list of 3 values "
              "to match the convolution dimensions, but got ", what, "=", v);
  return v.size() == 1 ? std::vector<int64_t>{v[0], v[0], v[0]} : std::vector<int64_t>{v[0], v[1], v[2]};
}

std::string join(IntArrayRef v) {
  std::string r;
  for (size_t i = 0; i < v.size(); ++i) r += (i ? " x " : "") + std::to_string(v[i]);
  return r;
}

// x spread along `dim` by `stride`: stride - 1 zeros between neighbours.
Tensor spread(const Tensor& x, int64_t dim, int64_t stride) {
  if (stride == 1 || x.size(dim) == 0) return x;
  DimVector zshape(x.sizes());
  zshape.insert(static_cast<size_t>(dim) + 1, stride - 1);
  Tensor z = zeros(zshape, TensorOptions(x.dtype()));
  Tensor both = cat({x.unsqueeze(dim + 1), z}, dim + 1);
  DimVector merged(x.sizes());
  merged[static_cast<size_t>(dim)] = x.size(dim) * stride;
  return both.reshape(merged).narrow(dim, 0, (x.size(dim) - 1) * stride + 1);
}

// conv_transpose3d tap by tap, as LibTorch's GEMM + col2vol does: each tap's products scattered
// into the output, so no inserted or padded zero ever meets the weight (for inf/NaN weights,
// where 0 * inf would give NaN; slower, so only for those). x (N, Cin, D, H, W).
Tensor conv_transpose3d_by_taps(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                                const std::vector<int64_t>& output_padding, int64_t groups,
                                const std::vector<int64_t>& dilation) {
  const int64_t cin_g = x.size(1) / groups;
  std::vector<int64_t> full(3), out(3);
  for (size_t j = 0; j < 3; ++j) {
    const int64_t in = x.size(2 + static_cast<int64_t>(j)), k = weight.size(2 + static_cast<int64_t>(j));
    full[j] = (in - 1) * stride[j] + dilation[j] * (k - 1) + output_padding[j] + 1;
    out[j] = full[j] - 2 * padding[j];
  }
  EMBER_CHECK(out[0] > 0 && out[1] > 0 && out[2] > 0, "Given input size per channel: (", join(x.sizes().slice(2)),
              "). Calculated output size per channel: (", join(out), "). Output size is too small");
  std::vector<Tensor> xg;  // per group: (N, D, H, W, Cin_g)
  for (int64_t g = 0; g < groups; ++g) xg.push_back(x.narrow(1, g * cin_g, cin_g).movedim(1, -1));
  Tensor y;
  for (int64_t a = 0; a < weight.size(2); ++a)
    for (int64_t b = 0; b < weight.size(3); ++b)
      for (int64_t c = 0; c < weight.size(4); ++c) {
        std::vector<Tensor> parts;
        for (int64_t g = 0; g < groups; ++g) {
          Tensor wt = weight.narrow(0, g * cin_g, cin_g).select(4, c).select(3, b).select(2, a);  // (Cin_g, Cout_g)
          parts.push_back(xg[static_cast<size_t>(g)].matmul(wt).movedim(-1, 1));
        }
        Tensor t = groups == 1 ? parts[0] : cat(parts, 1);  // (N, Cout, D, H, W)
        const int64_t tap[3] = {a, b, c};
        std::vector<int64_t> pad;
        for (int j = 2; j >= 0; --j) {
          const auto u = static_cast<size_t>(j);
          t = spread(t, 2 + j, stride[u]);
          const int64_t before = dilation[u] * tap[j];
          pad.push_back(before);
          pad.push_back(full[u] - t.size(2 + j) - before);
        }
        // spread runs last dim first, so t's dims 2..4 are all spread before the pad
        t = constant_pad_nd(t, pad);
        y = y.defined() ? y.add(t) : t;
      }
  for (int j = 0; j < 3; ++j) y = y.narrow(2 + j, padding[static_cast<size_t>(j)], out[static_cast<size_t>(j)]);
  if (bias.defined()) y = y.add(bias.view({1, -1, 1, 1, 1}));
  return y;
}

}  // namespace

Tensor conv3d(const Tensor& input_in, const Tensor& weight, const Tensor& bias, IntArrayRef stride_in,
              IntArrayRef padding_in, IntArrayRef dilation_in, int64_t groups) {
  const auto stride = expand3(stride_in, "stride"), padding = expand3(padding_in, "padding"),
             dilation = expand3(dilation_in, "dilation");
  EMBER_CHECK(groups > 0, "non-positive groups is not supported");
  for (int j = 0; j < 3; ++j) {
    EMBER_CHECK(stride[static_cast<size_t>(j)] > 0, "non-positive stride is not supported");
    EMBER_CHECK(padding[static_cast<size_t>(j)] >= 0, "negative padding is not supported");
    EMBER_CHECK(dilation[static_cast<size_t>(j)] > 0, "dilation should be greater than zero");
  }
  EMBER_CHECK(weight.dim() == 5, "conv3d: expected a 5-D weight (O, C/groups, kd, kh, kw), got ", weight.sizes());
  EMBER_CHECK(input_in.dim() == 4 || input_in.dim() == 5, "Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: ",
              input_in.sizes());
  const bool batched = input_in.dim() == 5;
  Tensor input = batched ? input_in : input_in.unsqueeze(0);
  const int64_t n = input.size(0), c = input.size(1), o = weight.size(0);
  EMBER_CHECK(o % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ", groups,
              " at dimension 0, but got weight of size [", weight.sizes(), "] instead");
  EMBER_CHECK(c == weight.size(1) * groups, "Given groups=", groups, ", weight of size ", weight.sizes(),
              ", expected input", input.sizes(), " to have ", weight.size(1) * groups, " channels, but got ", c,
              " channels instead");
  if (bias.defined())
    EMBER_CHECK(bias.dim() == 1 && bias.size(0) == o, "Given weight of size ", weight.sizes(),
                ", expected bias to be 1-dimensional with ", o, " elements, but got bias of size ", bias.sizes(),
                " instead");
  std::vector<int64_t> padded, extent;
  for (int j = 0; j < 3; ++j) {
    const auto u = static_cast<size_t>(j);
    padded.push_back(input.size(2 + j) + 2 * padding[u]);
    extent.push_back(dilation[u] * (weight.size(2 + j) - 1) + 1);
  }
  EMBER_CHECK(padded[0] >= extent[0] && padded[1] >= extent[1] && padded[2] >= extent[2],
              "Calculated padded input size per channel: (", join(padded), "). Kernel size: (", join(extent),
              "). Kernel size can't be greater than actual input size");
  check_conv_dtype(input.dtype(), false, dilation[0] > 1 || dilation[1] > 1 || dilation[2] > 1, 3);
  const int64_t kd = weight.size(2), d_out = (padded[0] - extent[0]) / stride[0] + 1;
  Tensor x = padding[0] ? constant_pad_nd(input, {0, 0, 0, 0, padding[0], padding[0]}) : input;
  // Every depth tap of every output depth, as extra channels: (N, D_out, C, kd, H, W).
  std::vector<Tensor> taps;
  for (int64_t t = 0; t < kd; ++t)
    taps.push_back(x.slice(2, t * dilation[0], t * dilation[0] + (d_out - 1) * stride[0] + 1, stride[0]));
  Tensor cols = stack(taps, 3).permute({0, 2, 1, 3, 4, 5});
  const int64_t h = x.size(3), w = x.size(4);
  cols = cols.reshape({n * d_out, c * kd, h, w});
  Tensor w2 = weight.reshape({o, weight.size(1) * kd, weight.size(3), weight.size(4)});
  Tensor y = conv2d(cols, w2, bias, {stride[1], stride[2]}, {padding[1], padding[2]}, {dilation[1], dilation[2]}, groups);
  y = y.reshape({n, d_out, o, y.size(2), y.size(3)}).permute({0, 2, 1, 3, 4});
  return batched ? y : y.squeeze(0);
}

namespace detail {
// "same" pads dilation * (k - 1) per dim, the odd element at the end (PyTorch's split); "valid" none.
Tensor conv3d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups) {
  EMBER_CHECK(padding == "same" || padding == "valid", "Invalid padding string: '", padding, "'");
  // A wrong weight gets conv3d's own error.
  if (padding == "valid" || weight.dim() != 5) return conv3d(input, weight, bias, stride, 0, dilation, groups);
  for (int64_t s : expand3(stride, "stride"))
    EMBER_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  const auto dil = expand3(dilation, "dilation");
  std::vector<int64_t> pad;  // constant_pad_nd's order: the last dim first
  for (int j = 2; j >= 0; --j) {
    const int64_t total = dil[static_cast<size_t>(j)] * (weight.size(2 + j) - 1);
    pad.push_back(total / 2);
    pad.push_back(total - total / 2);
  }
  return conv3d(constant_pad_nd(input, pad), weight, bias, stride, 0, dilation, groups);
}
}  // namespace detail

Tensor conv_transpose3d(const Tensor& input_in, const Tensor& weight, const Tensor& bias, IntArrayRef stride_in,
                        IntArrayRef padding_in, IntArrayRef output_padding_in, int64_t groups,
                        IntArrayRef dilation_in) {
  const auto stride = expand3(stride_in, "stride"), padding = expand3(padding_in, "padding"),
             output_padding = expand3(output_padding_in, "output_padding"),
             dilation = expand3(dilation_in, "dilation");
  EMBER_CHECK(input_in.dim() == 4 || input_in.dim() == 5,
              "Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, but got input of size: ",
              input_in.sizes());
  EMBER_CHECK(weight.dim() == 5, "conv_transpose3d: expected a 5-D weight (Cin, Cout/groups, kd, kh, kw), got ",
              weight.sizes());
  EMBER_CHECK(groups > 0, "non-positive groups is not supported");
  const bool batched = input_in.dim() == 5;
  Tensor x = batched ? input_in : input_in.unsqueeze(0);
  const int64_t cin = x.size(1);
  EMBER_CHECK(weight.size(0) == cin && cin % groups == 0, "Given transposed=1, weight of size ", weight.sizes(),
              ", expected input", x.sizes(), " to have ", weight.size(0), " channels, but got ", cin,
              " channels instead");
  for (int j = 0; j < 3; ++j) {
    const auto u = static_cast<size_t>(j);
    EMBER_CHECK(stride[u] > 0 && dilation[u] > 0, "non-positive stride is not supported");
    EMBER_CHECK(padding[u] >= 0 && output_padding[u] >= 0, "negative padding is not supported");
    EMBER_CHECK(output_padding[u] < stride[u] || output_padding[u] < dilation[u],
                "output padding must be smaller than either stride or dilation, but got output_padding_depth: ",
                output_padding[0], " output_padding_height: ", output_padding[1], " output_padding_width: ",
                output_padding[2], " stride_depth: ", stride[0], " stride_height: ", stride[1], " stride_width: ",
                stride[2], " dilation_depth: ", dilation[0], " dilation_height: ", dilation[1], " dilation_width: ",
                dilation[2]);
  }
  check_conv_dtype(x.dtype(), true, dilation[0] > 1 || dilation[1] > 1 || dilation[2] > 1, 3);
  if (weight.is_floating_point() && x.dtype() == weight.dtype() && (!bias.defined() || bias.dtype() == x.dtype()) &&
      (!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(1) * groups)) &&
      !std::isfinite(weight.detach().sum().item<double>())) {
    // (anything else goes the usual way below, for its checks and messages)
    Tensor y = conv_transpose3d_by_taps(x, weight, bias, stride, padding, output_padding, groups, dilation);
    return batched ? y : y.squeeze(0);
  }
  for (int j = 0; j < 3; ++j) x = spread(x, 2 + j, stride[static_cast<size_t>(j)]);
  // Full padding dilation (k - 1), less the requested padding (negative amounts crop), plus
  // output_padding at the end; pad lists the last dim first.
  std::vector<int64_t> pad;
  for (int j = 2; j >= 0; --j) {
    const auto u = static_cast<size_t>(j);
    const int64_t full = dilation[u] * (weight.size(2 + j) - 1);
    pad.push_back(full - padding[u]);
    pad.push_back(full - padding[u] + output_padding[u]);
  }
  x = constant_pad_nd(x, pad);
  const int64_t cout_g = weight.size(1), k0 = weight.size(2), k1 = weight.size(3), k2 = weight.size(4);
  Tensor w = weight.reshape({groups, cin / groups, cout_g, k0, k1, k2})
                 .transpose(1, 2)
                 .reshape({groups * cout_g, cin / groups, k0, k1, k2})
                 .flip({2, 3, 4});
  Tensor y = conv3d(x, w, bias, 1, 0, dilation, groups);
  return batched ? y : y.squeeze(0);
}

}  // namespace ember
