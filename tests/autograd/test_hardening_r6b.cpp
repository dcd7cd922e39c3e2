// Differences found by the differential test at 120 calls per variant (second list): prod over
// one factor holding inf or NaN with create_graph, and repeat_interleave of empty repeats with an
// output_size. Expected values and messages are PyTorch 1.13's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "../expect_error.h"
#include "../tensor_values.h"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// prod(dim) over a dim of size 1 without zeros: PyTorch 1.13 records grad * result / input, so
// the gradient requires grad even where the input is inf or NaN (its value there is NaN, inf/inf;
// ember keeps the derivative 1). Its own gradient then runs: 0 at the finite elements.
TEST(HardeningR6b, ProdOverOneFactorWithInfRecordsItsGradient) {
  auto opts = torch::TensorOptions(torch::kDouble);
  torch::Tensor x = torch::tensor({1.5, kInf, -2.0, kNaN}, opts).reshape({1, 2, 2}).requires_grad_();
  torch::Tensor w = torch::tensor({-1.0, 2.0, 3.0, 0.5}, opts).reshape({1, 2, 2});
  torch::Tensor y = x.prod(0, true);
  torch::Tensor g = torch::autograd::grad({(y * w).sum()}, {x}, {}, c10::nullopt, true)[0];
  EXPECT_TRUE(g.requires_grad());
  expect_values(g, {-1.0, 2.0, 3.0, 0.5});
  torch::Tensor gg = torch::autograd::grad({g.sum()}, {x})[0];
  EXPECT_EQ(values(gg)[0], 0.0);
  EXPECT_EQ(values(gg)[2], 0.0);

  // prod() of a one-element tensor: the same rule.
  torch::Tensor v = torch::tensor({-kInf}, opts).requires_grad_();
  torch::Tensor gv = torch::autograd::grad({v.prod() * 4.0}, {v}, {}, c10::nullopt, true)[0];
  EXPECT_TRUE(gv.requires_grad());
  expect_values(gv, {4.0});

  // With a zero PyTorch returns the gradient itself, unrecorded.
  torch::Tensor z = torch::tensor({0.0, kInf}, opts).reshape({1, 2}).requires_grad_();
  torch::Tensor gz = torch::autograd::grad({z.prod(0).sum()}, {z}, {}, c10::nullopt, true)[0];
  EXPECT_FALSE(gz.requires_grad());
  expect_values(gz, {1.0, 1.0});
}

// ATen returns an empty result for empty repeats before it compares output_size (a repeats of
// one element is first expanded to the dim's size, 0 here).
TEST(HardeningR6b, RepeatInterleaveOfEmptyRepeatsIgnoresOutputSize) {
  torch::Tensor x = torch::zeros({2, 1, 0}, torch::kLong);
  torch::Tensor r = torch::repeat_interleave(x, torch::tensor({1}, torch::kLong), -1, 1);
  EXPECT_EQ(r.sizes(), torch::IntArrayRef({2, 1, 0}));
  torch::Tensor e = torch::repeat_interleave(torch::zeros({0}, torch::kInt), c10::optional<int64_t>(1));
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.dtype(), torch::kInt);
  expect_error(
      [] {
        torch::repeat_interleave(torch::tensor({1, 0}, torch::kLong), c10::optional<int64_t>(2));
      },
      "allocated size does not match required size");
}

}  // namespace
