// Pointwise math and statistics (remainder ... count_nonzero): the indices PyTorch returns, the
// LibTorch spellings (operators, torch::, const in-place methods) and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "../expect_error.h"
#include "ember/ember.h"
#include "ops/op_table.h"

using namespace ember_test;

namespace {

// Every fixture case of an op that returns (values, indices): the indices equal PyTorch's.
TEST(MathStats, IndicesMatchPyTorch) {
  int checked = 0;
  const json fixture = load_fixture("ops.json");
  for (const auto& c : fixture["cases"]) {
    if (!c.contains("indices")) continue;
    std::vector<Tensor> in;
    for (const auto& i : c["inputs"]) in.push_back(tensor_from(i));
    auto r = run_math_op_indexed(c["op"], in, c["args"]);
    if (!r) continue;
    Tensor want = tensor_from(c["indices"]);
    Tensor got = std::get<1>(*r);
    ASSERT_EQ(got.sizes().vec(), want.sizes().vec()) << c["name"];
    EXPECT_EQ(got.dtype(), ember::kLong) << c["name"];
    EXPECT_TRUE(got.equal(want)) << c["name"] << "\n got " << got << "\nwant " << want;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(MathStats, LibTorchSpellings) {
  torch::Tensor a = torch::tensor({7.0, -7.0, 5.5}), b = torch::tensor({3.0, 3.0, -2.0});
  EXPECT_TRUE((a % b).equal(torch::tensor({1.0, 2.0, -0.5})));
  EXPECT_TRUE((a % 3).equal(torch::tensor({1.0, 2.0, 2.5})));
  EXPECT_TRUE((10 % torch::tensor({3, -4})).equal(torch::tensor({1, -2})));
  EXPECT_TRUE(torch::div(a, b, "floor").equal(torch::tensor({2.0, -3.0, -3.0})));
  EXPECT_TRUE(a.div(2, "trunc").equal(torch::tensor({3.0, -3.0, 2.0})));
  EXPECT_TRUE(at::fmod(a, b).equal(torch::tensor({1.0, -1.0, 1.5})));
  EXPECT_EQ(torch::count_nonzero(torch::tensor({{0, 1}, {2, 3}}), 1).equal(torch::tensor({1, 2})), true);
  // In-place methods are const, as LibTorch's.
  const torch::Tensor c = torch::tensor({0.5, 1.0});
  c.exp_();
  c.log_();
  c.sin_();
  EXPECT_TRUE(c.allclose(torch::tensor({std::sin(0.5), std::sin(1.0)})));
  auto [values, indices] = torch::tensor({{3.0, 1.0, 2.0}}).median(1);
  EXPECT_TRUE(values.equal(torch::tensor({2.0})));
  EXPECT_TRUE(indices.equal(torch::tensor({2})));
  // clamp with tensor bounds, beside the Scalar ones.
  EXPECT_TRUE(torch::clamp(a, b).equal(torch::tensor({7.0, 3.0, 5.5})));
  EXPECT_TRUE(a.clamp(-1.0, 1.0).equal(torch::tensor({1.0, -1.0, 1.0})));
}

TEST(MathStats, InPlaceKeepsDtypeAndHistory) {
  auto x = torch::tensor({1.5, -2.5}, torch::requires_grad());
  auto y = x * 1;
  y.remainder_(2.0);
  EXPECT_EQ(y.grad_fn()->name(), "RemainderBackward0");
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(torch::tensor({1.0, 1.0})));
  auto i = torch::tensor({7, -7});
  i.floor_divide_(2);
  EXPECT_TRUE(i.equal(torch::tensor({3, -4})));
  // A float result cannot be written into an integer tensor.
  expect_error([&] { i.atan2_(torch::tensor({1.0, 1.0})); }, "can't be cast to the desired output type", {i});
}

TEST(MathStats, BadInput) {
  auto il = torch::tensor({1, 2}), zero = torch::tensor({0, 1});
  auto m = torch::ones({2, 3});
  expect_error([&] { torch::remainder(il, zero); }, "ZeroDivisionError", {il, zero});
  expect_error([&] { torch::fmod(il, 0); }, "ZeroDivisionError", {il});
  expect_error([&] { torch::floor_divide(il, zero); }, "ZeroDivisionError", {il, zero});
  expect_error([&] { torch::div(il, zero, "trunc"); }, "ZeroDivisionError", {il, zero});
  expect_error([&] { torch::div(m, m, "round"); },
               "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'", {m});
  expect_error([&] { torch::remainder(torch::tensor({true}), torch::tensor({true})); },
               "\"remainder_cpu\" not implemented for 'Bool'");
  expect_error([&] { torch::frac(il); }, "\"frac_cpu\" not implemented for 'Long'", {il});
  expect_error([&] { torch::hypot(il, il); }, "\"hypot_cpu\" not implemented for 'Long'", {il});
  expect_error([&] { torch::kthvalue(m, 4, 1); }, "kthvalue(): selected number k out of range for dimension 1", {m});
  expect_error([&] { torch::kthvalue(m, 0, 1); }, "kthvalue(): selected number k out of range for dimension 1", {m});
  expect_error([&] { torch::trace(torch::ones({3})); }, "trace: expected a matrix, but got tensor with dim 1");
  expect_error([&] { torch::median(torch::ones({2, 0}), 1); },
               "median(): Expected reduction dim 1 to have non-zero size.");
  expect_error([&] { torch::mode(torch::ones({2, 0}), 1); }, "mode(): Expected reduction dim 1 to have non-zero size.");
  expect_error([&] { torch::nanmean(il); }, "nanmean(): expected input to have floating point dtype but got Long", {il});
  expect_error([&] { torch::aminmax(torch::ones({0})); }, "aminmax(): cannot compute aminmax over an empty dimension");
  expect_error([&] { torch::clamp(m, std::optional<torch::Tensor>(), std::optional<torch::Tensor>()); },
               "torch.clamp: At least one of 'min' or 'max' must not be None", {m});
  expect_error([&] { torch::clamp(m, torch::ones({4})); }, "must match the size", {m});
  expect_error([&] { torch::std_mean(il); }, "std_mean(): input dtype should be either floating point", {il});
  expect_error([&] { torch::cumprod(m, 2); }, "Dimension out of range", {m});
  auto leaf = torch::ones({2}, torch::requires_grad());
  expect_error([&] { leaf.sinh_(); }, "a leaf Variable that requires grad is being used in an in-place operation.");
}

TEST(MathStats, EdgeInputs) {
  // 0-d and empty inputs.
  auto s = torch::tensor(2.5);
  EXPECT_TRUE(s.cumprod(0).equal(s));
  EXPECT_EQ(std::get<0>(s.median(0)).item<double>(), 2.5);
  EXPECT_EQ(std::get<0>(s.kthvalue(1)).item<double>(), 2.5);
  EXPECT_EQ(std::get<0>(s.mode()).item<double>(), 2.5);
  EXPECT_TRUE(std::isnan(torch::median(torch::ones({0})).item<double>()));
  EXPECT_EQ(torch::cumprod(torch::ones({2, 0}), 1).sizes().vec(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(std::get<1>(torch::cummax(torch::ones({2, 0}), 1)).sizes().vec(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(torch::nansum(torch::ones({0})).item<double>(), 0.0);
  // Non-contiguous input.
  auto t = torch::arange(12, torch::TensorOptions(torch::kDouble)).reshape({3, 4}).t();
  EXPECT_TRUE(torch::cumprod(t, 1).equal(torch::cumprod(t.contiguous(), 1)));
  EXPECT_TRUE(std::get<0>(torch::cummax(t, 0)).equal(std::get<0>(torch::cummax(t.contiguous(), 0))));
  EXPECT_TRUE(std::get<0>(torch::median(t, 1)).equal(torch::tensor({4.0, 5.0, 6.0, 7.0})));
  // Python's floor division of floats: 1 // 0.1 is 9.
  EXPECT_EQ(torch::floor_divide(torch::tensor(1.0), torch::tensor(0.1)).item<double>(), 9.0);
  EXPECT_TRUE(std::isinf(torch::erfinv(torch::tensor(1.0)).item<double>()));
}

}  // namespace
