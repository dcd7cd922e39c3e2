// ATen's in-place activation functions: the out-of-place op, written back into self.
#include "ember/ops/activation_inplace.h"

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"
#include "ember/ops/activation.h"
#include "ember/ops/activation_extra.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/pointwise_math.h"
#include "ops/elementwise.h"

namespace ember {
namespace {
// The op runs on a copy of self when self's history will need it, so the write cannot change what
// the op's backward saved (as for the in-place unary ops).
template <typename Op>
Tensor& activate_inplace(Tensor& self, Op op) {
  autograd::check_inplace(self);
  const bool keep_input = GradMode::is_enabled() && self.requires_grad();
  return assign_inplace(self, op(keep_input ? self.clone() : self));
}
}  // namespace

Tensor& relu_(Tensor& self) { return self.relu_(); }
Tensor& relu6_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return relu6(x); }); }
Tensor& elu_(Tensor& self, const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  return activate_inplace(self, [&](const Tensor& x) {
    if (scale.to<double>() == 1.0 && input_scale.to<double>() == 1.0) return elu(x, alpha);
    // ATen's general form: scale x where x > 0, scale alpha (exp(input_scale x) - 1) elsewhere.
    return where(x > 0, x * scale, expm1(x * input_scale) * (alpha.to<double>() * scale.to<double>()));
  });
}
Tensor& celu_(Tensor& self, const Scalar& alpha) {
  return activate_inplace(self, [&](const Tensor& x) { return celu(x, alpha); });
}
Tensor& selu_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return selu(x); }); }
Tensor& silu_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return silu(x); }); }
Tensor& gelu_(Tensor& self, const std::string& approximate) {
  return activate_inplace(self, [&](const Tensor& x) { return gelu(x, approximate); });
}
Tensor& mish_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return mish(x); }); }
Tensor& hardsigmoid_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return hardsigmoid(x); }); }
Tensor& hardswish_(Tensor& self) { return activate_inplace(self, [](const Tensor& x) { return hardswish(x); }); }
Tensor& hardtanh_(Tensor& self, const Scalar& min_val, const Scalar& max_val) {
  return activate_inplace(self, [&](const Tensor& x) { return hardtanh(x, min_val, max_val); });
}
Tensor& leaky_relu_(Tensor& self, const Scalar& negative_slope) {
  return activate_inplace(self, [&](const Tensor& x) { return leaky_relu(x, negative_slope); });
}
Tensor& threshold_(Tensor& self, const Scalar& threshold, const Scalar& value) {
  return activate_inplace(self, [&](const Tensor& x) { return ember::threshold(x, threshold, value); });
}

}  // namespace ember
