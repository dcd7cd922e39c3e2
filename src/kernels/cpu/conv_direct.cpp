// Direct convolution (conv_direct.h): the register tiles compiled once per Highway target
// (foreach_target.h re-includes this file), HWY_DYNAMIC_DISPATCH picks the best one at run time;
// the drivers below HWY_ONCE (padding, weight repacks, chunks of images) are compiled once; the
// plan that picks a kernel per part is conv_plan.cpp.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/conv_direct.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <limits>
#include <type_traits>

#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_plan.h"
#include "kernels/cpu/conv_winograd.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/transpose-inl.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::CappedTag<float, direct::kLanes>;

// f(d) with d the widest float vector, or one of at most 8 floats if narrow.
template <class F>
HWY_INLINE void WithWidth(bool narrow, const F& f) {
  if (narrow)
    f(hn::CappedTag<float, 8>());
  else
    f(DF());
}

// n < Lanes floats of v to p: a masked store where the target has one (it never touches the lanes
// past n), else through a stack copy.
template <class D>
HWY_INLINE void StorePartial(D d, hn::Vec<D> v, float* p, int64_t n) {
#if HWY_TARGET <= HWY_AVX2
  hn::BlendedStore(v, hn::FirstN(d, static_cast<size_t>(n)), d, p);
#else
  HWY_ALIGN float tmp[direct::kLanes];
  hn::Store(v, d, tmp);
  for (int64_t i = 0; i < n; ++i) p[i] = tmp[i];
#endif
}

// The lanes of m from p, the others 0, p unaligned: Highway's MaskedLoad needs p aligned before
// AVX2 (it loads the whole vector there; an unaligned p crashed the SSE4 weight gradient).
template <class D>
HWY_INLINE hn::Vec<D> MaskedLoadU(hn::Mask<D> m, D d, const float* p) {
#if HWY_TARGET <= HWY_AVX2
  return hn::MaskedLoad(m, d, p);
#else
  return hn::IfThenElseZero(m, hn::LoadU(d, p));
#endif
}

// One tile of the forward: output channels [o0, o0 + OB) (weights padded with zero channels, so
// all OB exist) of P column vectors, vector p starting at input offset in[p] and output offset
// out[p] in their planes and `lanes[p]` columns long. Vectors past the image's end repeat the
// last one and are not stored, nor are channels past O. Tap (a, b) of input channel c reads
// xp + c * plane + a * Wp + b * bstep (bstep 1, or for the planes kernel the distance from one tap
// column's copy of a plane to the next's, plus 1).
template <int OB, int P, class D>
HWY_INLINE void ForwardTile(D d, const float* HWY_RESTRICT xp, int64_t C, int64_t plane, int64_t Wp, int64_t bstep,
                            int64_t kh, int64_t kw, const float* HWY_RESTRICT wk, int64_t Op, const float* bias,
                            const int64_t* in, const int64_t* out, const int64_t* lanes, int64_t np,
                            float* HWY_RESTRICT y, int64_t out_plane, int64_t nout) {
  using V = hn::Vec<D>;
  V acc[OB][P];
  for (int o = 0; o < OB; ++o) {
    const V b = bias ? hn::Set(d, bias[o]) : hn::Zero(d);
    for (int p = 0; p < P; ++p) acc[o][p] = b;
  }
  for (int64_t c = 0; c < C; ++c) {
    const float* xc = xp + c * plane;
    const float* wc = wk + c * kh * kw * Op;
    for (int64_t a = 0; a < kh; ++a)
      for (int64_t b = 0; b < kw; ++b) {
        const float* xs = xc + a * Wp + b * bstep;
        const float* ws = wc + (a * kw + b) * Op;
        V xv[P];
        for (int p = 0; p < P; ++p) xv[p] = hn::LoadU(d, xs + in[p]);
        for (int o = 0; o < OB; ++o) {
          const V wv = hn::Set(d, ws[o]);
          for (int p = 0; p < P; ++p) acc[o][p] = hn::MulAdd(xv[p], wv, acc[o][p]);
        }
      }
  }
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int o = 0; o < OB; ++o) {
    if (o >= nout) break;
    for (int p = 0; p < P; ++p) {
      if (p >= np) break;
      float* dst = y + o * out_plane + out[p];
      if (lanes[p] == N)
        hn::StoreU(acc[o][p], d, dst);
      else
        StorePartial(d, acc[o][p], dst, lanes[p]);
    }
  }
}

template <int OB, int P, class D>
void ForwardImageImpl(D d, const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias,
                      int64_t O, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* y) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t per_row = (OW + N - 1) / N, total = OH * per_row, Op = direct::round_up(O, OB);
  for (int64_t o0 = 0; o0 < O; o0 += OB)
    for (int64_t v0 = 0; v0 < total; v0 += P) {
      int64_t in[P], out[P], lanes[P];
      const int64_t np = std::min<int64_t>(P, total - v0);
      for (int p = 0; p < P; ++p) {
        const int64_t v = v0 + std::min<int64_t>(p, np - 1), h = v / per_row, col = (v % per_row) * N;
        in[p] = h * Wp + col;
        out[p] = h * OW + col;
        lanes[p] = std::min(N, OW - col);
      }
      ForwardTile<OB, P>(d, xp, C, Hp * Wp, Wp, 1, kh, kw, wk + o0, Op, bias ? bias + o0 : nullptr, in, out, lanes, np,
                         y + o0 * OH * OW, OH * OW, O - o0);
    }
}

// The planes kernel: y (O, L) = correlation of xp with wk (as ForwardImage's), in vectors that run
// on across rows. xp holds kw copies of each input channel's plane (`plane` floats apart, rows W
// long, no side padding), copy b with the columns that tap column b must not reach from the row
// next to theirs zeroed (Correlation::pad), so that output i reads copy b at i + a * W + b.
template <int OB, int P, class D>
void PlanesImageImpl(D d, const float* xp, int64_t C, int64_t plane, int64_t W, const float* wk, const float* bias,
                     int64_t O, int64_t kh, int64_t kw, int64_t L, float* y) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), total = (L + N - 1) / N, Op = direct::round_up(O, OB);
  for (int64_t o0 = 0; o0 < O; o0 += OB)
    for (int64_t v0 = 0; v0 < total; v0 += P) {
      int64_t at[P], lanes[P];
      const int64_t np = std::min<int64_t>(P, total - v0);
      for (int p = 0; p < P; ++p) {
        const int64_t v = v0 + std::min<int64_t>(p, np - 1);
        at[p] = v * N;
        lanes[p] = std::min(N, L - v * N);
      }
      ForwardTile<OB, P>(d, xp, C, kw * plane, W, plane + 1, kh, kw, wk + o0, Op, bias ? bias + o0 : nullptr, at, at,
                         lanes, np, y + o0 * L, L, O - o0);
    }
}

// f(integral_constant OB, integral_constant P) for a forward of `vectors` vectors a plane with
// output channels in blocks of ob: 8 channels of 3 vectors, or 4 channels of four vectors (16
// accumulators) where six would leave more of the last tile empty, as with the 8 vectors of an
// 8 x 8 output (the issue CNN's second layer: 12 slots for 8 vectors).
template <class F>
HWY_INLINE void WithForwardTile(int64_t ob, int64_t vectors, const F& f) {
  if (ob == 8)
    f(std::integral_constant<int, 8>(), std::integral_constant<int, 3>());
  else if (direct::round_up(vectors, 4) < direct::round_up(vectors, 6))
    f(std::integral_constant<int, 4>(), std::integral_constant<int, 4>());
  else
    f(std::integral_constant<int, 4>(), std::integral_constant<int, 6>());
}

// y (O, OH, OW) = correlation of xp (C, Hp, Wp), zero-padded, with wk (C, kh, kw, round_up(O, ob))
// plus bias (padded likewise) if not null; in vectors of at most 8 floats if narrow.
void ForwardImage(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias, int64_t O,
                  int64_t ob, bool narrow, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* y) {
  WithWidth(narrow, [&](auto d) HWY_ATTR {
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    WithForwardTile(ob, OH * ((OW + N - 1) / N), [&](auto OB, auto P) HWY_ATTR {
      ForwardImageImpl<OB(), P()>(d, xp, C, Hp, Wp, wk, bias, O, kh, kw, OH, OW, y);
    });
  });
}

// PlanesImageImpl with ForwardImage's choices.
void PlanesImage(const float* xp, int64_t C, int64_t plane, int64_t W, const float* wk, const float* bias, int64_t O,
                 int64_t ob, bool narrow, int64_t kh, int64_t kw, int64_t L, float* y) {
  WithWidth(narrow, [&](auto d) HWY_ATTR {
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    WithForwardTile(ob, (L + N - 1) / N, [&](auto OB, auto P) HWY_ATTR {
      PlanesImageImpl<OB(), P()>(d, xp, C, plane, W, wk, bias, O, kh, kw, L, y);
    });
  });
}

// The weight gradient of one image: for each output channel o, input channel c and tap (a, b),
// acc[((o * C + c) * kh + a) * kw + b] (a vector of kLanes partial sums) += the products of
// gout[o] with the input plane c shifted by the tap, over every column vector of the output. The
// output gradient lies zero-padded in gp (planes of Hg x Wg, output (0, 0) at g0); both operands
// are loaded with the columns past OW masked to 0, so that what lies beyond a row (padding, the
// next row) adds nothing, even where it is infinite. Full: OW is a whole number of vectors, and
// the loads need no mask (Zen 4 ran the issue CNN's 8-column layer's weight gradient about 10%
// faster without).
template <int KW, bool Full, class D>
void WeightGradImpl(D d, const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* gp, int64_t Hg, int64_t Wg,
                    int64_t g0, int64_t O, int64_t kh, int64_t OH, int64_t OW, float* acc_out) {
  constexpr int OB = static_cast<int>(direct::wgrad_block(KW));
  using V = hn::Vec<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t o0 = 0; o0 < O; o0 += OB) {
    const float* g[OB];
    for (int o = 0; o < OB; ++o) g[o] = gp + std::min<int64_t>(o0 + o, O - 1) * Hg * Wg + g0;  // past O: repeats
    for (int64_t c = 0; c < C; ++c)
      for (int64_t a = 0; a < kh; ++a) {
        V acc[OB][KW];
        for (int o = 0; o < OB; ++o)
          for (int b = 0; b < KW; ++b) acc[o][b] = hn::Zero(d);
        const float* xc = xp + c * Hp * Wp + a * Wp;
        for (int64_t h = 0; h < OH; ++h)
          for (int64_t col = 0; col < OW; col += N) {
            const auto m = hn::FirstN(d, static_cast<size_t>(std::min(N, OW - col)));
            // The output channels outermost, so that one of them is live at a time (24
            // accumulators, KW input vectors and one gradient vector fit in 32 registers).
            V xv[KW];
            auto load = [&](const float* p) HWY_ATTR { return Full ? hn::LoadU(d, p) : MaskedLoadU(m, d, p); };
            for (int b = 0; b < KW; ++b) xv[b] = load(xc + h * Wp + col + b);
            for (int o = 0; o < OB; ++o) {
              const V gv = load(g[o] + h * Wg + col);
              for (int b = 0; b < KW; ++b) acc[o][b] = hn::MulAdd(gv, xv[b], acc[o][b]);
            }
          }
        for (int o = 0; o < OB; ++o)
          for (int b = 0; b < KW; ++b) {
            float* dst = acc_out + (((o0 + o) * C + c) * kh + a) * KW * direct::kLanes + b * direct::kLanes;
            hn::StoreU(hn::Add(hn::LoadU(d, dst), acc[o][b]), d, dst);
          }
      }
  }
}

template <class D>
void WeightGradOf(D d, const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* gp, int64_t Hg, int64_t Wg,
                  int64_t g0, int64_t O, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* acc) {
  const bool full = OW % static_cast<int64_t>(hn::Lanes(d)) == 0;
  switch (kw) {
#define EMBER_WGRAD_CASE(K) \
  case K:                   \
    return full ? WeightGradImpl<K, true>(d, xp, C, Hp, Wp, gp, Hg, Wg, g0, O, kh, OH, OW, acc) \
                : WeightGradImpl<K, false>(d, xp, C, Hp, Wp, gp, Hg, Wg, g0, O, kh, OH, OW, acc);
    EMBER_WGRAD_CASE(1)
    EMBER_WGRAD_CASE(2)
    EMBER_WGRAD_CASE(3)
    EMBER_WGRAD_CASE(4)
    EMBER_WGRAD_CASE(5)
    EMBER_WGRAD_CASE(6)
    EMBER_WGRAD_CASE(7)
#undef EMBER_WGRAD_CASE
    default:  // conv2d_direct_plan takes no wider kernel
      HWY_ABORT("conv_direct: no weight-gradient tile for kernel width %d", static_cast<int>(kw));
  }
}

// WeightGradImpl for kernel width kw, in vectors of at most 8 floats if narrow.
void WeightGrad(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* gp, int64_t Hg, int64_t Wg, int64_t g0,
                int64_t O, bool narrow, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* acc) {
  WithWidth(narrow, [&](auto d) HWY_ATTR { WeightGradOf(d, xp, C, Hp, Wp, gp, Hg, Wg, g0, O, kh, kw, OH, OW, acc); });
}

// The channel kernels: a tile's lanes hold consecutive output channels (of the convolution, or of
// the input gradient's correlation), and each product broadcasts one element of the padded
// operand, so a row's length no longer decides how full the vectors are; the channel count does.
// Results come out pixel-major and are transposed to planes per image.

// One tile: OV vectors of channels [o0, o0 + OV * Lanes(d)) (wk and bias start at o0, Op channels
// per tap) x P output pixels at offsets in[p] of the padded planes; pixel p's channels go to
// t + p * ldt. Pixels past np repeat the last and are not stored.
template <int OV, int P, class D>
HWY_INLINE void ChannelTile(D d, const float* HWY_RESTRICT xp, int64_t C, int64_t plane, int64_t Wp, int64_t kh,
                            int64_t kw, const float* HWY_RESTRICT wk, int64_t Op, const float* bias,
                            const int64_t* in, int64_t np, float* HWY_RESTRICT t, int64_t ldt) {
  using V = hn::Vec<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  V acc[OV][P];
  for (int v = 0; v < OV; ++v) {
    const V b = bias ? hn::LoadU(d, bias + v * N) : hn::Zero(d);
    for (int p = 0; p < P; ++p) acc[v][p] = b;
  }
  for (int64_t c = 0; c < C; ++c)
    for (int64_t a = 0; a < kh; ++a)
      for (int64_t b = 0; b < kw; ++b) {
        const float* xs = xp + c * plane + a * Wp + b;
        const float* ws = wk + ((c * kh + a) * kw + b) * Op;
        V wv[OV];
        for (int v = 0; v < OV; ++v) wv[v] = hn::LoadU(d, ws + v * N);
        for (int p = 0; p < P; ++p) {
          const V xb = hn::Set(d, xs[in[p]]);
          for (int v = 0; v < OV; ++v) acc[v][p] = hn::MulAdd(wv[v], xb, acc[v][p]);
        }
      }
  for (int p = 0; p < P; ++p) {
    if (p >= np) break;
    for (int v = 0; v < OV; ++v) hn::StoreU(acc[v][p], d, t + p * ldt + v * N);
  }
}

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols (transpose-inl.h).
void Transpose(const float* src, int64_t rows, int64_t cols, int64_t lds, float* dst, int64_t ldd) {
  TransposeFloats(src, static_cast<size_t>(rows), static_cast<size_t>(cols), static_cast<size_t>(lds), dst,
                  static_cast<size_t>(ldd));
}

// y (O, OH, OW) = correlation of xp (C, Hp, Wp) with wk (C, kh, kw, Op) plus bias (Op) if not
// null, through the pixel-major scratch t (OH * OW, Op).
template <int OV, class D>
void ChannelImageImpl(D d, const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias,
                      int64_t O, int64_t Op, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* t, float* y) {
  constexpr int P = 24 / OV;  // 24 accumulators
  const int64_t L = OH * OW, block = OV * static_cast<int64_t>(hn::Lanes(d));
  for (int64_t p0 = 0; p0 < L; p0 += P) {
    int64_t in[P];
    const int64_t np = std::min<int64_t>(P, L - p0);
    for (int p = 0; p < P; ++p) {
      const int64_t pix = p0 + std::min<int64_t>(p, np - 1);
      in[p] = pix / OW * Wp + pix % OW;
    }
    for (int64_t o0 = 0; o0 < O; o0 += block)
      ChannelTile<OV, P>(d, xp, C, Hp * Wp, Wp, kh, kw, wk + o0, Op, bias ? bias + o0 : nullptr, in, np,
                         t + p0 * Op + o0, Op);
  }
  Transpose(t, L, O, Op, y, L);
}

// The weight gradient with output channels in the lanes: for Q rows k of the weight (an input
// channel and tap each, the tap's view of the padded input at xs[q]), acc (k, Op) += the sum over
// the image's pixels of g's pixel row (pixel-major, Op channels) times the element the tap reads.
template <int OV, int Q, class D>
HWY_INLINE void ChannelWeightTile(D d, const float* HWY_RESTRICT g, int64_t Op, const float* const* xs, int64_t nq,
                                  int64_t OH, int64_t OW, int64_t Wp, float* HWY_RESTRICT acc) {
  using V = hn::Vec<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  V sum[OV][Q];
  for (int v = 0; v < OV; ++v)
    for (int q = 0; q < Q; ++q) sum[v][q] = hn::Zero(d);
  for (int64_t h = 0; h < OH; ++h)
    for (int64_t w = 0; w < OW; ++w) {
      const float* gr = g + (h * OW + w) * Op;
      const int64_t i = h * Wp + w;
      V gv[OV];
      for (int v = 0; v < OV; ++v) gv[v] = hn::LoadU(d, gr + v * N);
      for (int q = 0; q < Q; ++q) {
        const V xb = hn::Set(d, xs[q][i]);
        for (int v = 0; v < OV; ++v) sum[v][q] = hn::MulAdd(gv[v], xb, sum[v][q]);
      }
    }
  for (int q = 0; q < Q; ++q) {
    if (q >= nq) break;
    for (int v = 0; v < OV; ++v) {
      float* dst = acc + q * Op + v * N;
      hn::StoreU(hn::Add(hn::LoadU(d, dst), sum[v][q]), d, dst);
    }
  }
}

// acc (C * kh * kw, Op) += one image's weight gradient: xp (C, Hp, Wp) padded, g (OH * OW, Op)
// the output gradient pixel-major.
template <int OV, class D>
void ChannelWeightGradImpl(D d, const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* g, int64_t O,
                           int64_t Op, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* acc) {
  constexpr int Q = 24 / OV;
  const int64_t K = C * kh * kw, block = OV * static_cast<int64_t>(hn::Lanes(d));
  for (int64_t o0 = 0; o0 < O; o0 += block)
    for (int64_t k0 = 0; k0 < K; k0 += Q) {
      const float* xs[Q];
      const int64_t nq = std::min<int64_t>(Q, K - k0);
      for (int q = 0; q < Q; ++q) {
        const int64_t k = k0 + std::min<int64_t>(q, nq - 1);
        xs[q] = xp + k / (kh * kw) * Hp * Wp + k / kw % kh * Wp + k % kw;
      }
      ChannelWeightTile<OV, Q>(d, g + o0, Op, xs, nq, OH, OW, Wp, acc + k0 * Op + o0);
    }
}

// f(d, std::integral_constant<int, OV>) for the channel kernels' run-time choices: 8-float vectors
// unless wide, and ov (1 to 4) vectors a tile.
template <class F>
HWY_INLINE void WithChannelTile(bool wide, int64_t ov, const F& f) {
  WithWidth(!wide, [&](auto d) HWY_ATTR {
    switch (ov) {
      case 1: return f(d, std::integral_constant<int, 1>());
      case 2: return f(d, std::integral_constant<int, 2>());
      case 3: return f(d, std::integral_constant<int, 3>());
      default: return f(d, std::integral_constant<int, 4>());
    }
  });
}

void ChannelImage(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias, int64_t O,
                  int64_t Op, bool wide, int64_t ov, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* t,
                  float* y) {
  WithChannelTile(wide, ov, [&](auto d, auto OV) HWY_ATTR {
    ChannelImageImpl<OV()>(d, xp, C, Hp, Wp, wk, bias, O, Op, kh, kw, OH, OW, t, y);
  });
}

void ChannelWeightGrad(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* g, int64_t O, int64_t Op,
                       bool wide, int64_t ov, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* acc) {
  WithChannelTile(wide, ov, [&](auto d, auto OV) HWY_ATTR {
    ChannelWeightGradImpl<OV()>(d, xp, C, Hp, Wp, g, O, Op, kh, kw, OH, OW, acc);
  });
}

// The padding copies: `planes` planes of `rows` rows of `cols` floats, from src (rows src_row and
// planes src_plane floats apart) to dst (dst_row, dst_plane). Rows are short (a memmove call per row
// cost more than its copy): 8-float vectors, the last one ending at the row's end (overlapping the
// one before), so that no store reaches past the row; rows under 8 floats element by element.
void CopyRows(const float* src, int64_t planes, int64_t rows, int64_t cols, int64_t src_row, int64_t src_plane,
              float* dst, int64_t dst_row, int64_t dst_plane) {
  const hn::CappedTag<float, 8> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t r = 0; r < rows; ++r) {
      const float* s = src + p * src_plane + r * src_row;
      float* o = dst + p * dst_plane + r * dst_row;
      if (cols < N) {
        for (int64_t c = 0; c < cols; ++c) o[c] = s[c];
        continue;
      }
      for (int64_t c = 0; c + N < cols; c += N) hn::StoreU(hn::LoadU(d, s + c), d, o + c);
      hn::StoreU(hn::LoadU(d, s + cols - N), d, o + cols - N);
    }
}

// How many floats one of the kernels' vectors holds on this target.
int64_t VectorLanes() { return static_cast<int64_t>(hn::Lanes(DF())); }

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(ForwardImage);
HWY_EXPORT(PlanesImage);
HWY_EXPORT(WeightGrad);
HWY_EXPORT(ChannelImage);
HWY_EXPORT(ChannelWeightGrad);
HWY_EXPORT(VectorLanes);
HWY_EXPORT(Transpose);
HWY_EXPORT(CopyRows);

namespace {

using direct::kLanes;
using direct::kSlack;
using direct::round_up;

}  // namespace

// Asked each time (a call through the dispatch table): tests force each SIMD target in turn, and the
// plan must follow the one the kernels will run on.
int64_t conv2d_direct_lanes() { return HWY_DYNAMIC_DISPATCH(VectorLanes)(); }

namespace {

using direct::channel_blocks;
using direct::ChannelBlocks;
using direct::narrow_rows;
using direct::padded_channels;

// `planes` planes of src (rows, cols) into the interior of dst's planes (rows + 2 * top, cols + 2 *
// left); the borders of dst were zeroed once and stay so.
void pad_into(const float* src, int64_t planes, int64_t rows, int64_t cols, int64_t top, int64_t left, float* dst) {
  const int64_t dst_cols = cols + 2 * left;
  HWY_DYNAMIC_DISPATCH(CopyRows)
  (src, planes, rows, cols, cols, rows * cols, dst + top * dst_cols + left, dst_cols, (rows + 2 * top) * dst_cols);
}

// A correlation by the plan's kernel (rows, planes or channels) of OH x OW results, its vector
// shapes fixed once per call: the repacked weight is (C, kh, kw, padded), padded channels 0.
struct Correlation {
  DirectPath path;
  int64_t O, OH, OW, kw;
  bool narrow;       // rows and planes: 8-float vectors
  ChannelBlocks cb;  // channels
  int64_t padded;
  Correlation(DirectPath p, int64_t channels, int64_t rows, int64_t cols, int64_t taps_wide)
      : path(p), O(channels), OH(rows), OW(cols), kw(taps_wide),
        narrow((p == DirectPath::kRows && narrow_rows(cols)) || (p == DirectPath::kPlanes && narrow_rows(rows * cols))),
        cb(channel_blocks(channels)), padded(padded_channels(p, channels)) {}
  // The planes kernel's copy of a plane padded to Hp rows: the rows OW long (no side padding), and
  // kw - 1 floats of margin.
  int64_t copy(int64_t Hp) const { return Hp * OW + kw - 1; }
  // `planes` planes of src (rows, cols) into the zeroed dst, padded by `top` rows and `left` columns
  // on each side, in pad_into's layout; for the planes kernel (cols == OW, kw == 2 * left + 1) as kw
  // copies of each plane, `copy` floats apart, the data at left + top * cols of each: copy b with
  // the columns that tap column b would read from the row before (the last left - b) or after
  // (the first b - left) zeroed, as the padding they stand for. Zeros written stay for the next
  // image, which rewrites the same floats.
  void pad(const float* src, int64_t planes, int64_t rows, int64_t cols, int64_t top, int64_t left, float* dst) const {
    if (path != DirectPath::kPlanes) return pad_into(src, planes, rows, cols, top, left, dst);
    const int64_t step = copy(rows + 2 * top);
    for (int64_t b = 0; b < kw; ++b) {
      // Columns [first, last) of each row; the others stay 0.
      const int64_t first = std::min(cols, std::max<int64_t>(0, b - left));
      const int64_t last = std::max(first, std::min(cols, cols - (left - b)));
      HWY_DYNAMIC_DISPATCH(CopyRows)
      (src + first, planes, rows, last - first, cols, rows * cols, dst + b * step + left + top * cols + first, cols,
       kw * step);
    }
  }
  // y (O, OH, OW) from the padded planes xp (C, Hp, Wp), through the pixel-major scratch
  // (OH * OW, padded) for the channel kernel.
  void run(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias, int64_t kh,
           float* scratch, float* y) const {
    if (path == DirectPath::kRows)
      HWY_DYNAMIC_DISPATCH(ForwardImage)(xp, C, Hp, Wp, wk, bias, O, direct::out_block(O), narrow, kh, kw, OH, OW, y);
    else if (path == DirectPath::kPlanes)
      HWY_DYNAMIC_DISPATCH(PlanesImage)
      (xp, C, copy(Hp), OW, wk, bias, O, direct::out_block(O), narrow, kh, kw, OH * OW, y);
    else
      HWY_DYNAMIC_DISPATCH(ChannelImage)
      (xp, C, Hp, Wp, wk, bias, O, padded, cb.wide, cb.ov, kh, kw, OH, OW, scratch, y);
  }
};

// The scratch of the direct parts of a call, in floats: `shared` once (weights repacked), `chunk`
// per chunk of images, laid out as the offsets say; INT64_MAX where a size overflows.
struct DirectLayout {
  int64_t Hp, Wp, Hg, Wg;  // the padded input, and the padded output gradient of the backward
  int64_t shared, chunk;
  // Offsets in a chunk (the padded input at 0): the padded output gradient (gq: the input
  // gradient's, gp unless the planes kernel reads it), the pixel-major output gradient and
  // results, the weight gradient's sums, Winograd's scratch for the input gradient (the forward's
  // is the chunk) and for the weight gradient, followed by its sums.
  int64_t gp, gq, pixels, results, acc, winograd, winograd_gw;
};
// The correlations Winograd would run: the forward, and the input gradient's over the output
// gradient padded by the kernel's reach less the forward's padding.
WinogradShape winograd_forward(const Conv2dShape& s) { return {s.C, s.H, s.W, s.ph, s.pw, s.O, s.OH, s.OW}; }
WinogradShape winograd_input_grad(const Conv2dShape& s) {
  return {s.O, s.OH, s.OW, s.kh - 1 - s.ph, s.kw - 1 - s.pw, s.C, s.H, s.W};
}
DirectLayout direct_layout(const Conv2dShape& s, const DirectPlan& plan, bool backward) {
  DirectLayout z{};
  z.Hp = s.H + 2 * s.ph;
  z.Wp = s.W + 2 * s.pw;
  z.Hg = s.OH + 2 * (s.kh - 1 - s.ph);
  z.Wg = s.OW + 2 * (s.kw - 1 - s.pw);
  const int64_t taps = s.kh * s.kw;
  // Channels and taps are at most 64 and 49, and the planes no larger than the tensors the caller
  // allocated, so only products with the batch-independent planes can overflow; checked all the same.
  direct::CheckedSize size;
  auto mul = [&](int64_t a, int64_t b) { return size.mul(a, b); };
  auto add = [&](int64_t a, int64_t b) { return size.add(a, b); };
  // `planes` planes padded to Hp x Wp for `path` (the planes kernel's kw copies of each, rows W long).
  auto padded = [&](DirectPath path, int64_t planes, int64_t Hp, int64_t Wp, int64_t W) {
    return add(mul(planes, path == DirectPath::kPlanes ? mul(s.kw, add(mul(Hp, W), s.kw - 1)) : mul(Hp, Wp)), kSlack);
  };
  const int64_t xp = padded(backward ? DirectPath::kRows : plan.forward, s.C, z.Hp, z.Wp, s.W);
  if (!backward) {
    const int64_t Op = padded_channels(plan.forward, s.O);
    z.shared = s.C * taps * Op + Op;
    z.results = xp;
    z.chunk = plan.forward == DirectPath::kChannels ? add(xp, mul(s.OH * s.OW, Op)) : xp;
    if (plan.winograd_forward) {  // the direct kernel's layout or Winograd's, whichever the operands allow
      z.shared = std::max(z.shared, winograd_weight_size(winograd_forward(s)));
      z.chunk = std::max(z.chunk, winograd_scratch_size(winograd_forward(s)));
    }
  } else {
    int64_t at = 0;
    if (plan.weight_grad != DirectPath::kGemm) at = xp;  // xp at 0
    if (plan.weight_grad == DirectPath::kRows ||
        (plan.input_grad != DirectPath::kGemm && plan.input_grad != DirectPath::kPlanes)) {
      z.gp = at;
      at = add(at, padded(DirectPath::kRows, s.O, z.Hg, z.Wg, s.OW));
    }
    z.gq = z.gp;
    if (plan.input_grad == DirectPath::kPlanes) {
      z.gq = at;
      at = add(at, padded(DirectPath::kPlanes, s.O, z.Hg, z.Wg, s.OW));
    }
    z.pixels = at;
    if (plan.weight_grad == DirectPath::kChannels) at = add(at, mul(s.OH * s.OW, channel_blocks(s.O).padded));
    z.results = at;
    const int64_t Cp = padded_channels(plan.input_grad, s.C);
    if (plan.input_grad == DirectPath::kChannels) at = add(at, mul(s.H * s.W, Cp));
    z.acc = at;
    if (plan.weight_grad == DirectPath::kRows)
      at = add(at, round_up(s.O, direct::wgrad_block(s.kw)) * s.C * taps * kLanes);
    if (plan.weight_grad == DirectPath::kChannels) at = add(at, s.C * taps * channel_blocks(s.O).padded);
    z.winograd = at;
    if (plan.winograd_input_grad) at = add(at, winograd_scratch_size(winograd_input_grad(s)));
    z.winograd_gw = at;
    if (plan.winograd_weight_grad)
      at = add(at, add(winograd_scratch_size(winograd_forward(s)), winograd_grad_size(winograd_forward(s))));
    z.chunk = at;
    if (plan.input_grad != DirectPath::kGemm) z.shared = s.O * taps * Cp;
    if (plan.winograd_input_grad) z.shared = std::max(z.shared, winograd_weight_size(winograd_input_grad(s)));
  }
  if (size.bad) z.chunk = std::numeric_limits<int64_t>::max();
  return z;
}

// How many chunks of images a workspace of `size` elements holds, at most one per thread.
int64_t chunks_for(const DirectLayout& z, int64_t n, int64_t size) {
  return std::max<int64_t>(1, std::min(chunk_count(n), (size - z.shared) / z.chunk));
}

}  // namespace

int64_t conv2d_direct_workspace(const Conv2dShape& s, const DirectPlan& plan, bool backward) {
  const DirectLayout z = direct_layout(s, plan, backward);
  int64_t total = 0;
  if (__builtin_mul_overflow(chunk_count(s.N), z.chunk, &total) || __builtin_add_overflow(total, z.shared, &total))
    return std::numeric_limits<int64_t>::max();
  return total;
}

void conv2d_direct_forward(const float* x, const float* w, const float* bias, const Conv2dShape& s,
                           const DirectPlan& plan, float* out, float* workspace, int64_t workspace_size) {
  const DirectLayout z = direct_layout(s, plan, false);
  const int64_t image = s.C * s.H * s.W, chunks = chunks_for(z, s.N, workspace_size);
  if (plan.winograd_forward && all_finite(w, s.O * s.C * 9) && all_finite(x, s.N * image)) {
    const WinogradShape ws = winograd_forward(s);
    winograd_weight(ws, w, false, bias, workspace);
    for_chunks(s.N, chunks, [&](int64_t chunk, int64_t b, int64_t e) {
      float* scratch = workspace + z.shared + chunk * z.chunk;
      std::fill(scratch, scratch + z.chunk, 0.0f);
      for (int64_t n = b; n < e; ++n)
        winograd_image(ws, x + n * image, workspace, scratch, out + n * s.O * s.OH * s.OW);
    });
    return;
  }
  const Correlation forward(plan.forward, s.O, s.OH, s.OW, s.kw);
  const int64_t C = s.C, O = s.O, kh = s.kh, kw = s.kw, taps = kh * kw, Op = forward.padded;
  // The weight as (C, kh, kw, Op): a tap's output channels side by side; padded channels are 0.
  float* wk = workspace;
  float* bp = wk + C * taps * Op;
  std::fill(wk, wk + z.shared, 0.0f);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t k = 0; k < C * taps; ++k) wk[k * Op + o] = w[o * C * taps + k];
  if (bias) std::copy_n(bias, O, bp);
  for_chunks(s.N, chunks, [&](int64_t chunk, int64_t b, int64_t e) {
    float* xp = workspace + z.shared + chunk * z.chunk;
    std::fill(xp, xp + z.results, 0.0f);
    for (int64_t n = b; n < e; ++n) {
      forward.pad(x + n * image, C, s.H, s.W, s.ph, s.pw, xp);
      forward.run(xp, C, z.Hp, z.Wp, wk, bias ? bp : nullptr, kh, xp + z.results, out + n * O * s.OH * s.OW);
    }
  });
}

void conv2d_direct_backward(const float* x, const float* w, const float* gout, const Conv2dShape& s,
                            const DirectPlan& plan, float* gx, float* gw, float* workspace, int64_t workspace_size) {
  const DirectLayout z = direct_layout(s, plan, true);
  const int64_t C = s.C, O = s.O, kh = s.kh, kw = s.kw, taps = kh * kw, L = s.OH * s.OW;
  const int64_t top = kh - 1 - s.ph, left = kw - 1 - s.pw;
  const bool gw_rows = plan.weight_grad == DirectPath::kRows, gw_narrow = gw_rows && narrow_rows(s.OW);
  const ChannelBlocks gw_blocks = channel_blocks(O);
  const int64_t Ow = gw_rows ? 0 : gw_blocks.padded;  // the channel kernel's sums are (C * taps, Ow)
  const Correlation input_grad(plan.input_grad, C, s.H, s.W, kw);
  // The input gradient is the correlation of the padded output gradient (O channels) with the
  // weight flipped in both directions, as (O, kh, kw, Cp), or Winograd's transform of that.
  float* wf = workspace;
  const WinogradShape wgx = winograd_input_grad(s), wgw = winograd_forward(s);
  const int64_t image = C * s.H * s.W, out_image = O * L;
  const bool finite_gout = (plan.winograd_input_grad || plan.winograd_weight_grad) && all_finite(gout, s.N * out_image);
  const bool winograd_gx = gx && plan.winograd_input_grad && finite_gout && all_finite(w, O * C * taps);
  const bool winograd_gw = gw && plan.winograd_weight_grad && finite_gout && all_finite(x, s.N * image);
  const int64_t gw_scratch = winograd_gw ? winograd_scratch_size(wgw) : 0;
  if (winograd_gx) {
    winograd_weight(wgx, w, true, nullptr, wf);
  } else if (gx) {
    const int64_t Cp = input_grad.padded;
    std::fill(wf, wf + z.shared, 0.0f);
    for (int64_t o = 0; o < O; ++o)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b)
            wf[((o * kh + (kh - 1 - a)) * kw + (kw - 1 - b)) * Cp + c] = w[((o * C + c) * kh + a) * kw + b];
  }
  const int64_t chunks = chunks_for(z, s.N, workspace_size);
  for_chunks(s.N, chunks, [&](int64_t chunk, int64_t b, int64_t e) {
    float* base = workspace + z.shared + chunk * z.chunk;
    float *xp = base, *gp = base + z.gp, *gq = base + z.gq, *pixels = base + z.pixels, *results = base + z.results,
          *acc = base + z.acc;
    std::fill(base, base + z.chunk, 0.0f);
    for (int64_t n = b; n < e; ++n) {
      const float* gn = gout + n * out_image;
      const bool gq_padded = gx && !winograd_gx;
      if (gq_padded) input_grad.pad(gn, O, s.OH, s.OW, top, left, gq);
      if (gw && gw_rows && !winograd_gw && !(gq_padded && gq == gp)) pad_into(gn, O, s.OH, s.OW, top, left, gp);
      if (winograd_gw) {
        float* scratch = base + z.winograd_gw;
        winograd_grad_image(wgw, x + n * image, gn, scratch, scratch + gw_scratch);
      } else if (gw) {
        pad_into(x + n * image, C, s.H, s.W, s.ph, s.pw, xp);
        if (gw_rows) {
          HWY_DYNAMIC_DISPATCH(WeightGrad)
          (xp, C, z.Hp, z.Wp, gp, z.Hg, z.Wg, top * z.Wg + left, O, gw_narrow, kh, kw, s.OH, s.OW, acc);
        } else {
          // The output gradient pixel-major; channels past O stay 0.
          HWY_DYNAMIC_DISPATCH(Transpose)(gn, O, L, L, pixels, Ow);
          HWY_DYNAMIC_DISPATCH(ChannelWeightGrad)
          (xp, C, z.Hp, z.Wp, pixels, O, Ow, gw_blocks.wide, gw_blocks.ov, kh, kw, s.OH, s.OW, acc);
        }
      }
      if (winograd_gx)
        winograd_image(wgx, gn, wf, base + z.winograd, gx + n * image);
      else if (gx)
        input_grad.run(gq, O, z.Hg, z.Wg, wf, nullptr, kh, results, gx + n * image);
    }
  });
  if (!gw) return;
  if (winograd_gw)
    return winograd_weight_grad(wgw, workspace + z.shared + z.winograd_gw + gw_scratch, chunks, z.chunk, gw);
  // Each weight's partial sums (a row kernel's lanes), then the chunks' sums in chunk order
  // (reproducible for a given thread count).
  for (int64_t o = 0; o < O; ++o)
    for (int64_t k = 0; k < C * taps; ++k) {
      float total = 0;
      for (int64_t chunk = 0; chunk < chunks; ++chunk) {
        const float* acc = workspace + z.shared + chunk * z.chunk + z.acc;
        if (gw_rows) {
          float sum = 0;
          for (int64_t l = 0; l < kLanes; ++l) sum += acc[(o * C * taps + k) * kLanes + l];
          total += sum;
        } else {
          total += acc[k * Ow + o];
        }
      }
      gw[o * C * taps + k] = total;
    }
}

}  // namespace kernels
}  // namespace ember
#endif
