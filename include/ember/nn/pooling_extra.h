// AvgPool1d and AdaptiveAvgPool1d (through the 2-D ops on an (N, C, 1, L) view, as ATen does),
// AdaptiveMaxPool1d/2d, AdaptiveAvgPool3d, MaxPool3d, AvgPool3d and LPPool1d/2d, with LibTorch's
// options, functionals and printing.
#pragma once
#include <ostream>

#include "ember/nn/pooling.h"
#include "ember/ops/pool_extra.h"

namespace ember {
namespace nn {

using AvgPool1dOptions = AvgPoolOptions<1>;
using AdaptiveAvgPool1dOptions = AdaptiveAvgPoolOptions<ExpandingArray<1>>;
using AdaptiveAvgPool3dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<3>>;
using MaxPool3dOptions = MaxPoolOptions<3>;
using AvgPool3dOptions = AvgPoolOptions<3>;

template <typename output_size_t>
struct AdaptiveMaxPoolOptions {
  AdaptiveMaxPoolOptions(output_size_t output_size) : output_size_(std::move(output_size)) {}
  AdaptiveMaxPoolOptions& output_size(const output_size_t& v) { return output_size_ = v, *this; }
  const output_size_t& output_size() const { return output_size_; }

 private:
  output_size_t output_size_;
};
// Power-average pooling: (sum over the window of x^p)^(1/p).
template <size_t D>
struct LPPoolOptions {
  LPPoolOptions(double norm_type, ExpandingArray<D> kernel_size)
      : norm_type_(norm_type), kernel_size_(kernel_size), stride_(kernel_size) {}
  LPPoolOptions& norm_type(double v) { return norm_type_ = v, *this; }
  LPPoolOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  LPPoolOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  LPPoolOptions& ceil_mode(bool v) { return ceil_mode_ = v, *this; }
  double norm_type() const { return norm_type_; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  bool ceil_mode() const { return ceil_mode_; }

 private:
  double norm_type_;
  ExpandingArray<D> kernel_size_, stride_;
  bool ceil_mode_ = false;
};
using LPPool1dOptions = LPPoolOptions<1>;
using LPPool2dOptions = LPPoolOptions<2>;
using AdaptiveMaxPool1dOptions = AdaptiveMaxPoolOptions<ExpandingArray<1>>;
using AdaptiveMaxPool2dOptions = AdaptiveMaxPoolOptions<ExpandingArrayWithOptionalElem<2>>;

namespace functional {
using AvgPool1dFuncOptions = AvgPool1dOptions;
using AdaptiveAvgPool1dFuncOptions = AdaptiveAvgPool1dOptions;
using AdaptiveAvgPool3dFuncOptions = AdaptiveAvgPool3dOptions;
using AdaptiveMaxPool1dFuncOptions = AdaptiveMaxPool1dOptions;
using AdaptiveMaxPool2dFuncOptions = AdaptiveMaxPool2dOptions;
using MaxPool3dFuncOptions = MaxPool3dOptions;
using AvgPool3dFuncOptions = AvgPool3dOptions;
using LPPool1dFuncOptions = LPPool1dOptions;
using LPPool2dFuncOptions = LPPool2dOptions;

inline Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& o) {
  return ember::avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
}
inline Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& o) {
  return ember::adaptive_avg_pool1d(input, o.output_size());
}
inline std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input,
                                                                   const AdaptiveMaxPool1dFuncOptions& o) {
  return ember::adaptive_max_pool1d(input, o.output_size());
}
inline Tensor adaptive_max_pool1d(const Tensor& input, const AdaptiveMaxPool1dFuncOptions& o) {
  return std::get<0>(adaptive_max_pool1d_with_indices(input, o));
}
inline std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input,
                                                                   const AdaptiveMaxPool2dFuncOptions& o) {
  return ember::adaptive_max_pool2d(input, _list_with_default(o.output_size(), input.sizes()));
}
inline Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& o) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, o));
}
inline Tensor adaptive_avg_pool3d(const Tensor& input, const AdaptiveAvgPool3dFuncOptions& o) {
  return ember::adaptive_avg_pool3d(input, _list_with_default(o.output_size(), input.sizes()));
}
inline std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, const MaxPool3dFuncOptions& o) {
  return ember::max_pool3d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
inline Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& o) {
  return std::get<0>(max_pool3d_with_indices(input, o));
}
inline Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& o) {
  return ember::avg_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                           o.divisor_override());
}
// LibTorch's formula: the average of x^p times the window size, its sign kept through relu, to 1/p.
inline Tensor lp_pool1d(const Tensor& input, const LPPool1dFuncOptions& o) {
  const double p = o.norm_type();
  Tensor out = ember::avg_pool1d(input.pow(p), o.kernel_size(), o.stride(), 0, o.ceil_mode(), true);
  return out.sign().mul(out.abs().relu()).mul(static_cast<double>(o.kernel_size()[0])).pow(1.0 / p);
}
inline Tensor lp_pool2d(const Tensor& input, const LPPool2dFuncOptions& o) {
  const double p = o.norm_type();
  const int64_t kw = o.kernel_size()[0], kh = o.kernel_size()[1];
  Tensor out = ember::avg_pool2d(input.pow(p), o.kernel_size(), o.stride(), {0, 0}, o.ceil_mode(), true);
  return out.sign().mul(out.abs().relu()).mul(static_cast<double>(kw * kh)).pow(1.0 / p);
}
}  // namespace functional

template <size_t D, typename Derived>
class LPPoolImpl : public Cloneable<Derived> {
 public:
  LPPoolImpl(double norm_type, ExpandingArray<D> kernel_size) : LPPoolImpl(LPPoolOptions<D>(norm_type, kernel_size)) {}
  explicit LPPoolImpl(const LPPoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::LPPool" << D << "d(norm_type=" << options.norm_type()
      << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
      << ", ceil_mode=" << options.ceil_mode() << ")";
  }
  Tensor forward(const Tensor& input) {
    if constexpr (D == 1) return functional::lp_pool1d(input, options);
    else return functional::lp_pool2d(input, options);
  }
  LPPoolOptions<D> options;
};
class LPPool1dImpl : public LPPoolImpl<1, LPPool1dImpl> {
 public:
  using LPPoolImpl<1, LPPool1dImpl>::LPPoolImpl;
};
class LPPool2dImpl : public LPPoolImpl<2, LPPool2dImpl> {
 public:
  using LPPoolImpl<2, LPPool2dImpl>::LPPoolImpl;
};
class LPPool1d : public ModuleHolder<LPPool1dImpl> {
 public:
  using ModuleHolder<LPPool1dImpl>::ModuleHolder;
  using Impl = LPPool1dImpl;
};
class LPPool2d : public ModuleHolder<LPPool2dImpl> {
 public:
  using ModuleHolder<LPPool2dImpl>::ModuleHolder;
  using Impl = LPPool2dImpl;
};

class AvgPool1dImpl : public Cloneable<AvgPool1dImpl> {
 public:
  AvgPool1dImpl(ExpandingArray<1> kernel_size) : AvgPool1dImpl(AvgPool1dOptions(kernel_size)) {}
  explicit AvgPool1dImpl(const AvgPool1dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AvgPool1d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
      << ", padding=" << options.padding() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::avg_pool1d(input, options); }
  AvgPool1dOptions options;
};
class AvgPool1d : public ModuleHolder<AvgPool1dImpl> {
 public:
  using ModuleHolder<AvgPool1dImpl>::ModuleHolder;
  using Impl = AvgPool1dImpl;
};

class AdaptiveAvgPool1dImpl : public Cloneable<AdaptiveAvgPool1dImpl> {
 public:
  AdaptiveAvgPool1dImpl(ExpandingArray<1> output_size) : AdaptiveAvgPool1dImpl(AdaptiveAvgPool1dOptions(output_size)) {}
  explicit AdaptiveAvgPool1dImpl(const AdaptiveAvgPool1dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AdaptiveAvgPool1d(output_size=" << options.output_size() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::adaptive_avg_pool1d(input, options); }
  AdaptiveAvgPool1dOptions options;
};
class AdaptiveAvgPool1d : public ModuleHolder<AdaptiveAvgPool1dImpl> {
 public:
  using ModuleHolder<AdaptiveAvgPool1dImpl>::ModuleHolder;
  using Impl = AdaptiveAvgPool1dImpl;
};

class AdaptiveMaxPool1dImpl : public Cloneable<AdaptiveMaxPool1dImpl> {
 public:
  AdaptiveMaxPool1dImpl(ExpandingArray<1> output_size) : AdaptiveMaxPool1dImpl(AdaptiveMaxPool1dOptions(output_size)) {}
  explicit AdaptiveMaxPool1dImpl(const AdaptiveMaxPool1dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AdaptiveMaxPool1d(output_size=" << options.output_size() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::adaptive_max_pool1d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::adaptive_max_pool1d_with_indices(input, options);
  }
  AdaptiveMaxPool1dOptions options;
};
class AdaptiveMaxPool1d : public ModuleHolder<AdaptiveMaxPool1dImpl> {
 public:
  using ModuleHolder<AdaptiveMaxPool1dImpl>::ModuleHolder;
  using Impl = AdaptiveMaxPool1dImpl;
};

class AdaptiveMaxPool2dImpl : public Cloneable<AdaptiveMaxPool2dImpl> {
 public:
  AdaptiveMaxPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : AdaptiveMaxPool2dImpl(AdaptiveMaxPool2dOptions(output_size)) {}
  explicit AdaptiveMaxPool2dImpl(const AdaptiveMaxPool2dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AdaptiveMaxPool2d(output_size=" << options.output_size() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::adaptive_max_pool2d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::adaptive_max_pool2d_with_indices(input, options);
  }
  AdaptiveMaxPool2dOptions options;
};
class AdaptiveMaxPool2d : public ModuleHolder<AdaptiveMaxPool2dImpl> {
 public:
  using ModuleHolder<AdaptiveMaxPool2dImpl>::ModuleHolder;
  using Impl = AdaptiveMaxPool2dImpl;
};

class AdaptiveAvgPool3dImpl : public Cloneable<AdaptiveAvgPool3dImpl> {
 public:
  AdaptiveAvgPool3dImpl(ExpandingArrayWithOptionalElem<3> output_size)
      : AdaptiveAvgPool3dImpl(AdaptiveAvgPool3dOptions(output_size)) {}
  explicit AdaptiveAvgPool3dImpl(const AdaptiveAvgPool3dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AdaptiveAvgPool3d(output_size=" << options.output_size() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::adaptive_avg_pool3d(input, options); }
  AdaptiveAvgPool3dOptions options;
};
class AdaptiveAvgPool3d : public ModuleHolder<AdaptiveAvgPool3dImpl> {
 public:
  using ModuleHolder<AdaptiveAvgPool3dImpl>::ModuleHolder;
  using Impl = AdaptiveAvgPool3dImpl;
};

class MaxPool3dImpl : public Cloneable<MaxPool3dImpl> {
 public:
  MaxPool3dImpl(ExpandingArray<3> kernel_size) : MaxPool3dImpl(MaxPool3dOptions(kernel_size)) {}
  explicit MaxPool3dImpl(const MaxPool3dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::MaxPool3d(kernel_size=" << options.kernel_size()
      << ", stride=" << options.stride() << ", padding=" << options.padding() << ", dilation=" << options.dilation()
      << ", ceil_mode=" << options.ceil_mode() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::max_pool3d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::max_pool3d_with_indices(input, options);
  }
  MaxPool3dOptions options;
};
class MaxPool3d : public ModuleHolder<MaxPool3dImpl> {
 public:
  using ModuleHolder<MaxPool3dImpl>::ModuleHolder;
  using Impl = MaxPool3dImpl;
};

class AvgPool3dImpl : public Cloneable<AvgPool3dImpl> {
 public:
  AvgPool3dImpl(ExpandingArray<3> kernel_size) : AvgPool3dImpl(AvgPool3dOptions(kernel_size)) {}
  explicit AvgPool3dImpl(const AvgPool3dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AvgPool3d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
      << ", padding=" << options.padding() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::avg_pool3d(input, options); }
  AvgPool3dOptions options;
};
class AvgPool3d : public ModuleHolder<AvgPool3dImpl> {
 public:
  using ModuleHolder<AvgPool3dImpl>::ModuleHolder;
  using Impl = AvgPool3dImpl;
};

// clone() of each module here is compiled once, in src/nn/pooling_instantiations.cpp (see Cloneable).
extern template class Cloneable<LPPool1dImpl>;
extern template class Cloneable<LPPool2dImpl>;
extern template class Cloneable<AvgPool1dImpl>;
extern template class Cloneable<AdaptiveAvgPool1dImpl>;
extern template class Cloneable<AdaptiveMaxPool1dImpl>;
extern template class Cloneable<AdaptiveMaxPool2dImpl>;
extern template class Cloneable<AdaptiveAvgPool3dImpl>;
extern template class Cloneable<MaxPool3dImpl>;
extern template class Cloneable<AvgPool3dImpl>;

}  // namespace nn
}  // namespace ember
