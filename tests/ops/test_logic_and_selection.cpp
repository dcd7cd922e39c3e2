// Non-differentiable ops against PyTorch 1.13's results: predicates, comparisons, logic, arg
// reductions, argsort, nonzero, integer reductions, bitwise ops.
#include <gtest/gtest.h>

#include <cmath>

#include "ember/ember.h"

using namespace ember;

namespace {
template <typename T>
std::vector<T> flat(const Tensor& t) {
  return t.template to_vector<T>();
}
using B = std::vector<bool>;
using L = std::vector<int64_t>;
}  // namespace

TEST(Logic, Predicates) {
  auto x = tensor({{1.5, -2.0, NAN}, {0.0, 3.0, INFINITY}});
  EXPECT_EQ(flat<bool>(isnan(x)), (B{false, false, true, false, false, false}));
  EXPECT_EQ(flat<bool>(isinf(x)), (B{false, false, false, false, false, true}));
  EXPECT_EQ(flat<bool>(isfinite(x)), (B{true, true, false, true, true, false}));
  EXPECT_EQ(isnan(x).dtype(), kBool);
}

TEST(Logic, ArgReductionsSortAndNonzero) {
  auto a = tensor({{3, 1, 2}, {0, 5, 5}});
  EXPECT_EQ(flat<int64_t>(a.argmax(1)), (L{0, 1}));  // ties: first occurrence
  EXPECT_EQ(flat<int64_t>(a.argmin(1)), (L{1, 0}));
  EXPECT_EQ(a.argmax().item<int64_t>(), 4);
  EXPECT_EQ(flat<int64_t>(a.argsort(1)), (L{1, 2, 0, 0, 1, 2}));
  EXPECT_EQ(flat<int64_t>(a.argsort(1, true)), (L{0, 2, 1, 1, 2, 0}));
  auto nz = a.nonzero();
  EXPECT_EQ(nz.sizes().vec(), (L{5, 2}));
  EXPECT_EQ(flat<int64_t>(nz), (L{0, 0, 0, 1, 0, 2, 1, 1, 1, 2}));
  EXPECT_EQ(flat<int64_t>(std::get<1>(a.max(1))), (L{0, 1}));
}

TEST(Logic, AllAnyAndLogicalOps) {
  auto a = tensor({{3, 1, 2}, {0, 5, 5}});
  EXPECT_EQ(flat<bool>((a > 1).all(1)), (B{false, false}));
  EXPECT_EQ(flat<bool>((a > 1).any(1)), (B{true, true}));
  EXPECT_TRUE((a >= 0).all().item<bool>());
  EXPECT_EQ(flat<bool>(logical_and(a > 1, a < 5)), (B{true, false, true, false, false, false}));
  EXPECT_EQ(flat<bool>(logical_xor(a > 1, a > 2)), (B{false, false, true, false, false, false}));
  EXPECT_EQ(flat<bool>(logical_not(a > 1)), (B{false, true, false, true, false, false}));
  EXPECT_EQ(flat<int64_t>(a & tensor({1, 1, 1})), (L{1, 1, 0, 0, 1, 1}));
  EXPECT_EQ(flat<bool>(~tensor({true, false})), (B{false, true}));
  EXPECT_EQ(flat<bool>(a == 5), (B{false, false, false, false, true, true}));
  EXPECT_EQ(flat<bool>(a != tensor({3, 1, 0})), (B{false, false, true, true, true, true}));
}

TEST(Logic, IntegerReductionsPromoteToLong) {
  auto a = tensor({{3, 1, 2}, {0, 5, 5}}, kInt);
  EXPECT_EQ(a.sum().dtype(), kLong);
  EXPECT_EQ(a.cumsum(1).dtype(), kLong);
  EXPECT_EQ(flat<int64_t>(a.cumsum(1)), (L{3, 4, 6, 0, 5, 10}));
  EXPECT_EQ((a == 5).sum().item<int64_t>(), 2);
  EXPECT_EQ(tensor({true, false, true}).sum().item<int64_t>(), 2);
  EXPECT_EQ(a.prod().item<int64_t>(), 0);
}
