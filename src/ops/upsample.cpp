// Upsampling and pixel (un)shuffle, composed of public ops: each spatial dim is resampled by
// index_select of the source rows and a weighted sum, with PyTorch's source-index arithmetic
// (float scales for nearest, the tensor's own precision for the interpolating modes).
#include "ember/ops/upsample.h"

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "ember/ops/indexing.h"
#include "ember/ops/pointwise.h"

#include "ops/util.h"

namespace ember {

namespace {

enum class Mode { Nearest, NearestExact, Linear, Cubic };

// The source-index step: (in - 1) / (out - 1) with align_corners, else 1 / scale when a scale
// was given, else in / out.
template <typename T>
T area_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  if (scale && *scale > 0) return static_cast<T>(1.0 / *scale);
  return static_cast<T>(in) / static_cast<T>(out);
}

template <typename T>
T source_index(T scale, int64_t dst, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<T>(dst);
  T src = scale * (static_cast<T>(dst) + T(0.5)) - T(0.5);
  return (!cubic && src < 0) ? T(0) : src;
}

double cubic1(double x, double a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
double cubic2(double x, double a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

// Source indices and weights of each output position along one dim: taps[k][i] reads
// source index idx[k][i] with weight w[k][i].
struct Taps {
  std::vector<std::vector<int64_t>> idx;
  std::vector<std::vector<double>> w;
};

template <typename T>
Taps make_taps(Mode mode, int64_t in, int64_t out, bool align_corners, std::optional<double> scale, bool identity) {
  Taps t;
  if (mode == Mode::Nearest || mode == Mode::NearestExact) {
    t.idx.assign(1, std::vector<int64_t>(static_cast<size_t>(out)));
    const float s = area_scale<float>(in, out, false, scale);
    const float offset = mode == Mode::NearestExact ? 0.5f : 0.0f;
    for (int64_t i = 0; i < out; ++i) {
      int64_t src;
      if (out == in) src = i;
      else if (mode == Mode::Nearest && out == 2 * in) src = i >> 1;
      else src = std::min(static_cast<int64_t>(std::floor((static_cast<float>(i) + offset) * s)), in - 1);
      t.idx[0][static_cast<size_t>(i)] = src;
    }
    return t;
  }
  const int k = mode == Mode::Linear ? 2 : 4;
  t.idx.assign(static_cast<size_t>(k), std::vector<int64_t>(static_cast<size_t>(out)));
  t.w.assign(static_cast<size_t>(k), std::vector<double>(static_cast<size_t>(out)));
  const T s = area_scale<T>(in, out, align_corners, scale);
  for (int64_t i = 0; i < out; ++i) {
    const size_t u = static_cast<size_t>(i);
    if (identity) {
      for (int j = 0; j < k; ++j) t.idx[static_cast<size_t>(j)][u] = i, t.w[static_cast<size_t>(j)][u] = j == 1 ? 1 : 0;
      if (k == 2) t.w[0][u] = 1, t.w[1][u] = 0;
      continue;
    }
    if (mode == Mode::Linear) {
      // The source index in double from the T step, its fraction rounded to T once, which is what
      // LibTorch 1.13's float weights are (checked against all its 1..8 -> 1..24 weights): a float
      // index would round 1/3 * 1.5 - 0.5 to 0 where LibTorch's weight is 1.5e-8.
      const double real = source_index<double>(static_cast<double>(s), i, align_corners, false);
      const int64_t i0 = static_cast<int64_t>(real);
      const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
      const T l1 = static_cast<T>(std::min(std::max(real - static_cast<double>(i0), 0.0), 1.0));
      const T l0 = T(1) - l1;
      t.idx[0][u] = i0, t.idx[1][u] = i1;
      t.w[0][u] = static_cast<double>(l0), t.w[1][u] = static_cast<double>(l1);
    } else {
      const T real = source_index<T>(s, i, align_corners, true);
      const int64_t base = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
      const T x = std::min(std::max(real - static_cast<T>(base), T(0)), T(1));
      constexpr double a = -0.75;
      const double xd = static_cast<double>(x);
      const std::array<T, 4> c = {static_cast<T>(cubic2(xd + 1, a)), static_cast<T>(cubic1(xd, a)),
                                  static_cast<T>(cubic1(1 - xd, a)), static_cast<T>(cubic2(2 - xd, a))};
      for (int j = 0; j < 4; ++j) {
        const int64_t src = std::min(std::max(base - 1 + j, int64_t{0}), in - 1);
        t.idx[static_cast<size_t>(j)][u] = src;
        t.w[static_cast<size_t>(j)][u] = static_cast<double>(c[static_cast<size_t>(j)]);
      }
    }
  }
  return t;
}

// x resampled along `dim` (a spatial dim) to `out` positions.
Tensor resample_dim(const Tensor& x, int64_t dim, const Taps& taps) {
  const int64_t out = static_cast<int64_t>(taps.idx[0].size());
  auto index = [&](size_t k) { return tensor(taps.idx[k], TensorOptions(kLong)); };
  if (taps.w.empty()) return x.index_select(dim, index(0));
  DimVector wshape(static_cast<size_t>(x.dim()), 1);
  wshape[static_cast<size_t>(dim)] = out;
  Tensor r;
  for (size_t k = 0; k < taps.idx.size(); ++k) {
    Tensor w = tensor(taps.w[k], TensorOptions(kDouble)).to(x.dtype()).reshape(wshape);
    Tensor term = x.index_select(dim, index(k)).mul(w);
    r = r.defined() ? r.add(term) : term;
  }
  return r;
}

std::string sizes_text(IntArrayRef s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r;
}

Tensor upsample(const char* op, Mode mode, const Tensor& input, IntArrayRef output_size, bool align_corners,
                std::vector<std::optional<double>> scales) {
  const size_t nd = scales.size();
  EMBER_CHECK(output_size.size() == nd, "It is expected output_size equals to ", nd, ", but got size ",
              output_size.size());
  EMBER_CHECK(input.dim() == static_cast<int64_t>(nd) + 2, "It is expected input_size equals to ", nd + 2,
              ", but got size ", input.dim());
  bool positive = true;
  for (size_t i = 0; i < nd; ++i)
    positive = positive && input.size(static_cast<int64_t>(i) + 2) > 0 && output_size[i] > 0;
  EMBER_CHECK(positive, "Input and output sizes should be greater than 0, but got input (",
              sizes_text(input.sizes().slice(2)), ") output (", sizes_text(output_size), ")");
  int64_t inner = 1;
  for (int64_t i = 1; i < input.dim(); ++i) inner *= input.size(i);
  EMBER_CHECK(input.numel() != 0 || inner != 0, "Non-empty ", nd + 2,
              "D data tensor expected but got a tensor with sizes ", input.sizes());
  if (mode == Mode::Linear || mode == Mode::Cubic)
    EMBER_CHECK(is_floating_type(input.dtype()), "\"", op, "\" not implemented for '", to_string(input.dtype()), "'");
  else  // ATen's nearest kernels take floating types and uint8 only
    EMBER_CHECK(is_floating_type(input.dtype()) || input.dtype() == kByte,
                "\"compute_indices_weights_nearest\" not implemented for '", to_string(input.dtype()), "'");
  bool all_same = true;
  for (size_t i = 0; i < nd; ++i) all_same = all_same && input.size(static_cast<int64_t>(i) + 2) == output_size[i];
  Tensor x = input;
  // Last spatial dim first, as PyTorch's kernels interpolate along the width innermost.
  for (size_t j = nd; j-- > 0;) {
    const int64_t dim = static_cast<int64_t>(j) + 2, in = input.size(dim), out = output_size[j];
    const bool identity = mode == Mode::Linear ? in == out : (mode == Mode::Cubic && all_same);
    Taps taps = input.dtype() == kDouble
                    ? make_taps<double>(mode, in, out, align_corners, scales[j], identity)
                    : make_taps<float>(mode, in, out, align_corners, scales[j], identity);
    x = resample_dim(x, dim, taps);
  }
  return x;
}

}  // namespace

Tensor upsample_nearest1d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales) {
  return upsample("upsample_nearest1d", Mode::Nearest, input, output_size, false, {scales});
}
Tensor upsample_nearest2d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_h,
                          std::optional<double> scales_w) {
  return upsample("upsample_nearest2d", Mode::Nearest, input, output_size, false, {scales_h, scales_w});
}
Tensor upsample_nearest3d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_d,
                          std::optional<double> scales_h, std::optional<double> scales_w) {
  return upsample("upsample_nearest3d", Mode::Nearest, input, output_size, false, {scales_d, scales_h, scales_w});
}
Tensor _upsample_nearest_exact1d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales) {
  return upsample("_upsample_nearest_exact1d", Mode::NearestExact, input, output_size, false, {scales});
}
Tensor _upsample_nearest_exact2d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_h,
                                 std::optional<double> scales_w) {
  return upsample("_upsample_nearest_exact2d", Mode::NearestExact, input, output_size, false, {scales_h, scales_w});
}
Tensor _upsample_nearest_exact3d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_d,
                                 std::optional<double> scales_h, std::optional<double> scales_w) {
  return upsample("_upsample_nearest_exact3d", Mode::NearestExact, input, output_size, false,
                  {scales_d, scales_h, scales_w});
}
Tensor upsample_linear1d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                         std::optional<double> scales) {
  return upsample("upsample_linear1d", Mode::Linear, input, output_size, align_corners, {scales});
}
Tensor upsample_bilinear2d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                           std::optional<double> scales_h, std::optional<double> scales_w) {
  return upsample("upsample_bilinear2d", Mode::Linear, input, output_size, align_corners, {scales_h, scales_w});
}
Tensor upsample_trilinear3d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                            std::optional<double> scales_d, std::optional<double> scales_h,
                            std::optional<double> scales_w) {
  return upsample("upsample_trilinear3d", Mode::Linear, input, output_size, align_corners,
                  {scales_d, scales_h, scales_w});
}
Tensor upsample_bicubic2d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                          std::optional<double> scales_h, std::optional<double> scales_w) {
  return upsample("upsample_bicubic2d", Mode::Cubic, input, output_size, align_corners, {scales_h, scales_w});
}

Tensor pixel_shuffle(const Tensor& input, int64_t r) {
  EMBER_CHECK(input.dim() >= 3, "pixel_shuffle expects input to have at least 3 dimensions, but got input with ",
              input.dim(), " dimension(s)");
  EMBER_CHECK(r > 0, "pixel_shuffle expects a positive upscale_factor, but got ", r);
  const int64_t c = input.size(-3), h = input.size(-2), w = input.size(-1);
  EMBER_CHECK(c % (r * r) == 0,
              "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
              "but input.size(-3)=",
              c, " is not divisible by ", r * r);
  const int64_t lead = input.dim() - 3;
  DimVector split(input.sizes().slice(0, static_cast<size_t>(lead)));
  DimVector merged = split;
  for (int64_t v : {c / (r * r), r, r, h, w}) split.push_back(v);
  for (int64_t v : {c / (r * r), h * r, w * r}) merged.push_back(v);
  DimVector perm;
  for (int64_t i = 0; i < lead; ++i) perm.push_back(i);
  for (int64_t v : {0, 3, 1, 4, 2}) perm.push_back(lead + v);
  return input.reshape(split).permute(perm).reshape(merged);
}

Tensor pixel_unshuffle(const Tensor& input, int64_t r) {
  EMBER_CHECK(input.dim() >= 3, "pixel_unshuffle expects input to have at least 3 dimensions, but got input with ",
              input.dim(), " dimension(s)");
  EMBER_CHECK(r > 0, "pixel_unshuffle expects a positive downscale_factor, but got ", r);
  const int64_t c = input.size(-3), h = input.size(-2), w = input.size(-1);
  EMBER_CHECK(h % r == 0, "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=", h,
              " is not divisible by ", r);
  EMBER_CHECK(w % r == 0, "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=", w,
              " is not divisible by ", r);
  const int64_t lead = input.dim() - 3;
  DimVector split(input.sizes().slice(0, static_cast<size_t>(lead)));
  DimVector merged = split;
  for (int64_t v : {c, h / r, r, w / r, r}) split.push_back(v);
  for (int64_t v : {c * r * r, h / r, w / r}) merged.push_back(v);
  DimVector perm;
  for (int64_t i = 0; i < lead; ++i) perm.push_back(i);
  for (int64_t v : {0, 2, 4, 1, 3}) perm.push_back(lead + v);
  return input.reshape(split).permute(perm).reshape(merged);
}

}  // namespace ember
