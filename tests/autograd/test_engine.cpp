// The autograd engine: accumulation, retain_graph, grad(), hooks, retain_grad, no-grad, version checks.
#include <algorithm>
#include <gtest/gtest.h>

#include "ember/ember.h"
#include "expect_error.h"

using namespace ember;

TEST(Engine, SeedScalarBackward) {
  auto w = tensor(2.0, requires_grad());
  auto z = 10 * w.pow(2) + 25;
  z.backward();
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 40.0);
  EXPECT_EQ(z.grad_fn()->name(), "AddBackward1");
}

// PyTorch's DivBackward1 divides the gradient by the number; multiplying by its reciprocal differs
// in the last bit for some values (here 7 / 3 against 7 * (1 / 3) in float).
TEST(Engine, DivisionByANumberDividesTheGradient) {
  auto a = ones({6}, requires_grad());
  auto y = a / 3.0;
  EXPECT_EQ(y.grad_fn()->name(), "DivBackward1");
  const Tensor g = tensor({1.0f, 5.0f, 7.0f, 10.0f, 11.0f, 100.0f});
  ASSERT_FALSE((g * (1.0 / 3.0)).equal(g / 3.0));  // the two roundings differ on this input
  y.backward(g);
  EXPECT_TRUE(a.grad().equal(g / 3.0));
}

TEST(Engine, VectorBackwardWithGradient) {
  auto a = tensor({2., 3.}, requires_grad());
  auto b = tensor({6., 4.}, requires_grad());
  auto Q = 3 * a.pow(3) - b.pow(2);
  Q.backward(tensor({1., 1.}));
  EXPECT_TRUE(a.grad().equal(tensor({36., 81.})));
  EXPECT_TRUE(b.grad().equal(tensor({-12., -8.})));
  EXPECT_EQ(Q.grad_fn()->name(), "SubBackward0");
}

TEST(Engine, GradientsAccumulateAcrossCalls) {
  auto x = tensor({1., 2.}, requires_grad());
  (x * x).sum().backward();
  (x * x).sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({4., 8.})));
}

TEST(Engine, SharedSubexpressionSumsBothPaths) {
  auto x = tensor(3.0, requires_grad());
  auto y = x * x;
  auto z = y + y * x;  // x^2 + x^3 -> 2x + 3x^2 = 33
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 33.0);
}

TEST(Engine, ImplicitGradNeedsScalar) {
  auto x = tensor({1., 2.}, requires_grad());
  auto y = x * 2;
  EXPECT_EQ(error_of([&] { y.backward(); }), "grad can be implicitly created only for scalar outputs");
}

TEST(Engine, NoGradFnError) {
  auto x = tensor({1., 2.});
  EXPECT_EQ(error_of([&] { x.sum().backward(); }),
            "element 0 of tensors does not require grad and does not have a grad_fn");
}

TEST(Engine, SecondBackwardWithoutRetainGraphFails) {
  auto x = tensor(2.0, requires_grad());
  auto y = x.exp();
  y.backward();
  std::string msg = error_of([&] { y.backward(); });
  EXPECT_EQ(msg.rfind("Trying to backward through the graph a second time", 0), 0u) << msg;
}

TEST(Engine, RetainGraphAllowsSecondBackward) {
  auto x = tensor(2.0, requires_grad());
  auto y = x.exp();
  y.backward({}, true);
  y.backward();
  EXPECT_NEAR(x.grad().item<double>(), 2 * std::exp(2.0), 1e-5);
}

TEST(Engine, InplaceModificationOfSavedTensorIsCaught) {
  auto a = tensor({1., 2.}, requires_grad());
  auto b = a * 2;
  auto c = b * b;
  b.add_(1);
  std::string msg = error_of([&] { c.sum().backward(); });
  EXPECT_EQ(msg,
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[torch.FloatTensor [2]], which is output 0 of MulBackward1, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True).");
}

TEST(Engine, LeafInplaceError) {
  auto a = tensor({1., 2.}, requires_grad());
  EXPECT_EQ(error_of([&] { a.add_(1); }), "a leaf Variable that requires grad is being used in an in-place operation.");
  EXPECT_TRUE(a.equal(tensor({1., 2.})));
  {
    NoGradGuard ng;
    a.add_(1);
  }
  EXPECT_TRUE(a.equal(tensor({2., 3.})));
}

TEST(Engine, InplaceOnNonLeafRebasesHistory) {
  auto a = tensor({1., 2.}, requires_grad());
  auto b = a * 3;
  auto c = a * 2;
  b.mul_(c);  // 6a^2 -> 12a
  EXPECT_EQ(b.grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(b._version(), 1);
  b.sum().backward();
  EXPECT_TRUE(a.grad().allclose(tensor({12., 24.})));
}

TEST(Engine, AutogradGradDoesNotTouchDotGrad) {
  auto x = tensor({1., 2., 3.}, requires_grad());
  auto y = (x * x).sum();
  auto g = autograd::grad({y}, {x});
  EXPECT_TRUE(g[0].equal(tensor({2., 4., 6.})));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, GradOfNonLeafInput) {
  auto x = tensor({1., 2.}, requires_grad());
  auto h = x * 2;
  auto y = (h * h).sum();
  auto g = autograd::grad({y}, {h});
  EXPECT_TRUE(g[0].equal(tensor({4., 8.})));
}

TEST(Engine, AllowUnused) {
  auto x = tensor(1.0, requires_grad());
  auto u = tensor(1.0, requires_grad());
  auto y = x * 2;
  EXPECT_EQ(error_of([&] { autograd::grad({y}, {x, u}, {}, true); }),
            "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if "
            "this is the desired behavior.");
  auto g = autograd::grad({y}, {x, u}, {}, true, false, true);
  EXPECT_TRUE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
}

TEST(Engine, CreateGraphGivesSecondDerivative) {
  auto x = tensor(2.0, requires_grad());
  auto y = x.pow(3);
  auto g = autograd::grad({y}, {x}, {}, std::nullopt, true)[0];  // 3x^2 = 12
  EXPECT_DOUBLE_EQ(g.item<double>(), 12.0);
  auto gg = autograd::grad({g}, {x})[0];  // 6x = 12
  EXPECT_DOUBLE_EQ(gg.item<double>(), 12.0);
}

TEST(Engine, BackwardInputsRestrictsAccumulation) {
  auto x = tensor(1.0, requires_grad());
  auto w = tensor(2.0, requires_grad());
  auto y = x * w;
  y.backward({}, std::nullopt, false, TensorList(std::vector<Tensor>{w}));
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 1.0);
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, HooksSeeAndReplaceGradients) {
  auto x = tensor({1., 2.}, requires_grad());
  Tensor seen;
  x.register_hook([&](const Tensor& g) { seen = g.clone(); });
  auto h = x * 2;
  h.register_hook([](const Tensor& g) { return g * 10; });
  h.sum().backward();
  EXPECT_TRUE(seen.equal(tensor({20., 20.})));
  EXPECT_TRUE(x.grad().equal(tensor({20., 20.})));
}

TEST(Engine, RetainGradOnNonLeaf) {
  auto x = tensor({1., 2.}, requires_grad());
  auto h = x * 3;
  h.retain_grad();
  EXPECT_TRUE(h.retains_grad());
  (h * h).sum().backward();
  EXPECT_TRUE(h.grad().equal(tensor({6., 12.})));
}

TEST(Engine, NoGradGuardRecordsNothing) {
  auto x = tensor(1.0, requires_grad());
  Tensor y;
  {
    NoGradGuard ng;
    EXPECT_FALSE(GradMode::is_enabled());
    y = x * 2;
  }
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_FALSE(y.grad_fn());
}

TEST(Engine, DetachSharesDataAndDropsHistory) {
  auto x = tensor({1., 2.}, requires_grad());
  auto y = x * 2;
  auto d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr(), y.data_ptr());
  EXPECT_TRUE(y.requires_grad());
  y.detach_();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
}

TEST(Engine, AnomalyModeNamesTheNodeThatMadeNaN) {
  autograd::DetectAnomalyGuard guard;
  auto x = tensor({0.0, 1.0}, requires_grad());
  auto y = x.sqrt() * 0;  // d sqrt at 0 is inf, times 0 gives nan
  std::string msg = error_of([&] { y.sum().backward(); });
  EXPECT_EQ(msg, "Function 'SqrtBackward0' returned nan values in its 0th output.");
}

TEST(Engine, RequiresGradOnlyForFloats) {
  auto i = tensor({1, 2});
  EXPECT_EQ(error_of([&] { i.requires_grad_(); }), "only Tensors of floating point dtype can require gradients");
}

TEST(Engine, GradThroughDiamondReachedTwice) {
  // b is reached through exp and directly: discovery order is not topological here.
  auto w = tensor({0.5, -1.0}, requires_grad());
  auto b = w * 1;
  auto y = (b + b.exp()).sum();
  auto g = autograd::grad({y}, {w})[0];
  EXPECT_TRUE(g.allclose(tensor({1.0 + std::exp(0.5), 1.0 + std::exp(-1.0)})));
}

// In-place ops on views of tensors in the graph: the base gets CopySlices, the view
// AsStridedBackward0; values and gradients as PyTorch 1.13 gives them.
TEST(Engine, InplaceOnViewRebasesTheBase) {
  auto a = tensor({1., 2., 3., 4., 5., 6.}, requires_grad());
  auto b = tensor({10., 20., 30.}, requires_grad());
  auto x = a * 1;
  auto v = x.view({2, 3})[1];
  v.mul_(b);
  EXPECT_EQ(repr(v), "tensor([ 40., 100., 180.], grad_fn=<AsStridedBackward0>)");
  EXPECT_EQ(repr(x), "tensor([  1.,   2.,   3.,  40., 100., 180.], grad_fn=<CopySlices>)");
  (x * x).sum().backward();
  EXPECT_TRUE(a.grad().equal(tensor({2., 4., 6., 800., 4000., 10800.})));
  EXPECT_TRUE(b.grad().equal(tensor({320., 1000., 2160.})));
}

TEST(Engine, InplaceOnStridedViewUsedAfterwards) {
  auto c = tensor({1., 2., 3., 4.}, requires_grad());
  auto y = c * 2;
  y.narrow(0, 1, 2).zero_();
  y.sum().backward();
  EXPECT_TRUE(c.grad().equal(tensor({2., 0., 0., 2.})));

  auto d = tensor({1., 2., 3., 4.}, requires_grad());
  auto z = d * 2;
  auto s = z.slice(0, 0, 4, 2);
  s.add_(s);
  (s * 3).sum().backward();
  EXPECT_TRUE(z.detach().equal(tensor({4., 4., 12., 8.})));
  EXPECT_TRUE(d.grad().equal(tensor({12., 0., 12., 0.})));
}

TEST(Engine, InplaceOnViewOfSavedTensorIsCaught) {
  auto c = tensor({1., 2., 3., 4.}, requires_grad());
  auto y = c.exp();
  y.narrow(0, 1, 2).zero_();
  try {
    y.sum().backward();
    FAIL() << "expected the version check to fire";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("which is output 0 of ExpBackward0, is at version 1; expected version 0"),
              std::string::npos)
        << e.what();
  }
}

TEST(Engine, InplaceOnViewOfLeafIsRefused) {
  auto a = tensor({1., 2.}, requires_grad());
  auto v = a.view({2});
  EXPECT_THROW(v.mul_(2), Error);
  EXPECT_TRUE(a.equal(tensor({1., 2.})));
}

// A view of a tensor that does not require grad, written in place with one that does: the base
// joins the graph (CopySlices), as in PyTorch. Before, the base kept no history, so a loss built
// from it lost the gradient (an error, or a silently missing term when summed with others).
TEST(Engine, InplaceOnViewOfPlainTensorMakesTheBaseRequireGrad) {
  auto b = tensor({0.5, -1.0, 2.0}, requires_grad());
  auto a = tensor({1., 2., 3.});
  a.slice(0, 1).mul_(b.slice(0, 1));
  EXPECT_TRUE(a.requires_grad());
  EXPECT_EQ(std::string(a.grad_fn()->name()), "torch::autograd::CopySlices");  // LibTorch's name()
  a.sum().backward();
  EXPECT_TRUE(b.grad().equal(tensor({0., 2., 3.})));  // PyTorch 1.13

  // The usual way to fill a preallocated buffer row by row.
  auto h = tensor({1., 2.}, requires_grad());
  auto buf = zeros({3, 2});
  for (int64_t i = 0; i < 3; ++i) buf.select(0, i).copy_(h * static_cast<double>(i + 1));
  auto other = (h * 0.5).sum();
  ((buf * buf).sum() + other).backward();
  EXPECT_TRUE(h.grad().equal(tensor({28.5, 56.5})));

  // addmm_ on a reshaped view (PyTorch 1.13: [2.0, 0.5, 0.5]).
  auto c = tensor({1., 2., 3.});
  auto g = tensor({0.5, -1.0, 2.0}, requires_grad());
  c.view({3, 1}).addmm_(g.view({3, 1}), g.view({1, 3}).narrow(1, 0, 1));
  c.sum().backward();
  EXPECT_TRUE(g.grad().equal(tensor({2.0, 0.5, 0.5})));
}

// An in-place op on a base (or on another view of it) changes what its views hold: a view's history
// recorded before is stale, and it is replayed as AsStridedBackward0 on the base's current history
// when next used, as PyTorch does. Before, the view kept its old node and its gradient skipped the
// in-place op ([1, 1, 0] below instead of PyTorch 1.13's [2, 2, 0]).
TEST(Engine, InplaceOnBaseUpdatesItsViewsHistory) {
  auto l = zeros({3}, requires_grad());
  auto b = l.clone();
  auto vb = b.slice(0, 0, 2);
  EXPECT_EQ(vb.grad_fn()->name(), "SliceBackward0");
  b.mul_(2);
  EXPECT_EQ(vb.grad_fn()->name(), "AsStridedBackward0");
  EXPECT_TRUE(vb.grad_fn()->next_edge(0).function.get() == b.grad_fn().get());
  vb.sum().backward();
  EXPECT_TRUE(l.grad().equal(tensor({2.f, 2.f, 0.f})));

  // Multiplied by a tensor in the graph; the view used before and after the op; two in-place ops.
  auto m = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto c = m.clone();
  auto vc = c.slice(0, 1, 3);
  c.mul_(m);
  (vc * vc).sum().backward();
  EXPECT_TRUE(m.grad().equal(tensor({0.f, 32.f, 108.f})));

  auto n = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto d = n * 1;
  auto vd = d.slice(0, 1, 3);
  d.mul_(2);
  auto first = vd.grad_fn();
  EXPECT_TRUE(vd.grad_fn().get() == first.get());  // replayed once per version, not per use
  d.mul_(n);
  EXPECT_TRUE(vd.grad_fn().get() != first.get());
  (vd * tensor({1.f, 10.f})).sum().backward();
  EXPECT_TRUE(n.grad().equal(tensor({0.f, 8.f, 120.f})));

  // Strided views of a 2-d base: a column and the transpose (PyTorch 1.13's numbers).
  auto p = arange(1., 7., TensorOptions().requires_grad(true));
  auto e = p.clone().view({2, 3});
  auto col = e.select(1, 1);
  auto t = e.t();
  e.mul_(p.view({2, 3}));
  (col * tensor({1.f, 10.f})).sum().backward({}, /*retain_graph=*/true);
  EXPECT_TRUE(p.grad().equal(tensor({0.f, 4.f, 0.f, 0.f, 100.f, 0.f})));
  p.mutable_grad() = Tensor();
  (t * arange(6.).view({3, 2})).sum().backward();
  EXPECT_TRUE(p.grad().equal(tensor({0.f, 8.f, 24.f, 8.f, 30.f, 60.f})));
}

// Chains and siblings: after an in-place op on one view, every other view of the same base (a
// view of it, its own base's other views) is replayed on the base's CopySlices.
TEST(Engine, InplaceOnOneViewUpdatesTheOthers) {
  for (bool on_root : {false, true}) {
    auto l = tensor({1.f, 2.f, 3.f, 4.f}, requires_grad());
    auto b = l.clone();
    auto v1 = b.slice(0, 1, 4);
    auto v2 = v1.slice(0, 0, 2);
    (on_root ? b : v1).mul_(3);
    EXPECT_EQ(v2.grad_fn()->name(), "AsStridedBackward0");
    EXPECT_EQ(v1.grad_fn()->name(), "AsStridedBackward0");
    (v2 * tensor({1.f, 10.f})).sum().backward();
    EXPECT_TRUE(l.grad().equal(tensor({0.f, 3.f, 30.f, 0.f}))) << on_root << ": " << repr(l.grad());
  }

  // Overlapping siblings: vc's gradient must go through the multiplication of va.
  auto l = tensor({1.f, 2.f, 3.f, 4.f}, requires_grad());
  auto b = l.clone();
  auto va = b.slice(0, 0, 3);
  auto vc = b.slice(0, 1, 4);
  va.mul_(5);
  EXPECT_EQ(vc.grad_fn()->name(), "AsStridedBackward0");
  (va.sum() + 7 * vc.sum()).backward();
  EXPECT_TRUE(l.grad().equal(tensor({5.f, 40.f, 40.f, 7.f})));

  // In place on a view, then on the base, then a new view and an old one (PyTorch 1.13).
  auto k = tensor({1.f, 2.f, 3.f, 4.f}, requires_grad());
  auto x = k * 1;
  auto v = x.slice(0, 1, 3);
  v.mul_(k.slice(0, 0, 2));
  x.add_(k);
  auto w = x.slice(0, 0, 2);
  (v * tensor({1.f, 10.f})).sum().backward({}, /*retain_graph=*/true);
  EXPECT_TRUE(k.grad().equal(tensor({2.f, 32.f, 30.f, 0.f})));
  k.mutable_grad() = Tensor();
  (w * tensor({1.f, 10.f})).sum().backward();
  EXPECT_TRUE(k.grad().equal(tensor({22.f, 20.f, 0.f, 0.f})));
}

// A view of a tensor outside the graph requires grad once its base joins the graph through an
// in-place op; a view of a leaf written under no_grad is replayed on the leaf's accumulator; a
// retained gradient follows the tensor's new history (PyTorch 1.13 for each).
TEST(Engine, ViewsFollowTheirBaseIntoTheGraph) {
  auto x = tensor({5.f, 6.f, 7.f}, requires_grad());
  auto b = zeros({3});
  auto v = b.slice(0, 0, 2);
  EXPECT_FALSE(v.requires_grad());
  b.copy_(x * 1);
  EXPECT_TRUE(v.requires_grad());
  ASSERT_FALSE(v.is_leaf());
  EXPECT_EQ(v.grad_fn()->name(), "AsStridedBackward0");
  (v * 3).sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({3.f, 3.f, 0.f})));

  auto w = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto vw = w.slice(0, 0, 2);
  {
    NoGradGuard ng;
    w.mul_(2);
  }
  EXPECT_EQ(vw.grad_fn()->name(), "AsStridedBackward0");
  (vw * vw).sum().backward();
  EXPECT_TRUE(w.grad().equal(tensor({4.f, 8.f, 0.f})));

  auto l = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto c = l * 1;
  auto vr = c.slice(0, 1, 3);
  vr.retain_grad();
  c.mul_(2);
  (vr * tensor({1.f, 10.f})).sum().backward();
  EXPECT_TRUE(l.grad().equal(tensor({0.f, 2.f, 20.f})));
  EXPECT_TRUE(vr.grad().equal(tensor({1.f, 10.f})));

  // The same for a tensor written in place itself (before, x.grad was the old value's [2, 20, 200]).
  auto k = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto x2 = k * 1;
  x2.retain_grad();
  x2.mul_(2);
  (x2 * tensor({1.f, 10.f, 100.f})).sum().backward();
  EXPECT_TRUE(x2.grad().equal(tensor({1.f, 10.f, 100.f})));
  EXPECT_TRUE(k.grad().equal(tensor({2.f, 20.f, 200.f})));
}

// The replayed and rebased view nodes sum the gradient of a view whose elements share memory (an
// expanded slice) and are differentiable, so create_graph gives second derivatives through them
// (PyTorch 1.13's numbers).
TEST(Engine, ViewHistoryAfterInplaceSumsOverlapsAndIsTwiceDifferentiable) {
  auto l = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto b = l * 1;
  auto v = b.slice(0, 0, 1).expand({3});
  b.mul_(2);
  EXPECT_EQ(v.grad_fn()->name(), "AsStridedBackward0");
  v.sum().backward();
  EXPECT_TRUE(l.grad().equal(tensor({6.f, 0.f, 0.f}))) << repr(l.grad());

  auto x = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto c = x * 1;
  auto vc = c.slice(0, 0, 2);
  c.mul_(x);
  auto g = autograd::grad({vc.pow(3).sum()}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  EXPECT_TRUE(g.detach().equal(tensor({6.f, 192.f, 0.f}))) << repr(g);
  g.sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({30.f, 480.f, 0.f}))) << repr(x.grad());

  auto y = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto d = y * 1;
  d.slice(0, 0, 2).mul_(y.slice(0, 1, 3));
  auto gy = autograd::grad({d.pow(2).sum()}, {y}, {}, std::nullopt, /*create_graph=*/true)[0];
  EXPECT_TRUE(gy.detach().equal(tensor({8.f, 40.f, 30.f}))) << repr(gy);
  gy.sum().backward();
  EXPECT_TRUE(y.grad().equal(tensor({16.f, 52.f, 34.f}))) << repr(y.grad());

  auto w = tensor({1.f, 2.f, 3.f}, requires_grad());
  auto vw = w.slice(0, 0, 2);
  {
    NoGradGuard ng;
    w.mul_(1);
  }
  auto gw = autograd::grad({vw.pow(3).sum()}, {w}, {}, std::nullopt, /*create_graph=*/true)[0];
  EXPECT_TRUE(gw.requires_grad());
  EXPECT_TRUE(gw.detach().equal(tensor({3.f, 12.f, 0.f}))) << repr(gw);
  gw.sum().backward();
  EXPECT_TRUE(w.grad().equal(tensor({6.f, 12.f, 0.f}))) << repr(w.grad());
}

// The base's gradient is laid out with the base's own strides, so bases that are not contiguous
// work (they were refused before), whether or not they required grad.
TEST(Engine, InplaceOnViewOfNonContiguousBase) {
  auto a = empty_strided({2, 3}, {1, 2});
  a.copy_(arange(6.).view({2, 3}));
  auto b = tensor({0.5, -1.0, 2.0}, requires_grad());
  a.select(0, 1).mul_(b);
  (a * arange(1., 7.).view({2, 3})).sum().backward();
  EXPECT_TRUE(b.grad().equal(tensor({12., 20., 30.})));  // PyTorch 1.13

  auto w = tensor({1., 2., 3., 4., 5., 6.}, requires_grad());
  auto base = empty_strided({2, 3}, {1, 2});
  base.copy_(w.view({2, 3}) * 1.0);  // non-contiguous, in the graph
  auto k = tensor({3., 4., 5.}, requires_grad());
  base.select(0, 0).mul_(k);
  (base * base).sum().backward();
  // base = [[1*3, 2*4, 3*5], [4, 5, 6]]: d/dw = 2 * base * (k on row 0, 1 on row 1); d/dk = 2 * base0 * w0
  EXPECT_TRUE(w.grad().equal(tensor({18., 64., 150., 8., 10., 12.})));
  EXPECT_TRUE(k.grad().equal(tensor({6., 32., 90.})));
}

TEST(Engine, InplaceOnViewOfSelfOverlappingBaseIsRefused) {
  auto base = empty_strided({2, 3}, {0, 1});  // both rows share one memory location per column
  base.zero_();
  auto b = tensor({1., 2., 3.}, requires_grad());
  const std::string msg = error_of([&] { base.select(0, 0).add_(b); });
  EXPECT_NE(msg.find("whose base tensor has several elements at one memory location"), std::string::npos) << msg;
  EXPECT_TRUE(base.equal(zeros({2, 3})));
  EXPECT_FALSE(base.requires_grad());
}

// A view that no longer lies inside its base: backward fails with PyTorch's as_strided message
// instead of reading or writing past the gradient buffer (a heap overflow before).
TEST(Engine, InplaceOnViewOutsideItsBaseFailsInBackward) {
  {  // the base shrank after the view was taken
    auto base = zeros({10});
    auto v = base.select(0, 9);
    base.resize_({2});
    auto w = ones({}, requires_grad());
    v.copy_(w);
    const std::string msg = error_of([&] { base.sum().backward(); });
    EXPECT_NE(msg.find("storage offset 9, and itemsize 4 requiring a storage size of 40 are out of bounds for "
                       "storage of size 8"),
              std::string::npos)
        << msg;
    EXPECT_FALSE(w.grad().defined());
  }
  {  // a view reaching past the end of a base that shares a larger storage
    auto base = zeros({64}).narrow(0, 0, 2).detach();
    auto v = base.as_strided({4}, {1}, 40);
    auto w = ones({4}, requires_grad());
    v.copy_(w);
    const std::string msg = error_of([&] { base.sum().backward(); });
    EXPECT_NE(msg.find("requiring a storage size of 176 are out of bounds for storage of size 8"), std::string::npos)
        << msg;
  }
}

// In-place binary ops whose backward for `other` needs self's old value, when only `other`
// requires grad: self is copied before it is overwritten (they failed the version check before).
// Expected gradients from PyTorch 1.13, for a = [1, 2, 3] and b = [0.5, -1, 2].
TEST(Engine, InplaceBinaryOpsKeepSelfForTheOthersGradient) {
  const std::vector<std::pair<std::string, std::function<void(Tensor&, const Tensor&)>>> ops = {
      {"atan2_", [](Tensor& a, const Tensor& b) { a.atan2_(b); }},
      {"hypot_", [](Tensor& a, const Tensor& b) { a.hypot_(b); }},
      {"fmod_", [](Tensor& a, const Tensor& b) { a.fmod_(b); }},
      {"remainder_", [](Tensor& a, const Tensor& b) { a.remainder_(b); }},
      {"div_", [](Tensor& a, const Tensor& b) { a.div_(b); }},
      {"copysign_", [](Tensor& a, const Tensor& b) { a.copysign_(b); }},
      {"clamp_min_", [](Tensor& a, const Tensor& b) { a.clamp_min_(b); }},
      {"clamp_max_", [](Tensor& a, const Tensor& b) { a.clamp_max_(b); }},
      {"pow_", [](Tensor& a, const Tensor& b) { a.pow_(b); }},
      {"xlogy_", [](Tensor& a, const Tensor& b) { a.xlogy_(b.abs()); }},
      {"masked_fill_", [](Tensor& a, const Tensor& b) { a.masked_fill_(a > 1.5, b.sum()); }},
  };
  const std::vector<std::vector<double>> expected = {
      {-0.8, -0.4, -0.230769230769}, {0.447213595500, -0.447213595500, 0.554700196225},
      {-2., 2., -1.}, {-2., 2., -1.}, {-4., -2., -0.75}, {0., 0., 0.}, {0., 0., 0.}, {1., 1., 1.},
      {0., 0.346573590280, 9.887510598013}, {2., -2., 1.5}, {2., 2., 2.}};
  for (size_t i = 0; i < ops.size(); ++i) {
    auto a = tensor({1., 2., 3.}, TensorOptions().dtype(kDouble));
    auto b = tensor({0.5, -1.0, 2.0}, TensorOptions().dtype(kDouble).requires_grad(true));
    ops[i].second(a, b);
    a.sum().backward();
    EXPECT_TRUE(b.grad().allclose(tensor(expected[i], TensorOptions().dtype(kDouble)), 1e-9, 1e-12))
        << ops[i].first << ": " << repr(b.grad());
  }
}

// In-place comparisons and random fills overwrite a tensor in the graph with values that carry no
// gradient: its history becomes a zero-gradient node (names as PyTorch 1.13 gives them), so the
// values it had pass nothing back. Before, the old history stayed and x got a gradient of 2.
TEST(Engine, InplaceComparisonsAndRandomFillsCutTheGradient) {
  const std::vector<std::pair<std::string, std::function<void(const Tensor&, const Tensor&)>>> ops = {
      {"EqBackward1", [](const Tensor& y, const Tensor& o) { y.eq_(o); }},
      {"EqBackward0", [](const Tensor& y, const Tensor&) { y.eq_(0.2); }},
      {"NeBackward1", [](const Tensor& y, const Tensor& o) { y.ne_(o); }},
      {"LtBackward1", [](const Tensor& y, const Tensor& o) { y.lt_(o); }},
      {"LeBackward0", [](const Tensor& y, const Tensor&) { y.le_(0.3); }},
      {"GtBackward1", [](const Tensor& y, const Tensor& o) { y.gt_(o); }},
      {"GeBackward1", [](const Tensor& y, const Tensor& o) { y.ge_(o); }},
      {"UniformBackward0", [](const Tensor& y, const Tensor&) { y.uniform_(); }},
      {"NormalBackward0", [](const Tensor& y, const Tensor&) { y.normal_(); }},
      {"RandomBackward0", [](const Tensor& y, const Tensor&) { y.random_(0, 5); }},
      {"BernoulliBackward2", [](const Tensor& y, const Tensor&) { y.bernoulli_(0.5); }},
      {"BernoulliBackward1", [](const Tensor& y, const Tensor& o) { y.bernoulli_(o.detach().clamp(0, 1)); }},
      {"CauchyBackward0", [](const Tensor& y, const Tensor&) { y.cauchy_(); }},
      {"ExponentialBackward0", [](const Tensor& y, const Tensor&) { y.exponential_(); }},
      {"GeometricBackward0", [](const Tensor& y, const Tensor&) { y.geometric_(0.5); }},
      {"LogNormalBackward0", [](const Tensor& y, const Tensor&) { y.log_normal_(); }},
  };
  for (const auto& [name, op] : ops) {
    auto x = tensor({0.1, 0.2}, requires_grad());
    auto o = tensor({0.2, 0.0}, requires_grad());
    auto y = x * 2;
    op(y, o);
    ASSERT_TRUE(y.grad_fn()) << name;
    EXPECT_EQ(y.grad_fn()->name(), name);
    (y.sum() + x.sum() + o.sum()).backward();
    EXPECT_TRUE(x.grad().equal(tensor({1., 1.}))) << name << ": " << repr(x.grad());
    EXPECT_TRUE(o.grad().equal(tensor({1., 1.}))) << name << ": " << repr(o.grad());
  }
  // Without a graph nothing is recorded.
  auto plain = tensor({0.1, 0.2});
  plain.eq_(0.1);
  plain.uniform_();
  EXPECT_FALSE(plain.requires_grad());
}

// A post-accumulate hook sees the finished .grad (the sum of every use, plus what was there), runs
// once per pass, only on leaves, and stops after removal.
TEST(Engine, PostAccumulateGradHookSeesTheAccumulatedGrad) {
  auto w = tensor({1., 2.}, requires_grad());
  std::vector<Tensor> seen;
  std::vector<int> pre_order;
  w.register_hook([&](const Tensor&) { pre_order.push_back(0); });
  const unsigned h = autograd::register_post_accumulate_grad_hook(w, [&](const Tensor& leaf) {
    pre_order.push_back(1);
    EXPECT_TRUE(leaf.is_same(w));
    seen.push_back(leaf.grad().clone());
  });
  (w * 3 + w * w).sum().backward();  // w used twice: d/dw = 3 + 2w
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].equal(tensor({5., 7.})));
  EXPECT_EQ(pre_order, (std::vector<int>{0, 1}));
  (w * 2).sum().backward();  // accumulates onto the existing grad
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[1].equal(tensor({7., 9.})));
  autograd::remove_post_accumulate_grad_hook(w, h);
  (w * 2).sum().backward();
  EXPECT_EQ(seen.size(), 2u);
  // grad() does not accumulate into .grad, so the hook does not run.
  autograd::register_post_accumulate_grad_hook(w, [&](const Tensor& leaf) { seen.push_back(leaf.grad()); });
  autograd::grad({(w * 2).sum()}, {w});
  EXPECT_EQ(seen.size(), 2u);
  auto y = w * 2;
  EXPECT_NE(error_of([&] { autograd::register_post_accumulate_grad_hook(y, [](const Tensor&) {}); })
                .find("post accumulate grad hooks cannot be registered on non-leaf tensors"),
            std::string::npos);
  auto c = tensor({1.});
  EXPECT_NE(error_of([&] { autograd::register_post_accumulate_grad_hook(c, [](const Tensor&) {}); })
                .find("doesn't require gradient"),
            std::string::npos);
  EXPECT_NE(error_of([&] { autograd::remove_post_accumulate_grad_hook(w, 99); }).find("no hook at position 99"),
            std::string::npos);
}

// queue_callback runs after every node of the pass (each leaf's .grad is final), in order, and a
// callback may queue another; outside a pass it is an error; a nested pass keeps its own list.
TEST(Engine, QueueCallbackRunsAtTheEndOfThePass) {
  auto a = tensor({1.}, requires_grad()), b = tensor({2.}, requires_grad());
  std::vector<std::string> log;
  autograd::register_post_accumulate_grad_hook(a, [&](const Tensor&) {
    log.push_back("a");
    autograd::queue_callback([&] {
      log.push_back(detail::str_cat("end a=", a.grad().item<double>(), " b=", b.grad().item<double>()));
      autograd::queue_callback([&] { log.push_back("chained"); });
    });
  });
  autograd::register_post_accumulate_grad_hook(b, [&](const Tensor&) {
    log.push_back("b");
    // A backward pass inside a hook (which runs with grad off) runs its own callbacks, not the outer pass's.
    AutoGradMode grad_on(true);
    auto x = tensor({3.}, requires_grad());
    autograd::register_post_accumulate_grad_hook(x, [&](const Tensor&) {
      autograd::queue_callback([&] { log.push_back("inner"); });
    });
    (x * 2).sum().backward();
  });
  (a * b * 5).sum().backward();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[4], "chained");
  EXPECT_EQ(log[3], "end a=10 b=5");
  EXPECT_EQ(std::count(log.begin(), log.end(), "inner"), 1);
  EXPECT_NE(error_of([] { autograd::queue_callback([] {}); }).find("Final callbacks can only be installed during backward pass."),
            std::string::npos);
}
