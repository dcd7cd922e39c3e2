// The direct convolution's plan (conv_plan.cpp): which kernel each part of a convolution takes,
// and how the kernels cut rows and channels into vectors and tiles; the tile constants the kernels
// (conv_direct.cpp, compiled once per SIMD target) and their drivers share. Private to the kernel
// layer.
#pragma once
#include <cstdint>

#include "kernels/cpu/conv_direct.h"

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
// Scratch sizes added and multiplied with overflow noted: `bad` once any step overflowed.
struct CheckedSize {
  bool bad = false;
  int64_t mul(int64_t a, int64_t b) {
    int64_t r = 0;
    bad = bad || __builtin_mul_overflow(a, b, &r);
    return r;
  }
  int64_t add(int64_t a, int64_t b) {
    int64_t r = 0;
    bad = bad || __builtin_add_overflow(a, b, &r);
    return r;
  }
};

// Whether the row kernels cut rows of `cols` floats into vectors of 8 rather than the widest.
bool narrow_rows(int64_t cols);
// How the channel kernels cut `count` channels: vectors of 8 floats or the widest (`wide`), `ov`
// vectors a tile, and the count padded to whole tiles. The widest vectors, or 8 floats where the
// widest would make one vector a tile (a one-vector tile of 24 pixels loads two operands per
// product, its pixels' offsets and their elements, and ran 1.6x as long for 16 channels) or, where
// wide vectors run at half rate, pad more channels.
struct ChannelBlocks {
  bool wide;
  int64_t ov, padded;
};
ChannelBlocks channel_blocks(int64_t count);
// The channels of a correlation's repacked weight, and of its results' pixel-major scratch.
int64_t padded_channels(DirectPath path, int64_t channels);
}  // namespace direct
}  // namespace kernels
}  // namespace ember
