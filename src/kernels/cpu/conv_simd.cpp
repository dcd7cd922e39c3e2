// Vector pieces of conv.cpp (see conv_simd.h): compiled once per Highway target (foreach_target.h
// re-includes this file), HWY_DYNAMIC_DISPATCH picks the best one at run time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/conv_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <utility>

#include "kernels/cpu/conv_simd.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// [i, len) of one row, Lanes(d) at a time while whole vectors fit; returns where it stopped.
template <bool kAdd, class D>
int64_t RowVectors(D d, const float* s, float* t, int64_t i, int64_t len) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (; i + N <= len; i += N) {
    auto v = hn::LoadU(d, s + i);
    if constexpr (kAdd) v = hn::Add(v, hn::LoadU(d, t + i));
    hn::StoreU(v, d, t + i);
  }
  return i;
}

// The rows of im2col and col2im are short (8 to 30 floats in small convolutions), where a memcpy
// call per row costs more than the copy: full vectors, then 8 and 4 lanes, then single floats.
// No access reaches past the row: a masked full-width tail would, and in col2im the next row's
// load would then wait for that store to retire (overlapping addresses, even in masked-off lanes).
template <bool kAdd>
void RowsImpl(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src + r * src_stride;
    float* t = dst + r * dst_stride;
    int64_t i = RowVectors<kAdd>(hn::ScalableTag<float>(), s, t, 0, len);
    i = RowVectors<kAdd>(hn::CappedTag<float, 8>(), s, t, i, len);
    i = RowVectors<kAdd>(hn::CappedTag<float, 4>(), s, t, i, len);
    for (; i < len; ++i) t[i] = kAdd ? t[i] + s[i] : s[i];
  }
}

// Eight floats per row, whatever the rows' useful length (the caller's contract, conv_simd.h).
HWY_INLINE void CopyWindows(const float* src, int64_t src_step, float* dst, int64_t dst_stride, int64_t count) {
  const hn::CappedTag<float, 8> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t i = 0; i < count; ++i)
    for (int64_t j = 0; j < 8; j += N) hn::StoreU(hn::LoadU(d, src + i * src_step + j), d, dst + i * dst_stride + j);
}

void RunRowBlocks(const RowBlock* blocks, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    const RowBlock& b = blocks[i];
    if (b.op == RowOp::kCopy)
      RowsImpl<false>(b.src, b.src_stride, b.dst, b.dst_stride, b.rows, b.len);
    else if (b.op == RowOp::kAdd)
      RowsImpl<true>(b.src, b.src_stride, b.dst, b.dst_stride, b.rows, b.len);
    else
      CopyWindows(b.src, b.src_stride, b.dst, b.dst_stride, b.rows);
  }
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

// Windows [ow, OW) of one output row, Lanes(d) at a time while whole vectors fit; returns where it
// stopped. Each step reads 2 * Lanes(d) floats of both input rows: the even lanes are the windows'
// left columns, the odd lanes their right ones.
template <class D>
int64_t MaxPool2x2Vectors(D d, const float* r0, const float* r1, int64_t W, int64_t base, int64_t ow, int64_t OW,
                          float* vo, int64_t* io) {
  const hn::RebindToSigned<D> di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  HWY_ALIGN int32_t codes[HWY_MAX_BYTES / sizeof(float)];
  for (; ow + N <= OW; ow += N) {
    hn::Vec<D> a0, a1, b0, b1;
    hn::LoadInterleaved2(d, r0 + 2 * ow, a0, a1);
    hn::LoadInterleaved2(d, r1 + 2 * ow, b0, b1);
    auto best = a0;
    auto at = hn::Zero(di);
    const hn::Vec<D> cand[3] = {a1, b0, b1};
    for (int32_t j = 0; j < 3; ++j) {
      const auto take = hn::Or(hn::Gt(cand[j], best), hn::IsNaN(cand[j]));
      best = hn::IfThenElse(take, cand[j], best);
      at = hn::IfThenElse(hn::RebindMask(di, take), hn::Set(di, j + 1), at);
    }
    hn::StoreU(best, d, vo + ow);
    if (io) {
      hn::Store(at, di, codes);
      for (int64_t l = 0; l < N; ++l) io[ow + l] = base + 2 * (ow + l) + (codes[l] & 1) + (codes[l] >> 1) * W;
    }
  }
  return ow;
}

void MaxPool2x2(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind) {
  for (int64_t oh = 0; oh < OH; ++oh) {
    const float* r0 = img + 2 * oh * W;
    const float* r1 = r0 + W;
    float* vo = val + oh * OW;
    int64_t* io = ind ? ind + oh * OW : nullptr;
    const int64_t base = 2 * oh * W;
    // Full vectors, then 8 and 4 lanes: the pooled rows of small images (12, 4 wide) are shorter
    // than one AVX-512 vector.
    int64_t ow = MaxPool2x2Vectors(hn::ScalableTag<float>(), r0, r1, W, base, 0, OW, vo, io);
    ow = MaxPool2x2Vectors(hn::CappedTag<float, 8>(), r0, r1, W, base, ow, OW, vo, io);
    ow = MaxPool2x2Vectors(hn::CappedTag<float, 4>(), r0, r1, W, base, ow, OW, vo, io);
    for (; ow < OW; ++ow) {
      float best;
      int32_t at;
      Window2x2(r0 + 2 * ow, r1 + 2 * ow, best, at);
      vo[ow] = best;
      if (io) io[ow] = base + 2 * ow + (at & 1) + (at >> 1) * W;
    }
  }
}

// The backward's windows [ow, OW) of one output row, Lanes(d64) at a time while whole vectors fit;
// returns where it stopped. Each window's index minus that of its top-left element is 0, 1, W or
// W + 1 (truncated to 32 bits in the register, never through memory: a vector load of codes
// written one by one would wait for the stores to retire); the two block rows are stored
// interleaved, even lanes the left column.
template <class D64>
int64_t MaxPool2x2BackwardVectors(D64 d64, const float* go, const int64_t* io, int64_t W, int64_t base, int64_t ow,
                                  int64_t OW, float* r0, float* r1) {
  const hn::Rebind<float, D64> d;
  const hn::Rebind<uint32_t, D64> du;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d64));
  const auto z = hn::Zero(d);
  const auto c0 = hn::Zero(du), c1 = hn::Set(du, 1u), cw = hn::Set(du, static_cast<uint32_t>(W)),
             cw1 = hn::Set(du, static_cast<uint32_t>(W + 1));
  auto corner = hn::Add(hn::Set(d64, static_cast<uint64_t>(base + 2 * ow)), hn::ShiftLeft<1>(hn::Iota(d64, 0)));
  const auto step = hn::Set(d64, static_cast<uint64_t>(2 * N));
  for (; ow + N <= OW; ow += N, corner = hn::Add(corner, step)) {
    const auto at = hn::TruncateTo(du, hn::Sub(hn::LoadU(d64, reinterpret_cast<const uint64_t*>(io + ow)), corner));
    const auto g = hn::Add(hn::LoadU(d, go + ow), z);  // -0 + 0 is +0, as the zero-and-add rule gives
    hn::StoreInterleaved2(hn::IfThenElseZero(hn::RebindMask(d, hn::Eq(at, c0)), g),
                          hn::IfThenElseZero(hn::RebindMask(d, hn::Eq(at, c1)), g), d, r0 + 2 * ow);
    hn::StoreInterleaved2(hn::IfThenElseZero(hn::RebindMask(d, hn::Eq(at, cw)), g),
                          hn::IfThenElseZero(hn::RebindMask(d, hn::Eq(at, cw1)), g), d, r1 + 2 * ow);
  }
  return ow;
}

void MaxPool2x2Backward(const float* gout, const int64_t* ind, int64_t planes, int64_t H, int64_t W, int64_t OH,
                        int64_t OW, float* g) {
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oh = 0; oh < OH; ++oh) {
      const float* go = gout + (p * OH + oh) * OW;
      const int64_t* io = ind + (p * OH + oh) * OW;
      float* r0 = g + p * H * W + 2 * oh * W;
      float* r1 = r0 + W;
      const int64_t base = 2 * oh * W;
      // 8, 4 and 2 windows at a time (on AVX-512; the widest tag is a vector of 64-bit indices).
      int64_t ow = MaxPool2x2BackwardVectors(hn::ScalableTag<uint64_t>(), go, io, W, base, 0, OW, r0, r1);
      ow = MaxPool2x2BackwardVectors(hn::CappedTag<uint64_t, 4>(), go, io, W, base, ow, OW, r0, r1);
      ow = MaxPool2x2BackwardVectors(hn::CappedTag<uint64_t, 2>(), go, io, W, base, ow, OW, r0, r1);
      for (; ow < OW; ++ow) unpool2x2_window(go[ow], io[ow] - (base + 2 * ow), W, r0 + 2 * ow, r1 + 2 * ow);
    }
}

// col2im_gather_f32 (conv_simd.h). Each image row is summed in registers: a vector of columns
// [x0, x0 + N) takes, for each tap (a, b), the columns row's floats at ow = x - b + pw, a masked
// load of the lanes whose ow lies in [0, OW) (the others would read the row before or after, or
// outside cols, which the masked loads of AVX2 and AVX-512 do not touch); two partial sums break
// the chain of additions. Elsewhere it returns false.
bool Col2ImGather(const float* cols, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh, int64_t kw,
                  int64_t ph, int64_t pw, float* img) {
#if HWY_TARGET <= HWY_AVX2
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), L = OH * OW;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t x0 = 0; x0 < W; x0 += N) {
      // Lanes [lo, hi) of tap column b read inside their columns row, and inside the image.
      auto lanes = [&](int64_t b) HWY_ATTR {
        const int64_t lo = std::max<int64_t>(0, b - pw - x0), hi = std::min({N, OW + b - pw - x0, W - x0});
        return hn::AndNot(hn::FirstN(d, static_cast<size_t>(lo)), hn::FirstN(d, static_cast<size_t>(std::max(lo, hi))));
      };
      for (int64_t y = 0; y < H; ++y) {
        // Taps a whose columns row oh = y - a + ph exists.
        const int64_t a0 = std::max<int64_t>(0, y + ph - OH + 1), a1 = std::min(kh, y + ph + 1);
        V s0 = hn::Zero(d), s1 = hn::Zero(d);
        for (int64_t b = 0; b < kw && a0 < a1; ++b) {
          const auto m = lanes(b);
          // Tap (a, b)'s floats; those of tap (a + 1, b) lie kw * L - OW further (the next plane of
          // that column of taps, a row up).
          const float* p = cols + ((c * kh + a0) * kw + b) * L + (y - a0 + ph) * OW + (x0 - b + pw);
          const int64_t step = kw * L - OW;
          int64_t a = a0;
          for (; a + 1 < a1; a += 2, p += 2 * step) {
            s0 = hn::Add(s0, hn::MaskedLoad(m, d, p));
            s1 = hn::Add(s1, hn::MaskedLoad(m, d, p + step));
          }
          if (a < a1) {
            s0 = hn::Add(s0, hn::MaskedLoad(m, d, p));
            std::swap(s0, s1);
          }
        }
        const V v = hn::Add(s0, s1);
        float* dst = img + (c * H + y) * W + x0;
        if (x0 + N <= W)
          hn::StoreU(v, d, dst);
        else
          hn::BlendedStore(v, hn::FirstN(d, static_cast<size_t>(W - x0)), d, dst);
      }
    }
  return true;
#else
  (void)cols, (void)C, (void)H, (void)W, (void)OH, (void)OW, (void)kh, (void)kw, (void)ph, (void)pw, (void)img;
  return false;
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(MaxPool2x2);
HWY_EXPORT(MaxPool2x2Backward);
HWY_EXPORT(RunRowBlocks);
HWY_EXPORT(Col2ImGather);

void max_pool2x2_f32(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2)(img, W, OH, OW, val, ind);
}
void max_pool2x2_backward_f32(const float* gout, const int64_t* ind, int64_t planes, int64_t H, int64_t W, int64_t OH,
                              int64_t OW, float* g) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2Backward)(gout, ind, planes, H, W, OH, OW, g);
}
void run_row_blocks_f32(const RowBlock* blocks, int64_t count) { HWY_DYNAMIC_DISPATCH(RunRowBlocks)(blocks, count); }
bool col2im_gather_f32(const float* cols, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh,
                       int64_t kw, int64_t ph, int64_t pw, float* img) {
  return HWY_DYNAMIC_DISPATCH(Col2ImGather)(cols, C, H, W, OH, OW, kh, kw, ph, pw, img);
}
}  // namespace kernels
}  // namespace ember
#endif
