// Regression tests for the +-inf norm gradient of a NaN input, max()'s gradient when the incoming
// gradient is infinite, prod(dim)'s second derivative between zeros, unique_dim's order along a
// later dim and linalg.norm of a 0-d input with a dim, found by the 80-round differential run
// against LibTorch 1.13. Every expected value is PyTorch 1.13's (this file also builds and passes
// against LibTorch itself).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../tensor_values.h"

namespace {
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// x = torch.tensor([[6.86, -0.71, 0, nan], [-6.29, 0, -3, -2]], requires_grad=True)
// x.norm(-inf).backward() -> x.grad all 0 (the NaN is the "maximum": sgn(nan) = 0); so too for
// p = inf and torch.linalg.vector_norm; over dim 1 of [[1, nan], [-3, 2]] the gradient is
// [[0, 0], [0, 1]] (the NaN-free row keeps its gradient).
TEST(HardeningR5a, InfNormGradientOfNanInputIsZero) {
  auto x = torch::tensor({{6.857, -0.714, 0.0, kNaN}, {-6.286, 0.0, -3.0, -2.0}},
                         torch::dtype(torch::kDouble).requires_grad(true));
  for (double p : {-kInf, kInf}) {
    torch::Tensor y = x.norm(p);
    EXPECT_TRUE(std::isnan(y.item<double>()));
    auto g = torch::autograd::grad({y}, {x})[0];
    EXPECT_EQ(values(g), std::vector<double>(8, 0.0)) << p;
    g = torch::autograd::grad({torch::linalg_vector_norm(x, p, c10::nullopt, false, c10::nullopt)}, {x})[0];
    EXPECT_EQ(values(g), std::vector<double>(8, 0.0)) << p;
  }
  auto z = torch::tensor({{1.0, kNaN}, {-3.0, 2.0}}, torch::dtype(torch::kDouble).requires_grad(true));
  auto g = torch::autograd::grad({z.norm(-kInf, {1}).sum()}, {z})[0];
  EXPECT_EQ(values(g), (std::vector<double>{0, 0, 0, 1}));
}

// x = torch.tensor([[-0.25, -inf, 0]], dtype=torch.float64, requires_grad=True)
// torch.autograd.grad(x.max() * x.sum(), x, create_graph=True) -> [[0, 0, -inf]]: max()'s
// gradient (-inf, the sum) goes to the maximum only, the others get 0, not -inf * 0.
TEST(HardeningR5a, MaxAllGradientIsZeroOffTheMaximumForAnInfiniteGradient) {
  auto x = torch::tensor({{-0.25, -kInf, 0.0}}, torch::dtype(torch::kDouble).requires_grad(true));
  auto g = torch::autograd::grad({x.max() * x.sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(values(g), (std::vector<double>{0, 0, -kInf}));
}

// x = torch.zeros(2, requires_grad=True); g = grad(x.prod(0), x, create_graph=True) -> [0, 0];
// grad(g.sum(), x) -> [1, 1] (d2/dx0 dx1 of x0 * x1). prod() of everything returns constant zeros
// for several zeros in PyTorch, so its second derivative there is 0.
TEST(HardeningR5a, ProdDimSecondDerivativeBetweenZeros) {
  auto x = torch::zeros({2}, torch::requires_grad(true));
  auto g = torch::autograd::grad({x.prod(0, true).sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(values(g), (std::vector<double>{0, 0}));
  EXPECT_EQ(values(torch::autograd::grad({g.sum()}, {x})[0]), (std::vector<double>{1, 1}));
  auto x3 = torch::tensor({0.0, 2.0, 0.0, 3.0}, torch::requires_grad(true)).reshape({2, 2});
  g = torch::autograd::grad({x3.prod(1).sum()}, {x3}, {}, true, true)[0];
  EXPECT_EQ(values(g), (std::vector<double>{2, 0, 3, 0}));
  auto g2 = torch::autograd::grad({g.sum()}, {x3})[0];
  EXPECT_EQ(values(g2), (std::vector<double>{1, 1, 1, 1}));
  auto xa = torch::zeros({2}, torch::requires_grad(true));
  auto ga = torch::autograd::grad({xa.prod()}, {xa}, {}, true, true)[0];
  EXPECT_EQ(values(ga), (std::vector<double>{0, 0}));
}

// torch.unique(x, dim=-1, sorted=True, return_inverse=True) for
// x = [[[1,1,1],[4,0,2],[4,1,0]], [[2,2,1],[2,0,1],[4,3,2]]] -> inverse [2, 1, 0]: PyTorch
// flattens each slice of x.transpose(dim, 0) and sorts those lexicographically.
TEST(HardeningR5a, UniqueDimOrdersSlicesOfTheTransposedTensor) {
  auto x = torch::tensor({1., 1., 1., 4., 0., 2., 4., 1., 0., 2., 2., 1., 2., 0., 1., 4., 3., 2.}, torch::kDouble)
               .reshape({2, 3, 3});
  auto r = torch::unique_dim(x, -1, true, true, false);
  EXPECT_EQ(values(std::get<1>(r)), (std::vector<double>{2, 1, 0}));
  EXPECT_EQ(values(std::get<0>(r)), (std::vector<double>{1, 1, 1, 2, 0, 4, 0, 1, 4, 1, 2, 2, 1, 0, 2, 2, 3, 4}));
}

// torch.linalg.norm(torch.tensor(-3.), -1, dim=[0]) -> 3 (a 0-d input's dim 0 is accepted), its
// gradient -1; so for the inf norm and with keepdim.
TEST(HardeningR5a, LinalgNormOfZeroDimInputWithADim) {
  auto x = torch::tensor(-3.0, torch::requires_grad(true));
  for (double p : {-1.0, kInf, -kInf, 2.0}) {
    for (bool keep : {false, true}) {
      torch::Tensor y = torch::linalg_norm(x, p, std::vector<int64_t>{0}, keep, c10::nullopt);
      EXPECT_EQ(y.dim(), 0);
      EXPECT_EQ(y.item<double>(), 3.0);
      auto g = torch::autograd::grad({y}, {x})[0];
      EXPECT_EQ(g.dim(), 0);
      EXPECT_EQ(g.item<double>(), -1.0) << p;
    }
  }
}
