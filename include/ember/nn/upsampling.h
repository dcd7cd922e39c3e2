// Upsample and functional::interpolate with LibTorch's UpsampleOptions / InterpolateFuncOptions:
// nearest, nearest-exact, (bi/tri)linear, bicubic and area modes.
#pragma once
#include <cmath>
#include <optional>
#include <ostream>
#include <variant>
#include <vector>

#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "ember/nn/pooling_extra.h"
#include "ember/ops/upsample.h"

namespace ember {

// LibTorch's interpolation-mode tags: torch::kNearest, kLinear, kBilinear, kBicubic, kTrilinear,
// kArea, kNearestExact. torch::kLinear is also init's nonlinearity (nn/init.h), so the linear
// mode is made from that constant.
namespace enumtype {
struct kNearest {};
struct kLinear {
  kLinear() = default;
  kLinear(nn::init::Nonlinearity n) {
    EMBER_CHECK(n == nn::init::Nonlinearity::Linear, "interpolate: a nonlinearity other than kLinear is not a mode");
  }
};
struct kBilinear {};
struct kBicubic {};
struct kTrilinear {};
struct kArea {};
struct kNearestExact {};
}  // namespace enumtype
constexpr enumtype::kNearest kNearest{};
constexpr enumtype::kBilinear kBilinear{};
constexpr enumtype::kBicubic kBicubic{};
constexpr enumtype::kTrilinear kTrilinear{};
constexpr enumtype::kArea kArea{};
constexpr enumtype::kNearestExact kNearestExact{};

namespace nn {

struct UpsampleOptions {
  using mode_t = std::variant<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear, enumtype::kBicubic,
                              enumtype::kTrilinear>;
  UpsampleOptions& size(std::optional<std::vector<int64_t>> v) { return size_ = std::move(v), *this; }
  UpsampleOptions& scale_factor(std::optional<std::vector<double>> v) { return scale_factor_ = std::move(v), *this; }
  UpsampleOptions& mode(mode_t v) { return mode_ = v, *this; }
  UpsampleOptions& align_corners(std::optional<bool> v) { return align_corners_ = v, *this; }
  const std::optional<std::vector<int64_t>>& size() const { return size_; }
  const std::optional<std::vector<double>>& scale_factor() const { return scale_factor_; }
  const mode_t& mode() const { return mode_; }
  const std::optional<bool>& align_corners() const { return align_corners_; }

 private:
  std::optional<std::vector<int64_t>> size_;
  std::optional<std::vector<double>> scale_factor_;
  mode_t mode_ = enumtype::kNearest{};
  std::optional<bool> align_corners_;
};

namespace functional {

struct InterpolateFuncOptions {
  using mode_t = std::variant<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear, enumtype::kBicubic,
                              enumtype::kTrilinear, enumtype::kArea, enumtype::kNearestExact>;
  InterpolateFuncOptions& size(std::optional<std::vector<int64_t>> v) { return size_ = std::move(v), *this; }
  InterpolateFuncOptions& scale_factor(std::optional<std::vector<double>> v) {
    return scale_factor_ = std::move(v), *this;
  }
  InterpolateFuncOptions& mode(mode_t v) { return mode_ = v, *this; }
  InterpolateFuncOptions& align_corners(std::optional<bool> v) { return align_corners_ = v, *this; }
  InterpolateFuncOptions& recompute_scale_factor(std::optional<bool> v) { return recompute_scale_factor_ = v, *this; }
  InterpolateFuncOptions& antialias(bool v) { return antialias_ = v, *this; }
  const std::optional<std::vector<int64_t>>& size() const { return size_; }
  const std::optional<std::vector<double>>& scale_factor() const { return scale_factor_; }
  const mode_t& mode() const { return mode_; }
  const std::optional<bool>& align_corners() const { return align_corners_; }
  const std::optional<bool>& recompute_scale_factor() const { return recompute_scale_factor_; }
  bool antialias() const { return antialias_; }

 private:
  std::optional<std::vector<int64_t>> size_;
  std::optional<std::vector<double>> scale_factor_;
  mode_t mode_ = enumtype::kNearest{};
  std::optional<bool> align_corners_;
  std::optional<bool> recompute_scale_factor_;
  bool antialias_ = false;
};

namespace detail {
inline const char* mode_name(const InterpolateFuncOptions::mode_t& m) {
  static const char* const names[] = {"kNearest", "kLinear", "kBilinear", "kBicubic", "kTrilinear", "kArea",
                                      "kNearestExact"};
  return names[m.index()];
}

// The output size: `size` as given, or floor(input size * scale_factor) per spatial dim.
inline std::vector<int64_t> interp_output_size(const Tensor& input, int64_t dims,
                                               const std::optional<std::vector<int64_t>>& size,
                                               const std::optional<std::vector<double>>& scale_factor) {
  EMBER_CHECK(size || scale_factor, "either size or scale_factor should be defined");
  EMBER_CHECK(!(size && scale_factor), "only one of size or scale_factor should be defined");
  if (scale_factor)
    EMBER_CHECK(static_cast<int64_t>(scale_factor->size()) == dims,
                "scale_factor shape must match input shape. Input is ", dims, "D, scale_factor size is ",
                ArrayRef<double>(*scale_factor));
  if (size) return *size;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < dims; ++i)
    out.push_back(static_cast<int64_t>(std::floor(static_cast<double>(input.size(i + 2)) * (*scale_factor)[static_cast<size_t>(i)])));
  return out;
}

inline Tensor interpolate(const Tensor& input, const std::optional<std::vector<int64_t>>& size,
                          const std::optional<std::vector<double>>& scale_factor,
                          const InterpolateFuncOptions::mode_t& mode, std::optional<bool> align_corners,
                          std::optional<bool> recompute_scale_factor, bool antialias) {
  const size_t m = mode.index();  // kNearest, kLinear, kBilinear, kBicubic, kTrilinear, kArea, kNearestExact
  const bool nearest_like = m == 0 || m == 5 || m == 6;
  if (nearest_like) {
    EMBER_CHECK(!align_corners,
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                "trilinear");
  } else if (!align_corners) {
    align_corners = false;
  }
  const int64_t dims = input.dim() - 2;
  std::vector<std::optional<double>> scales(static_cast<size_t>(std::max<int64_t>(dims, 0)));
  if (scale_factor && !recompute_scale_factor.value_or(false))
    for (size_t i = 0; i < scales.size() && i < scale_factor->size(); ++i) scales[i] = (*scale_factor)[i];
  EMBER_CHECK(!antialias || (input.dim() == 4 && (m == 2 || m == 3)),
              "Anti-alias option is only supported for bilinear and bicubic modes");
  EMBER_CHECK(!antialias, "interpolate: antialias=true is not supported by ember");
  const bool ac = align_corners.value_or(false);
  const int64_t d = input.dim();
  auto out_size = [&](int64_t n) { return interp_output_size(input, n, size, scale_factor); };
  if (m == 0 && d == 3) return upsample_nearest1d(input, out_size(1), scales[0]);
  if (m == 0 && d == 4) return upsample_nearest2d(input, out_size(2), scales[0], scales[1]);
  if (m == 0 && d == 5) return upsample_nearest3d(input, out_size(3), scales[0], scales[1], scales[2]);
  if (m == 6 && d == 3) return _upsample_nearest_exact1d(input, out_size(1), scales[0]);
  if (m == 6 && d == 4) return _upsample_nearest_exact2d(input, out_size(2), scales[0], scales[1]);
  if (m == 6 && d == 5) return _upsample_nearest_exact3d(input, out_size(3), scales[0], scales[1], scales[2]);
  if (m == 5 && d == 3) return ember::adaptive_avg_pool1d(input, out_size(1));
  if (m == 5 && d == 4) return ember::adaptive_avg_pool2d(input, out_size(2));
  if (m == 5 && d == 5) return ember::adaptive_avg_pool3d(input, out_size(3));
  if (m == 1 && d == 3) return upsample_linear1d(input, out_size(1), ac, scales[0]);
  EMBER_CHECK(!(m == 2 && d == 3), "Got 3D input, but bilinear mode needs 4D input");
  EMBER_CHECK(!(m == 4 && d == 3), "Got 3D input, but trilinear mode needs 5D input");
  EMBER_CHECK(!(m == 1 && d == 4), "Got 4D input, but linear mode needs 3D input");
  if (m == 2 && d == 4) return upsample_bilinear2d(input, out_size(2), ac, scales[0], scales[1]);
  EMBER_CHECK(!(m == 4 && d == 4), "Got 4D input, but trilinear mode needs 5D input");
  EMBER_CHECK(!(m == 1 && d == 5), "Got 5D input, but linear mode needs 3D input");
  EMBER_CHECK(!(m == 2 && d == 5), "Got 5D input, but bilinear mode needs 4D input");
  if (m == 4 && d == 5) return upsample_trilinear3d(input, out_size(3), ac, scales[0], scales[1], scales[2]);
  if (m == 3 && d == 4) return upsample_bicubic2d(input, out_size(2), ac, scales[0], scales[1]);
  EMBER_CHECK(false, "Input Error: Only 3D, 4D and 5D input Tensors supported (got ", d, "D) for the modes: nearest | "
              "linear | bilinear | bicubic | trilinear (got ", mode_name(mode), ")");
  return {};
}
}  // namespace detail

inline Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o = {}) {
  return detail::interpolate(input, o.size(), o.scale_factor(), o.mode(), o.align_corners(),
                             o.recompute_scale_factor(), o.antialias());
}
}  // namespace functional

class UpsampleImpl : public Cloneable<UpsampleImpl> {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Upsample(";
    if (options.scale_factor())
      s << "scale_factor=" << ArrayRef<double>(*options.scale_factor());
    else if (options.size())
      s << "size=" << ArrayRef<int64_t>(*options.size());
    s << ", mode=" << functional::detail::mode_name(mode()) << ")";
  }
  Tensor forward(const Tensor& input) {
    return functional::detail::interpolate(input, options.size(), options.scale_factor(), mode(),
                                           options.align_corners(), std::nullopt, false);
  }
  UpsampleOptions options;

 private:
  functional::InterpolateFuncOptions::mode_t mode() const {
    return std::visit([](auto m) { return functional::InterpolateFuncOptions::mode_t(m); }, options.mode());
  }
};
class Upsample : public ModuleHolder<UpsampleImpl> {
 public:
  using ModuleHolder<UpsampleImpl>::ModuleHolder;
  using Impl = UpsampleImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<UpsampleImpl>;

}  // namespace nn
}  // namespace ember
