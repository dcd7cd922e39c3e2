// Pooling and activations on NaN, inf, empty outputs and edge values, against PyTorch 1.13: every
// expected value below was printed by Debian's Python PyTorch 1.13 (torch.nn.functional).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "../expect_error.h"

namespace {

namespace F = torch::nn::functional;
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNan = std::nan("");

// Same shape, dtype and values; NaN matches NaN, infinities match exactly, and the sign of zero
// is not compared.
void expect_values(const torch::Tensor& got, const std::vector<double>& want, const std::vector<int64_t>& shape,
                   double tol = 1e-6) {
  ASSERT_EQ(got.sizes().vec(), shape);
  torch::Tensor g = got.detach().to(torch::kDouble).contiguous().flatten();
  ASSERT_EQ(g.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const double v = g[static_cast<int64_t>(i)].item<double>();
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(v)) << "element " << i << ": " << v;
    else if (std::isinf(want[i]))
      EXPECT_EQ(v, want[i]) << "element " << i;
    else
      EXPECT_NEAR(v, want[i], tol * (1 + std::abs(want[i]))) << "element " << i;
  }
}

void expect_indices(const torch::Tensor& got, const std::vector<int64_t>& want) {
  ASSERT_EQ(got.dtype(), torch::kLong);
  torch::Tensor g = got.contiguous().flatten();
  ASSERT_EQ(g.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(g[static_cast<int64_t>(i)].item<int64_t>(), want[i]) << i;
}

// ---- average pooling in 3-d: a NaN or inf reaches only the windows that hold it.

TEST(HardeningPool, AvgPool3dNanStaysInItsWindow) {
  auto x = torch::tensor({1., 2, 3, kNan, 5, 6}).reshape({1, 1, 3, 1, 2});
  expect_values(F::avg_pool3d(x, F::AvgPool3dFuncOptions(1)), {1, 2, 3, kNan, 5, 6}, {1, 1, 3, 1, 2});
}

TEST(HardeningPool, AvgPool3dInfAndNanWithPaddingAndDivisor) {
  auto x = torch::arange(24., torch::kDouble).reshape({1, 1, 2, 3, 4});
  x.index_put_({0, 0, 0, 0, 0}, kInf);
  x.index_put_({0, 0, 1, 2, 3}, kNan);
  const std::vector<int64_t> shape{1, 1, 2, 4, 5};
  expect_values(F::avg_pool3d(x, F::AvgPool3dFuncOptions({1, 2, 2}).stride(1).padding({0, 1, 1})),
                {kInf, kInf, 0.75, 1.25, 0.75, kInf, kInf, 3.5,  4.5,   2.5,   3.0,  6.5, 7.5,  8.5,
                 4.5,  2.0,  4.25, 4.75, 5.25, 2.75, 3.0,  6.25, 6.75,  7.25,  3.75, 7.0, 14.5, 15.5,
                 16.5, 8.5,  9.0,  18.5, 19.5, kNan, kNan, 5.0,  10.25, 10.75, kNan, kNan},
                shape);
  expect_values(
      F::avg_pool3d(x, F::AvgPool3dFuncOptions({1, 2, 2}).stride(1).padding({0, 1, 1}).count_include_pad(false)),
      {kInf, kInf, 1.5,  2.5,  3.0,  kInf, kInf, 3.5,  4.5,  5.0,  6.0,  6.5,  7.5,  8.5,
       9.0,  8.0,  8.5,  9.5,  10.5, 11.0, 12.0, 12.5, 13.5, 14.5, 15.0, 14.0, 14.5, 15.5,
       16.5, 17.0, 18.0, 18.5, 19.5, kNan, kNan, 20.0, 20.5, 21.5, kNan, kNan},
      shape);
  expect_values(F::avg_pool3d(x, F::AvgPool3dFuncOptions(2).stride(1).padding({1, 0, 1}).divisor_override(3)),
                {kInf,
                 kInf,
                 4.666666666666667,
                 6.0,
                 3.3333333333333335,
                 4.0,
                 8.666666666666666,
                 10.0,
                 11.333333333333334,
                 6.0,
                 kInf,
                 kInf,
                 25.333333333333332,
                 28.0,
                 14.666666666666666,
                 16.0,
                 33.333333333333336,
                 36.0,
                 kNan,
                 kNan,
                 9.333333333333334,
                 19.333333333333332,
                 20.666666666666668,
                 22.0,
                 11.333333333333334,
                 12.0,
                 24.666666666666668,
                 26.0,
                 kNan,
                 kNan},
                {1, 1, 3, 2, 5});
}

TEST(HardeningPool, AvgPool3dGradientIgnoresValues) {
  // The gradient of an average does not depend on the input: an inf beside it changes nothing.
  auto x = torch::tensor({1., kInf, 3, 4}).reshape({1, 1, 1, 2, 2}).requires_grad_();
  F::avg_pool3d(x, F::AvgPool3dFuncOptions({1, 1, 2})).sum().backward();
  expect_values(x.grad(), {0.5, 0.5, 0.5, 0.5}, {1, 1, 1, 2, 2});
  ASSERT_TRUE(torch::autograd::gradcheck(
      [](const torch::autograd::variable_list& in) {
        return torch::autograd::variable_list{
            F::avg_pool3d(in[0], F::AvgPool3dFuncOptions({2, 1, 2}).stride(1).padding({1, 0, 1}))};
      },
      {torch::rand({1, 2, 3, 2, 3}, torch::kDouble).requires_grad_()}));
}

TEST(HardeningPool, AdaptiveAvgPool3dAndAreaInterpolation) {
  auto x = torch::tensor({1., -kInf}).reshape({1, 1, 2, 1, 1});
  expect_values(F::adaptive_avg_pool3d(x, F::AdaptiveAvgPool3dFuncOptions({4, 1, 1})), {1, 1, -kInf, -kInf},
                {1, 1, 4, 1, 1});
  expect_values(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 1, 1}).mode(torch::kArea)),
                {1, 1, -kInf, -kInf}, {1, 1, 4, 1, 1});
  auto y = torch::arange(30., torch::kDouble).reshape({1, 2, 3, 5});
  y.index_put_({0, 0, 1, 1}, kInf);
  y.index_put_({0, 1, 2, 4}, -kInf);
  expect_values(F::adaptive_avg_pool3d(y, F::AdaptiveAvgPool3dFuncOptions({2, 2, 3})),
                {kInf, kInf, 6.0, kInf, kInf, 11.0, 18.0, 19.5, 21.0, 23.0, 24.5, -kInf}, {1, 2, 2, 3});
}

TEST(HardeningPool, LocalResponseNormOnAnInfiniteChannel) {
  auto x = torch::tensor({0.75, -kInf, -2.25, 5}).reshape({1, 4, 1, 1});
  const auto o = F::LocalResponseNormFuncOptions(3).alpha(1).beta(0.5).k(2);
  expect_values(F::local_response_norm(x, o), {0.0, kNan, 0.0, 1.442124366760254}, {1, 4, 1, 1});
  auto x5 = torch::tensor({0.75, -kInf, -2.25, 5, kNan, 1}).reshape({1, 6, 1, 1, 1});
  expect_values(F::local_response_norm(x5, o), {0.0, kNan, 0.0, kNan, kNan, kNan}, {1, 6, 1, 1, 1});
}

// ---- max pooling in 3-d

TEST(HardeningPool, MaxPool3dWindowWhollyInPadding) {
  // PyTorch 1.13 gives -inf for both windows (and indices 2, an element outside them, which takes
  // the gradient); ember gives -inf with index -1 and no gradient, as its max_pool2d does.
  auto x = torch::arange(9.).reshape({1, 1, 3, 3, 1}).requires_grad_();
  const auto o = F::MaxPool3dFuncOptions({2, 2, 2}).stride({2, 2, 1}).padding({0, 1, 1}).dilation(2);
  expect_values(F::max_pool3d(x, o), {-kInf, -kInf}, {1, 1, 1, 2, 1});
  auto [v, i] = F::max_pool3d_with_indices(x, o);
  expect_indices(i, {-1, -1});
  v.sum().backward();
  expect_values(x.grad(), std::vector<double>(9, 0.0), {1, 1, 3, 3, 1});
}

TEST(HardeningPool, MaxPool3dPicksAsPyTorchScans) {
  // All -inf: the first element inside the input; NaN: the last NaN of the window.
  auto x = torch::tensor({-kInf, -kInf, -kInf, -kInf, kNan, 1., kNan, 2., 3., 3., 3., 3.}).reshape({1, 3, 1, 2, 2});
  auto [v, i] = F::max_pool3d_with_indices(x, F::MaxPool3dFuncOptions({1, 2, 2}).stride(1).padding({0, 1, 1}));
  expect_values(v, {-kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, kNan, kNan, 1.0, kNan, kNan,
                    2.0,   kNan,  kNan,  2.0,   3.0,   3.0,   3.0,   3.0,   3.0,   3.0,  3.0,  3.0, 3.0},
                {1, 3, 1, 3, 3});
  expect_indices(i, {0, 0, 1, 0, 0, 1, 2, 2, 3, 0, 0, 1, 2, 2, 3, 2, 2, 3, 0, 0, 1, 0, 0, 1, 2, 2, 3});

  auto y = torch::tensor({1., kNan, 2, kNan, 5, kNan, 3, kNan}).reshape({1, 1, 2, 2, 2}).requires_grad_();
  auto [vy, iy] = F::max_pool3d_with_indices(y, F::MaxPool3dFuncOptions(2));
  expect_indices(iy, {7});
  vy.sum().backward();
  expect_values(y.grad(), {0, 0, 0, 0, 0, 0, 0, 1}, {1, 1, 2, 2, 2});

  auto [va, ia] = F::adaptive_max_pool3d_with_indices(x, F::AdaptiveMaxPool3dFuncOptions(1));
  expect_values(va, {-kInf, kNan, 3.0}, {1, 3, 1, 1, 1});
  expect_indices(ia, {0, 2, 0});
  auto z = torch::tensor({kNan, 1., kNan, kNan, 2, kNan, 0, 5}).reshape({1, 2, 4});
  auto [vz, iz] = F::adaptive_max_pool1d_with_indices(z, F::AdaptiveMaxPool1dFuncOptions(2));
  expect_values(vz, {kNan, kNan, kNan, 5}, {1, 2, 2});
  expect_indices(iz, {0, 3, 1, 3});
}

// ---- adaptive max pooling to an empty output

TEST(HardeningPool, AdaptiveMaxPoolToZeroSize) {
  auto x3 = torch::rand({2, 3, 4, 4, 4}, torch::kDouble);
  for (auto size : std::vector<std::vector<int64_t>>{{0, 1, 1}, {1, 0, 2}, {0, 0, 0}}) {
    auto [v, i] = F::adaptive_max_pool3d_with_indices(x3, F::AdaptiveMaxPool3dFuncOptions(size));
    std::vector<int64_t> shape{2, 3, size[0], size[1], size[2]};
    EXPECT_EQ(v.sizes().vec(), shape);
    EXPECT_EQ(v.dtype(), torch::kDouble);
    EXPECT_EQ(i.sizes().vec(), shape);
    EXPECT_EQ(i.dtype(), torch::kLong);
  }
  auto [v2, i2] = F::adaptive_max_pool2d_with_indices(torch::rand({3, 4, 4}), F::AdaptiveMaxPool2dFuncOptions({0, 2}));
  EXPECT_EQ(v2.sizes().vec(), (std::vector<int64_t>{3, 0, 2}));
  EXPECT_EQ(v2.dtype(), torch::kFloat);
  EXPECT_EQ(i2.sizes().vec(), (std::vector<int64_t>{3, 0, 2}));
  EXPECT_EQ(i2.dtype(), torch::kLong);
  auto x1 = torch::rand({3, 4}).requires_grad_();
  auto [v1, i1] = F::adaptive_max_pool1d_with_indices(x1, F::AdaptiveMaxPool1dFuncOptions(0));
  EXPECT_EQ(v1.sizes().vec(), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(i1.sizes().vec(), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(i1.dtype(), torch::kLong);
  // PyTorch's backward refuses an empty grad_output; ember's gives the input a zero gradient.
  v1.sum().backward();
  expect_values(x1.grad(), std::vector<double>(12, 0.0), {3, 4});
  // A negative size fails as PyTorch's output allocation does.
  expect_error(
      [] {
        F::adaptive_max_pool1d(torch::rand({2, 3}), F::AdaptiveMaxPool1dFuncOptions(-1));
      },
      "Trying to create tensor with negative dimension -1: [2, 1, -1]");
  expect_error(
      [] {
        F::adaptive_max_pool3d(torch::rand({2, 3, 3, 3}), F::AdaptiveMaxPool3dFuncOptions({1, -1, 2}));
      },
      "Trying to create tensor with negative dimension -1: [2, 1, -1, 2]");
}

// ---- activations at NaN, inf and their kinks. PyTorch 1.13's CPU kernels have a vectorized and a
// scalar path that disagree there (the vectorized one runs on tensors of two SIMD vectors or more);
// ember follows the scalar formulas, ATen's definition, for every size.

struct ValueAndGrad {
  std::vector<double> value, grad;
};

ValueAndGrad run(const std::function<torch::Tensor(const torch::Tensor&)>& f, const std::vector<double>& in,
                 torch::Dtype dtype = torch::kDouble) {
  auto x = torch::tensor(in, torch::kDouble).to(dtype).requires_grad_();
  auto y = f(x);
  y.backward(torch::ones_like(y));
  ValueAndGrad r;
  for (int64_t i = 0; i < x.numel(); ++i) {
    r.value.push_back(y[i].item<double>());
    r.grad.push_back(x.grad()[i].item<double>());
  }
  return r;
}

void expect_run(const std::function<torch::Tensor(const torch::Tensor&)>& f, const std::vector<double>& in,
                const std::vector<double>& value, const std::vector<double>& grad) {
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    // Also a long tensor (PyTorch's vectorized length), every element the same input.
    for (int64_t repeat : {1, 40}) {
      std::vector<double> xs, vs, gs;
      for (int64_t r = 0; r < repeat; ++r) {
        xs.insert(xs.end(), in.begin(), in.end());
        vs.insert(vs.end(), value.begin(), value.end());
        gs.insert(gs.end(), grad.begin(), grad.end());
      }
      ValueAndGrad got = run(f, xs, dtype);
      const std::vector<int64_t> shape{static_cast<int64_t>(xs.size())};
      expect_values(torch::tensor(got.value, torch::kDouble), vs, shape, 1e-6);
      expect_values(torch::tensor(got.grad, torch::kDouble), gs, shape, 1e-6);
    }
  }
}

TEST(HardeningActivation, ThresholdKeepsNan) {
  expect_run([](const torch::Tensor& x) { return F::threshold(x, F::ThresholdFuncOptions(0.5, -3)); },
             {kNan, 1., kInf, -kInf, 0.5}, {kNan, 1, kInf, -3, -3}, {1, 1, 1, 0, 0});
  auto t = torch::tensor({kNan, 1.});
  F::threshold(t, F::ThresholdFuncOptions(0.5, -3).inplace(true));
  expect_values(t, {kNan, 1}, {2});
}

TEST(HardeningActivation, HardtanhAndRelu6PassTheGradientAtNan) {
  expect_run([](const torch::Tensor& x) { return F::hardtanh(x); }, {kNan, kInf, -kInf, 1, -1, 0},
             {kNan, 1, -1, 1, -1, 0}, {1, 0, 0, 0, 0, 1});
  expect_run([](const torch::Tensor& x) { return F::relu6(x); }, {kNan, kInf, -kInf, 6, 0, 3}, {kNan, 6, 0, 6, 0, 3},
             {1, 0, 0, 0, 0, 1});
}

TEST(HardeningActivation, EluFamilyAtNanAndInfinity) {
  const double scale = 1.0507009873554805;
  expect_run([](const torch::Tensor& x) { return F::celu(x); }, {kNan, kInf, -kInf, -3},
             {kNan, kInf, -1, -0.950212931632136}, {1, 1, 0, 0.049787068367863944});
  expect_run([](const torch::Tensor& x) { return F::celu(x, F::CELUFuncOptions().alpha(2)); }, {kNan, -3},
             {kNan, -1.5537396797031404}, {1, 0.22313016014842982});
  expect_run([](const torch::Tensor& x) { return F::selu(x); }, {kNan, kInf, -kInf, -3},
             {kNan, kInf, -1.7580993408473766, -1.6705687287671118}, {scale, scale, 0, 0.08753061208026487});
  expect_run([](const torch::Tensor& x) { return F::elu(x); }, {kNan, kInf, -kInf, -3},
             {kNan, kInf, -1, -0.950212931632136}, {1, 1, 0, 0.049787068367863944});
}

TEST(HardeningActivation, CeluAlphaZero) {
  auto x = torch::tensor({1., -1.});
  expect_error([&] { F::celu(x, F::CELUFuncOptions().alpha(0)); }, "ZeroDivisionError: alpha cannot be 0 for CELU",
               {x});
  expect_error([&] { F::celu(x, F::CELUFuncOptions().alpha(0).inplace(true)); },
               "ZeroDivisionError: alpha cannot be 0 for CELU", {x});
}

TEST(HardeningActivation, HardswishAtItsKinks) {
  // PyTorch 1.13's scalar formula (x <= 3 takes x / 3 + 0.5) gives 1.5 at 3; its vectorized one 1.
  expect_run([](const torch::Tensor& x) { return torch::hardswish(x); }, {3, -3, kNan, kInf, -kInf},
             {3, 0, kNan, kInf, kNan}, {1.5, -0.5, 1, 1, 0});
}

TEST(HardeningActivation, ShrinkAtNan) {
  expect_run([](const torch::Tensor& x) { return F::softshrink(x, F::SoftshrinkFuncOptions(0.5)); },
             {kNan, kInf, -kInf, -0.2}, {0, kInf, -kInf, 0}, {1, 1, 1, 0});
  expect_run([](const torch::Tensor& x) { return F::hardshrink(x, F::HardshrinkFuncOptions(0.5)); },
             {kNan, kInf, -kInf, -0.2}, {kNan, kInf, -kInf, 0}, {1, 1, 1, 0});
}

TEST(HardeningActivation, PreluWeightGradientAtInfinity) {
  auto x = torch::tensor({kInf, -kInf, -2.}, torch::kDouble).requires_grad_();
  auto w = torch::tensor({0.25}, torch::kDouble).requires_grad_();
  auto y = F::prelu(x, w);
  expect_values(y, {kInf, -kInf, -0.5}, {3});
  y.sum().backward();
  expect_values(x.grad(), {1, 0.25, 0.25}, {3});
  expect_values(w.grad(), {-kInf}, {1});

  auto x2 = torch::tensor({kInf, -kInf, -2., 0}, torch::kDouble).reshape({2, 2}).requires_grad_();
  auto w2 = torch::tensor({0.25, 0.5}, torch::kDouble).requires_grad_();
  F::prelu(x2, w2).sum().backward();
  expect_values(x2.grad(), {1, 0.5, 0.25, 0.5}, {2, 2});
  expect_values(w2.grad(), {-2, -kInf}, {2});

  auto x3 = torch::tensor({kInf, kNan}, torch::kDouble).requires_grad_();
  auto w3 = torch::tensor({0.25}, torch::kDouble).requires_grad_();
  auto y3 = F::prelu(x3, w3);
  expect_values(y3, {kInf, kNan}, {2});
  y3.sum().backward();
  expect_values(x3.grad(), {1, 0.25}, {2});
  expect_values(w3.grad(), {kNan}, {1});
}

}  // namespace
