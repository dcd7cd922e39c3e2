// Regression tests for linear algebra, products, convolution and sampling that the fourth
// differential round against LibTorch 1.13 found: Cholesky's upper triangle, cross's default dim,
// tensordot/einsum broadcasting and empty dims, solve/lstsq shapes, norms' dtype check, conv with
// inf weights, grid_sample edges, linear interpolation weights, int64 avg_pool3d. Every expected
// value or message is LibTorch/PyTorch 1.13's (this file also builds against LibTorch itself).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "../expect_error.h"
#include "../tensor_values.h"

namespace F = torch::nn::functional;

namespace {
const double kInf = std::numeric_limits<double>::infinity();

std::vector<int64_t> shape(const torch::Tensor& t) { return t.sizes().vec(); }
torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kDouble); }
// Upper and lower triangles that differ: only the upper one is positive definite.
torch::Tensor two_triangles() {
  return torch::tensor({4.0, 2.0, 0.5, 100.0, 5.0, 1.0, -7.0, 3.0, 6.0}, f64()).reshape({3, 3});
}
}  // namespace

TEST(HardeningLinalgR4, CholeskyUpperReadsTheUpperTriangle) {
  const std::vector<double> U = {2, 1, 0.25, 0, 2, 0.375, 0, 0, 2.4076700355};
  torch::Tensor A = two_triangles();
  expect_values(torch::linalg_cholesky(A, /*upper=*/true), U);
  expect_values(std::get<0>(torch::linalg_cholesky_ex(A, /*upper=*/true)), U);
  expect_values(torch::cholesky(A, /*upper=*/true), U);
  // The lower triangle (100 below the diagonal) is not positive definite.
  expect_error([&] { torch::linalg_cholesky(A); }, "the leading minor of order 2 is not positive-definite");
  // cholesky_inverse(U, upper=true) = (U^T U)^{-1} of the upper triangle.
  expect_values(torch::cholesky_inverse(A, /*upper=*/true),
                {0.072517361111, -0.019861111111, -0.000694444444, -0.019861111111, 0.041111111111, -0.005555555556,
                 -0.000694444444, -0.005555555556, 0.027777777778},
                1e-10);
}

TEST(HardeningLinalgR4, CrossDefaultDimIsSelfsFirstOfSize3) {
  // LibTorch 1.13's deprecated default looks at self's sizes: dim 1 here, not the broadcast dim 0.
  torch::Tensor a = torch::tensor({{1.0, 2.0, 3.0}}, f64());
  torch::Tensor r = torch::cross(a, torch::eye(3, f64()));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{3, 3}));
  expect_values(r, {0, 3, -2, -3, 0, 1, 2, -1, 0});
}

TEST(HardeningLinalgR4, TensordotBroadcastsSize1ContractedDims) {
  torch::Tensor x = torch::arange(6, f64()).reshape({2, 3}).requires_grad_();
  torch::Tensor y = torch::ones({1, 2}, f64()).requires_grad_();
  torch::Tensor r = torch::tensordot(x, y, {1}, {0});
  expect_values(r, {3, 3, 12, 12});
  r.sum().backward();
  expect_values(x.grad(), {2, 2, 2, 2, 2, 2});
  expect_values(y.grad(), {15, 15});
  expect_values(torch::tensordot(torch::ones({2, 1}, f64()), torch::ones({3, 2}, f64()), {1}, {0}), {3, 3, 3, 3});
  expect_error(
      [&] {
        torch::tensordot(torch::ones({2, 3}), torch::ones({2, 2}), {1}, {0});
      },
      "contracted dimensions need to match, but first has size 3 in dim 1 and second has size 2 in dim 0");
}

TEST(HardeningLinalgR4, AddbmmKeepsIntegerDtypes) {
  torch::Tensor b = torch::ones({2, 2, 2}, torch::kInt);
  torch::Tensor r = torch::addbmm(torch::ones({2, 2}, torch::kInt), b, b);
  EXPECT_EQ(r.scalar_type(), torch::kInt);
  expect_values(r, {5, 5, 5, 5});
  EXPECT_EQ(torch::addbmm(torch::ones({2, 2}, torch::kByte), b.to(torch::kByte), b.to(torch::kByte)).scalar_type(),
            torch::kByte);
}

TEST(HardeningLinalgR4, AddmvOfIntegersConvertsAFloatingAlpha) {
  torch::Tensor u = torch::tensor({3}, torch::kByte), M = torch::tensor({16}, torch::kByte).reshape({1, 1});
  torch::Tensor r = torch::addmv(u, M, u, 0.0, 2.0);
  EXPECT_EQ(r.scalar_type(), torch::kByte);
  expect_values(r, {96});
  // (LibTorch throws a std::runtime_error here, ember its c10::Error, which derives from it.)
  try {
    torch::addmv(u, M, u, 0.0, -0.5);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("value cannot be converted to type uint8_t without overflow"),
              std::string::npos)
        << e.what();
  }
}

TEST(HardeningLinalgR4, SolveShapes) {
  torch::Tensor A = torch::eye(3, f64()) * 2;
  // X A = B needs B's last dim to be A's; a vector B is a column and never fits (n > 1).
  expect_error(
      [&] {
        torch::linalg_solve(A, torch::ones({3, 1}, f64()), /*left=*/false);
      },
      "linalg.solve: Incompatible shapes of A and B for the equation XA = B (3x3 and 3x1)");
  expect_error([&] { torch::linalg_solve(A, torch::ones({3}, f64()), /*left=*/false); },
               "linalg.solve: Incompatible shapes of A and B for the equation XA = B (3x3 and 3x1)");
  expect_error(
      [&] {
        torch::linalg_solve(torch::ones({2, 1, 1}, f64()), torch::ones({1}, f64()), /*left=*/false);
      },
      "linalg.solve: Vector broadcasting of the left hand side is not supported for left=False");
  expect_values(torch::linalg_solve(A, torch::ones({1, 3}, f64()), /*left=*/false), {0.5, 0.5, 0.5});
  // info has A's batch shape, not the broadcast one.
  EXPECT_EQ(shape(std::get<1>(torch::linalg_solve_ex(A, torch::ones({2, 3, 1}, f64())))), std::vector<int64_t>{});
  EXPECT_EQ(shape(std::get<1>(torch::linalg_solve_ex(A.expand({2, 3, 3}), torch::ones({3, 1}, f64())))),
            std::vector<int64_t>{2});
  torch::Tensor X = std::get<0>(torch::linalg_solve_ex(A.unsqueeze(0), torch::ones({2, 3, 1}, f64())));
  EXPECT_EQ(shape(X), (std::vector<int64_t>{2, 3, 1}));
  expect_values(X, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
}

TEST(HardeningLinalgR4, LstsqResidualsOfAVectorHaveOneColumn) {
  torch::Tensor A = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 1.0, 1.0, 2.0}, f64()).reshape({4, 3});
  torch::Tensor b = torch::tensor({1.0, 2.0, 3.0, 5.0}, f64());
  for (const char* driver : {"gels", "gelsd", "gelss"}) {
    torch::Tensor res = std::get<1>(torch::linalg_lstsq(A, b, c10::nullopt, driver));
    EXPECT_EQ(shape(res), std::vector<int64_t>{1}) << driver;
    expect_values(res, {4.1702127660}, 1e-8);
    EXPECT_EQ(shape(std::get<1>(torch::linalg_lstsq(A.expand({2, 4, 3}), b.expand({2, 4}), c10::nullopt, driver))),
              (std::vector<int64_t>{2, 1}));
  }
}

TEST(HardeningLinalgR4, EinsumEmptyDimsAndRepeatedSubscripts) {
  EXPECT_EQ(shape(torch::einsum("ij,jk->ik", {torch::ones({3, 3}), torch::ones({3, 0})})),
            (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(shape(torch::einsum("ij,jk->ik", {torch::ones({0, 3}), torch::ones({3, 2})})),
            (std::vector<int64_t>{0, 2}));
  expect_values(torch::einsum("ij,jk->ik", {torch::ones({2, 0}), torch::ones({0, 3})}), {0, 0, 0, 0, 0, 0});
  torch::Tensor o = torch::einsum("i,j->ij", {torch::ones({3}, torch::kInt), torch::ones({0}, torch::kInt)});
  EXPECT_EQ(shape(o), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(o.scalar_type(), torch::kInt);
  EXPECT_EQ(
      shape(torch::einsum("abc,cd->abd", {torch::ones({2, 2, 2}, torch::kLong), torch::ones({2, 0}, torch::kLong)})),
      (std::vector<int64_t>{2, 2, 0}));
  expect_error(
      [&] {
        torch::einsum("ii->i", {torch::ones({2, 3})});
      },
      "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2");
  expect_error(
      [&] {
        torch::einsum("ii->i", {torch::ones({1, 3})});
      },
      "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 1");
  expect_values(torch::einsum("ij,ij->i", {torch::ones({2, 3}), torch::ones({2, 1})}), {3, 3});
}

TEST(HardeningLinalgR4, ResultsThatKeepRequiresGrad) {
  torch::Tensor A = torch::randn({2, 2}, f64()).requires_grad_();
  torch::Tensor r = torch::matrix_power(A, 0);
  EXPECT_TRUE(r.requires_grad());
  expect_values(r, {1, 0, 0, 1});
  r.sum().backward();
  expect_values(A.grad(), {0, 0, 0, 0});

  torch::Tensor W = torch::randn({4, 3}).requires_grad_();
  torch::Tensor bags =
      F::embedding_bag(torch::zeros({0}, torch::kLong), W,
                       F::EmbeddingBagFuncOptions().offsets(torch::zeros({2}, torch::kLong)).mode(torch::kMax));
  EXPECT_TRUE(bags.requires_grad());
  expect_values(bags, {0, 0, 0, 0, 0, 0});

  // The empty Q of mode 'r' carries the node too.
  torch::Tensor Q = std::get<0>(torch::linalg_qr(torch::ones({1, 3}, f64()).requires_grad_(), "r"));
  EXPECT_TRUE(Q.requires_grad());
}

TEST(HardeningLinalgR4, VectorNormOfOrder0HasNoGradient) {
  torch::Tensor x = torch::tensor({1.0, 0.0, 2.0}, f64()).requires_grad_();
  torch::linalg_vector_norm(x, 0, c10::nullopt, false, c10::nullopt).backward();
  EXPECT_FALSE(x.grad().defined());
}

TEST(HardeningLinalgR4, NormsRefuseANarrowingDtype) {
  torch::Tensor x = torch::ones({2, 2}, f64());
  expect_error([&] { torch::linalg_vector_norm(x, 2, c10::nullopt, false, torch::kFloat); },
               "linalg.vector_norm: the dtype of the input (Double) should be convertible without narrowing to the "
               "specified dtype (Float)");
  expect_error(
      [&] {
        torch::linalg_matrix_norm(x, "fro", {-2, -1}, false, torch::kFloat);
      },
      "linalg.matrix_norm: the dtype of the input (Double) should be convertible without narrowing to the "
      "specified dtype (Float)");
  expect_error(
      [&] {
        torch::linalg_matrix_norm(x, 1, {-2, -1}, false, torch::kFloat);
      },
      "linalg.matrix_norm: the dtype of the input (Double) should be convertible without narrowing");
  torch::Tensor up = torch::linalg_vector_norm(torch::ones({2}), 2, c10::nullopt, false, torch::kDouble);
  EXPECT_EQ(up.scalar_type(), torch::kDouble);
  expect_values(up, {std::sqrt(2.0)});
}

TEST(HardeningLinalgR4, Conv2dInputGradientSkipsPaddedTapsOfAnInfWeight) {
  torch::Tensor x = (torch::arange(2 * 2 * 6 * 6).to(torch::kFloat).reshape({2, 2, 6, 6}) / 50 - 1).requires_grad_();
  torch::Tensor w = torch::full({8, 2, 3, 3}, 0.1);
  {
    torch::NoGradGuard no_grad;
    w[0][0][0][0] = kInf;
    w[3][1][0][2] = -kInf;
  }
  w.requires_grad_();
  torch::Tensor y = torch::conv2d(x, w, {}, 1, 1);
  torch::Tensor gx = torch::autograd::grad({y}, {x}, {torch::ones_like(y)})[0];
  // The last row never meets the weights' first row (its taps there fall in the padding).
  expect_values(gx[0][0][5], {3.1999991, 4.7999978, 4.7999978, 4.7999978, 4.7999978, 3.1999991}, 1e-5);
  expect_values(gx[1][1][5], {3.1999991, 4.7999978, 4.7999978, 4.7999978, 4.7999978, 3.1999991}, 1e-5);
  expect_values(gx[0][0][0], {kInf, kInf, kInf, kInf, kInf, 3.1999991}, 1e-5);
}

TEST(HardeningLinalgR4, ConvTranspose3dWithAnInfWeightAndStride) {
  torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, -1.0f}).reshape({1, 1, 2, 1, 2});
  torch::Tensor w = torch::tensor({1.0f, static_cast<float>(kInf), 0.5f, 2.0f}).reshape({1, 1, 2, 1, 2});
  expect_values(torch::conv_transpose3d(x, w, {}, 2),
                {1, kInf, 2, kInf, 0.5, 2, 1, 4, 3, kInf, -1, -kInf, 1.5, 6, -0.5, -2});
  expect_values(torch::conv_transpose3d(x, w, {}, {2, 1, 2}, {1, 0, 0}), {0.5, 2, 1, 4, 3, kInf, -1, -kInf});
}

TEST(HardeningLinalgR4, GridSampleEdges) {
  // Zero padding: both taps outside the input read nothing, even next to an inf.
  torch::Tensor inp = torch::tensor({kInf, 1.0, 1.0, 1.0}).to(torch::kFloat).reshape({1, 1, 2, 2});
  auto bilinear_zeros =
      F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false);
  expect_values(F::grid_sample(inp, torch::tensor({-2.0f, 0.0f}).reshape({1, 1, 1, 2}), bilinear_zeros), {0});
  // Nearest: 3-D rounds ties away from zero, 2-D to even.
  torch::Tensor i3 = torch::tensor({10.0f, 20.0f, 30.0f, 40.0f}).reshape({1, 1, 1, 1, 4});
  auto nearest = F::GridSampleFuncOptions().mode(torch::kNearest).align_corners(false);
  expect_values(F::grid_sample(i3, torch::tensor({-0.5f, 0.0f, 0.0f}).reshape({1, 1, 1, 1, 3}), nearest), {20});
  expect_values(F::grid_sample(i3, torch::tensor({0.5f, 0.0f, 0.0f}).reshape({1, 1, 1, 1, 3}), nearest), {40});
  expect_values(F::grid_sample(i3[0], torch::tensor({-0.5f, 0.0f}).reshape({1, 1, 1, 2}), nearest), {10});
  // Border padding: a coordinate exactly on the edge gets no gradient.
  torch::Tensor row = torch::tensor({0.0f, 1.0f, 5.0f}).reshape({1, 1, 1, 3}).requires_grad_();
  auto border = F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(true);
  torch::Tensor g = torch::tensor({1.0f, 0.0f}).reshape({1, 1, 1, 2}).requires_grad_();
  torch::Tensor out = F::grid_sample(row, g, border);
  expect_values(out, {5});
  out.sum().backward();
  expect_values(g.grad(), {0, 0});
  torch::Tensor mid = torch::tensor({0.5f, 0.0f}).reshape({1, 1, 1, 2}).requires_grad_();
  F::grid_sample(row, mid, border).sum().backward();
  expect_values(mid.grad(), {4, 0});
}

TEST(HardeningLinalgR4, LinearInterpolationWeightsAsLibTorchs) {
  // LibTorch's float weights: the source index in double, the fraction rounded to float once.
  torch::Tensor x = torch::tensor({0.0f, 1.0f}).reshape({1, 1, 2});
  torch::Tensor r = F::interpolate(
      x, F::InterpolateFuncOptions().size(std::vector<int64_t>{5}).mode(torch::kLinear).align_corners(false));
  std::vector<double> got = values(r);
  EXPECT_EQ(got[1], static_cast<double>(0.100000009f));
  EXPECT_EQ(got[3], static_cast<double>(0.900000036f));
  // A step of 1/3 gives position 1 the weight 1.5e-8, not 0: -inf there, not 0 * -inf.
  torch::Tensor y = torch::tensor({5.0f, static_cast<float>(-kInf), 2.0f, 3.0f}).reshape({1, 1, 4});
  torch::Tensor up = F::interpolate(
      y, F::InterpolateFuncOptions().scale_factor(std::vector<double>{3.0}).mode(torch::kLinear).align_corners(false));
  std::vector<double> v = values(up);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], -kInf);
  EXPECT_EQ(v[7], 2.0);
}
