// The direct convolution's plan (conv_plan.h): every choice below was measured, and the
// measurement is written beside it.
#include "kernels/cpu/conv_plan.h"

#include <algorithm>
#include <atomic>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace ember {
namespace kernels {
namespace direct {
namespace {

// The largest kernel side the row kernels' weight-gradient tiles are built for (WeightGrad).
constexpr int64_t kMaxKernel = 7;
// Above these channel counts im2col + GEMM is at least as fast (its products are large enough).
constexpr int64_t kMaxChannels = 64;

// Whether 512-bit vectors run at half rate, as on AMD's Zen 4 (family 0x19), which splits each into
// two 256-bit halves: there vectors of 8 floats do as much a cycle and can fill short rows and odd
// channel counts better (24 columns: 3 vectors of 8 against 2 of 16, a quarter idle).
bool half_rate_wide() {
#if defined(__x86_64__)
  static const bool half = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != 0x68747541u) return false;  // "Auth"enticAMD
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    return ((a >> 8) & 0xFu) + ((a >> 20) & 0xFFu) == 0x19u;
  }();
  return half;
#else
  return false;
#endif
}

// The share of its vectors' lanes `n` floats fill in vectors of `lanes`.
double fill(int64_t n, int64_t lanes) { return static_cast<double>(n) / static_cast<double>(round_up(n, lanes)); }

}  // namespace

bool narrow_rows(int64_t cols) {
  const int64_t wide = conv2d_direct_lanes();
  return wide > 8 && half_rate_wide() && fill(cols, 8) > fill(cols, wide);
}

ChannelBlocks channel_blocks(int64_t count) {
  const int64_t wide = conv2d_direct_lanes(), narrow = std::min<int64_t>(8, wide);
  const bool use_wide = count > wide && (!half_rate_wide() || round_up(count, wide) == round_up(count, narrow));
  const int64_t lanes = use_wide ? wide : narrow, vectors = (count + lanes - 1) / lanes;
  const int64_t tiles = (vectors + 3) / 4, ov = (vectors + tiles - 1) / tiles;
  return {use_wide, ov, tiles * ov * lanes};
}

int64_t padded_channels(DirectPath path, int64_t channels) {
  return path == DirectPath::kChannels ? channel_blocks(channels).padded
                                       : round_up(channels, direct::out_block(channels));
}


namespace {

// The kernel for a product whose results are `channels` planes of rows `cols` long (of `plane`
// pixels in all where the planes kernel can run, else 0), each result a sum of `terms` products, of
// which the share `useful` are not with padding (the input gradient's correlation runs over the
// output gradient padded by the kernel's reach, where im2col + GEMM multiplies only what is there).
// Rows in the lanes where they fill at least three quarters of their vectors, and as many as
// channels would or the sums are short (with 9 terms, one input channel and 3 x 3 taps, the channel
// kernel took 2.7x as long: each tile stores its 24 accumulators after 9 products); else channels
// where they fill at least half; else GEMM. Measured (Zen 4, 64 images): 16 -> 32 channels, 3 x 3
// taps on 14 x 14 (rows fill 14 of 16 lanes): the channel kernel's forward took 0.93x the row
// kernel's time, its weight gradient 0.75x; 10 -> 20, 5 x 5 on 12 x 12, 8 x 8 out (half-filled
// rows): forward 0.62x and weight gradient 0.8x of GEMM's, input gradient (a quarter of its 16 x 16
// padded correlation useful) 1.5x (rows) or 2.4x (channels) GEMM's. Planes rather than rows where
// they can run and fill more lanes (rows of 28 fill 28 of 32, a 28 x 28 plane all 784 of 784).
DirectPath choose(int64_t channels, int64_t cols, int64_t plane, int64_t terms, double useful) {
  auto lanes_filled = [](int64_t run) { return fill(run, narrow_rows(run) ? 8 : conv2d_direct_lanes()); };
  const bool planes = plane > 0 && lanes_filled(plane) > lanes_filled(cols);
  const double by_rows = useful * lanes_filled(planes ? plane : cols);
  const double by_channels =
      useful * static_cast<double>(channels) / static_cast<double>(channel_blocks(channels).padded);
  constexpr int64_t kShortSum = 64;
  if (by_rows >= 0.75 && (by_rows >= by_channels || terms < kShortSum))
    return planes ? DirectPath::kPlanes : DirectPath::kRows;
  if (by_channels >= 0.5 && terms >= kShortSum) return DirectPath::kChannels;
  return DirectPath::kGemm;
}

}  // namespace
}  // namespace direct

namespace {
std::atomic<bool> allow_winograd{true};
}  // namespace

DirectPlan conv2d_direct_plan(const Conv2dShape& s) {
  using direct::kMaxChannels;
  using direct::kMaxKernel;
  if (!(s.groups == 1 && s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 && !(s.kh == 1 && s.kw == 1) &&
        s.kh <= kMaxKernel && s.kw <= kMaxKernel && s.ph < s.kh && s.pw < s.kw && s.C > 0 && s.O > 0 &&
        s.C <= kMaxChannels && s.O <= kMaxChannels && s.OH > 0 && s.OW > 0))
    return {};
  // The forward's results are output planes of OW columns, sums over C * taps; the input
  // gradient's input planes of W, over O * taps of the padded output gradient; the weight
  // gradient's are laid out by output channel, as the forward's, and its sums run over C * taps
  // tiles of whole images.
  const int64_t taps = s.kh * s.kw;
  const double useful = static_cast<double>(s.OH * s.OW) / static_cast<double>(s.H * s.W);
  // Planes where the output rows are as wide as the input's (for the weight gradient, whose sums
  // run over rows, there is no planes kernel).
  const bool same_width = s.OW == s.W;
  const DirectPath by_output = direct::choose(s.O, s.OW, 0, s.C * taps, 1);
  DirectPlan plan{same_width ? direct::choose(s.O, s.OW, s.OH * s.OW, s.C * taps, 1) : by_output,
                  direct::choose(s.C, s.W, same_width ? s.H * s.W : 0, s.O * taps, std::min(useful, 1.0)), by_output};
  // Winograd for 3 x 3 kernels with at least 8 channels in and out (the products' sums and vectors
  // of channels are then long enough): 16 -> 32 channels on 64 images of 14 x 14 took 0.66x the
  // channel kernel's time forward, 0.68x for the input gradient and 0.74x for the weight gradient.
  const bool winograd = allow_winograd.load(std::memory_order_relaxed) && s.kh == 3 && s.kw == 3 && s.C >= 8 &&
                        s.O >= 8 && conv2d_direct_lanes() >= 4;
  plan.winograd_forward = winograd && plan.forward != DirectPath::kGemm;
  plan.winograd_input_grad = winograd && plan.input_grad != DirectPath::kGemm;
  plan.winograd_weight_grad = winograd && plan.weight_grad != DirectPath::kGemm;
  return plan;
}

void conv2d_allow_winograd(bool allow) { allow_winograd.store(allow, std::memory_order_relaxed); }

}  // namespace kernels
}  // namespace ember
