// Direct convolution (conv_direct.h): the register tiles compiled once per Highway target
// (foreach_target.h re-includes this file), HWY_DYNAMIC_DISPATCH picks the best one at run time;
// the drivers below HWY_ONCE (padding, weight repacks, chunks of images) are compiled once.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/conv_direct.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <limits>

#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/parallel.h"

#ifndef EMBER_CONV_DIRECT_SHARED
#define EMBER_CONV_DIRECT_SHARED
namespace ember {
namespace kernels {
namespace direct {
// Every vector of partial sums in the weight gradient's accumulator takes this many floats, the
// widest vector on x86 (narrower targets leave the rest 0).
constexpr int64_t kLanes = 16;
// Floats past the end of each padded buffer: the last vector of a row may read up to a vector
// beyond the row's end (its surplus lanes are never stored, or are masked to 0).
constexpr int64_t kSlack = kLanes;
// The forward tile: kOutBlock output channels of kTileVectors column vectors (24 accumulators),
// or half the channels and twice the vectors where that wastes fewer padded channels (10, 20).
constexpr int64_t out_block(int64_t O) { return (O + 7) / 8 * 8 == (O + 3) / 4 * 4 ? 8 : 4; }
// The weight gradient's tile: output channels x kernel columns accumulators, about 24.
constexpr int64_t wgrad_block(int64_t kw) { return kw <= 3 ? 8 : 24 / kw; }
constexpr int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
}  // namespace direct
}  // namespace kernels
}  // namespace ember
#endif

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::CappedTag<float, direct::kLanes>;
using VF = hn::Vec<DF>;

// n < Lanes floats of v to p: a masked store where the target has one (it never touches the lanes
// past n), else through a stack copy.
HWY_INLINE void StorePartial(DF d, VF v, float* p, int64_t n) {
#if HWY_TARGET <= HWY_AVX2
  hn::BlendedStore(v, hn::FirstN(d, static_cast<size_t>(n)), d, p);
#else
  HWY_ALIGN float tmp[direct::kLanes];
  hn::Store(v, d, tmp);
  for (int64_t i = 0; i < n; ++i) p[i] = tmp[i];
#endif
}

// One tile of the forward: output channels [o0, o0 + OB) (weights padded with zero channels, so
// all OB exist) of P column vectors, vector p starting at input offset in[p] and output offset
// out[p] in their planes and `lanes[p]` columns long. Vectors past the image's end repeat the
// last one and are not stored, nor are channels past O.
template <int OB, int P>
HWY_INLINE void ForwardTile(const float* HWY_RESTRICT xp, int64_t C, int64_t plane, int64_t Wp, int64_t kh,
                            int64_t kw, const float* HWY_RESTRICT wk, int64_t Op, const float* bias,
                            const int64_t* in, const int64_t* out, const int64_t* lanes, int64_t np,
                            float* HWY_RESTRICT y, int64_t out_plane, int64_t nout) {
  const DF d;
  VF acc[OB][P];
  for (int o = 0; o < OB; ++o) {
    const VF b = bias ? hn::Set(d, bias[o]) : hn::Zero(d);
    for (int p = 0; p < P; ++p) acc[o][p] = b;
  }
  for (int64_t c = 0; c < C; ++c) {
    const float* xc = xp + c * plane;
    const float* wc = wk + c * kh * kw * Op;
    for (int64_t a = 0; a < kh; ++a)
      for (int64_t b = 0; b < kw; ++b) {
        const float* xs = xc + a * Wp + b;
        const float* ws = wc + (a * kw + b) * Op;
        VF xv[P];
        for (int p = 0; p < P; ++p) xv[p] = hn::LoadU(d, xs + in[p]);
        for (int o = 0; o < OB; ++o) {
          const VF wv = hn::Set(d, ws[o]);
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

template <int OB, int P>
void ForwardImageImpl(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias, int64_t O,
                      int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* y) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(DF()));
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
      ForwardTile<OB, P>(xp, C, Hp * Wp, Wp, kh, kw, wk + o0, Op, bias ? bias + o0 : nullptr, in, out, lanes, np,
                         y + o0 * OH * OW, OH * OW, O - o0);
    }
}

// y (O, OH, OW) = correlation of xp (C, Hp, Wp), zero-padded, with wk (C, kh, kw, round_up(O, ob))
// plus bias (padded likewise) if not null.
void ForwardImage(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* wk, const float* bias, int64_t O,
                  int64_t ob, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* y) {
  if (ob == 8)
    ForwardImageImpl<8, 3>(xp, C, Hp, Wp, wk, bias, O, kh, kw, OH, OW, y);
  else
    ForwardImageImpl<4, 6>(xp, C, Hp, Wp, wk, bias, O, kh, kw, OH, OW, y);
}

// The weight gradient of one image: for each output channel o, input channel c and tap (a, b),
// acc[((o * C + c) * kh + a) * kw + b] (a vector of kLanes partial sums) += the products of
// gout[o] with the input plane c shifted by the tap, over every column vector of the output. The
// output gradient lies zero-padded in gp (planes of Hg x Wg, output (0, 0) at g0); both operands
// are loaded with the columns past OW masked to 0, so that what lies beyond a row (padding, the
// next row) adds nothing, even where it is infinite.
template <int KW>
void WeightGradImpl(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* gp, int64_t Hg, int64_t Wg,
                    int64_t g0, int64_t O, int64_t kh, int64_t OH, int64_t OW, float* acc_out) {
  constexpr int OB = static_cast<int>(direct::wgrad_block(KW));
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t o0 = 0; o0 < O; o0 += OB) {
    const float* g[OB];
    for (int o = 0; o < OB; ++o) g[o] = gp + std::min<int64_t>(o0 + o, O - 1) * Hg * Wg + g0;  // past O: repeats
    for (int64_t c = 0; c < C; ++c)
      for (int64_t a = 0; a < kh; ++a) {
        VF acc[OB][KW];
        for (int o = 0; o < OB; ++o)
          for (int b = 0; b < KW; ++b) acc[o][b] = hn::Zero(d);
        const float* xc = xp + c * Hp * Wp + a * Wp;
        for (int64_t h = 0; h < OH; ++h)
          for (int64_t col = 0; col < OW; col += N) {
            const auto m = hn::FirstN(d, static_cast<size_t>(std::min(N, OW - col)));
            // The output channels outermost, so that one of them is live at a time (24
            // accumulators, KW input vectors and one gradient vector fit in 32 registers).
            VF xv[KW];
            for (int b = 0; b < KW; ++b) xv[b] = hn::MaskedLoad(m, d, xc + h * Wp + col + b);
            for (int o = 0; o < OB; ++o) {
              const VF gv = hn::MaskedLoad(m, d, g[o] + h * Wg + col);
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

void WeightGrad(const float* xp, int64_t C, int64_t Hp, int64_t Wp, const float* gp, int64_t Hg, int64_t Wg, int64_t g0,
                int64_t O, int64_t kh, int64_t kw, int64_t OH, int64_t OW, float* acc) {
  switch (kw) {
#define EMBER_WGRAD_CASE(K) \
  case K:                   \
    return WeightGradImpl<K>(xp, C, Hp, Wp, gp, Hg, Wg, g0, O, kh, OH, OW, acc);
    EMBER_WGRAD_CASE(1)
    EMBER_WGRAD_CASE(2)
    EMBER_WGRAD_CASE(3)
    EMBER_WGRAD_CASE(4)
    EMBER_WGRAD_CASE(5)
    EMBER_WGRAD_CASE(6)
    EMBER_WGRAD_CASE(7)
#undef EMBER_WGRAD_CASE
    default:
      break;
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
HWY_EXPORT(WeightGrad);
HWY_EXPORT(VectorLanes);

namespace {

using direct::kLanes;
using direct::kSlack;
using direct::round_up;

// The largest kernel side the weight gradient's tiles are built for.
constexpr int64_t kMaxKernel = 7;
// Above these channel counts im2col + GEMM is at least as fast (its products are large enough).
constexpr int64_t kMaxChannels = 64;
// Above this many products per weight-gradient column (channels x taps), GEMM's weight gradient
// is faster (see conv2d_direct_weight_grad).
constexpr int64_t kMaxDirectWeightTaps = 64;

// Sizes of the padded planes and of the scratch, per call (shared by every chunk of images) and
// per chunk; INT64_MAX where one overflows.
struct DirectSizes {
  int64_t Hp, Wp, Hg, Wg;  // the padded input, and the padded output gradient of the backward
  int64_t shared, chunk;
};
DirectSizes direct_sizes(const Conv2dShape& s, bool backward) {
  DirectSizes z{s.H + 2 * s.ph, s.W + 2 * s.pw, s.OH + 2 * (s.kh - 1 - s.ph), s.OW + 2 * (s.kw - 1 - s.pw), 0, 0};
  const int64_t taps = s.kh * s.kw;
  // Every factor is at most 64 (channels) or 7 (taps), and the planes are no larger than the
  // tensors the caller allocated, so only the products with the batch-independent planes can
  // overflow; checked all the same.
  int64_t xp = 0, gp = 0, acc = 0;
  bool bad = __builtin_mul_overflow(s.C, z.Hp * z.Wp, &xp) || __builtin_add_overflow(xp, kSlack, &xp);
  if (!backward) {
    z.shared = s.C * taps * round_up(s.O, direct::out_block(s.O)) + round_up(s.O, direct::out_block(s.O));
    z.chunk = xp;
  } else {
    bad = bad || __builtin_mul_overflow(s.O, z.Hg * z.Wg, &gp) || __builtin_add_overflow(gp, kSlack, &gp);
    acc = round_up(s.O, direct::wgrad_block(s.kw)) * s.C * taps * kLanes;
    z.shared = s.O * taps * round_up(s.C, direct::out_block(s.C));
    bad = bad || __builtin_add_overflow(xp, gp, &z.chunk) || __builtin_add_overflow(z.chunk, acc, &z.chunk);
  }
  if (bad) z.chunk = std::numeric_limits<int64_t>::max();
  return z;
}

// How many chunks of images a workspace of `size` elements holds, at most one per thread.
int64_t chunks_for(const DirectSizes& z, int64_t n, int64_t size) {
  return std::max<int64_t>(1, std::min(chunk_count(n), (size - z.shared) / z.chunk));
}

// Image n's (planes, rows, cols) into the interior of dst's planes (rows + 2 * top, cols + 2 *
// left); the borders of dst were zeroed once and stay so.
void pad_into(const float* src, int64_t planes, int64_t rows, int64_t cols, int64_t top, int64_t left, float* dst) {
  const int64_t dst_cols = cols + 2 * left, dst_plane = (rows + 2 * top) * dst_cols;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t r = 0; r < rows; ++r)
      std::copy_n(src + (p * rows + r) * cols, cols, dst + p * dst_plane + (r + top) * dst_cols + left);
}

}  // namespace

bool conv2d_direct_applies(const Conv2dShape& s) {
  if (!(s.groups == 1 && s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 && !(s.kh == 1 && s.kw == 1) &&
        s.kh <= kMaxKernel && s.kw <= kMaxKernel && s.ph < s.kh && s.pw < s.kw && s.C <= kMaxChannels &&
        s.O <= kMaxChannels && s.OH > 0 && s.OW > 0))
    return false;
  // Rows fill at least three quarters of their vectors: an 8-column row in 16 lanes wastes half
  // of every product, and im2col + GEMM, whose vectors run along whole images, won (10 -> 20
  // channels, 5 x 5 taps on 12 x 12 images: 1.4x as long direct). Both the output's rows (forward)
  // and the input's (the input gradient) are rows of some product.
  static const int64_t lanes = HWY_DYNAMIC_DISPATCH(VectorLanes)();
  auto filled = [](int64_t cols) { return 4 * cols >= 3 * round_up(cols, lanes); };
  return filled(s.OW) && filled(s.W);
}

bool conv2d_direct_weight_grad(const Conv2dShape& s) {
  // Measured on 64 images: with one input channel (25 taps, conv1 of the CNN) the direct
  // weight gradient took 0.6x as long as im2col + GEMM; with 16 (144 taps) 1.1x.
  return s.C * s.kh * s.kw <= kMaxDirectWeightTaps;
}

int64_t conv2d_direct_workspace(const Conv2dShape& s, bool backward) {
  const DirectSizes z = direct_sizes(s, backward);
  int64_t total = 0;
  if (__builtin_mul_overflow(chunk_count(s.N), z.chunk, &total) || __builtin_add_overflow(total, z.shared, &total))
    return std::numeric_limits<int64_t>::max();
  return total;
}

void conv2d_direct_forward(const float* x, const float* w, const float* bias, const Conv2dShape& s, float* out,
                           float* workspace, int64_t workspace_size) {
  const DirectSizes z = direct_sizes(s, false);
  const int64_t C = s.C, O = s.O, kh = s.kh, kw = s.kw, taps = kh * kw;
  const int64_t ob = direct::out_block(O), Op = round_up(O, ob);
  // The weight as (C, kh, kw, Op): a tap's output channels side by side; padded channels are 0.
  float* wk = workspace;
  float* bp = wk + C * taps * Op;
  std::fill(wk, wk + C * taps * Op + Op, 0.0f);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t k = 0; k < C * taps; ++k) wk[k * Op + o] = w[o * C * taps + k];
  if (bias) std::copy_n(bias, O, bp);
  const int64_t image = C * s.H * s.W;
  for_chunks(s.N, chunks_for(z, s.N, workspace_size), [&](int64_t chunk, int64_t b, int64_t e) {
    float* xp = workspace + z.shared + chunk * z.chunk;
    std::fill(xp, xp + z.chunk, 0.0f);
    for (int64_t n = b; n < e; ++n) {
      pad_into(x + n * image, C, s.H, s.W, s.ph, s.pw, xp);
      HWY_DYNAMIC_DISPATCH(ForwardImage)
      (xp, C, z.Hp, z.Wp, wk, bias ? bp : nullptr, O, ob, kh, kw, s.OH, s.OW, out + n * O * s.OH * s.OW);
    }
  });
}

void conv2d_direct_backward(const float* x, const float* w, const float* gout, const Conv2dShape& s, float* gx,
                            float* gw, float* workspace, int64_t workspace_size) {
  const DirectSizes z = direct_sizes(s, true);
  const int64_t C = s.C, O = s.O, kh = s.kh, kw = s.kw, taps = kh * kw;
  const int64_t cb = direct::out_block(C), Cp = round_up(C, cb);
  const int64_t xp_size = C * z.Hp * z.Wp + kSlack, gp_size = O * z.Hg * z.Wg + kSlack;
  const int64_t top = kh - 1 - s.ph, left = kw - 1 - s.pw;
  // The input gradient is the correlation of the padded output gradient (O channels) with the
  // weight flipped in both directions, as (O, kh, kw, Cp).
  float* wf = workspace;
  if (gx) {
    std::fill(wf, wf + z.shared, 0.0f);
    for (int64_t o = 0; o < O; ++o)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b)
            wf[((o * kh + (kh - 1 - a)) * kw + (kw - 1 - b)) * Cp + c] = w[((o * C + c) * kh + a) * kw + b];
  }
  const int64_t chunks = chunks_for(z, s.N, workspace_size);
  const int64_t image = C * s.H * s.W, out_image = O * s.OH * s.OW;
  for_chunks(s.N, chunks, [&](int64_t chunk, int64_t b, int64_t e) {
    float* xp = workspace + z.shared + chunk * z.chunk;
    float* gp = xp + xp_size;
    float* acc = gp + gp_size;
    std::fill(xp, xp + z.chunk, 0.0f);
    for (int64_t n = b; n < e; ++n) {
      pad_into(gout + n * out_image, O, s.OH, s.OW, top, left, gp);
      if (gw) {
        pad_into(x + n * image, C, s.H, s.W, s.ph, s.pw, xp);
        HWY_DYNAMIC_DISPATCH(WeightGrad)
        (xp, C, z.Hp, z.Wp, gp, z.Hg, z.Wg, top * z.Wg + left, O, kh, kw, s.OH, s.OW, acc);
      }
      if (gx) HWY_DYNAMIC_DISPATCH(ForwardImage)(gp, O, z.Hg, z.Wg, wf, nullptr, C, cb, kh, kw, s.H, s.W, gx + n * image);
    }
  });
  if (!gw) return;
  // Each weight's lanes summed, then the chunks' sums in chunk order (reproducible for a given
  // thread count).
  for (int64_t o = 0; o < O; ++o)
    for (int64_t k = 0; k < C * taps; ++k) {
      float total = 0;
      for (int64_t chunk = 0; chunk < chunks; ++chunk) {
        const float* v = workspace + z.shared + chunk * z.chunk + xp_size + gp_size + (o * C * taps + k) * kLanes;
        float sum = 0;
        for (int64_t l = 0; l < kLanes; ++l) sum += v[l];
        total += sum;
      }
      gw[o * C * taps + k] = total;
    }
}

}  // namespace kernels
}  // namespace ember
#endif
