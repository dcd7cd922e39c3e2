// A matrix product's backward adds the weight gradient straight into an existing .grad (a GEMM with
// beta = 1; autograd/inplace_grad.h) only when AccumulateGrad's `grad += g` would give the same
// result: these tests check the values against the normal path (autograd::grad, which never takes
// the shortcut), that the shortcut writes in place when it applies, and that every case it must
// leave alone (hooks, shared leaves, grad(), inputs=, create_graph, an undefined .grad) still gives
// PyTorch's result.
#include <gtest/gtest.h>

#include "ember/ember.h"

using namespace ember;

namespace {
// The gradient of sum(out * up) with respect to w through the normal path.
Tensor reference_grad(const Tensor& out, const Tensor& up, const Tensor& w) {
  return autograd::grad({out}, {w}, {up}, true)[0];
}

bool same(const Tensor& a, const Tensor& b) { return a.sizes() == b.sizes() && a.equal(b); }
}  // namespace

TEST(InplaceGrad, LinearWeightAccumulatesIntoExistingGrad) {
  manual_seed(1);
  for (int64_t batch : {1, 3, 64}) {
    for (ScalarType dt : {kFloat, kDouble}) {
      SCOPED_TRACE(batch);
      auto w = randn({7, 33}, TensorOptions().dtype(dt)).requires_grad_();
      auto b = randn({7}, TensorOptions().dtype(dt)).requires_grad_();
      auto x = randn({batch, 33}, TensorOptions().dtype(dt));
      auto up = randn({batch, 7}, TensorOptions().dtype(dt));
      auto out = nn::functional::linear(x, w, b);
      const Tensor ref = reference_grad(out, up, w);
      w.mutable_grad() = zeros_like(w);  // as Optimizer::zero_grad leaves it
      const void* before = w.grad().data_ptr();
      const int64_t version = w.grad()._version();
      out.backward(up, true);
      EXPECT_EQ(w.grad().data_ptr(), before);  // written in place
      EXPECT_GT(w.grad()._version(), version);
      EXPECT_TRUE(same(w.grad(), ref));
      out.backward(up);  // accumulates: ref + ref
      EXPECT_EQ(w.grad().data_ptr(), before);
      EXPECT_TRUE(w.grad().allclose(ref * 2, 1e-6, 1e-6));
    }
  }
}

// Accumulating into a .grad that already holds values must round exactly as `grad + g` does, for
// every batch (the product's inner dimension: a long one is summed in blocks) and for addmm's alpha.
TEST(InplaceGrad, AccumulationRoundsAsGradPlusGradient) {
  manual_seed(2);
  for (int64_t batch : {1, 64, 100, 128, 129, 1000}) {
    for (double alpha : {1.0, 0.37}) {
      for (ScalarType dt : {kFloat, kDouble}) {
        SCOPED_TRACE(testing::Message() << "batch " << batch << " alpha " << alpha << " " << dt);
        auto w = randn({9, 40}, TensorOptions().dtype(dt)).requires_grad_();
        auto x = randn({batch, 40}, TensorOptions().dtype(dt));
        auto up = randn({batch, 9}, TensorOptions().dtype(dt));
        auto bias = zeros({batch, 9}, TensorOptions().dtype(dt));
        auto out = addmm(bias, x, w.t(), 1, alpha);
        const Tensor ref = reference_grad(out, up, w);
        const Tensor start = randn({9, 40}, TensorOptions().dtype(dt));
        w.mutable_grad() = start.clone();
        out.backward(up);
        EXPECT_TRUE(same(w.grad(), start + ref));
      }
    }
  }
}

TEST(InplaceGrad, MmWithoutTransposeAndNoGradYet) {
  auto w = randn({5, 4}).requires_grad_();
  auto x = randn({3, 5});
  auto up = randn({3, 4});
  auto out = x.mm(w);
  const Tensor ref = reference_grad(out, up, w);
  out.backward(up, true);  // .grad undefined: AccumulateGrad takes the gradient
  EXPECT_TRUE(same(w.grad(), ref));
  const void* before = w.grad().data_ptr();
  out.backward(up);  // now in place, straight into the leaf (no t() between)
  EXPECT_EQ(w.grad().data_ptr(), before);
  EXPECT_TRUE(w.grad().allclose(ref * 2, 1e-6, 1e-6));
}

TEST(InplaceGrad, HooksSharedLeavesAndGradLeaveItAlone) {
  auto w = randn({4, 6}).requires_grad_();
  auto x = randn({2, 6});
  auto x2 = randn({5, 6});
  auto up = randn({2, 4});
  auto up2 = randn({5, 4});
  {  // a tensor hook sees (and here doubles) the gradient before it is accumulated
    auto out = nn::functional::linear(x, w, Tensor());
    const Tensor ref = reference_grad(out, up, w);
    w.mutable_grad() = zeros_like(w);
    w.register_hook([](const Tensor& g) { return g * 2; });
    out.backward(up);
    EXPECT_TRUE(w.grad().allclose(ref * 2, 1e-6, 1e-6));
  }
  auto v = randn({4, 6}).requires_grad_();
  {  // a post-accumulate hook runs once and sees the sum
    auto out = nn::functional::linear(x, v, Tensor());
    const Tensor ref = reference_grad(out, up, v);
    v.mutable_grad() = zeros_like(v);
    int calls = 0;
    Tensor seen;
    autograd::register_post_accumulate_grad_hook(v, [&](const Tensor& leaf) {
      ++calls;
      seen = leaf.grad().clone();
    });
    out.backward(up);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(same(seen, ref));
  }
  auto u = randn({4, 6}).requires_grad_();
  {  // one leaf used by two products: both gradients are summed first, then added
    auto out = nn::functional::linear(x, u, Tensor()).sum() + (nn::functional::linear(x2, u, Tensor()) * up2).sum();
    const Tensor ref = autograd::grad({out}, {u}, {}, true)[0];
    u.mutable_grad() = zeros_like(u);
    out.backward();
    EXPECT_TRUE(u.grad().allclose(ref, 1e-6, 1e-6));
  }
  {  // grad() returns the gradient and leaves .grad as it was
    u.mutable_grad() = zeros_like(u);
    auto out = nn::functional::linear(x, u, Tensor());
    auto g = autograd::grad({out}, {u}, {up})[0];
    EXPECT_TRUE(same(u.grad(), zeros_like(u)));
    EXPECT_GT(g.abs().sum().item<float>(), 0);
  }
  {  // backward(inputs=) accumulates only into the inputs given
    auto other = randn({4, 6}).requires_grad_();
    other.mutable_grad() = zeros_like(other);
    u.mutable_grad() = zeros_like(u);
    auto out = nn::functional::linear(x, u, Tensor()) + nn::functional::linear(x, other, Tensor());
    const Tensor ref = reference_grad(out, up, u);
    const std::vector<Tensor> inputs{u};
    out.backward(up, std::nullopt, false, TensorList(inputs));
    EXPECT_TRUE(same(u.grad(), ref));
    EXPECT_TRUE(same(other.grad(), zeros_like(other)));
  }
}

TEST(InplaceGrad, CreateGraphKeepsTheGradientsHistory) {
  auto w = randn({3, 4}).requires_grad_();
  auto x = randn({2, 4});
  auto out = nn::functional::linear(x, w, Tensor()).pow(2).sum();
  const Tensor ref = autograd::grad({out}, {w}, {}, true)[0];
  w.mutable_grad() = zeros_like(w);
  out.backward({}, true, true);
  EXPECT_TRUE(w.grad().requires_grad());
  EXPECT_TRUE(w.grad().detach().allclose(ref, 1e-6, 1e-6));
  // The .grad's history leads back to w (PyTorch warns of this reference cycle): break it.
  w.mutable_grad() = Tensor();
}
