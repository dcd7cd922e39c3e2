// Regression tests for clamp_min/clamp_max with a NaN bound, integral arange, nansum/nanmean
// gradients, multi_margin_loss with a non-finite target score and the dtypes nearest
// interpolation takes, found by the fourth differential run against LibTorch 1.13.
// Every expected value is PyTorch 1.13's (this file also builds and passes against LibTorch itself).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../expect_error.h"
#include "../tensor_values.h"

namespace F = torch::nn::functional;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// torch.clamp_min(torch.tensor([-4, 0]), nan) -> tensor([nan, nan]); clamp(x, min=nan) keeps x.
TEST(HardeningR4, ClampMinMaxWithNanBoundGiveNan) {
  torch::Tensor i = torch::clamp_min(torch::tensor({-4, 0}), kNaN);
  EXPECT_EQ(i.scalar_type(), torch::kFloat);
  for (double v : values(i)) EXPECT_TRUE(std::isnan(v));
  for (double v : values(torch::clamp_min(torch::tensor({1.5, -2.0}), kNaN))) EXPECT_TRUE(std::isnan(v));
  for (double v : values(torch::clamp_max(torch::tensor({1.5, -2.0}), kNaN))) EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(values(torch::clamp(torch::tensor({1.5, -2.0}), kNaN, c10::nullopt)), (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(values(torch::clamp(torch::tensor({1.5, -2.0}), c10::nullopt, kNaN)), (std::vector<double>{1.5, -2.0}));
}

// torch.arange(-0.25, 7.25, 3.0, dtype=torch.int64) -> [0, 3, 6] (the bounds and step are made
// integers first); the length comes from the converted bounds for int64 only:
// arange(0.5, 3.9, 1, int64) -> [0, 1, 2], arange(0.5, 3.9, 1, int32) -> [0, 1, 2, 3].
TEST(HardeningR4, IntegralArangeConvertsItsBoundsFirst) {
  EXPECT_EQ(values(torch::arange(-0.25, 7.25, 3.0, torch::kLong)), (std::vector<double>{0, 3, 6}));
  EXPECT_EQ(values(torch::arange(-0.25, 7.25, 3.0, torch::kInt)), (std::vector<double>{0, 3, 6}));
  EXPECT_EQ(values(torch::arange(1.5, 6.5, 2, torch::kByte)), (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(values(torch::arange(0.5, 3.9, 1, torch::kLong)), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(values(torch::arange(0.5, 3.9, 1, torch::kInt)), (std::vector<double>{0, 1, 2, 3}));
  expect_error([] { torch::arange(0, 2.5, 0.5, torch::kLong); }, "step must be nonzero");
  expect_error([] { torch::arange(1, 6, 1, torch::kBool); }, "\"arange_cpu\" not implemented for 'Bool'");
}

// nanmean's backward is nansum's (grad times the not-NaN mask) divided by the count: a NaN element
// alone in its slice has count 0, so its gradient is (g / 0) * 0 = NaN, as in PyTorch.
TEST(HardeningR4, NanmeanGradientOfALoneNanIsNan) {
  torch::Tensor x = torch::tensor({{1.0, kNaN}}).requires_grad_();
  torch::nanmean(x, {0}).backward(torch::tensor({1.0, 2.0}));
  std::vector<double> g = values(x.grad());
  EXPECT_EQ(g[0], 1.0);
  EXPECT_TRUE(std::isnan(g[1]));
  // nansum with an infinite incoming gradient: inf * 0 is NaN at the NaN element.
  torch::Tensor y = torch::tensor({{1.0, kNaN}}).requires_grad_();
  torch::nansum(y, {0}).backward(torch::tensor({kInf, kInf}));
  g = values(y.grad());
  EXPECT_EQ(g[0], kInf);
  EXPECT_TRUE(std::isnan(g[1]));
}

// multi_margin_loss sums over the classes other than the target only: with one class the loss is
// 0 and so is the gradient, even for an infinite input (PyTorch: 0, not NaN).
TEST(HardeningR4, MultiMarginLossIgnoresTheTargetTerm) {
  for (double v : {-kInf, kInf, 2.5}) {
    torch::Tensor x = torch::full({3, 1}, v).requires_grad_();
    torch::Tensor loss = F::multi_margin_loss(x, torch::zeros({3}, torch::kLong), F::MultiMarginLossFuncOptions().p(2));
    EXPECT_EQ(loss.item<double>(), 0.0);
    loss.backward();
    EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 0, 0}));
  }
}

// ATen's margin losses add a term only where it is > 0, so a NaN input's terms are skipped
// (PyTorch 1.13: F.multi_margin_loss([[nan, 1, 0.5]], [2], p=1, margin=2) = 0.8333 with gradient
// [0, 1/3, -1/3]; a NaN target score skips every term; multilabel the same).
TEST(HardeningR4, MarginLossesSkipNanTerms) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto x = [&] { return torch::tensor({{nan, 1.0, 0.5}}, torch::kDouble).requires_grad_(); };
  auto none = torch::kNone;
  torch::Tensor a = x();
  torch::Tensor l =
      F::multi_margin_loss(a, torch::tensor({2}), F::MultiMarginLossFuncOptions().margin(2).reduction(none));
  l.sum().backward();
  expect_values(l, {0.8333333333333334}, 1e-12);
  expect_values(a.grad(), {0, 1.0 / 3, -1.0 / 3}, 1e-12);
  torch::Tensor b = x();
  l = F::multi_margin_loss(b, torch::tensor({0}), F::MultiMarginLossFuncOptions().p(2).margin(2).reduction(none));
  l.sum().backward();
  expect_values(l, {0});
  expect_values(b.grad(), {0, 0, 0});
  torch::Tensor c = x();
  l = F::multilabel_margin_loss(c, torch::tensor({{2, -1, 0}}), F::MultilabelMarginLossFuncOptions().reduction(none));
  l.sum().backward();
  expect_values(l, {0.5}, 1e-12);
  expect_values(c.grad(), {0, 1.0 / 3, -1.0 / 3}, 1e-12);
}

// F.interpolate(bool or int32/int64, mode='nearest'/'nearest-exact') -> "compute_indices_weights_nearest"
// not implemented; uint8 is interpolated.
TEST(HardeningR4, NearestInterpolationTakesFloatsAndUint8) {
  auto opts = F::InterpolateFuncOptions().size(std::vector<int64_t>{6}).mode(torch::kNearestExact);
  expect_error(
      [&] {
        F::interpolate(torch::ones({2, 1, 3}, torch::kBool), opts);
      },
      "\"compute_indices_weights_nearest\" not implemented for 'Bool'");
  expect_error(
      [&] {
        F::interpolate(torch::ones({2, 1, 3}, torch::kLong), opts.mode(torch::kNearest));
      },
      "\"compute_indices_weights_nearest\" not implemented for 'Long'");
  torch::Tensor u = F::interpolate(torch::tensor({1, 2, 3}, torch::kByte).reshape({1, 1, 3}), opts);
  EXPECT_EQ(u.scalar_type(), torch::kByte);
  EXPECT_EQ(values(u), (std::vector<double>{1, 1, 2, 2, 3, 3}));
}

// avg_pool3d of int64 divides the integer sums with truncation, as ATen (and so local_response_norm
// of int64 input works): F.avg_pool3d(x, 2) -> [[[[[2]]]]], with padding=1 -> [0, 0, 0, 0, 1, 0, 0, 1],
// with kernel (1, 2, 2) and divisor_override=3 -> [0, 6].
TEST(HardeningR4, AvgPool3dOfInt64Truncates) {
  torch::Tensor x = torch::tensor({-7, 3, 5, -2, 8, 1, 0, 9}, torch::kLong).reshape({1, 1, 2, 2, 2});
  torch::Tensor a = F::avg_pool3d(x, F::AvgPool3dFuncOptions(2));
  EXPECT_EQ(a.scalar_type(), torch::kLong);
  EXPECT_EQ(values(a), (std::vector<double>{2}));
  EXPECT_EQ(values(F::avg_pool3d(x, F::AvgPool3dFuncOptions(2).padding(1))),
            (std::vector<double>{0, 0, 0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(values(F::avg_pool3d(x, F::AvgPool3dFuncOptions({1, 2, 2}).divisor_override(3))),
            (std::vector<double>{0, 6}));
  torch::Tensor r = F::local_response_norm(torch::arange(12).reshape({1, 2, 2, 3}),
                                           F::LocalResponseNormFuncOptions(1).alpha(1).beta(0.5).k(2));
  EXPECT_EQ(r.scalar_type(), torch::kFloat);
  EXPECT_NEAR(values(r)[1], 0.5773502588272095, 1e-6);
  EXPECT_NEAR(values(r)[11], 0.9918366074562073, 1e-6);
}
