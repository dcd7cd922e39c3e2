// The ops of nn_functions.h, each composed of public differentiable ops (scatter/gather, matmul,
// norms, the conv ops), so their gradients, and second gradients, come from those ops.
#include "ember/ops/nn_functions.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/activation.h"
#include "ember/ops/activation_extra.h"
#include "ember/ops/conv.h"
#include "ember/ops/conv_extra.h"
#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"
#include "ember/ops/linalg.h"
#include "ember/ops/loss.h"
#include "ember/ops/pad.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/shape.h"

#include "ops/elementwise.h"
#include "ops/util.h"
#include "ops/zero_grad.h"

namespace ember {

// ---------------------------------------------------------------- max unpooling

namespace {

// out[..., indices[..., i]] = self[..., i] over the flattened spatial dims (the last `nd`).
Tensor unpool(const Tensor& self, const Tensor& indices, IntArrayRef output_size, size_t nd) {
  const int64_t lead = self.dim() - static_cast<int64_t>(nd);
  int64_t out_numel = 1;
  for (int64_t s : output_size) out_numel *= s;
  std::vector<int64_t> out_shape(self.sizes().begin(), self.sizes().begin() + lead);
  for (int64_t s : output_size) out_shape.push_back(s);
  Tensor src = self.flatten(lead);
  Tensor idx = indices.flatten(lead);
  if (idx.numel() > 0) {
    const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    const int64_t bad = lo < 0 ? lo : hi;
    if (lo < 0 || hi >= out_numel) {
      std::string dims;
      for (size_t j = 0; j < output_size.size(); ++j) dims += (j ? "x" : "") + std::to_string(output_size[j]);
      EMBER_CHECK(false, "Found an invalid max index: ", bad, " (output volumes are of size ", dims, ")");
    }
  }
  std::vector<int64_t> flat_shape(self.sizes().begin(), self.sizes().begin() + lead);
  flat_shape.push_back(out_numel);
  Tensor out = zeros(flat_shape, TensorOptions(self.dtype()));
  return out.scatter(lead, idx, src).view(out_shape);
}

}  // namespace

Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size) {
  EMBER_CHECK(indices.scalar_type() == kLong, "elements in indices should be type int64 but got: ", to_string(indices.dtype()));
  EMBER_CHECK(output_size.size() == 2, "There should be exactly two elements (height, width) in output_size, but got ",
              output_size.size(), " elements.");
  EMBER_CHECK(self.dim() == 3 || self.dim() == 4, "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with ",
              self.dim(), " dimensions.");
  EMBER_CHECK(self.sizes().vec() == indices.sizes().vec(), "Expected shape of indices to be same as that of the input tensor (",
              self.sizes(), ") but got indices tensor with shape: ", indices.sizes());
  for (int64_t i = 1; i < self.dim(); ++i)
    EMBER_CHECK(self.size(i) > 0, "max_unpooling2d(): Expected input to have non-zero size for non-batch dimensions, but got ",
                self.sizes(), " with dimension ", i, " being empty.");
  EMBER_CHECK(output_size[0] >= 0 && output_size[1] >= 0, "max_unpool2d: output_size must be non-negative, got ",
              output_size);
  return unpool(self, indices, output_size, 2);
}

Tensor max_unpool3d(const Tensor& self, const Tensor& indices, IntArrayRef output_size, IntArrayRef stride,
                    IntArrayRef padding) {
  EMBER_CHECK(indices.scalar_type() == kLong, "elements in indices should be type int64");
  EMBER_CHECK(self.dim() == 4 || self.dim() == 5, "Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with ",
              self.dim(), " dimensions.");
  EMBER_CHECK(output_size.size() == 3, "There should be exactly three elements (depth, height, width) in output_size, but got: ",
              output_size.size(), " elements.");
  EMBER_CHECK(stride.size() == 3, "There should be exactly three elements (depth, height, width) in stride, but got: ",
              stride.size(), " elements.");
  EMBER_CHECK(padding.size() == 3, "There should be exactly three elements (depth, height, width) in padding, but got: ",
              padding.size(), " elements.");
  EMBER_CHECK(self.sizes().vec() == indices.sizes().vec(), "Expected shape of indices to be same as that of the input tensor (",
              self.sizes(), ") but got indices tensor with shape: ", indices.sizes());
  for (int64_t i = 1; i < self.dim(); ++i)
    EMBER_CHECK(self.size(i) > 0, "max_unpooling3d(): Expected input to have non-zero size for non-batch dimensions, but got ",
                self.sizes(), " with dimension ", i, " being empty.");
  EMBER_CHECK(stride[0] > 0 && stride[1] > 0 && stride[2] > 0, "strides should be greater than zero, but got stride: ",
              stride);
  EMBER_CHECK(output_size[0] >= 0 && output_size[1] >= 0 && output_size[2] >= 0,
              "max_unpool3d: output_size must be non-negative, got ", output_size);
  return unpool(self, indices, output_size, 3);
}

// ---------------------------------------------------------------- fractional max pooling

namespace {

// The window starts along one dim for a sample u: floor((i + u) alpha) - floor(u alpha), the last
// window flush with the end; computed in the input's precision as ATen does.
template <typename T>
std::vector<int64_t> fractional_starts(T sample, int64_t in, int64_t out, int64_t k) {
  std::vector<int64_t> starts(static_cast<size_t>(out));
  if (out > 1) {
    const T alpha = static_cast<T>(in - k) / static_cast<T>(out - 1);
    for (int64_t i = 0; i < out - 1; ++i)
      starts[static_cast<size_t>(i)] =
          static_cast<int64_t>(static_cast<int>((static_cast<T>(i) + sample) * alpha) - static_cast<int>(sample * alpha));
  }
  if (out > 0) starts.back() = in - k;
  return starts;
}

std::tuple<Tensor, Tensor> fractional_max_pool(const char* op, const Tensor& self, IntArrayRef kernel_size,
                                               IntArrayRef output_size, const Tensor& random_samples, size_t nd) {
  const char* names[] = {"time", "height", "width"};
  const char** dim_name = names + (3 - nd);
  EMBER_CHECK(kernel_size.size() == nd, op, ": kernel_size must either be a single Int or tuple of Ints");
  EMBER_CHECK(output_size.size() == nd, op, ": output_size must either be a single Int or tuple of Ints");
  const int64_t batched_dim = static_cast<int64_t>(nd) + 2;
  EMBER_CHECK(self.dim() == batched_dim - 1 || self.dim() == batched_dim, op, "(): Expected ", batched_dim - 1, "D or ",
              batched_dim, "D tensor, but got: ", self.sizes());
  for (int64_t i = 1; i < self.dim(); ++i)
    EMBER_CHECK(self.size(i) > 0, op, "(): Expected input to have non-zero size for non-batch dimensions, but got",
                self.sizes(), " with dimension ", i, " being empty.");
  EMBER_CHECK(is_floating_type(self.dtype()), "\"", op, "_out_frame\" not implemented for '", to_string(self.dtype()), "'");
  const bool batched = self.dim() == batched_dim;
  Tensor x = batched ? self : self.unsqueeze(0);
  const int64_t n = x.size(0), c = x.size(1);
  std::vector<int64_t> in(nd);
  for (size_t j = 0; j < nd; ++j) {
    in[j] = x.size(2 + static_cast<int64_t>(j));
    EMBER_CHECK(kernel_size[j] > 0 && output_size[j] >= 0, op, ": kernel_size must be positive and output_size non-negative");
    EMBER_CHECK(output_size[j] + kernel_size[j] - 1 <= in[j], op, "(): pool ", dim_name[j], " ", kernel_size[j],
                " too large relative to input ", dim_name[j], " ", in[j]);
  }
  EMBER_CHECK(random_samples.dim() == 3 && random_samples.size(0) >= n && random_samples.size(1) >= c &&
                  random_samples.size(2) == static_cast<int64_t>(nd),
              op, ": expected random samples of shape (", n, ", ", c, ", ", nd, "), got ", random_samples.sizes());
  Tensor samples = random_samples.to(kDouble).contiguous();
  const double* u = samples.data_ptr<double>();
  const int64_t s1 = samples.stride(0), s2 = samples.stride(1);
  int64_t out_points = 1, window = 1, in_points = 1;
  for (size_t j = 0; j < nd; ++j) out_points *= output_size[j], window *= kernel_size[j], in_points *= in[j];
  // table[plane][o][w]: the flattened input position of element w of output o's window.
  std::vector<int64_t> table(static_cast<size_t>(n * c * out_points * window));
  const bool single = self.scalar_type() == kFloat;
  size_t at = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      // ATen's sample order: 2-D gives W sample 0 and H sample 1; 3-D gives T, H, W samples 0, 1, 2.
      std::vector<std::vector<int64_t>> starts(nd);
      for (size_t j = 0; j < nd; ++j) {
        const size_t which = nd == 2 ? nd - 1 - j : j;
        const double sample = u[b * s1 + ch * s2 + static_cast<int64_t>(which)];
        starts[j] = single ? fractional_starts<float>(static_cast<float>(sample), in[j], output_size[j], kernel_size[j])
                           : fractional_starts<double>(sample, in[j], output_size[j], kernel_size[j]);
      }
      std::vector<int64_t> o(nd, 0), w(nd, 0);
      for (int64_t op_i = 0; op_i < out_points; ++op_i) {
        int64_t rem = op_i;
        for (size_t j = nd; j-- > 0;) o[j] = rem % output_size[j], rem /= output_size[j];
        for (int64_t wi = 0; wi < window; ++wi) {
          int64_t r = wi;
          for (size_t j = nd; j-- > 0;) w[j] = r % kernel_size[j], r /= kernel_size[j];
          int64_t flat = 0;
          for (size_t j = 0; j < nd; ++j) flat = flat * in[j] + starts[j][static_cast<size_t>(o[j])] + w[j];
          table[at++] = flat;
        }
      }
    }
  Tensor index_table = tensor(table, TensorOptions(kLong)).view({n, c, out_points, window});
  Tensor gathered = x.reshape({n, c, in_points, 1})
                        .expand({n, c, in_points, window})
                        .gather(2, index_table);
  auto [values, arg] = gathered.max(3);
  Tensor indices = index_table.gather(3, arg.unsqueeze(3)).squeeze(3);
  std::vector<int64_t> shape{n, c};
  for (size_t j = 0; j < nd; ++j) shape.push_back(output_size[j]);
  values = values.view(shape);
  indices = indices.view(shape);
  if (!batched) return {values.squeeze(0), indices.squeeze(0)};
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> fractional_max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef output_size,
                                                 const Tensor& random_samples) {
  return fractional_max_pool("fractional_max_pool2d", self, kernel_size, output_size, random_samples, 2);
}

std::tuple<Tensor, Tensor> fractional_max_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef output_size,
                                                 const Tensor& random_samples) {
  // ATen's 3-D messages name its out= kernel.
  return fractional_max_pool("fractional_max_pool3d_out", self, kernel_size, output_size, random_samples, 3);
}

// ---------------------------------------------------------------- bilinear, pdist

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(input1.dim() == input2.dim(), "bilinear(): input dimensions do not match: got ", input1.dim(), " and ",
              input2.dim());
  EMBER_CHECK(input1.dim() >= 1, "bilinear(): expected inputs with at least one dimension");
  for (int64_t i = 0; i < input1.dim() - 1; ++i)
    EMBER_CHECK(input1.size(i) == input2.size(i), "bilinear(): input batch dimensions do not match at dim ", i,
                ": got ", input1.size(i), " and ", input2.size(i));
  EMBER_CHECK(weight.dim() == 3, "bilinear(): expected a 3-D weight (out, in1, in2), got ", weight.sizes());
  EMBER_CHECK(input1.size(-1) == weight.size(1), "bilinear(): input1 size does not match weight size: got ",
              input1.size(-1), " but expected ", weight.size(1));
  EMBER_CHECK(input2.size(-1) == weight.size(2), "bilinear(): input2 size does not match weight size: got ",
              input2.size(-1), " but expected ", weight.size(2));
  if (bias.defined())
    EMBER_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0),
                "bilinear(): bias size does not match weight size: got ", bias.dim() == 1 ? bias.size(0) : bias.numel(),
                " but expected ", weight.size(0));
  const int64_t out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  std::vector<int64_t> shape(input1.sizes().begin(), input1.sizes().end() - 1);
  shape.push_back(out);
  // (B, in1) @ (in1, out * in2) -> (B, out, in2), then the dot with input2 along in2.
  Tensor a = input1.reshape({-1, in1});
  Tensor t = a.matmul(weight.permute({1, 0, 2}).reshape({in1, out * in2})).view({a.size(0), out, in2});
  Tensor y = t.mul(input2.reshape({-1, 1, in2})).sum({2});
  if (bias.defined()) y = y.add(bias);
  return y.view(shape);
}

Tensor pdist(const Tensor& input, double p) {
  EMBER_CHECK(input.dim() == 2, "pdist only supports 2D tensors, got: ", input.dim(), "D");
  EMBER_CHECK(is_floating_type(input.dtype()), "pdist only supports floating-point dtypes");
  EMBER_CHECK(p >= 0, "pdist only supports non-negative p values");
  const int64_t n = input.size(0);
  std::vector<int64_t> first, second;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) first.push_back(i), second.push_back(j);
  // With fewer than two rows there are no pairs: an empty result, still differentiable (zeros).
  Tensor firsts = tensor(first, TensorOptions(kLong)), seconds = tensor(second, TensorOptions(kLong));
  if (p != 0) return input.index_select(0, firsts).sub(input.index_select(0, seconds)).norm(Scalar(p), {1});
  // The 0-"norm" counts differing coordinates: flat, so zeros flow back (norm's own gives none).
  // ATen counts min(ceil(|d|), 1), so a NaN difference makes the distance NaN, as in cdist.
  Tensor out;
  {
    NoGradGuard no_grad;
    out =
        input.index_select(0, firsts).sub(input.index_select(0, seconds)).abs().ceil().clamp_max(1).sum(IntArrayRef(1));
  }
  return ops::with_zero_grad(out, "PdistBackward0", input);
}

// ---------------------------------------------------------------- affine grids and grid sampling

namespace {

// num points evenly over [-1, 1], pulled in by (num - 1) / num without align_corners; one point is 0.
Tensor linspace_from_neg_one(int64_t num, bool align_corners, ScalarType dtype) {
  if (num <= 1) return zeros({num}, TensorOptions(dtype));
  Tensor r = linspace(-1, 1, num, TensorOptions(dtype));
  if (!align_corners) r = r.mul(static_cast<double>(num - 1) / static_cast<double>(num));
  return r;
}

}  // namespace

Tensor affine_grid_generator(const Tensor& theta, IntArrayRef size, bool align_corners) {
  EMBER_CHECK(size.size() == 4 || size.size() == 5, "AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.");
  EMBER_CHECK(is_floating_type(theta.dtype()), "Expected theta to have floating point type, but got ",
              to_string(theta.dtype()));
  const bool two_d = size.size() == 4;
  const int64_t k = two_d ? 2 : 3;
  EMBER_CHECK(theta.dim() == 3 && theta.size(0) == size[0] && theta.size(1) == k && theta.size(2) == k + 1,
              "affine_grid_generator: expected theta of shape (", size[0], ", ", k, ", ", k + 1, ") for size ", size,
              ", got ", theta.sizes());
  for (int64_t s : size) EMBER_CHECK(s >= 0, "affine_grid_generator: sizes must be non-negative, got ", size);
  const ScalarType dt = theta.scalar_type();
  const TensorOptions o(dt);
  Tensor base;
  int64_t points;
  if (two_d) {
    const int64_t h = size[2], w = size[3];
    Tensor x = linspace_from_neg_one(w, align_corners, dt).view({1, w}).expand({h, w});
    Tensor y = linspace_from_neg_one(h, align_corners, dt).view({h, 1}).expand({h, w});
    base = stack({x, y, ones({h, w}, o)}, -1);
    points = h * w;
  } else {
    const int64_t d = size[2], h = size[3], w = size[4];
    Tensor x = linspace_from_neg_one(w, align_corners, dt).view({1, 1, w}).expand({d, h, w});
    Tensor y = linspace_from_neg_one(h, align_corners, dt).view({1, h, 1}).expand({d, h, w});
    Tensor z = linspace_from_neg_one(d, align_corners, dt).view({d, 1, 1}).expand({d, h, w});
    base = stack({x, y, z, ones({d, h, w}, o)}, -1);
    points = d * h * w;
  }
  Tensor grid = base.reshape({1, points, k + 1}).expand({size[0], points, k + 1}).bmm(theta.transpose(1, 2));
  std::vector<int64_t> shape{size[0]};
  for (size_t j = 2; j < size.size(); ++j) shape.push_back(size[j]);
  shape.push_back(k);
  return grid.view(shape);
}

namespace {

// Normalized [-1, 1] -> pixel coordinates.
Tensor unnormalize(const Tensor& coord, int64_t size, bool align_corners) {
  const double s = static_cast<double>(size);
  if (align_corners) return coord.add(1).mul((s - 1) / 2);
  return coord.add(1).mul(s).sub(1).div(2);
}

// Folds coordinates into [twice_low / 2, twice_high / 2] by mirroring at the ends.
Tensor reflect(const Tensor& in, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return in.mul(0);
  const double lo = static_cast<double>(twice_low) / 2, span = static_cast<double>(twice_high - twice_low) / 2;
  Tensor d = in.sub(lo).abs();
  Tensor extra = d.remainder(span);
  Tensor flips = d.detach().div(span).floor();
  return where(flips.remainder(2).eq(0), extra.add(lo), extra.neg().add(span + lo));
}

// Clips coordinates to [0, size - 1]; as ATen's clip_coordinates_set_grad, a coordinate exactly
// on an edge counts as out of bounds: its gradient is multiplied by 0 (an inf one becomes NaN, as
// ATen's). The value is the clamp's: y * 1 + (y * 0) elsewhere, y * 0 + y on an edge.
Tensor clip(const Tensor& coord, int64_t size) {
  const double hi = static_cast<double>(size - 1);
  Tensor y = coord.clamp(0.0, hi);
  if (!coord.requires_grad()) return y;
  Tensor edge = coord.detach().eq(0.0).logical_or(coord.detach().eq(hi)).to(y.dtype());
  return y.mul(edge.neg().add(1)).add(y.detach().mul(edge));
}

// The padding mode applied to pixel coordinates: border clips, reflection mirrors then clips.
Tensor apply_padding(const Tensor& coord, int64_t size, int64_t padding_mode, bool align_corners) {
  if (padding_mode == 1) return clip(coord, size);
  if (padding_mode == 2) {
    Tensor r = align_corners ? reflect(coord, 0, 2 * (size - 1)) : reflect(coord, -1, 2 * size - 1);
    return clip(r, size);
  }
  return coord;
}

// Samples a (N, C, S) flattening of the input at integer-valued pixel coordinates (one tensor
// per spatial dim, slowest first, each (N, P)); positions outside the input read 0.
struct Sampler {
  Tensor flat;               // (N, C, S)
  std::vector<int64_t> dims;  // spatial sizes, slowest first
  Tensor at(const std::vector<Tensor>& pos) const {
    Tensor inside, linear;
    for (size_t j = 0; j < dims.size(); ++j) {
      // NaN coordinates count as outside (and never reach the integer cast).
      Tensor c = where(pos[j].isnan(), -1.0, pos[j]);
      Tensor ok = c.ge(0).logical_and(c.le(static_cast<double>(dims[j] - 1)));
      inside = inside.defined() ? inside.logical_and(ok) : ok;
      Tensor ci = c.clamp(0.0, static_cast<double>(dims[j] - 1)).to(kLong);
      linear = linear.defined() ? linear.mul(dims[j]).add(ci) : ci;
    }
    const int64_t n = flat.size(0), ch = flat.size(1), p = linear.size(1);
    Tensor v = flat.gather(2, linear.view({n, 1, p}).expand({n, ch, p}));
    // A select, not a product: an inf read at the clamped position must not become NaN.
    return where(inside.view({n, 1, p}), v, 0.0);
  }
};

// Keys' cubic convolution weights (A = -0.75) for |t| <= 1 and 1 < |t| < 2.
Tensor cubic_near(const Tensor& t) {
  constexpr double A = -0.75;
  return t.mul(A + 2).sub(A + 3).mul(t).mul(t).add(1);
}
Tensor cubic_far(const Tensor& t) {
  constexpr double A = -0.75;
  return t.mul(A).sub(5 * A).mul(t).add(8 * A).mul(t).sub(4 * A);
}

void check_grid_sampler(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode) {
  const int64_t d = input.dim() == 5 ? 5 : 4;
  EMBER_CHECK(input.dim() == d && grid.dim() == d, "grid_sampler(): expected ", d,
              "D input and grid with same number of dimensions, but got input with sizes ", input.sizes(),
              " and grid with sizes ", grid.sizes());
  EMBER_CHECK(input.size(0) == grid.size(0),
              "grid_sampler(): expected grid and input to have same batch size, but got input with sizes ",
              input.sizes(), " and grid with sizes ", grid.sizes());
  EMBER_CHECK(grid.size(-1) == input.dim() - 2, "grid_sampler(): expected grid to have size ", input.dim() - 2,
              " in last dimension, but got grid with sizes ", grid.sizes());
  for (int64_t i = 2; i < input.dim(); ++i)
    EMBER_CHECK(input.size(i) > 0,
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes ",
                input.sizes(), " with dimension ", i, " being empty");
  EMBER_CHECK(interpolation_mode >= 0 && interpolation_mode <= 2,
              "grid_sampler(): expected interpolation_mode 0 (bilinear), 1 (nearest) or 2 (bicubic), got ",
              interpolation_mode);
  EMBER_CHECK(padding_mode >= 0 && padding_mode <= 2,
              "grid_sampler(): expected padding_mode 0 (zeros), 1 (border) or 2 (reflection), got ", padding_mode);
  EMBER_CHECK(is_floating_type(input.dtype()), "\"grid_sampler\" not implemented for '", to_string(input.dtype()), "'");
  EMBER_CHECK(input.scalar_type() == grid.scalar_type(), "expected scalar type ", to_string(input.dtype()),
              " but found ", to_string(grid.dtype()));
}

Tensor grid_sample_impl(const Tensor& input, const Tensor& grid, int64_t mode, int64_t padding_mode,
                        bool align_corners) {
  const size_t nd = static_cast<size_t>(input.dim() - 2);
  const int64_t n = input.size(0), ch = input.size(1);
  // Sizes spelled out rather than -1, so empty batches and grids reshape too.
  int64_t in_points = 1, out_points = 1;
  std::vector<int64_t> dims, out_shape{n, ch};
  for (size_t j = 0; j < nd; ++j) {
    dims.push_back(input.size(2 + static_cast<int64_t>(j)));
    in_points *= dims.back();
    out_shape.push_back(grid.size(1 + static_cast<int64_t>(j)));
    out_points *= out_shape.back();
  }
  Sampler s{input.reshape({n, ch, in_points}), dims};
  Tensor g = grid.reshape({n, out_points, static_cast<int64_t>(nd)});
  // Pixel coordinates per spatial dim, slowest first (the grid holds x, the fastest, first).
  std::vector<Tensor> coord(nd);
  for (size_t j = 0; j < nd; ++j) {
    const int64_t size = s.dims[j];
    coord[j] = unnormalize(g.select(2, static_cast<int64_t>(nd - 1 - j)), size, align_corners);
  }
  const int64_t p = g.size(1);
  Tensor out;
  if (mode == 2) {  // bicubic: 4 x 4 taps, each tap padded on its own
    std::vector<Tensor> base(nd), w[2];
    for (size_t j = 0; j < nd; ++j) {
      base[j] = coord[j].detach().floor();
      Tensor t = coord[j].sub(base[j]);
      w[j] = {cubic_far(t.add(1)), cubic_near(t), cubic_near(t.neg().add(1)), cubic_far(t.neg().add(2))};
    }
    std::vector<Tensor> tap_y, tap_x;
    for (int64_t i = 0; i < 4; ++i) {
      tap_y.push_back(apply_padding(base[0].add(static_cast<double>(i - 1)), s.dims[0], padding_mode, align_corners));
      tap_x.push_back(apply_padding(base[1].add(static_cast<double>(i - 1)), s.dims[1], padding_mode, align_corners));
    }
    for (size_t i = 0; i < 4; ++i)
      for (size_t k = 0; k < 4; ++k) {
        Tensor term = s.at({tap_y[i], tap_x[k]}).mul(w[0][i].mul(w[1][k]).view({n, 1, p}));
        out = out.defined() ? out.add(term) : term;
      }
    return out.view(out_shape);
  }
  for (size_t j = 0; j < nd; ++j) coord[j] = apply_padding(coord[j], s.dims[j], padding_mode, align_corners);
  if (mode == 1) {
    // Nearest: ATen's 2-D kernel rounds ties to even (std::nearbyint), its 3-D kernel half away
    // from zero (std::round).
    std::vector<Tensor> pos;
    for (size_t j = 0; j < nd; ++j) {
      Tensor c = coord[j].detach();
      if (nd == 3) {
        Tensor t = c.trunc();
        pos.push_back(where(c.sub(t).abs().ge(0.5), t.add(c.sign()), t));
      } else {
        pos.push_back(c.round());
      }
    }
    Tensor picked = s.at(pos);
    if (GradMode::is_enabled() && grid.requires_grad()) {
      // PyTorch gives the grid a zero gradient here, not none: add a zero that depends on it
      // (clamped first, so inf and NaN coordinates still add exactly 0).
      Tensor zero = where(g.isnan(), 0.0, g.clamp(-1.0, 1.0)).mul(0).sum({2}).view({n, 1, p});
      picked = picked.add(zero);
    }
    return picked.view(out_shape);
  }
  // (bi/tri)linear: the 2^nd corners around each point, weighted by the opposite box volumes.
  std::vector<Tensor> lo(nd), frac(nd);
  for (size_t j = 0; j < nd; ++j) {
    lo[j] = coord[j].detach().floor();
    frac[j] = coord[j].sub(lo[j]);
  }
  for (size_t corner = 0; corner < (size_t{1} << nd); ++corner) {
    std::vector<Tensor> pos;
    Tensor weight;
    for (size_t j = 0; j < nd; ++j) {
      const bool high = (corner >> (nd - 1 - j)) & 1;
      pos.push_back(high ? lo[j].add(1) : lo[j]);
      Tensor wj = high ? frac[j] : frac[j].neg().add(1);
      weight = weight.defined() ? weight.mul(wj) : wj;
    }
    Tensor term = s.at(pos).mul(weight.view({n, 1, p}));
    out = out.defined() ? out.add(term) : term;
  }
  return out.view(out_shape);
}

}  // namespace

Tensor grid_sampler_2d(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                       bool align_corners) {
  check_grid_sampler(input, grid, interpolation_mode, padding_mode);
  EMBER_CHECK(input.dim() == 4, "grid_sampler(): expected 4D input and grid with same number of dimensions, but got input with sizes ",
              input.sizes(), " and grid with sizes ", grid.sizes());
  return grid_sample_impl(input, grid, interpolation_mode, padding_mode, align_corners);
}

Tensor grid_sampler_3d(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                       bool align_corners) {
  check_grid_sampler(input, grid, interpolation_mode, padding_mode);
  EMBER_CHECK(input.dim() == 5, "grid_sampler(): expected 5D input and grid with same number of dimensions, but got input with sizes ",
              input.sizes(), " and grid with sizes ", grid.sizes());
  EMBER_CHECK(interpolation_mode != 2, "grid_sampler(): bicubic interpolation only supports 4D input");
  return grid_sample_impl(input, grid, interpolation_mode, padding_mode, align_corners);
}

Tensor grid_sampler(const Tensor& input, const Tensor& grid, int64_t interpolation_mode, int64_t padding_mode,
                    bool align_corners) {
  if (input.dim() == 5) return grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners);
  return grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners);
}

// ---------------------------------------------------------------- channel shuffle, convolutions

Tensor channel_shuffle(const Tensor& self, int64_t groups) {
  EMBER_CHECK(self.dim() > 2, "channel_shuffle expects input with > 2 dims, but got input with sizes ", self.sizes());
  EMBER_CHECK(groups > 0, "Number of groups to divide channels in must be positive.", " Value of groups:", groups);
  const int64_t c = self.size(1);
  EMBER_CHECK(c % groups == 0, "Number of channels must be divisible by groups. Got ", c, " channels and ", groups,
              " groups.");
  std::vector<int64_t> split{self.size(0), groups, c / groups};
  for (int64_t i = 2; i < self.dim(); ++i) split.push_back(self.size(i));
  return self.reshape(split).transpose(1, 2).reshape(self.sizes());
}

Tensor conv_tbc(const Tensor& self, const Tensor& weight, const Tensor& bias, int64_t pad) {
  EMBER_CHECK(self.dim() == 3, "Input must have 3 dims: time, batch, in_channel");
  EMBER_CHECK(weight.dim() == 3, "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.");
  EMBER_CHECK(bias.defined() && bias.dim() == 1, "Bias must be 1-D");
  EMBER_CHECK(self.size(2) == weight.size(1), "Input dim 2 (input channels) is not == dim 1 in the weight tensor");
  EMBER_CHECK(weight.size(2) == bias.size(0), "Bias size must equal dim 2 in the weight tensor (output channels).");
  // (T, B, Cin) -> (B, Cin, T); the weight (K, Cin, Cout) -> (Cout, Cin, K).
  Tensor out = conv1d(self.permute({1, 2, 0}), weight.permute({2, 1, 0}), bias, 1, pad);
  return out.permute({2, 0, 1});
}

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed, IntArrayRef output_padding,
                   int64_t groups) {
  const int64_t k = weight.dim();
  EMBER_CHECK(k >= 3 && k <= 5, "convolution: expected a weight with 1 to 3 spatial dims, got ", weight.sizes());
  EMBER_CHECK(input.dim() == k, "Expected ", k, "-dimensional input for ", k, "-dimensional weight ", weight.sizes(),
              ", but got ", input.dim(), "-dimensional input of size ", input.sizes(), " instead");
  if (!transposed) {
    if (k == 3) return conv1d(input, weight, bias, stride, padding, dilation, groups);
    if (k == 4) return conv2d(input, weight, bias, stride, padding, dilation, groups);
    return conv3d(input, weight, bias, stride, padding, dilation, groups);
  }
  if (k == 3) return conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation);
  if (k == 4) return conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation);
  return conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation);
}

// ---------------------------------------------------------------- losses, norms, sequences

Tensor nll_loss2d(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction,
                  int64_t ignore_index) {
  EMBER_CHECK(target.dim() == 3, "only batches of spatial targets supported (3D tensors) but got targets of dimension: ",
              target.dim());
  EMBER_CHECK(self.dim() == 4, "only batches of spatial inputs supported (4D tensors), but got input of dimension: ",
              self.dim());
  return nll_loss(self, target, weight, reduction, ignore_index);
}

Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction,
                   int64_t ignore_index) {
  EMBER_CHECK(self.dim() >= 1, "Expected 1 or more dimensions (got ", self.dim(), ")");
  if (self.dim() != 1 && target.dim() >= 1)
    EMBER_CHECK(self.size(0) == target.size(0), "Expected input batch_size (", self.size(0),
                ") to match target batch_size (", target.size(0), ").");
  return nll_loss(self, target, weight, reduction, ignore_index);
}

Tensor norm_except_dim(const Tensor& v, int64_t pow, int64_t dim) {
  if (dim == -1) return v.norm(Scalar(pow));
  EMBER_CHECK(dim >= 0 && dim < v.dim(), "norm_except_dim: dim ", dim, " out of range for a tensor of ", v.dim(),
              " dimensions");
  if (dim == 0) {
    std::vector<int64_t> shape(static_cast<size_t>(v.dim()), 1);
    shape[0] = v.size(0);
    return v.reshape({v.size(0), -1}).norm(Scalar(pow), {1}).view(shape);
  }
  if (dim == v.dim() - 1) {
    std::vector<int64_t> shape(static_cast<size_t>(v.dim()), 1);
    shape.back() = v.size(-1);
    return v.reshape({-1, v.size(-1)}).norm(Scalar(pow), {0}).view(shape);
  }
  return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim);
}

Tensor pad_sequence(TensorList sequences, bool batch_first, double padding_value) {
  EMBER_CHECK(!sequences.empty(), "received an empty list of sequences");
  const Tensor& first = sequences[0];
  EMBER_CHECK(first.dim() >= 1, "pad_sequence: expected sequences with at least one dimension");
  int64_t max_len = 0;
  for (const Tensor& s : sequences) {
    EMBER_CHECK(s.dim() == first.dim() && std::equal(s.sizes().begin() + 1, s.sizes().end(), first.sizes().begin() + 1),
                "pad_sequence: every sequence must have the trailing sizes of the first, got ", first.sizes(), " and ",
                s.sizes());
    max_len = std::max(max_len, s.size(0));
  }
  std::vector<Tensor> padded;
  for (const Tensor& s : sequences) {
    std::vector<int64_t> pad(static_cast<size_t>(2 * s.dim()), 0);
    pad.back() = max_len - s.size(0);
    padded.push_back(constant_pad_nd(s.to(first.dtype()), pad, padding_value));
  }
  return stack(padded, batch_first ? 0 : 1);
}

// ---------------------------------------------------------------- in-place dropout and rrelu

namespace {

// Writes op(self) into self. While recording, op reads a copy of self, so its backward never
// needs the overwritten values.
template <typename Op>
Tensor& write_back(Tensor& self, Op op) {
  const bool recording = GradMode::is_enabled() && self.requires_grad();
  Tensor r = op(recording ? self.clone() : self);
  if (r.is_same(self)) return self;
  EMBER_CHECK(can_cast(r.scalar_type(), self.scalar_type()), "result type ", to_string(r.dtype()),
              " can't be cast to the desired output type ", to_string(self.dtype()));
  self.copy_(r);
  return self;
}

}  // namespace

Tensor& dropout_(Tensor& self, double p, bool train) {
  return write_back(self, [&](const Tensor& x) { return dropout(x, p, train); });
}
Tensor& alpha_dropout_(Tensor& self, double p, bool train) {
  return write_back(self, [&](const Tensor& x) { return alpha_dropout(x, p, train); });
}
Tensor& feature_alpha_dropout_(Tensor& self, double p, bool train) {
  return write_back(self, [&](const Tensor& x) { return feature_alpha_dropout(x, p, train); });
}
Tensor& rrelu_(Tensor& self, const Scalar& lower, const Scalar& upper, bool training) {
  return write_back(self, [&](const Tensor& x) { return rrelu(x, lower, upper, training); });
}

Tensor rrelu_with_noise(const Tensor& self, const Tensor& noise, const Scalar& lower, const Scalar& upper,
                        bool training) {
  const double lo = lower.toDouble(), hi = upper.toDouble();
  EMBER_CHECK(is_floating_type(self.dtype()), "\"rrelu_with_noise_out_cpu\" not implemented for '",
              to_string(self.dtype()), "'");
  // As ATen, lower > upper is accepted (the slopes then lie in [upper, lower]).
  if (!training) return leaky_relu(self, (lo + hi) / 2);
  EMBER_CHECK(noise.numel() == self.numel(), "rrelu_with_noise: noise must have as many elements as self (",
              self.numel(), "), got ", noise.sizes());
  EMBER_CHECK(noise.dtype() == self.dtype(), "rrelu_with_noise: noise must have the dtype of self (",
              to_string(self.dtype()), "), got ", to_string(noise.dtype()));
  Tensor slope;
  {
    AutoGradMode no_grad(false);
    slope = where(self.le(0), rand_like(self).mul_(hi - lo).add_(lo), 1.0);
    noise.copy_(slope.view(noise.sizes()));
  }
  return self.mul(slope);
}

Tensor& rrelu_with_noise_(Tensor& self, const Tensor& noise, const Scalar& lower, const Scalar& upper, bool training) {
  return write_back(self, [&](const Tensor& x) { return rrelu_with_noise(x, noise, lower, upper, training); });
}

// ---------------------------------------------------------------- Tensor methods

Tensor Tensor::prelu(const Tensor& weight) const { return ember::prelu(*this, weight); }
Tensor Tensor::hardshrink(const Scalar& lambd) const { return ember::hardshrink(*this, lambd); }

}  // namespace ember
