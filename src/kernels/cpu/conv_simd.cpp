// Vector pieces of conv.cpp (see conv_simd.h): compiled once per Highway target (foreach_target.h
// re-includes this file), HWY_DYNAMIC_DISPATCH picks the best one at run time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/conv_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "kernels/cpu/conv_simd.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The rows of im2col and col2im are short (8 to 30 floats in small convolutions), where a memcpy
// call per row costs more than the copy: full vectors, then one masked vector for the rest.
template <bool kAdd>
void RowsImpl(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  const hn::ScalableTag<float> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const auto tail = hn::FirstN(d, static_cast<size_t>(len % N));
  const int64_t body = len - len % N;
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src + r * src_stride;
    float* t = dst + r * dst_stride;
    for (int64_t i = 0; i < body; i += N) {
      auto v = hn::LoadU(d, s + i);
      if constexpr (kAdd) v = hn::Add(v, hn::LoadU(d, t + i));
      hn::StoreU(v, d, t + i);
    }
    if (body < len) {
      auto v = hn::MaskedLoad(tail, d, s + body);
      if constexpr (kAdd) v = hn::Add(v, hn::MaskedLoad(tail, d, t + body));
      hn::BlendedStore(v, tail, d, t + body);
    }
  }
}

void CopyRows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  RowsImpl<false>(src, src_stride, dst, dst_stride, rows, len);
}
void AddRows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  RowsImpl<true>(src, src_stride, dst, dst_stride, rows, len);
}

// The scalar rule of the 2x2 window: v is taken when v > best or v is NaN; `at` codes the picked
// element as 2 * row + column inside the window.
inline void Window2x2(const float* r0, const float* r1, float& best, int32_t& at) {
  best = r0[0];
  at = 0;
  const float v[3] = {r0[1], r1[0], r1[1]};
  for (int32_t j = 0; j < 3; ++j) {
    const bool take = (v[j] > best) | (v[j] != v[j]);
    best = take ? v[j] : best;
    at = take ? j + 1 : at;
  }
}

void MaxPool2x2(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind) {
  const hn::ScalableTag<float> d;
  const hn::RebindToSigned<decltype(d)> di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  HWY_ALIGN int32_t codes[HWY_MAX_BYTES / sizeof(float)];
  for (int64_t oh = 0; oh < OH; ++oh) {
    const float* r0 = img + 2 * oh * W;
    const float* r1 = r0 + W;
    float* vo = val + oh * OW;
    int64_t* io = ind ? ind + oh * OW : nullptr;
    const int64_t base = 2 * oh * W;
    int64_t ow = 0;
    // Each vector step reads 2N floats of both rows: the even lanes are the windows' left
    // columns, the odd lanes their right ones.
    for (; ow + N <= OW; ow += N) {
      hn::Vec<decltype(d)> a0, a1, b0, b1;
      hn::LoadInterleaved2(d, r0 + 2 * ow, a0, a1);
      hn::LoadInterleaved2(d, r1 + 2 * ow, b0, b1);
      auto best = a0;
      auto at = hn::Zero(di);
      const hn::Vec<decltype(d)> cand[3] = {a1, b0, b1};
      for (int32_t j = 0; j < 3; ++j) {
        const auto take = hn::Or(hn::Gt(cand[j], best), hn::IsNaN(cand[j]));
        best = hn::IfThenElse(take, cand[j], best);
        at = hn::IfThenElse(hn::RebindMask(di, take), hn::Set(di, j + 1), at);
      }
      hn::StoreU(best, d, vo + ow);
      if (io) {
        hn::Store(at, di, codes);
        for (int64_t l = 0; l < N; ++l)
          io[ow + l] = base + 2 * (ow + l) + (codes[l] & 1) + (codes[l] >> 1) * W;
      }
    }
    for (; ow < OW; ++ow) {
      float best;
      int32_t at;
      Window2x2(r0 + 2 * ow, r1 + 2 * ow, best, at);
      vo[ow] = best;
      if (io) io[ow] = base + 2 * ow + (at & 1) + (at >> 1) * W;
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(CopyRows);
HWY_EXPORT(AddRows);
HWY_EXPORT(MaxPool2x2);

void copy_rows_f32(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  HWY_DYNAMIC_DISPATCH(CopyRows)(src, src_stride, dst, dst_stride, rows, len);
}
void add_rows_f32(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  HWY_DYNAMIC_DISPATCH(AddRows)(src, src_stride, dst, dst_stride, rows, len);
}
void max_pool2x2_f32(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2)(img, W, OH, OW, val, ind);
}
}  // namespace kernels
}  // namespace ember
#endif
