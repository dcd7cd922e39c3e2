// ember's own SGEMM (src/kernels/cpu/sgemm.cpp) against a double-precision reference, on every
// Highway target the CPU supports: every transpose combination, sizes around the micro-tile and
// every cache block boundary, leading dimensions above the minimum, alpha/beta, special values.
//
// Error bound: each entry of C is alpha * (a sum of k products) + beta * C. Along any path a term
// passes through at most k + 4 float roundings (the FMA chain over k, the lane reduction or the
// combination of kc blocks, alpha and beta), so with u = 2^-24 the classic bound is
//   |c - ref| <= gamma(k + 4) * (|alpha| * sum_p |a_ip b_pj| + |beta c_ij|),  gamma(n) = n u / (1 - n u).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cpu/sgemm.h"
#include "ops/simd_targets.h"

namespace {
using ember::kernels::sgemm;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kSentinel = -12345.5f;

struct Case {
  bool ta, tb;
  int64_t m, n, k;
  float alpha, beta;
  int64_t pad = 0;  // extra leading-dimension elements beyond the minimum
};

// Runs one product and checks every entry of C against the reference, and that C's padding is
// untouched. A's and B's padding holds NaN, so any read outside the matrices shows in C.
// special(a, b) may plant inf/NaN in the operands (stored indices).
template <typename Special>
void check(const Case& cs, std::mt19937& gen, const Special& special) {
  const int64_t ar = cs.ta ? cs.k : cs.m, ac = cs.ta ? cs.m : cs.k;  // A as stored
  const int64_t br = cs.tb ? cs.n : cs.k, bc = cs.tb ? cs.k : cs.n;
  const int64_t lda = ac + cs.pad, ldb = bc + cs.pad, ldc = cs.n + cs.pad;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(std::max<int64_t>(ar * lda, 1)), kNaN);
  std::vector<float> b(static_cast<size_t>(std::max<int64_t>(br * ldb, 1)), kNaN);
  std::vector<float> c(static_cast<size_t>(std::max<int64_t>(cs.m * ldc, 1)), kSentinel);
  for (int64_t i = 0; i < ar; ++i)
    for (int64_t j = 0; j < ac; ++j) a[i * lda + j] = dist(gen);
  for (int64_t i = 0; i < br; ++i)
    for (int64_t j = 0; j < bc; ++j) b[i * ldb + j] = dist(gen);
  for (int64_t i = 0; i < cs.m; ++i)
    for (int64_t j = 0; j < cs.n; ++j) c[i * ldc + j] = cs.beta == 0.0f ? kNaN : dist(gen);
  special(a, lda, b, ldb);
  const std::vector<float> c0 = c;
  sgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, a.data(), lda, b.data(), ldb, cs.beta, c.data(), ldc);
  const double u = 0x1p-24, nk = static_cast<double>(cs.k + 4), gamma = nk * u / (1 - nk * u);
  for (int64_t i = 0; i < cs.m; ++i) {
    for (int64_t j = 0; j < cs.n; ++j) {
      double sum = 0, mag = 0;
      if (cs.alpha != 0.0f) {
        for (int64_t p = 0; p < cs.k; ++p) {
          const double x = cs.ta ? a[p * lda + i] : a[i * lda + p];
          const double y = cs.tb ? b[j * ldb + p] : b[p * ldb + j];
          sum += x * y;
          mag += std::fabs(x * y);
        }
      }
      const double cij = c0[i * ldc + j];
      const double ref = cs.alpha * sum + (cs.beta == 0.0f ? 0.0 : cs.beta * cij);
      const double bound = gamma * (std::fabs(cs.alpha) * mag + (cs.beta == 0.0f ? 0.0 : std::fabs(cs.beta * cij)));
      const float got = c[i * ldc + j];
      if (std::isnan(ref)) {
        ASSERT_TRUE(std::isnan(got)) << "C(" << i << ", " << j << ") = " << got << ", expected NaN";
      } else if (std::isinf(ref)) {
        ASSERT_EQ(static_cast<double>(got), ref) << "C(" << i << ", " << j << ")";
      } else {
        ASSERT_LE(std::fabs(got - ref), bound) << "C(" << i << ", " << j << ") = " << got << ", expected " << ref;
      }
    }
    for (int64_t j = cs.n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], kSentinel) << "padding of C row " << i;
  }
}

void check(const Case& cs, std::mt19937& gen) {
  check(cs, gen, [](std::vector<float>&, int64_t, std::vector<float>&, int64_t) {});
}

#define CASE_TRACE(cs)                                                                                        \
  SCOPED_TRACE(::testing::Message() << "ta=" << (cs).ta << " tb=" << (cs).tb << " m=" << (cs).m               \
                                    << " n=" << (cs).n << " k=" << (cs).k << " alpha=" << (cs).alpha           \
                                    << " beta=" << (cs).beta << " pad=" << (cs).pad)

TEST(Sgemm, SmallShapesEveryTransposeEveryTarget) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    const auto bl = ember::kernels::sgemm_blocking();
    std::mt19937 gen(1);
    for (int t = 0; t < 4; ++t)
      for (int64_t m = 0; m <= 2 * bl.mr + 1; ++m)
        for (int64_t n = 0; n <= 2 * bl.nr + 1; n += (n < 20 ? 1 : 3))
          for (int64_t k : {int64_t(0), int64_t(1), int64_t(3), bl.mr + 1}) {
            const Case cs{(t & 1) != 0, (t & 2) != 0, m, n, k, 1.0f, 0.0f, (m + n + k) % 3};
            CASE_TRACE(cs);
            check(cs, gen);
            if (HasFatalFailure()) return;
          }
    // k over the whole range at the two tile-straddling sizes.
    for (int t = 0; t < 4; ++t)
      for (int64_t k = 0; k <= 2 * bl.mr + 1; ++k)
        for (int64_t m : {int64_t(1), 2 * bl.mr + 1})
          for (int64_t n : {int64_t(1), int64_t(7), 2 * bl.nr + 1}) {
            const Case cs{(t & 1) != 0, (t & 2) != 0, m, n, k, -0.75f, 0.5f, 1};
            CASE_TRACE(cs);
            check(cs, gen);
            if (HasFatalFailure()) return;
          }
  });
}

// Blocks shrunk to a few tiles, so that small products cross every mc, kc and nc boundary, and the
// row-block count decides between packing B and reading it in place.
TEST(Sgemm, AroundEveryBlockBoundary) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    ember::kernels::sgemm_set_blocking_for_test(2, 5, 2);
    const auto bl = ember::kernels::sgemm_blocking();
    ASSERT_EQ(bl.kc, 5);
    std::mt19937 gen(2);
    for (int t = 0; t < 4; ++t)
      for (int64_t m : {bl.mc - 1, bl.mc, bl.mc + 1, 2 * bl.mc + 3})
        for (int64_t n : {bl.nc - 1, bl.nc, bl.nc + 1, 2 * bl.nc + 5})
          for (int64_t k : {bl.kc - 1, bl.kc, bl.kc + 1, 3 * bl.kc + 2}) {
            const Case cs{(t & 1) != 0, (t & 2) != 0, m, n, k, 1.5f, (m + k) % 2 ? 0.0f : -2.0f, 3};
            CASE_TRACE(cs);
            check(cs, gen);
            if (HasFatalFailure()) break;
          }
    ember::kernels::sgemm_set_blocking_for_test(0, 0, 0);
  });
}

// The real block sizes, one step either side of kc, mc and nc.
TEST(Sgemm, AroundDefaultBlocks) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    const auto bl = ember::kernels::sgemm_blocking();
    std::mt19937 gen(3);
    for (int t = 0; t < 4; ++t) {
      for (int64_t k : {bl.kc - 1, bl.kc, bl.kc + 1}) {
        const Case cs{(t & 1) != 0, (t & 2) != 0, 2 * bl.mr + 3, bl.nr + 3, k, 1.0f, 1.0f, 5};
        CASE_TRACE(cs);
        check(cs, gen);
      }
      for (int64_t m : {bl.mc - 1, bl.mc + 1}) {
        const Case cs{(t & 1) != 0, (t & 2) != 0, m, bl.nr + 1, 9, 1.0f, 0.0f, 1};
        CASE_TRACE(cs);
        check(cs, gen);
      }
      for (int64_t n : {bl.nc - 1, bl.nc + 1}) {
        const Case cs{(t & 1) != 0, (t & 2) != 0, bl.mr + 1, n, 7, 1.0f, 0.0f, 1};
        CASE_TRACE(cs);
        check(cs, gen);
      }
    }
  });
}

TEST(Sgemm, AlphaBeta) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    std::mt19937 gen(4);
    for (int t = 0; t < 4; ++t)
      for (float alpha : {1.0f, -1.0f, 0.25f, 3.0f})
        for (float beta : {0.0f, 1.0f, -0.5f, 2.0f})
          for (int64_t m : {1, 5, 40})
            for (int64_t n : {1, 9, 70}) {
              const Case cs{(t & 1) != 0, (t & 2) != 0, m, n, 33, alpha, beta, 2};
              CASE_TRACE(cs);
              check(cs, gen);
            }
  });
}

// k == 1, alpha == 1, beta 0 or 1 (a linear layer's weight gradient at batch 1, written or added
// into .grad) takes a one-pass row kernel: bit for bit the general small-k path's result (the
// product accumulated onto zero, then the sum with C), with -0, products that underflow, inf and
// NaN among the values, every transpose and every tail length.
TEST(Sgemm, OuterProductRoundsAsTheGeneralPath) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    const float specials[] = {0.0f, -0.0f, 1e-30f, -1e-30f, kInf, -kInf, kNaN, 3.0f};
    auto value = [&](size_t i) { return i % 5 == 0 ? specials[(i / 5) % 8] : dist(gen); };
    for (int t = 0; t < 4; ++t)
      for (float beta : {0.0f, 1.0f})
        for (int64_t m : {1, 2, 3, 17})
          for (int64_t n : {1, 2, 15, 16, 17, 33, 64, 65, 784}) {
            const bool ta = (t & 1) != 0, tb = (t & 2) != 0;
            const int64_t lda = ta ? m + 2 : 3, ldb = tb ? 2 : n + 1, ldc = n + 3;
            std::vector<float> a(static_cast<size_t>(ta ? lda : m * lda), kNaN);
            std::vector<float> b(static_cast<size_t>(tb ? n * ldb : ldb), kNaN);
            std::vector<float> c(static_cast<size_t>(m * ldc), kSentinel);
            for (int64_t i = 0; i < m; ++i) a[static_cast<size_t>(ta ? i : i * lda)] = value(static_cast<size_t>(i));
            for (int64_t j = 0; j < n; ++j)
              b[static_cast<size_t>(tb ? j * ldb : j)] = value(static_cast<size_t>(j + 3));
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j)
                c[static_cast<size_t>(i * ldc + j)] = beta == 0.0f ? kNaN : value(static_cast<size_t>(i * n + j + 1));
            const std::vector<float> c0 = c;
            sgemm(ta, tb, m, n, 1, 1.0f, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
            // The general path's products, as it accumulates them (onto zero, with the target's
            // multiply-add): beta 0.5 keeps it, and adds -0.5 * -0 = -0, which changes no value.
            std::vector<float> prods(c.size(), -0.0f);
            sgemm(ta, tb, m, n, 1, 1.0f, a.data(), lda, b.data(), ldb, 0.5f, prods.data(), ldc);
            for (int64_t i = 0; i < m; ++i) {
              for (int64_t j = 0; j < n; ++j) {
                const float prod = prods[static_cast<size_t>(i * ldc + j)];
                const float want = beta == 0.0f ? prod : c0[static_cast<size_t>(i * ldc + j)] + prod;
                const float got = c[static_cast<size_t>(i * ldc + j)];
                if (std::isnan(want)) {
                  ASSERT_TRUE(std::isnan(got)) << "ta=" << ta << " tb=" << tb << " C(" << i << ", " << j << ")";
                } else {
                  ASSERT_EQ(std::signbit(got), std::signbit(want))
                      << "ta=" << ta << " tb=" << tb << " C(" << i << ", " << j << ")";
                  ASSERT_EQ(got, want) << "ta=" << ta << " tb=" << tb << " beta=" << beta << " C(" << i << ", " << j
                                       << ")";
                }
              }
              for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[static_cast<size_t>(i * ldc + j)], kSentinel);
            }
          }
  });
}

// alpha == 0: C = beta * C and A, B are not read (NaN there does not reach C); beta == 0 over a
// NaN-filled C gives 0.
TEST(Sgemm, AlphaZeroReadsNeitherOperand) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    for (float beta : {0.0f, 2.0f}) {
      std::vector<float> a(12, kNaN), b(12, kNaN), c(9, kNaN);
      for (int i = 0; i < 9; ++i) c[i] = beta == 0.0f ? kNaN : float(i);
      sgemm(false, false, 3, 3, 4, 0.0f, a.data(), 4, b.data(), 3, beta, c.data(), 3);
      for (int i = 0; i < 9; ++i) EXPECT_EQ(c[i], beta * (beta == 0.0f ? 0.0f : float(i))) << i;
    }
  });
}

// inf and NaN in A or B reach exactly the entries of C that depend on them, through every path
// (matrix-vector, dot products, packed and in-place B).
TEST(Sgemm, InfAndNaNPropagate) {
  for_each_target(ember::kernels::sgemm_target_in_use, [] {
    std::mt19937 gen(5);
    const auto bl = ember::kernels::sgemm_blocking();
    for (int t = 0; t < 4; ++t)
      for (int64_t m : {int64_t(1), int64_t(3), 2 * bl.mr + 1, bl.mc + 2})
        for (int64_t n : {int64_t(1), int64_t(5), bl.nr + 3})
          for (float v : {kNaN, kInf, -kInf}) {
            const Case cs{(t & 1) != 0, (t & 2) != 0, m, n, 20, 1.0f, 0.0f, 1};
            CASE_TRACE(cs);
            SCOPED_TRACE(v);
            // A(m / 2, 7) and B(11, n / 2) in op() coordinates.
            check(cs, gen, [&](std::vector<float>& a, int64_t lda, std::vector<float>& b, int64_t ldb) {
              const int64_t i = m / 2, j = n / 2;
              (cs.ta ? a[7 * lda + i] : a[i * lda + 7]) = v;
              (cs.tb ? b[j * ldb + 11] : b[11 * ldb + j]) = v;
            });
          }
  });
}

// Double GEMM runs on OpenBLAS, opened on first use (kernels/cpu/openblas.cpp): the product is
// right, and afterwards the library is mapped into the process.
TEST(OpenBlas, DoubleGemmLoadsItAndIsRight) {
  const int64_t m = 7, n = 5, k = 9;
  std::vector<double> a(m * k), b(k * n), c(m * n, -1.0);
  for (size_t i = 0; i < a.size(); ++i) a[i] = 0.25 * static_cast<double>(i % 11) - 1.0;
  for (size_t i = 0; i < b.size(); ++i) b[i] = 0.5 * static_cast<double>(i % 7) - 1.5;
  ember::kernels::gemm<double>(false, false, m, n, k, 1.0, a.data(), k, b.data(), n, 0.0, c.data(), n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t p = 0; p < k; ++p) want += a[i * k + p] * b[p * n + j];
      EXPECT_NEAR(c[i * n + j], want, 1e-12) << i << "," << j;
    }
  std::ifstream maps("/proc/self/maps");
  const std::string all((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("libopenblas"), std::string::npos);
}

}  // namespace
