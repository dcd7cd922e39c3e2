// Conv2d and MaxPool2d modules, and functional conv2d / max_pool2d with LibTorch's options.
#pragma once
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/conv.h"

namespace ember {
namespace nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, IntArrayRef kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(pair(kernel_size)) {}
  Conv2dOptions& stride(IntArrayRef v) { return stride_ = pair(v), *this; }
  Conv2dOptions& padding(IntArrayRef v) { return padding_ = pair(v), *this; }
  Conv2dOptions& dilation(IntArrayRef v) { return dilation_ = pair(v), *this; }
  Conv2dOptions& groups(int64_t v) { return groups_ = v, *this; }
  Conv2dOptions& bias(bool v) { return bias_ = v, *this; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const DimVector& kernel_size() const { return kernel_size_; }
  const DimVector& stride() const { return stride_; }
  const DimVector& padding() const { return padding_; }
  const DimVector& dilation() const { return dilation_; }
  int64_t groups() const { return groups_; }
  bool bias() const { return bias_; }
  // One value stands for both dims, as LibTorch's ExpandingArray<2>.
  static DimVector pair(IntArrayRef v) { return v.size() == 1 ? DimVector{v[0], v[0]} : DimVector(v); }

 private:
  int64_t in_channels_, out_channels_;
  DimVector kernel_size_, stride_{1, 1}, padding_{0, 0}, dilation_{1, 1};
  int64_t groups_ = 1;
  bool bias_ = true;
};

struct MaxPool2dOptions {
  MaxPool2dOptions(IntArrayRef kernel_size)
      : kernel_size_(Conv2dOptions::pair(kernel_size)), stride_(Conv2dOptions::pair(kernel_size)) {}
  MaxPool2dOptions& stride(IntArrayRef v) { return stride_ = Conv2dOptions::pair(v), *this; }
  MaxPool2dOptions& padding(IntArrayRef v) { return padding_ = Conv2dOptions::pair(v), *this; }
  MaxPool2dOptions& dilation(IntArrayRef v) { return dilation_ = Conv2dOptions::pair(v), *this; }
  MaxPool2dOptions& ceil_mode(bool v) { return ceil_mode_ = v, *this; }
  const DimVector& kernel_size() const { return kernel_size_; }
  const DimVector& stride() const { return stride_; }
  const DimVector& padding() const { return padding_; }
  const DimVector& dilation() const { return dilation_; }
  bool ceil_mode() const { return ceil_mode_; }

 private:
  DimVector kernel_size_, stride_, padding_{0, 0}, dilation_{1, 1};
  bool ceil_mode_ = false;
};

namespace functional {
struct Conv2dFuncOptions {
  Conv2dFuncOptions& bias(Tensor v) { return bias_ = std::move(v), *this; }
  Conv2dFuncOptions& stride(IntArrayRef v) { return stride_ = Conv2dOptions::pair(v), *this; }
  Conv2dFuncOptions& padding(IntArrayRef v) { return padding_ = Conv2dOptions::pair(v), *this; }
  Conv2dFuncOptions& dilation(IntArrayRef v) { return dilation_ = Conv2dOptions::pair(v), *this; }
  Conv2dFuncOptions& groups(int64_t v) { return groups_ = v, *this; }
  const Tensor& bias() const { return bias_; }
  const DimVector& stride() const { return stride_; }
  const DimVector& padding() const { return padding_; }
  const DimVector& dilation() const { return dilation_; }
  int64_t groups() const { return groups_; }

 private:
  Tensor bias_;
  DimVector stride_{1, 1}, padding_{0, 0}, dilation_{1, 1};
  int64_t groups_ = 1;
};
using MaxPool2dFuncOptions = MaxPool2dOptions;

inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o = {}) {
  return ember::conv2d(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return ember::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
}  // namespace functional

class Conv2dImpl : public Cloneable<Conv2dImpl> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, IntArrayRef kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  Conv2dOptions options;
  Tensor weight, bias;
};
class Conv2d : public ModuleHolder<Conv2dImpl> {
 public:
  using ModuleHolder<Conv2dImpl>::ModuleHolder;
  using Impl = Conv2dImpl;
};

class MaxPool2dImpl : public Cloneable<MaxPool2dImpl> {
 public:
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::max_pool2d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return max_pool2d_with_indices(input, options.kernel_size(), options.stride(), options.padding(),
                                   options.dilation(), options.ceil_mode());
  }
  MaxPool2dOptions options;
};
class MaxPool2d : public ModuleHolder<MaxPool2dImpl> {
 public:
  using ModuleHolder<MaxPool2dImpl>::ModuleHolder;
  using Impl = MaxPool2dImpl;
};

}  // namespace nn
}  // namespace ember
