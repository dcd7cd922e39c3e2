// Winograd F(2 x 2, 3 x 3) (conv_winograd.h): the transforms and products compiled once per Highway
// target (foreach_target.h re-includes this file), the weight transform and sizes below HWY_ONCE.
//
// One image runs in groups of tile rows small enough for the products' operands to stay in the L2
// cache. Per group:
// - input transform: the tiles of a tile row in the lanes (vectors of at most 8, the row padded to
//   whole vectors), each 4 x 4 block read as even and odd columns of the zero-padded planes, into
//   V (16 points, C, tiles), tiles consecutive;
// - products: per point, tiles x output channels, the channels in the lanes: a register tile of R
//   tiles x 1 or 2 vectors of channels adds, per input channel, one broadcast element of V times one
//   vector of U, into M (16 points, tiles, Op);
// - output transform: channels in the lanes, each tile's 2 x 2 outputs (plus bias) into the
//   pixel-major Y, then transposed into the output planes.
// The weight gradient transforms the input as the forward does, and the output gradient (pixel-major)
// per tile into Q (16 points, tiles, Op) = A gy A^T; per point, a register tile of input channels x
// 1 or 2 vectors of output channels sums V times Q over the tiles into du (16, C, Op), added over
// the images and chunks and turned into the weight gradient, G^T du G, once.
// Measured (Zen 4, one thread, CPU time, 16 -> 32 channels on 64 images of 14 x 14): forward 740-760
// us where the channel kernel took 1125-1131, input gradient about 950 where it took about 1390,
// weight gradient 855 where it took 1155. Of a prototype's forward (863 us), the products took 490
// (90% of the FMA peak), the input transform 93, the output transform 101, the transposes 110, the
// padding copies 62.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/conv_winograd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_plan.h"
#include "kernels/cpu/conv_winograd.h"
#include "kernels/cpu/transpose-inl.h"

#ifndef EMBER_KERNELS_CPU_CONV_WINOGRAD_LAYOUT_
#define EMBER_KERNELS_CPU_CONV_WINOGRAD_LAYOUT_
namespace ember {
namespace kernels {
namespace winograd {
// Where everything lies for a shape and the target's vector width (`lanes` floats; the transforms
// use at most 8). INT64_MAX in `scratch` where a size overflows.
struct Layout {
  int64_t Op;                    // output channels padded to whole vectors (U's and M's rows)
  int64_t TH, TW, TWp;           // tile rows, tiles a row, that padded to whole transform vectors
  int64_t Hp, Wp;                // the zero-padded input planes
  int64_t G, Ts;                 // tile rows a group; V's rows (a group's tiles, and slack)
  int64_t xp, v, m, y, scratch;  // offsets of the padded input, V, M, Y; the total
};
inline Layout layout(const WinogradShape& s, int64_t lanes) {
  Layout z{};
  const int64_t t8 = std::min<int64_t>(8, lanes);
  z.Op = (s.O + lanes - 1) / lanes * lanes;
  z.TH = (s.OH + 1) / 2;
  z.TW = (s.OW + 1) / 2;
  z.TWp = (z.TW + t8 - 1) / t8 * t8;
  z.Hp = 2 * z.TH + 2;
  z.Wp = 2 * z.TWp + 2;
  // About 2048 tiles x channels a group: M is then at most 128 KiB.
  z.G = std::clamp<int64_t>(2048 / std::max<int64_t>(1, z.TW * std::max(z.Op, s.C)), 1, std::max<int64_t>(1, z.TH));
  const int64_t tiles = z.G * z.TW;
  z.Ts = tiles + 16;  // the register tiles read up to 13 past a group's last tile, the row stores 7
  direct::CheckedSize size;
  auto mul = [&](int64_t a, int64_t b) { return size.mul(a, b); };
  auto add = [&](int64_t a, int64_t b) { return size.add(a, b); };
  z.xp = 0;
  z.v = mul(s.C, mul(z.Hp, z.Wp));
  z.m = add(z.v, mul(16 * s.C, z.Ts));
  z.y = add(z.m, mul(16 * tiles, z.Op));
  // Y: a group's rows, or for the weight gradient, where its rows are the output's, the whole image.
  z.scratch = add(z.y, mul(mul(2 * (2 * z.TW == s.OW ? z.TH : z.G), 2 * z.TW), z.Op));
  if (size.bad) z.scratch = std::numeric_limits<int64_t>::max();
  return z;
}
}  // namespace winograd
}  // namespace kernels
}  // namespace ember
#endif

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::CappedTag<float, 16>;
using D8 = hn::CappedTag<float, 8>;

// Rows [ty0, ty0 + g) of tiles: V (16, C, Ts) from the padded planes xp (C, Hp, Wp). Tile (ty, tx)
// reads rows 2 ty .. 2 ty + 3 and columns 2 tx .. 2 tx + 3; its V at (ty - ty0) * TW + tx. The lanes
// past a row's TW tiles are stored too, and overwritten by the next row's or left in the slack.
void InputTransform(const float* xp, int64_t C, const winograd::Layout& z, int64_t ty0, int64_t g, float* v) {
  const D8 d;
  using V = hn::Vec<D8>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), plane = z.Hp * z.Wp, ps = C * z.Ts;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ty = ty0; ty < ty0 + g; ++ty)
      for (int64_t tx = 0; tx < z.TWp; tx += N) {
        const float* row = xp + c * plane + 2 * ty * z.Wp + 2 * tx;
        V d_[4][4], t[4][4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          hn::LoadInterleaved2(d, row + i * z.Wp, d_[i][0], d_[i][1]);
          hn::LoadInterleaved2(d, row + i * z.Wp + 2, d_[i][2], d_[i][3]);
        }
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {  // B^T d
          t[0][j] = hn::Sub(d_[0][j], d_[2][j]);
          t[1][j] = hn::Add(d_[1][j], d_[2][j]);
          t[2][j] = hn::Sub(d_[2][j], d_[1][j]);
          t[3][j] = hn::Sub(d_[1][j], d_[3][j]);
        }
        float* out = v + c * z.Ts + (ty - ty0) * z.TW + tx;
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {  // (B^T d) B
          hn::StoreU(hn::Sub(t[i][0], t[i][2]), d, out + (4 * i + 0) * ps);
          hn::StoreU(hn::Add(t[i][1], t[i][2]), d, out + (4 * i + 1) * ps);
          hn::StoreU(hn::Sub(t[i][2], t[i][1]), d, out + (4 * i + 2) * ps);
          hn::StoreU(hn::Sub(t[i][1], t[i][3]), d, out + (4 * i + 3) * ps);
        }
      }
}

// m (tiles, Op) += for R tiles from v (consecutive, channel c at v + c * ldv) and OV vectors of
// output channels from u (channel c at u + c * Op): sum over C input channels. Tiles past nr are
// computed from the slack and not stored.
template <int R, int OV, class D>
HWY_INLINE void ProductTile(D d, const float* HWY_RESTRICT v, int64_t ldv, const float* HWY_RESTRICT u, int64_t Op,
                            int64_t C, float* HWY_RESTRICT m, int64_t nr) {
  using V = hn::Vec<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  V acc[R][OV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k) acc[r][k] = hn::Zero(d);
  for (int64_t c = 0; c < C; ++c, v += ldv, u += Op) {
    V uk[OV];
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k) uk[k] = hn::LoadU(d, u + k * N);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const V b = hn::Set(d, v[r]);
#pragma GCC unroll 2
      for (int k = 0; k < OV; ++k) acc[r][k] = hn::MulAdd(b, uk[k], acc[r][k]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    if (r >= nr) break;
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k) hn::StoreU(acc[r][k], d, m + r * Op + k * N);
  }
}

// M (16, tiles, Op) = the 16 products of V (16, C, Ts) and U (16, C, Op). Register tiles of two
// vectors of channels (and one for an odd count): 14 or 12 accumulators with 32 registers, 12
// without. Measured (Zen 4): 7 x 2 of 16 floats 863 us, 12 x 2 956; for 16 channels 14 x 1 925,
// 12 x 1 955, 8 x 1 970.
void Products(const float* v, int64_t C, const float* u, const winograd::Layout& z, int64_t tiles, float* m) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  constexpr int R2 = 7, R1 = 14;
#else
  constexpr int R2 = 6, R1 = 12;
#endif
  for (int p = 0; p < 16; ++p) {
    const float* vp = v + p * C * z.Ts;
    const float* up = u + p * C * z.Op;
    float* mp = m + p * tiles * z.Op;
    int64_t o0 = 0;
    for (; o0 + 2 * N <= z.Op; o0 += 2 * N)
      for (int64_t t0 = 0; t0 < tiles; t0 += R2)
        ProductTile<R2, 2>(d, vp + t0, z.Ts, up + o0, z.Op, C, mp + t0 * z.Op + o0, std::min<int64_t>(R2, tiles - t0));
    if (o0 < z.Op)
      for (int64_t t0 = 0; t0 < tiles; t0 += R1)
        ProductTile<R1, 1>(d, vp + t0, z.Ts, up + o0, z.Op, C, mp + t0 * z.Op + o0, std::min<int64_t>(R1, tiles - t0));
  }
}

// Y (2 g rows of 2 TW pixels, Op) = A^T M A + bias for each of the group's tiles.
void OutputTransform(const float* m, const float* bias, const winograd::Layout& z, int64_t tiles, float* y) {
  const DF d;
  using V = hn::Vec<DF>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), ms = tiles * z.Op, row = 2 * z.TW * z.Op;
  for (int64_t t = 0; t < tiles; ++t) {
    float* out = y + (t / z.TW) * 2 * row + (t % z.TW) * 2 * z.Op;
    for (int64_t o0 = 0; o0 < z.Op; o0 += N) {
      const float* mt = m + t * z.Op + o0;
      const V b = hn::LoadU(d, bias + o0);
      V s[2][4];
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {  // A^T M
        const V m0 = hn::LoadU(d, mt + j * ms), m1 = hn::LoadU(d, mt + (4 + j) * ms);
        const V m2 = hn::LoadU(d, mt + (8 + j) * ms), m3 = hn::LoadU(d, mt + (12 + j) * ms);
        s[0][j] = hn::Add(hn::Add(m0, m1), m2);
        s[1][j] = hn::Sub(hn::Sub(m1, m2), m3);
      }
#pragma GCC unroll 2
      for (int i = 0; i < 2; ++i) {  // (A^T M) A
        hn::StoreU(hn::Add(hn::Add(hn::Add(s[i][0], s[i][1]), s[i][2]), b), d, out + i * row + o0);
        hn::StoreU(hn::Add(hn::Sub(hn::Sub(s[i][1], s[i][2]), s[i][3]), b), d, out + i * row + z.Op + o0);
      }
    }
  }
}

// n floats from src to dst: whole vectors, then the rest masked where the target has masked
// stores (a call to memmove cost as much as the copy for rows of 14).
void CopyRow(const float* HWY_RESTRICT src, int64_t n, float* HWY_RESTRICT dst) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::LoadU(d, src + i), d, dst + i);
#if HWY_TARGET <= HWY_AVX2
  if (i < n) {
    const auto m = hn::FirstN(d, static_cast<size_t>(n - i));
    hn::BlendedStore(hn::MaskedLoad(m, d, src + i), m, d, dst + i);
  }
#else
  for (; i < n; ++i) dst[i] = src[i];
#endif
}

void WinogradImage(const WinogradShape& s, const float* x, const float* u, float* scratch, float* y) {
  const winograd::Layout z = winograd::layout(s, static_cast<int64_t>(hn::Lanes(DF())));
  float *xp = scratch + z.xp, *v = scratch + z.v, *m = scratch + z.m, *py = scratch + z.y;
  for (int64_t c = 0; c < s.C; ++c)
    for (int64_t r = 0; r < s.H; ++r)
      CopyRow(x + (c * s.H + r) * s.W, s.W, xp + (c * z.Hp + r + s.top) * z.Wp + s.left);
  const float* bias = u + 16 * s.C * z.Op;
  const int64_t L = s.OH * s.OW, YW = 2 * z.TW;
  for (int64_t ty0 = 0; ty0 < z.TH; ty0 += z.G) {
    const int64_t g = std::min(z.G, z.TH - ty0), tiles = g * z.TW;
    InputTransform(xp, s.C, z, ty0, g, v);
    Products(v, s.C, u, z, tiles, m);
    OutputTransform(m, bias, z, tiles, py);
    // Y's rows to the output planes: in one transpose where they are as wide as the output's.
    const int64_t rows = std::min(2 * g, s.OH - 2 * ty0);
    float* out = y + 2 * ty0 * s.OW;
    if (YW == s.OW) {
      TransposeFloats(py, static_cast<size_t>(rows * s.OW), static_cast<size_t>(s.O), static_cast<size_t>(z.Op), out,
                      static_cast<size_t>(L));
    } else {
      for (int64_t r = 0; r < rows; ++r)
        TransposeFloats(py + r * YW * z.Op, static_cast<size_t>(s.OW), static_cast<size_t>(s.O),
                        static_cast<size_t>(z.Op), out + r * s.OW, static_cast<size_t>(L));
    }
  }
}

// The weight gradient. Q (16, tiles, Op) = A G A^T per tile of the output gradient's 2 x 2 block,
// from the pixel-major group y (2 g rows of 2 TW pixels, Op; 0 past the output's edges), with
// A = [1 0; 1 1; 1 -1; 0 -1].
void GradTransform(const float* y, const winograd::Layout& z, int64_t tiles, float* q) {
  const DF d;
  using V = hn::Vec<DF>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), qs = tiles * z.Op, row = 2 * z.TW * z.Op;
  for (int64_t t = 0; t < tiles; ++t) {
    const float* g = y + (t / z.TW) * 2 * row + (t % z.TW) * 2 * z.Op;
    for (int64_t o0 = 0; o0 < z.Op; o0 += N) {
      const V g00 = hn::LoadU(d, g + o0), g01 = hn::LoadU(d, g + z.Op + o0);
      const V g10 = hn::LoadU(d, g + row + o0), g11 = hn::LoadU(d, g + row + z.Op + o0);
      const V w[4][2] = {{g00, g01},
                         {hn::Add(g00, g10), hn::Add(g01, g11)},
                         {hn::Sub(g00, g10), hn::Sub(g01, g11)},
                         {hn::Neg(g10), hn::Neg(g11)}};  // A G
      float* out = q + t * z.Op + o0;
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {  // (A G) A^T
        hn::StoreU(w[i][0], d, out + (4 * i + 0) * qs);
        hn::StoreU(hn::Add(w[i][0], w[i][1]), d, out + (4 * i + 1) * qs);
        hn::StoreU(hn::Sub(w[i][0], w[i][1]), d, out + (4 * i + 2) * qs);
        hn::StoreU(hn::Neg(w[i][1]), d, out + (4 * i + 3) * qs);
      }
    }
  }
}

// du (R input channels, Op) += over `tiles` tiles: row r of V (v[r], tiles consecutive) times Q's
// OV vectors of output channels (q, Op floats a tile). Rows past nr repeat the last, not stored.
template <int R, int OV, class D>
HWY_INLINE void GradTile(D d, const float* const* v, const float* HWY_RESTRICT q, int64_t Op, int64_t tiles,
                         float* HWY_RESTRICT du, int64_t nr) {
  using V = hn::Vec<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const float* rows[R];
  V acc[R][OV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    rows[r] = v[r];
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k) acc[r][k] = hn::Zero(d);
  }
  for (int64_t t = 0; t < tiles; ++t, q += Op) {
    V qk[OV];
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k) qk[k] = hn::LoadU(d, q + k * N);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const V b = hn::Set(d, rows[r][t]);
#pragma GCC unroll 2
      for (int k = 0; k < OV; ++k) acc[r][k] = hn::MulAdd(b, qk[k], acc[r][k]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    if (r >= nr) break;
#pragma GCC unroll 2
    for (int k = 0; k < OV; ++k)
      hn::StoreU(hn::Add(hn::LoadU(d, du + r * Op + k * N), acc[r][k]), d, du + r * Op + k * N);
  }
}

// du (16, C, Op) += the 16 products of V (16, C, Ts) and Q (16, tiles, Op), summed over the tiles.
// Each row of V is its own pointer (the sums run along the rows), so fewer rows a register tile
// than the forward's products take.
void GradProducts(const float* v, int64_t C, const float* q, const winograd::Layout& z, int64_t tiles, float* du) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  constexpr int R2 = 6, R1 = 8;
  for (int p = 0; p < 16; ++p) {
    const float* vp = v + p * C * z.Ts;
    const float* qp = q + p * tiles * z.Op;
    float* dp = du + p * C * z.Op;
    auto run = [&](auto rt, auto ov, int64_t o0) HWY_ATTR {
      constexpr int R = decltype(rt)::value, OV = decltype(ov)::value;
      for (int64_t c0 = 0; c0 < C; c0 += R) {
        const float* rows[R];
        for (int r = 0; r < R; ++r) rows[r] = vp + std::min<int64_t>(c0 + r, C - 1) * z.Ts;
        GradTile<R, OV>(d, rows, qp + o0, z.Op, tiles, dp + c0 * z.Op + o0, std::min<int64_t>(R, C - c0));
      }
    };
    int64_t o0 = 0;
    for (; o0 + 2 * N <= z.Op; o0 += 2 * N)
      run(std::integral_constant<int, R2>(), std::integral_constant<int, 2>(), o0);
    if (o0 < z.Op) run(std::integral_constant<int, R1>(), std::integral_constant<int, 1>(), o0);
  }
}

// du += the weight gradient's points for one image: x (C, H, W) and its output gradient gy (O, OH,
// OW), in groups of tile rows as the forward.
void WinogradGradImage(const WinogradShape& s, const float* x, const float* gy, float* scratch, float* du) {
  const winograd::Layout z = winograd::layout(s, static_cast<int64_t>(hn::Lanes(DF())));
  float *xp = scratch + z.xp, *v = scratch + z.v, *q = scratch + z.m, *py = scratch + z.y;
  for (int64_t c = 0; c < s.C; ++c)
    for (int64_t r = 0; r < s.H; ++r)
      CopyRow(x + (c * s.H + r) * s.W, s.W, xp + (c * z.Hp + r + s.top) * z.Wp + s.left);
  const int64_t L = s.OH * s.OW, YW = 2 * z.TW;
  for (int64_t ty0 = 0; ty0 < z.TH; ty0 += z.G) {
    const int64_t g = std::min(z.G, z.TH - ty0), tiles = g * z.TW;
    InputTransform(xp, s.C, z, ty0, g, v);
    // The group's rows of the output gradient, pixel-major, in rows of YW pixels; an odd last row's
    // partner stays 0 (Y holds the whole image where its rows are the output's, else a group).
    const int64_t rows = std::min(2 * g, s.OH - 2 * ty0);
    float* gq = py;
    if (YW == s.OW) {
      if (ty0 == 0)
        TransposeFloats(gy, static_cast<size_t>(s.O), static_cast<size_t>(L), static_cast<size_t>(L), py,
                        static_cast<size_t>(z.Op));
      gq = py + 2 * ty0 * YW * z.Op;
    } else {
      for (int64_t r = 0; r < rows; ++r)
        TransposeFloats(gy + (2 * ty0 + r) * s.OW, static_cast<size_t>(s.O), static_cast<size_t>(s.OW),
                        static_cast<size_t>(L), py + r * YW * z.Op, static_cast<size_t>(z.Op));
      std::fill(py + rows * YW * z.Op, py + 2 * g * YW * z.Op, 0.0f);
    }
    GradTransform(gq, z, tiles, q);
    GradProducts(v, s.C, q, z, tiles, du);
  }
}

int64_t WinogradLanes() { return static_cast<int64_t>(hn::Lanes(DF())); }

// x * 0 is NaN exactly where x is infinite or NaN; the sums keep it.
bool AllFinite(const float* p, int64_t n) {
  const DF d;
  using V = hn::Vec<DF>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const V zero = hn::Zero(d);
  V a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    a0 = hn::MulAdd(hn::LoadU(d, p + i), zero, a0);
    a1 = hn::MulAdd(hn::LoadU(d, p + i + N), zero, a1);
    a2 = hn::MulAdd(hn::LoadU(d, p + i + 2 * N), zero, a2);
    a3 = hn::MulAdd(hn::LoadU(d, p + i + 3 * N), zero, a3);
  }
  float tail = 0.0f;
  for (; i < n; ++i) tail += p[i] * 0.0f;
  return !std::isnan(hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)))) + tail);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember {
namespace kernels {
HWY_EXPORT(WinogradImage);
HWY_EXPORT(WinogradGradImage);
HWY_EXPORT(WinogradLanes);
HWY_EXPORT(AllFinite);

namespace {
winograd::Layout layout_of(const WinogradShape& s) {
  return winograd::layout(s, HWY_DYNAMIC_DISPATCH(WinogradLanes)());
}
}  // namespace

int64_t winograd_weight_size(const WinogradShape& s) {
  const int64_t Op = layout_of(s).Op;
  return (16 * s.C + 1) * Op;  // channels and padded channels are at most 64
}

int64_t winograd_scratch_size(const WinogradShape& s) { return layout_of(s).scratch; }

void winograd_weight(const WinogradShape& s, const float* w, bool flip, const float* bias, float* u) {
  const int64_t C = s.C, O = s.O, Op = layout_of(s).Op;
  std::fill(u, u + (16 * C + 1) * Op, 0.0f);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      double g[3][3];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          g[a][b] = flip ? w[(c * O + o) * 9 + (2 - a) * 3 + (2 - b)] : w[(o * C + c) * 9 + a * 3 + b];
      double t[4][3];  // G g
      for (int b = 0; b < 3; ++b) {
        t[0][b] = g[0][b];
        t[1][b] = 0.5 * (g[0][b] + g[1][b] + g[2][b]);
        t[2][b] = 0.5 * (g[0][b] - g[1][b] + g[2][b]);
        t[3][b] = g[2][b];
      }
      for (int i = 0; i < 4; ++i) {  // (G g) G^T
        const double r[4] = {t[i][0], 0.5 * (t[i][0] + t[i][1] + t[i][2]), 0.5 * (t[i][0] - t[i][1] + t[i][2]),
                             t[i][2]};
        for (int j = 0; j < 4; ++j) u[((4 * i + j) * C + c) * Op + o] = static_cast<float>(r[j]);
      }
    }
  if (bias) std::copy_n(bias, O, u + 16 * C * Op);
}

void winograd_image(const WinogradShape& s, const float* x, const float* u, float* scratch, float* y) {
  HWY_DYNAMIC_DISPATCH(WinogradImage)(s, x, u, scratch, y);
}

int64_t winograd_grad_size(const WinogradShape& s) { return 16 * s.C * layout_of(s).Op; }

void winograd_grad_image(const WinogradShape& s, const float* x, const float* gy, float* scratch, float* du) {
  HWY_DYNAMIC_DISPATCH(WinogradGradImage)(s, x, gy, scratch, du);
}

void winograd_weight_grad(const WinogradShape& s, const float* du, int64_t chunks, int64_t stride, float* gw) {
  const int64_t C = s.C, O = s.O, Op = layout_of(s).Op;
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      double m[16];  // the chunks' sums in chunk order (reproducible for a given thread count)
      for (int p = 0; p < 16; ++p) {
        m[p] = 0;
        for (int64_t k = 0; k < chunks; ++k) m[p] += du[k * stride + (p * C + c) * Op + o];
      }
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {  // G^T m G
          double sum = 0;
          for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) sum += G[i][a] * m[4 * i + j] * G[j][b];
          gw[(o * C + c) * 9 + a * 3 + b] = static_cast<float>(sum);
        }
    }
}

bool all_finite(const float* p, int64_t n) { return HWY_DYNAMIC_DISPATCH(AllFinite)(p, n); }

}  // namespace kernels
}  // namespace ember
#endif
