// The out-of-line parts of layers_more.h and pooling_unpool.h: Bilinear, gumbel_softmax, the
// triplet loss with a distance function, affine_grid's checks, the unpooling output size, and
// the ATen-named wrappers of nn functionals.
#include <algorithm>
#include <cmath>

#include "ember/nn/embedding_bag.h"
#include "ember/nn/init.h"
#include "ember/nn/instancenorm.h"
#include "ember/nn/layers_more.h"
#include "ember/nn/linear.h"
#include "ember/nn/pooling_unpool.h"
#include "ember/ops/embedding.h"
#include "ember/ops/loss_extra.h"
#include "ember/ops/factory.h"
#include "ember/ops/pointwise.h"

namespace ember {
namespace nn {

namespace functional {
namespace detail {
std::vector<int64_t> unpool_output_size(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                        IntArrayRef padding, const std::optional<std::vector<int64_t>>& output_size) {
  const size_t d = kernel_size.size();
  EMBER_CHECK(input.dim() >= static_cast<int64_t>(d), "max_unpool", d, "d: expected an input with at least ", d,
              " dimensions, got ", input.sizes());
  std::vector<int64_t> defaults;
  for (size_t j = 0; j < d; ++j)
    defaults.push_back((input.size(input.dim() - static_cast<int64_t>(d - j)) - 1) * stride[j] + kernel_size[j] -
                       2 * padding[j]);
  if (!output_size) return defaults;
  std::vector<int64_t> size;
  if (output_size->size() == d + 2) size.assign(output_size->begin() + 2, output_size->end());
  else if (output_size->size() == d) size = *output_size;
  EMBER_CHECK(size.size() == d, "output_size should be a sequence containing ", d, " or ", d + 2,
              " elements, but it has a length of '", size.size(), "'");
  for (size_t j = 0; j < d; ++j) {
    const int64_t lo = defaults[j] - stride[j], hi = defaults[j] + stride[j];
    EMBER_CHECK(lo <= size[j] && size[j] <= hi, "invalid output_size ", IntArrayRef(size), " (dim ", j,
                " must be between ", lo, " and ", hi, ")");
  }
  return size;
}
}  // namespace detail

Tensor gumbel_softmax(const Tensor& logits, const GumbelSoftmaxFuncOptions& options) {
  // LibTorch's message comes from the exponential sampler it draws the noise with.
  EMBER_CHECK(is_floating_type(logits.dtype()), "\"exponential_cpu\" not implemented for '", to_string(logits.dtype()),
              "'");
  Tensor gumbels;
  {
    NoGradGuard ng;
    // -log(E), E ~ Exp(1) = -log(1 - U); 1 - U lies in (0, 1], so E is finite.
    gumbels = rand_like(logits).neg().add(1).log().neg().log().neg();
  }
  Tensor y_soft = logits.add(gumbels).div(options.tau()).softmax(options.dim());
  if (!options.hard()) return y_soft;
  Tensor index = std::get<1>(y_soft.max(options.dim(), /*keepdim=*/true));
  Tensor y_hard = zeros_like(logits).scatter(options.dim(), index, 1.0);
  return y_hard.sub(y_soft.detach()).add(y_soft);
}

Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                         const TripletMarginWithDistanceLossFuncOptions& options) {
  auto distance = [&](const Tensor& a, const Tensor& b) {
    if (options.distance_function()) return (*options.distance_function())(a, b);
    return ember::pairwise_distance(a, b, 2.0, 1e-6, false);
  };
  Tensor pos = distance(anchor, positive);
  Tensor neg = distance(anchor, negative);
  if (options.swap()) neg = ember::minimum(neg, distance(positive, negative));
  Tensor loss = pos.sub(neg).add(options.margin()).clamp_min(0);
  switch (options.reduction()) {
    case Reduction::None: return loss;
    case Reduction::Sum: return loss.sum();
    default: return loss.mean();
  }
}

Tensor affine_grid(const Tensor& theta, const IntArrayRef& size, bool align_corners) {
  EMBER_CHECK(theta.is_floating_point(), "Expected theta to have floating point type, but got ", theta.dtype());
  if (size.size() == 4) {
    EMBER_CHECK(theta.dim() == 3 && theta.size(-2) == 2 && theta.size(-1) == 3,
                "Expected a batch of 2D affine matrices of shape Nx2x3 for size ", size, ". Got ", theta.sizes(), ".");
  } else if (size.size() == 5) {
    EMBER_CHECK(theta.dim() == 3 && theta.size(-2) == 3 && theta.size(-1) == 4,
                "Expected a batch of 3D affine matrices of shape Nx3x4 for size ", size, ". Got ", theta.sizes(), ".");
  } else {
    EMBER_CHECK(false, "affine_grid only supports 4D and 5D sizes, ", "for 2D and 3D affine transforms, respectively. ",
                "Got size ", size);
  }
  EMBER_CHECK(*std::min_element(size.begin(), size.end()) > 0, "Expected non-zero, positive output size. Got ", size);
  return ember::affine_grid_generator(theta, size, align_corners);
}
}  // namespace functional

BilinearImpl::BilinearImpl(const BilinearOptions& options_) : options(options_) { reset(); }

void BilinearImpl::reset() {
  EMBER_CHECK(options.in1_features() >= 0 && options.in2_features() >= 0 && options.out_features() >= 0,
              "Bilinear: the feature counts must be non-negative");
  weight = register_parameter("weight", empty({options.out_features(), options.in1_features(), options.in2_features()}));
  bias = register_parameter("bias", options.bias() ? empty({options.out_features()}) : Tensor(), options.bias());
  reset_parameters();
}

void BilinearImpl::reset_parameters() {
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

void BilinearImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::Bilinear(in1_features=" << options.in1_features()
    << ", in2_features=" << options.in2_features() << ", out_features=" << options.out_features()
    << ", bias=" << options.bias() << ")";
}

Tensor BilinearImpl::forward(const Tensor& input1, const Tensor& input2) {
  return functional::bilinear(input1, input2, weight, bias);
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& o) {
  EMBER_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  EmbeddingBag bag(EmbeddingBagOptions(embeddings.size(0), embeddings.size(1))
                       ._weight(embeddings)
                       .max_norm(o.max_norm())
                       .norm_type(o.norm_type())
                       .scale_grad_by_freq(o.scale_grad_by_freq())
                       .mode(o.mode())
                       .sparse(o.sparse())
                       .include_last_offset(o.include_last_offset())
                       .padding_idx(o.padding_idx()));
  bag->weight.set_requires_grad(!o.freeze());
  return bag;
}

}  // namespace nn

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return nn::functional::linear(input, weight, bias);
}

Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                     const Tensor& running_var, bool use_input_stats, double momentum, double eps, bool) {
  return nn::functional::detail::instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                                               momentum, eps);
}

Tensor embedding_renorm(const Tensor& self, const Tensor& indices, double max_norm, double norm_type) {
  Tensor out = self.clone();
  embedding_renorm_(out, indices, max_norm, norm_type);
  return out;
}

}  // namespace ember
