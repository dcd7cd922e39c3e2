// MaxUnpool1d/2d/3d (the inverse of max pooling, from its indices), AdaptiveMaxPool3d and
// FractionalMaxPool2d/3d, with LibTorch's options, functionals and printing.
#pragma once
#include <optional>
#include <ostream>
#include <tuple>
#include <vector>

#include "ember/nn/pooling_extra.h"
#include "ember/ops/factory.h"
#include "ember/ops/nn_functions.h"

namespace ember {
namespace nn {

template <size_t D>
struct MaxUnpoolOptions {
  MaxUnpoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  MaxUnpoolOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  MaxUnpoolOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  MaxUnpoolOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }

 private:
  ExpandingArray<D> kernel_size_, stride_, padding_ = 0;
};
using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;
using MaxUnpool3dOptions = MaxUnpoolOptions<3>;
using AdaptiveMaxPool3dOptions = AdaptiveMaxPoolOptions<ExpandingArrayWithOptionalElem<3>>;

// Either output_size or output_ratio (each in (0, 1)); _random_samples (N, C, D) fixes the
// window offsets, otherwise they are drawn from ember's generator on each call.
template <size_t D>
struct FractionalMaxPoolOptions {
  using ExpandingArrayDouble = ExpandingArray<D, double>;
  FractionalMaxPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size) {}
  FractionalMaxPoolOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  FractionalMaxPoolOptions& output_size(std::optional<ExpandingArray<D>> v) { return output_size_ = v, *this; }
  FractionalMaxPoolOptions& output_ratio(std::optional<ExpandingArrayDouble> v) { return output_ratio_ = v, *this; }
  FractionalMaxPoolOptions& _random_samples(Tensor v) { return random_samples_ = std::move(v), *this; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const std::optional<ExpandingArray<D>>& output_size() const { return output_size_; }
  const std::optional<ExpandingArrayDouble>& output_ratio() const { return output_ratio_; }
  const Tensor& _random_samples() const { return random_samples_; }

 private:
  ExpandingArray<D> kernel_size_;
  std::optional<ExpandingArray<D>> output_size_;
  std::optional<ExpandingArrayDouble> output_ratio_;
  Tensor random_samples_;
};
using FractionalMaxPool2dOptions = FractionalMaxPoolOptions<2>;
using FractionalMaxPool3dOptions = FractionalMaxPoolOptions<3>;

namespace functional {

template <size_t D>
struct MaxUnpoolFuncOptions {
  MaxUnpoolFuncOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  MaxUnpoolFuncOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  MaxUnpoolFuncOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  MaxUnpoolFuncOptions& padding(const ExpandingArray<D>& v) { return padding_ = v, *this; }
  MaxUnpoolFuncOptions& output_size(std::optional<std::vector<int64_t>> v) { return output_size_ = std::move(v), *this; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const ExpandingArray<D>& padding() const { return padding_; }
  const std::optional<std::vector<int64_t>>& output_size() const { return output_size_; }

 private:
  ExpandingArray<D> kernel_size_, stride_, padding_ = 0;
  std::optional<std::vector<int64_t>> output_size_;
};
using MaxUnpool1dFuncOptions = MaxUnpoolFuncOptions<1>;
using MaxUnpool2dFuncOptions = MaxUnpoolFuncOptions<2>;
using MaxUnpool3dFuncOptions = MaxUnpoolFuncOptions<3>;
using AdaptiveMaxPool3dFuncOptions = AdaptiveMaxPool3dOptions;

namespace detail {
// The spatial output size: (in - 1) * stride + kernel - 2 * padding per dim, or output_size (its
// last D entries when it also names batch and channels), which may exceed that by under a stride.
// The input's spatial sizes are its last D dims, so unbatched inputs work as in Python.
std::vector<int64_t> unpool_output_size(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                        IntArrayRef padding, const std::optional<std::vector<int64_t>>& output_size);
}  // namespace detail

template <size_t D>
Tensor max_unpool(const Tensor& input, const Tensor& indices, const MaxUnpoolFuncOptions<D>& o) {
  std::vector<int64_t> size =
      detail::unpool_output_size(input, o.kernel_size(), o.stride(), o.padding(), o.output_size());
  if constexpr (D == 1) {
    size.push_back(1);
    return ember::max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), size).squeeze(-1);
  } else if constexpr (D == 2) {
    return ember::max_unpool2d(input, indices, size);
  } else {
    return ember::max_unpool3d(input, indices, size, o.stride(), o.padding());
  }
}
inline Tensor max_unpool1d(const Tensor& input, const Tensor& indices, const MaxUnpool1dFuncOptions& o) {
  return max_unpool<1>(input, indices, o);
}
inline Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const MaxUnpool2dFuncOptions& o) {
  return max_unpool<2>(input, indices, o);
}
inline Tensor max_unpool3d(const Tensor& input, const Tensor& indices, const MaxUnpool3dFuncOptions& o) {
  return max_unpool<3>(input, indices, o);
}

inline std::tuple<Tensor, Tensor> adaptive_max_pool3d_with_indices(const Tensor& input,
                                                                   const AdaptiveMaxPool3dFuncOptions& o) {
  return ember::adaptive_max_pool3d(input, _list_with_default(o.output_size(), input.sizes()));
}
inline Tensor adaptive_max_pool3d(const Tensor& input, const AdaptiveMaxPool3dFuncOptions& o) {
  return std::get<0>(adaptive_max_pool3d_with_indices(input, o));
}

using FractionalMaxPool2dFuncOptions = FractionalMaxPool2dOptions;
using FractionalMaxPool3dFuncOptions = FractionalMaxPool3dOptions;
namespace detail {
// The output size from output_size or output_ratio, and the samples (drawn when not given).
template <size_t D>
std::tuple<Tensor, Tensor> fractional_max_pool(const Tensor& input, const FractionalMaxPoolOptions<D>& o) {
  const char* op = D == 2 ? "fractional_max_pool2d" : "fractional_max_pool3d";
  EMBER_CHECK(o.output_size() || o.output_ratio(), op, " requires specifying either an output_size or an output_ratio");
  std::vector<int64_t> size;
  for (size_t j = 0; j < D; ++j) {
    if (o.output_size()) {
      size.push_back((*o.output_size())[j]);
    } else {
      const int64_t in = input.dim() >= static_cast<int64_t>(D) ? input.size(input.dim() - static_cast<int64_t>(D - j)) : 0;
      size.push_back(static_cast<int64_t>(static_cast<double>(in) * (*o.output_ratio())[j]));
    }
  }
  Tensor samples = o._random_samples();
  if (!samples.defined()) {
    EMBER_CHECK(input.dim() == static_cast<int64_t>(D) + 1 || input.dim() == static_cast<int64_t>(D) + 2, op,
                "(): Expected ", D + 1, "D or ", D + 2, "D tensor, but got: ", input.sizes());
    const int64_t batch = input.dim() == static_cast<int64_t>(D) + 1 ? 1 : input.size(0);
    samples = rand({batch, input.size(-static_cast<int64_t>(D) - 1), static_cast<int64_t>(D)},
                   TensorOptions(input.dtype()));
  }
  if constexpr (D == 2) return ember::fractional_max_pool2d(input, o.kernel_size(), size, samples);
  else return ember::fractional_max_pool3d(input, o.kernel_size(), size, samples);
}
}  // namespace detail
inline std::tuple<Tensor, Tensor> fractional_max_pool2d_with_indices(const Tensor& input,
                                                                     const FractionalMaxPool2dFuncOptions& o) {
  return detail::fractional_max_pool<2>(input, o);
}
inline Tensor fractional_max_pool2d(const Tensor& input, const FractionalMaxPool2dFuncOptions& o) {
  return std::get<0>(detail::fractional_max_pool<2>(input, o));
}
inline std::tuple<Tensor, Tensor> fractional_max_pool3d_with_indices(const Tensor& input,
                                                                     const FractionalMaxPool3dFuncOptions& o) {
  return detail::fractional_max_pool<3>(input, o);
}
inline Tensor fractional_max_pool3d(const Tensor& input, const FractionalMaxPool3dFuncOptions& o) {
  return std::get<0>(detail::fractional_max_pool<3>(input, o));
}

}  // namespace functional

template <size_t D, typename Derived>
class MaxUnpoolImpl : public Cloneable<Derived> {
 public:
  MaxUnpoolImpl(ExpandingArray<D> kernel_size) : MaxUnpoolImpl(MaxUnpoolOptions<D>(kernel_size)) {}
  explicit MaxUnpoolImpl(const MaxUnpoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::MaxUnpool" << D << "d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
      << ", padding=" << options.padding() << ")";
  }
  Tensor forward(const Tensor& input, const Tensor& indices,
                 const std::optional<std::vector<int64_t>>& output_size = std::nullopt) {
    return functional::max_unpool<D>(input, indices,
                                     functional::MaxUnpoolFuncOptions<D>(options.kernel_size())
                                         .stride(options.stride())
                                         .padding(options.padding())
                                         .output_size(output_size));
  }
  MaxUnpoolOptions<D> options;
};
class MaxUnpool1dImpl : public MaxUnpoolImpl<1, MaxUnpool1dImpl> {
 public:
  using MaxUnpoolImpl<1, MaxUnpool1dImpl>::MaxUnpoolImpl;
};
class MaxUnpool2dImpl : public MaxUnpoolImpl<2, MaxUnpool2dImpl> {
 public:
  using MaxUnpoolImpl<2, MaxUnpool2dImpl>::MaxUnpoolImpl;
};
class MaxUnpool3dImpl : public MaxUnpoolImpl<3, MaxUnpool3dImpl> {
 public:
  using MaxUnpoolImpl<3, MaxUnpool3dImpl>::MaxUnpoolImpl;
};
class MaxUnpool1d : public ModuleHolder<MaxUnpool1dImpl> {
 public:
  using ModuleHolder<MaxUnpool1dImpl>::ModuleHolder;
  using Impl = MaxUnpool1dImpl;
};
class MaxUnpool2d : public ModuleHolder<MaxUnpool2dImpl> {
 public:
  using ModuleHolder<MaxUnpool2dImpl>::ModuleHolder;
  using Impl = MaxUnpool2dImpl;
};
class MaxUnpool3d : public ModuleHolder<MaxUnpool3dImpl> {
 public:
  using ModuleHolder<MaxUnpool3dImpl>::ModuleHolder;
  using Impl = MaxUnpool3dImpl;
};

class AdaptiveMaxPool3dImpl : public Cloneable<AdaptiveMaxPool3dImpl> {
 public:
  AdaptiveMaxPool3dImpl(ExpandingArrayWithOptionalElem<3> output_size)
      : AdaptiveMaxPool3dImpl(AdaptiveMaxPool3dOptions(output_size)) {}
  explicit AdaptiveMaxPool3dImpl(const AdaptiveMaxPool3dOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::AdaptiveMaxPool3d(output_size=" << options.output_size() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::adaptive_max_pool3d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    return functional::adaptive_max_pool3d_with_indices(input, options);
  }
  AdaptiveMaxPool3dOptions options;
};
class AdaptiveMaxPool3d : public ModuleHolder<AdaptiveMaxPool3dImpl> {
 public:
  using ModuleHolder<AdaptiveMaxPool3dImpl>::ModuleHolder;
  using Impl = AdaptiveMaxPool3dImpl;
};

template <size_t D, typename Derived>
class FractionalMaxPoolImpl : public Cloneable<Derived> {
 public:
  FractionalMaxPoolImpl(ExpandingArray<D> kernel_size) : FractionalMaxPoolImpl(FractionalMaxPoolOptions<D>(kernel_size)) {}
  explicit FractionalMaxPoolImpl(const FractionalMaxPoolOptions<D>& options) : options(options) { reset(); }
  void reset() override {
    _random_samples = this->register_buffer("_random_samples", options._random_samples());
    EMBER_CHECK(options.output_size() || options.output_ratio(), "FractionalMaxPool", D,
                "d requires specifying either an output size, or a pooling ratio");
    EMBER_CHECK(!(options.output_size() && options.output_ratio()),
                "only one of output_size and output_ratio may be specified");
    if (options.output_ratio())
      for (size_t j = 0; j < D; ++j) {
        const double r = (*options.output_ratio())[j];
        EMBER_CHECK(0 < r && r < 1, "output_ratio must be between 0 and 1 (got ", *options.output_ratio(), ")");
      }
  }
  void pretty_print(std::ostream& s) const override { s << "torch::nn::FractionalMaxPool" << D << "d()"; }
  Tensor forward(const Tensor& input) { return std::get<0>(forward_with_indices(input)); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    FractionalMaxPoolOptions<D> o = options;
    o._random_samples(_random_samples);
    return functional::detail::fractional_max_pool<D>(input, o);
  }
  FractionalMaxPoolOptions<D> options;
  Tensor _random_samples;
};
class FractionalMaxPool2dImpl : public FractionalMaxPoolImpl<2, FractionalMaxPool2dImpl> {
 public:
  using FractionalMaxPoolImpl<2, FractionalMaxPool2dImpl>::FractionalMaxPoolImpl;
};
class FractionalMaxPool3dImpl : public FractionalMaxPoolImpl<3, FractionalMaxPool3dImpl> {
 public:
  using FractionalMaxPoolImpl<3, FractionalMaxPool3dImpl>::FractionalMaxPoolImpl;
};
class FractionalMaxPool2d : public ModuleHolder<FractionalMaxPool2dImpl> {
 public:
  using ModuleHolder<FractionalMaxPool2dImpl>::ModuleHolder;
  using Impl = FractionalMaxPool2dImpl;
};
class FractionalMaxPool3d : public ModuleHolder<FractionalMaxPool3dImpl> {
 public:
  using ModuleHolder<FractionalMaxPool3dImpl>::ModuleHolder;
  using Impl = FractionalMaxPool3dImpl;
};

// clone() of each module here is compiled once, in src/nn/pooling_instantiations.cpp (see Cloneable).
extern template class Cloneable<MaxUnpool1dImpl>;
extern template class Cloneable<MaxUnpool2dImpl>;
extern template class Cloneable<MaxUnpool3dImpl>;
extern template class Cloneable<AdaptiveMaxPool3dImpl>;
extern template class Cloneable<FractionalMaxPool2dImpl>;
extern template class Cloneable<FractionalMaxPool3dImpl>;

}  // namespace nn
}  // namespace ember
