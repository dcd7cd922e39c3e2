// Per-target float transpose shared by the kernel files that pack or lay out matrices (sgemm.cpp's
// packing, conv_direct.cpp's pixel-major tiles). Included after hwy/foreach_target.h, so once per
// target: the include guard toggles with HWY_TARGET_TOGGLE (Highway's convention for -inl.h headers).
#if defined(EMBER_KERNELS_CPU_TRANSPOSE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EMBER_KERNELS_CPU_TRANSPOSE_INL_H_
#undef EMBER_KERNELS_CPU_TRANSPOSE_INL_H_
#else
#define EMBER_KERNELS_CPU_TRANSPOSE_INL_H_
#endif

#include <hwy/highway.h>

#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols. Strips of 8 rows go through 8 x 8
// register transposes where the target has 8-float vectors, the rows left in strips of 4 through
// 4 x 4 ones, the edges element by element: one float at a time, a transpose spends a load and a
// store on every element.
HWY_INLINE void TransposeFloats(const float* src, size_t rows, size_t cols, size_t lds, float* dst, size_t ldd) {
  size_t r0 = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::CappedTag<float, 8> d8;
  if constexpr (hn::MaxLanes(d8) == 8) {
    using V = hn::Vec<decltype(d8)>;
    const hn::Repartition<double, decltype(d8)> dd;
    auto pairs = [&](V a, V b, bool upper) {  // the 64-bit pairs of a and b interleaved
      return hn::BitCast(d8, upper ? hn::InterleaveUpper(dd, hn::BitCast(dd, a), hn::BitCast(dd, b))
                                   : hn::InterleaveLower(hn::BitCast(dd, a), hn::BitCast(dd, b)));
    };
    for (; hn::Lanes(d8) == 8 && r0 + 8 <= rows; r0 += 8) {
      size_t c = 0;
      for (; c + 8 <= cols; c += 8) {
        const float* s = src + r0 * lds + c;
        V a[8], t[8], u[8];
        for (int i = 0; i < 8; ++i) a[i] = hn::LoadU(d8, s + i * lds);
        for (int i = 0; i < 8; i += 2) {  // rows i, i+1: elements 0,1,4,5 / 2,3,6,7 interleaved
          t[i] = hn::InterleaveLower(a[i], a[i + 1]);
          t[i + 1] = hn::InterleaveUpper(d8, a[i], a[i + 1]);
        }
        for (int h = 0; h < 8; h += 4) {  // rows h..h+3: columns 0 and 4, 1 and 5, 2 and 6, 3 and 7
          u[h] = pairs(t[h], t[h + 2], false);
          u[h + 1] = pairs(t[h], t[h + 2], true);
          u[h + 2] = pairs(t[h + 1], t[h + 3], false);
          u[h + 3] = pairs(t[h + 1], t[h + 3], true);
        }
        float* o = dst + c * ldd + r0;
        for (int j = 0; j < 4; ++j) {
          hn::StoreU(hn::ConcatLowerLower(d8, u[4 + j], u[j]), d8, o + j * ldd);
          hn::StoreU(hn::ConcatUpperUpper(d8, u[4 + j], u[j]), d8, o + (j + 4) * ldd);
        }
      }
      for (; c < cols; ++c)
        for (size_t r = r0; r < r0 + 8; ++r) dst[c * ldd + r] = src[r * lds + c];
    }
  }
  const hn::CappedTag<float, 4> d4;
  if constexpr (hn::MaxLanes(d4) == 4) {
    for (; hn::Lanes(d4) == 4 && r0 + 4 <= rows; r0 += 4) {
      const float* s0 = src + r0 * lds;
      size_t c = 0;
      for (; c + 4 <= cols; c += 4) {
        const auto a0 = hn::LoadU(d4, s0 + c), a1 = hn::LoadU(d4, s0 + lds + c), a2 = hn::LoadU(d4, s0 + 2 * lds + c),
                   a3 = hn::LoadU(d4, s0 + 3 * lds + c);
        const auto t0 = hn::InterleaveLower(d4, a0, a1), t1 = hn::InterleaveLower(d4, a2, a3);  // a0 b0 a1 b1, c0 d0 c1 d1
        const auto t2 = hn::InterleaveUpper(d4, a0, a1), t3 = hn::InterleaveUpper(d4, a2, a3);  // a2 b2 a3 b3, c2 d2 c3 d3
        float* o = dst + c * ldd + r0;
        hn::StoreU(hn::ConcatLowerLower(d4, t1, t0), d4, o);
        hn::StoreU(hn::ConcatUpperUpper(d4, t1, t0), d4, o + ldd);
        hn::StoreU(hn::ConcatLowerLower(d4, t3, t2), d4, o + 2 * ldd);
        hn::StoreU(hn::ConcatUpperUpper(d4, t3, t2), d4, o + 3 * ldd);
      }
      for (; c < cols; ++c)
        for (size_t r = r0; r < r0 + 4; ++r) dst[c * ldd + r] = src[r * lds + c];
    }
  }
#endif
  for (size_t r = r0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) dst[c * ldd + r] = src[r * lds + c];
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#endif  // include guard, toggled per target
