// The activations of activation_extra.h: one fused elementwise pass and one backward node each
// (named as PyTorch names them), gradients written with public ops; softsign and tanhshrink are
// compositions, as in PyTorch.
#include "ember/ops/activation_extra.h"

#include <array>
#include <cmath>

#include "ember/ops/activation.h"
#include "ember/ops/pointwise.h"

#include "ops/activation_grad.h"
#include "ops/util.h"

namespace ember {

namespace ops {
namespace {
// The node of an activation's first-order gradient (activation_grad), for double backward.
struct ActivationGradBackward final : Node {
  const char* name_;
  ActGrad f;
  ActGradSelf df;
  SavedVariable grad, self;
  ActParams params{};
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor s = self.unpack();
    Tensor dgrad, dself;
    if (should_compute_output(0)) dgrad = activation_grad(name_, f, df, g[0], s, params);
    if (should_compute_output(1)) dself = df ? df(g[0], grad.unpack(), s, params) : zeros_like(s);
    return {dgrad, dself};
  }
  void release_variables() override {
    grad.reset_data();
    self.reset_data();
  }
};
}  // namespace

Tensor activation_grad(const char* name, ActGrad f, ActGradSelf df, const Tensor& grad, const Tensor& self,
                       const ActParams& p) {
  if (!any_requires_grad(grad, self)) return f(grad, self, p);
  Tensor r;
  {
    NoGradGuard ng;
    r = f(grad, self, p);
  }
  auto n = make_node<ActivationGradBackward>(grad, self);
  n->name_ = name;
  n->f = f;
  n->df = df;
  if (df) n->grad = save(grad);
  n->self = save(self);
  n->params = p;
  set_history(r, n);
  return r;
}

Tensor elu_grad(const Tensor& g, const Tensor& x, const ActParams& p) {
  Tensor neg = (p[2] == 1 ? x : x.mul(p[2])).exp().mul(p[0] * p[1] * p[2]);
  return where(x.le(0), g.mul(neg), p[1] == 1 ? g : g.mul(p[1]));
}
Tensor elu_grad_self(const Tensor& gg, const Tensor& g, const Tensor& x, const ActParams& p) {
  // As PyTorch: elu_backward(gg * grad * input_scale, self) times (self < 0).
  return elu_grad(gg.mul(g).mul(p[2]), x, p).mul(x.lt(0).to(x.dtype()));
}
}  // namespace ops

namespace {

using Params = std::array<double, 3>;
using GradFormula = Tensor (*)(const Tensor& grad, const Tensor& self, const Params& p);

struct ElementwiseBackward final : Node {
  const char* name_;
  GradFormula formula;
  SavedVariable self;
  Params params{};
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {formula(g[0], self.unpack(), params)}; }
  void release_variables() override { self.reset_data(); }
};

// ATen's dispatch message names the CPU kernel ("softplus_cpu"), so `op` is that name.
void check_floating(const char* op, const Tensor& x) {
  EMBER_CHECK(is_floating_type(x.dtype()), "\"", op, "\" not implemented for '", to_string(x.dtype()), "'");
}

// out[i] = f(x[i]) in double, then rounded to x's dtype; records `formula` as the backward.
template <typename F>
Tensor elementwise(const char* op, const Tensor& x, const Params& params, const char* backward_name,
                   GradFormula formula, const F& f) {
  check_floating(op, x);
  Tensor out = new_tensor(x.sizes(), x.dtype());
  Tensor xc = contiguous_raw(x);
  visit_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<T, T>(out, [&](T v) { return static_cast<T>(f(static_cast<double>(v))); }, xc);
  });
  if (any_requires_grad(x)) {
    auto n = make_node<ElementwiseBackward>(x);
    n->name_ = backward_name;
    n->formula = formula;
    n->self = save(x);
    n->params = params;
    set_history(out, n);
  }
  return out;
}

// g where mask, 0 elsewhere (nan in g stays out of the zeroed places).
Tensor masked_grad(const Tensor& mask, const Tensor& g) { return where(mask, g, zeros_like(g)); }

double softplus_value(double v, double beta, double threshold) {
  return v * beta > threshold ? v : std::log1p(std::exp(v * beta)) / beta;
}

// ELU with a scale on the output and on the input (SELU and CELU are instances, as in ATen).
Tensor scaled_elu(const char* op, const Tensor& x, double alpha, double scale, double input_scale) {
  return elementwise(
      op, x, {alpha, scale, input_scale}, "EluBackward0",
      [](const Tensor& g, const Tensor& x, const Params& p) {
        return activation_grad("EluBackwardBackward0", elu_grad, elu_grad_self, g, x, p);
      },
      [alpha, scale, input_scale](double v) {
        return v > 0 ? scale * v : scale * alpha * std::expm1(v * input_scale);
      });
}

}  // namespace

Tensor softplus(const Tensor& x, const Scalar& beta, const Scalar& threshold) {
  const double b = beta.toDouble(), t = threshold.toDouble();
  return elementwise(
      "softplus_cpu", x, {b, t, 0}, "SoftplusBackward0",
      [](const Tensor& g, const Tensor& x, const Params& p) {
        return activation_grad(
            "SoftplusBackwardBackward0",
            [](const Tensor& g, const Tensor& x, const Params& p) {
              Tensor z = x.mul(p[0]);
              return where(z.gt(p[1]), g, g.mul(z.sigmoid()));
            },
            // PyTorch's softplus_double_backward: the sigmoid's derivative where beta * x < threshold.
            [](const Tensor& gg, const Tensor& g, const Tensor& x, const Params& p) {
              Tensor z = x.mul(p[0]);
              Tensor s = z.sigmoid();
              return gg.mul(g).mul(rsub(s, 1).mul(s)).mul(z.lt(p[1]).to(x.dtype())).mul(p[0]);
            },
            g, x, p);
      },
      [b, t](double v) { return softplus_value(v, b, t); });
}

Tensor hardtanh(const Tensor& x, const Scalar& min_val, const Scalar& max_val) {
  const double lo = min_val.toDouble(), hi = max_val.toDouble();
  if (!is_floating_type(x.dtype())) {
    // Integer tensors stay integer (LibTorch's hardtanh is a clamp).
    EMBER_CHECK(x.dtype() != kBool, "Bool inputs not supported for hardtanh");
    // LibTorch converts the limits to integers (toward zero) before its check: -0.5 is 0.
    const auto ilo = static_cast<int64_t>(lo), ihi = static_cast<int64_t>(hi);
    EMBER_CHECK(x.dtype() != kByte || (ilo >= 0 && ihi >= 0),
                "cannot do hardtanh on an unsigned type with negative limits");
    return clamp(x, Scalar(ilo), Scalar(ihi));
  }
  return elementwise(
      "hardtanh_cpu", x, {lo, hi, 0}, "HardtanhBackward0",
      // ATen's rule: 0 where x <= min_val or x >= max_val, so a NaN input passes the gradient.
      [](const Tensor& g, const Tensor& x, const Params& p) {
        return activation_grad(
            "HardtanhBackwardBackward0",
            [](const Tensor& g, const Tensor& x, const Params& p) {
              return masked_grad(x.le(p[0]).logical_or(x.ge(p[1])).logical_not(), g);
            },
            nullptr, g, x, p);
      },
      [lo, hi](double v) { return std::min(std::max(v, lo), hi); });
}

Tensor relu6(const Tensor& x) { return hardtanh(x, 0, 6); }

Tensor mish(const Tensor& x) {
  return elementwise(
      "mish_cpu", x, {}, "MishBackward0",
      [](const Tensor& g, const Tensor& x, const Params&) {
        Tensor t = softplus(x).tanh();
        return g.mul(t.add(x.mul(x.sigmoid()).mul(rsub(t.mul(t), 1))));
      },
      [](double v) { return v * std::tanh(softplus_value(v, 1, 20)); });
}

Tensor selu(const Tensor& x) {
  constexpr double alpha = 1.6732632423543772848170429916717;
  constexpr double scale = 1.0507009873554804934193349852946;
  return scaled_elu("elu_cpu", x, alpha, scale, 1.0);
}

Tensor celu(const Tensor& x, const Scalar& alpha) {
  const double a = alpha.toDouble();
  EMBER_CHECK(a != 0, "ZeroDivisionError: alpha cannot be 0 for CELU");
  return scaled_elu("elu_cpu", x, a, 1.0, 1.0 / a);
}

Tensor glu(const Tensor& x, int64_t dim) {
  // LibTorch spells "suppport" so; its message is kept word for word.
  EMBER_CHECK(x.dim() > 0, "glu does not suppport scalars because halving size must be even");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  const int64_t n = x.size(d);
  EMBER_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  Tensor a = x.narrow(d, 0, n / 2), b = x.narrow(d, n / 2, n / 2);
  return a.mul(b.sigmoid());
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  check_floating("prelu", x);
  EMBER_CHECK(weight.dim() <= 1, "prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = ", weight.dim());
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  const int64_t w = weight.numel();
  if (w != 1) {
    EMBER_CHECK(x.dim() > 0, "Not allow zero-dim input tensor.");
    EMBER_CHECK(channels == w, "Mismatch of parameter numbers and input channel size. Found parameter numbers = ", w,
                " and channel size = ", channels, ".");
  }
  Tensor wb = weight;
  if (w != 1 && x.dim() >= 2) {
    DimVector shape(static_cast<size_t>(x.dim()), 1);
    shape[1] = w;
    wb = weight.reshape(shape);
  } else if (w == 1) {
    wb = weight.reshape({});
  }
  // The weight multiplies only the non-positive part: x * weight for a positive x would give the
  // weight a gradient of 0 * x, NaN for x = inf (ATen's is 0 there).
  return where(x.gt(0), x, where(x.gt(0), Scalar(0.0), x).mul(wb));
}

Tensor log_sigmoid(const Tensor& x) {
  return elementwise(
      "log_sigmoid_cpu", x, {}, "LogSigmoidBackward0",
      [](const Tensor& g, const Tensor& x, const Params&) { return g.mul(x.neg().sigmoid()); },
      [](double v) { return std::min(v, 0.0) - std::log1p(std::exp(-std::abs(v))); });
}

Tensor threshold(const Tensor& x, const Scalar& threshold, const Scalar& value) {
  const double t = threshold.toDouble(), val = value.toDouble();
  if (!is_floating_type(x.dtype())) {
    EMBER_CHECK(x.dtype() != kBool, "\"threshold_cpu\" not implemented for 'Bool'");
    // ATen converts both numbers to the dtype, checked: -1.0 for uint8 is refused.
    check_value_fits(threshold, x.dtype());
    check_value_fits(value, x.dtype());
    return where(x.le(threshold), full_like(x, value), x);
  }
  return elementwise(
      "threshold_cpu", x, {t, val, 0}, "ThresholdBackward0",
      // ATen's rule, x <= threshold ? value : x, so a NaN input is kept and passes the gradient.
      [](const Tensor& g, const Tensor& x, const Params& p) { return threshold_backward(g, x, p[0]); },
      [t, val](double v) { return v <= t ? val : v; });
}

Tensor softsign(const Tensor& x) { return x.div(x.abs().add(1)); }

Tensor tanhshrink(const Tensor& x) { return x.sub(x.tanh()); }

Tensor softshrink(const Tensor& x, const Scalar& lambd) {
  const double l = lambd.toDouble();
  EMBER_CHECK(l >= 0, "lambda must be greater or equal to 0, but found to be ", lambd, ".");
  return elementwise(
      "softshrink_cpu", x, {l, 0, 0}, "SoftshrinkBackward0",
      [](const Tensor& g, const Tensor& x, const Params& p) {
        return masked_grad(x.ge(-p[0]).logical_and(x.le(p[0])).logical_not(), g);
      },
      // 0 between the bounds and for NaN, as ATen's kernel.
      [l](double v) { return v > l ? v - l : (v < -l ? v + l : 0.0); });
}

Tensor hardshrink(const Tensor& x, const Scalar& lambd) {
  const double l = lambd.toDouble();
  return elementwise(
      "hardshrink_cpu", x, {l, 0, 0}, "HardshrinkBackward0",
      [](const Tensor& g, const Tensor& x, const Params& p) {
        // ATen's scalar formula: zero where -lambda <= x <= lambda, so NaN passes the gradient
        // (its vectorised path gives 0 there: docs/COMPATIBILITY.md).
        return masked_grad(x.ge(-p[0]).logical_and(x.le(p[0])).logical_not(), g);
      },
      [l](double v) { return (v >= -l && v <= l) ? 0.0 : v; });
}

Tensor hardswish(const Tensor& x) {
  return elementwise(
      "hardswish_cpu", x, {}, "HardswishBackward0",
      [](const Tensor& g, const Tensor& x, const Params&) {
        Tensor inner = g.mul(x.div(3).add(0.5));
        return where(x.lt(-3), zeros_like(g), where(x.le(3), inner, g));
      },
      [](double v) { return v * std::min(std::max(v + 3, 0.0), 6.0) / 6; });
}

Tensor hardsigmoid(const Tensor& x) {
  return elementwise(
      "hardsigmoid_cpu", x, {}, "HardsigmoidBackward0",
      [](const Tensor& g, const Tensor& x, const Params&) {
        return masked_grad(x.gt(-3).logical_and(x.lt(3)), g.div(6));
      },
      [](double v) { return std::min(std::max(v + 3, 0.0), 6.0) / 6; });
}

Tensor rrelu(const Tensor& x, const Scalar& lower, const Scalar& upper, bool training) {
  const double lo = lower.toDouble(), hi = upper.toDouble();
  check_floating("rrelu_with_noise", x);
  EMBER_CHECK(lo <= hi, "Lower bound should be less than or equal to the upper bound");
  if (!training) return leaky_relu(x, (lo + hi) / 2);
  Tensor slope;
  {
    NoGradGuard ng;
    slope = rand_like(x).mul_(hi - lo).add_(lo);
  }
  return where(x.ge(0), x, x.mul(slope));
}

namespace {
// SELU's negative saturation value, -scale * alpha.
constexpr double kAlphaDropoutAlpha = 1.7580993408473766;

// keep ~ Bernoulli(1 - p) of `noise_shape`; out = x * a * keep + a * alpha * (p - 1 + keep)... written
// as x * (a keep) + b with b = alpha a (keep - 1) + alpha a p, which keeps mean 0 and variance 1.
Tensor alpha_dropout_impl(const Tensor& x, double p, bool train, bool feature) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (p == 0 || !train || x.numel() == 0) return x;
  if (p == 1) return x.mul(zeros({}, TensorOptions(x.dtype())));
  Tensor keep;
  {
    NoGradGuard ng;
    if (feature) {
      EMBER_CHECK(x.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
      DimVector sizes(static_cast<size_t>(x.dim()), 1);
      sizes[0] = x.size(0);
      sizes[1] = x.size(1);
      keep = empty(sizes, TensorOptions(x.dtype()));
    } else {
      keep = empty_like(x);
    }
    keep.bernoulli_(1 - p);
  }
  const double a = 1.0 / std::sqrt((kAlphaDropoutAlpha * kAlphaDropoutAlpha * p + 1) * (1 - p));
  Tensor shift = keep.sub(1).mul(kAlphaDropoutAlpha * a).add(kAlphaDropoutAlpha * a * p);
  return x.mul(keep.mul(a)).add(shift);
}
}  // namespace

Tensor alpha_dropout(const Tensor& x, double p, bool train) { return alpha_dropout_impl(x, p, train, false); }
Tensor feature_alpha_dropout(const Tensor& x, double p, bool train) { return alpha_dropout_impl(x, p, train, true); }

}  // namespace ember
