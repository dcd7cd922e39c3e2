// The SIMD reductions (kernels/cpu/reduce.h) against a scalar reference, on every instruction set
// compiled in and supported here: [outer, n, inner] layouts with n over 0..70 and a few large
// lengths, inner of 1 (row reductions) and of several widths that leave every column tail, at each
// offset within a 64-byte line. Bounds:
//   max, min: exact; NaN anywhere in a reduced run gives NaN there;
//   prod: (n + 8) epsilon relative to the double product (every factor is rounded once);
//   sum: (96 + 2 log2 n) epsilon times the sum of |x|, against a double sum. A cascade keeps at most
//   16 terms per level and about 5 levels, a pairwise combination of lanes and chunks adds log2
//   terms; a plain running sum in float would be off by up to n epsilon, which the 2^21-element
//   case below (0.1 repeated) shows: that misses by about 2^21 * 2^-24 relative, the cascade by far less.
// And through the ops: sum/mean/prod/amax/amin/max along dims, full, keepdim, on 0-d, empty,
// non-contiguous inputs, integer and bool inputs (the generic path), against the same references.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "ember/ember.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/reduce.h"
#include "ops/simd_targets.h"

namespace {
using ember::kernels::ReduceOp;

template <typename T>
double reference(ReduceOp op, const T* x, int64_t n, int64_t stride, bool* nan) {
  *nan = false;
  double acc = op == ReduceOp::Prod ? 1.0 : op == ReduceOp::Sum ? 0.0 : static_cast<double>(x[0]);
  for (int64_t r = 0; r < n; ++r) {
    const double v = x[r * stride];
    if (std::isnan(v)) *nan = true;
    switch (op) {
      case ReduceOp::Sum: acc += v; break;
      case ReduceOp::Prod: acc *= v; break;
      case ReduceOp::Max: acc = std::max(acc, v); break;
      case ReduceOp::Min: acc = std::min(acc, v); break;
    }
  }
  return acc;
}

template <typename T>
void check_layout(ReduceOp op, const std::vector<T>& buf, size_t offset, int64_t outer, int64_t n, int64_t inner,
                  const std::string& where) {
  const T* x = buf.data() + offset;
  std::vector<T> out(static_cast<size_t>(outer * inner), T(-7));
  ember::kernels::reduce_contiguous(op, x, out.data(), outer, n, inner);
  const double eps = std::numeric_limits<T>::epsilon();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* col = x + o * n * inner + i;
      const T got = out[static_cast<size_t>(o * inner + i)];
      const std::string at = where + " o=" + std::to_string(o) + " i=" + std::to_string(i);
      bool nan = false;
      if (n == 0) {
        ASSERT_EQ(got, op == ReduceOp::Prod ? T(1) : T(0)) << at;
        continue;
      }
      const double ref = reference(op, col, n, inner, &nan);
      if (op == ReduceOp::Max || op == ReduceOp::Min) {
        if (nan) ASSERT_TRUE(std::isnan(got)) << at;
        else ASSERT_EQ(got, static_cast<T>(ref)) << at;
      } else if (op == ReduceOp::Prod) {
        ASSERT_LE(std::abs(got - ref), (static_cast<double>(n) + 8) * eps * std::abs(ref)) << at << " ref " << ref;
      } else {
        double abs_sum = 0;
        for (int64_t r = 0; r < n; ++r) abs_sum += std::abs(static_cast<double>(col[r * inner]));
        const double bound = (96 + 2 * std::log2(static_cast<double>(n) + 1)) * eps * abs_sum;
        ASSERT_LE(std::abs(got - ref), bound) << at << " got " << got << " ref " << ref;
      }
    }
}

template <typename T>
void check_all_layouts() {
  std::mt19937 gen(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<int64_t> lengths;
  for (int64_t n = 0; n <= 70; ++n) lengths.push_back(n);
  for (int64_t n : {127, 128, 129, 255, 1000, 1023, 1025, 4096 + 17, 70000}) lengths.push_back(n);
  const int64_t max_n = 70000;
  for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min}) {
    // Factors near 1 for the product, so it neither overflows nor underflows.
    std::vector<T> buf(static_cast<size_t>(3 * max_n + 64));
    for (auto& v : buf) v = static_cast<T>(op == ReduceOp::Prod ? 1.0 + 0.001 * normal(gen) : 10.0 * normal(gen));
    for (int64_t n : lengths) {
      for (size_t offset : {size_t(0), size_t(1), size_t(3), size_t(64 / sizeof(T) - 1)}) {
        const std::string w = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
        check_layout(op, buf, offset, 1, n, 1, w + " row");
        if (n <= 1100) {
          check_layout(op, buf, offset, 3, n, 1, w + " rows");
          for (int64_t inner : {2, 5, 16, 17, 33, 64 + 7, 200})
            if (3 * n * inner + 64 <= static_cast<int64_t>(buf.size()))
              check_layout(op, buf, offset, n <= 70 ? 3 : 1, n, inner, w + " inner=" + std::to_string(inner));
        }
      }
    }
    if (op == ReduceOp::Max || op == ReduceOp::Min) {  // one NaN, at every position of a short run and a long one
      for (int64_t n : {int64_t(37), int64_t(1000)})
        for (int64_t pos = 0; pos < n; pos += (n > 100 ? 97 : 1)) {
          std::vector<T> b(buf.begin(), buf.begin() + n * 5 + 64);
          b[static_cast<size_t>(pos)] = std::numeric_limits<T>::quiet_NaN();
          b[static_cast<size_t>(pos * 5 + 3)] = std::numeric_limits<T>::quiet_NaN();
          check_layout(op, b, 0, 1, n, 1, "nan row pos=" + std::to_string(pos));
          check_layout(op, b, 0, 1, n, 5, "nan cols pos=" + std::to_string(pos));
        }
      std::vector<T> inf(100, std::numeric_limits<T>::infinity());
      inf[50] = -inf[50];
      check_layout(op, inf, 0, 1, 100, 1, "infinities");
    }
  }
}

TEST(ReduceKernels, FloatEveryLayoutTailAndAlignment) { for_each_target([] { check_all_layouts<float>(); }); }
TEST(ReduceKernels, DoubleEveryLayoutTailAndAlignment) { for_each_target([] { check_all_layouts<double>(); }); }

TEST(ReduceKernels, CascadedSumOfALongRunStaysAccurate) {
  for_each_target([] {
    const int64_t n = int64_t(1) << 21;
    std::vector<float> x(static_cast<size_t>(n), 0.1f);
    float got = 0;
    ember::kernels::reduce_contiguous(ReduceOp::Sum, x.data(), &got, 1, n, 1);
    const double exact = static_cast<double>(n) * static_cast<double>(0.1f);
    // A running float sum is off by about 3e-2 relative here; the cascade by about 1e-6.
    EXPECT_LE(std::abs(got - exact), 1e-6 * exact) << got;
    float col[3] = {0, 0, 0};
    std::vector<float> x3(static_cast<size_t>(3 * (n / 4)), 0.1f);
    ember::kernels::reduce_contiguous(ReduceOp::Sum, x3.data(), col, 1, n / 4, 3);
    for (float c : col) EXPECT_LE(std::abs(c - exact / 4), 1e-6 * exact / 4) << c;
  });
}

TEST(ReduceKernels, ThreadCountDoesNotChangeTheSum) {
  auto x = torch::randn({(1 << 20) + 77});
  const int64_t before = torch::get_num_threads();
  torch::set_num_threads(1);
  const float one = x.sum().item<float>();
  const auto cols1 = x.narrow(0, 0, 1 << 20).reshape({1024, 1024}).sum(0);
  torch::set_num_threads(2);
  EXPECT_EQ(x.sum().item<float>(), one);
  EXPECT_TRUE(torch::equal(x.narrow(0, 0, 1 << 20).reshape({1024, 1024}).sum(0), cols1));
  torch::set_num_threads(before);
}

// The ops against a double reference computed with ember's own generic path (a double tensor).
TEST(ReduceKernels, OpsMatchTheDoubleReference) {
  torch::manual_seed(3);
  auto x = torch::randn({4, 5, 6, 7});
  auto xd = x.to(torch::kDouble);
  auto near = [](const torch::Tensor& got, const torch::Tensor& ref) {
    ASSERT_EQ(got.sizes(), ref.sizes());
    ASSERT_EQ(got.dtype(), torch::kFloat);
    EXPECT_TRUE(torch::allclose(got.to(torch::kDouble), ref, 1e-5, 1e-5));
  };
  for (auto dims : std::vector<std::vector<int64_t>>{{0}, {1}, {2}, {3}, {1, 2}, {2, 3}, {0, 1, 2, 3}, {0, 2}, {-1}})
    for (bool keep : {false, true}) {
      near(x.sum(dims, keep), xd.sum(dims, keep));
      near(x.mean(dims, keep), xd.mean(dims, keep));
      near(x.amax(dims, keep), xd.amax(dims, keep));
      near(x.amin(dims, keep), xd.amin(dims, keep));
    }
  for (int64_t d = 0; d < 4; ++d) {
    near(x.prod(d), xd.prod(d));
    near(std::get<0>(x.max(d)), std::get<0>(xd.max(d)));
  }
  near(x.sum(), xd.sum());
  near(x.mean(), xd.mean());
  near(x.max(), xd.max());
  near(x.min(), xd.min());
  // Non-contiguous input (the generic path) gives the same numbers.
  auto t = x.transpose(1, 3);
  near(t.sum({1}), xd.transpose(1, 3).sum({1}));
  // 0-d, empty, integer and bool inputs.
  auto s = torch::full({}, 2.5);
  EXPECT_EQ(s.sum().item<float>(), 2.5f);
  EXPECT_EQ(s.amax({}, false).item<float>(), 2.5f);
  auto e = torch::zeros({3, 0});
  EXPECT_TRUE(torch::equal(e.sum(1), torch::zeros({3})));
  EXPECT_TRUE(torch::equal(e.prod(1), torch::ones({3})));
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  auto i = torch::arange(10, torch::kInt);
  EXPECT_EQ(i.sum().item<int64_t>(), 45);
  EXPECT_EQ(i.sum().dtype(), torch::kLong);
  auto b = torch::ones({5}, torch::kBool);
  EXPECT_EQ(b.sum().item<int64_t>(), 5);
  // NaN propagates through max/min along a dim and in full.
  auto n = torch::ones({3, 40});
  n.data_ptr<float>()[1 * 40 + 33] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(n.max().item<float>()));
  auto am = n.amax({1});
  EXPECT_TRUE(std::isnan(am[1].item<float>()));
  EXPECT_EQ(am[0].item<float>(), 1.0f);
  auto am0 = n.amin({0});
  EXPECT_TRUE(std::isnan(am0[33].item<float>()));
  EXPECT_EQ(am0[32].item<float>(), 1.0f);
}

}  // namespace

// A sum starts from +0, as PyTorch's: one element of -0 sums to 0 (a reduced dim of size 1 included,
// a bias gradient at batch 1), while max, min and prod give the element itself.
TEST(ReduceKernels, OneElementSumOfNegativeZeroIsZero) {
  for (auto dt : {torch::kFloat, torch::kDouble}) {
    const auto o = torch::TensorOptions().dtype(dt);
    const auto one = torch::full({1}, -0.0, o), row = torch::full({1, 3}, -0.0, o);
    for (const auto& s : {one.sum(), torch::full({}, -0.0, o).sum(), row.sum(0), one.mean()}) {
      for (double v : s.to(torch::kDouble).reshape({-1}).to_vector<double>()) EXPECT_FALSE(std::signbit(v)) << s;
    }
    for (const auto& s : {one.amax(), one.amin(), one.prod(), row.amax(0)}) {
      for (double v : s.to(torch::kDouble).reshape({-1}).to_vector<double>()) EXPECT_TRUE(std::signbit(v)) << s;
    }
  }
}
