// The SIMD elementwise kernels against their scalar reference, on every instruction set compiled in
// and supported here: lengths 0..67 and a few large ones, at every offset within a 64-byte line
// (so each tail length and each alignment is hit), with inf, NaN, -0, denormal, huge values and the
// edges of each op's vector domain mixed in. Bounds in ULP (distance between the two results in
// representable values; NaN must meet NaN, inf must meet the same inf):
//   exact (0 ULP): relu, neg, abs, sqrt, add/sub/mul/div, and the sigmoid/tanh/relu backward forms;
//   erf-GELU backward (float) 8 ULP of its terms' size (it crosses zero; see its test);
//   exp 2, log 4, tanh 4, sigmoid 3, silu 4 (Highway's contrib/math bounds plus the division);
//   gelu with erf (float) 12; gelu with tanh 8 + 6|u| ULP (float; 8 + 12|u| for double, whose
//   reference rounds u too) where u = sqrt(2/pi)(x + 0.044715 x^3), since the vector form computes
//   u in the input's precision and exp(-2u) magnifies its rounding by |2u| (PyTorch's own vector
//   path has the same term); softmax and log-softmax 4 (float, against a double reference) and 8
//   (double, where the reference's exp and division round at the same precision), or else within
//   (4 + n) epsilon for rows of n, relative for softmax and absolute for log-softmax: a double sum
//   of n terms, one near 1 and the rest tiny, rounds by up to n/2 ULP on either side (this is the
//   reference's error as much as the kernel's), and x - max - log(sum) turns the sum's relative
//   error into an absolute one, many ULP only in outputs near 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "ember/ember.h"
#include "kernels/cpu/elementwise.h"
#include "ops/simd_targets.h"

namespace {
using ember::kernels::BinaryOp;
using ember::kernels::UnaryOp;

template <typename T>
int64_t ordered(T v) {
  if constexpr (sizeof(T) == 4) {
    int32_t i;
    std::memcpy(&i, &v, 4);
    return i < 0 ? -static_cast<int64_t>(i & 0x7fffffff) : i;
  } else {
    int64_t i;
    std::memcpy(&i, &v, 8);
    return i < 0 ? -(i & 0x7fffffffffffffffLL) : i;
  }
}

// ULP distance; -1 when one is NaN and the other not, or infinities differ.
template <typename T>
double ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e300;
  if (std::isinf(a) || std::isinf(b)) return a == b ? 0 : 1e300;
  const __int128 diff = static_cast<__int128>(ordered(a)) - static_cast<__int128>(ordered(b));
  return static_cast<double>(diff < 0 ? -diff : diff);
}

template <typename T>
std::vector<T> test_values(size_t n, uint32_t seed, double scale) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, scale);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(gen));
  const bool f32 = sizeof(T) == 4;
  const T specials[] = {std::numeric_limits<T>::infinity(),
                        -std::numeric_limits<T>::infinity(),
                        std::numeric_limits<T>::quiet_NaN(),
                        -std::numeric_limits<T>::quiet_NaN(),
                        T(0),
                        -T(0),
                        std::numeric_limits<T>::denorm_min(),
                        -std::numeric_limits<T>::denorm_min() * 1000,
                        std::numeric_limits<T>::min(),
                        std::numeric_limits<T>::max(),
                        -std::numeric_limits<T>::max(),
                        static_cast<T>(f32 ? 1e30 : 1e300),
                        static_cast<T>(f32 ? -1e30 : -1e300),
                        static_cast<T>(f32 ? 87.5 : 708.5),
                        static_cast<T>(f32 ? 88.9 : 709.9),
                        static_cast<T>(f32 ? -87.5 : -708.5),
                        static_cast<T>(f32 ? -95 : -730),
                        static_cast<T>(f32 ? -104.5 : -1001),
                        T(-6.5),
                        T(-9.5),
                        T(-25),
                        T(5.9),
                        T(6.5),
                        T(20),
                        T(0x1p-13),
                        T(-0x1p-30)};
  // Specials at a stride that is not a multiple of any vector width.
  size_t k = 0;
  for (size_t i = 3; i < n; i += 7) v[i] = specials[k++ % (sizeof(specials) / sizeof(T))];
  return v;
}

template <typename T>
double bound(UnaryOp op, T x) {
  const double d = static_cast<double>(x);
  switch (op) {
    case UnaryOp::Exp: return 2;
    case UnaryOp::Log: return 4;
    case UnaryOp::Tanh: return 4;
    case UnaryOp::Sigmoid: return 3;
    case UnaryOp::Silu: return 4;
    case UnaryOp::GeluErf: return 12;
    case UnaryOp::GeluTanh: {
      // exp(-2u) turns a relative rounding error r of u into 2|u| r: about 3 ULP of u in the
      // vector form, and as much again in a double reference, which rounds u itself.
      const double u = std::fabs(0.7978845608028654 * (d + 0.044715 * d * d * d));
      return 8 + (sizeof(T) == 4 ? 6 : 12) * (std::isfinite(u) ? u : 0);
    }
    default: return 0;
  }
}

const UnaryOp kUnary[] = {UnaryOp::Exp,      UnaryOp::Log,  UnaryOp::Tanh, UnaryOp::Sigmoid,
                          UnaryOp::Relu,     UnaryOp::GeluErf, UnaryOp::GeluTanh, UnaryOp::Silu,
                          UnaryOp::Sqrt,     UnaryOp::Neg,  UnaryOp::Abs};
const UnaryOp kBackward[] = {UnaryOp::SigmoidBackward, UnaryOp::TanhBackward, UnaryOp::ReluBackward};
const BinaryOp kBinary[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};

constexpr size_t kMaxLen = 67;
constexpr size_t kOffsets = 16;  // 64 bytes of floats
const size_t kLarge[] = {1000, 4099, 70001};

template <typename T>
void check_unary(UnaryOp op) {
  const T sentinel = T(-12345.25);
  auto x = test_values<T>(kMaxLen + kOffsets + 80000, 1, op == UnaryOp::Log || op == UnaryOp::Sqrt ? 30.0 : 4.0);
  std::vector<size_t> lens;
  for (size_t n = 0; n <= kMaxLen; ++n) lens.push_back(n);
  for (size_t n : lens) {
    for (size_t off = 0; off < kOffsets; ++off) {
      std::vector<T> y(n + off + 8, sentinel);
      ember::kernels::unary_contiguous<T>(op, x.data() + off, y.data() + off, static_cast<int64_t>(n));
      for (size_t i = 0; i < off; ++i) ASSERT_EQ(y[i], sentinel);
      for (size_t i = n + off; i < y.size(); ++i) ASSERT_EQ(y[i], sentinel) << "write past the end, n=" << n;
      for (size_t i = 0; i < n; ++i) {
        const T in = x[off + i];
        const T ref = ember::kernels::unary_reference(op, in);
        const double e = ulp_distance(y[off + i], ref);
        ASSERT_LE(e, bound(op, in)) << "op " << static_cast<int>(op) << " x=" << in << " got " << y[off + i]
                                    << " want " << ref << " n=" << n << " off=" << off;
      }
    }
  }
  for (size_t n : kLarge) {
    std::vector<T> y(n);
    ember::kernels::unary_contiguous<T>(op, x.data() + 5, y.data(), static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) {
      const T ref = ember::kernels::unary_reference(op, x[5 + i]);
      ASSERT_LE(ulp_distance(y[i], ref), bound(op, x[5 + i])) << "x=" << x[5 + i] << " got " << y[i] << " want " << ref;
    }
  }
  // In place.
  std::vector<T> z(x.begin(), x.begin() + 300);
  ember::kernels::unary_contiguous<T>(op, z.data(), z.data(), 300);
  for (size_t i = 0; i < 300; ++i)
    ASSERT_LE(ulp_distance(z[i], ember::kernels::unary_reference(op, x[i])), bound(op, x[i]));
}

TEST(SimdKernels, UnaryMatchesScalarReference) {
  for_each_target(ember::kernels::simd_target_in_use, [] {
    for (UnaryOp op : kUnary) {
      SCOPED_TRACE(static_cast<int>(op));
      check_unary<float>(op);
      check_unary<double>(op);
    }
  });
}

// GELU's derivative (erf form) times g: Phi(x) + x phi(x) cancels near x = -0.75, where it
// crosses 0, so the bound is 8 ULP of the terms' size, |g| (Phi(x) + |x| phi(x)), or 8 ULP of the
// result, whichever is larger; inf and NaN must match exactly. Float only (double takes the reference).
TEST(SimdKernels, GeluErfBackwardMatchesScalarReference) {
  for_each_target(ember::kernels::simd_target_in_use, [] {
    auto x = test_values<float>(kMaxLen + kOffsets + 20000, 4, 3.0);
    auto g = test_values<float>(kMaxLen + kOffsets + 20000, 5, 1.5);
    for (size_t i = 0; i < 2000; ++i) x[20000 + i % 60] = -0.85f + 0.0001f * static_cast<float>(i);  // the zero
    for (size_t i = 0; i < 1400; ++i) x[i * 13 + 1] = -7.0f + 0.01f * static_cast<float>(i);       // [-7, 7]
    auto check = [&](const float* xp, const float* gp, const float* out, size_t n) {
      for (size_t i = 0; i < n; ++i) {
        const float ref = ember::kernels::unary_backward_reference(UnaryOp::GeluErfBackward, xp[i], gp[i]);
        // The exact value in double (before rounding to float, which may overflow near FLT_MAX).
        const double xd = xp[i], gd = gp[i];
        const double cdf = 0.5 * std::erfc(-xd / std::sqrt(2.0));
        const double xpdf = xd * std::exp(-0.5 * xd * xd) / std::sqrt(2 * M_PI);
        const double exact = gd * (cdf + xpdf), scale = std::fabs(gd) * (cdf + std::fabs(xpdf));
        const bool ok = ulp_distance(out[i], ref) <= 8 ||
                        (std::isfinite(exact) && std::isfinite(out[i]) &&
                         std::fabs(static_cast<double>(out[i]) - exact) <= 8 * 0x1p-23 * scale);
        ASSERT_TRUE(ok) << "x=" << xp[i] << " g=" << gp[i] << " got " << out[i] << " want " << ref;
      }
    };
    for (size_t n = 0; n <= kMaxLen; ++n) {
      for (size_t off = 0; off < kOffsets; ++off) {
        std::vector<float> out(n + off + 4, 7.0f);
        ember::kernels::unary_backward_contiguous<float>(UnaryOp::GeluErfBackward, x.data() + off,
                                                         g.data() + (kOffsets - off), out.data() + off,
                                                         static_cast<int64_t>(n));
        for (size_t i = 0; i < off; ++i) ASSERT_EQ(out[i], 7.0f);
        for (size_t i = n + off; i < out.size(); ++i) ASSERT_EQ(out[i], 7.0f) << "write past the end, n=" << n;
        check(x.data() + off, g.data() + (kOffsets - off), out.data() + off, n);
      }
    }
    const size_t n = x.size() - kOffsets;
    std::vector<float> out(n);
    ember::kernels::unary_backward_contiguous<float>(UnaryOp::GeluErfBackward, x.data() + 3, g.data(), out.data(),
                                                     static_cast<int64_t>(n));
    check(x.data() + 3, g.data(), out.data(), n);
  });
}

template <typename T>
void check_backward(UnaryOp op) {
  auto y = test_values<T>(kMaxLen + kOffsets + 5000, 2, 1.0);
  auto g = test_values<T>(kMaxLen + kOffsets + 5000, 3, 2.0);
  for (size_t n = 0; n <= kMaxLen; ++n) {
    for (size_t off = 0; off < kOffsets; ++off) {
      std::vector<T> out(n + off + 4, T(7));
      ember::kernels::unary_backward_contiguous<T>(op, y.data() + off, g.data() + (kOffsets - off), out.data() + off,
                                                   static_cast<int64_t>(n));
      for (size_t i = n + off; i < out.size(); ++i) ASSERT_EQ(out[i], T(7));
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(ulp_distance(out[off + i],
                               ember::kernels::unary_backward_reference(op, y[off + i], g[kOffsets - off + i])),
                  0);
    }
  }
}

TEST(SimdKernels, BackwardMatchesScalarReference) {
  for_each_target(ember::kernels::simd_target_in_use, [] {
    for (UnaryOp op : kBackward) {
      check_backward<float>(op);
      check_backward<double>(op);
    }
  });
}

template <typename T>
T binary_reference(BinaryOp op, T a, T b, T alpha) {
  switch (op) {
    case BinaryOp::Add: return alpha == T(1) ? a + b : a + alpha * b;
    case BinaryOp::Sub: return alpha == T(1) ? a - b : a - alpha * b;
    case BinaryOp::Mul: return a * b;
    default: return a / b;
  }
}

template <typename T>
void check_binary(BinaryOp op, T alpha) {
  auto a = test_values<T>(kMaxLen + kOffsets + 5000, 4, 3.0);
  auto b = test_values<T>(kMaxLen + kOffsets + 5000, 5, 3.0);
  for (int layout = 0; layout < 4; ++layout) {  // tensor-tensor, scalar-tensor, tensor-scalar, scalar-scalar
    const int64_t as = layout == 1 || layout == 3 ? 0 : 1, bs = layout >= 2 ? 0 : 1;
    for (size_t n = 0; n <= kMaxLen + 1000; n += n < kMaxLen ? 1 : 1000) {
      for (size_t off = 0; off < kOffsets; ++off) {
        std::vector<T> out(n + off + 4, T(7));
        const T* ap = a.data() + (as ? off : 11);
        const T* bp = b.data() + (bs ? kOffsets - off : 12);
        ember::kernels::binary_contiguous<T>(op, ap, as, bp, bs, out.data() + off, static_cast<int64_t>(n), alpha);
        for (size_t i = n + off; i < out.size(); ++i) ASSERT_EQ(out[i], T(7));
        for (size_t i = 0; i < n; ++i)
          ASSERT_EQ(ulp_distance(out[off + i], binary_reference(op, ap[i * as], bp[i * bs], alpha)), 0)
              << "op " << static_cast<int>(op) << " layout " << layout << " i=" << i;
      }
    }
  }
}

// check(op, alpha) on every target, for every binary op at alpha 1 and for add and sub at other alphas,
// in float and double.
template <class Check>
void for_each_binary_case(const Check& check) {
  for_each_target(ember::kernels::simd_target_in_use, [&] {
    for (BinaryOp op : kBinary) {
      check(op, 1.0f);
      check(op, 1.0);
    }
    check(BinaryOp::Add, 0.3f);
    check(BinaryOp::Sub, -2.5f);
    check(BinaryOp::Add, 0.3);
    check(BinaryOp::Sub, -2.5);
  });
}

TEST(SimdKernels, BinaryMatchesScalarReference) {
  for_each_binary_case([](BinaryOp op, auto alpha) { check_binary<decltype(alpha)>(op, alpha); });
}

// The same value, bit for bit (the sign of zero included), or NaN for NaN: the compiler may swap
// the operands of + and *, so neither path fixes which NaN's sign comes out.
template <typename T>
bool same_bits_or_nan(T a, T b) {
  return std::isnan(a) ? std::isnan(b) : std::memcmp(&a, &b, sizeof(T)) == 0;
}

// A one-element op (a scalar under autograd) is computed without the SIMD dispatch: it must give
// what the kernel's lane gives for every pair of special and ordinary values, through both entries
// (two tensors; a tensor and a C++ number, on either side).
template <typename T>
void check_binary_one(BinaryOp op, T alpha) {
  const ember::ScalarType dt = sizeof(T) == 4 ? ember::kFloat : ember::kDouble;
  const auto values = test_values<T>(40, 9, 3.0);
  auto one = [&](T v) { return ember::full({1}, v, ember::TensorOptions().dtype(dt)); };
  for (T x : values) {
    for (T y : values) {
      T kernel;
      ember::kernels::binary_contiguous<T>(op, &x, 1, &y, 1, &kernel, 1, alpha);
      ember::Tensor out = ember::empty({1}, ember::TensorOptions().dtype(dt));
      ASSERT_TRUE(ember::kernels::binary(op, out, one(x), one(y), alpha));
      T got = out.data_ptr<T>()[0];
      ASSERT_TRUE(same_bits_or_nan(got, kernel)) << "op " << static_cast<int>(op) << " " << x << ", " << y;
      ASSERT_TRUE(ember::kernels::binary_scalar(op, out, one(x), ember::Scalar(static_cast<double>(y)), alpha));
      got = out.data_ptr<T>()[0];
      ASSERT_TRUE(same_bits_or_nan(got, kernel)) << "op " << static_cast<int>(op) << " " << x << ", " << y;
      ember::kernels::binary_contiguous<T>(op, &y, 1, &x, 1, &kernel, 1, alpha);
      ASSERT_TRUE(ember::kernels::binary_scalar(op, out, one(x), ember::Scalar(static_cast<double>(y)), alpha,
                                                /*number_first=*/true));
      got = out.data_ptr<T>()[0];
      ASSERT_TRUE(same_bits_or_nan(got, kernel)) << "op " << static_cast<int>(op) << " " << y << ", " << x;
    }
  }
}

TEST(SimdKernels, OneElementMatchesKernel) {
  for_each_binary_case([](BinaryOp op, auto alpha) { check_binary_one<decltype(alpha)>(op, alpha); });
}

// The op's row formula in double, as softmax computed before the SIMD kernel.
template <typename T>
void softmax_reference(const T* x, T* y, size_t n, bool log) {
  T mx = -std::numeric_limits<T>::infinity();
  for (size_t k = 0; k < n; ++k) mx = std::max(mx, x[k]);
  if (mx == -std::numeric_limits<T>::infinity()) mx = 0;
  double sum = 0;
  for (size_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(x[k] - mx));
  const T lse = static_cast<T>(std::log(sum));
  for (size_t k = 0; k < n; ++k)
    y[k] = log ? x[k] - mx - lse : static_cast<T>(std::exp(static_cast<double>(x[k] - mx)) / sum);
}

template <typename T>
void check_softmax(bool log) {
  auto x = test_values<T>(4000, 6, 3.0);
  std::vector<T> clean(4000);
  std::mt19937 gen(7);
  std::normal_distribution<double> dist(0.0, 3.0);
  for (auto& v : clean) v = static_cast<T>(dist(gen));
  clean[100] = T(-200);  // exp underflows to a denormal or zero next to the max
  clean[101] = T(40);
  for (const auto* src : {&clean, &x}) {
    for (size_t n = 0; n <= kMaxLen + 1000; n += n < kMaxLen ? 1 : 999) {
      for (size_t off = 0; off < kOffsets; off += 3) {
        const int64_t rows = 3;
        std::vector<T> y(rows * n + off + 4, T(7)), ref(rows * n);
        const T* in = src->data() + off + 60;
        ember::kernels::softmax_rows<T>(in, y.data() + off, rows, static_cast<int64_t>(n), log);
        for (int64_t r = 0; r < rows; ++r) softmax_reference(in + r * n, ref.data() + r * n, n, log);
        for (size_t i = rows * n + off; i < y.size(); ++i) ASSERT_EQ(y[i], T(7));
        for (size_t i = 0; i < rows * n; ++i)
          ASSERT_TRUE(ulp_distance(y[off + i], ref[i]) <= (sizeof(T) == 4 ? 4 : 8) ||
                      std::fabs(static_cast<double>(y[off + i]) - ref[i]) <=
                          static_cast<double>(4 + n) * std::numeric_limits<T>::epsilon() *
                              (log ? 1.0 : std::fabs(static_cast<double>(ref[i]))))
              << "n=" << n << " i=" << i << " x=" << in[i] << " got "
                                                          << y[off + i] << " want " << ref[i];
      }
    }
  }
}

TEST(SimdKernels, SoftmaxMatchesScalarReference) {
  for_each_target(ember::kernels::simd_target_in_use, [] {
    check_softmax<float>(false);
    check_softmax<float>(true);
    check_softmax<double>(false);
    check_softmax<double>(true);
  });
}

// Through the ops: contiguous, broadcast-scalar and strided inputs all agree with the reference.
TEST(SimdKernels, OpsRouteEveryLayout) {
  auto base = ember::randn({70, 33});
  auto t = base.t();  // strided: the generic loop
  for (const auto& x : {base, t}) {
    auto y = ember::sigmoid(x.mul(x).add(x));
    auto xc = x.contiguous();
    const float* px = xc.data_ptr<float>();
    auto yc = y.contiguous();
    const float* py = yc.data_ptr<float>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float v = px[i] * px[i] + px[i];
      EXPECT_LE(ulp_distance(py[i], ember::kernels::unary_reference(UnaryOp::Sigmoid, v)), 3);
    }
  }
  auto s = ember::mul(base, 2.5).div(ember::scalar_tensor(4.0));
  auto sc = s.contiguous();
  auto bc = base.contiguous();
  for (int64_t i = 0; i < base.numel(); ++i) EXPECT_EQ(sc.data_ptr<float>()[i], bc.data_ptr<float>()[i] * 2.5f / 4.0f);
  EXPECT_EQ(ember::abs(ember::tensor({-0.0})).item<double>(), 0.0);
  EXPECT_FALSE(std::signbit(ember::abs(ember::tensor({-0.0f})).item<float>()));
}

}  // namespace
