// ember's single-precision GEMM: packed panels and a register-blocked FMA micro-kernel, compiled
// once per Highway target (foreach_target.h re-includes this file) and chosen at run time.
//
// Structure (the classic Goto/BLIS one, row-major): for each panel of nc columns of op(B), for each
// kc-long slice of the inner dimension, op(B)'s kc x nc block is packed into micro-panels of nr
// columns (kc rows of nr contiguous floats), then for each block of mc rows of op(A) that block is
// packed into micro-panels of mr rows (kc columns of mr contiguous floats), and the micro-kernel
// multiplies one mr-row A micro-panel by one nr-column B micro-panel, holding the mr x nr tile of C
// in registers for the whole kc loop: per step one or two vector loads of B, mr broadcasts of A and
// mr * nr / lanes FMAs. The B micro-panel stays in L1 while the A block (mc x kc) streams from L2.
// A block's last A micro-panel is only as high as its rows need (4, 8 or 12 rows on AVX-512), tiles
// whose columns are cut by the edge of C go through a small buffer, and the packed panels are padded
// with zeros. Panels of a transposed operand are packed four rows by four columns at a time through
// register transposes. Small shapes take other paths, chosen in one place by Classify: products of
// one row or one column run as a matrix-vector product without packing, those with a short inner
// dimension as combinations of B's rows, a few rows or columns against a transposed B as dot
// products; when op(B) is not transposed and A fits one row block, B's rows are read in place
// instead of packed.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/sgemm.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/aligned_allocator.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <atomic>

#include "kernels/cpu/sgemm.h"
#include "kernels/cpu/transpose-inl.h"

#ifndef EMBER_SGEMM_ONCE
#define EMBER_SGEMM_ONCE
namespace ember {
namespace kernels {
namespace sgemm_detail {
// Defaults: the A block is mc x kc floats (384 KB on AVX-512), one B micro-panel kc x nr (64 KB),
// the packed B block kc x nc (4 MB). Tuned on Zen 5 (48 KB L1d, 1 MB L2) with kc = 384; on Zen 4
// (32 KB L1d, 1 MB L2) kc = 512 ran 1024^3 products 3% faster (fewer passes over C), others alike.
constexpr int64_t kMcTiles = 16, kKc = kSgemmKc, kNcTiles = 64;
inline std::atomic<int64_t> mc_tiles{kMcTiles}, kc{kKc}, nc_tiles{kNcTiles};

// A buffer per thread, grown on demand, 64-byte aligned.
struct Buffer {
  hwy::AlignedFreeUniquePtr<float[]> p;
  size_t size = 0;
  float* get(size_t n) {
    if (n > size) {
      p = hwy::AllocateAligned<float>(n);
      size = n;
    }
    return p.get();
  }
};
inline thread_local Buffer buf_a, buf_b, buf_x, buf_t;
}  // namespace sgemm_detail
}  // namespace kernels
}  // namespace ember
#endif

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace sd = ::ember::kernels::sgemm_detail;

using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;

// Micro-tile: kMR rows x kNV vectors. AVX-512 has 32 vector registers: 12 x 2 zmm accumulators
// (12 x 32 floats) leave room for the B vectors and the broadcast. 16-register targets: 6 x 2.
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr size_t kMR = 12;
#else
constexpr size_t kMR = 6;
#endif
constexpr size_t kNV = 2;

HWY_INLINE size_t Nr() { return kNV * hn::Lanes(D()); }

// The heights an A micro-panel may have: kMR, and for the last panel of a block the smallest of
// these that holds its rows, so that 16 rows run as 12 + 4 (or 8 + 8) instead of 12 + 12.
HWY_INLINE size_t PanelRows(size_t rows) {
  return rows <= kMR / 3 ? kMR / 3 : rows <= 2 * kMR / 3 ? 2 * kMR / 3 : kMR;
}

// C tile (mr x nr at c, row stride ldc) = alpha * op(A) op(B) + beta * C over kc steps; a is an A
// micro-panel (MR floats per step, mr <= MR), b rows brs floats apart (nr contiguous floats each).
// beta == 0 overwrites C.
template <size_t MR>
HWY_NOINLINE void Tile(size_t kc, const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t brs, float* c,
                       size_t ldc, size_t mr, size_t nr, float alpha, float beta) {
  const D d;
  const size_t N = hn::Lanes(d);
  V acc[MR][kNV];
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (size_t v = 0; v < kNV; ++v) acc[i][v] = hn::Zero(d);
  // The C tile is read or written only after the kc steps: fetch its lines now.
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; ++i) {
    if (i >= mr) break;
    hwy::Prefetch(c + i * ldc);
    hwy::Prefetch(c + i * ldc + nr - 1);
  }
  for (size_t p = 0; p < kc; ++p) {
    V bv[kNV];
#pragma GCC unroll 4
    for (size_t v = 0; v < kNV; ++v) bv[v] = hn::LoadU(d, b + v * N);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i) {
      const V ai = hn::Set(d, a[i]);
#pragma GCC unroll 4
      for (size_t v = 0; v < kNV; ++v) acc[i][v] = hn::MulAdd(ai, bv[v], acc[i][v]);
    }
    a += MR;
    b += brs;
  }
  const V va = hn::Set(d, alpha), vb = hn::Set(d, beta);
  if (nr == kNV * N) {  // whole rows: vector stores, the rows past mr (panel padding) skipped
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i) {
      if (i >= mr) break;
      float* ci = c + i * ldc;
#pragma GCC unroll 4
      for (size_t v = 0; v < kNV; ++v) {
        if (beta == 0.0f)
          hn::StoreU(hn::Mul(va, acc[i][v]), d, ci + v * N);
        else
          hn::StoreU(hn::MulAdd(va, acc[i][v], hn::Mul(vb, hn::LoadU(d, ci + v * N))), d, ci + v * N);
      }
    }
    return;
  }
  // Cut columns: through a buffer, so that nothing past C's last column is touched (another
  // thread may own it).
  HWY_ALIGN float tmp[MR * kNV * (HWY_MAX_BYTES / sizeof(float))];
  const size_t nrf = kNV * N;
  for (size_t i = 0; i < mr; ++i)
    for (size_t v = 0; v < kNV; ++v) hn::Store(hn::Mul(va, acc[i][v]), d, tmp + i * nrf + v * N);
  for (size_t i = 0; i < mr; ++i)
    for (size_t j = 0; j < nr; ++j) {
      float& cij = c[i * ldc + j];
      cij = beta == 0.0f ? tmp[i * nrf + j] : tmp[i * nrf + j] + beta * cij;
    }
}

// A micro-panel of height h (a PanelRows value) times a B micro-panel.
void PanelTile(size_t h, size_t kc, const float* a, const float* b, size_t brs, float* c, size_t ldc, size_t mr,
               size_t nr, float alpha, float beta) {
  if (h == kMR)
    Tile<kMR>(kc, a, b, brs, c, ldc, mr, nr, alpha, beta);
  else if (h == 2 * kMR / 3)
    Tile<2 * kMR / 3>(kc, a, b, brs, c, ldc, mr, nr, alpha, beta);
  else
    Tile<kMR / 3>(kc, a, b, brs, c, ldc, mr, nr, alpha, beta);
}

// dst[p * ld + i] = src[i * lds + p] for i < r, p < kc, and 0 for r <= i < rpad: r rows of length kc
// turned into kc rows of rpad, through register transposes (transpose-inl.h).
void PackTransposed(const float* src, size_t lds, size_t r, size_t kc, float* dst, size_t ld, size_t rpad) {
  TransposeFloats(src, r, kc, lds, dst, ld);
  if (r < rpad)
    for (size_t p = 0; p < kc; ++p)
      for (size_t j = r; j < rpad; ++j) dst[p * ld + j] = 0.0f;
}

// op(A) rows [i0, i0 + mc) x inner [p0, p0 + kc) into micro-panels of kMR rows, the last one
// PanelRows high, zero-padded.
void PackA(bool ta, const float* a, size_t lda, size_t i0, size_t mc, size_t p0, size_t kc, float* dst) {
  for (size_t ir = 0; ir < mc; ir += kMR) {
    const size_t mr = std::min(kMR, mc - ir), h = PanelRows(mr);
    float* out = dst + ir * kc;
    if (ta) {  // op(A)(i, p) = a[p * lda + i]: rows of the micro-panel are contiguous in a
      for (size_t p = 0; p < kc; ++p) {
        const float* src = a + (p0 + p) * lda + i0 + ir;
        float* o = out + p * h;
        for (size_t i = 0; i < mr; ++i) o[i] = src[i];
        for (size_t i = mr; i < h; ++i) o[i] = 0.0f;
      }
    } else {
      PackTransposed(a + (i0 + ir) * lda + p0, lda, mr, kc, out, h, h);
    }
  }
}

// op(B) inner [p0, p0 + kc) x columns [j0, j0 + nc) into micro-panels of nr columns, zero-padded.
void PackB(bool tb, const float* b, size_t ldb, size_t p0, size_t kc, size_t j0, size_t nc, float* dst) {
  const size_t NR = Nr();
  for (size_t jr = 0; jr < nc; jr += NR) {
    const size_t nr = std::min(NR, nc - jr);
    float* out = dst + jr * kc;
    // A cut panel is zeroed first with vector stores: a zero tail per row became a `rep stos`, whose
    // start-up cost more than the row.
    const D d;
    const size_t N = hn::Lanes(d);
    if (nr < NR)
      for (size_t p = 0; p < kc; ++p)
        for (size_t v = 0; v < kNV; ++v) hn::StoreU(hn::Zero(d), d, out + p * NR + v * N);
    if (!tb) {  // rows of nr floats: a memcpy call per short row cost more than the copy
      for (size_t p = 0; p < kc; ++p) {
        const float* src = b + (p0 + p) * ldb + j0 + jr;
        float* o = out + p * NR;
        size_t j = 0;
        for (; j + N <= nr; j += N) hn::StoreU(hn::LoadU(d, src + j), d, o + j);
        for (; j < nr; ++j) o[j] = src[j];
      }
    } else {  // op(B)(p, j) = b[j * ldb + p]
      PackTransposed(b + (j0 + jr) * ldb + p0, ldb, nr, kc, out, NR, nr);
    }
  }
}

// a * b + c in one rounding where the target has FMA (as the vector lanes do), for scalar tails.
HWY_INLINE float Fma(float a, float b, float c) {
  const hn::CappedTag<float, 1> d1;
  return hn::GetLane(hn::MulAdd(hn::Set(d1, a), hn::Set(d1, b), hn::Set(d1, c)));
}

// y[i * incy] = alpha * sum_p M(i, p) x[p] + beta * y[i * incy] for i < rows, x contiguous.
// rows_contiguous: M(i, p) = m[i * ldm + p] (dot products), else M(i, p) = m[p * ldm + i] (axpy).
void Gemv(bool rows_contiguous, size_t rows, size_t k, float alpha, const float* m, size_t ldm, const float* x,
          float beta, float* y, size_t incy) {
  const D d;
  const size_t N = hn::Lanes(d);
  float* t = sd::buf_t.get(rows + 4);
  if (rows_contiguous) {
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
      const float* m0 = m + i * ldm;
      const float* m1 = m0 + ldm;
      const float* m2 = m1 + ldm;
      const float* m3 = m2 + ldm;
      V s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
      size_t p = 0;
      for (; p + N <= k; p += N) {
        const V xv = hn::LoadU(d, x + p);
        s0 = hn::MulAdd(hn::LoadU(d, m0 + p), xv, s0);
        s1 = hn::MulAdd(hn::LoadU(d, m1 + p), xv, s1);
        s2 = hn::MulAdd(hn::LoadU(d, m2 + p), xv, s2);
        s3 = hn::MulAdd(hn::LoadU(d, m3 + p), xv, s3);
      }
      float r0 = hn::GetLane(hn::SumOfLanes(d, s0)), r1 = hn::GetLane(hn::SumOfLanes(d, s1));
      float r2 = hn::GetLane(hn::SumOfLanes(d, s2)), r3 = hn::GetLane(hn::SumOfLanes(d, s3));
      for (; p < k; ++p) {
        r0 = Fma(m0[p], x[p], r0);
        r1 = Fma(m1[p], x[p], r1);
        r2 = Fma(m2[p], x[p], r2);
        r3 = Fma(m3[p], x[p], r3);
      }
      t[i] = r0;
      t[i + 1] = r1;
      t[i + 2] = r2;
      t[i + 3] = r3;
    }
    for (; i < rows; ++i) {
      const float* mi = m + i * ldm;
      V s = hn::Zero(d);
      size_t p = 0;
      for (; p + N <= k; p += N) s = hn::MulAdd(hn::LoadU(d, mi + p), hn::LoadU(d, x + p), s);
      float r = hn::GetLane(hn::SumOfLanes(d, s));
      for (; p < k; ++p) r = Fma(mi[p], x[p], r);
      t[i] = r;
    }
  } else {
    std::fill(t, t + rows, 0.0f);
    size_t p = 0;
    for (; p + 4 <= k; p += 4) {
      const V x0 = hn::Set(d, x[p]), x1 = hn::Set(d, x[p + 1]), x2 = hn::Set(d, x[p + 2]), x3 = hn::Set(d, x[p + 3]);
      const float* m0 = m + p * ldm;
      const float* m1 = m0 + ldm;
      const float* m2 = m1 + ldm;
      const float* m3 = m2 + ldm;
      size_t i = 0;
      for (; i + N <= rows; i += N) {
        V s = hn::LoadU(d, t + i);
        s = hn::MulAdd(hn::LoadU(d, m0 + i), x0, s);
        s = hn::MulAdd(hn::LoadU(d, m1 + i), x1, s);
        s = hn::MulAdd(hn::LoadU(d, m2 + i), x2, s);
        s = hn::MulAdd(hn::LoadU(d, m3 + i), x3, s);
        hn::StoreU(s, d, t + i);
      }
      for (; i < rows; ++i) t[i] = Fma(m3[i], x[p + 3], Fma(m2[i], x[p + 2], Fma(m1[i], x[p + 1], Fma(m0[i], x[p], t[i]))));
    }
    for (; p < k; ++p) {
      const V xv = hn::Set(d, x[p]);
      const float* mp = m + p * ldm;
      size_t i = 0;
      for (; i + N <= rows; i += N) hn::StoreU(hn::MulAdd(hn::LoadU(d, mp + i), xv, hn::LoadU(d, t + i)), d, t + i);
      for (; i < rows; ++i) t[i] = Fma(mp[i], x[p], t[i]);
    }
  }
  for (size_t i = 0; i < rows; ++i) {
    float& yi = y[i * incy];
    yi = beta == 0.0f ? alpha * t[i] : alpha * t[i] + beta * yi;
  }
}

// x[p] = src[p * inc], contiguous (src itself when inc == 1).
const float* Contiguous(const float* src, size_t inc, size_t k) {
  if (inc == 1) return src;
  float* x = sd::buf_x.get(k);
  for (size_t p = 0; p < k; ++p) x[p] = src[p * inc];
  return x;
}

// Products with an inner dimension this short take SmallK.
constexpr size_t kSmallK = 8;

// R rows of C from i: C(i.., j) = alpha * sum_p ai[r][p] op(B)(p, j) + beta * C(i.., j), op(B)'s rows
// contiguous (ldb apart), four vectors of each row at a time with B's loads shared by the R rows.
template <size_t R>
void SmallKRows(const float (*ai)[kSmallK], size_t n, size_t k, float alpha, const float* b, size_t ldb,
                float beta, float* c, size_t ldc) {
  const D d;
  const size_t N = hn::Lanes(d);
  const V va = hn::Set(d, alpha), vb = hn::Set(d, beta);
  auto finish = [&](V acc, float* out) {
    hn::StoreU(beta == 0.0f ? hn::Mul(va, acc) : hn::MulAdd(va, acc, hn::Mul(vb, hn::LoadU(d, out))), d, out);
  };
  size_t j = 0;
  for (; j + 4 * N <= n; j += 4 * N) {
    V acc[R][4];
    for (size_t r = 0; r < R; ++r)
      for (size_t v = 0; v < 4; ++v) acc[r][v] = hn::Zero(d);
    for (size_t p = 0; p < k; ++p) {
      const float* bp = b + p * ldb + j;
      const V b0 = hn::LoadU(d, bp), b1 = hn::LoadU(d, bp + N), b2 = hn::LoadU(d, bp + 2 * N),
              b3 = hn::LoadU(d, bp + 3 * N);
      for (size_t r = 0; r < R; ++r) {
        const V av = hn::Set(d, ai[r][p]);
        acc[r][0] = hn::MulAdd(av, b0, acc[r][0]);
        acc[r][1] = hn::MulAdd(av, b1, acc[r][1]);
        acc[r][2] = hn::MulAdd(av, b2, acc[r][2]);
        acc[r][3] = hn::MulAdd(av, b3, acc[r][3]);
      }
    }
    for (size_t r = 0; r < R; ++r)
      for (size_t v = 0; v < 4; ++v) finish(acc[r][v], c + r * ldc + j + v * N);
  }
  for (; j + N <= n; j += N) {
    V acc[R];
    for (size_t r = 0; r < R; ++r) acc[r] = hn::Zero(d);
    for (size_t p = 0; p < k; ++p) {
      const V bv = hn::LoadU(d, b + p * ldb + j);
      for (size_t r = 0; r < R; ++r) acc[r] = hn::MulAdd(hn::Set(d, ai[r][p]), bv, acc[r]);
    }
    for (size_t r = 0; r < R; ++r) finish(acc[r], c + r * ldc + j);
  }
  for (; j < n; ++j)
    for (size_t r = 0; r < R; ++r) {
      float acc = 0.0f;
      for (size_t p = 0; p < k; ++p) acc = Fma(ai[r][p], b[p * ldb + j], acc);
      float& out = c[r * ldc + j];
      out = beta == 0.0f ? alpha * acc : Fma(alpha, acc, beta * out);
    }
}

// One row of C for k == 1, alpha == 1 and beta 0 or 1: c[j] = a_i * b[j], plus c[j] when
// `accumulate`, rounded as SmallKRows rounds them (the product accumulated onto zero, then the
// sum), so bit for bit its result, in one pass with one multiply-add and one add per element. A
// linear layer's weight gradient at batch 1 added into .grad is this product; SmallKRows' four
// accumulators and separate beta scaling measured 1.5x slower on it (a 256 x 784 layer, Zen 5).
void OuterRow(float ai, const float* b, size_t n, bool accumulate, float* c) {
  const D d;
  const size_t N = hn::Lanes(d);
  const V s = hn::Set(d, ai), zero = hn::Zero(d);
  size_t j = 0;
  for (; j + N <= n; j += N) {
    const V v = hn::MulAdd(s, hn::LoadU(d, b + j), zero);
    hn::StoreU(accumulate ? hn::Add(hn::LoadU(d, c + j), v) : v, d, c + j);
  }
  for (; j < n; ++j) {
    const float v = Fma(ai, b[j], 0.0f);
    c[j] = accumulate ? c[j] + v : v;
  }
}

// C = alpha * op(A) op(B) + beta * C for k <= kSmallK: each row of C is a combination of op(B)'s k
// rows (read in place, or gathered into a buffer when B is transposed), in one pass over C and with
// no packing. A linear layer's weight gradient at batch 1 to 8 is such a product; through the tiles
// its cost was packing and per-tile setup, not arithmetic.
void SmallK(bool ta, bool tb, size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda,
            const float* b, size_t ldb, float beta, float* c, size_t ldc) {
  if (tb) {  // op(B)(p, j) = b[j * ldb + p]
    float* bt = sd::buf_b.get(k * n);
    for (size_t j = 0; j < n; ++j)
      for (size_t p = 0; p < k; ++p) bt[p * n + j] = b[j * ldb + p];
    b = bt;
    ldb = n;
  }
  if (k == 1 && alpha == 1.0f && (beta == 0.0f || beta == 1.0f)) {
    for (size_t i = 0; i < m; ++i) OuterRow(ta ? a[i] : a[i * lda], b, n, beta == 1.0f, c + i * ldc);
    return;
  }
  float ai[2][kSmallK];
  auto load_row = [&](size_t i, float* dst) {
    for (size_t p = 0; p < k; ++p) dst[p] = ta ? a[p * lda + i] : a[i * lda + p];
  };
  size_t i = 0;
  for (; i + 2 <= m; i += 2) {
    load_row(i, ai[0]);
    load_row(i + 1, ai[1]);
    SmallKRows<2>(ai, n, k, alpha, b, ldb, beta, c + i * ldc, ldc);
  }
  if (i < m) {
    load_row(i, ai[0]);
    SmallKRows<1>(ai, n, k, alpha, b, ldb, beta, c + i * ldc, ldc);
  }
}

// Which algorithm a product takes, by its shape alone: packing pays off only when each packed
// panel serves several tiles.
enum class Shape {
  kOneRow,      // m == 1: a matrix-vector product over op(B), no packing
  kOneColumn,   // n == 1: the same over op(A)
  kShortInner,  // k <= kSmallK: each row of C a combination of op(B)'s few rows (SmallK)
  kFewDots,     // A plain, B transposed and a few rows or columns of C: each entry a dot product of two
                // contiguous rows, cheaper than panels that would serve only a few tiles
  kTiles,       // everything else: packed panels and the micro-kernel
};
Shape Classify(bool ta, bool tb, size_t m, size_t n, size_t k) {
  if (m == 1) return Shape::kOneRow;
  if (n == 1) return Shape::kOneColumn;
  if (k <= kSmallK) return Shape::kShortInner;
  if (tb && !ta && (m <= 8 || n <= 16)) return Shape::kFewDots;
  return Shape::kTiles;
}

void Sgemm(bool ta, bool tb, int64_t m_, int64_t n_, int64_t k_, float alpha, const float* a, int64_t lda_,
           const float* b, int64_t ldb_, float beta, float* c, int64_t ldc_) {
  const size_t m = static_cast<size_t>(m_), n = static_cast<size_t>(n_), k = static_cast<size_t>(k_);
  const size_t lda = static_cast<size_t>(lda_), ldb = static_cast<size_t>(ldb_), ldc = static_cast<size_t>(ldc_);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  switch (Classify(ta, tb, m, n, k)) {
    case Shape::kOneRow: {  // C's row = op(A)'s row times op(B): op(B)^T's rows are B's rows where tb
      const float* x = Contiguous(a, ta ? lda : 1, k);
      Gemv(tb, n, k, alpha, b, ldb, x, beta, c, 1);
      return;
    }
    case Shape::kOneColumn: {
      const float* x = Contiguous(b, tb ? 1 : ldb, k);
      Gemv(!ta, m, k, alpha, a, lda, x, beta, c, ldc);
      return;
    }
    case Shape::kShortInner:
      SmallK(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    case Shape::kFewDots:
      if (m <= n) {
        for (size_t i = 0; i < m; ++i) Gemv(true, n, k, alpha, b, ldb, a + i * lda, beta, c + i * ldc, 1);
      } else {
        for (size_t j = 0; j < n; ++j) Gemv(true, m, k, alpha, a, lda, b + j * ldb, beta, c + j, ldc);
      }
      return;
    case Shape::kTiles:
      break;
  }
  const size_t NR = Nr();
  const size_t MC = static_cast<size_t>(sd::mc_tiles.load(std::memory_order_relaxed)) * kMR;
  const size_t KC = static_cast<size_t>(sd::kc.load(std::memory_order_relaxed));
  const size_t NC = static_cast<size_t>(sd::nc_tiles.load(std::memory_order_relaxed)) * NR;
  // One row block and B not transposed: B's rows are read where they are, packing only edge panels.
  const bool direct_b = !tb && m <= MC;
  float* pa = sd::buf_a.get(std::min(MC, (m + kMR - 1) / kMR * kMR) * std::min(KC, k));
  float* pb = sd::buf_b.get(direct_b ? NR * std::min(KC, k)
                                     : std::min(NC, (n + NR - 1) / NR * NR) * std::min(KC, k));
  for (size_t jc = 0; jc < n; jc += NC) {
    const size_t nc = std::min(NC, n - jc);
    for (size_t pc = 0; pc < k; pc += KC) {
      const size_t kc = std::min(KC, k - pc);
      const float bt = pc == 0 ? beta : 1.0f;
      if (!direct_b) PackB(tb, b, ldb, pc, kc, jc, nc, pb);
      for (size_t ic = 0; ic < m; ic += MC) {
        const size_t mc = std::min(MC, m - ic);
        PackA(ta, a, lda, ic, mc, pc, kc, pa);
        for (size_t jr = 0; jr < nc; jr += NR) {
          const size_t nr = std::min(NR, nc - jr);
          const float* bp;
          size_t brs = NR;
          if (!direct_b) {
            bp = pb + jr * kc;
          } else if (nr == NR) {
            bp = b + pc * ldb + jc + jr;
            brs = ldb;
          } else {
            PackB(false, b, ldb, pc, kc, jc + jr, nr, pb);
            bp = pb;
          }
          for (size_t ir = 0; ir < mc; ir += kMR) {
            const size_t mr = std::min(kMR, mc - ir);
            PanelTile(PanelRows(mr), kc, pa + ir * kc, bp, brs, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, bt);
          }
        }
      }
    }
  }
}

void Blocking(int64_t* out) {
  out[0] = static_cast<int64_t>(kMR);
  out[1] = static_cast<int64_t>(Nr());
  out[2] = sd::mc_tiles.load() * out[0];
  out[3] = sd::kc.load();
  out[4] = sd::nc_tiles.load() * out[1];
}
int64_t SgemmTargetInUse() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(Sgemm);
HWY_EXPORT(Blocking);
HWY_EXPORT(SgemmTargetInUse);

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  HWY_DYNAMIC_DISPATCH(Sgemm)(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
SgemmBlocking sgemm_blocking() {
  int64_t v[5];
  HWY_DYNAMIC_DISPATCH(Blocking)(v);
  return {v[0], v[1], v[2], v[3], v[4]};
}
void sgemm_set_blocking_for_test(int64_t mc_tiles, int64_t kc, int64_t nc_tiles) {
  sgemm_detail::mc_tiles = mc_tiles > 0 ? mc_tiles : sgemm_detail::kMcTiles;
  sgemm_detail::kc = kc > 0 ? kc : sgemm_detail::kKc;
  sgemm_detail::nc_tiles = nc_tiles > 0 ? nc_tiles : sgemm_detail::kNcTiles;
}
int64_t sgemm_target_in_use() { return HWY_DYNAMIC_DISPATCH(SgemmTargetInUse)(); }
}  // namespace kernels
}  // namespace ember
#endif
