// Losses available before nn: mse_loss, fused, with its own backward node.
#include "ember/ops/loss.h"

#include "ops/util.h"

namespace ember {

namespace {
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
    Tensor sq = input.sub(target).square();
    out = reduction == Reduction::None ? sq : reduction == Reduction::Sum ? sq.sum() : sq.mean();
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

}  // namespace ember
