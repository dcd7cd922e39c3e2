// cosine_similarity, composed of public ops as PyTorch 1.13 composes it (grad_fn SumBackward1).
#include "ember/ops/distance.h"

#include "ops/util.h"

namespace ember {

Tensor cosine_similarity(const Tensor& x1_in, const Tensor& x2_in, int64_t dim, double eps) {
  const ScalarType ct = result_type(x1_in, x2_in);
  EMBER_CHECK(is_floating_type(ct), "expected common dtype to be floating point, yet common dtype is ", to_string(ct));
  const DimVector shape = broadcast_shapes(x1_in.sizes(), x2_in.sizes());
  const int64_t d = maybe_wrap_dim(dim, static_cast<int64_t>(shape.size()));
  auto prepare = [&](const Tensor& x) {
    Tensor c = x.dtype() == ct ? x : x.to(ct);
    return c.sizes() == shape.ref() ? c : c.expand(shape);
  };
  Tensor x1 = prepare(x1_in), x2 = prepare(x2_in);
  Tensor sq1 = x1.pow(2).sum({d}, true), sq2 = x2.pow(2).sum({d}, true);
  {
    // Clamped values, unclamped gradients: the clamp is invisible to autograd, as in PyTorch.
    NoGradGuard ng;
    sq1.clamp_min_(eps * eps);
    sq2.clamp_min_(eps * eps);
  }
  return x1.div(sq1.sqrt()).mul(x2.div(sq2.sqrt())).sum({d});
}

}  // namespace ember
