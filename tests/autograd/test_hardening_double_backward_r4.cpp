// Double backward (torch::autograd::grad with create_graph) found different by the fourth
// differential round: which first-order gradients are recorded, and their derivatives at kinks,
// NaN and infinities. Expected values are PyTorch 1.13's.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ember/ember.h"

using namespace ember;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Elementwise comparison with NaN equal to NaN and infinities exact.
void expect_values(const Tensor& t, const std::vector<double>& want) {
  Tensor c = t.to(kDouble).contiguous().reshape({-1});
  ASSERT_EQ(c.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    double got = c[static_cast<int64_t>(i)].item<double>();
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got)) << "at " << i << ": " << got;
    else if (std::isinf(want[i]))
      EXPECT_EQ(got, want[i]) << "at " << i;
    else
      EXPECT_NEAR(got, want[i], 1e-12 * (1 + std::abs(want[i]))) << "at " << i;
  }
}

// The first-order gradient of sum(f(x)) with create_graph, and (when it requires grad) the
// gradient of its sum.
struct Grads {
  Tensor g, gg;
};
template <typename F>
Grads grad2(const F& f, const Tensor& x) {
  Tensor g = autograd::grad({f(x).sum()}, {x}, {}, std::nullopt, true)[0];
  Tensor gg;
  if (g.requires_grad()) gg = autograd::grad({g.sum()}, {x}, {}, std::nullopt, false, true)[0];
  return {g, gg};
}

Tensor leaf(const std::vector<double>& v) { return tensor(v, requires_grad()); }

const std::vector<double> kPoints{-1.0, 0.0, 2.0, kInf, -kInf, kNaN};

}  // namespace

// LibTorch records leaky_relu_backward / hardtanh_backward, so their gradient requires grad under
// create_graph and differentiates to 0 (LeakyReluBackwardBackward0, HardtanhBackwardBackward0).
TEST(DoubleBackwardR4, LeakyReluGradientIsRecorded) {
  Tensor x = leaf(kPoints);
  Grads r = grad2([](const Tensor& t) { return leaky_relu(t, 0.2); }, x);
  expect_values(r.g, {0.2, 0.2, 1, 1, 0.2, 0.2});
  ASSERT_TRUE(r.g.requires_grad());
  EXPECT_EQ(r.g.grad_fn()->name(), "LeakyReluBackwardBackward0");
  expect_values(r.gg, {0, 0, 0, 0, 0, 0});
}

TEST(DoubleBackwardR4, HardtanhGradientIsRecorded) {
  Tensor x = leaf(kPoints);
  Grads r = grad2([](const Tensor& t) { return hardtanh(t, -1.0, 1.5); }, x);
  expect_values(r.g, {0, 1, 0, 0, 0, 1});
  ASSERT_TRUE(r.g.requires_grad());
  EXPECT_EQ(r.g.grad_fn()->name(), "HardtanhBackwardBackward0");
  expect_values(r.gg, {0, 0, 0, 0, 0, 0});
}

TEST(DoubleBackwardR4, PlainBackwardOfLeakyReluRecordsNothing) {
  Tensor x = leaf({-1.0, 2.0});
  Tensor g = autograd::grad({leaky_relu(x, 0.2).sum()}, {x})[0];
  EXPECT_FALSE(g.requires_grad());
  expect_values(g, {0.2, 1});
}

// PyTorch's elu_double_backward is 0 where x >= 0 (x = 0 included, although the first-order
// gradient takes the negative branch there), and 0 at NaN and at +-inf.
TEST(DoubleBackwardR4, EluFamilySecondDerivativeAtKinkNaNAndInf) {
  Tensor x = leaf(kPoints);
  Grads r = grad2([](const Tensor& t) { return elu(t, 1.0); }, x);
  expect_values(r.g, {0.36787944117144233, 1, 1, 1, 0, 1});
  EXPECT_EQ(r.g.grad_fn()->name(), "EluBackwardBackward0");
  expect_values(r.gg, {0.36787944117144233, 0, 0, 0, 0, 0});

  r = grad2([](const Tensor& t) { return elu(t, 0.5); }, leaf(kPoints));
  expect_values(r.g, {0.18393972058572117, 0.5, 1, 1, 0, 1});
  expect_values(r.gg, {0.18393972058572117, 0, 0, 0, 0, 0});

  r = grad2([](const Tensor& t) { return celu(t, 0.5); }, leaf(kPoints));
  expect_values(r.g, {0.1353352832366127, 1, 1, 1, 0, 1});
  expect_values(r.gg, {0.2706705664732254, 0, 0, 0, 0, 0});

  r = grad2([](const Tensor& t) { return selu(t); }, leaf(kPoints));
  expect_values(r.g,
                {0.646768603034814, 1.7580993408473766, 1.0507009873554805, 1.0507009873554805, 0, 1.0507009873554805});
  expect_values(r.gg, {0.646768603034814, 0, 0, 0, 0, 0});
}

// PyTorch's softplus_double_backward keeps the sigmoid's derivative only where beta * x < threshold:
// at beta * x == threshold (x = 2 here) it is 0.
TEST(DoubleBackwardR4, SoftplusSecondDerivativeAtThreshold) {
  Grads r = grad2([](const Tensor& t) { return softplus(t, 0.5, 1.0); }, leaf(kPoints));
  expect_values(r.g, {0.37754066879814546, 0.5, 0.7310585786300049, 1, 0, kNaN});
  EXPECT_EQ(r.g.grad_fn()->name(), "SoftplusBackwardBackward0");
  expect_values(r.gg, {0.11750185610079725, 0.125, 0, 0, 0, kNaN});
}

// maximum/minimum with NaN on either side: both operands get the whole gradient, as PyTorch's
// where(a == b, g / 2, g).masked_fill_(loser, 0).
TEST(DoubleBackwardR4, MinimumMaximumGradientAtNaN) {
  Tensor a = leaf({1.0, kNaN, 2.0, 3.0}), b = leaf({kNaN, 1.0, 2.0, 1.0});
  minimum(a, b).sum().backward();
  expect_values(a.grad(), {1, 1, 0.5, 0});
  expect_values(b.grad(), {1, 1, 0.5, 1});
  Tensor c = leaf({1.0, kNaN, 2.0, 3.0}), d = leaf({kNaN, 1.0, 2.0, 1.0});
  maximum(c, d).sum().backward();
  expect_values(c.grad(), {1, 1, 0.5, 1});
  expect_values(d.grad(), {1, 1, 0.5, 0});
}

// prod of a 0-d tensor, and of one factor when the input holds a zero: PyTorch's gradient is the
// incoming one, with no graph; cumprod over a dim of size 1 likewise (exact at NaN: 1, not NaN).
TEST(DoubleBackwardR4, OneFactorProductGradientIsNotRecorded) {
  Tensor x = tensor(3.0, requires_grad());
  Tensor g = autograd::grad({x.prod()}, {x}, {}, std::nullopt, true)[0];
  EXPECT_FALSE(g.requires_grad());
  EXPECT_EQ(g.item<double>(), 1.0);

  Tensor y = leaf({0.0, 2.0});
  g = autograd::grad({y.reshape({1, 2}).prod(0, true).sum()}, {y}, {}, std::nullopt, true)[0];
  EXPECT_FALSE(g.requires_grad());
  expect_values(g, {1, 1});

  Tensor z = leaf({kNaN, 2.0});
  g = autograd::grad({z.reshape({2, 1}).cumprod(1).sum()}, {z}, {}, std::nullopt, true)[0];
  EXPECT_FALSE(g.requires_grad());
  expect_values(g, {1, 1});
  g = autograd::grad({z.reshape({2, 1}).cumprod(1).sum()}, {z})[0];
  expect_values(g, {1, 1});
}

// std over a dim of size 1 is 0 and its gradient 0; that gradient's derivative is 0, not 0 * inf.
TEST(DoubleBackwardR4, StdOfOneElementSecondDerivativeIsZero) {
  Grads r = grad2([](const Tensor& t) { return t.reshape({2, 1}).std(IntArrayRef{1}, false); }, leaf({1.0, 2.0}));
  expect_values(r.g, {0, 0});
  ASSERT_TRUE(r.gg.defined());
  expect_values(r.gg, {0, 0});
}

// cumprod of a slice holding inf: d out_j / d x_k is the product of the other elements, finite
// here (x = [-inf, 2]: 1 + 2 for x0, -inf for x1); LibTorch 1.13 divides by x (inf / inf = NaN,
// accepted as LibTorch's error). The gradient's own derivative (of 1 + x1 and x0) is [1, 1].
TEST(DoubleBackwardR4, CumprodGradientWithInfIsExact) {
  Grads r = grad2([](const Tensor& t) { return t.cumprod(0); }, leaf({-kInf, 2.0}));
  expect_values(r.g, {3, -kInf});
  ASSERT_TRUE(r.gg.defined());
  expect_values(r.gg, {1, 1});
}
