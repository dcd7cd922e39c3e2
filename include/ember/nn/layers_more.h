// More nn layers and functionals with LibTorch's options and printing: Dropout3d, Bilinear,
// TripletMarginWithDistanceLoss, and the functionals dropout3d, gumbel_softmax, bilinear, pdist,
// triplet_margin_with_distance_loss, affine_grid and grid_sample.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <variant>

#include "ember/nn/activation.h"
#include "ember/nn/conv.h"
#include "ember/nn/distance.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/nn/module_holder.h"
#include "ember/nn/upsampling.h"
#include "ember/ops/nn_functions.h"

namespace ember {

// grid_sample's padding modes (torch::kZeros is conv's).
namespace enumtype {
struct kBorder {};
struct kReflection {};
}  // namespace enumtype
constexpr enumtype::kBorder kBorder{};
constexpr enumtype::kReflection kReflection{};

namespace nn {

namespace detail {
// The options every conv layer reduces to (LibTorch keeps them in torch::nn::detail): ConvOptions'
// fields plus transposed and output_padding.
template <size_t D>
struct ConvNdOptions {
  using padding_t = conv_padding_t<D>;
  using padding_mode_t = conv_padding_mode_t;
  ConvNdOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  ConvNdOptions& in_channels(int64_t v) { return in_channels_ = v, *this; }
  ConvNdOptions& out_channels(int64_t v) { return out_channels_ = v, *this; }
  ConvNdOptions& kernel_size(const ExpandingArray<D>& v) { return kernel_size_ = v, *this; }
  ConvNdOptions& stride(const ExpandingArray<D>& v) { return stride_ = v, *this; }
  ConvNdOptions& padding(const padding_t& v) { return padding_ = v, *this; }
  ConvNdOptions& padding(std::initializer_list<int64_t> il) { return padding(padding_t(ExpandingArray<D>(il))); }
  ConvNdOptions& dilation(const ExpandingArray<D>& v) { return dilation_ = v, *this; }
  ConvNdOptions& transposed(bool v) { return transposed_ = v, *this; }
  ConvNdOptions& output_padding(const ExpandingArray<D>& v) { return output_padding_ = v, *this; }
  ConvNdOptions& groups(int64_t v) { return groups_ = v, *this; }
  ConvNdOptions& bias(bool v) { return bias_ = v, *this; }
  ConvNdOptions& padding_mode(const padding_mode_t& v) { return padding_mode_ = v, *this; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const ExpandingArray<D>& kernel_size() const { return kernel_size_; }
  const ExpandingArray<D>& stride() const { return stride_; }
  const padding_t& padding() const { return padding_; }
  const ExpandingArray<D>& dilation() const { return dilation_; }
  bool transposed() const { return transposed_; }
  const ExpandingArray<D>& output_padding() const { return output_padding_; }
  int64_t groups() const { return groups_; }
  bool bias() const { return bias_; }
  const padding_mode_t& padding_mode() const { return padding_mode_; }

 private:
  int64_t in_channels_, out_channels_;
  ExpandingArray<D> kernel_size_, stride_ = 1;
  padding_t padding_ = ExpandingArray<D>(0);
  ExpandingArray<D> dilation_ = 1;
  bool transposed_ = false;
  ExpandingArray<D> output_padding_ = 0;
  int64_t groups_ = 1;
  bool bias_ = true;
  padding_mode_t padding_mode_ = enumtype::kZeros{};
};
}  // namespace detail

using Dropout3dOptions = DropoutOptions;

struct BilinearOptions {
  BilinearOptions(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : in1_features_(in1_features), in2_features_(in2_features), out_features_(out_features) {}
  BilinearOptions& in1_features(int64_t v) { return in1_features_ = v, *this; }
  BilinearOptions& in2_features(int64_t v) { return in2_features_ = v, *this; }
  BilinearOptions& out_features(int64_t v) { return out_features_ = v, *this; }
  BilinearOptions& bias(bool v) { return bias_ = v, *this; }
  int64_t in1_features() const { return in1_features_; }
  int64_t in2_features() const { return in2_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }

 private:
  int64_t in1_features_, in2_features_, out_features_;
  bool bias_ = true;
};

struct TripletMarginWithDistanceLossOptions {
  using reduction_t = Reduction::Reduction;
  using distance_function_t = std::function<Tensor(const Tensor&, const Tensor&)>;
  TripletMarginWithDistanceLossOptions& distance_function(std::optional<distance_function_t> v) {
    return distance_function_ = std::move(v), *this;
  }
  TripletMarginWithDistanceLossOptions& margin(double v) { return margin_ = v, *this; }
  TripletMarginWithDistanceLossOptions& swap(bool v) { return swap_ = v, *this; }
  TripletMarginWithDistanceLossOptions& reduction(reduction_t v) { return reduction_ = v, *this; }
  const std::optional<distance_function_t>& distance_function() const { return distance_function_; }
  double margin() const { return margin_; }
  bool swap() const { return swap_; }
  reduction_t reduction() const { return reduction_; }

 private:
  std::optional<distance_function_t> distance_function_;
  double margin_ = 1.0;
  bool swap_ = false;
  reduction_t reduction_ = Reduction::Mean;
};

namespace functional {

using Dropout3dFuncOptions = DropoutFuncOptions;
// Zeroes whole channels of (N, C, D, H, W); a 4-D input is one unbatched (C, D, H, W) sample.
inline Tensor dropout3d(Tensor x, const Dropout3dFuncOptions& o = {}) {
  EMBER_CHECK(o.p() >= 0 && o.p() <= 1, "dropout probability has to be between 0 and 1, but got ", o.p());
  const bool batched = x.dim() == 5;
  Tensor in = batched ? x : x.unsqueeze(0);
  Tensor out = o.inplace() ? ember::feature_dropout_(in, o.p(), o.training()) : ember::feature_dropout(in, o.p(), o.training());
  return batched ? out : out.squeeze(0);
}

struct GumbelSoftmaxFuncOptions {
  GumbelSoftmaxFuncOptions& tau(double v) { return tau_ = v, *this; }
  GumbelSoftmaxFuncOptions& hard(bool v) { return hard_ = v, *this; }
  GumbelSoftmaxFuncOptions& dim(int v) { return dim_ = v, *this; }
  double tau() const { return tau_; }
  bool hard() const { return hard_; }
  int dim() const { return dim_; }

 private:
  double tau_ = 1.0;
  bool hard_ = false;
  int dim_ = -1;
};
// softmax((logits + g) / tau) with g ~ Gumbel(0, 1) drawn from ember's generator; hard: the
// one-hot of its argmax in the forward, the soft sample's gradient in the backward.
Tensor gumbel_softmax(const Tensor& logits, const GumbelSoftmaxFuncOptions& options = {});

inline Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = Tensor()) {
  return ember::bilinear(input1, input2, weight, bias);
}

inline Tensor pdist(const Tensor& input, double p = 2.0) { return ember::pdist(input, p); }

using TripletMarginWithDistanceLossFuncOptions = TripletMarginWithDistanceLossOptions;
// max(d(a, p) - d(a, n) + margin, 0), d pairwise_distance unless given; swap also takes d(p, n).
Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                         const TripletMarginWithDistanceLossFuncOptions& options = {});

// LibTorch's checks on theta and size, then affine_grid_generator.
Tensor affine_grid(const Tensor& theta, const IntArrayRef& size, bool align_corners = false);

struct GridSampleFuncOptions {
  // kBicubic is the later LibTorch's addition, offered too.
  using mode_t = std::variant<enumtype::kBilinear, enumtype::kNearest, enumtype::kBicubic>;
  using padding_mode_t = std::variant<enumtype::kZeros, enumtype::kBorder, enumtype::kReflection>;
  GridSampleFuncOptions& mode(mode_t v) { return mode_ = v, *this; }
  GridSampleFuncOptions& padding_mode(padding_mode_t v) { return padding_mode_ = v, *this; }
  GridSampleFuncOptions& align_corners(std::optional<bool> v) { return align_corners_ = v, *this; }
  const mode_t& mode() const { return mode_; }
  const padding_mode_t& padding_mode() const { return padding_mode_; }
  std::optional<bool> align_corners() const { return align_corners_; }

 private:
  mode_t mode_ = enumtype::kBilinear{};
  padding_mode_t padding_mode_ = enumtype::kZeros{};
  std::optional<bool> align_corners_;
};
// align_corners unset means false (LibTorch also warns that the default changed in 1.3.0).
inline Tensor grid_sample(const Tensor& input, const Tensor& grid, const GridSampleFuncOptions& options = {}) {
  return ember::grid_sampler(input, grid, static_cast<int64_t>(options.mode().index()),
                             static_cast<int64_t>(options.padding_mode().index()),
                             options.align_corners().value_or(false));
}

}  // namespace functional

// Zeroes whole channels of a (N, C, D, H, W) input with probability p while training.
class Dropout3dImpl : public Cloneable<Dropout3dImpl> {
 public:
  explicit Dropout3dImpl(double p) : Dropout3dImpl(Dropout3dOptions(p)) {}
  explicit Dropout3dImpl(const Dropout3dOptions& options = {}) : options(options) { reset(); }
  void reset() override {
    EMBER_CHECK(options.p() >= 0 && options.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
                options.p());
  }
  void pretty_print(std::ostream& s) const override {
    s << "torch::nn::Dropout3d(p=" << options.p() << ", inplace=" << std::boolalpha << options.inplace() << ")";
  }
  Tensor forward(Tensor x) {
    return functional::dropout3d(std::move(x), functional::Dropout3dFuncOptions()
                                                   .p(options.p())
                                                   .training(is_training())
                                                   .inplace(options.inplace()));
  }
  Dropout3dOptions options;
};
class Dropout3d : public ModuleHolder<Dropout3dImpl> {
 public:
  using ModuleHolder<Dropout3dImpl>::ModuleHolder;
  using Impl = Dropout3dImpl;
};

// y = x1^T A x2 + b, A (out, in1, in2) and b drawn from U(-1/sqrt(in1), 1/sqrt(in1)).
class BilinearImpl : public Cloneable<BilinearImpl> {
 public:
  BilinearImpl(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : BilinearImpl(BilinearOptions(in1_features, in2_features, out_features)) {}
  explicit BilinearImpl(const BilinearOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& s) const override;
  Tensor forward(const Tensor& input1, const Tensor& input2);
  BilinearOptions options;
  Tensor weight;
  Tensor bias;
};
class Bilinear : public ModuleHolder<BilinearImpl> {
 public:
  using ModuleHolder<BilinearImpl>::ModuleHolder;
  using Impl = BilinearImpl;
};

class TripletMarginWithDistanceLossImpl : public Cloneable<TripletMarginWithDistanceLossImpl> {
 public:
  explicit TripletMarginWithDistanceLossImpl(const TripletMarginWithDistanceLossOptions& options = {})
      : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override {
    s << std::boolalpha << "torch::nn::TripletMarginWithDistanceLoss(margin=" << options.margin()
      << ", swap=" << options.swap() << ")";
  }
  Tensor forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
    return functional::triplet_margin_with_distance_loss(anchor, positive, negative, options);
  }
  TripletMarginWithDistanceLossOptions options;
};
class TripletMarginWithDistanceLoss : public ModuleHolder<TripletMarginWithDistanceLossImpl> {
 public:
  using ModuleHolder<TripletMarginWithDistanceLossImpl>::ModuleHolder;
  using Impl = TripletMarginWithDistanceLossImpl;
};

namespace utils {
namespace rnn {
// The sequences (L_i, *) padded to the longest and stacked: (max L, B, *), or (B, max L, *).
inline Tensor pad_sequence(ArrayRef<Tensor> sequences, bool batch_first = false, double padding_value = 0) {
  return ember::pad_sequence(sequences, batch_first, padding_value);
}
}  // namespace rnn
}  // namespace utils

// clone() of each module here is compiled once, in src/nn/layer_instantiations.cpp (see Cloneable).
extern template class Cloneable<Dropout3dImpl>;
extern template class Cloneable<BilinearImpl>;
extern template class Cloneable<TripletMarginWithDistanceLossImpl>;

}  // namespace nn
// ATen's names for nn functionals (torch::linear, torch::instance_norm, torch::embedding_renorm).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                     const Tensor& running_var, bool use_input_stats, double momentum, double eps,
                     bool cudnn_enabled);
// embedding_renorm_ on a copy of self.
Tensor embedding_renorm(const Tensor& self, const Tensor& indices, double max_norm, double norm_type);

}  // namespace ember
