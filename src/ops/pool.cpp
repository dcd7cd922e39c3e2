// Pooling: max_pool1d/max_pool2d (with indices), avg_pool2d and adaptive_avg_pool2d. The average
// pools' backward ops are public and differentiable (their adjoint is the forward pool), so
// double backward works.
#include "ember/ops/pool.h"

#include <cmath>
#include <limits>

#include "kernels/cpu/conv.h"
#include "ops/util.h"
#include "ops/window.h"

namespace ember {

namespace {
struct MaxPool2DWithIndicesBackward0 final : NamedNode<"MaxPool2DWithIndicesBackward0"> {
  SavedVariable indices;
  DimVector in_sizes;
  kernels::Conv2dShape shape{};  // the forward's geometry: the kernel's 2x2 path needs the window
  variable_list apply(variable_list&& g) override {
    // Each window's gradient goes to the element it picked, per (n, c) plane. A window that lies
    // wholly in the padding picked nothing (index -1): its gradient is dropped.
    Tensor idx = indices.unpack();
    const int64_t planes = idx.size(0) * idx.size(1);
    const int64_t out_plane = idx.size(2) * idx.size(3);
    if (!GradMode::is_enabled()) {
      Tensor gc = contiguous_raw(g[0]);
      Tensor gx = new_tensor(in_sizes, gc.dtype());
      visit_floating(gc.dtype(), "max_pool2d_backward", [&](auto tag) {
        using T = decltype(tag);
        kernels::max_pool2d_backward(gc.data_ptr<T>(), idx.data_ptr<int64_t>(), planes, shape, gx.data_ptr<T>());
      });
      return {gx};
    }
    // With create_graph, from public ops so that the gradient has a graph of its own.
    Tensor picked = idx.ge(0);
    Tensor flat = zeros({planes, in_sizes[2] * in_sizes[3]}, TensorOptions(g[0].dtype()));
    Tensor r = flat.scatter_add(1, where(picked, idx, Scalar(int64_t(0))).reshape({planes, out_plane}),
                                where(picked, g[0], 0.0).reshape({planes, out_plane}));
    return {r.reshape(in_sizes)};
  }
  void release_variables() override { indices.reset_data(); }
};
}  // namespace

namespace {

// max_pool2d_with_indices; with_indices false (max_pool2d where no gradient is needed) leaves the
// indices undefined and the kernel skips them.
std::tuple<Tensor, Tensor> max_pool2d_impl(const Tensor& input_in, IntArrayRef kernel_size, IntArrayRef stride,
                                           IntArrayRef padding, IntArrayRef dilation, bool ceil_mode, bool with_indices) {
  // As ATen's pool2d_shape_check: only the batch dim may be empty.
  const int64_t nd = input_in.dim();
  EMBER_CHECK((nd == 3 || nd == 4) && input_in.size(nd - 1) != 0 && input_in.size(nd - 2) != 0 &&
                  input_in.size(nd - 3) != 0,
              "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:",
              input_in.sizes());
  EMBER_CHECK(input_in.is_floating_point(), "\"max_pool2d\" not implemented for '", to_string(input_in.dtype()), "'");
  const bool unbatched = input_in.dim() == 3;
  Tensor input = unbatched ? input_in.unsqueeze(0) : input_in;
  Window w = window_of("max_pool2d", kernel_size, dilation, padding, stride.empty() ? kernel_size : stride);
  for (int i = 0; i < 2; ++i)
    EMBER_CHECK(w.p[i] <= w.k[i] / 2, "pad should be at most half of kernel size, but got pad=", w.p[i],
                " and kernel_size=", w.k[i]);
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const int64_t OH = out_size(H, w.k[0], w.d[0], w.p[0], w.s[0], ceil_mode);
  const int64_t OW = out_size(W, w.k[1], w.d[1], w.p[1], w.s[1], ceil_mode);
  EMBER_CHECK(OH > 0 && OW > 0, "Given input size: (", C, "x", H, "x", W, "). Calculated output size: (", C, "x", OH,
              "x", OW, "). Output size is too small");
  Tensor x = contiguous_raw(input);
  Tensor values = new_tensor({N, C, OH, OW}, input.dtype());
  Tensor indices = with_indices ? new_tensor({N, C, OH, OW}, kLong) : Tensor();
  const kernels::Conv2dShape s{N, C, H, W, C, 1, w.k[0], w.k[1], w.s[0], w.s[1], w.p[0], w.p[1], w.d[0], w.d[1], OH, OW};
  visit_floating(input.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    kernels::max_pool2d_forward(x.data_ptr<T>(), N * C, s, values.data_ptr<T>(),
                                with_indices ? indices.data_ptr<int64_t>() : nullptr);
  });
  if (with_indices && any_requires_grad(input)) {
    auto n = make_node<MaxPool2DWithIndicesBackward0>(input);
    n->indices = save(indices);
    n->in_sizes = input.sizes();
    n->shape = s;
    set_history(values, n);
  }
  if (unbatched) return {values.squeeze(0), with_indices ? indices.squeeze(0) : indices};
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, true);
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  // The indices serve only the backward: without a gradient to compute they are not made.
  const bool grad = GradMode::is_enabled() && input.requires_grad();
  return std::get<0>(max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, grad));
}

// ---- max_pool1d: ATen's own argument checks, then max_pool2d over height 1 (as PyTorch, whose
// result then ends in SqueezeBackward1).

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  EMBER_CHECK((input.dim() == 2 && input.size(0) != 0 && input.size(1) != 0) ||
                  (input.dim() == 3 && input.size(1) != 0 && input.size(2) != 0),
              "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:",
              input.sizes());
  auto one = [](IntArrayRef v, const char* what) {
    EMBER_CHECK(v.size() == 1, "max_pool1d() ", what, " must be an int, list of ints or tuple of ints of size 1 but got size ",
                v.size());
    return v[0];
  };
  const int64_t k = one(kernel_size, "kernel_size");
  EMBER_CHECK(stride.size() <= 1, "max_pool1d() stride must be an int, list of ints or tuple of ints of size 1 but got size ",
              stride.size());
  const int64_t s = stride.empty() ? k : stride[0];
  const int64_t p = one(padding, "padding"), d = one(dilation, "dilation");
  check_int32("max_pool1d", "kernel_size", kernel_size);
  check_int32("max_pool1d", "stride", stride);
  check_int32("max_pool1d", "padding", padding);
  check_int32("max_pool1d", "dilation", dilation);
  EMBER_CHECK(k > 0, "max_pool1d() kernel_size must be greater than zero, but got ", k);
  EMBER_CHECK(s > 0, "max_pool1d() stride must be greater than zero, but got ", s);
  EMBER_CHECK(p >= 0, "max_pool1d() padding must be non-negative, but got ", p);
  EMBER_CHECK(p <= k / 2, "max_pool1d() padding should be at most half of kernel size, but got padding=", p,
              " and kernel_size=", k);
  EMBER_CHECK(d > 0, "max_pool1d() dilation must be greater than zero, but got ", d);
  auto [values, indices] = max_pool2d_with_indices(input.unsqueeze(-2), {1, k}, {1, s}, {0, p}, {1, d}, ceil_mode);
  return {values.squeeze(-2), indices.squeeze(-2)};
}

Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  check_int32("max_pool1d", "kernel_size", kernel_size);
  check_int32("max_pool1d", "stride", stride);
  check_int32("max_pool1d", "padding", padding);
  check_int32("max_pool1d", "dilation", dilation);
  const bool valid_shape = (input.dim() == 2 && input.size(0) != 0 && input.size(1) != 0) ||
                           (input.dim() == 3 && input.size(1) != 0 && input.size(2) != 0);
  if (!(GradMode::is_enabled() && input.requires_grad()) && valid_shape && kernel_size.size() == 1 &&
      stride.size() <= 1 && padding.size() == 1 && dilation.size() == 1 && kernel_size[0] > 0 &&
      (stride.empty() || stride[0] > 0) && padding[0] >= 0 && padding[0] <= kernel_size[0] / 2 && dilation[0] > 0) {
    // ATen's path without autograd has its own dtype and output-size rules: float only, and an
    // empty output where the window does not fit.
    const int64_t L = input.size(-1), s = stride.empty() ? kernel_size[0] : stride[0];
    const int64_t OL = out_size(L, kernel_size[0], dilation[0], padding[0], s, ceil_mode);
    EMBER_CHECK(input.is_floating_point(), "\"max_pool1d_impl\" not implemented for '", to_string(input.dtype()), "'");
    EMBER_CHECK(OL >= 0, "max_pool1d() Invalid computed output size: ", OL);
    if (OL == 0) {
      DimVector shape(input.sizes());
      shape.back() = 0;
      return zeros(shape, TensorOptions(input.dtype()));
    }
  }
  return std::get<0>(max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

// ---- avg_pool2d

namespace {

struct AvgParams {
  Window w;
  bool ceil_mode, count_include_pad;
  int64_t divisor;  // 0: none
  int64_t H, W, OH, OW;
};

// ATen's avg_pool2d argument and shape checks, in its order.
AvgParams avg_params(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                     bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  EMBER_CHECK(kernel_size.size() == 1 || kernel_size.size() == 2,
              "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints");
  EMBER_CHECK(stride.empty() || stride.size() == 1 || stride.size() == 2,
              "avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints");
  EMBER_CHECK(padding.size() == 1 || padding.size() == 2,
              "avg_pool2d: padding must either be a single int, or a tuple of two ints");
  EMBER_CHECK(!divisor_override || *divisor_override != 0, "divisor must be not zero");
  const int64_t nd = input.dim();
  EMBER_CHECK((nd == 3 || nd == 4) && input.size(nd - 1) != 0 && input.size(nd - 2) != 0 && input.size(nd - 3) != 0,
              "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:", input.sizes());
  EMBER_CHECK(input.is_floating_point() || input.dtype() == kLong, "\"avg_pool2d\" not implemented for '",
              to_string(input.dtype()), "'");
  check_int32("avg_pool2d", "kernel_size", kernel_size);
  check_int32("avg_pool2d", "stride", stride);
  check_int32("avg_pool2d", "padding", padding);
  AvgParams a;
  a.w.k = {kernel_size[0], kernel_size.size() == 2 ? kernel_size[1] : kernel_size[0]};
  IntArrayRef st = stride.empty() ? kernel_size : stride;
  a.w.s = {st[0], st.size() == 2 ? st[1] : st[0]};
  a.w.p = {padding[0], padding.size() == 2 ? padding[1] : padding[0]};
  a.w.d = {1, 1};
  for (int i = 0; i < 2; ++i) {
    EMBER_CHECK(a.w.s[i] != 0, "stride should not be zero");
    EMBER_CHECK(a.w.p[i] >= 0, "pad must be non-negative, but got pad: ", a.w.p[i]);
    EMBER_CHECK(a.w.p[i] <= a.w.k[i] / 2, "pad should be at most half of kernel size, but got pad=", a.w.p[i],
                " and kernel_size=", a.w.k[i]);
  }
  EMBER_CHECK(a.w.k[0] > 0 && a.w.k[1] > 0, "kernel size should be greater than zero, but got kH: ", a.w.k[0],
              " kW: ", a.w.k[1]);
  EMBER_CHECK(a.w.s[0] > 0 && a.w.s[1] > 0, "stride should be greater than zero, but got dH: ", a.w.s[0], " dW: ",
              a.w.s[1]);
  a.ceil_mode = ceil_mode;
  a.count_include_pad = count_include_pad;
  a.divisor = divisor_override.value_or(0);
  a.H = input.size(nd - 2);
  a.W = input.size(nd - 1);
  a.OH = out_size(a.H, a.w.k[0], 1, a.w.p[0], a.w.s[0], ceil_mode);
  a.OW = out_size(a.W, a.w.k[1], 1, a.w.p[1], a.w.s[1], ceil_mode);
  EMBER_CHECK(a.OH >= 1 && a.OW >= 1, "Given input size: (", input.size(nd - 3), "x", a.H, "x", a.W,
              "). Calculated output size: (", input.size(nd - 3), "x", a.OH, "x", a.OW, "). Output size is too small");
  return a;
}

// x / d; for int64 a divisor of -1 negates with wraparound (INT64_MIN / -1 would trap).
template <typename T>
T divide(T x, T d) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if (d == -1) return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(x));
  }
  return x / d;
}

DimVector with_spatial(IntArrayRef sizes, int64_t h, int64_t w) {
  DimVector out(sizes);
  out[out.size() - 2] = h;
  out[out.size() - 1] = w;
  return out;
}

// The average pool (adjoint = false: image -> pooled) or its adjoint (pooled gradient -> image
// gradient), plane by plane. Windows are clipped to the padded input, then to the input, and
// divided as ATen divides them.
Tensor avg_pool_apply(const Tensor& src_in, IntArrayRef out_shape, const AvgParams& a, bool adjoint) {
  Tensor src = contiguous_raw(src_in);
  Tensor out = zeros(out_shape, TensorOptions(src.dtype()));
  const int64_t planes = a.H * a.W == 0 ? 0 : (adjoint ? out.numel() / (a.H * a.W) : src.numel() / (a.H * a.W));
  // int64 too, as ATen: integer sums divided with truncation.
  auto dispatch = [&](auto&& f) { return src.dtype() == kLong ? f(int64_t{}) : visit_floating(src.dtype(), "avg_pool2d", f); };
  dispatch([&](auto tag) {
    using T = decltype(tag);
    const T* in = src.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    const Window& w = a.w;
    kernels::parallel_for(0, planes, 1, [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        for (int64_t oh = 0; oh < a.OH; ++oh)
          for (int64_t ow = 0; ow < a.OW; ++ow) {
            int64_t h0 = oh * w.s[0] - w.p[0], w0 = ow * w.s[1] - w.p[1];
            int64_t h1 = std::min(h0 + w.k[0], a.H + w.p[0]), w1 = std::min(w0 + w.k[1], a.W + w.p[1]);
            const int64_t pool_size = (h1 - h0) * (w1 - w0);
            h0 = std::max<int64_t>(h0, 0);
            w0 = std::max<int64_t>(w0, 0);
            h1 = std::min(h1, a.H);
            w1 = std::min(w1, a.W);
            if (h0 >= h1 || w0 >= w1) continue;
            const int64_t div = a.divisor ? a.divisor : a.count_include_pad ? pool_size : (h1 - h0) * (w1 - w0);
            const int64_t o = (plane * a.OH + oh) * a.OW + ow;
            if (!adjoint) {
              T sum = 0;
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t x = w0; x < w1; ++x) sum += in[(plane * a.H + h) * a.W + x];
              dst[o] = divide(sum, static_cast<T>(div));
            } else {
              const T g = divide(in[o], static_cast<T>(div));
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t x = w0; x < w1; ++x) dst[(plane * a.H + h) * a.W + x] += g;
            }
          }
      }
    });
  });
  return out;
}

struct AvgPoolArgs {
  DimVector kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
  std::optional<int64_t> divisor_override;
};

struct AvgPool2DBackward0 final : NamedNode<"AvgPool2DBackward0"> {
  SavedVariable self;
  AvgPoolArgs args;
  variable_list apply(variable_list&& g) override {
    return {avg_pool2d_backward(g[0], self.unpack(), args.kernel_size, args.stride, args.padding, args.ceil_mode,
                                args.count_include_pad, args.divisor_override)};
  }
  void release_variables() override { self.reset_data(); }
};

struct AvgPool2DBackwardBackward0 final : NamedNode<"AvgPool2DBackwardBackward0"> {
  AvgPoolArgs args;
  variable_list apply(variable_list&& g) override {
    Tensor gg;
    if (should_compute_output(0))
      gg = avg_pool2d(g[0], args.kernel_size, args.stride, args.padding, args.ceil_mode, args.count_include_pad,
                      args.divisor_override);
    return {gg, Tensor()};
  }
};

AvgPoolArgs avg_args(IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                     bool count_include_pad, std::optional<int64_t> divisor_override) {
  return {DimVector(kernel_size), DimVector(stride), DimVector(padding), ceil_mode, count_include_pad,
          divisor_override};
}

}  // namespace

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  const AvgParams a = avg_params(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
  Tensor out = avg_pool_apply(input, with_spatial(input.sizes(), a.OH, a.OW), a, false);
  if (any_requires_grad(input)) {
    auto n = make_node<AvgPool2DBackward0>(input);
    n->self = save(input);
    n->args = avg_args(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    set_history(out, n);
  }
  return out;
}

Tensor avg_pool2d_backward(const Tensor& grad_output, const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                           IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override) {
  const AvgParams a = avg_params(self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
  const DimVector expected = with_spatial(self.sizes(), a.OH, a.OW);
  EMBER_CHECK(grad_output.sizes() == expected.ref(), "avg_pool2d_backward: expected grad_output of size ", expected,
              ", but got ", grad_output.sizes());
  EMBER_CHECK(grad_output.dtype() == self.dtype(), "avg_pool2d_backward: expected grad_output of dtype ",
              to_string(self.dtype()), ", but got ", to_string(grad_output.dtype()));
  Tensor out = avg_pool_apply(grad_output, self.sizes(), a, true);
  if (any_requires_grad(grad_output)) {
    auto n = make_node<AvgPool2DBackwardBackward0>(grad_output, self);
    n->args = avg_args(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    set_history(out, n);
  }
  return out;
}

// ---- adaptive_avg_pool2d

namespace {

// Output cell o of O over an input of I: [floor(o*I/O), ceil((o+1)*I/O)).
inline int64_t start_index(int64_t o, int64_t O, int64_t I) { return (o * I) / O; }
inline int64_t end_index(int64_t o, int64_t O, int64_t I) { return ((o + 1) * I + O - 1) / O; }

Tensor adaptive_apply(const Tensor& src_in, IntArrayRef out_shape, int64_t H, int64_t W, int64_t OH, int64_t OW,
                      bool adjoint) {
  Tensor src = contiguous_raw(src_in);
  Tensor out = zeros(out_shape, TensorOptions(src.dtype()));
  const int64_t planes = H * W == 0 ? 0 : (adjoint ? out.numel() : src.numel()) / (H * W);
  visit_floating(src.dtype(), "adaptive_avg_pool2d", [&](auto tag) {
    using T = decltype(tag);
    const T* in = src.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    kernels::parallel_for(0, planes, 1, [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane)
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t h0 = start_index(oh, OH, H), h1 = end_index(oh, OH, H);
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t w0 = start_index(ow, OW, W), w1 = end_index(ow, OW, W);
            const int64_t o = (plane * OH + oh) * OW + ow;
            const T count = static_cast<T>((h1 - h0) * (w1 - w0));
            if (!adjoint) {
              T sum = 0;
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t x = w0; x < w1; ++x) sum += in[(plane * H + h) * W + x];
              dst[o] = sum / count;
            } else {
              const T g = in[o] / count;
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t x = w0; x < w1; ++x) dst[(plane * H + h) * W + x] += g;
            }
          }
        }
    });
  });
  return out;
}

void check_adaptive_input(const Tensor& input) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ",
              input.sizes());
  for (int64_t i = 1; i < input.dim(); ++i)
    EMBER_CHECK(input.size(i) > 0,
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has "
                "sizes ", input.sizes(), " with dimension ", i, " being empty");
  EMBER_CHECK(input.is_floating_point(), "\"adaptive_avg_pool2d\" not implemented for '", to_string(input.dtype()),
              "'");
}

struct AdaptiveAvgPool2DBackward0 final : NamedNode<"AdaptiveAvgPool2DBackward0"> {
  SavedVariable self;
  variable_list apply(variable_list&& g) override { return {_adaptive_avg_pool2d_backward(g[0], self.unpack())}; }
  void release_variables() override { self.reset_data(); }
};

struct AdaptiveAvgPool2DBackwardBackward0 final : NamedNode<"AdaptiveAvgPool2DBackwardBackward0"> {
  int64_t OH = 0, OW = 0;
  variable_list apply(variable_list&& g) override {
    Tensor gg;
    if (should_compute_output(0)) gg = adaptive_avg_pool2d(g[0], {OH, OW});
    return {gg, Tensor()};
  }
};

}  // namespace

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 2, "adaptive_avg_pool2d: output_size must be 2");
  EMBER_CHECK(output_size[0] >= 0 && output_size[1] >= 0,
              "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {",
              output_size[0], ", ", output_size[1], "}");
  check_adaptive_input(input);
  // A 1x1 output is a mean over the last two dims, as ATen computes it (grad_fn MeanBackward1).
  if (output_size[0] == 1 && output_size[1] == 1) return input.mean({-1, -2}, true);
  const int64_t H = input.size(-2), W = input.size(-1);
  Tensor out = adaptive_apply(input, with_spatial(input.sizes(), output_size[0], output_size[1]), H, W, output_size[0],
                              output_size[1], false);
  if (any_requires_grad(input)) {
    auto n = make_node<AdaptiveAvgPool2DBackward0>(input);
    n->self = save(input);
    set_history(out, n);
  }
  return out;
}

Tensor _adaptive_avg_pool2d_backward(const Tensor& grad_output, const Tensor& self) {
  check_adaptive_input(self);
  EMBER_CHECK(grad_output.dim() == self.dim(), "adaptive_avg_pool2d_backward: expected grad_output of ", self.dim(),
              " dims, but got ", grad_output.sizes());
  const int64_t OH = grad_output.size(-2), OW = grad_output.size(-1);
  EMBER_CHECK(grad_output.sizes() == with_spatial(self.sizes(), OH, OW).ref(),
              "adaptive_avg_pool2d_backward: grad_output ", grad_output.sizes(), " does not match the input ",
              self.sizes());
  EMBER_CHECK(grad_output.dtype() == self.dtype(), "adaptive_avg_pool2d_backward: expected grad_output of dtype ",
              to_string(self.dtype()), ", but got ", to_string(grad_output.dtype()));
  Tensor out = adaptive_apply(grad_output, self.sizes(), self.size(-2), self.size(-1), OH, OW, true);
  if (any_requires_grad(grad_output)) {
    auto n = make_node<AdaptiveAvgPool2DBackwardBackward0>(grad_output, self);
    n->OH = OH;
    n->OW = OW;
    set_history(out, n);
  }
  return out;
}

}  // namespace ember
