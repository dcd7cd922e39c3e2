// Conv1d/2d/3d and ConvTranspose1d/2d/3d: PyTorch's default initialization and LibTorch's printing.
#include "ember/nn/conv.h"

#include <sstream>

#include "ember/nn/init.h"
#include "ember/ops/factory.h"
#include "ember/ops/pad.h"

namespace ember {
namespace nn {

namespace {

void check_channels(const char* name, int64_t in, int64_t out, int64_t groups) {
  EMBER_CHECK(in > 0 && out > 0, name, ": in_channels and out_channels must be positive, got ", in, " and ", out);
  EMBER_CHECK(groups > 0, name, ": groups must be a positive integer");
  EMBER_CHECK(in % groups == 0, "in_channels must be divisible by groups");
  EMBER_CHECK(out % groups == 0, "out_channels must be divisible by groups");
}

// Conv1d/Conv2d share everything but D: parameters (weight (out, in/groups, k...)) and printing.
template <size_t D, typename Impl>
void reset_conv(Impl& m, const char* name) {
  const auto& o = m.options;
  check_channels(name, o.in_channels(), o.out_channels(), o.groups());
  if (std::holds_alternative<enumtype::kSame>(o.padding()))
    for (int64_t s : *o.stride()) EMBER_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  std::vector<int64_t> shape{o.out_channels(), o.in_channels() / o.groups()};
  for (int64_t k : *o.kernel_size()) shape.push_back(k);
  // The explicit padding pad() applies for padding modes other than zeros; "same" splits
  // dilation*(k-1) with the odd element at the end, as PyTorch.
  m._reversed_padding_repeated_twice.assign(2 * D, 0);
  for (size_t d = 0; d < D; ++d) {
    int64_t left = 0, right = 0;
    if (const auto* pad = std::get_if<ExpandingArray<D>>(&o.padding())) {
      left = right = (*pad)[d];
    } else if (std::holds_alternative<enumtype::kSame>(o.padding())) {
      const int64_t total = o.dilation()[d] * (o.kernel_size()[d] - 1);
      left = total / 2;
      right = total - left;
    }
    m._reversed_padding_repeated_twice[2 * (D - 1 - d)] = left;
    m._reversed_padding_repeated_twice[2 * (D - 1 - d) + 1] = right;
  }
  m.weight = m.register_parameter("weight", ember::empty(IntArrayRef(shape)));
  m.bias = m.register_parameter("bias", o.bias() ? empty({o.out_channels()}) : Tensor(), o.bias());
  init::default_weight_and_bias_(m.weight, m.bias);
}

template <size_t D, typename Options>
void print_conv(std::ostream& s, const char* name, const Options& o) {
  s << "torch::nn::" << name << "(" << o.in_channels() << ", " << o.out_channels() << ", kernel_size=" << o.kernel_size()
    << ", stride=" << o.stride();
  if constexpr (std::is_same_v<Options, ConvOptions<D>>) {
    if (std::holds_alternative<enumtype::kValid>(o.padding())) {
      s << ", padding='valid'";
    } else if (std::holds_alternative<enumtype::kSame>(o.padding())) {
      s << ", padding='same'";
    } else {
      const auto& pad = std::get<ExpandingArray<D>>(o.padding());
      if (*pad != *ExpandingArray<D>(0)) s << ", padding=" << pad;
    }
  } else {
    if (*o.padding() != *ExpandingArray<D>(0)) s << ", padding=" << o.padding();
  }
  if (*o.dilation() != *ExpandingArray<D>(1)) s << ", dilation=" << o.dilation();
  if constexpr (!std::is_same_v<Options, ConvOptions<D>>) {
    if (*o.output_padding() != *ExpandingArray<D>(0)) s << ", output_padding=" << o.output_padding();
  }
  if (o.groups() != 1) s << ", groups=" << o.groups();
  if (!o.bias()) s << ", bias=false";
  static constexpr const char* mode_names[] = {"kZeros", "kReflect", "kReplicate", "kCircular"};
  if (o.padding_mode().index() != 0) s << ", padding_mode=" << mode_names[o.padding_mode().index()];
  s << ")";
}

// A Conv module's forward: zero padding inside the convolution, other modes through pad() first.
template <size_t D, typename Impl>
Tensor conv_forward(Impl& m, const Tensor& input) {
  const auto& o = m.options;
  if (o.padding_mode().index() == 0)
    return functional::detail::conv<D>(input, m.weight, m.bias, o.stride(), o.padding(), o.dilation(), o.groups());
  static constexpr const char* pad_modes[] = {"constant", "reflect", "replicate", "circular"};
  return functional::detail::conv<D>(ember::pad(input, m._reversed_padding_repeated_twice, pad_modes[o.padding_mode().index()]),
                                     m.weight, m.bias, o.stride(), ExpandingArray<D>(0), o.dilation(), o.groups());
}

}  // namespace

Conv1dImpl::Conv1dImpl(Conv1dOptions options_) : options(std::move(options_)) { reset(); }
void Conv1dImpl::reset() { reset_conv<1>(*this, "Conv1d"); }
void Conv1dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void Conv1dImpl::pretty_print(std::ostream& s) const { print_conv<1>(s, "Conv1d", options); }
Tensor Conv1dImpl::forward(const Tensor& input) { return conv_forward<1>(*this, input); }

Conv2dImpl::Conv2dImpl(Conv2dOptions options_) : options(std::move(options_)) { reset(); }
void Conv2dImpl::reset() { reset_conv<2>(*this, "Conv2d"); }
void Conv2dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void Conv2dImpl::pretty_print(std::ostream& s) const { print_conv<2>(s, "Conv2d", options); }
Tensor Conv2dImpl::forward(const Tensor& input) { return conv_forward<2>(*this, input); }

ConvTranspose2dImpl::ConvTranspose2dImpl(ConvTranspose2dOptions options_) : options(std::move(options_)) { reset(); }

void ConvTranspose2dImpl::reset() {
  const auto& o = options;
  check_channels("ConvTranspose2d", o.in_channels(), o.out_channels(), o.groups());
  weight = register_parameter("weight", empty({o.in_channels(), o.out_channels() / o.groups(), o.kernel_size()[0],
                                               o.kernel_size()[1]}));
  bias = register_parameter("bias", o.bias() ? empty({o.out_channels()}) : Tensor(), o.bias());
  reset_parameters();
}
void ConvTranspose2dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void ConvTranspose2dImpl::pretty_print(std::ostream& s) const { print_conv<2>(s, "ConvTranspose2d", options); }

Tensor ConvTranspose2dImpl::forward(const Tensor& input, const std::optional<IntArrayRef>& output_size) {
  const auto& o = options;
  EMBER_CHECK(o.padding_mode().index() == 0, "Only `zeros` padding mode is supported for ConvTranspose2d");
  std::vector<int64_t> output_padding(o.output_padding()->begin(), o.output_padding()->end());
  if (output_size) {
    // The output_padding that turns the smallest output into the requested one (PyTorch's
    // _output_padding; the spatial dims are the input's last two, batched or not).
    IntArrayRef size = *output_size;
    if (size.size() == 4) size = size.slice(2);
    EMBER_CHECK(size.size() == 2, "output_size must have 2 or 4 elements (got ", output_size->size(), ")");
    EMBER_CHECK(input.dim() >= 2, "ConvTranspose2d: expected a 3-D or 4-D input, got ", input.sizes());
    std::vector<int64_t> min_sizes, max_sizes;
    for (int d = 0; d < 2; ++d) {
      const int64_t in = input.size(input.dim() - 2 + d);
      min_sizes.push_back((in - 1) * o.stride()[d] - 2 * o.padding()[d] + o.dilation()[d] * (o.kernel_size()[d] - 1) +
                          1);
      max_sizes.push_back(min_sizes[d] + o.stride()[d] - 1);
    }
    for (int d = 0; d < 2; ++d) {
      if (size[d] < min_sizes[d] || size[d] > max_sizes[d]) {
        fail("requested an output size of ", size, ", but valid sizes range from ", min_sizes[0], " ", min_sizes[1],
             " to ", max_sizes[0], " ", max_sizes[1], " (for an input of ", input.sizes().slice(input.dim() - 2), ")");
      }
    }
    for (int d = 0; d < 2; ++d) output_padding[d] = size[d] - min_sizes[d];
  }
  return conv_transpose2d(input, weight, bias, o.stride(), o.padding(), output_padding, o.groups(), o.dilation());
}

Conv3dImpl::Conv3dImpl(Conv3dOptions options_) : options(std::move(options_)) { reset(); }
void Conv3dImpl::reset() { reset_conv<3>(*this, "Conv3d"); }
void Conv3dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void Conv3dImpl::pretty_print(std::ostream& s) const { print_conv<3>(s, "Conv3d", options); }
Tensor Conv3dImpl::forward(const Tensor& input) { return conv_forward<3>(*this, input); }

namespace {
template <size_t D, typename Impl>
void reset_conv_transpose(Impl& m, const char* name) {
  const auto& o = m.options;
  check_channels(name, o.in_channels(), o.out_channels(), o.groups());
  std::vector<int64_t> shape{o.in_channels(), o.out_channels() / o.groups()};
  for (int64_t k : *o.kernel_size()) shape.push_back(k);
  m.weight = m.register_parameter("weight", ember::empty(IntArrayRef(shape)));
  m.bias = m.register_parameter("bias", o.bias() ? empty({o.out_channels()}) : Tensor(), o.bias());
  init::default_weight_and_bias_(m.weight, m.bias);
}

// The output_padding that turns the smallest output into the requested size (PyTorch's
// _output_padding): output_size holds D values, or D + 2 with batch and channels.
template <size_t D, typename Options>
std::vector<int64_t> transpose_output_padding(const char* name, const Options& o, const Tensor& input,
                                              const std::optional<IntArrayRef>& output_size) {
  std::vector<int64_t> output_padding(o.output_padding()->begin(), o.output_padding()->end());
  EMBER_CHECK(o.padding_mode().index() == 0, "Only `zeros` padding mode is supported for ", name);
  if (!output_size) return output_padding;
  IntArrayRef size = *output_size;
  if (size.size() == D + 2) size = size.slice(2);
  EMBER_CHECK(size.size() == D, "output_size must have ", D, " or ", D + 2, " elements (got ", output_size->size(), ")");
  EMBER_CHECK(input.dim() >= static_cast<int64_t>(D), name, ": expected a ", D + 1, "-D or ", D + 2, "-D input, got ",
              input.sizes());
  std::vector<int64_t> min_sizes, max_sizes;
  for (size_t d = 0; d < D; ++d) {
    const int64_t in = input.size(input.dim() - static_cast<int64_t>(D) + static_cast<int64_t>(d));
    min_sizes.push_back((in - 1) * o.stride()[d] - 2 * o.padding()[d] + o.dilation()[d] * (o.kernel_size()[d] - 1) + 1);
    max_sizes.push_back(min_sizes[d] + o.stride()[d] - 1);
  }
  for (size_t d = 0; d < D; ++d)
    EMBER_CHECK(size[d] >= min_sizes[d] && size[d] <= max_sizes[d], "requested an output size of ", size,
                ", but valid sizes range from ", IntArrayRef(min_sizes), " to ", IntArrayRef(max_sizes),
                " (for an input of ", input.sizes().slice(static_cast<size_t>(input.dim()) - D), ")");
  for (size_t d = 0; d < D; ++d) output_padding[d] = size[d] - min_sizes[d];
  return output_padding;
}
}  // namespace

ConvTranspose1dImpl::ConvTranspose1dImpl(ConvTranspose1dOptions options_) : options(std::move(options_)) { reset(); }
void ConvTranspose1dImpl::reset() { reset_conv_transpose<1>(*this, "ConvTranspose1d"); }
void ConvTranspose1dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void ConvTranspose1dImpl::pretty_print(std::ostream& s) const { print_conv<1>(s, "ConvTranspose1d", options); }
Tensor ConvTranspose1dImpl::forward(const Tensor& input, const std::optional<IntArrayRef>& output_size) {
  const auto& o = options;
  auto op = transpose_output_padding<1>("ConvTranspose1d", o, input, output_size);
  return conv_transpose1d(input, weight, bias, o.stride(), o.padding(), op, o.groups(), o.dilation());
}

ConvTranspose3dImpl::ConvTranspose3dImpl(ConvTranspose3dOptions options_) : options(std::move(options_)) { reset(); }
void ConvTranspose3dImpl::reset() { reset_conv_transpose<3>(*this, "ConvTranspose3d"); }
void ConvTranspose3dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }
void ConvTranspose3dImpl::pretty_print(std::ostream& s) const { print_conv<3>(s, "ConvTranspose3d", options); }
Tensor ConvTranspose3dImpl::forward(const Tensor& input, const std::optional<IntArrayRef>& output_size) {
  const auto& o = options;
  auto op = transpose_output_padding<3>("ConvTranspose3d", o, input, output_size);
  return conv_transpose3d(input, weight, bias, o.stride(), o.padding(), op, o.groups(), o.dilation());
}

}  // namespace nn
}  // namespace ember
