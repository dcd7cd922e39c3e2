// Convolution and pooling. conv2d is im2col + one batched GEMM; its backward is written with
// im2col/col2im and matmul, which are differentiable, so double backward works.
#include "ember/ops/conv.h"

#include <limits>

#include "ember/ops/linalg.h"
#include "ops/util.h"

namespace ember {

namespace {

// An int pair from 1 or 2 values (LibTorch's ExpandingArray<2>).
std::array<int64_t, 2> pair_of(IntArrayRef v, const char* what, const char* op) {
  EMBER_CHECK(v.size() == 1 || v.size() == 2, op, ": ", what, " must have 1 or 2 values, got ", v);
  return {v[0], v.size() == 2 ? v[1] : v[0]};
}

struct Window {
  std::array<int64_t, 2> k, d, p, s;
};

Window window_of(const char* op, IntArrayRef kernel, IntArrayRef dilation, IntArrayRef padding, IntArrayRef stride) {
  Window w{pair_of(kernel, "kernel_size", op), pair_of(dilation, "dilation", op), pair_of(padding, "padding", op),
           pair_of(stride, "stride", op)};
  for (int i = 0; i < 2; ++i) {
    EMBER_CHECK(w.k[i] > 0, op, ": kernel size should be greater than zero, but got ", kernel);
    EMBER_CHECK(w.s[i] > 0, op, ": stride should be greater than zero, but got ", stride);
    EMBER_CHECK(w.d[i] > 0, op, ": dilation should be greater than zero, but got ", dilation);
    EMBER_CHECK(w.p[i] >= 0, op, ": padding should be non-negative, but got ", padding);
  }
  return w;
}

int64_t out_size(int64_t in, int64_t k, int64_t d, int64_t p, int64_t s, bool ceil_mode = false) {
  const int64_t span = d * (k - 1) + 1;
  int64_t num = in + 2 * p - span;
  int64_t o = (ceil_mode ? (num + s - 1) / s : (num >= 0 ? num / s : -1)) + 1;
  // With ceil_mode the last window must start inside the input or left padding.
  if (ceil_mode && (o - 1) * s >= in + p) --o;
  return o;
}

// Calls f(col_index, h, w) for every patch element position; h/w may be outside the image.
template <typename F>
void for_each_patch(int64_t C, int64_t H, int64_t W, const Window& w, int64_t OH, int64_t OW, const F& f) {
  (void)H;
  (void)W;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ki = 0; ki < w.k[0]; ++ki)
      for (int64_t kj = 0; kj < w.k[1]; ++kj) {
        const int64_t row = (c * w.k[0] + ki) * w.k[1] + kj;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow)
            f(row, oh * OW + ow, c, oh * w.s[0] - w.p[0] + ki * w.d[0], ow * w.s[1] - w.p[1] + kj * w.d[1]);
      }
}

struct Im2ColBackward0 final : NamedNode<"Im2ColBackward0"> {
  DimVector in_hw;
  Window w;
  variable_list apply(variable_list&& g) override {
    return {col2im(g[0], in_hw, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]})};
  }
};
struct Col2ImBackward0 final : NamedNode<"Col2ImBackward0"> {
  Window w;
  variable_list apply(variable_list&& g) override {
    return {im2col(g[0], {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]})};
  }
};

}  // namespace

Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride) {
  EMBER_CHECK(input.dim() == 4, "im2col: expected a 4-D input (N, C, H, W), got ", input.sizes());
  EMBER_CHECK(input.is_floating_point(), "im2col: expected a floating point input, got ", to_string(input.dtype()));
  Window w = window_of("im2col", kernel_size, dilation, padding, stride);
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const int64_t OH = out_size(H, w.k[0], w.d[0], w.p[0], w.s[0]), OW = out_size(W, w.k[1], w.d[1], w.p[1], w.s[1]);
  EMBER_CHECK(OH > 0 && OW > 0, "Given input size: (", C, "x", H, "x", W, "). Calculated output size: (", C, "x", OH,
              "x", OW, "). Output size is too small");
  Tensor x = contiguous_raw(input);
  Tensor out = zeros({N, C * w.k[0] * w.k[1], OH * OW}, TensorOptions(input.dtype()));
  visit_floating(input.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    const int64_t rows = C * w.k[0] * w.k[1], L = OH * OW;
    kernels::parallel_for(0, N, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n)
        for_each_patch(C, H, W, w, OH, OW, [&](int64_t row, int64_t col, int64_t c, int64_t h, int64_t ww) {
          if (h >= 0 && h < H && ww >= 0 && ww < W) dst[(n * rows + row) * L + col] = src[((n * C + c) * H + h) * W + ww];
        });
    });
  });
  if (any_requires_grad(input)) {
    auto node = make_node<Im2ColBackward0>(input);
    node->in_hw = DimVector{H, W};
    node->w = w;
    set_history(out, node);
  }
  return out;
}

Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride) {
  EMBER_CHECK(input.dim() == 3, "col2im: expected a 3-D input (N, C*kh*kw, L), got ", input.sizes());
  Window w = window_of("col2im", kernel_size, dilation, padding, stride);
  auto hw = pair_of(output_size, "output_size", "col2im");
  const int64_t H = hw[0], W = hw[1];
  const int64_t OH = out_size(H, w.k[0], w.d[0], w.p[0], w.s[0]), OW = out_size(W, w.k[1], w.d[1], w.p[1], w.s[1]);
  const int64_t kk = w.k[0] * w.k[1];
  EMBER_CHECK(input.size(1) % kk == 0, "col2im: expected size of input's dimension 1 to be divisible by the product of "
                                       "kernel_size, but got input.size(1)=", input.size(1), " and kernel_size=", kernel_size);
  EMBER_CHECK(input.size(2) == OH * OW, "col2im: expected input's dimension 2 to match the calculated number of "
                                        "sliding blocks ", OH, " * ", OW, " = ", OH * OW, ", but got input.size(2)=",
              input.size(2));
  const int64_t N = input.size(0), C = input.size(1) / kk;
  Tensor cols = contiguous_raw(input);
  Tensor out = zeros({N, C, H, W}, TensorOptions(input.dtype()));
  visit_floating(input.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    const T* src = cols.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    const int64_t rows = C * kk, L = OH * OW;
    kernels::parallel_for(0, N, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n)
        for_each_patch(C, H, W, w, OH, OW, [&](int64_t row, int64_t col, int64_t c, int64_t h, int64_t ww) {
          if (h >= 0 && h < H && ww >= 0 && ww < W) dst[((n * C + c) * H + h) * W + ww] += src[(n * rows + row) * L + col];
        });
    });
  });
  if (any_requires_grad(input)) {
    auto node = make_node<Col2ImBackward0>(input);
    node->w = w;
    set_history(out, node);
  }
  return out;
}

namespace {
struct ConvolutionBackward0 final : NamedNode<"ConvolutionBackward0"> {
  SavedVariable input, weight;
  bool has_bias = false;
  Window w;
  int64_t groups = 1;
  variable_list apply(variable_list&& g) override;
  void release_variables() override {
    input.reset_data();
    weight.reset_data();
  }
};

// The convolution itself, from public ops: per group, weight (O, K) times im2col columns (N, K, L).
Tensor conv_compute(const Tensor& x, const Tensor& wt, const Window& w, int64_t groups) {
  const int64_t N = x.size(0), O = wt.size(0), H = x.size(2), W = x.size(3);
  const int64_t OH = out_size(H, w.k[0], w.d[0], w.p[0], w.s[0]), OW = out_size(W, w.k[1], w.d[1], w.p[1], w.s[1]);
  const int64_t cg = x.size(1) / groups, og = O / groups;
  std::vector<Tensor> outs;
  for (int64_t gi = 0; gi < groups; ++gi) {
    Tensor xg = groups == 1 ? x : x.narrow(1, gi * cg, cg);
    Tensor wg = groups == 1 ? wt : wt.narrow(0, gi * og, og);
    Tensor cols = im2col(xg, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]});
    outs.push_back(wg.reshape({og, -1}).matmul(cols));  // (N, og, L)
  }
  Tensor out = groups == 1 ? outs[0] : cat(outs, 1);
  return out.reshape({N, O, OH, OW});
}

variable_list ConvolutionBackward0::apply(variable_list&& gs) {
  Tensor x = input.unpack(), wt = weight.unpack(), g = gs[0];
  const int64_t N = x.size(0), O = wt.size(0), H = x.size(2), W = x.size(3);
  const int64_t cg = x.size(1) / groups, og = O / groups;
  std::vector<Tensor> gx_parts, gw_parts;
  for (int64_t gi = 0; gi < groups; ++gi) {
    Tensor xg = groups == 1 ? x : x.narrow(1, gi * cg, cg);
    Tensor wg = groups == 1 ? wt : wt.narrow(0, gi * og, og);
    Tensor gg = (groups == 1 ? g : g.narrow(1, gi * og, og)).reshape({N, og, -1});  // (N, og, L)
    if (should_compute_output(0)) {
      Tensor gcols = wg.reshape({og, -1}).t().matmul(gg);  // (N, K, L)
      gx_parts.push_back(col2im(gcols, {H, W}, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]}));
    }
    if (should_compute_output(1)) {
      Tensor cols = im2col(xg, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]});
      gw_parts.push_back(gg.matmul(cols.transpose(1, 2)).sum({0}).reshape(wg.sizes()));
    }
  }
  Tensor gx, gw, gb;
  if (should_compute_output(0)) gx = groups == 1 ? gx_parts[0] : cat(gx_parts, 1);
  if (should_compute_output(1)) gw = groups == 1 ? gw_parts[0] : cat(gw_parts, 0);
  if (has_bias && should_compute_output(2)) gb = g.sum({0, 2, 3});
  return {gx, gw, gb};
}
}  // namespace

Tensor conv2d(const Tensor& input_in, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  EMBER_CHECK(input_in.dim() == 3 || input_in.dim() == 4, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but "
                                                          "got input of size: ", input_in.sizes());
  EMBER_CHECK(weight.dim() == 4, "conv2d: expected a 4-D weight (out_channels, in_channels/groups, kH, kW), got ",
              weight.sizes());
  EMBER_CHECK(groups > 0, "non-positive groups is not supported");
  const bool unbatched = input_in.dim() == 3;
  Tensor input = unbatched ? input_in.unsqueeze(0) : input_in;
  const int64_t C = input.size(1), O = weight.size(0);
  EMBER_CHECK(O % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ", groups,
              " at dimension 0, but got weight of size ", weight.sizes(), " instead");
  EMBER_CHECK(C == weight.size(1) * groups, "Given groups=", groups, ", weight of size ", weight.sizes(),
              ", expected input", input.sizes(), " to have ", weight.size(1) * groups, " channels, but got ", C,
              " channels instead");
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == O), "Given weight of size ", weight.sizes(),
              ", expected bias to be 1-dimensional with ", O, " elements, but got bias of size ", bias.sizes(),
              " instead");
  EMBER_CHECK(input.dtype() == weight.dtype(), "Input type (", to_string(input.dtype()), ") and weight type (",
              to_string(weight.dtype()), ") should be the same");
  Window w = window_of("conv2d", {weight.size(2), weight.size(3)}, dilation, padding, stride);
  for (int i = 0; i < 2; ++i) {
    const int64_t in = input.size(2 + i) + 2 * w.p[i], span = w.d[i] * (w.k[i] - 1) + 1;
    EMBER_CHECK(in >= span, "Calculated padded input size per channel: (", input.size(2) + 2 * w.p[0], " x ",
                input.size(3) + 2 * w.p[1], "). Kernel size: (", w.d[0] * (w.k[0] - 1) + 1, " x ",
                w.d[1] * (w.k[1] - 1) + 1, "). Kernel size can't be greater than actual input size");
  }
  Tensor out;
  {
    NoGradGuard ng;
    out = conv_compute(input, weight, w, groups);
    if (bias.defined()) out = out.add(bias.reshape({1, O, 1, 1}));
  }
  if (any_requires_grad(input, weight, bias)) {
    auto n = make_node<ConvolutionBackward0>(input, weight, bias);
    n->input = save(input);
    n->weight = save(weight);
    n->has_bias = bias.defined();
    n->w = w;
    n->groups = groups;
    set_history(out, n);
  }
  return unbatched ? out.squeeze(0) : out;
}

namespace {
struct MaxPool2DWithIndicesBackward0 final : NamedNode<"MaxPool2DWithIndicesBackward0"> {
  SavedVariable indices;
  DimVector in_sizes;
  variable_list apply(variable_list&& g) override {
    // Scatter-add each window's gradient to the element it picked, per (n, c) plane.
    Tensor idx = indices.unpack();
    const int64_t planes = idx.size(0) * idx.size(1);
    Tensor flat = zeros({planes, in_sizes[2] * in_sizes[3]}, TensorOptions(g[0].dtype()));
    Tensor r = flat.scatter_add(1, idx.reshape({planes, -1}), g[0].reshape({planes, -1}));
    return {r.reshape(in_sizes)};
  }
  void release_variables() override { indices.reset_data(); }
};
}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input_in, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  EMBER_CHECK(input_in.dim() == 3 || input_in.dim() == 4,
              "non-empty 3D or 4D (batch mode) tensor expected for input, but got ", input_in.sizes());
  EMBER_CHECK(input_in.is_floating_point() || input_in.dtype() == kLong || input_in.dtype() == kInt,
              "max_pool2d: unsupported dtype ", to_string(input_in.dtype()));
  const bool unbatched = input_in.dim() == 3;
  Tensor input = unbatched ? input_in.unsqueeze(0) : input_in;
  Window w = window_of("max_pool2d", kernel_size, dilation, padding, stride.empty() ? kernel_size : stride);
  for (int i = 0; i < 2; ++i)
    EMBER_CHECK(w.p[i] <= w.k[i] / 2, "pad should be at most half of effective kernel size, but got pad=", w.p[i],
                ", kernel_size=", w.k[i], " and dilation=", w.d[i]);
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const int64_t OH = out_size(H, w.k[0], w.d[0], w.p[0], w.s[0], ceil_mode);
  const int64_t OW = out_size(W, w.k[1], w.d[1], w.p[1], w.s[1], ceil_mode);
  EMBER_CHECK(OH > 0 && OW > 0, "Given input size: (", C, "x", H, "x", W, "). Calculated output size: (", C, "x", OH,
              "x", OW, "). Output size is too small");
  Tensor x = contiguous_raw(input);
  Tensor values = new_tensor({N, C, OH, OW}, input.dtype());
  Tensor indices = new_tensor({N, C, OH, OW}, kLong);
  visit_dtype(input.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data_ptr<T>();
    T* val = values.data_ptr<T>();
    int64_t* ind = indices.data_ptr<int64_t>();
    kernels::parallel_for(0, N * C, 1, [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        const T* img = src + plane * H * W;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            T best = std::numeric_limits<T>::lowest();
            if constexpr (std::is_floating_point_v<T>) best = -std::numeric_limits<T>::infinity();
            int64_t best_i = -1;
            // Scans the window; a NaN wins at once, as in PyTorch.
            [&] {
              for (int64_t ki = 0; ki < w.k[0]; ++ki) {
                const int64_t h = oh * w.s[0] - w.p[0] + ki * w.d[0];
                if (h < 0 || h >= H) continue;
                for (int64_t kj = 0; kj < w.k[1]; ++kj) {
                  const int64_t ww = ow * w.s[1] - w.p[1] + kj * w.d[1];
                  if (ww < 0 || ww >= W) continue;
                  const T v = img[h * W + ww];
                  bool nan = false;
                  if constexpr (std::is_floating_point_v<T>) nan = std::isnan(v);
                  if (v > best || best_i < 0 || nan) {
                    best = v;
                    best_i = h * W + ww;
                    if (nan) return;
                  }
                }
              }
            }();
            val[(plane * OH + oh) * OW + ow] = best;
            ind[(plane * OH + oh) * OW + ow] = best_i;
          }
      }
    });
  });
  if (any_requires_grad(input)) {
    auto n = make_node<MaxPool2DWithIndicesBackward0>(input);
    n->indices = save(indices);
    n->in_sizes = input.sizes();
    set_history(values, n);
  }
  if (unbatched) return {values.squeeze(0), indices.squeeze(0)};
  return {values, indices};
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

}  // namespace ember
