// Pointwise unary math (exp, log, trig, sigmoid, relu, rounding, ...): one table row per op
// gives its PyTorch backward name and gradient formula.
#include <cmath>

#include "ops/elementwise.h"

namespace ember {

// ---------------------------------------------------------------- unary math

namespace {
template <typename F>
Tensor unary_float_op(const char* op, const Tensor& x, const UnaryDef& def, const F& f,
                      std::optional<kernels::UnaryOp> simd = std::nullopt) {
  Tensor r = unary_kernel(op, x, float_of(x), f, simd);
  if (any_requires_grad(x)) record_unary(r, x, def);
  return r;
}

Tensor zeros_grad(const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); }

const UnaryDef kNeg{"NegBackward0", [](const Tensor& g, const Tensor&, const Tensor&) { return g.neg(); }, false, false};
const UnaryDef kExp{"ExpBackward0", [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r); }, false, true};
const UnaryDef kLog{"LogBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(s); }, true, false};
const UnaryDef kLog1p{"Log1PBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.div(s.add(1)); },
                      true, false};
const UnaryDef kSqrt{"SqrtBackward0", [](const Tensor& g, const Tensor&, const Tensor& r) { return g.div(r.mul(2)); },
                     false, true};
const UnaryDef kRsqrt{"RsqrtBackward0",
                      [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r.pow(3)).mul(-0.5); }, false,
                      true};
const UnaryDef kAbs{"AbsBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.sign()); },
                    true, false};
const UnaryDef kSign{"SignBackward0", zeros_grad, false, false};
const UnaryDef kSin{"SinBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.cos()); }, true,
                    false};
const UnaryDef kCos{"CosBackward0", [](const Tensor& g, const Tensor& s, const Tensor&) { return g.mul(s.sin().neg()); },
                    true, false};
const UnaryDef kTanh{"TanhBackward0",
                     [](const Tensor& g, const Tensor&, const Tensor& r) {
                       Tensor o = fused_backward(kernels::UnaryOp::TanhBackward, g, r);
                       return o.defined() ? o : g.mul(rsub(r.mul(r), 1));
                     },
                     false,
                     true};
const UnaryDef kSigmoid{"SigmoidBackward0",
                        [](const Tensor& g, const Tensor&, const Tensor& r) {
                          Tensor o = fused_backward(kernels::UnaryOp::SigmoidBackward, g, r);
                          return o.defined() ? o : g.mul(r).mul(rsub(r, 1));
                        },
                        false,
                        true};
const UnaryDef kRelu{"ReluBackward0",
                     [](const Tensor& g, const Tensor&, const Tensor& r) {
                       Tensor o = fused_backward(kernels::UnaryOp::ReluBackward, g, r);
                       return o.defined() ? o : threshold_backward(g, r, 0);
                     },
                     false, true};
const UnaryDef kReciprocal{"ReciprocalBackward0",
                           [](const Tensor& g, const Tensor&, const Tensor& r) { return g.mul(r.mul(r)).neg(); }, false,
                           true};
const UnaryDef kErf{"ErfBackward0",
                    [](const Tensor& g, const Tensor& s, const Tensor&) {
                      return g.mul(s.mul(s).neg().exp().mul(1.1283791670955126));  // 2/sqrt(pi)
                    },
                    true, false};
const UnaryDef kFloor{"FloorBackward0", zeros_grad, false, false};
const UnaryDef kCeil{"CeilBackward0", zeros_grad, false, false};
const UnaryDef kRound{"RoundBackward0", zeros_grad, false, false};
}  // namespace

Tensor neg(const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool,
              "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
              "the `~` or `logical_not()` operator instead.");
  Tensor r = unary_kernel("neg", x, x.dtype(), [](auto v) { return -v; }, kernels::UnaryOp::Neg);
  if (any_requires_grad(x)) record_unary(r, x, kNeg);
  return r;
}
Tensor exp(const Tensor& x) {
  return unary_float_op("exp", x, kExp, [](auto v) { return std::exp(v); }, kernels::UnaryOp::Exp);
}
Tensor log(const Tensor& x) {
  return unary_float_op("log", x, kLog, [](auto v) { return std::log(v); }, kernels::UnaryOp::Log);
}
Tensor log1p(const Tensor& x) {
  return unary_float_op("log1p", x, kLog1p, [](auto v) { return std::log1p(v); });
}
Tensor sqrt(const Tensor& x) {
  return unary_float_op("sqrt", x, kSqrt, [](auto v) { return std::sqrt(v); }, kernels::UnaryOp::Sqrt);
}
Tensor rsqrt(const Tensor& x) {
  return unary_float_op("rsqrt", x, kRsqrt, [](auto v) { return decltype(v)(1) / std::sqrt(v); });
}
Tensor sin(const Tensor& x) {
  return unary_float_op("sin", x, kSin, [](auto v) { return std::sin(v); });
}
Tensor cos(const Tensor& x) {
  return unary_float_op("cos", x, kCos, [](auto v) { return std::cos(v); });
}
Tensor tanh(const Tensor& x) {
  return unary_float_op("tanh", x, kTanh, [](auto v) { return std::tanh(v); }, kernels::UnaryOp::Tanh);
}
Tensor sigmoid(const Tensor& x) {
  return unary_float_op(
      "sigmoid", x, kSigmoid,
      [](auto v) {
        using T = decltype(v);
        return T(1) / (T(1) + std::exp(-v));
      },
      kernels::UnaryOp::Sigmoid);
}
Tensor erf(const Tensor& x) {
  return unary_float_op("erf", x, kErf, [](auto v) { return std::erf(v); });
}
Tensor reciprocal(const Tensor& x) {
  return unary_float_op("reciprocal", x, kReciprocal, [](auto v) { return decltype(v)(1) / v; });
}
Tensor abs(const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool, "\"abs_cpu\" not implemented for 'Bool'");
  // Floating values through std::abs: abs(-0.0) is 0.0 and abs(-nan) is nan, as in PyTorch.
  Tensor r = unary_kernel(
      "abs", x, x.dtype(),
      [](auto v) {
        if constexpr (std::is_unsigned_v<decltype(v)> || std::is_same_v<decltype(v), bool>) return v;
        else if constexpr (std::is_floating_point_v<decltype(v)>) return std::abs(v);
        else return v < 0 ? -v : v;
      },
      kernels::UnaryOp::Abs);
  if (any_requires_grad(x)) record_unary(r, x, kAbs);
  return r;
}
Tensor sign(const Tensor& x) {
  Tensor r = unary_kernel("sign", x, x.dtype(), [](auto v) {
    using T = decltype(v);
    return static_cast<T>((T(0) < v) - (v < T(0)));
  });
  if (any_requires_grad(x)) record_unary(r, x, kSign);
  return r;
}
Tensor relu(const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool, "\"clamp_min_cpu\" not implemented for 'Bool'");
  // NaN is kept (a NaN compares false with 0), as PyTorch's relu does.
  Tensor r = unary_kernel(
      "relu", x, x.dtype(), [](auto v) { return v <= decltype(v)(0) ? decltype(v)(0) : v; }, kernels::UnaryOp::Relu);
  if (any_requires_grad(x)) record_unary(r, x, kRelu);
  return r;
}
namespace {
struct ThresholdBackwardBackward0 final : NamedNode<"ThresholdBackwardBackward0"> {
  SavedVariable self;
  Scalar threshold;
  variable_list apply(variable_list&& g) override {
    Tensor s = self.unpack();
    return {should_compute_output(0) ? threshold_backward(g[0], s, threshold) : Tensor(),
            should_compute_output(1) ? zeros_like(s) : Tensor()};
  }
  void release_variables() override { self.reset_data(); }
};
}  // namespace

Tensor threshold_backward(const Tensor& grad_output, const Tensor& self, const Scalar& threshold) {
  // One pass: the gradient where self > threshold, 0 elsewhere. A NaN in self lets the gradient
  // through (NaN <= threshold is false), as PyTorch's does.
  const ScalarType dt = result_type(self, grad_output);
  Tensor r = visit_dtype(dt, "threshold_backward", [&](auto tag) {
    using T = decltype(tag);
    const T t = threshold.to<T>();
    return binary_kernel("threshold_backward", grad_output, self, dt, dt, Tensor(),
                         [t](auto g, auto v) { return v <= t ? decltype(g)(0) : g; });
  });
  if (any_requires_grad(grad_output, self)) {
    auto n = make_node<ThresholdBackwardBackward0>(grad_output, self);
    n->self = save(self);
    n->threshold = threshold;
    set_history(r, n);
  }
  return r;
}

namespace {
template <typename F>
Tensor rounding(const char* op, const Tensor& x, const UnaryDef& def, const F& f) {
  EMBER_CHECK(x.dtype() != kBool, "\"", op, "_vml_cpu\" not implemented for 'Bool'");
  if (!is_floating_type(x.dtype())) return x.clone();
  Tensor r = unary_kernel(op, x, x.dtype(), f);
  if (any_requires_grad(x)) record_unary(r, x, def);
  return r;
}
}  // namespace
Tensor floor(const Tensor& x) {
  return rounding("floor", x, kFloor, [](auto v) { return std::floor(v); });
}
Tensor ceil(const Tensor& x) {
  return rounding("ceil", x, kCeil, [](auto v) { return std::ceil(v); });
}
Tensor round(const Tensor& x) {
  return rounding("round", x, kRound, [](auto v) { return std::nearbyint(v); });
}
Tensor square(const Tensor& x) { return pow(x, 2); }

namespace {
// In-place form of a unary op: computed out of place, then written back with self's new history.
// When the backward needs the input (log, abs), a graph-recording call runs on a copy of it, so
// the write does not invalidate what the backward saved (PyTorch saves the original self too).
Tensor& inplace_unary(Tensor& self, Tensor (*op)(const Tensor&), bool backward_reads_input) {
  autograd::check_inplace(self);
  const bool keep_input = backward_reads_input && GradMode::is_enabled() && self.requires_grad();
  return assign_inplace(self, op(keep_input ? self.clone() : self));
}
}  // namespace

Tensor& Tensor::neg_() const { return inplace_unary(mutable_self(), ember::neg, false); }
Tensor& Tensor::exp_() const { return inplace_unary(mutable_self(), ember::exp, false); }
Tensor& Tensor::log_() const { return inplace_unary(mutable_self(), ember::log, true); }
Tensor& Tensor::sqrt_() const { return inplace_unary(mutable_self(), ember::sqrt, false); }
Tensor& Tensor::abs_() const { return inplace_unary(mutable_self(), ember::abs, true); }
Tensor& Tensor::tanh_() const { return inplace_unary(mutable_self(), ember::tanh, false); }
Tensor& Tensor::sigmoid_() const { return inplace_unary(mutable_self(), ember::sigmoid, false); }
Tensor& Tensor::relu_() const { return inplace_unary(mutable_self(), ember::relu, false); }

}  // namespace ember
