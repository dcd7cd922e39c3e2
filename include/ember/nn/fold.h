// Fold and Unfold (col2im / im2col) modules with LibTorch's options, functionals and printing.
#pragma once
#include <ostream>

#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/ops/conv.h"

namespace ember {
namespace nn {

struct FoldOptions {
  FoldOptions(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
      : output_size_(output_size), kernel_size_(kernel_size) {}
  FoldOptions& output_size(const ExpandingArray<2>& v) { return output_size_ = v, *this; }
  FoldOptions& kernel_size(const ExpandingArray<2>& v) { return kernel_size_ = v, *this; }
  FoldOptions& dilation(const ExpandingArray<2>& v) { return dilation_ = v, *this; }
  FoldOptions& padding(const ExpandingArray<2>& v) { return padding_ = v, *this; }
  FoldOptions& stride(const ExpandingArray<2>& v) { return stride_ = v, *this; }
  const ExpandingArray<2>& output_size() const { return output_size_; }
  const ExpandingArray<2>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<2>& dilation() const { return dilation_; }
  const ExpandingArray<2>& padding() const { return padding_; }
  const ExpandingArray<2>& stride() const { return stride_; }

 private:
  ExpandingArray<2> output_size_, kernel_size_, dilation_ = 1, padding_ = 0, stride_ = 1;
};
struct UnfoldOptions {
  UnfoldOptions(ExpandingArray<2> kernel_size) : kernel_size_(kernel_size) {}
  UnfoldOptions& kernel_size(const ExpandingArray<2>& v) { return kernel_size_ = v, *this; }
  UnfoldOptions& dilation(const ExpandingArray<2>& v) { return dilation_ = v, *this; }
  UnfoldOptions& padding(const ExpandingArray<2>& v) { return padding_ = v, *this; }
  UnfoldOptions& stride(const ExpandingArray<2>& v) { return stride_ = v, *this; }
  const ExpandingArray<2>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<2>& dilation() const { return dilation_; }
  const ExpandingArray<2>& padding() const { return padding_; }
  const ExpandingArray<2>& stride() const { return stride_; }

 private:
  ExpandingArray<2> kernel_size_, dilation_ = 1, padding_ = 0, stride_ = 1;
};

namespace functional {
using FoldFuncOptions = FoldOptions;
using UnfoldFuncOptions = UnfoldOptions;
// (N, C*kh*kw, L) or unbatched (C*kh*kw, L) -> (N, C, H, W) / (C, H, W), summing overlaps.
inline Tensor fold(const Tensor& input, const FoldFuncOptions& o) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 2,
              "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ", input.dim(), "D)");
  const bool batched = input.dim() == 3;
  Tensor out = ember::col2im(batched ? input : input.unsqueeze(0), o.output_size(), o.kernel_size(), o.dilation(),
                             o.padding(), o.stride());
  return batched ? out : out.squeeze(0);
}
// (N, C, H, W) -> (N, C*kh*kw, L): every sliding block as a column.
inline Tensor unfold(const Tensor& input, const UnfoldFuncOptions& o) {
  EMBER_CHECK(input.dim() == 4, "Input Error: Only 4D input Tensors are supported (got ", input.dim(), "D)");
  return ember::im2col(input, o.kernel_size(), o.dilation(), o.padding(), o.stride());
}
}  // namespace functional

class FoldImpl : public Cloneable<FoldImpl> {
 public:
  FoldImpl(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
      : FoldImpl(FoldOptions(output_size, kernel_size)) {}
  explicit FoldImpl(const FoldOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Fold(output_size=" << options.output_size() << ", kernel_size=" << options.kernel_size()
      << ", dilation=" << options.dilation() << ", padding=" << options.padding() << ", stride=" << options.stride()
      << ")";
  }
  Tensor forward(const Tensor& input) { return functional::fold(input, options); }
  FoldOptions options;
};
class UnfoldImpl : public Cloneable<UnfoldImpl> {
 public:
  UnfoldImpl(ExpandingArray<2> kernel_size) : UnfoldImpl(UnfoldOptions(kernel_size)) {}
  explicit UnfoldImpl(const UnfoldOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Unfold(kernel_size=" << options.kernel_size() << ", dilation=" << options.dilation()
      << ", padding=" << options.padding() << ", stride=" << options.stride() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::unfold(input, options); }
  UnfoldOptions options;
};
class Fold : public ModuleHolder<FoldImpl> {
 public:
  using ModuleHolder<FoldImpl>::ModuleHolder;
  using Impl = FoldImpl;
};
class Unfold : public ModuleHolder<UnfoldImpl> {
 public:
  using ModuleHolder<UnfoldImpl>::ModuleHolder;
  using Impl = UnfoldImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<FoldImpl>;
extern template class Cloneable<UnfoldImpl>;

}  // namespace nn
}  // namespace ember
