// Regression tests for the causes a differential run at 120 calls per variant found; expected
// values are LibTorch's/PyTorch 1.13's.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "../expect_error.h"
#include "../tensor_values.h"
#include "ember/ember.h"

using namespace ember;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

// isclose of integers takes `other` in the default dtype: the difference does not wrap (uint8 4 and 5
// are within atol = 1; PyTorch 1.13 gives True, False, True).
TEST(HardeningR6a, IscloseIntegersDoNotWrap) {
  Tensor a = tensor({4, 0, 5}, kByte), b = tensor({5, 200, 4}, kByte);
  expect_values(isclose(a, b, 0, 1), {1, 0, 1});
  EXPECT_TRUE(allclose(tensor({4}, kByte), tensor({5}, kByte), 0, 1));
  // float32 difference: 16777217 rounds to 16777216, so PyTorch 1.13 says close
  expect_values(isclose(tensor({int64_t{16777217}}, kLong), tensor({int64_t{16777216}}, kLong), 0, 0.5), {1});
}

// threshold converts its numbers to the dtype, checked (PyTorch 1.13's message).
TEST(HardeningR6a, ThresholdUint8RefusesNegativeDouble) {
  Tensor x = tensor({8, 9, 9}, kByte);
  expect_error([&] { threshold(x, -1.0, 0); }, "value cannot be converted to type uint8_t without overflow");
  expect_values(threshold(x, 8, 1), {1, 9, 9});
}

// einsum with nothing summed is a broadcast product: bools too (PyTorch 1.13: [True, False]).
TEST(HardeningR6a, EinsumBoolWithoutSum) {
  Tensor t = tensor({true, false}, kBool);
  expect_values(einsum("i,i->i", {t, t}), {1, 0});
  expect_values(einsum("b...,b...->b...", {tensor({true}, kBool), tensor({true}, kBool)}), {1});
}

// alpha = 0 still multiplies: 0 * inf is NaN in float32 as in float64 (PyTorch 1.13: [nan, 0] where
// OpenBLAS picks its AVX-512 kernels). ember gives it whatever OPENBLAS_CORETYPE says.
TEST(HardeningR6a, AddmmAlphaZeroKeepsNaNOfProduct) {
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor s = zeros({1, 2}, TensorOptions(dt)), a = ones({1, 2}, TensorOptions(dt));
    Tensor b = tensor({kInf, 1.0, 1.0, 1.0}, TensorOptions(dt)).reshape({2, 2});
    std::vector<double> v = values(addmm(s, a, b, 0, 0));
    EXPECT_TRUE(std::isnan(v[0]));
    EXPECT_EQ(v[1], 0);
  }
}

// addmv is the exception: PyTorch's gemv with alpha = 0 reads neither mat nor vec (BLAS), so an inf
// there leaves beta * self: torch.addmv(ones(2), [[inf, 1], [2, 3]], [1, 2], beta=1, alpha=0) = [1, 1].
TEST(HardeningR6a, AddmvAlphaZeroSkipsTheProduct) {
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor m = tensor({kInf, 1.0, 2.0, 3.0}, TensorOptions(dt)).reshape({2, 2});
    Tensor v = tensor({1.0, 2.0}, TensorOptions(dt));
    expect_values(addmv(ones({2}, TensorOptions(dt)), m, v, 1, 0), {1, 1});
    expect_values(addmv(ones({2}, TensorOptions(dt)), m, v, 0, 0), {0, 0});
    expect_values(addmv(ones({2}, TensorOptions(dt)), m, v, 1, 1), {kInf, 9});
  }
}
