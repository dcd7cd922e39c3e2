// Regression tests for cosine_embedding_loss's epsilon, nll_loss of a one-class 1-D input with a
// target of shape [1], hardtanh's integer limits, copy_ into an integer tensor and in-place
// comparisons through a view of an integer tensor, found by the 80-round differential run against
// LibTorch 1.13. Every expected value is PyTorch 1.13's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "../tensor_values.h"

// ATen's EPSILON is the float 1e-12 (9.99999996e-13): a zero input2 row's gradient is
// x1 / sqrt((x1^2 + eps) * eps) / N = 333333.33399925212 in PyTorch 1.13 (333333.333333285 with
// the double 1e-12).
TEST(HardeningR5b, CosineEmbeddingLossEpsilonIsTheFloat1em12) {
  torch::Tensor x1 = torch::tensor({{1.8571428571428572}}, torch::kDouble).requires_grad_(true);
  torch::Tensor x2 = torch::tensor({{0.0, -2.0, 2.625}}, torch::kDouble).requires_grad_(true);
  torch::Tensor y = torch::tensor({-1.0, -1.0, 1.0}, torch::kDouble);
  torch::Tensor l = torch::cosine_embedding_loss(x1.expand({3, 1}), x2.t(), y, -0.5, 1);
  l.backward();
  std::vector<double> g = values(x2.grad());
  EXPECT_DOUBLE_EQ(g[0], 333333.33399925212);
}

// torch._C._nn.nll_loss(torch.tensor([-0.5], dtype=torch.float64), torch.tensor([0]), None, 0, -100)
// -> tensor(0.5000, dtype=torch.float64), 0-d for every reduction.
TEST(HardeningR5b, NllLossOneClassInputTakesTargetOfShapeOne) {
  for (int64_t red : {0, 1, 2}) {
    torch::Tensor x = torch::tensor({-0.5}, torch::kDouble).requires_grad_(true);
    torch::Tensor out = torch::nll_loss(x, torch::tensor({int64_t{0}}), {}, red);
    EXPECT_EQ(out.dim(), 0);
    EXPECT_DOUBLE_EQ(out.item<double>(), 0.5);
    out.backward();
    EXPECT_DOUBLE_EQ(x.grad().item<double>(), -1.0);
  }
}

// torch._C._nn.hardtanh(torch.tensor([3, 0, 7, 200], dtype=torch.uint8), 0, -0.5) -> zeros: the
// limits are converted to integers (toward zero) before the negative-limits check.
TEST(HardeningR5b, HardtanhUint8ChecksIntegerLimits) {
  torch::Tensor x = torch::tensor({3, 0, 7, 200}, torch::kByte);
  EXPECT_EQ(values(torch::hardtanh(x, 0, -0.5)), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(values(torch::hardtanh(x, -0.99, 4)), (std::vector<double>{3, 0, 4, 4}));
  EXPECT_THROW(torch::hardtanh(x, 0, -1), std::exception);
}

// copy_ into a uint8 tensor from a float64 tensor requiring grad: requires_grad() false in LibTorch.
TEST(HardeningR5b, CopyIntoIntegerTensorRecordsNothing) {
  torch::Tensor src = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kDouble).requires_grad_(true);
  torch::Tensor a = torch::zeros({4}, torch::kByte);
  a.copy_(src);
  EXPECT_FALSE(a.requires_grad());
  torch::Tensor b = torch::zeros({8}, torch::kByte);
  torch::Tensor v = b.slice(0, 0, 4);
  v.copy_(src);
  EXPECT_FALSE(v.requires_grad());
  EXPECT_FALSE(b.requires_grad());
  EXPECT_EQ(values(v), (std::vector<double>{1, 2, 3, 4}));
}

// ge_ through a view of an int64 tensor with an operand requiring grad: LibTorch 1.13 records it
// (as for a non-view), the view says requires_grad() true.
TEST(HardeningR5b, InplaceComparisonThroughIntegerViewIsRecordedAsLibTorch) {
  torch::Tensor g = torch::tensor(1.5, torch::kDouble).requires_grad_(true);
  torch::Tensor a = torch::tensor({1, 2, 3, 4}, torch::kLong);
  torch::Tensor v = a.slice(0, 1, 4, 2);
  v.ge_(g);
  EXPECT_TRUE(v.requires_grad());
  EXPECT_EQ(values(a), (std::vector<double>{1, 1, 3, 1}));
}
