// Losses: nodes of their own where PyTorch has one (mse, bce, bce with logits, nll, smooth L1,
// huber), compositions of public ops where PyTorch composes too (l1, kl_div, margin losses).
#include "ember/ops/loss.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/loss.h"
#include "ops/util.h"

namespace ember {

namespace {
Tensor reduce_loss(const Tensor& loss, int64_t reduction) {
  return reduction == Reduction::None ? loss : reduction == Reduction::Sum ? loss.sum() : loss.mean();
}

// Losses of d = input - target: a bool operand beside a number tensor is promoted first (it cannot
// require grad), since bool subtraction is refused; two bools stay refused, as in LibTorch.
Tensor without_bool(const Tensor& t, const Tensor& other) {
  return t.dtype() == kBool && other.dtype() != kBool ? t.to(result_type(t, other)) : t;
}

// A weight must broadcast to the input's shape without growing it (PyTorch multiplies it in place).
void check_fits(const Tensor& w, const Tensor& input, bool input_first) {
  if (!w.defined()) return;
  DimVector s = input_first ? broadcast_shapes(input.sizes(), w.sizes()) : broadcast_shapes(w.sizes(), input.sizes());
  EMBER_CHECK(s.ref() == input.sizes(), "output with shape ", input.sizes(), " doesn't match the broadcast shape ", s);
}
void check_not_differentiable(const char* op, const Tensor& t, const char* arg) {
  EMBER_CHECK(!t.defined() || !t.requires_grad(), "The function '", op,
              "' is not differentiable with respect to argument '", arg, "'. This input cannot have requires_grad True.");
}

// Shared part of losses of d = input - target: the saved pair, and the gradient of d sent to both
// inputs (negated for the target), reduced to their shapes.
struct PairLossBackward : Node {
  SavedVariable self, target;
  int64_t reduction;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  void record(const Tensor& out, const Tensor& input, const Tensor& tgt, int64_t red) {
    self = save(input);
    target = save(tgt);
    reduction = red;
    a_sizes = input.sizes();
    b_sizes = tgt.sizes();
    a_dtype = input.dtype();
    b_dtype = tgt.dtype();
    set_history(out, intrusive_ptr<Node>(this));
  }
  // The gradients from d(loss)/d(input - target): the target's is its negation.
  variable_list to_inputs(const Tensor& grad_d) {
    return to_inputs(grad_d, [&] { return grad_d.neg(); });
  }
  // ... or, where the formula is not odd at one point, the target's computed by `grad_target`.
  template <typename F>
  variable_list to_inputs(const Tensor& grad_input, const F& grad_target) {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(grad_input, a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(grad_target(), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    target.reset_data();
  }
};

struct MseLossBackward0 final : PairLossBackward {
  std::string name() const override { return "MseLossBackward0"; }
  variable_list apply(variable_list&& g) override {
    Tensor diff = self.unpack().sub(target.unpack());
    double scale = reduction == Reduction::Mean ? 2.0 / static_cast<double>(diff.numel()) : 2.0;
    return to_inputs(diff.mul(scale).mul(g[0]));
  }
};
}  // namespace

Tensor mse_loss(const Tensor& input_arg, const Tensor& target_arg, int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "mse_loss: ", reduction, " is not a valid value for reduction");
  const Tensor input = without_bool(input_arg, target_arg), target = without_bool(target_arg, input_arg);
  Tensor out;
  {
    NoGradGuard ng;
    out = reduce_loss(input.sub(target).square(), reduction);
  }
  if (any_requires_grad(input, target)) make_node<MseLossBackward0>(input, target)->record(out, input, target, reduction);
  return out;
}

namespace {
struct BinaryCrossEntropyBackward0 final : NamedNode<"BinaryCrossEntropyBackward0"> {
  SavedVariable self, target, weight;
  int64_t reduction;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), t = target.unpack(), w = weight.unpack();
    Tensor scale = reduction == Reduction::Mean ? g[0].div(static_cast<double>(x.numel())) : g[0];
    Tensor gx, gt;
    if (should_compute_output(0)) {
      // (x - t) / max(x (1 - x), 1e-12), PyTorch's formula.
      gx = x.sub(t).div(x.mul(rsub(x, 1)).clamp_min(1e-12)).mul(scale);
      if (w.defined()) gx = gx.mul(w);
    }
    if (should_compute_output(1)) {
      gt = x.log().clamp_min(-100).sub(rsub(x, 1).log().clamp_min(-100)).neg().mul(scale);
      if (w.defined()) gt = gt.mul(w);
    }
    return {gx, gt};
  }
  void release_variables() override {
    self.reset_data();
    target.reset_data();
    weight.reset_data();
  }
};
}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "binary_cross_entropy: ", reduction, " is not a valid value for reduction");
  EMBER_CHECK(input.sizes() == target.sizes(), "Using a target size (torch.Size(", target.sizes(),
              ")) that is different to the input size (torch.Size(", input.sizes(),
              ")) is deprecated. Please ensure they have the same size.");
  EMBER_CHECK(input.is_floating_point(), "binary_cross_entropy: expected a floating point input, got ",
              to_string(input.dtype()));
  {
    NoGradGuard ng;
    EMBER_CHECK(logical_and(input.ge(0), input.le(1)).all().item<bool>(),
                "all elements of input should be between 0 and 1");
    check_fits(weight, input, false);
  }
  check_not_differentiable("binary_cross_entropy", weight, "weight");
  Tensor out;
  {
    NoGradGuard ng;
    Tensor t = target.to(input.dtype());
    Tensor loss = t.mul(input.log().clamp_min(-100)).add(rsub(t, 1).mul(rsub(input, 1).log().clamp_min(-100))).neg();
    if (weight.defined()) loss = loss.mul(weight);
    out = reduce_loss(loss, reduction);
  }
  if (any_requires_grad(input, target)) {
    auto n = make_node<BinaryCrossEntropyBackward0>(input, target);
    n->self = save(input);
    n->target = save(target);
    n->weight = save(weight);
    n->reduction = reduction;
    set_history(out, n);
  }
  return out;
}

namespace {
// NllLossBackward0, or NllLoss2DBackward0 when PyTorch would use its spatial kernel.
struct NllLossBackward final : Node {
  const char* name_;
  SavedVariable picked_weight;  // -w[t] (-0 where ignored), per row
  SavedVariable target;         // targets with ignored entries replaced by 0
  Tensor total_weight;          // mean's denominator (no history); undefined for the other reductions
  DimVector in_sizes;
  int64_t reduction;
  variable_list apply(variable_list&& g) override {
    Tensor pw = picked_weight.unpack(), t = target.unpack();
    // The gradient is linear in g: under create_graph, with g requiring grad, it is recorded op by
    // op; otherwise one loop writes it.
    if (!(GradMode::is_enabled() && g[0].requires_grad()) && g[0].dtype() == pw.dtype()) {
      Tensor grad = zeros(in_sizes, TensorOptions(pw.dtype()));
      // pw and t were made by nll_loss_2d, contiguous.
      const Tensor& gg = g[0];
      const int64_t n = in_sizes[0], gs = gg.dim() == 0 ? 0 : gg.stride(0);
      visit_floating(pw.dtype(), "nll_loss_backward", [&](auto tag) {
        using T = decltype(tag);
        const T* total = reduction == Reduction::Mean ? total_weight.data_ptr<T>() : nullptr;
        kernels::nll_backward_rows(grad.data_ptr<T>(), in_sizes[1], t.data_ptr<int64_t>(), pw.data_ptr<T>(),
                                   gg.data_ptr<T>(), gs, n, total);
      });
      return {grad};
    }
    Tensor coef = pw.mul(g[0]);
    // A mean over zero total weight (every target ignored) sends no gradient, as ATen.
    if (reduction == Reduction::Mean) coef = where(total_weight.eq(0.0), 0.0, coef.div(total_weight));
    Tensor grad = zeros(in_sizes, TensorOptions(coef.dtype())).scatter(1, t.unsqueeze(1), coef.unsqueeze(1));
    return {grad};
  }
  std::string name() const override { return name_; }
  void release_variables() override {
    picked_weight.reset_data();
    target.reset_data();
  }
};

// nll_loss on input (N, C) and target (N, int64); `spatial` where PyTorch would use its spatial
// kernel (an input of more than two dims), which names the node and the error.
Tensor nll_loss_2d(const Tensor& x, const Tensor& t, const Tensor& weight, int64_t reduction, int64_t ignore_index,
                   bool spatial = false) {
  const int64_t n = x.size(0), c = x.size(1);
  const char* name = spatial ? "NllLoss2DBackward0" : "NllLossBackward0";
  // LibTorch's kernel's name, in its message for an integer or bool input (checked first, as its
  // dispatch on the dtype comes before the targets).
  const char* kernel = spatial ? "nll_loss2d_forward_out_frame" : "nll_loss_out_frame";
  EMBER_CHECK(x.dtype() == kFloat || x.dtype() == kDouble, "\"", kernel, "\" not implemented for '",
              to_string(x.dtype()), "'");
  Tensor tc = contiguous(t);
  const int64_t bad = kernels::nll_first_bad_target(tc.data_ptr<int64_t>(), n, c, ignore_index);
  EMBER_CHECK(bad < 0, "Target ", bad < 0 ? 0 : tc.data_ptr<int64_t>()[bad], " is out of bounds.");
  const TensorOptions opts(x.dtype());
  // The weights themselves only for a mean's denominator.
  Tensor safe_t = empty({n}, TensorOptions(kLong)), neg_w = empty({n}, opts), losses = empty({n}, opts),
         w = reduction == Reduction::Mean ? empty({n}, opts) : Tensor();
  Tensor total, out;
  {
    NoGradGuard ng;
    Tensor wc = weight.defined() ? contiguous(weight.to(x.dtype())) : Tensor();
    visit_floating(x.dtype(), kernel, [&](auto tag) {
      using T = decltype(tag);
      kernels::nll_rows(x.data_ptr<T>(), x.stride(0), x.stride(1), tc.data_ptr<int64_t>(),
                        wc.defined() ? wc.data_ptr<T>() : nullptr, n, ignore_index, safe_t.data_ptr<int64_t>(),
                        w.defined() ? w.data_ptr<T>() : nullptr, neg_w.data_ptr<T>(), losses.data_ptr<T>());
    });
    if (reduction == Reduction::Mean) total = w.sum();
    out = reduction == Reduction::None ? losses : reduction == Reduction::Sum ? losses.sum() : losses.sum().div(total);
  }
  if (any_requires_grad(x)) {
    auto node = make_node<NllLossBackward>(x);
    node->name_ = name;
    node->picked_weight = save(neg_w);
    node->target = save(safe_t);
    node->total_weight = total;
    node->in_sizes = x.sizes();
    node->reduction = reduction;
    set_history(out, node);
  }
  return out;
}

void check_class_input(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight) {
  EMBER_CHECK(input.dim() >= 1, op, ": input must have at least 1 dimension (C), (N, C) or (N, C, d1, ...), got a 0-d tensor");
  // LibTorch's kernels read class indices as int64 or uint8.
  EMBER_CHECK(target.dtype() == kLong || target.dtype() == kByte, op,
              ": expected target of dtype Long (class indices), got ", to_string(target.dtype()));
  const bool batched = input.dim() >= 2;
  const int64_t c = input.size(batched ? 1 : 0);
  DimVector want;
  if (batched) {
    want.push_back(input.size(0));
    for (int64_t d = 2; d < input.dim(); ++d) want.push_back(input.size(d));
  }
  EMBER_CHECK(target.sizes() == want.ref(), op, ": expected target of shape ", want, " for input of shape ",
              input.sizes(), ", got ", target.sizes());
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == c), op,
              ": weight tensor should be defined either for all ", c, " classes or no classes but got weight tensor of shape: ",
              weight.sizes());
}
}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target_arg, const Tensor& weight, int64_t reduction,
                int64_t ignore_index) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "nll_loss: ", reduction, " is not a valid value for reduction");
  // LibTorch takes a 1-D input's target as [] or of the input's size, and reads only its first
  // element; the one case where that is the whole target, [1] for input [1], is taken as [].
  const bool one_of_one = input.dim() == 1 && input.size(0) == 1 && target_arg.dim() == 1 && target_arg.size(0) == 1;
  check_class_input("nll_loss", input, one_of_one ? target_arg.reshape({}) : target_arg, weight);
  Tensor target = target_arg.dtype() == kByte ? target_arg.to(kLong) : target_arg;
  if (one_of_one) target = target.reshape({});
  if (input.dim() == 1) {
    Tensor out = nll_loss_2d(input.unsqueeze(0), target.unsqueeze(0), weight, reduction, ignore_index);
    return reduction == Reduction::None ? out.reshape({}) : out;
  }
  if (input.dim() == 2) return nll_loss_2d(input, target, weight, reduction, ignore_index);
  // (N, C, d1, ...): classes last, then one row per element.
  Tensor rows = input.movedim(1, -1).reshape({-1, input.size(1)});
  Tensor out = nll_loss_2d(rows, target.reshape({-1}), weight, reduction, ignore_index, /*spatial=*/true);
  return reduction == Reduction::None ? out.reshape(target.sizes()) : out;
}

Tensor cross_entropy_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t reduction,
                          int64_t ignore_index, double label_smoothing) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "cross_entropy: ", reduction, " is not a valid value for reduction");
  EMBER_CHECK(label_smoothing >= 0 && label_smoothing <= 1,
              "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  EMBER_CHECK(input.dim() >= 1, "cross_entropy: input must have at least 1 dimension");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t n_classes = input.size(class_dim);
  Tensor logp = input.log_softmax(class_dim);
  if (target.is_floating_point()) {
    // Class probabilities of input's shape.
    EMBER_CHECK(target.sizes() == input.sizes(), "cross_entropy: expected probability target of shape ", input.sizes(),
                ", got ", target.sizes());
    Tensor t = label_smoothing > 0 ? target.mul(1 - label_smoothing).add(label_smoothing / static_cast<double>(n_classes))
                                   : target;
    Tensor prod = logp.mul(t);
    if (weight.defined()) {
      DimVector shape(input.dim(), 1);
      shape[class_dim] = n_classes;
      prod = prod.mul(weight.reshape(shape));
    }
    Tensor per = prod.sum({class_dim}).neg();
    if (reduction == Reduction::None) return per;
    if (reduction == Reduction::Sum) return per.sum();
    return input.dim() == 1 ? per : per.sum().div(static_cast<double>(input.size(0)));
  }
  Tensor nll = nll_loss(logp, target, weight, reduction, ignore_index);
  if (label_smoothing == 0) return nll;
  // The uniform part: -sum_c w_c logp_c per element, zero where ignored, reduced like nll.
  check_class_input("cross_entropy", input, target, weight);
  Tensor wl = logp;
  if (weight.defined()) {
    DimVector shape(input.dim(), 1);
    shape[class_dim] = n_classes;
    wl = logp.mul(weight.reshape(shape));
  }
  Tensor ignored = target.eq(ignore_index);
  Tensor smooth = where(ignored, 0.0, wl.sum({class_dim}).neg());
  Tensor reduced;
  if (reduction == Reduction::None) reduced = smooth;
  else if (reduction == Reduction::Sum) reduced = smooth.sum();
  else if (weight.defined()) {
    Tensor denom;
    {
      NoGradGuard ng;
      Tensor safe_t = where(ignored, Scalar(int64_t(0)), target);
      Tensor w_t = weight.to(input.dtype()).index_select(0, safe_t.reshape({-1})).reshape(target.sizes());
      denom = where(ignored, 0.0, w_t).sum();
    }
    reduced = smooth.sum().div(denom);
  } else {
    reduced = smooth.sum().div(logical_not(ignored).sum().to(input.dtype()));
  }
  return nll.mul(1 - label_smoothing).add(reduced.mul(label_smoothing / static_cast<double>(n_classes)));
}

Tensor l1_loss(const Tensor& input_arg, const Tensor& target_arg, int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "l1_loss: ", reduction, " is not a valid value for reduction");
  const Tensor input = without_bool(input_arg, target_arg), target = without_bool(target_arg, input_arg);
  return reduce_loss(input.sub(target).abs(), reduction);  // composite in PyTorch too
}

namespace {
// SmoothL1LossBackward0 and HuberLossBackward0: quadratic inside |d| < t, linear outside. With an
// input and target that broadcast, each gradient is summed back to its own shape (to_inputs);
// LibTorch 1.13 gets those gradients wrong, and ember keeps the right ones.
struct RobustLossBackward final : PairLossBackward {
  const char* name_;
  bool huber;  // huber scales the linear part by t; smooth L1 divides the quadratic one by t
  double t;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    // ATen's order of tests: d <= -t, then d >= t, else the quadratic part. So a NaN difference
    // gets NaN, and smooth L1 with beta = 0 gives -1 at d = 0 (PyTorch 1.13's numbers). The
    // target's gradient is the same formula at target - input, which is -1 there too.
    Tensor d = self.unpack().sub(target.unpack());
    const double slope = huber ? t : 1.0;
    const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(d.numel()) : 1.0;
    auto grad_at = [&](const Tensor& diff) {
      Tensor inner = huber ? diff : diff.div(t);
      return where(diff.le(-t), -slope, where(diff.ge(t), slope, inner)).mul(g[0]).mul(scale);
    };
    return to_inputs(grad_at(d), [&] { return grad_at(d.neg()); });
  }
};

Tensor robust_loss(const char* op, const char* name, bool huber, const Tensor& input_arg, const Tensor& target_arg,
                   int64_t reduction, double t) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, op, ": ", reduction, " is not a valid value for reduction");
  const Tensor input = without_bool(input_arg, target_arg), target = without_bool(target_arg, input_arg);
  EMBER_CHECK(huber ? t > 0 : t >= 0, op, ": ", huber ? "delta" : "beta", huber ? " must be positive, but got " :
              " must be non-negative, but got ", t);
  Tensor out;
  {
    NoGradGuard ng;
    Tensor d = input.sub(target).abs();
    Tensor quad = huber ? d.mul(d).mul(0.5) : (t == 0 ? d.mul(0.0) : d.mul(d).mul(0.5 / t));
    Tensor lin = huber ? d.sub(0.5 * t).mul(t) : d.sub(0.5 * t);
    // Huber's result has the input's dtype (LibTorch writes into a tensor like the input); smooth L1 promotes.
    Tensor loss = where(d.lt(t), quad, lin);
    out = reduce_loss(huber ? loss.to(input.dtype()) : loss, reduction);
  }
  if (any_requires_grad(input, target)) {
    auto n = make_node<RobustLossBackward>(input, target);
    n->name_ = name;
    n->huber = huber;
    n->t = t;
    n->record(out, input, target, reduction);
  }
  return out;
}
}  // namespace

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, int64_t reduction, double beta) {
  return robust_loss("smooth_l1_loss", "SmoothL1LossBackward0", false, input, target, reduction, beta);
}
Tensor huber_loss(const Tensor& input, const Tensor& target, int64_t reduction, double delta) {
  return robust_loss("huber_loss", "HuberLossBackward0", true, input, target, reduction, delta);
}

// ---------------------------------------------------------------- binary_cross_entropy_with_logits

namespace {
// log(sigmoid(x)) without overflow: x - log1p(exp(x)) for x < 0, -log1p(exp(-x)) otherwise; each
// branch sees only its own half of x, so neither produces inf/nan gradients for the other.
Tensor log_sigmoid_stable(const Tensor& x) {
  Tensor neg = x.clamp_max(0), pos = x.clamp_min(0);
  return where(x.lt(0), neg.sub(neg.exp().log1p()), pos.neg().exp().log1p().neg());
}

struct BinaryCrossEntropyWithLogitsBackward0 final : NamedNode<"BinaryCrossEntropyWithLogitsBackward0"> {
  SavedVariable self, target, weight, pos_weight;
  int64_t reduction;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), t = target.unpack(), w = weight.unpack(), pw = pos_weight.unpack();
    auto finish = [&](Tensor r, ScalarType dtype) {
      if (w.defined()) r = r.mul(w);
      if (reduction == Reduction::Mean) r = r.div(static_cast<double>(x.numel()));
      return reduce_grad(r, x.sizes(), dtype);
    };
    Tensor gx, gt;
    if (should_compute_output(0)) {
      // (sigmoid(x) (1 + (pw - 1) t) - pw t) g, i.e. sigmoid(x) - t without pos_weight.
      if (pw.defined()) {
        Tensor pt = pw.mul(t);
        gx = pt.add(1).sub(t).mul(x.sigmoid()).sub(pt).mul(g[0]);
      } else {
        gx = x.sigmoid().sub(t).mul(g[0]);
      }
      gx = finish(gx, x.dtype());
    }
    if (should_compute_output(1)) {
      // d/dt = log sigmoid(-x) - pw log sigmoid(x), i.e. -x without pos_weight.
      gt = pw.defined() ? log_sigmoid_stable(x.neg()).sub(log_sigmoid_stable(x).mul(pw)).mul(g[0]) : x.neg().mul(g[0]);
      gt = finish(gt, t.dtype());
    }
    return {gx, gt};
  }
  void release_variables() override {
    self.reset_data();
    target.reset_data();
    weight.reset_data();
    pos_weight.reset_data();
  }
};
}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const Tensor& pos_weight, int64_t reduction) {
  constexpr const char* op = "binary_cross_entropy_with_logits";
  EMBER_CHECK(reduction >= 0 && reduction <= 2, op, ": ", reduction, " is not a valid value for reduction");
  EMBER_CHECK(target.sizes() == input.sizes(), "Target size (", target.sizes(), ") must be the same as input size (",
              input.sizes(), ")");
  EMBER_CHECK(input.is_floating_point(), op, ": expected a floating point input, got ", to_string(input.dtype()));
  check_fits(pos_weight, target, false);
  check_fits(weight, input, true);
  check_not_differentiable(op, weight, "weight");
  check_not_differentiable(op, pos_weight, "pos_weight");
  const ScalarType dt = input.dtype();
  const IntArrayRef shape = input.sizes();
  Tensor loss = new_tensor(shape, dt);
  Tensor x = contiguous_raw(input), t = contiguous_raw(cast(target, dt));
  Tensor w = weight.defined() ? contiguous_raw(expand_raw(cast(weight, dt), shape)) : Tensor();
  Tensor pw = pos_weight.defined() ? contiguous_raw(expand_raw(cast(pos_weight, dt), shape)) : Tensor();
  visit_floating(dt, op, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    const T* tp = t.data_ptr<T>();
    const T* wp = w.defined() ? w.data_ptr<T>() : nullptr;
    const T* pp = pw.defined() ? pw.data_ptr<T>() : nullptr;
    T* out = loss.data_ptr<T>();
    // log(1 + exp(-x)) as m + log(exp(-m) + exp(-x - m)) with m = max(-x, 0): no exp overflows.
    kernels::parallel_for(0, loss.numel(), kernels::kGrain / 8, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const T xi = xp[i], ti = tp[i];
        const T m = std::max(-xi, T(0));
        const T lse = std::log(std::exp(-m) + std::exp(-xi - m));
        T l;
        if (pp) {
          const T lw = (pp[i] - T(1)) * ti + T(1);
          l = (T(1) - ti) * xi + lw * (lse + m);
        } else {
          l = (T(1) - ti) * xi + m + lse;
        }
        out[i] = wp ? l * wp[i] : l;
      }
    });
  });
  Tensor result;
  {
    NoGradGuard ng;
    result = reduce_loss(loss, reduction);
  }
  if (any_requires_grad(input, target)) {
    auto n = make_node<BinaryCrossEntropyWithLogitsBackward0>(input, target);
    n->self = save(input);
    n->target = save(target);
    n->weight = save(weight);
    n->pos_weight = save(pos_weight);
    n->reduction = reduction;
    set_history(result, n);
  }
  return result;
}

// ---------------------------------------------------------------- kl_div, margin losses (composites, as in PyTorch)

Tensor kl_div(const Tensor& input, const Tensor& target, int64_t reduction, bool log_target) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "kl_div: ", reduction, " is not a valid value for reduction");
  Tensor out = log_target ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
  return reduce_loss(out, reduction);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "margin_ranking_loss: ", reduction, " is not a valid value for reduction");
  Tensor diff = input1.sub(input2);
  return reduce_loss(target.neg().mul(diff).add(margin).clamp_min(0), reduction);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "cosine_embedding_loss: ", reduction,
              " is not a valid value for reduction");
  const int64_t td = target.dim();
  EMBER_CHECK(td == 1 || td == 0, "0D or 1D target tensor expected, multi-target not supported");
  if (td == 1) {
    EMBER_CHECK(input1.dim() == 2 && input2.dim() == 2,
                "1D target tensor expects 2D input tensors, but found inputs with sizes ", input1.sizes(), " and ",
                input2.sizes(), ".");
  } else {
    EMBER_CHECK(input1.dim() == 1 && input2.dim() == 1,
                "0D target tensor expects 1D input tensors, but found inputs with sizes ", input1.sizes(), " and ",
                input2.sizes(), ".");
  }
  // Keeps the denominator of a zero vector's cosine positive. ATen's constant is the float 1e-12
  // (9.99999996e-13 as a double), which shows in float64 results.
  constexpr double kEpsilon = static_cast<double>(1e-12F);
  Tensor prod_sum = input1.mul(input2).sum({td});
  Tensor mag1 = input1.mul(input1).sum({td}).add(kEpsilon);
  Tensor mag2 = input2.mul(input2).sum({td}).add(kEpsilon);
  Tensor cos = prod_sum.div(mag1.mul(mag2).sqrt());
  Tensor zero = zeros_like(cos, cos.dtype());
  Tensor pos = rsub(cos, 1);
  Tensor neg = cos.sub(margin).clamp_min(0);
  Tensor out = where(target.eq(1), pos, zero).add(where(target.eq(-1), neg, zero));
  return reduce_loss(out, reduction);
}

}  // namespace ember
