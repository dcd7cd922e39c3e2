// LocalResponseNorm and functional::local_response_norm with LibTorch's options and printing: each
// value divided by (k + alpha * mean of squares over `size` neighbouring channels)^beta.
#pragma once
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/pad.h"
#include "ember/ops/pool.h"
#include "ember/ops/pool_extra.h"

namespace ember {
namespace nn {

struct LocalResponseNormOptions {
  /* implicit */ LocalResponseNormOptions(int64_t size) : size_(size) {}
  LocalResponseNormOptions& size(int64_t v) { return size_ = v, *this; }
  LocalResponseNormOptions& alpha(double v) { return alpha_ = v, *this; }
  LocalResponseNormOptions& beta(double v) { return beta_ = v, *this; }
  LocalResponseNormOptions& k(double v) { return k_ = v, *this; }
  int64_t size() const { return size_; }
  double alpha() const { return alpha_; }
  double beta() const { return beta_; }
  double k() const { return k_; }

 private:
  int64_t size_;
  double alpha_ = 1e-4, beta_ = 0.75, k_ = 1.0;
};

namespace functional {
using LocalResponseNormFuncOptions = LocalResponseNormOptions;

// The channel-window average of squares through a zero-padded average pool, as LibTorch computes it.
inline Tensor local_response_norm(const Tensor& input, const LocalResponseNormFuncOptions& o) {
  const int64_t dim = input.dim(), size = o.size();
  EMBER_CHECK(dim >= 3, "Expected 3D or higher dimensionality input (got ", dim, " dimensions)");
  EMBER_CHECK(input.numel() != 0, "Expected non-empty input");
  Tensor div = input.mul(input).unsqueeze(1);
  if (dim == 3) {
    div = ember::constant_pad_nd(div, {0, 0, size / 2, (size - 1) / 2});
    div = ember::avg_pool2d(div, {size, 1}, {1, 1}).squeeze(1);
  } else {
    const auto sizes = input.sizes();
    div = div.view({sizes[0], 1, sizes[1], sizes[2], -1});
    div = ember::constant_pad_nd(div, {0, 0, 0, 0, size / 2, (size - 1) / 2});
    div = ember::avg_pool3d(div, {size, 1, 1}, {1, 1, 1}).squeeze(1);
    div = div.view(sizes);
  }
  div = div.mul(o.alpha()).add(o.k()).pow(o.beta());
  return input.div(div);
}
}  // namespace functional

class LocalResponseNormImpl : public Cloneable<LocalResponseNormImpl> {
 public:
  LocalResponseNormImpl(int64_t size) : LocalResponseNormImpl(LocalResponseNormOptions(size)) {}
  explicit LocalResponseNormImpl(const LocalResponseNormOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::LocalResponseNorm(" << options.size() << ", alpha=" << options.alpha()
      << ", beta=" << options.beta() << ", k=" << options.k() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::local_response_norm(input, options); }
  LocalResponseNormOptions options;
};
class LocalResponseNorm : public ModuleHolder<LocalResponseNormImpl> {
 public:
  using ModuleHolder<LocalResponseNormImpl>::ModuleHolder;
  using Impl = LocalResponseNormImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<LocalResponseNormImpl>;

}  // namespace nn
}  // namespace ember
