// Convolution: im2col/col2im, conv1d/conv2d (as im2col + GEMM) and conv_transpose1d/2d (GEMM +
// col2im, the adjoint); integers by their own kernels. Backward is written with im2col/col2im and
// matmul, which are differentiable, so double backward works.
#include "ember/ops/conv.h"

#include <cmath>
#include <limits>

#include "ember/ops/linalg.h"
#include "kernels/cpu/conv.h"
#include "ops/util.h"
#include "ops/window.h"

namespace ember {

namespace {

// The kernel-layer geometry of a window over x (N, C, H, W) with O output channels. One image's
// im2col columns, C * kh * kw by OH * OW, must have a size that fits in int64.
kernels::Conv2dShape shape_of(const Tensor& x, int64_t O, int64_t groups, const Window& w, int64_t OH, int64_t OW) {
  checked_mul("im2col", checked_mul("im2col", checked_mul("im2col", x.size(1), w.k[0]), w.k[1]),
              checked_mul("im2col", OH, OW));
  return {x.size(0), x.size(1), x.size(2), x.size(3), O, groups, w.k[0], w.k[1], w.s[0], w.s[1],
          w.p[0],    w.p[1],    w.d[0],    w.d[1],    OH, OW};
}

// Scratch memory for the convolution kernels, allocated (and size-checked) as a tensor.
Tensor conv_workspace(const kernels::Conv2dShape& s, bool backward, ScalarType dtype) {
  const int64_t size =
      dtype == kFloat ? kernels::conv2d_workspace<float>(s, backward) : kernels::conv2d_workspace<double>(s, backward);
  return new_tensor({size}, dtype);
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
  const int64_t rows = checked_mul("im2col", checked_mul("im2col", C, w.k[0]), w.k[1]);
  const int64_t L = checked_mul("im2col", OH, OW);
  Tensor x = contiguous_raw(input);
  Tensor out = new_tensor({N, rows, L}, input.dtype());
  const kernels::Conv2dShape s = shape_of(x, C, 1, w, OH, OW);
  visit_floating(input.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    kernels::parallel_for(0, N, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) kernels::im2col(src + n * C * H * W, C, s, dst + n * rows * L);
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
  const int64_t kk = checked_mul("col2im", w.k[0], w.k[1]);
  const int64_t L = checked_mul("col2im", OH, OW);
  EMBER_CHECK(input.size(1) % kk == 0, "col2im: expected size of input's dimension 1 to be divisible by the product of "
                                       "kernel_size, but got input.size(1)=", input.size(1), " and kernel_size=", kernel_size);
  EMBER_CHECK(input.size(2) == L, "col2im: expected input's dimension 2 to match the calculated number of "
                                  "sliding blocks ", OH, " * ", OW, " = ", L, ", but got input.size(2)=",
              input.size(2));
  const int64_t N = input.size(0), C = input.size(1) / kk;
  Tensor cols = contiguous_raw(input);
  Tensor out = zeros({N, C, H, W}, TensorOptions(input.dtype()));
  const kernels::Conv2dShape s = shape_of(out, C, 1, w, OH, OW);
  visit_floating(input.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    const T* src = cols.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    const int64_t rows = C * kk;
    kernels::parallel_for(0, N, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) kernels::col2im(src + n * rows * L, C, s, dst + n * C * H * W);
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

// The spatial parameters of a 1-D or 2-D (transposed) convolution, one value per spatial dim.
struct ConvArgs {
  int dims;
  DimVector stride, padding, dilation, output_padding;
  int64_t groups;
  bool transposed;
};

// ATen's expand_param_if_needed: one value for every spatial dim, or exactly `dims` values.
DimVector expand_param(IntArrayRef v, const char* name, int dims) {
  EMBER_CHECK(v.size() == 1 || v.size() == static_cast<size_t>(dims), "expected ", name,
              " to be a single integer value or a list of ", dims,
              " values to match the convolution dimensions, but got ", name, "=", v);
  DimVector out;
  for (int i = 0; i < dims; ++i) out.push_back(v.size() == 1 ? v[0] : v[i]);
  return out;
}

// "(a x b)" as ATen prints sizes per channel.
std::string per_channel(const DimVector& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " x " : "") + std::to_string(v[i]);
  return s + ")";
}

// ATen's check_shape_forward, for an input that already has its batch dim.
void check_conv(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvArgs& a) {
  EMBER_CHECK(weight.dim() >= 3, "weight should have at least three dimensions");
  EMBER_CHECK(weight.dim() == input.dim(), "Expected ", weight.dim(), "-dimensional input for ", weight.dim(),
              "-dimensional weight ", weight.sizes(), ", but got ", input.dim(), "-dimensional input of size ",
              input.sizes(), " instead");
  for (int i = 0; i < a.dims; ++i) {
    EMBER_CHECK(a.padding[i] >= 0, "negative padding is not supported");
    EMBER_CHECK(a.output_padding[i] >= 0, "negative output_padding is not supported");
    EMBER_CHECK(a.stride[i] > 0, "non-positive stride is not supported");
  }
  for (int i = 0; i < a.dims; ++i)
    EMBER_CHECK(a.dilation[i] > 0, "dilation should be greater than zero, but got ", a.dilation);
  const int64_t g = a.groups;
  EMBER_CHECK(g > 0, "non-positive groups is not supported");
  EMBER_CHECK(weight.size(0) >= g, "Given groups=", g, ", expected weight to be at least ", g,
              " at dimension 0, but got weight of size ", weight.sizes(), " instead");
  EMBER_CHECK(weight.size(0) % g == 0, "Given groups=", g, ", expected weight to be divisible by ", g,
              " at dimension 0, but got weight of size [", weight.sizes(), "] instead");
  const int64_t C = input.size(1);
  DimVector kernel, in;
  for (int i = 0; i < a.dims; ++i) {
    kernel.push_back(weight.size(2 + i));
    in.push_back(input.size(2 + i));
  }
  if (!a.transposed) {
    const int64_t O = weight.size(0);
    EMBER_CHECK(C == weight.size(1) * g, "Given groups=", g, ", weight of size ", weight.sizes(), ", expected input",
                input.sizes(), " to have ", weight.size(1) * g, " channels, but got ", C, " channels instead");
    EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == O), "Given weight of size ", weight.sizes(),
                ", expected bias to be 1-dimensional with ", O, " elements, but got bias of size ", bias.sizes(),
                " instead");
    DimVector padded, span;
    bool fits = true;
    for (int i = 0; i < a.dims; ++i) {
      padded.push_back(in[i] + 2 * a.padding[i]);
      span.push_back(a.dilation[i] * (kernel[i] - 1) + 1);
      fits = fits && padded[i] >= span[i];
    }
    EMBER_CHECK(fits, "Calculated padded input size per channel: ", per_channel(padded), ". Kernel size: ",
                per_channel(span), ". Kernel size can't be greater than actual input size");
  } else {
    const int64_t O = weight.size(1) * g;
    EMBER_CHECK(C == weight.size(0), "Given transposed=1, weight of size ", weight.sizes(), ", expected input",
                input.sizes(), " to have ", weight.size(0), " channels, but got ", C, " channels instead");
    EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == O), "Given transposed=1, weight of size ",
                weight.sizes(), ", expected bias to be 1-dimensional with ", O, " elements, but got bias of size ",
                bias.sizes(), " instead");
    bool small = true;
    for (int i = 0; i < a.dims; ++i)
      small = small && (a.output_padding[i] < a.stride[i] || a.output_padding[i] < a.dilation[i]);
    if (!small) {
      std::string msg = "output padding must be smaller than either stride or dilation, but got";
      const char* names[2] = {a.dims == 2 ? "height" : "width", "width"};
      for (int i = 0; i < a.dims; ++i) msg += std::string(" output_padding_") + names[i] + ": " + std::to_string(a.output_padding[i]);
      for (int i = 0; i < a.dims; ++i) msg += std::string(" stride_") + names[i] + ": " + std::to_string(a.stride[i]);
      for (int i = 0; i < a.dims; ++i) msg += std::string(" dilation_") + names[i] + ": " + std::to_string(a.dilation[i]);
      fail(msg);
    }
    DimVector out;
    bool positive = true;
    for (int i = 0; i < a.dims; ++i) {
      out.push_back((in[i] - 1) * a.stride[i] - 2 * a.padding[i] + a.dilation[i] * (kernel[i] - 1) +
                    a.output_padding[i] + 1);
      positive = positive && out[i] > 0;
    }
    EMBER_CHECK(positive, "Given input size per channel: ", per_channel(in), ". Calculated output size per channel: ",
                per_channel(out), ". Output size is too small");
  }
  bool dilated = false;
  for (int64_t d : a.dilation) dilated = dilated || d > 1;
  check_conv_dtype(input.dtype(), a.transposed, dilated, a.dims);
  // LibTorch's integer kernels check the weight's dtype themselves, in these words.
  EMBER_CHECK(is_floating_type(input.dtype()) || weight.dtype() == input.dtype(), "expected scalar type ",
              to_string(input.dtype()), " but found ", to_string(weight.dtype()));
  EMBER_CHECK(input.dtype() == weight.dtype(), "Input type (", to_string(input.dtype()), ") and weight type (",
              to_string(weight.dtype()), ") should be the same");
  EMBER_CHECK(!bias.defined() || bias.dtype() == input.dtype(), "Input type (", to_string(input.dtype()),
              ") and bias type (", to_string(bias.dtype()), ") should be the same");
}

// The 2-D window of a 1-D or 2-D convolution (1-D runs as height 1).
Window window_for(const ConvArgs& a, const Tensor& weight) {
  if (a.dims == 2)
    return Window{{weight.size(2), weight.size(3)}, {a.dilation[0], a.dilation[1]}, {a.padding[0], a.padding[1]},
                  {a.stride[0], a.stride[1]}};
  return Window{{1, weight.size(2)}, {1, a.dilation[0]}, {0, a.padding[0]}, {1, a.stride[0]}};
}

std::array<int64_t, 2> output_padding_for(const ConvArgs& a) {
  return a.dims == 2 ? std::array<int64_t, 2>{a.output_padding[0], a.output_padding[1]}
                     : std::array<int64_t, 2>{0, a.output_padding[0]};
}

Tensor im2col_w(const Tensor& x, const Window& w) {
  return im2col(x, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]});
}
Tensor col2im_w(const Tensor& cols, int64_t H, int64_t W, const Window& w) {
  return col2im(cols, {H, W}, {w.k[0], w.k[1]}, {w.d[0], w.d[1]}, {w.p[0], w.p[1]}, {w.s[0], w.s[1]});
}

// Output height/width of a transposed convolution.
int64_t transposed_size(int64_t in, const Window& w, int i, int64_t output_padding) {
  return (in - 1) * w.s[i] - 2 * w.p[i] + w.d[i] * (w.k[i] - 1) + output_padding + 1;
}

// An integer tensor's elements as int64 (contiguous), for the integer kernels, which read them as
// uint64 (a signed and an unsigned type of one width may alias).
Tensor as_int64(const Tensor& t) { return t.defined() ? contiguous_raw(t.to(kLong)) : t; }
const uint64_t* u64(const Tensor& t) {
  return t.defined() ? reinterpret_cast<const uint64_t*>(t.data_ptr<int64_t>()) : nullptr;
}
uint64_t* u64_out(const Tensor& t) { return reinterpret_cast<uint64_t*>(t.data_ptr<int64_t>()); }

// The convolution with its bias, by the kernel layer (im2col + GEMM per image). Integers are
// convolved in int64 and converted back, which keeps the low bits LibTorch's wrapping sums keep.
Tensor conv_compute(const Tensor& input, const Tensor& weight, const Tensor& bias, const Window& w, int64_t groups) {
  Tensor x = contiguous_raw(input), wt = contiguous_raw(weight), b = bias.defined() ? contiguous_raw(bias) : bias;
  const int64_t OH = out_size(x.size(2), w.k[0], w.d[0], w.p[0], w.s[0]);
  const int64_t OW = out_size(x.size(3), w.k[1], w.d[1], w.p[1], w.s[1]);
  const kernels::Conv2dShape s = shape_of(x, wt.size(0), groups, w, OH, OW);
  if (!is_floating_type(x.dtype())) {
    Tensor xl = as_int64(x), wl = as_int64(wt), bl = as_int64(b), out = new_tensor({s.N, s.O, OH, OW}, kLong);
    kernels::conv2d_forward_int(u64(xl), u64(wl), u64(bl), s, u64_out(out));
    return out.to(x.dtype());
  }
  Tensor out = new_tensor({s.N, s.O, OH, OW}, x.dtype());
  Tensor ws = conv_workspace(s, false, x.dtype());
  visit_floating(x.dtype(), "conv2d", [&](auto tag) {
    using T = decltype(tag);
    kernels::conv2d_forward(x.data_ptr<T>(), wt.data_ptr<T>(), b.defined() ? b.data_ptr<T>() : nullptr, s,
                            out.data_ptr<T>(), ws.data_ptr<T>(), ws.numel());
  });
  return out;
}

// The transposed convolution: per group, weight^T (og*kh*kw, cg) times the input (N, cg, H*W),
// summed into the image by col2im with the same window. The image is the full one cropped by
// `padding` at both ends, except that output_padding rows/columns at the end stay uncropped.
// When output_padding >= stride, col2im's window count exceeds the input's: those blocks are zero.
Tensor conv_transpose_compute(const Tensor& x, const Tensor& wt, const Window& w, int64_t groups,
                              std::array<int64_t, 2> output_padding) {
  const int64_t N = x.size(0), H = x.size(2), W = x.size(3);
  const int64_t cg = x.size(1) / groups;
  const int64_t OH = transposed_size(H, w, 0, output_padding[0]), OW = transposed_size(W, w, 1, output_padding[1]);
  const int64_t HB = out_size(OH, w.k[0], w.d[0], w.p[0], w.s[0]), WB = out_size(OW, w.k[1], w.d[1], w.p[1], w.s[1]);
  const int64_t HW = checked_mul("conv_transpose2d", H, W);
  const int64_t K = checked_mul("conv_transpose2d", checked_mul("conv_transpose2d", wt.size(1), w.k[0]), w.k[1]);
  if (!is_floating_type(x.dtype())) {  // int64 (check_conv_dtype)
    checked_mul("conv_transpose2d", K, checked_mul("conv_transpose2d", HB, WB));
    // The forward convolution this is the adjoint of: from the output image to HB x WB windows.
    kernels::Conv2dShape s = shape_of(x, x.size(1), groups, w, HB, WB);
    s.C = wt.size(1) * groups;
    s.H = OH;
    s.W = OW;
    Tensor xl = as_int64(x), wl = as_int64(wt), out = new_tensor({N, s.C, OH, OW}, kLong);
    kernels::conv_transpose2d_int(u64(xl), H, W, u64(wl), s, u64_out(out));
    return out;
  }
  std::vector<Tensor> outs;
  for (int64_t gi = 0; gi < groups; ++gi) {
    Tensor xg = (groups == 1 ? x : x.narrow(1, gi * cg, cg)).reshape({N, cg, HW});
    Tensor wg = (groups == 1 ? wt : wt.narrow(0, gi * cg, cg)).reshape({cg, K});
    Tensor cols = wg.t().matmul(xg);  // (N, og*kh*kw, H*W)
    if (HB != H || WB != W) {
      Tensor blocks = zeros({N, cols.size(1), HB, WB}, TensorOptions(x.dtype()));
      blocks.narrow(2, 0, H).narrow(3, 0, W).copy_(cols.reshape({N, cols.size(1), H, W}));
      cols = blocks.reshape({N, cols.size(1), checked_mul("conv_transpose2d", HB, WB)});
    }
    outs.push_back(col2im_w(cols, OH, OW, w));
  }
  return groups == 1 ? outs[0] : cat(outs, 1);
}

struct ConvolutionBackward0 final : NamedNode<"ConvolutionBackward0"> {
  SavedVariable input, weight;
  bool has_bias = false;
  bool transposed = false;
  int dims = 2;
  Window w;
  int64_t groups = 1;
  variable_list apply(variable_list&& g) override;
  void release_variables() override {
    input.reset_data();
    weight.reset_data();
  }
};

variable_list ConvolutionBackward0::apply(variable_list&& gs) {
  // 1-D convolutions run as 2-D ones of height 1.
  Tensor x = input.unpack(), wt = weight.unpack(), g = gs[0];
  if (dims == 1) {
    x = x.unsqueeze(2);
    wt = wt.unsqueeze(2);
    g = g.unsqueeze(2);
  }
  const int64_t N = x.size(0), H = x.size(2), W = x.size(3), cg = x.size(1) / groups;
  const bool need_x = should_compute_output(0), need_w = should_compute_output(1);
  const bool need_b = has_bias && should_compute_output(2);
  Tensor gx, gw, gb;
  std::vector<Tensor> gx_parts, gw_parts;
  // float32's direct kernels take the input gradient over the padded border too, where a padded
  // (zero) tap times an inf/NaN weight gives NaN; LibTorch skips those taps. A weight that is not
  // all finite (checked once, outside the kernels: one sum, inf/NaN make it non-finite) takes the
  // im2col path below, which skips them.
  const bool careful = !transposed && !GradMode::is_enabled() && need_x && x.dtype() == kFloat &&
                       (w.p[0] > 0 || w.p[1] > 0) && !std::isfinite(wt.detach().sum().item<double>());
  if (!transposed && !GradMode::is_enabled() && !careful) {
    // No graph to record (no create_graph): the kernel layer, straight into the gradients.
    Tensor xc = contiguous_raw(x), wc = contiguous_raw(wt), gc = contiguous_raw(g);
    const kernels::Conv2dShape s = shape_of(xc, wc.size(0), groups, w, g.size(2), g.size(3));
    if (need_x) gx = new_tensor(xc.sizes(), xc.dtype());
    if (need_w) gw = new_tensor(wc.sizes(), wc.dtype());
    if (need_b) gb = new_tensor({wc.size(0)}, wc.dtype());
    Tensor ws = conv_workspace(s, true, xc.dtype());
    visit_floating(xc.dtype(), "conv2d_backward", [&](auto tag) {
      using T = decltype(tag);
      auto ptr = [](const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
      kernels::conv2d_backward(xc.data_ptr<T>(), wc.data_ptr<T>(), gc.data_ptr<T>(), s, ptr(gx), ptr(gw), ptr(gb),
                               ws.data_ptr<T>(), ws.numel());
    });
  } else if (!transposed) {
    // The same products from public ops, so that the gradient has a graph of its own.
    const int64_t og = wt.size(0) / groups, K = cg * w.k[0] * w.k[1], L = g.size(2) * g.size(3);
    for (int64_t gi = 0; gi < groups; ++gi) {
      Tensor xg = groups == 1 ? x : x.narrow(1, gi * cg, cg);
      Tensor wg = groups == 1 ? wt : wt.narrow(0, gi * og, og);
      Tensor gg = (groups == 1 ? g : g.narrow(1, gi * og, og)).reshape({N, og, L});  // (N, og, L)
      if (need_x) gx_parts.push_back(col2im_w(wg.reshape({og, K}).t().matmul(gg), H, W, w));
      if (need_w) gw_parts.push_back(gg.matmul(im2col_w(xg, w).transpose(1, 2)).sum({0}).reshape(wg.sizes()));
    }
  } else {
    // The adjoint of the forward: the gradient's im2col columns (only the blocks that saw the
    // input) against the weight give the input's gradient, against the input the weight's.
    const int64_t og = wt.size(1);
    const int64_t HB = out_size(g.size(2), w.k[0], w.d[0], w.p[0], w.s[0]);
    const int64_t WB = out_size(g.size(3), w.k[1], w.d[1], w.p[1], w.s[1]);
    for (int64_t gi = 0; gi < groups; ++gi) {
      Tensor xg = (groups == 1 ? x : x.narrow(1, gi * cg, cg)).reshape({N, cg, H * W});
      Tensor wg = groups == 1 ? wt : wt.narrow(0, gi * cg, cg);
      Tensor cols = im2col_w(groups == 1 ? g : g.narrow(1, gi * og, og), w);  // (N, og*kh*kw, HB*WB)
      if (HB != H || WB != W) {
        const int64_t K = cols.size(1);
        cols = cols.reshape({N, K, HB, WB}).narrow(2, 0, H).narrow(3, 0, W).reshape({N, K, H * W});
      }
      if (need_x) gx_parts.push_back(wg.reshape({cg, og * w.k[0] * w.k[1]}).matmul(cols).reshape({N, cg, H, W}));
      if (need_w) gw_parts.push_back(xg.matmul(cols.transpose(1, 2)).sum({0}).reshape(wg.sizes()));
    }
  }
  if (!gx_parts.empty()) gx = groups == 1 ? gx_parts[0] : cat(gx_parts, 1);
  if (!gw_parts.empty()) gw = groups == 1 ? gw_parts[0] : cat(gw_parts, 0);
  if (need_b && !gb.defined()) gb = g.sum({0, 2, 3});
  if (dims == 1) {
    if (gx.defined()) gx = gx.squeeze(2);
    if (gw.defined()) gw = gw.squeeze(2);
  }
  return {gx, gw, gb};
}

// Every convolution: checks, the forward without history, then one ConvolutionBackward0.
Tensor convolution(const char* name, const Tensor& input_in, const Tensor& weight, const Tensor& bias,
                   IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups, bool transposed,
                   IntArrayRef output_padding, int dims) {
  EMBER_CHECK(input_in.dim() == dims + 1 || input_in.dim() == dims + 2, "Expected ", dims + 1, "D (unbatched) or ",
              dims + 2, "D (batched) input to ", name, ", but got input of size: ", input_in.sizes());
  ConvArgs a{dims,
             expand_param(stride, "stride", dims),
             expand_param(padding, "padding", dims),
             expand_param(dilation, "dilation", dims),
             expand_param(output_padding, "output_padding", dims),
             groups,
             transposed};
  check_int32(name, "stride", a.stride);
  check_int32(name, "padding", a.padding);
  check_int32(name, "dilation", a.dilation);
  check_int32(name, "output_padding", a.output_padding);
  if (weight.dim() == dims + 2) check_int32(name, "kernel_size", weight.sizes().slice(2));
  const bool unbatched = input_in.dim() == dims + 1;
  Tensor input = unbatched ? input_in.unsqueeze(0) : input_in;
  check_conv(input, weight, bias, a);
  const Window w = window_for(a, weight);
  const auto op = output_padding_for(a);
  Tensor out;
  {
    NoGradGuard ng;
    Tensor x4 = dims == 1 ? input.unsqueeze(2) : input, w4 = dims == 1 ? weight.unsqueeze(2) : weight;
    if (transposed) {
      out = conv_transpose_compute(x4, w4, w, groups, op);
      if (bias.defined()) out = out.add(bias.reshape({1, bias.numel(), 1, 1}));
    } else {
      out = conv_compute(x4, w4, bias, w, groups);
    }
    if (dims == 1) out = out.squeeze(2);
  }
  if (any_requires_grad(input, weight, bias)) {
    auto n = make_node<ConvolutionBackward0>(input, weight, bias);
    n->input = save(input);
    n->weight = save(weight);
    n->has_bias = bias.defined();
    n->transposed = transposed;
    n->dims = dims;
    n->w = w;
    n->groups = groups;
    set_history(out, n);
  }
  return unbatched ? out.squeeze(0) : out;
}

// padding="same" / "valid" (ATen's _convolution_mode). "same" pads d*(k-1) in total per dim, the
// odd element at the end, as PyTorch does.
Tensor convolution_mode(const char* name, const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups, int dims) {
  EMBER_CHECK(padding == "same" || padding == "valid", "Invalid padding string: '", padding, "'");
  if (padding == "valid") return convolution(name, input, weight, bias, stride, 0, dilation, groups, false, 0, dims);
  for (int64_t s : expand_param(stride, "stride", dims))
    EMBER_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  // Shape errors are the plain convolution's.
  if (!(input.dim() == dims + 1 || input.dim() == dims + 2) || weight.dim() != dims + 2)
    return convolution(name, input, weight, bias, stride, 0, dilation, groups, false, 0, dims);
  const DimVector dil = expand_param(dilation, "dilation", dims);
  DimVector left;
  Tensor x = input;
  for (int i = 0; i < dims; ++i) {
    const int64_t total = dil[i] * (weight.size(2 + i) - 1);
    left.push_back(total / 2);
    if (total % 2 == 0) continue;
    const int64_t dim = x.dim() - dims + i;
    DimVector extra = x.sizes();
    extra[dim] = 1;
    x = cat({x, zeros(extra, TensorOptions(x.dtype()))}, dim);
  }
  return convolution(name, x, weight, bias, stride, left, dilation, groups, false, 0, dims);
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  return convolution("conv1d", input, weight, bias, stride, padding, dilation, groups, false, 0, 1);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  return convolution("conv2d", input, weight, bias, stride, padding, dilation, groups, false, 0, 2);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  return convolution("conv_transpose2d", input, weight, bias, stride, padding, dilation, groups, true, output_padding,
                     2);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  return convolution("conv_transpose1d", input, weight, bias, stride, padding, dilation, groups, true, output_padding,
                     1);
}

namespace detail {
Tensor conv1d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups) {
  return convolution_mode("conv1d", input, weight, bias, stride, padding, dilation, groups, 1);
}
Tensor conv2d_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                           std::string_view padding, IntArrayRef dilation, int64_t groups) {
  return convolution_mode("conv2d", input, weight, bias, stride, padding, dilation, groups, 2);
}
}  // namespace detail

}  // namespace ember
