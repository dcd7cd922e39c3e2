// Regression tests for scatter_reduce's mean and index_reduce of bool tensors, found by the
// 120-round differential run against LibTorch 1.13. Every expected value and message is
// PyTorch 1.13's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "../expect_error.h"
#include "../tensor_values.h"

// torch.scatter_reduce(tensor([True, False]), 0, tensor([0]), tensor([True]), 'mean') raises
// "scatter_gather_tensor_cpu_reduce_mean" not implemented for 'Bool'; the other reductions work.
TEST(HardeningR6c, ScatterReduceMeanRefusesBool) {
  torch::Tensor b = torch::tensor({true, false});
  torch::Tensor idx = torch::zeros({1}, torch::kLong);
  torch::Tensor src = torch::ones({1}, torch::kBool);
  expect_error([&] { (void)b.scatter_reduce(0, idx, src, "mean", true); },
               "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'", {b});
  expect_error([&] { (void)b.scatter_reduce(0, idx, src, "mean", false); }, "not implemented for 'Bool'", {b});
  expect_error([&] { (void)torch::tensor(true).scatter_reduce(0, idx, src, "mean", true); },
               "not implemented for 'Bool'");
  expect_values(b.scatter_reduce(0, idx, src, "amax", true), {1, 0});
  expect_values(b.scatter_reduce(0, idx, src, "sum", true), {1, 0});
}

// b.index_reduce(0, tensor([0]), tensor([True]), 'prod') raises "index_func_" not implemented
// for 'Bool', for every reduction.
TEST(HardeningR6c, IndexReduceRefusesBool) {
  torch::Tensor b = torch::tensor({true, false});
  torch::Tensor idx = torch::zeros({1}, torch::kLong);
  torch::Tensor src = torch::ones({1}, torch::kBool);
  for (const char* red : {"prod", "mean", "amax", "amin"})
    expect_error([&] { (void)b.index_reduce(0, idx, src, red, true); }, "\"index_func_\" not implemented for 'Bool'",
                 {b});
}
