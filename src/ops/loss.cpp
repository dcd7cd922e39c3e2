// Losses with their own backward nodes: mse_loss, binary_cross_entropy.
#include "ember/ops/loss.h"

#include "ops/util.h"

namespace ember {

namespace {
Tensor reduce_loss(const Tensor& loss, int64_t reduction) {
  return reduction == Reduction::None ? loss : reduction == Reduction::Sum ? loss.sum() : loss.mean();
}

struct MseLossBackward0 final : NamedNode<"MseLossBackward0"> {
  SavedVariable self, target;
  int64_t reduction;
  DimVector a_sizes, b_sizes;
  ScalarType a_dtype, b_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor diff = self.unpack().sub(target.unpack());
    double scale = reduction == Reduction::Mean ? 2.0 / static_cast<double>(diff.numel()) : 2.0;
    Tensor gi = diff.mul(scale).mul(g[0]);
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(gi, a_sizes, a_dtype);
    if (should_compute_output(1)) gb = reduce_grad(gi.neg(), b_sizes, b_dtype);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    target.reset_data();
  }
};
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, int64_t reduction) {
  EMBER_CHECK(reduction >= 0 && reduction <= 2, "mse_loss: ", reduction, " is not a valid value for reduction");
  Tensor out;
  {
    NoGradGuard ng;
    out = reduce_loss(input.sub(target).square(), reduction);
  }
  if (any_requires_grad(input, target)) {
    auto n = make_node<MseLossBackward0>(input, target);
    n->self = save(input);
    n->target = save(target);
    n->reduction = reduction;
    n->a_sizes = input.sizes();
    n->b_sizes = target.sizes();
    n->a_dtype = input.dtype();
    n->b_dtype = target.dtype();
    set_history(out, n);
  }
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
    if (weight.defined()) broadcast_shapes(weight.sizes(), input.sizes());
  }
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

}  // namespace ember
