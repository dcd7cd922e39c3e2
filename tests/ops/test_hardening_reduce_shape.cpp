// Regression tests for reductions with a dtype, cat of empty tensors, searchsorted promotion, integer
// alphas, dim checks and margin-loss hinges that a differential run against LibTorch 1.13 found.
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

torch::Tensor leaf(const torch::Tensor& t) { return t.detach().clone().requires_grad_(); }
}  // namespace

// ---------------------------------------------------------------- reductions with a dtype

TEST(HardeningReduce, SumToBoolCastsFirst) {
  auto x = torch::tensor({5, 0, -5}, torch::kInt);
  torch::Tensor s = torch::sum(x, torch::kBool);
  EXPECT_EQ(s.scalar_type(), torch::kBool);
  EXPECT_TRUE(s.item<bool>());
  EXPECT_TRUE(torch::sum(x, {0}, false, torch::kBool).item<bool>());
  EXPECT_TRUE(torch::nansum(x, {0}, false, torch::kBool).item<bool>());
  EXPECT_TRUE(torch::sum(torch::tensor({5}), torch::kBool).item<bool>());
  auto halves = torch::tensor({0.5, 0.5});
  EXPECT_TRUE(torch::sum(halves, torch::kBool).item<bool>());
  EXPECT_EQ(torch::sum(halves, torch::kInt).item<int>(), 0);  // each element truncated first
  EXPECT_TRUE(torch::prod(torch::tensor({0.5, 2.}), torch::kBool).item<bool>());
  EXPECT_TRUE(torch::prod(torch::tensor({0.5, 2.}), 0, false, torch::kBool).item<bool>());
  EXPECT_EQ(torch::prod(torch::tensor({0.5, 2.}), torch::kInt).item<int>(), 0);
  // A product that overflows int64 to 0 is still "all nonzero".
  EXPECT_TRUE(torch::prod(torch::tensor({int64_t(1) << 32, int64_t(1) << 32}), torch::kBool).item<bool>());
  auto none = torch::zeros({0, 3}, torch::kInt);
  EXPECT_EQ(values(torch::sum(none, {0}, false, torch::kBool)), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(values(torch::prod(none, 0, false, torch::kBool)), (std::vector<double>{1, 1, 1}));
}

TEST(HardeningReduce, NarrowIntegerDtypesWrap) {
  EXPECT_EQ(torch::sum(torch::tensor({200, 100}), torch::kByte).item<int>(), 44);
  EXPECT_EQ(torch::prod(torch::tensor({300, 1}), torch::kByte).item<int>(), 44);
  EXPECT_EQ(torch::prod(torch::tensor({16, 16}), torch::kByte).item<int>(), 0);
  EXPECT_EQ(values(torch::cumsum(torch::tensor({200, 100}), 0, torch::kByte)), (std::vector<double>{200, 44}));
  EXPECT_EQ(values(torch::cumprod(torch::tensor({16, 16, 3}), 0, torch::kByte)), (std::vector<double>{16, 0, 0}));
}

TEST(HardeningReduce, MeanAndSumWithANarrowerFloatDtypeRoundTheInputFirst) {
  // 16777217 is not a float: PyTorch casts it to 16777216 before it sums.
  auto l = torch::tensor({int64_t(16777217), int64_t(1)});
  auto d = torch::tensor({16777217., 1.}, torch::kDouble);
  EXPECT_EQ(torch::mean(l, torch::kFloat).item<double>(), 8388608.);
  EXPECT_EQ(torch::mean(d, torch::kFloat).item<double>(), 8388608.);
  EXPECT_EQ(torch::mean(d, {0}, false, torch::kFloat).item<double>(), 8388608.);
  EXPECT_EQ(torch::sum(l, torch::kFloat).item<double>(), 16777216.);
  EXPECT_EQ(torch::sum(d, torch::kFloat).item<double>(), 16777216.);
  EXPECT_EQ(torch::mean(torch::tensor({5, 0, -5}, torch::kInt), torch::kFloat).item<double>(), 0.);
  torch::Tensor m = torch::nanmean(torch::tensor({1., kNaN, 2.}), {0}, false, torch::kDouble);
  EXPECT_EQ(m.scalar_type(), torch::kDouble);
  EXPECT_EQ(m.item<double>(), 1.5);
}

TEST(HardeningReduce, DtypesPyTorchRefuses) {
  auto x = torch::tensor({5, 0, -5}, torch::kInt);
  expect_error([&] { torch::cumsum(x, 0, torch::kBool); }, "\"cumsum_out_cpu\" not implemented for 'Bool'");
  expect_error([&] { torch::cumprod(x, 0, torch::kBool); }, "\"cumprod_out_cpu\" not implemented for 'Bool'");
  auto f = torch::tensor({0.5, kNaN});
  expect_error([&] { torch::nansum(f, {0}, false, torch::kBool); }, "\"nansum_cpu\" not implemented for 'Bool'");
  expect_error([&] { torch::nanmean(f, {0}, false, torch::kBool); }, "\"nansum_cpu\" not implemented for 'Bool'");
  // ATen copies a 0-d input and fills an empty one before it looks at the dtype.
  EXPECT_TRUE(torch::cumsum(torch::tensor(3), 0, torch::kBool).item<bool>());
  EXPECT_TRUE(torch::cumprod(torch::tensor(3), 0, torch::kBool).item<bool>());
  EXPECT_EQ(torch::cumsum(torch::zeros({1, 0, 3}, torch::kByte), 1, torch::kBool).sizes(),
            torch::IntArrayRef({1, 0, 3}));
  EXPECT_EQ(values(torch::nansum(torch::zeros({3, 0}), {1}, false, torch::kBool)), (std::vector<double>{0, 0, 0}));
  expect_error([&] { torch::mean(x, torch::kInt); },
               "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex "
               "dtype. Got: Int");
  expect_error([&] { torch::mean(x); },
               "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
               "dtype. Got: Int");
}

// ---------------------------------------------------------------- cat of 1-D empty tensors

TEST(HardeningShape, CatOfOnlyEmptyTensorsPromotesAndKeepsGrad) {
  auto b0 = torch::zeros({0}, torch::kBool);
  auto i0 = torch::zeros({0}, torch::kLong);
  auto f0 = torch::zeros({0}).requires_grad_();
  torch::Tensor c = torch::cat({b0, f0});
  EXPECT_EQ(c.scalar_type(), torch::kFloat);
  EXPECT_EQ(c.sizes(), torch::IntArrayRef({0}));
  ASSERT_TRUE(c.requires_grad());
  c.sum().backward();
  ASSERT_TRUE(f0.grad().defined());
  EXPECT_EQ(f0.grad().sizes(), torch::IntArrayRef({0}));
  EXPECT_EQ(torch::cat({b0, i0}).scalar_type(), torch::kLong);
  EXPECT_EQ(torch::cat({b0, b0}).scalar_type(), torch::kBool);
  // The dim is not checked when every tensor is skipped.
  EXPECT_EQ(torch::cat({f0, f0}, 5).sizes(), torch::IntArrayRef({0}));
  EXPECT_EQ(torch::cat({f0, f0}, -7).sizes(), torch::IntArrayRef({0}));
  torch::Tensor h = torch::hstack({f0, i0});
  EXPECT_EQ(h.scalar_type(), torch::kFloat);
  EXPECT_TRUE(h.requires_grad());
  EXPECT_EQ(torch::hstack({b0, f0}).scalar_type(), torch::kFloat);
  torch::Tensor v = torch::vstack({b0, f0});
  EXPECT_EQ(v.scalar_type(), torch::kFloat);
  EXPECT_EQ(v.sizes(), torch::IntArrayRef({2, 0}));
  EXPECT_TRUE(v.requires_grad());
  torch::Tensor s = torch::stack({i0, f0});
  EXPECT_EQ(s.scalar_type(), torch::kFloat);
  EXPECT_EQ(s.sizes(), torch::IntArrayRef({2, 0}));
  EXPECT_TRUE(s.requires_grad());
  torch::Tensor k = torch::cat({torch::zeros({0}, torch::kInt), torch::ones({2}, torch::kBool)});
  EXPECT_EQ(k.scalar_type(), torch::kInt);
  EXPECT_EQ(values(k), (std::vector<double>{1, 1}));
}

TEST(HardeningShape, CatRefusesZeroDimTensors) {
  auto f0 = torch::zeros({0});
  expect_error(
      [&] {
        torch::cat({torch::tensor(1.), f0});
      },
      "zero-dimensional tensor (at position 0) cannot be concatenated");
  expect_error(
      [&] {
        torch::cat({f0, torch::tensor(1.)});
      },
      "zero-dimensional tensor (at position 1) cannot be concatenated");
}

// ---------------------------------------------------------------- searchsorted / bucketize

TEST(HardeningSearch, BoolOperandsPromote) {
  auto bools = torch::tensor({false, true});
  torch::Tensor r = torch::bucketize(torch::tensor({-1, 0, 2}), bools);
  EXPECT_EQ(r.scalar_type(), torch::kLong);
  EXPECT_EQ(values(r), (std::vector<double>{0, 0, 2}));
  EXPECT_EQ(values(torch::bucketize(torch::tensor({true, false}), torch::tensor({0, 1, 2}))),
            (std::vector<double>{1, 0}));
  EXPECT_EQ(values(torch::bucketize(torch::tensor({0.5, 1.5}), bools)), (std::vector<double>{1, 2}));
  EXPECT_EQ(values(torch::searchsorted(bools, torch::tensor({-1, 0, 2}))), (std::vector<double>{0, 0, 2}));
  EXPECT_EQ(torch::searchsorted(torch::tensor({0, 1, 2}), true).item<int64_t>(), 1);
  EXPECT_EQ(torch::searchsorted(bools, 1).item<int64_t>(), 1);
  EXPECT_EQ(torch::searchsorted(bools, 1, false, true).item<int64_t>(), 2);
  EXPECT_EQ(torch::searchsorted(bools, 0.5).item<int64_t>(), 1);
  expect_error(
      [&] {
        torch::bucketize(torch::tensor({true, false}), bools);
      },
      "\"searchsorted_out_cpu\" not implemented for 'Bool'");
  expect_error([&] { torch::searchsorted(bools, true); }, "\"searchsorted_out_cpu\" not implemented for 'Bool'");
}

TEST(HardeningSearch, ComparesInTheCommonDtype) {
  // 0.1 becomes the float 0.1f, which equals the boundary; compared in double it would be smaller.
  EXPECT_EQ(torch::searchsorted(torch::tensor({0.1f}), 0.1, false, true).item<int64_t>(), 1);
  // 2^53 + 1 has no double; int64 compares it exactly.
  const int64_t big = (int64_t(1) << 53);
  EXPECT_EQ(torch::searchsorted(torch::tensor({big + 1}), torch::tensor({big}), false, true).item<int64_t>(), 0);
}

// ---------------------------------------------------------------- alpha with integer tensors

TEST(HardeningAlpha, IntegerAlphaIsCastFirst) {
  auto self = torch::tensor({-4});
  auto idx = torch::tensor({0, 0, 0});
  auto src = torch::tensor({-4, 0, 2});
  EXPECT_EQ(values(torch::index_add(self, 0, idx, src, 0.5)), (std::vector<double>{-4}));
  EXPECT_EQ(values(torch::index_add(self, 0, idx, src, 1.5)), (std::vector<double>{-6}));
  EXPECT_EQ(values(torch::index_add(self, 0, idx, src, -1.5)), (std::vector<double>{-2}));
  EXPECT_EQ(values(torch::zeros({3}, torch::kLong).index_add_(0, torch::tensor({0, 1}), torch::tensor({5, 7}), 0.9)),
            (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(values(torch::index_add(torch::tensor({true, false}), 0, torch::tensor({0, 1}), torch::tensor({true, true}),
                                    0.5)),
            (std::vector<double>{1, 1}));
  auto a = torch::tensor({1, 2}), b = torch::tensor({3, 4});
  EXPECT_EQ(values(torch::addcmul(a, b, b, 0.5)), (std::vector<double>{1, 2}));
  EXPECT_EQ(values(torch::addcmul(a, b, b, 2.0)), (std::vector<double>{19, 34}));
  auto u = torch::tensor({1, 2}, torch::kByte), v = torch::tensor({3, 4}, torch::kByte);
  EXPECT_EQ(values(torch::addcmul(u, v, v, -1)), (std::vector<double>{248, 242}));
}

TEST(HardeningAlpha, FloatAlphaForIntegerAddIsRefused) {
  auto a = torch::tensor({1, 2}), b = torch::tensor({3, 4});
  const char* msg = "For integral input tensors, argument alpha must not be a floating point number.";
  expect_error([&] { torch::add(a, b, 0.5); }, msg, {a, b});
  expect_error([&] { torch::add(a, 3, 0.5); }, msg, {a});
  expect_error([&] { torch::sub(a, b, 0.5); }, msg, {a, b});
  expect_error([&] { a.add_(b, 0.5); }, msg, {a, b});
  expect_error([&] { torch::add(a, b, true); }, "Boolean alpha only supported for Boolean results.", {a, b});
  expect_error(
      [&] {
        torch::add(torch::tensor({1., 2.}), b, true);
      },
      "Boolean alpha only supported for Boolean results.");
  // A floating result takes it.
  expect_values(torch::add(a, torch::tensor({3., 4.}), 0.5), {2.5, 4.0});
  EXPECT_EQ(values(torch::sub(a, b, 2)), (std::vector<double>{-5, -6}));
}

// ---------------------------------------------------------------- dims of 0-d tensors

TEST(HardeningDims, ZeroDimReductionsCheckTheDim) {
  auto z = torch::tensor(2.);
  const char* msg = "Dimension out of range (expected to be in range of [-1, 0], but got 1)";
  expect_error([&] { torch::var_mean(z, {1}, true, false); }, msg);
  expect_error([&] { torch::std_mean(z, {1}, true, false); }, msg);
  expect_error([&] { torch::nansum(z, {1}); }, msg);
  expect_error([&] { torch::nanmean(z, {1}); }, msg);
  expect_error([&] { torch::var_mean(z, {-2}, true, false); },
               "Dimension out of range (expected to be in range of [-1, 0], but got -2)");
  auto [v, m] = torch::var_mean(z, {0}, true, false);
  EXPECT_TRUE(std::isnan(v.item<double>()));
  EXPECT_EQ(m.item<double>(), 2.);
  expect_error(
      [&] {
        torch::var_mean(torch::ones({2, 3}), std::vector<int64_t>{2});
      },
      "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error(
      [&] {
        torch::nansum(torch::ones({2, 3}), {1, -1});
      },
      "dim 1 appears multiple times in the list of dims");
}

TEST(HardeningDims, RepeatInterleaveOfZeroDimWithADim) {
  auto z = torch::tensor(5);
  expect_error([&] { torch::repeat_interleave(z, 2, 0); }, "Dimension specified as 0 but tensor has no dimensions");
  expect_error([&] { torch::repeat_interleave(z, 2, -1); }, "Dimension specified as -1 but tensor has no dimensions");
  expect_error([&] { torch::repeat_interleave(z, torch::tensor({2}), 0); },
               "Dimension specified as 0 but tensor has no dimensions");
  EXPECT_EQ(values(torch::repeat_interleave(z, 2)), (std::vector<double>{5, 5}));
  expect_error(
      [&] {
        torch::repeat_interleave(torch::tensor({5, 6}), 2, 1);
      },
      "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

// ---------------------------------------------------------------- distance and norm gradients

TEST(HardeningNormGrad, ZeroNormsGiveZeroGradients) {
  auto a = leaf(torch::tensor({{1., 0., 2.}, {0., 3., 1.}}));
  auto b = leaf(torch::tensor({{1., 1., 2.}, {0., 3., 0.}, {1., 0., 0.}}));
  torch::cdist(a, b, 0).sum().backward();
  ASSERT_TRUE(a.grad().defined());
  ASSERT_TRUE(b.grad().defined());
  EXPECT_EQ(values(a.grad()), std::vector<double>(6, 0.));
  EXPECT_EQ(values(b.grad()), std::vector<double>(9, 0.));
  auto p = leaf(torch::tensor({{1., 0., 2.}, {0., 3., 1.}}));
  torch::Tensor d = torch::pdist(p, 0);
  expect_values(d, {3.});
  d.sum().backward();
  ASSERT_TRUE(p.grad().defined());
  EXPECT_EQ(values(p.grad()), std::vector<double>(6, 0.));
  auto one = leaf(torch::tensor({{1., 2.}}));
  torch::Tensor e = torch::pdist(one);
  EXPECT_EQ(e.sizes(), torch::IntArrayRef({0}));
  ASSERT_TRUE(e.requires_grad());
  e.sum().backward();
  EXPECT_EQ(values(one.grad()), (std::vector<double>{0, 0}));
}

TEST(HardeningNormGrad, PBelowOneMasksZeroCoordinates) {
  auto x = leaf(torch::tensor({1., 0., 2.}));
  F::normalize(x, F::NormalizeFuncOptions().p(0.5).dim(0)).sum().backward();
  expect_values(x.grad(), {-0.04163054, 0.17157285, 0.02081528});
  auto y = leaf(torch::tensor({1., 0., 2.}));
  torch::norm(y, 0.5).backward();
  expect_values(y.grad(), {2.41421366, 0., 1.70710683});
  auto w = leaf(torch::tensor({1., 0., 2.}));
  torch::Tensor n = torch::norm(w, -1);
  EXPECT_EQ(n.item<double>(), 0.);
  n.backward();
  EXPECT_EQ(values(w.grad()), (std::vector<double>{0, 0, 0}));
  auto p = leaf(torch::tensor({{1., 0., 2.}, {1., 3., 1.}}));
  torch::pdist(p, 0.5).sum().backward();
  expect_values(p.grad(), {0., -1.57735026, 2.73205090, 0., 1.57735026, -2.73205090});
  auto c1 = leaf(torch::tensor({{1., 0., 2.}})), c2 = leaf(torch::tensor({{1., 3., 1.}}));
  torch::cdist(c1, c2, 0.5).sum().backward();
  expect_values(c1.grad(), {0., -1.57735026, 2.73205090});
  expect_values(c2.grad(), {0., 1.57735026, -2.73205090});
  // Between 1 and 2, |x|^(p-1) is 0 at a zero coordinate; a zero norm gives 0 for any p.
  auto q = leaf(torch::tensor({1., 0., 2.}));
  torch::norm(q, 1.5).backward();
  expect_values(q.grad(), {0.63923401, 0., 0.90401340});
  for (double pv : {0.5, 1.5, 3.}) {
    auto zero = leaf(torch::zeros({2}));
    torch::norm(zero, pv).backward();
    EXPECT_EQ(values(zero.grad()), (std::vector<double>{0, 0})) << "p = " << pv;
  }
  // norm's own 0-norm passes no gradient at all (LibTorch leaves grad undefined).
  auto n0 = leaf(torch::tensor({1., 0., 2.}));
  torch::norm(n0, 0).backward();
  EXPECT_FALSE(n0.grad().defined());
}

// ---------------------------------------------------------------- hinge edges

TEST(HardeningLossGrad, MarginLossesAtTheHingeHaveZeroGradient) {
  auto x = leaf(torch::tensor({1., 2., 3.}));
  torch::Tensor l = F::multilabel_margin_loss(x, torch::tensor({2, 1, -1}));
  EXPECT_EQ(l.item<double>(), 0.);
  l.backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 0, 0}));
  auto x2 = leaf(torch::tensor({{1., 2., 3.}, {0.5, 1.5, 1.5}}));
  torch::Tensor l2 = F::multilabel_margin_loss(x2, torch::tensor({{2, 1, -1}, {1, -1, 0}}));
  expect_values(l2, {1. / 6});
  l2.backward();
  expect_values(x2.grad(), {0, 0, 0, 0, -1. / 6, 1. / 6});
  auto x3 = leaf(torch::tensor({{1., 2., 3.}}));
  F::multi_margin_loss(x3, torch::tensor({1})).backward();
  expect_values(x3.grad(), {0, -1. / 3, 1. / 3});
}

// ---------------------------------------------------------------- batch norm in eval mode

TEST(HardeningNormGrad, EvalBatchNormOfInfinityHasAFiniteInputGradient) {
  auto x = leaf(torch::tensor({{-kInf, 1.}, {2., 3.}}));
  auto w = leaf(torch::tensor({2., 1.})), b = leaf(torch::tensor({0., 0.}));
  auto rm = torch::tensor({0., 0.}), rv = torch::tensor({4., 1.});
  torch::Tensor y = F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().weight(w).bias(b).training(false).eps(1e-5));
  y.sum().backward();
  expect_values(x.grad(), {0.99999875, 0.99999499, 0.99999875, 0.99999499});
  expect_values(b.grad(), {2., 2.});
  auto xi = leaf(torch::tensor({{{-kInf, 1.}, {2., 3.}}}));
  auto wi = leaf(torch::tensor({2., 1.}));
  torch::Tensor yi = F::instance_norm(
      xi, F::InstanceNormFuncOptions().running_mean(rm).running_var(rv).weight(wi).use_input_stats(false).eps(1e-5));
  yi.sum().backward();
  expect_values(xi.grad(), {0.99999875, 0.99999875, 0.99999499, 0.99999499});
  // NaN and infinities, no affine weight: the gradient is still 1 / sqrt(var + eps).
  auto xn = leaf(torch::tensor({{-kInf, kNaN}, {kInf, 3.}}));
  F::batch_norm(xn, rm, rv, F::BatchNormFuncOptions().training(false).eps(1e-5)).sum().backward();
  expect_values(xn.grad(), {0.49999937, 0.99999499, 0.49999937, 0.99999499});
}

// var/std/var_mean/std_mean of float32 accumulate in double, as ATen (expected values from LibTorch 1.13).
TEST(HardeningVar, ConstantRowHasExactlyZeroVariance) {
  auto x = torch::full({1, 3}, -5 / 7.f);
  auto [v, m] = torch::var_mean(x, std::vector<int64_t>{1});
  EXPECT_EQ(v.item<double>(), 0.);
  EXPECT_EQ(m.item<float>(), -5 / 7.f);
  auto [s, m2] = torch::std_mean(x, std::vector<int64_t>{1});
  EXPECT_EQ(s.item<double>(), 0.);
  auto rows = torch::full({2, 3}, -5 / 7.f);
  EXPECT_EQ(values(torch::var(rows, std::vector<int64_t>{1})), (std::vector<double>{0, 0}));
  EXPECT_EQ(values(torch::std(rows, std::vector<int64_t>{1})), (std::vector<double>{0, 0}));
  EXPECT_EQ(values(std::get<0>(torch::var_mean(rows, std::vector<int64_t>{1}))), (std::vector<double>{0, 0}));
  // Non-contiguous: the same rows read down a transposed view.
  EXPECT_EQ(values(torch::var(rows.t(), std::vector<int64_t>{0})), (std::vector<double>{0, 0}));
  // The backward of std at a zero std is 0 in both.
  auto leafx = leaf(x);
  std::get<0>(torch::std_mean(leafx, std::vector<int64_t>{1})).sum().backward();
  EXPECT_EQ(values(leafx.grad()), (std::vector<double>{0, 0, 0}));
}

// float64 too: slices of equal values read through expand have std exactly 0, and so gradient 0
// (LibTorch 1.13's Welford; ember shifts by each slice's first element).
TEST(HardeningVar, EqualValuesThroughExpandHaveZeroStd) {
  auto a = leaf(torch::tensor({3.375, -6.4285714285714288}, torch::kFloat64).reshape({2, 1, 1}));
  torch::Tensor s = a.expand({2, 3, 1}).std(std::vector<int64_t>{1}, false);
  EXPECT_EQ(values(s), (std::vector<double>{0, 0}));
  auto g = torch::autograd::grad({s.sum()}, {a});
  EXPECT_EQ(values(g[0]), (std::vector<double>{0, 0}));
}
