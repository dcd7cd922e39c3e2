// ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d and ZeroPad2d with LibTorch's
// options and printing: each a functional::pad call with its mode.
#pragma once
#include <ostream>
#include <vector>

#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/nn/module_holder.h"
#include "ember/nn/padding.h"

namespace ember {
namespace nn {

template <size_t D>
struct ReflectionPadOptions {
  ReflectionPadOptions(ExpandingArray<D * 2> padding) : padding_(padding) {}
  ReflectionPadOptions& padding(const ExpandingArray<D * 2>& v) { return padding_ = v, *this; }
  const ExpandingArray<D * 2>& padding() const { return padding_; }

 private:
  ExpandingArray<D * 2> padding_;
};
using ReflectionPad1dOptions = ReflectionPadOptions<1>;
using ReflectionPad2dOptions = ReflectionPadOptions<2>;
using ReflectionPad3dOptions = ReflectionPadOptions<3>;

template <size_t D>
struct ReplicationPadOptions {
  ReplicationPadOptions(ExpandingArray<D * 2> padding) : padding_(padding) {}
  ReplicationPadOptions& padding(const ExpandingArray<D * 2>& v) { return padding_ = v, *this; }
  const ExpandingArray<D * 2>& padding() const { return padding_; }

 private:
  ExpandingArray<D * 2> padding_;
};
using ReplicationPad1dOptions = ReplicationPadOptions<1>;
using ReplicationPad2dOptions = ReplicationPadOptions<2>;
using ReplicationPad3dOptions = ReplicationPadOptions<3>;

struct ZeroPad2dOptions {
  ZeroPad2dOptions(ExpandingArray<4> padding) : padding_(padding) {}
  ZeroPad2dOptions& padding(const ExpandingArray<4>& v) { return padding_ = v, *this; }
  const ExpandingArray<4>& padding() const { return padding_; }

 private:
  ExpandingArray<4> padding_;
};

template <size_t D>
struct ConstantPadOptions {
  ConstantPadOptions(ExpandingArray<D * 2> padding, double value) : padding_(padding), value_(value) {}
  ConstantPadOptions& padding(const ExpandingArray<D * 2>& v) { return padding_ = v, *this; }
  ConstantPadOptions& value(double v) { return value_ = v, *this; }
  const ExpandingArray<D * 2>& padding() const { return padding_; }
  double value() const { return value_; }

 private:
  ExpandingArray<D * 2> padding_;
  double value_;
};
using ConstantPad1dOptions = ConstantPadOptions<1>;
using ConstantPad2dOptions = ConstantPadOptions<2>;
using ConstantPad3dOptions = ConstantPadOptions<3>;

namespace detail {
template <size_t N>
std::vector<int64_t> pad_vector(const ExpandingArray<N>& a) {
  return std::vector<int64_t>(a->begin(), a->end());
}
}  // namespace detail

// The modules share one shape: options in, functional::pad with a fixed mode out.
template <size_t D, typename Derived>
class ReflectionPadImpl : public Cloneable<Derived> {
 public:
  ReflectionPadImpl(ExpandingArray<D * 2> padding) : ReflectionPadImpl(ReflectionPadOptions<D>(padding)) {}
  explicit ReflectionPadImpl(const ReflectionPadOptions<D>& options) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input) {
    return functional::pad(input, functional::PadFuncOptions(detail::pad_vector(options.padding())).mode(kReflect));
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::ReflectionPad" << D << "d(padding=" << options.padding() << ")";
  }
  ReflectionPadOptions<D> options;
};

template <size_t D, typename Derived>
class ReplicationPadImpl : public Cloneable<Derived> {
 public:
  ReplicationPadImpl(ExpandingArray<D * 2> padding) : ReplicationPadImpl(ReplicationPadOptions<D>(padding)) {}
  explicit ReplicationPadImpl(const ReplicationPadOptions<D>& options) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input) {
    return functional::pad(input, functional::PadFuncOptions(detail::pad_vector(options.padding())).mode(kReplicate));
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::ReplicationPad" << D << "d(padding=" << options.padding() << ")";
  }
  ReplicationPadOptions<D> options;
};

template <size_t D, typename Derived>
class ConstantPadImpl : public Cloneable<Derived> {
 public:
  ConstantPadImpl(ExpandingArray<D * 2> padding, double value)
      : ConstantPadImpl(ConstantPadOptions<D>(padding, value)) {}
  explicit ConstantPadImpl(const ConstantPadOptions<D>& options) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input) {
    return functional::pad(input, functional::PadFuncOptions(detail::pad_vector(options.padding()))
                                      .mode(kConstant)
                                      .value(options.value()));
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::ConstantPad" << D << "d(padding=" << options.padding() << ", value=" << options.value() << ")";
  }
  ConstantPadOptions<D> options;
};

class ZeroPad2dImpl : public Cloneable<ZeroPad2dImpl> {
 public:
  ZeroPad2dImpl(ExpandingArray<4> padding) : ZeroPad2dImpl(ZeroPad2dOptions(padding)) {}
  explicit ZeroPad2dImpl(const ZeroPad2dOptions& options) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input) {
    return functional::pad(input, functional::PadFuncOptions(detail::pad_vector(options.padding())));
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::ZeroPad2d(padding=" << options.padding() << ")";
  }
  ZeroPad2dOptions options;
};
class ZeroPad2d : public ModuleHolder<ZeroPad2dImpl> {
 public:
  using ModuleHolder<ZeroPad2dImpl>::ModuleHolder;
  using Impl = ZeroPad2dImpl;
};

class ReflectionPad1dImpl : public ReflectionPadImpl<1, ReflectionPad1dImpl> {
 public:
  using ReflectionPadImpl<1, ReflectionPad1dImpl>::ReflectionPadImpl;
};
class ReflectionPad1d : public ModuleHolder<ReflectionPad1dImpl> {
 public:
  using ModuleHolder<ReflectionPad1dImpl>::ModuleHolder;
  using Impl = ReflectionPad1dImpl;
};
class ReflectionPad2dImpl : public ReflectionPadImpl<2, ReflectionPad2dImpl> {
 public:
  using ReflectionPadImpl<2, ReflectionPad2dImpl>::ReflectionPadImpl;
};
class ReflectionPad2d : public ModuleHolder<ReflectionPad2dImpl> {
 public:
  using ModuleHolder<ReflectionPad2dImpl>::ModuleHolder;
  using Impl = ReflectionPad2dImpl;
};
class ReflectionPad3dImpl : public ReflectionPadImpl<3, ReflectionPad3dImpl> {
 public:
  using ReflectionPadImpl<3, ReflectionPad3dImpl>::ReflectionPadImpl;
};
class ReflectionPad3d : public ModuleHolder<ReflectionPad3dImpl> {
 public:
  using ModuleHolder<ReflectionPad3dImpl>::ModuleHolder;
  using Impl = ReflectionPad3dImpl;
};
class ReplicationPad1dImpl : public ReplicationPadImpl<1, ReplicationPad1dImpl> {
 public:
  using ReplicationPadImpl<1, ReplicationPad1dImpl>::ReplicationPadImpl;
};
class ReplicationPad1d : public ModuleHolder<ReplicationPad1dImpl> {
 public:
  using ModuleHolder<ReplicationPad1dImpl>::ModuleHolder;
  using Impl = ReplicationPad1dImpl;
};
class ReplicationPad2dImpl : public ReplicationPadImpl<2, ReplicationPad2dImpl> {
 public:
  using ReplicationPadImpl<2, ReplicationPad2dImpl>::ReplicationPadImpl;
};
class ReplicationPad2d : public ModuleHolder<ReplicationPad2dImpl> {
 public:
  using ModuleHolder<ReplicationPad2dImpl>::ModuleHolder;
  using Impl = ReplicationPad2dImpl;
};
class ReplicationPad3dImpl : public ReplicationPadImpl<3, ReplicationPad3dImpl> {
 public:
  using ReplicationPadImpl<3, ReplicationPad3dImpl>::ReplicationPadImpl;
};
class ReplicationPad3d : public ModuleHolder<ReplicationPad3dImpl> {
 public:
  using ModuleHolder<ReplicationPad3dImpl>::ModuleHolder;
  using Impl = ReplicationPad3dImpl;
};
class ConstantPad1dImpl : public ConstantPadImpl<1, ConstantPad1dImpl> {
 public:
  using ConstantPadImpl<1, ConstantPad1dImpl>::ConstantPadImpl;
};
class ConstantPad1d : public ModuleHolder<ConstantPad1dImpl> {
 public:
  using ModuleHolder<ConstantPad1dImpl>::ModuleHolder;
  using Impl = ConstantPad1dImpl;
};
class ConstantPad2dImpl : public ConstantPadImpl<2, ConstantPad2dImpl> {
 public:
  using ConstantPadImpl<2, ConstantPad2dImpl>::ConstantPadImpl;
};
class ConstantPad2d : public ModuleHolder<ConstantPad2dImpl> {
 public:
  using ModuleHolder<ConstantPad2dImpl>::ModuleHolder;
  using Impl = ConstantPad2dImpl;
};
class ConstantPad3dImpl : public ConstantPadImpl<3, ConstantPad3dImpl> {
 public:
  using ConstantPadImpl<3, ConstantPad3dImpl>::ConstantPadImpl;
};
class ConstantPad3d : public ModuleHolder<ConstantPad3dImpl> {
 public:
  using ModuleHolder<ConstantPad3dImpl>::ModuleHolder;
  using Impl = ConstantPad3dImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<ZeroPad2dImpl>;
extern template class Cloneable<ReflectionPad1dImpl>;
extern template class Cloneable<ReflectionPad2dImpl>;
extern template class Cloneable<ReflectionPad3dImpl>;
extern template class Cloneable<ReplicationPad1dImpl>;
extern template class Cloneable<ReplicationPad2dImpl>;
extern template class Cloneable<ReplicationPad3dImpl>;
extern template class Cloneable<ConstantPad1dImpl>;
extern template class Cloneable<ConstantPad2dImpl>;
extern template class Cloneable<ConstantPad3dImpl>;

}  // namespace nn
}  // namespace ember
