// nn::utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters.
#include "ember/nn/utils.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/reduction.h"
#include "ember/ops/shape.h"

namespace ember {
namespace nn {
namespace utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard ng;
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total;
  if (std::isinf(norm_type)) {
    total = 0;
    for (const auto& g : grads) total = std::max(total, g.abs().max().item<double>());
  } else {
    std::vector<Tensor> norms;
    for (const auto& g : grads) norms.push_back(g.norm(norm_type).to(kDouble).reshape({1}));
    total = cat(norms).norm(norm_type).item<double>();
  }
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total), "The total norm of order ", norm_type,
              " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and "
              "scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1)
    for (auto& g : grads) g.mul_(coef);
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard ng;
  for (const auto& p : parameters)
    if (p.grad().defined()) p.mutable_grad().clamp_(-clip_value, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  for (const auto& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  EMBER_CHECK(vec.dim() == 1, "expected torch.Tensor, but got: a tensor of ", vec.dim(), " dimensions");
  int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  EMBER_CHECK(total == vec.numel(), "vector_to_parameters: the vector has ", vec.numel(),
              " elements but the parameters need ", total);
  NoGradGuard ng;
  int64_t offset = 0;
  for (const auto& p : parameters) {
    p.set_data(vec.slice(0, offset, offset + p.numel()).reshape(p.sizes()).clone());
    offset += p.numel();
  }
}

}  // namespace utils
}  // namespace nn
}  // namespace ember
