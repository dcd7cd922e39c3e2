// Conv1d, Conv2d and ConvTranspose2d modules, their options (LibTorch's names and defaults, padding
// as numbers or torch::kSame / torch::kValid, padding_mode torch::kZeros / kReflect / kReplicate /
// kCircular), and functional conv1d / conv2d / conv_transpose2d.
#pragma once
#include <optional>
#include <ostream>
#include <variant>

#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/nn/pooling.h"
#include "ember/ops/conv.h"
#include "ember/ops/conv_extra.h"
#include "ember/ops/pad.h"

namespace ember {

// LibTorch's padding modes torch::kValid and torch::kSame (enumtype::kValid, enumtype::kSame).
namespace enumtype {
struct kValid {};
struct kSame {};
struct kZeros {};
}  // namespace enumtype
constexpr enumtype::kValid kValid{};
constexpr enumtype::kSame kSame{};
constexpr enumtype::kZeros kZeros{};

namespace nn {

namespace detail {
template <size_t D>
using conv_padding_t = std::variant<ExpandingArray<D>, enumtype::kValid, enumtype::kSame>;
// How a convolution module pads: zeros, or (through pad()) reflect, replicate, circular.
using conv_padding_mode_t = std::variant<enumtype::kZeros, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
}  // namespace detail

// Options of a D-dimensional convolution module (Conv1dOptions, Conv2dOptions).
template <size_t D>
struct ConvOptions {
  using padding_t = detail::conv_padding_t<D>;
  using padding_mode_t = detail::conv_padding_mode_t;
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  ConvOptions& in_channels(int64_t v) { return in_channels_ = v, *this; }
  ConvOptions& out_channels(int64_t v) { return out_channels_ = v, *this; }
  ConvOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  ConvOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  ConvOptions& padding(const padding_t& v) { return padding_ = v, *this; }
  ConvOptions& padding(std::initializer_list<int64_t> il) { return padding(padding_t(ExpandingArray<D>(il))); }
  ConvOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  ConvOptions& groups(int64_t v) { return groups_ = v, *this; }
  ConvOptions& bias(bool v) { return bias_ = v, *this; }
  ConvOptions& padding_mode(const padding_mode_t& v) { return padding_mode_ = v, *this; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const padding_t& padding() const { return padding_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }
  int64_t groups() const { return groups_; }
  bool bias() const { return bias_; }
  const padding_mode_t& padding_mode() const { return padding_mode_; }

 private:
  int64_t in_channels_, out_channels_;
  ExpandingArray<D> kernel_size_, stride_ = 1;
  padding_t padding_ = ExpandingArray<D>(0);
  ExpandingArray<D> dilation_ = 1;
  int64_t groups_ = 1;
  bool bias_ = true;
  padding_mode_t padding_mode_ = enumtype::kZeros{};
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

// Options of a D-dimensional transposed convolution module (ConvTranspose2dOptions).
template <size_t D>
struct ConvTransposeOptions {
  using padding_mode_t = detail::conv_padding_mode_t;
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  ConvTransposeOptions& in_channels(int64_t v) { return in_channels_ = v, *this; }
  ConvTransposeOptions& out_channels(int64_t v) { return out_channels_ = v, *this; }
  ConvTransposeOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  ConvTransposeOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  ConvTransposeOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  ConvTransposeOptions& output_padding(const ExpandingArray<D>& v) { return output_padding_ = v, *this; }
  ConvTransposeOptions& groups(int64_t v) { return groups_ = v, *this; }
  ConvTransposeOptions& bias(bool v) { return bias_ = v, *this; }
  ConvTransposeOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  // Only kZeros works in forward(), as in LibTorch.
  ConvTransposeOptions& padding_mode(const padding_mode_t& v) { return padding_mode_ = v, *this; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }
  const ExpandingArray<D>& output_padding() const { return output_padding_; }
  int64_t groups() const { return groups_; }
  bool bias() const { return bias_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }
  const padding_mode_t& padding_mode() const { return padding_mode_; }

 private:
  int64_t in_channels_, out_channels_;
  ExpandingArray<D> kernel_size_, stride_ = 1, padding_ = 0, output_padding_ = 0;
  int64_t groups_ = 1;
  bool bias_ = true;
  ExpandingArray<D> dilation_ = 1;
  padding_mode_t padding_mode_ = enumtype::kZeros{};
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

namespace functional {

template <size_t D>
struct ConvFuncOptions {
  using padding_t = nn::detail::conv_padding_t<D>;
  ConvFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  ConvFuncOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  ConvFuncOptions& padding(const padding_t& v) { return padding_ = v, *this; }
  ConvFuncOptions& padding(std::initializer_list<int64_t> il) { return padding(padding_t(ExpandingArray<D>(il))); }
  ConvFuncOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  ConvFuncOptions& groups(int64_t v) { return groups_ = v, *this; }
  const Tensor& bias() const { return bias_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const padding_t& padding() const { return padding_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }
  int64_t groups() const { return groups_; }

 private:
  Tensor bias_;
  ExpandingArray<D> stride_ = 1;
  padding_t padding_ = ExpandingArray<D>(0);
  ExpandingArray<D> dilation_ = 1;
  int64_t groups_ = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
using Conv3dFuncOptions = ConvFuncOptions<3>;

template <size_t D>
struct ConvTransposeFuncOptions {
  ConvTransposeFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  ConvTransposeFuncOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  ConvTransposeFuncOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  ConvTransposeFuncOptions& output_padding(const ExpandingArray<D>& v) { return output_padding_ = v, *this; }
  ConvTransposeFuncOptions& groups(int64_t v) { return groups_ = v, *this; }
  ConvTransposeFuncOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  const Tensor& bias() const { return bias_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }
  const ExpandingArray<D>& output_padding() const { return output_padding_; }
  int64_t groups() const { return groups_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }

 private:
  Tensor bias_;
  ExpandingArray<D> stride_ = 1, padding_ = 0, output_padding_ = 0;
  int64_t groups_ = 1;
  ExpandingArray<D> dilation_ = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;
using ConvTranspose3dFuncOptions = ConvTransposeFuncOptions<3>;

namespace detail {
// A convolution with padding given as numbers, kSame or kValid.
template <size_t D>
Tensor conv(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
            const nn::detail::conv_padding_t<D>& padding, IntArrayRef dilation, int64_t groups) {
  static_assert(D >= 1 && D <= 3);
  auto run = [&](auto pad) {
    if constexpr (D == 1) return ember::conv1d(input, weight, bias, stride, pad, dilation, groups);
    else if constexpr (D == 2)
      return ember::conv2d(input, weight, bias, stride, pad, dilation, groups);
    else
      return ember::conv3d(input, weight, bias, stride, pad, dilation, groups);
  };
  if (std::holds_alternative<enumtype::kSame>(padding)) return run("same");
  if (std::holds_alternative<enumtype::kValid>(padding)) return run("valid");
  return run(IntArrayRef(std::get<ExpandingArray<D>>(padding)));
}
}  // namespace detail

inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o = {}) {
  return detail::conv<1>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o = {}) {
  return detail::conv<2>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
inline Tensor conv3d(const Tensor& input, const Tensor& weight, const Conv3dFuncOptions& o = {}) {
  return detail::conv<3>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const ConvTranspose1dFuncOptions& o = {}) {
  return ember::conv_transpose1d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                 o.dilation());
}
inline Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const ConvTranspose3dFuncOptions& o = {}) {
  return ember::conv_transpose3d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                 o.dilation());
}
inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const ConvTranspose2dFuncOptions& o = {}) {
  return ember::conv_transpose2d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                 o.dilation());
}
}  // namespace functional

class Conv1dImpl : public Cloneable<Conv1dImpl> {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv1dImpl(Conv1dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  Conv1dOptions options;
  Tensor weight, bias;
  // F::pad's argument for a padding_mode other than kZeros (last dim first, left and right).
  std::vector<int64_t> _reversed_padding_repeated_twice;
};
class Conv1d : public ModuleHolder<Conv1dImpl> {
 public:
  using ModuleHolder<Conv1dImpl>::ModuleHolder;
  using Impl = Conv1dImpl;
};

class Conv2dImpl : public Cloneable<Conv2dImpl> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(Conv2dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  Conv2dOptions options;
  Tensor weight, bias;
  // F::pad's argument for a padding_mode other than kZeros (last dim first, left and right).
  std::vector<int64_t> _reversed_padding_repeated_twice;
};
class Conv2d : public ModuleHolder<Conv2dImpl> {
 public:
  using ModuleHolder<Conv2dImpl>::ModuleHolder;
  using Impl = Conv2dImpl;
};

// Weight (in_channels, out_channels / groups, kh, kw). forward's output_size (2 values, or 4 with
// batch and channels) picks the output_padding that gives that size.
class ConvTranspose2dImpl : public Cloneable<ConvTranspose2dImpl> {
 public:
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit ConvTranspose2dImpl(ConvTranspose2dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const std::optional<IntArrayRef>& output_size = std::nullopt);
  ConvTranspose2dOptions options;
  Tensor weight, bias;
};
class ConvTranspose2d : public ModuleHolder<ConvTranspose2dImpl> {
 public:
  using ModuleHolder<ConvTranspose2dImpl>::ModuleHolder;
  using Impl = ConvTranspose2dImpl;
};

class Conv3dImpl : public Cloneable<Conv3dImpl> {
 public:
  Conv3dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<3> kernel_size)
      : Conv3dImpl(Conv3dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv3dImpl(Conv3dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  Conv3dOptions options;
  Tensor weight, bias;
  // F::pad's argument for a padding_mode other than kZeros (last dim first, left and right).
  std::vector<int64_t> _reversed_padding_repeated_twice;
};
class Conv3d : public ModuleHolder<Conv3dImpl> {
 public:
  using ModuleHolder<Conv3dImpl>::ModuleHolder;
  using Impl = Conv3dImpl;
};

// Weight (in_channels, out_channels / groups, k...); forward's output_size as ConvTranspose2d's.
class ConvTranspose1dImpl : public Cloneable<ConvTranspose1dImpl> {
 public:
  ConvTranspose1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size)
      : ConvTranspose1dImpl(ConvTranspose1dOptions(in_channels, out_channels, kernel_size)) {}
  explicit ConvTranspose1dImpl(ConvTranspose1dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const std::optional<IntArrayRef>& output_size = std::nullopt);
  ConvTranspose1dOptions options;
  Tensor weight, bias;
};
class ConvTranspose1d : public ModuleHolder<ConvTranspose1dImpl> {
 public:
  using ModuleHolder<ConvTranspose1dImpl>::ModuleHolder;
  using Impl = ConvTranspose1dImpl;
};
class ConvTranspose3dImpl : public Cloneable<ConvTranspose3dImpl> {
 public:
  ConvTranspose3dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<3> kernel_size)
      : ConvTranspose3dImpl(ConvTranspose3dOptions(in_channels, out_channels, kernel_size)) {}
  explicit ConvTranspose3dImpl(ConvTranspose3dOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const std::optional<IntArrayRef>& output_size = std::nullopt);
  ConvTranspose3dOptions options;
  Tensor weight, bias;
};
class ConvTranspose3d : public ModuleHolder<ConvTranspose3dImpl> {
 public:
  using ModuleHolder<ConvTranspose3dImpl>::ModuleHolder;
  using Impl = ConvTranspose3dImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<Conv1dImpl>;
extern template class Cloneable<Conv2dImpl>;
extern template class Cloneable<ConvTranspose2dImpl>;
extern template class Cloneable<Conv3dImpl>;
extern template class Cloneable<ConvTranspose1dImpl>;
extern template class Cloneable<ConvTranspose3dImpl>;

}  // namespace nn
}  // namespace ember
