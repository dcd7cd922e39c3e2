// SIMD reductions (see reduce.h): compiled once per Highway target (foreach_target.h re-includes
// this file), HWY_DYNAMIC_DISPATCH picks the best one at run time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/reduce.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/reduce.h"

// ---------------------------------------------------------------- scalar helpers (once)
#ifndef EMBER_REDUCE_SCALAR_ONCE
#define EMBER_REDUCE_SCALAR_ONCE
namespace ember {
namespace kernels {
namespace reduce_detail {

// Terms a cascade level takes before it is folded into the next one.
constexpr int64_t kLevel = 16;

template <typename T>
inline T combine(ReduceOp op, T a, T b) {
  switch (op) {
    case ReduceOp::Sum: return a + b;
    case ReduceOp::Prod: return a * b;
    case ReduceOp::Max:
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
      return b > a ? b : a;
    case ReduceOp::Min:
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
      return b < a ? b : a;
  }
  return a;
}

template <typename T>
inline T identity(ReduceOp op) {
  return op == ReduceOp::Prod ? T(1) : T(0);
}

// Combines p[0..n) in a balanced tree (pairwise), n >= 1.
template <typename T>
T combine_tree(ReduceOp op, const T* p, int64_t n) {
  if (n == 1) return p[0];
  const int64_t h = n / 2;
  return combine(op, combine_tree(op, p, h), combine_tree(op, p + h, n - h));
}

// One column x[0], x[stride], ... of n >= 1 elements, pairwise below kLevel terms (sum) or in order.
template <typename T>
T column_scalar(ReduceOp op, const T* x, int64_t n, int64_t stride) {
  if (op == ReduceOp::Sum && n > kLevel) {
    const int64_t h = n / 2;
    return column_scalar(op, x, h, stride) + column_scalar(op, x + h * stride, n - h, stride);
  }
  T a = x[0];
  for (int64_t r = 1; r < n; ++r) a = combine(op, a, x[r * stride]);
  return a;
}

}  // namespace reduce_detail
}  // namespace kernels
}  // namespace ember
#endif

// ---------------------------------------------------------------- per-target SIMD code

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace rd = reduce_detail;

struct AddOp {
  template <class V>
  HWY_INLINE V operator()(V a, V b) const { return hn::Add(a, b); }
};
struct MulOp {
  template <class V>
  HWY_INLINE V operator()(V a, V b) const { return hn::Mul(a, b); }
};
struct MaxOp {
  template <class V>
  HWY_INLINE V operator()(V a, V b) const { return hn::Max(a, b); }
};
struct MinOp {
  template <class V>
  HWY_INLINE V operator()(V a, V b) const { return hn::Min(a, b); }
};

// The lanes of v combined pairwise (v's NaN lanes already dealt with by the caller).
template <class D, class V, typename T = hn::TFromD<D>>
HWY_INLINE T CombineLanes(D d, ReduceOp op, V v) {
  HWY_ALIGN T buf[HWY_MAX_BYTES / sizeof(T)];
  hn::Store(v, d, buf);
  for (size_t w = hn::Lanes(d) / 2; w >= 1; w /= 2)
    for (size_t i = 0; i < w; ++i) buf[i] = rd::combine(op, buf[i], buf[i + w]);
  return buf[0];
}

// Cascaded sum of x[0..n): four vector accumulators take at most kLevel vectors each, their sum
// goes into level 1, which is folded into level 2 every kLevel blocks, and so on.
template <typename T>
T RowSum(const T* HWY_RESTRICT x, int64_t n) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  auto l1 = hn::Zero(d), l2 = hn::Zero(d), l3 = hn::Zero(d);
  int64_t c1 = 0, c2 = 0, i = 0;
  while (n - i >= 4 * N) {
    const int64_t end = i + std::min(rd::kLevel * 4 * N, (n - i) / (4 * N) * (4 * N));
    auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
    for (; i < end; i += 4 * N) {
      a0 = hn::Add(a0, hn::LoadU(d, x + i));
      a1 = hn::Add(a1, hn::LoadU(d, x + i + N));
      a2 = hn::Add(a2, hn::LoadU(d, x + i + 2 * N));
      a3 = hn::Add(a3, hn::LoadU(d, x + i + 3 * N));
    }
    l1 = hn::Add(l1, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)));
    if (++c1 == rd::kLevel) {
      l2 = hn::Add(l2, l1);
      l1 = hn::Zero(d);
      c1 = 0;
      if (++c2 == rd::kLevel) {
        l3 = hn::Add(l3, l2);
        l2 = hn::Zero(d);
        c2 = 0;
      }
    }
  }
  auto t = hn::Zero(d);
  for (; i + N <= n; i += N) t = hn::Add(t, hn::LoadU(d, x + i));
  T tail = 0;
  for (; i < n; ++i) tail += x[i];
  return CombineLanes(d, ReduceOp::Sum, hn::Add(hn::Add(hn::Add(t, l1), l2), l3)) + tail;
}

// Product, max or min of x[0..n), n >= 1, with four accumulators; max and min give NaN when any
// element is NaN.
template <typename T, class F>
T RowOther(ReduceOp op, F f, const T* HWY_RESTRICT x, int64_t n) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const bool track_nan = op != ReduceOp::Prod;
  const T init = op == ReduceOp::Prod ? T(1) : x[0];
  auto a0 = hn::Set(d, init), a1 = a0, a2 = a0, a3 = a0;
  auto nan = hn::Zero(d);
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    const auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + N);
    const auto v2 = hn::LoadU(d, x + i + 2 * N), v3 = hn::LoadU(d, x + i + 3 * N);
    a0 = f(a0, v0);
    a1 = f(a1, v1);
    a2 = f(a2, v2);
    a3 = f(a3, v3);
    if (track_nan)
      nan = hn::Or(nan, hn::Or(hn::Or(hn::VecFromMask(d, hn::IsNaN(v0)), hn::VecFromMask(d, hn::IsNaN(v1))),
                               hn::Or(hn::VecFromMask(d, hn::IsNaN(v2)), hn::VecFromMask(d, hn::IsNaN(v3)))));
  }
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, x + i);
    a0 = f(a0, v);
    if (track_nan) nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
  }
  if (track_nan && !hn::AllFalse(d, hn::MaskFromVec(nan))) return std::numeric_limits<T>::quiet_NaN();
  T r = CombineLanes(d, op, f(f(a0, a1), f(a2, a3)));
  for (; i < n; ++i) r = rd::combine(op, r, x[i]);
  return r;
}

template <typename T>
T Row(ReduceOp op, const T* x, int64_t n) {
  switch (op) {
    case ReduceOp::Sum: return RowSum(x, n);
    case ReduceOp::Prod: return n == 0 ? T(1) : RowOther(op, MulOp(), x, n);
    case ReduceOp::Max: return RowOther(op, MaxOp(), x, n);
    case ReduceOp::Min: return RowOther(op, MinOp(), x, n);
  }
  return T(0);
}

// Sum of rows [0, n) of a tile of K vectors (K * Lanes columns) whose rows are `stride` apart,
// cascaded as RowSum is: kLevel rows per register accumulator, then levels kept in memory.
template <int K, typename T>
void ColSumTile(const T* HWY_RESTRICT x, int64_t n, int64_t stride, T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const size_t N = hn::Lanes(d);
  constexpr size_t kMax = HWY_MAX_BYTES / sizeof(T);
  HWY_ALIGN T lv[3][4 * kMax];
  for (auto& l : lv) std::fill(l, l + K * N, T(0));
  int64_t c1 = 0, c2 = 0;
  for (int64_t r = 0; r < n;) {
    const int64_t end = std::min(n, r + rd::kLevel);
    auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
    for (; r < end; ++r) {
      const T* p = x + r * stride;
      a0 = hn::Add(a0, hn::LoadU(d, p));
      if constexpr (K == 4) {
        a1 = hn::Add(a1, hn::LoadU(d, p + N));
        a2 = hn::Add(a2, hn::LoadU(d, p + 2 * N));
        a3 = hn::Add(a3, hn::LoadU(d, p + 3 * N));
      }
    }
    hn::Store(hn::Add(hn::Load(d, lv[0]), a0), d, lv[0]);
    if constexpr (K == 4) {
      hn::Store(hn::Add(hn::Load(d, lv[0] + N), a1), d, lv[0] + N);
      hn::Store(hn::Add(hn::Load(d, lv[0] + 2 * N), a2), d, lv[0] + 2 * N);
      hn::Store(hn::Add(hn::Load(d, lv[0] + 3 * N), a3), d, lv[0] + 3 * N);
    }
    if (++c1 == rd::kLevel) {
      for (size_t k = 0; k < K * N; k += N) {
        hn::Store(hn::Add(hn::Load(d, lv[1] + k), hn::Load(d, lv[0] + k)), d, lv[1] + k);
        hn::Store(hn::Zero(d), d, lv[0] + k);
      }
      c1 = 0;
      if (++c2 == rd::kLevel) {
        for (size_t k = 0; k < K * N; k += N) {
          hn::Store(hn::Add(hn::Load(d, lv[2] + k), hn::Load(d, lv[1] + k)), d, lv[2] + k);
          hn::Store(hn::Zero(d), d, lv[1] + k);
        }
        c2 = 0;
      }
    }
  }
  for (size_t k = 0; k < K * N; k += N)
    hn::StoreU(hn::Add(hn::Add(hn::Load(d, lv[0] + k), hn::Load(d, lv[1] + k)), hn::Load(d, lv[2] + k)), d,
               out + k);
}

// Product, max or min of rows [0, n) of a tile of one vector of columns, n >= 1.
template <typename T, class F>
void ColOtherTile(ReduceOp op, F f, const T* HWY_RESTRICT x, int64_t n, int64_t stride, T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  auto a = hn::LoadU(d, x);
  auto nan = hn::VecFromMask(d, hn::IsNaN(a));
  for (int64_t r = 1; r < n; ++r) {
    const auto v = hn::LoadU(d, x + r * stride);
    a = f(a, v);
    nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
  }
  if (op != ReduceOp::Prod) a = hn::IfThenElse(hn::MaskFromVec(nan), hn::Set(d, std::numeric_limits<T>::quiet_NaN()), a);
  hn::StoreU(a, d, out);
}

// out[c] for columns c in [c0, c1) of an [n, inner] block (rows inner apart), n >= 1.
template <typename T>
void Cols(ReduceOp op, const T* x, int64_t n, int64_t inner, int64_t c0, int64_t c1, T* out) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t c = c0;
  if (op == ReduceOp::Sum) {
    for (; c + 4 * N <= c1; c += 4 * N) ColSumTile<4>(x + c, n, inner, out + c);
    for (; c + N <= c1; c += N) ColSumTile<1>(x + c, n, inner, out + c);
  } else {
    for (; c + N <= c1; c += N) {
      if (op == ReduceOp::Prod) ColOtherTile(op, MulOp(), x + c, n, inner, out + c);
      else if (op == ReduceOp::Max) ColOtherTile(op, MaxOp(), x + c, n, inner, out + c);
      else ColOtherTile(op, MinOp(), x + c, n, inner, out + c);
    }
  }
  for (; c < c1; ++c) out[c] = rd::column_scalar(op, x + c, n, inner);
}

float RowF32(ReduceOp op, const float* x, int64_t n) { return Row(op, x, n); }
double RowF64(ReduceOp op, const double* x, int64_t n) { return Row(op, x, n); }
void ColsF32(ReduceOp op, const float* x, int64_t n, int64_t inner, int64_t c0, int64_t c1, float* out) {
  Cols(op, x, n, inner, c0, c1, out);
}
void ColsF64(ReduceOp op, const double* x, int64_t n, int64_t inner, int64_t c0, int64_t c1, double* out) {
  Cols(op, x, n, inner, c0, c1, out);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

// ---------------------------------------------------------------- dispatch (once)
#if HWY_ONCE
#include "kernels/cpu/loops.h"
#include "kernels/cpu/parallel.h"

namespace ember {
namespace kernels {

HWY_EXPORT(RowF32);
HWY_EXPORT(RowF64);
HWY_EXPORT(ColsF32);
HWY_EXPORT(ColsF64);

namespace {
float row_simd(ReduceOp op, const float* x, int64_t n) { return HWY_DYNAMIC_DISPATCH(RowF32)(op, x, n); }
double row_simd(ReduceOp op, const double* x, int64_t n) { return HWY_DYNAMIC_DISPATCH(RowF64)(op, x, n); }
void cols_simd(ReduceOp op, const float* x, int64_t n, int64_t inner, int64_t c0, int64_t c1, float* out) {
  HWY_DYNAMIC_DISPATCH(ColsF32)(op, x, n, inner, c0, c1, out);
}
void cols_simd(ReduceOp op, const double* x, int64_t n, int64_t inner, int64_t c0, int64_t c1, double* out) {
  HWY_DYNAMIC_DISPATCH(ColsF64)(op, x, n, inner, c0, c1, out);
}

// Columns per parallel block of the outer-dim case: a multiple of every target's 4-vector tile
// of float, so a column's summation order does not depend on how blocks fall to threads.
constexpr int64_t kColBlock = 64;

// One row of n elements: at most kReduceChunk at once, chunk results combined pairwise; the chunks
// run in parallel when `parallel` (the same result either way).
template <typename T>
T reduce_row(ReduceOp op, const T* x, int64_t n, bool parallel) {
  if (n <= kReduceChunk) return row_simd(op, x, n);
  const int64_t chunks = (n + kReduceChunk - 1) / kReduceChunk;
  std::vector<T> part(static_cast<size_t>(chunks));
  const auto body = [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c)
      part[c] = row_simd(op, x + c * kReduceChunk, std::min(kReduceChunk, n - c * kReduceChunk));
  };
  if (parallel) parallel_for(0, chunks, std::max<int64_t>(1, kGrainCheap / kReduceChunk), body);
  else body(0, chunks);
  return reduce_detail::combine_tree(op, part.data(), chunks);
}

template <typename T>
void reduce_impl(ReduceOp op, const T* x, T* out, int64_t outer, int64_t n, int64_t inner, bool parallel) {
  if (n == 0) {
    std::fill(out, out + outer * inner, reduce_detail::identity<T>(op));
    return;
  }
  if (n == 1) {  // e.g. a bias gradient at batch 1: every op gives the element itself, a sum as
                 // PyTorch's does, added to 0 (so -0 gives 0)
    if (op == ReduceOp::Sum) {
      for (int64_t i = 0; i < outer * inner; ++i) out[i] = x[i] + T(0);
    } else {
      std::copy(x, x + outer * inner, out);
    }
    return;
  }
  if (inner == 1) {
    if (outer == 1) {
      out[0] = reduce_row(op, x, n, parallel);
      return;
    }
    const auto body = [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) out[o] = reduce_row(op, x + o * n, n, false);
    };
    if (parallel) parallel_for(0, outer, std::max<int64_t>(1, kGrainCheap / n), body);
    else body(0, outer);
    return;
  }
  const int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  const auto body = [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / blocks, c0 = (t % blocks) * kColBlock;
      cols_simd(op, x + o * n * inner, n, inner, c0, std::min(inner, c0 + kColBlock), out + o * inner);
    }
  };
  if (parallel) parallel_for(0, outer * blocks, std::max<int64_t>(1, kGrainCheap / (n * kColBlock)), body);
  else body(0, outer * blocks);
}
}  // namespace

template <>
void reduce_contiguous<float>(ReduceOp op, const float* x, float* out, int64_t outer, int64_t n, int64_t inner) {
  reduce_impl(op, x, out, outer, n, inner, false);
}
template <>
void reduce_contiguous<double>(ReduceOp op, const double* x, double* out, int64_t outer, int64_t n, int64_t inner) {
  reduce_impl(op, x, out, outer, n, inner, false);
}

namespace {
// in as [outer, n, inner] reduced along n, when the reduced dims (size-1 dims aside) are one run.
bool reduce_shape(const Tensor& in, const std::vector<bool>& reduced, int64_t& outer, int64_t& n, int64_t& inner) {
  const ScalarType dt = in.dtype();
  if ((dt != kFloat && dt != kDouble) || !in.is_contiguous() || in.numel() == 0 ||
      static_cast<int64_t>(reduced.size()) != in.dim())
    return false;
  outer = 1, n = 1, inner = 1;
  int state = 0;  // 0 before the reduced run, 1 inside it, 2 after it
  for (int64_t d = 0; d < in.dim(); ++d) {
    const int64_t s = in.size(d);
    if (s == 1) continue;
    if (reduced[static_cast<size_t>(d)]) {
      if (state == 2) return false;
      state = 1;
      n *= s;
    } else {
      if (state == 1) state = 2;
      (state == 0 ? outer : inner) *= s;
    }
  }
  return true;
}
}  // namespace

bool reduce_accepts(const Tensor& in, const std::vector<bool>& reduced) {
  int64_t outer, n, inner;
  return reduce_shape(in, reduced, outer, n, inner);
}

bool reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduced) {
  const ScalarType dt = in.dtype();
  int64_t outer, n, inner;
  if (out.dtype() != dt || !out.is_contiguous() || !reduce_shape(in, reduced, outer, n, inner) ||
      out.numel() != outer * inner)
    return false;
  if (dt == kFloat) reduce_impl(op, in.data_ptr<float>(), out.data_ptr<float>(), outer, n, inner, true);
  else reduce_impl(op, in.data_ptr<double>(), out.data_ptr<double>(), outer, n, inner, true);
  return true;
}

}  // namespace kernels
}  // namespace ember
#endif  // HWY_ONCE
