// Pooling modules and their options (LibTorch's names and defaults): MaxPool1d, MaxPool2d,
// AvgPool2d, AdaptiveAvgPool2d, and the matching functional forms.
#pragma once
#include <optional>
#include <ostream>
#include <tuple>
#include <vector>

#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/ops/pool.h"

namespace ember {
namespace nn {

template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  MaxPoolOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  MaxPoolOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  MaxPoolOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  MaxPoolOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  MaxPoolOptions& ceil_mode(bool v) { return ceil_mode_ = v, *this; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }
  bool ceil_mode() const { return ceil_mode_; }

 private:
  ExpandingArray<D> kernel_size_, stride_, padding_ = 0, dilation_ = 1;
  bool ceil_mode_ = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;

template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  AvgPoolOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  AvgPoolOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  AvgPoolOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  AvgPoolOptions& ceil_mode(bool v) { return ceil_mode_ = v, *this; }
  AvgPoolOptions& count_include_pad(bool v) { return count_include_pad_ = v, *this; }
  AvgPoolOptions& divisor_override(std::optional<int64_t> v) { return divisor_override_ = v, *this; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }
  bool ceil_mode() const { return ceil_mode_; }
  bool count_include_pad() const { return count_include_pad_; }
  const std::optional<int64_t>& divisor_override() const { return divisor_override_; }

 private:
  ExpandingArray<D> kernel_size_, stride_, padding_ = 0;
  bool ceil_mode_ = false, count_include_pad_ = true;
  std::optional<int64_t> divisor_override_;
};
using AvgPool2dOptions = AvgPoolOptions<2>;

template <typename output_size_t>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(output_size_t output_size) : output_size_(std::move(output_size)) {}
  AdaptiveAvgPoolOptions& output_size(const output_size_t& v) { return output_size_ = v, *this; }
  const output_size_t& output_size() const { return output_size_; }

 private:
  output_size_t output_size_;
};
// Entries may be std::nullopt (c10::nullopt): that dim keeps the input's size.
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;

namespace functional {
using MaxPool1dFuncOptions = MaxPool1dOptions;
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;

inline Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return ember::max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
inline std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return ember::max_pool1d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return ember::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return ember::max_pool2d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
inline Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  return ember::avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                           o.divisor_override());
}
// None entries take the input's size in that dim (LibTorch's _list_with_default).
std::vector<int64_t> _list_with_default(ArrayRef<std::optional<int64_t>> out_size, IntArrayRef defaults);
inline Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& o) {
  return ember::adaptive_avg_pool2d(input, _list_with_default(o.output_size(), input.sizes()));
}
}  // namespace functional

class MaxPool1dImpl : public Cloneable<MaxPool1dImpl> {
 public:
  MaxPool1dImpl(ExpandingArray<1> kernel_size) : MaxPool1dImpl(MaxPool1dOptions(kernel_size)) {}
  explicit MaxPool1dImpl(const MaxPool1dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::max_pool1d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::max_pool1d_with_indices(input, options);
  }
  MaxPool1dOptions options;
};
class MaxPool1d : public ModuleHolder<MaxPool1dImpl> {
 public:
  using ModuleHolder<MaxPool1dImpl>::ModuleHolder;
  using Impl = MaxPool1dImpl;
};

class MaxPool2dImpl : public Cloneable<MaxPool2dImpl> {
 public:
  MaxPool2dImpl(ExpandingArray<2> kernel_size) : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::max_pool2d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::max_pool2d_with_indices(input, options);
  }
  MaxPool2dOptions options;
};
class MaxPool2d : public ModuleHolder<MaxPool2dImpl> {
 public:
  using ModuleHolder<MaxPool2dImpl>::ModuleHolder;
  using Impl = MaxPool2dImpl;
};

class AvgPool2dImpl : public Cloneable<AvgPool2dImpl> {
 public:
  AvgPool2dImpl(ExpandingArray<2> kernel_size) : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::avg_pool2d(input, options); }
  AvgPool2dOptions options;
};
class AvgPool2d : public ModuleHolder<AvgPool2dImpl> {
 public:
  using ModuleHolder<AvgPool2dImpl>::ModuleHolder;
  using Impl = AvgPool2dImpl;
};

class AdaptiveAvgPool2dImpl : public Cloneable<AdaptiveAvgPool2dImpl> {
 public:
  AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::adaptive_avg_pool2d(input, options); }
  AdaptiveAvgPool2dOptions options;
};
class AdaptiveAvgPool2d : public ModuleHolder<AdaptiveAvgPool2dImpl> {
 public:
  using ModuleHolder<AdaptiveAvgPool2dImpl>::ModuleHolder;
  using Impl = AdaptiveAvgPool2dImpl;
};

// clone() of each module here is compiled once, in src/nn/pooling_instantiations.cpp (see Cloneable).
extern template class Cloneable<MaxPool1dImpl>;
extern template class Cloneable<MaxPool2dImpl>;
extern template class Cloneable<AvgPool2dImpl>;
extern template class Cloneable<AdaptiveAvgPool2dImpl>;

}  // namespace nn
}  // namespace ember
