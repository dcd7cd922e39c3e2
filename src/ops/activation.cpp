// Softmax and log-softmax (one fused, max-subtracted pass per row), parameterised activations,
// dropout and feature dropout; backward in public ops.
#include "ember/ops/activation.h"

#include <cmath>

#include "ember/ops/pointwise.h"

#include "kernels/cpu/elementwise.h"
#include "ops/activation_grad.h"
#include "ops/elementwise.h"
#include "ops/util.h"

namespace ember {

namespace {

struct SoftmaxBackward final : Node {
  bool log;
  int64_t dim;
  ScalarType dtype;
  SavedVariable result;
  std::string name() const override { return log ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
  variable_list apply(variable_list&& g) override {
    Tensor y = result.unpack(this);
    Tensor r = log ? g[0].sub(y.exp().mul(g[0].sum({dim}, true)))
                   : g[0].sub(g[0].mul(y).sum({dim}, true)).mul(y);
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override { result.reset_data(); }
};

Tensor softmax_impl(const Tensor& x_in, int64_t dim, std::optional<ScalarType> dtype, bool log) {
  Tensor x = dtype ? x_in.to(*dtype) : x_in;
  EMBER_CHECK(is_floating_type(x.dtype()), log ? "\"log_softmax_lastdim_kernel_impl\"" : "\"softmax_lastdim_kernel_impl\"",
              " not implemented for '", to_string(x.dtype()), "'");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  Tensor xc = contiguous_raw(x);
  Tensor out = new_tensor(x.sizes(), x.dtype());
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  visit_floating(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* p = xc.data_ptr<T>();
    T* o = out.data_ptr<T>();
    if (inner == 1) {  // rows along the last dim: the fused SIMD kernel
      kernels::parallel_for(0, outer, std::max<int64_t>(1, kernels::kGrain / std::max<int64_t>(n, 1)),
                            [&](int64_t b, int64_t e) { kernels::softmax_rows(p + b * n, o + b * n, e - b, n, log); });
      return;
    }
    kernels::parallel_for(0, outer * inner, 256, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t base = (r / inner) * n * inner + r % inner;
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t k = 0; k < n; ++k) mx = std::max(mx, p[base + k * inner]);
        // A row of -inf keeps a finite shift (its result is NaN either way); +inf is not shifted away,
        // so inf - inf makes the whole row NaN, as in PyTorch.
        if (mx == -std::numeric_limits<T>::infinity()) mx = 0;
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(p[base + k * inner] - mx));
        if (log) {
          const T lse = static_cast<T>(std::log(sum));
          for (int64_t k = 0; k < n; ++k) o[base + k * inner] = p[base + k * inner] - mx - lse;
        } else {
          for (int64_t k = 0; k < n; ++k)
            o[base + k * inner] = static_cast<T>(std::exp(static_cast<double>(p[base + k * inner] - mx)) / sum);
        }
      }
    });
  });
  if (any_requires_grad(x)) {
    auto node = make_node<SoftmaxBackward>(x);
    node->log = log;
    node->dim = d;
    node->dtype = x.dtype();
    node->result = save_output(out);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) { return softmax_impl(x, dim, dtype, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(x, dim, dtype, true);
}

namespace {
using ParamFormula = Tensor (*)(const Tensor& grad, const Tensor& self, double param);

// Backward of an activation with one numeric parameter, computed from the saved input.
struct ActivationBackward final : Node {
  const char* name_;
  ParamFormula formula;
  SavedVariable self;
  double param = 0;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override { return {formula(g[0], self.unpack(), param)}; }
  void release_variables() override { self.reset_data(); }
};

template <typename F>
Tensor activation(const char* op, const Tensor& x, double param, const char* backward_name, ParamFormula formula,
                  const F& f, std::optional<kernels::UnaryOp> simd = std::nullopt) {
  EMBER_CHECK(is_floating_type(x.dtype()), "\"", op, "\" not implemented for '", to_string(x.dtype()), "'");
  Tensor out = new_tensor(x.sizes(), x.dtype());
  Tensor xc = contiguous_raw(x);
  if (!(simd && kernels::unary(*simd, out, xc))) visit_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::pointwise<T, T>(out, [&](T v) { return static_cast<T>(f(static_cast<double>(v))); }, xc);
  });
  if (any_requires_grad(x)) {
    auto n = make_node<ActivationBackward>(x);
    n->name_ = backward_name;
    n->formula = formula;
    n->self = save(x);
    n->param = param;
    set_history(out, n);
  }
  return out;
}

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1 / sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kGeluCubic = 0.044715;
}  // namespace

Tensor leaky_relu(const Tensor& x, const Scalar& negative_slope) {
  const double s = negative_slope.toDouble();
  return activation(
      "leaky_relu", x, s, "LeakyReluBackward0",
      [](const Tensor& g, const Tensor& x, double s) {
        return activation_grad(
            "LeakyReluBackwardBackward0",
            [](const Tensor& g, const Tensor& x, const ActParams& p) { return where(x.gt(0), g, g.mul(p[0])); },
            nullptr, g, x, {s, 0, 0});
      },
      [s](double v) { return v > 0 ? v : v * s; });
}

Tensor elu(const Tensor& x, const Scalar& alpha) {
  const double a = alpha.toDouble();
  return activation(
      "elu", x, a, "EluBackward0",
      // ATen's rule: the negative branch where x <= 0, so a NaN input passes the gradient.
      [](const Tensor& g, const Tensor& x, double a) {
        return activation_grad("EluBackwardBackward0", elu_grad, elu_grad_self, g, x, {a, 1, 1});
      },
      [a](double v) { return v > 0 ? v : a * std::expm1(v); });
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  EMBER_CHECK(approximate == "none" || approximate == "tanh", "approximate argument must be either none or tanh.");
  if (approximate == "none") {
    return activation(
        "gelu", x, 0, "GeluBackward0",
        [](const Tensor& g, const Tensor& x, double) {
          Tensor fused = ops::fused_backward(kernels::UnaryOp::GeluErfBackward, g, x);
          if (fused.defined()) return fused;
          Tensor cdf = x.div(kSqrt2).erf().add(1).mul(0.5);
          Tensor pdf = x.mul(x).mul(-0.5).exp().mul(kInvSqrt2Pi);
          return g.mul(cdf.add(x.mul(pdf)));
        },
        [](double v) { return 0.5 * v * (1 + std::erf(v / kSqrt2)); }, kernels::UnaryOp::GeluErf);
  }
  return activation(
      "gelu", x, 1, "GeluBackward0",
      [](const Tensor& g, const Tensor& x, double) {
        Tensor x2 = x.mul(x);
        Tensor t = x.add(x2.mul(x).mul(kGeluCubic)).mul(kSqrt2OverPi).tanh();
        Tensor dinner = x2.mul(3 * kGeluCubic).add(1).mul(kSqrt2OverPi);
        Tensor left = t.add(1).mul(0.5);
        Tensor right = x.mul(0.5).mul(rsub(t.mul(t), 1)).mul(dinner);
        return g.mul(left.add(right));
      },
      // 0.5 v (1 + tanh u) written as v / (1 + exp(-2u)): the same value without the cancellation
      // of 1 + tanh u for negative v (the SIMD kernel computes the same form).
      [](double v) { return v / (1 + std::exp(-2 * kSqrt2OverPi * (v + kGeluCubic * v * v * v))); },
      kernels::UnaryOp::GeluTanh);
}

Tensor silu(const Tensor& x) {
  return activation("silu", x, 0, "SiluBackward0",
                    [](const Tensor& g, const Tensor& x, double) {
                      Tensor s = x.sigmoid();
                      return g.mul(s.mul(x.mul(rsub(s, 1)).add(1)));
                    },
                    [](double v) { return v / (1 + std::exp(-v)); }, kernels::UnaryOp::Silu);
}

Tensor dropout(const Tensor& x, double p, bool train) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (!train || p == 0) return x;
  if (p == 1) return x.mul(zeros_like(x));
  Tensor mask = empty_like(x);
  {
    NoGradGuard ng;
    mask.bernoulli_(1 - p);
    mask.div_(1 - p);
  }
  return x.mul(mask);
}

namespace {
// Feature dropout: one Bernoulli(1 - p) draw per (sample, channel), scaled by 1 / (1 - p) and
// broadcast over the remaining dims; drawn in (N, C) order as PyTorch does, so seeds agree.
Tensor feature_noise(const Tensor& x, double p) {
  EMBER_CHECK(x.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
  DimVector sizes(static_cast<size_t>(x.dim()), 1);
  sizes[0] = x.size(0);
  sizes[1] = x.size(1);
  Tensor noise = empty(sizes, TensorOptions(x.dtype()));
  NoGradGuard ng;
  noise.bernoulli_(1 - p);
  noise.div_(1 - p);
  return noise;
}
}  // namespace

Tensor feature_dropout(const Tensor& x, double p, bool train) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (!train || p == 0 || x.numel() == 0) return x;
  if (p == 1) return x.mul(zeros({}, TensorOptions(x.dtype())));
  return x.mul(feature_noise(x, p));
}

Tensor& feature_dropout_(Tensor& x, double p, bool train) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
  if (!train || p == 0 || x.numel() == 0) return x;
  if (p == 1) return x.mul_(zeros({}, TensorOptions(x.dtype())));
  return x.mul_(feature_noise(x, p));
}

}  // namespace ember
