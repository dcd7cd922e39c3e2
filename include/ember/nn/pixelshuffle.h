// PixelShuffle and PixelUnshuffle modules with LibTorch's options and functionals.
#pragma once
#include <ostream>

#include "ember/nn/module.h"
#include "ember/ops/upsample.h"

namespace ember {
namespace nn {

struct PixelShuffleOptions {
  PixelShuffleOptions(int64_t upscale_factor) : upscale_factor_(upscale_factor) {}
  PixelShuffleOptions& upscale_factor(int64_t v) { return upscale_factor_ = v, *this; }
  int64_t upscale_factor() const { return upscale_factor_; }

 private:
  int64_t upscale_factor_;
};
struct PixelUnshuffleOptions {
  PixelUnshuffleOptions(int64_t downscale_factor) : downscale_factor_(downscale_factor) {}
  PixelUnshuffleOptions& downscale_factor(int64_t v) { return downscale_factor_ = v, *this; }
  int64_t downscale_factor() const { return downscale_factor_; }

 private:
  int64_t downscale_factor_;
};

namespace functional {
using PixelShuffleFuncOptions = PixelShuffleOptions;
using PixelUnshuffleFuncOptions = PixelUnshuffleOptions;
inline Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& options) {
  return ember::pixel_shuffle(input, options.upscale_factor());
}
inline Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& options) {
  return ember::pixel_unshuffle(input, options.downscale_factor());
}
}  // namespace functional

class PixelShuffleImpl : public Cloneable<PixelShuffleImpl> {
 public:
  explicit PixelShuffleImpl(const PixelShuffleOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::PixelShuffle(upscale_factor=" << options.upscale_factor() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::pixel_shuffle(input, options); }
  PixelShuffleOptions options;
};
class PixelUnshuffleImpl : public Cloneable<PixelUnshuffleImpl> {
 public:
  explicit PixelUnshuffleImpl(const PixelUnshuffleOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::PixelUnshuffle(downscale_factor=" << options.downscale_factor() << ")";
  }
  Tensor forward(const Tensor& input) { return functional::pixel_unshuffle(input, options); }
  PixelUnshuffleOptions options;
};
class PixelShuffle : public ModuleHolder<PixelShuffleImpl> {
 public:
  using ModuleHolder<PixelShuffleImpl>::ModuleHolder;
  using Impl = PixelShuffleImpl;
};
class PixelUnshuffle : public ModuleHolder<PixelUnshuffleImpl> {
 public:
  using ModuleHolder<PixelUnshuffleImpl>::ModuleHolder;
  using Impl = PixelUnshuffleImpl;
};

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<PixelShuffleImpl>;
extern template class Cloneable<PixelUnshuffleImpl>;

}  // namespace nn
}  // namespace ember
