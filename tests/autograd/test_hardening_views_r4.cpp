// Fourth differential round, views and autograd: as_strided of a tensor that requires grad is
// differentiated (AsStridedBackward0), and an in-place op whose backward reads its result saves
// self, so a later in-place write is the version-counter error, as in PyTorch 1.13 (values from it).
#include <gtest/gtest.h>

#include "ember/ember.h"

using namespace ember;

namespace {
Tensor f64(std::vector<double> v) { return tensor(v, TensorOptions(kDouble)); }
void expect_values(const Tensor& t, const std::vector<double>& want) {
  Tensor c = t.contiguous();
  ASSERT_EQ(c.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(c.data_ptr<double>()[i], want[i]) << "at " << i;
}
}  // namespace

// Before, as_strided refused a tensor that requires grad ("not differentiable yet").
TEST(AsStridedGrad, GradientGoesToTheElementsRead) {
  Tensor x = arange(6, TensorOptions(kDouble)).reshape({2, 3}).requires_grad_(true);
  Tensor y = (x * 1).as_strided({2, 2}, {1, 2}, 1);
  EXPECT_EQ(y.grad_fn()->name(), "AsStridedBackward0");
  expect_values(y, {1, 3, 2, 4});
  (y * f64({1, 2, 3, 4}).reshape({2, 2})).sum().backward();
  expect_values(x.grad(), {0, 1, 3, 2, 4, 0});  // PyTorch 1.13
}

TEST(AsStridedGrad, OverlappingOutputSums) {
  Tensor x = arange(4, TensorOptions(kDouble)).requires_grad_(true);
  Tensor y = x.as_strided({3, 2}, {1, 1});
  (y * arange(1, 7, TensorOptions(kDouble)).reshape({3, 2})).sum().backward();
  expect_values(x.grad(), {1, 5, 9, 6});
}

// An input whose elements share locations (expanded) shares each location's gradient among them.
TEST(AsStridedGrad, OverlappingInputSharesTheGradient) {
  Tensor x = f64({1, 2, 3}).requires_grad_(true);
  Tensor y = x.expand({2, 3}).as_strided({3}, {1});
  (y * f64({1, 2, 3})).sum().backward();
  expect_values(x.grad(), {1, 2, 3});
}

// Locations outside the input (below its offset) get no gradient; the offset is the storage's.
TEST(AsStridedGrad, StorageOffsetOutsideTheInput) {
  Tensor x = arange(6, TensorOptions(kDouble)).requires_grad_(true);
  Tensor s = x.slice(0, 2);
  Tensor y = s.as_strided({3}, {1}, 1);
  expect_values(y, {1, 2, 3});
  (y * f64({1, 2, 3})).sum().backward();
  expect_values(x.grad(), {0, 0, 2, 3, 0, 0});
  Tensor x2 = arange(6, TensorOptions(kDouble)).requires_grad_(true);
  (x2.slice(0, 2).as_strided({2}, {1}, 0) * f64({1, 2})).sum().backward();
  expect_values(x2.grad(), {0, 0, 0, 0, 0, 0});
}

TEST(AsStridedGrad, DoubleBackward) {
  Tensor x = f64({0.5, 1, 1.5, 2}).requires_grad_(true);
  Tensor z = x.as_strided({2, 2}, {1, 1}).pow(3).sum();
  Tensor g = autograd::grad({z}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  expect_values(g, {0.75, 6, 6.75, 0});
  g.sum().backward();
  expect_values(x.grad(), {3, 12, 9, 0});
}

// In-place ops through an as_strided view: the base's history becomes CopySlices.
TEST(AsStridedGrad, InplaceThroughTheView) {
  Tensor x = f64({1, -2, 3, -4, 5, -6}).requires_grad_(true);
  Tensor b = x.mul(1.0);
  Tensor v = b.as_strided({3}, {2});
  v.mul_(3);
  v.add_(1);
  v.relu_();
  (b * arange(1, 7, TensorOptions(kDouble))).sum().backward();
  expect_values(b, {4, -2, 10, -4, 16, -6});
  expect_values(x.grad(), {3, 2, 9, 4, 15, 6});
}

// as_strided_ records its history like transpose_; on a leaf that requires grad it is refused.
TEST(AsStridedGrad, InplaceRestride) {
  Tensor x = arange(4, TensorOptions(kDouble)).requires_grad_(true);
  EXPECT_THROW(x.as_strided_({2}, {1}), Error);
  Tensor y = x * 2;
  y.as_strided_({2}, {2}, 1);
  expect_values(y, {2, 6});
  (y * f64({1, 3})).sum().backward();
  expect_values(x.grad(), {0, 2, 0, 6});
}

// An in-place op whose backward reads its result (sigmoid_, relu_, exp_, tanh_, ...) saves self, as
// PyTorch does: a later in-place op on self, its base or another view of it is the version-counter
// error at backward. Before, ember saved the out-of-place result and computed a gradient.
namespace {
std::string backward_error(const Tensor& loss) {
  try {
    loss.backward();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}
}  // namespace

TEST(InplaceSavedResult, ModifiedThroughTheBaseIsAnError) {
  Tensor x = f64({0.5, -1, 2}).requires_grad_(true);
  Tensor b = x * 1;
  Tensor v = b.slice(0, 1);
  v.sigmoid_();
  b.add_(1);
  std::string msg = backward_error(b.sum());
  EXPECT_NE(msg.find("one of the variables needed for gradient computation has been modified by an inplace "
                     "operation"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("is at version 2; expected version 1 instead."), std::string::npos) << msg;
}

TEST(InplaceSavedResult, ModifiedDirectlyIsAnError) {
  Tensor x = f64({0.5, -1, 2}).requires_grad_(true);
  Tensor y = x * 1;
  y.relu_();
  y.mul_(2);
  std::string msg = backward_error(y.sum());
  EXPECT_NE(msg.find("which is output 0 of ReluBackward0, is at version 2; expected version 1 instead."),
            std::string::npos)
      << msg;
}

TEST(InplaceSavedResult, UnmodifiedGradientsStay) {
  Tensor x = f64({0.5, -1, 2}).requires_grad_(true);
  Tensor y = x * 1;
  y.exp_();
  (y * 1).sum().backward();
  expect_values(x.grad(), {1.6487212707001282, 0.36787944117144233, 7.38905609893065});
  Tensor x2 = f64({0.5, -1, 2}).requires_grad_(true);
  Tensor y2 = x2 * 1;
  y2.tanh_();
  Tensor g = autograd::grad({y2.sum()}, {x2}, {}, std::nullopt, /*create_graph=*/true)[0];
  g.sum().backward();
  // PyTorch 1.13
  const double gw[] = {0.7864477329659274, 0.41997434161402614, 0.07065082485316443};
  const double xw[] = {-0.7268619813835873, 0.6397000084492246, -0.13621868742711296};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(g[i].item<double>(), gw[i], 1e-15);
    EXPECT_NEAR(x2.grad()[i].item<double>(), xw[i], 1e-15);
  }
}
