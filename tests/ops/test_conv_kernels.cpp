// The convolution and max-pool kernels (src/kernels/cpu/conv.cpp) against plain reference loops
// written here, over geometries that reach every path: padding wider than the kernel reach, stride
// and dilation, groups, 1x1 convolutions that skip im2col, 1-D ones, batches split over threads.
// The gradients are checked against the reference and against the public-op path that
// create_graph takes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "expect_error.h"
#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_winograd.h"
#include "ops/simd_targets.h"

using namespace ember;

namespace {

struct Geometry {
  int64_t N, C, H, W, O, kh, kw, sh, sw, ph, pw, dh, dw, groups;
};

// Direct convolution in double: out[n][o][i][j] = bias[o] + sum over the group's channels and taps.
Tensor reference_conv(const Tensor& x_in, const Tensor& w_in, const Tensor& b_in, const Geometry& g) {
  Tensor x = x_in.detach().to(kDouble).contiguous(), w = w_in.detach().to(kDouble).contiguous();
  Tensor b = b_in.detach().to(kDouble).contiguous();
  const int64_t OH = (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  const int64_t OW = (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  const int64_t cg = g.C / g.groups, og = g.O / g.groups;
  Tensor out = zeros({g.N, g.O, OH, OW}, kDouble);
  const double* xp = x.data_ptr<double>();
  const double* wp = w.data_ptr<double>();
  double* op = out.data_ptr<double>();
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < g.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = b.data_ptr<double>()[o];
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ki = 0; ki < g.kh; ++ki)
              for (int64_t kj = 0; kj < g.kw; ++kj) {
                const int64_t h = i * g.sh - g.ph + ki * g.dh, ww = j * g.sw - g.pw + kj * g.dw;
                if (h < 0 || h >= g.H || ww < 0 || ww >= g.W) continue;
                const int64_t ci = o / og * cg + c;
                acc += xp[((n * g.C + ci) * g.H + h) * g.W + ww] * wp[((o * cg + c) * g.kh + ki) * g.kw + kj];
              }
          op[((n * g.O + o) * OH + i) * OW + j] = acc;
        }
  return out;
}

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  Tensor d = (got.detach().to(kDouble) - want.detach().to(kDouble)).abs().max();
  EXPECT_LE(d.item<double>(), tol) << what;
}

std::string name_of(const Geometry& g) {
  std::ostringstream s;
  s << "N" << g.N << " C" << g.C << " " << g.H << "x" << g.W << " O" << g.O << " k" << g.kh << "x" << g.kw << " s"
    << g.sh << "," << g.sw << " p" << g.ph << "," << g.pw << " d" << g.dh << "," << g.dw << " g" << g.groups;
  return s.str();
}

const Geometry kGeometries[] = {
    {3, 2, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // the common 3x3 "same" convolution
    {5, 1, 9, 9, 3, 5, 5, 1, 1, 0, 0, 1, 1, 1},   // one input channel, no padding
    {2, 3, 8, 7, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1},   // 1x1: no im2col
    {2, 4, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2},   // 1x1 with groups
    {2, 3, 6, 5, 2, 1, 1, 2, 2, 0, 0, 1, 1, 1},   // 1x1 with stride: im2col again
    {3, 2, 9, 8, 3, 3, 2, 2, 3, 1, 2, 1, 1, 1},   // strides, asymmetric padding
    {2, 4, 9, 9, 6, 3, 3, 1, 2, 2, 1, 2, 2, 2},   // dilation, groups
    {2, 1, 4, 4, 2, 2, 2, 1, 1, 3, 3, 1, 1, 1},   // padding wider than the kernel's reach
    {1, 2, 1, 11, 3, 1, 3, 1, 2, 0, 1, 1, 2, 1},  // 1-D, as conv1d runs it
    {7, 3, 6, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // an odd batch over two threads
    {2, 3, 7, 8, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1},   // "same" with dilation: im2col's one-span copy
    {2, 16, 40, 40, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // 4 x 1600 x 144: GEMMs split into column blocks
    {1, 32, 40, 40, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2},  // the same per group
    {2, 16, 41, 37, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1},  // blocks with a ragged tail, rows copied one by one
};

}  // namespace

TEST(ConvKernels, ForwardAndGradientsMatchReference) {
  manual_seed(1);
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (const Geometry& g : kGeometries) {
      const std::string what = name_of(g) + " threads " + std::to_string(threads);
      Tensor x = randn({g.N, g.C, g.H, g.W}, kDouble).requires_grad_();
      Tensor w = randn({g.O, g.C / g.groups, g.kh, g.kw}, kDouble).requires_grad_();
      Tensor b = randn({g.O}, kDouble).requires_grad_();
      Tensor out = conv2d(x, w, b, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, g.groups);
      expect_close(out, reference_conv(x, w, b, g), 1e-12, what);

      // Gradients of sum(out * r): the kernel path (no create_graph) against the reference's,
      // which autograd takes through the public ops of the create_graph path.
      Tensor r = randn(out.sizes(), kDouble);
      auto fast = autograd::grad({(out * r).sum()}, {x, w, b});
      Tensor out2 = conv2d(x, w, b, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, g.groups);
      auto graph = autograd::grad({(out2 * r).sum()}, {x, w, b}, {}, true, true);
      for (size_t i = 0; i < 3; ++i) expect_close(fast[i], graph[i], 1e-10, what + " grad " + std::to_string(i));
      // And against finite differences of the reference for one weight element and one input element.
      const double eps = 1e-6;
      auto loss_at = [&](const Tensor& xx, const Tensor& ww) {
        return (reference_conv(xx, ww, b, g) * r).sum().item<double>();
      };
      Tensor wp = w.detach().clone(), wm = w.detach().clone();
      wp.view({-1})[0] += eps;
      wm.view({-1})[0] -= eps;
      EXPECT_NEAR(fast[1].view({-1})[0].item<double>(), (loss_at(x, wp) - loss_at(x, wm)) / (2 * eps), 1e-6) << what;
      const int64_t mid = x.numel() / 2;
      Tensor xp = x.detach().clone(), xm = x.detach().clone();
      xp.view({-1})[mid] += eps;
      xm.view({-1})[mid] -= eps;
      EXPECT_NEAR(fast[0].view({-1})[mid].item<double>(), (loss_at(xp, w) - loss_at(xm, w)) / (2 * eps), 1e-6)
          << what;
    }
  }
  set_num_threads(2);
}

TEST(ConvKernels, FloatMatchesDouble) {
  manual_seed(2);
  const Geometry g{4, 3, 10, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  Tensor x = randn({g.N, g.C, g.H, g.W}), w = randn({g.O, g.C, 3, 3}), b = randn({g.O});
  expect_close(conv2d(x, w, b, 1, 1), reference_conv(x, w, b, g), 1e-4, "float");
}

TEST(ConvKernels, NonContiguousOperands) {
  manual_seed(3);
  Tensor x = randn({3, 6, 8, 2}, kDouble).permute({0, 3, 1, 2});  // (3, 2, 6, 8), channels last
  Tensor w = randn({3, 3, 2, 4}, kDouble).permute({3, 2, 0, 1});  // (4, 2, 3, 3)
  Tensor b = randn({8}, kDouble).slice(0, 0, 8, 2);
  const Geometry g{3, 2, 6, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  expect_close(conv2d(x, w, b, 1, 1), reference_conv(x, w, b, g), 1e-12, "permuted");
}

TEST(ConvKernels, EmptyChannelsGiveTheBias) {
  // Zero input channels: K = 0, so every output element is its bias, even over garbage memory.
  Tensor x = zeros({2, 0, 4, 4});
  Tensor w = zeros({3, 0, 3, 3});
  Tensor b = tensor({1.0f, -2.0f, 3.5f});
  Tensor out = conv2d(x, w, b, 1, 1);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, 4, 4}));
  expect_close(out, b.reshape({1, 3, 1, 1}).expand({2, 3, 4, 4}), 0, "empty channels");
  expect_close(conv2d(x, w, Tensor(), 1, 1), zeros({2, 3, 4, 4}), 0, "empty channels, no bias");
}

namespace {
// The float direct kernels (conv_direct.cpp: stride 1, no dilation, one group, at most 64
// channels) against the double reference: rows shorter, as long as and longer than a vector, channel
// counts that fill the register tiles or leave tails, every kernel width the weight gradient has a
// tile for, "valid" and "same" padding, and batches over one and two threads. Between them they
// take every part (forward, input gradient, weight gradient) through every path (rows, planes where
// the output rows are as wide as the input's, channels, im2col + GEMM), and every part through
// Winograd's F(2 x 2, 3 x 3) where it may (3 x 3, at least 8 channels in and out): output sides odd
// and even, 0, 1 and 2 padding, channel counts that leave a vector part
// empty, images of one group of tile rows and of several; DirectGeometriesTakeEveryPath checks that
// they still do.
const Geometry kDirectGeometries[] = {
    {3, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // the trainer's conv2: 14 columns, 1 vector
    {2, 1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // its conv1
    {3, 1, 12, 12, 10, 5, 5, 1, 1, 0, 0, 1, 1, 1},   // the conv1 shape, 10 channels
    {2, 10, 12, 12, 20, 5, 5, 1, 1, 0, 0, 1, 1, 1},  // its conv2
    {1, 3, 5, 33, 7, 3, 1, 1, 1, 2, 0, 1, 1, 1},     // 33 columns: two vectors and a 1-column tail
    {2, 5, 6, 17, 3, 2, 4, 1, 1, 1, 3, 1, 1, 1},     // even kernel, padding on one side wider
    {1, 2, 9, 16, 9, 7, 6, 1, 1, 3, 5, 1, 1, 1},     // 7 x 6 taps, exactly one AVX-512 vector
    {1, 4, 3, 3, 64, 2, 7, 1, 1, 1, 6, 1, 1, 1},     // 64 outputs, 1-column-wide input
    {2, 64, 4, 5, 1, 3, 2, 1, 1, 2, 1, 1, 1, 1},     // 64 inputs, one output channel
    {1, 2, 1, 40, 3, 1, 5, 1, 1, 0, 2, 1, 1, 1},     // 1-D, as conv1d runs it
    {2, 16, 8, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // full rows, 144 terms: rows throughout
    {2, 24, 10, 10, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // 40 channels: two tiles of three 8-float vectors
    {2, 64, 6, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1},    // 64 channels: one tile of four vectors
    {2, 5, 7, 7, 12, 5, 5, 1, 1, 2, 2, 1, 1, 1},     // 12 channels padded to 16
    {3, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // 8 channels: one-vector tiles of 24 pixels
    {2, 12, 9, 11, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // Winograd: 9 x 11 outputs, half tiles at the edges
    {2, 8, 10, 7, 9, 3, 3, 1, 1, 0, 0, 1, 1, 1},     // Winograd, no padding: 8 x 5 outputs, 9 channels
    {2, 8, 7, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},     // Winograd: 7 x 10 outputs, half tiles at the bottom
    {1, 9, 6, 6, 8, 3, 3, 1, 1, 2, 2, 1, 1, 1},      // Winograd, padding 2 (the input gradient's 0)
    {1, 16, 40, 40, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1},  // Winograd in four groups of tile rows
};

// got against the double reference where the reference is finite; elsewhere the same NaN or
// infinity.
void expect_matches(const Tensor& got_in, const Tensor& want_in, double rel, const std::string& what) {
  ASSERT_EQ(got_in.sizes(), want_in.sizes()) << what;
  Tensor got = got_in.detach().to(kDouble).contiguous(), want = want_in.detach().to(kDouble).contiguous();
  const double* g = got.data_ptr<double>();
  const double* r = want.data_ptr<double>();
  double scale = 1;
  for (int64_t i = 0; i < want.numel(); ++i)
    if (std::isfinite(r[i])) scale = std::max(scale, std::abs(r[i]));
  for (int64_t i = 0; i < want.numel(); ++i) {
    if (std::isfinite(r[i]))
      ASSERT_LE(std::abs(g[i] - r[i]), rel * scale) << what << " at " << i << ": " << g[i] << " vs " << r[i];
    else if (std::isnan(r[i]))
      ASSERT_TRUE(std::isnan(g[i])) << what << " at " << i << ": " << g[i];
    else
      ASSERT_EQ(g[i], r[i]) << what << " at " << i;
  }
}
}  // namespace

TEST(ConvKernels, DirectFloatMatchesReference) {
  for_each_target([] {
    manual_seed(11);
    for (int threads : {1, 2})
      for (bool winograd : {true, false}) {
        set_num_threads(threads);
        kernels::conv2d_allow_winograd(winograd);
        for (const Geometry& g : kDirectGeometries) {
          const std::string what =
              name_of(g) + " threads " + std::to_string(threads) + (winograd ? "" : " without Winograd");
          Tensor x = randn({g.N, g.C, g.H, g.W}).requires_grad_();
          Tensor w = randn({g.O, g.C, g.kh, g.kw}).requires_grad_();
          Tensor b = randn({g.O}).requires_grad_();
          Tensor out = conv2d(x, w, b, {1, 1}, {g.ph, g.pw});
          expect_matches(out, reference_conv(x, w, b, g), 2e-6, what + " forward");
          // The gradients of sum(out * r) are the reference's (double, through the public ops).
          Tensor r = randn(out.sizes());
          auto got = autograd::grad({(out * r).sum()}, {x, w, b});
          Tensor xd = x.detach().to(kDouble).requires_grad_(), wd = w.detach().to(kDouble).requires_grad_();
          Tensor bd = b.detach().to(kDouble).requires_grad_();
          // (The double convolution takes im2col + GEMM, checked against the reference above.)
          auto want = autograd::grad({(conv2d(xd, wd, bd, {1, 1}, {g.ph, g.pw}) * r.to(kDouble)).sum()}, {xd, wd, bd});
          expect_matches(got[0], want[0], 2e-6, what + " input gradient");
          expect_matches(got[1], want[1], 2e-6, what + " weight gradient");
          expect_matches(got[2], want[2], 1e-6, what + " bias gradient");
        }
      }
  });
  kernels::conv2d_allow_winograd(true);
  set_num_threads(2);
}

TEST(ConvKernels, DirectGeometriesTakeEveryPath) {
  // The plan depends on the vector width; the geometries were chosen for 16 floats (AVX-512).
  if (kernels::conv2d_direct_lanes() != 16) GTEST_SKIP() << "plans differ without 16-float vectors";
  std::set<std::pair<int, kernels::DirectPath>> seen;
  int winograd_forward = 0, winograd_input_grad = 0, winograd_weight_grad = 0;
  for (const Geometry& g : kDirectGeometries) {
    const int64_t OH = g.H + 2 * g.ph - g.kh + 1, OW = g.W + 2 * g.pw - g.kw + 1;
    const kernels::DirectPlan p = kernels::conv2d_direct_plan(
        {g.N, g.C, g.H, g.W, g.O, 1, g.kh, g.kw, 1, 1, g.ph, g.pw, 1, 1, OH, OW});
    seen.insert({0, p.forward});
    seen.insert({1, p.input_grad});
    seen.insert({2, p.weight_grad});
    winograd_forward += p.winograd_forward;
    winograd_input_grad += p.winograd_input_grad;
    winograd_weight_grad += p.winograd_weight_grad;
    // Winograd exactly where the kernel is 3 x 3 and both channel counts at least 8.
    const bool eligible = g.kh == 3 && g.kw == 3 && g.C >= 8 && g.O >= 8;
    EXPECT_EQ(p.winograd_forward, eligible && p.forward != kernels::DirectPath::kGemm) << name_of(g);
    EXPECT_EQ(p.winograd_input_grad, eligible && p.input_grad != kernels::DirectPath::kGemm) << name_of(g);
    EXPECT_EQ(p.winograd_weight_grad, eligible && p.weight_grad != kernels::DirectPath::kGemm) << name_of(g);
  }
  EXPECT_GE(winograd_forward, 8);
  EXPECT_GE(winograd_input_grad, 8);
  EXPECT_GE(winograd_weight_grad, 8);
  for (int part = 0; part < 3; ++part)
    for (auto path : {kernels::DirectPath::kGemm, kernels::DirectPath::kRows, kernels::DirectPath::kPlanes,
                      kernels::DirectPath::kChannels}) {
      if (part == 2 && path == kernels::DirectPath::kPlanes) continue;  // the weight gradient has no planes kernel
      EXPECT_TRUE(seen.count({part, path})) << "part " << part << " path " << static_cast<int>(path);
    }
}

namespace {
// The rows kernels' masks, the planes kernel's zeroed columns and the channel kernels' padded
// channels: an infinity meets only the sums that contain it. g's kernel is 3 x 3, its padding
// g.ph = g.pw. Returns the weight gradient.
Tensor check_infinities(const Geometry& g) {
  const float inf = std::numeric_limits<float>::infinity();
  manual_seed(12);
  Tensor x = randn({g.N, g.C, g.H, g.W});
  x.select(0, 0).select(0, 1).select(0, 4).select(0, 0).fill_(inf);            // image 0, channel 1, column 0
  x.select(0, 1).select(0, 2).select(0, 9).select(0, g.W - 1).fill_(-inf);     // image 1, channel 2, last column
  x.requires_grad_();
  Tensor w = randn({g.O, g.C, 3, 3}).requires_grad_();
  Tensor out = conv2d(x, w, Tensor(), 1, g.ph);
  expect_matches(out, reference_conv(x, w, zeros({g.O}), g), 2e-6, name_of(g) + " forward");
  Tensor r = randn(out.sizes());
  r.select(0, 1).select(0, 3).select(0, 6).select(0, 7).fill_(inf);
  auto got = autograd::grad({out}, {x, w}, {r});
  Tensor xd = x.detach().to(kDouble).requires_grad_(), wd = w.detach().to(kDouble).requires_grad_();
  auto want = autograd::grad({conv2d(xd, wd, Tensor(), 1, g.ph)}, {xd, wd}, {r.to(kDouble)});
  expect_matches(got[0], want[0], 2e-6, name_of(g) + " input gradient");
  expect_matches(got[1], want[1], 2e-6, name_of(g) + " weight gradient");
  return got[1];
}
}  // namespace

// Winograd on 40 seeded random shapes a target (sides 1 to 24, padding 0 to 2, channel counts on
// both sides of whole vectors), every part against the double convolution; the geometries above
// are chosen, these are not.
TEST(ConvKernels, WinogradMatchesTheReferenceOnRandomShapes) {
  for_each_target([] {
    std::mt19937 rng(17);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int64_t channels[] = {8, 9, 16, 17, 24, 32, 48, 64};
    manual_seed(13);
    int parts = 0;
    for (int i = 0; i < 40; ++i) {
      const int64_t p = pick(0, 2), H = pick(std::max<int64_t>(1, 3 - 2 * p), 24),
                    W = pick(std::max<int64_t>(1, 3 - 2 * p), 24);
      const Geometry g{pick(1, 2), channels[pick(0, 7)], H, W, channels[pick(0, 7)], 3, 3, 1, 1, p, p, 1, 1, 1};
      set_num_threads(pick(1, 2));
      const kernels::DirectPlan plan = kernels::conv2d_direct_plan(
          {g.N, g.C, g.H, g.W, g.O, 1, 3, 3, 1, 1, p, p, 1, 1, H + 2 * p - 2, W + 2 * p - 2});
      parts += plan.winograd_forward + plan.winograd_input_grad + plan.winograd_weight_grad;
      const std::string what = name_of(g);
      Tensor x = randn({g.N, g.C, H, W}).requires_grad_(), w = randn({g.O, g.C, 3, 3}).requires_grad_();
      Tensor out = conv2d(x, w, Tensor(), 1, p);
      expect_matches(out, reference_conv(x, w, zeros({g.O}), g), 2e-6, what + " forward");
      Tensor r = randn(out.sizes());
      auto got = autograd::grad({out}, {x, w}, {r});
      Tensor xd = x.detach().to(kDouble).requires_grad_(), wd = w.detach().to(kDouble).requires_grad_();
      auto want = autograd::grad({conv2d(xd, wd, Tensor(), 1, p)}, {xd, wd}, {r.to(kDouble)});
      expect_matches(got[0], want[0], 2e-6, what + " input gradient");
      expect_matches(got[1], want[1], 2e-6, what + " weight gradient");
    }
    // (Without vectors of at least 4 floats the plan never takes Winograd.)
    if (kernels::conv2d_direct_lanes() >= 4) {
      EXPECT_GE(parts, 40) << "the random shapes should mostly take Winograd";
    }
  });
  set_num_threads(2);
}

TEST(ConvKernels, AllFiniteFindsEveryNonFiniteValue) {
  for_each_target([] {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> v(70, 1.5f);
    for (int64_t n = 0; n <= 70; ++n) {
      EXPECT_TRUE(kernels::all_finite(v.data(), n)) << n;
      for (float bad : {inf, -inf, nan})
        for (int64_t i = 0; i < n; ++i) {
          v[i] = bad;
          EXPECT_FALSE(kernels::all_finite(v.data(), n)) << bad << " at " << i << " of " << n;
          v[i] = 1.5f;
        }
    }
    v.assign(70, std::numeric_limits<float>::max());
    EXPECT_TRUE(kernels::all_finite(v.data(), 70));
  });
}

TEST(ConvKernels, DirectKernelsKeepInfinitiesInTheirSums) {
  for_each_target([] {
    // 20 output channels in three 8-float vectors (4 padded), 16 input channels in two: every part
    // takes the channel kernels on AVX-512. Winograd would take the forward and input gradient of
    // finite operands; with an infinity in the input or the output gradient it must leave them to
    // the channel kernels (in its transforms the infinity would reach its tile's other outputs).
    check_infinities({2, 16, 12, 12, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1});
    // 18-column output rows (no padding): where 512-bit vectors run at half rate, three 8-float
    // vectors, the last with 2 lanes, else 16 and 2 lanes.
    check_infinities({2, 3, 12, 20, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1});
  });
}

TEST(ConvKernels, DirectFloatKeepsWhatLiesPastARowOutOfTheSums) {
  for_each_target([] {
    // The vectors of a 14-column row reach 2 columns past it, into the padding and the next row,
    // and the planes kernel's vectors run on across rows. An infinity in the input's first or last
    // column must reach only the sums that contain it: the weight taps that never see that column
    // stay finite (0 * inf would be NaN). The output gradient has one too, inside the image (at its
    // edge it would meet padding, which im2col + GEMM multiplies and a direct kernel need not).
    // "Same" padding takes the planes kernel for the forward and input gradient, none the rows
    // kernel for the forward.
    for (int64_t pad : {1, 0}) {
      const Tensor gw = check_infinities({2, 3, 14, 14, 5, 3, 3, 1, 1, pad, pad, 1, 1, 1});
      for (int64_t o : {0, 1, 2, 4}) {  // output channel 3 meets the gradient's infinity everywhere
        // Taps right of column 0, and left of column 13.
        EXPECT_TRUE(std::isfinite(gw[o][1].select(1, 2).sum().item<float>())) << o << " padding " << pad;
        EXPECT_TRUE(std::isfinite(gw[o][2].select(1, 0).sum().item<float>())) << o << " padding " << pad;
      }
    }
  });
}

namespace {
// max_pool2d in double by the definition: the first maximum in scan order, the last NaN.
std::pair<Tensor, Tensor> reference_pool(const Tensor& x_in, int64_t k, int64_t s, int64_t p, bool ceil_mode) {
  Tensor x = x_in.detach().to(kDouble).contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  auto out_size = [&](int64_t n) {
    int64_t o = (n + 2 * p - k + (ceil_mode ? s - 1 : 0)) / s + 1;
    if (ceil_mode && (o - 1) * s >= n + p) --o;
    return o;
  };
  const int64_t OH = out_size(H), OW = out_size(W);
  Tensor v = zeros({N, C, OH, OW}, kDouble), ind = zeros({N, C, OH, OW}, kLong);
  for (int64_t pl = 0; pl < N * C; ++pl)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        double best = -std::numeric_limits<double>::infinity();
        int64_t bi = -1;
        for (int64_t h = i * s - p; h < i * s - p + k; ++h)
          for (int64_t w = j * s - p; w < j * s - p + k; ++w) {
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const double val = x.data_ptr<double>()[pl * H * W + h * W + w];
            if (bi < 0 || val > best || std::isnan(val)) {
              best = val;
              bi = h * W + w;
            }
          }
        v.data_ptr<double>()[pl * OH * OW + i * OW + j] = best;
        ind.data_ptr<int64_t>()[pl * OH * OW + i * OW + j] = bi;
      }
  return {v, ind};
}
}  // namespace

TEST(ConvKernels, MaxPoolMatchesReference) {
  manual_seed(4);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    int64_t H, W, k, s, p;
    bool ceil;
  } cases[] = {{8, 6, 2, 2, 0, false},  // the 2x2 fast path
               {7, 5, 2, 2, 0, false},  // odd sizes: the last row/column is left out
               {7, 5, 2, 2, 0, true},   // ceil mode: partial windows, the general path
               {9, 9, 3, 2, 1, true},
               {6, 6, 3, 1, 1, false}};
  for (const Case& c : cases) {
    Tensor x = randn({3, 2, c.H, c.W}, kDouble);
    x.view({-1})[5] = nan;  // one NaN, and ties
    x.view({-1})[9] = x.view({-1})[10].item<double>();
    x.requires_grad_();
    auto [v, ind] = max_pool2d_with_indices(x, {c.k}, {c.s}, {c.p}, {1}, c.ceil);
    auto [rv, rind] = reference_pool(x, c.k, c.s, c.p, c.ceil);
    EXPECT_TRUE(equal(ind, rind)) << c.H << "x" << c.W << " k" << c.k;
    EXPECT_TRUE(allclose(v, rv, 0, 0, /*equal_nan=*/true)) << c.H << "x" << c.W << " k" << c.k;
    // Backward: each output's gradient lands on its index; the kernel and the create_graph path agree.
    Tensor r = randn(v.sizes(), kDouble);
    Tensor fast = autograd::grad({(v * r).sum()}, {x})[0];
    auto [v2, ind2] = max_pool2d_with_indices(x, {c.k}, {c.s}, {c.p}, {1}, c.ceil);
    Tensor graph = autograd::grad({(v2 * r).sum()}, {x}, {}, true, true)[0];
    EXPECT_TRUE(equal(fast, graph));
    Tensor want = zeros({6, c.H * c.W}, kDouble).scatter_add(1, rind.reshape({6, -1}), r.reshape({6, -1}));
    EXPECT_TRUE(allclose(fast, want.reshape(x.sizes())));
  }
}

TEST(ConvKernels, MaxPoolWithoutGradientSkipsIndicesAndAgrees) {
  // Where no gradient is needed max_pool2d computes no indices; its values must be those of
  // max_pool2d_with_indices, NaN rule included, on the 2x2 path and the general one.
  manual_seed(6);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (bool two_by_two : {true, false}) {
    Tensor x = randn({2, 3, 9, 8}, kDouble);
    x.view({-1})[7] = nan;
    x.view({-1})[40] = -std::numeric_limits<double>::infinity();
    const int64_t k = two_by_two ? 2 : 3, s = 2, p = two_by_two ? 0 : 1;
    auto [want, ind] = max_pool2d_with_indices(x, {k}, {s}, {p}, {1}, false);
    Tensor plain = max_pool2d(x, {k}, {s}, {p}, {1}, false);  // x needs no gradient
    EXPECT_TRUE(allclose(plain, want, 0, 0, /*equal_nan=*/true));
    Tensor xg = x.clone().requires_grad_();
    {
      NoGradGuard guard;
      Tensor v = max_pool2d(xg, {k}, {s}, {p}, {1}, false);
      EXPECT_FALSE(v.requires_grad());
      EXPECT_TRUE(allclose(v, want, 0, 0, /*equal_nan=*/true));
      // with_indices under no-grad still returns its indices.
      EXPECT_TRUE(equal(std::get<1>(max_pool2d_with_indices(xg, {k}, {s}, {p}, {1}, false)), ind));
    }
    Tensor v = max_pool2d(xg, {k}, {s}, {p}, {1}, false);  // with grad: indices kept for backward
    EXPECT_TRUE(v.requires_grad());
    EXPECT_TRUE(allclose(v, want, 0, 0, /*equal_nan=*/true));
    Tensor r = randn(v.sizes(), kDouble);
    Tensor g = autograd::grad({(v * r).sum()}, {xg})[0];
    Tensor expect = zeros({6, 72}, kDouble).scatter_add(1, ind.reshape({6, -1}), r.reshape({6, -1}));
    EXPECT_TRUE(allclose(g, expect.reshape(x.sizes())));
  }
}

// ---------------------------------------------------------------- the thread pool

#include <atomic>
#include <stdexcept>
#include <thread>

#include "kernels/cpu/parallel.h"

TEST(ThreadPool, CoversTheRangeOnceWithNestedCallsInline) {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(1000);
  std::atomic<int> chunks{0}, nested_inline{0};
  kernels::parallel_for(0, 1000, 10, [&](int64_t b, int64_t e) {
    ++chunks;
    for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
    EXPECT_TRUE(kernels::in_parallel_region());
    // A nested call runs inline, as one chunk on this thread.
    int calls = 0;
    kernels::parallel_for(0, 100, 1, [&](int64_t nb, int64_t ne) {
      ++calls;
      EXPECT_EQ(nb, 0);
      EXPECT_EQ(ne, 100);
    });
    if (calls == 1) ++nested_inline;
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  // kTasksPerThread tasks per thread, so a preempted thread holds up a small part of the range.
  EXPECT_EQ(chunks.load(), 2 * kernels::kTasksPerThread);
  EXPECT_EQ(nested_inline.load(), 2 * kernels::kTasksPerThread);
  EXPECT_FALSE(kernels::in_parallel_region());
}

TEST(ThreadPool, ExceptionReachesTheCallerAndThePoolKeepsWorking) {
  set_num_threads(2);
  for (int round = 0; round < 3; ++round) {
    EXPECT_THROW(kernels::parallel_for(0, 2, 1,
                                       [&](int64_t b, int64_t) {
                                         if (b == 1) throw std::runtime_error("task 1 failed");
                                       }),
                 std::runtime_error);
    std::atomic<int64_t> sum{0};
    kernels::parallel_for(0, 100, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) sum += i;
    });
    EXPECT_EQ(sum.load(), 4950);
  }
  EXPECT_THROW(kernels::parallel_for(0, 4, 1, [](int64_t, int64_t) { set_num_threads(1); }), Error);
}

TEST(ThreadPool, ConcurrentCallersAndThreadCountChanges) {
  // Two threads running ops at once (a data-loader worker beside the training loop): one gets
  // the pool, the other runs inline; both get the right answers.
  set_num_threads(2);
  Tensor a = randn({256, 300}), b = randn({300, 200});
  Tensor want = a.to(kDouble).mm(b.to(kDouble));
  auto work = [&] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(allclose(a.mm(b).to(kDouble), want, 1e-4, 1e-3));
  };
  std::thread other(work);
  work();
  other.join();
  for (int n : {1, 3, 2}) {
    set_num_threads(n);
    EXPECT_EQ(get_num_threads(), n);
    EXPECT_TRUE(allclose(a.mm(b).to(kDouble), want, 1e-4, 1e-3));
  }
}

#include "kernels/cpu/conv.h"

TEST(ConvKernels, WorkspaceSizeBoundsTheThreads) {
  // A workspace sized when fewer threads were set (another thread may change the count between
  // sizing and running): the kernels use only the chunks it holds, and the result is the same.
  set_num_threads(2);
  manual_seed(5);
  const Geometry g{4, 3, 6, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  Tensor x = randn({4, 3, 6, 6}, kDouble), w = randn({2, 3, 3, 3}, kDouble);
  const kernels::Conv2dShape s{4, 3, 6, 6, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6};
  set_num_threads(1);
  const int64_t one_chunk = kernels::conv2d_workspace<double>(s, true);
  set_num_threads(2);
  EXPECT_GT(kernels::conv2d_workspace<double>(s, true), one_chunk);
  std::vector<double> ws(static_cast<size_t>(one_chunk)), out(4 * 2 * 36), gx(4 * 3 * 36), gw(2 * 27), gb(2);
  kernels::conv2d_forward(x.data_ptr<double>(), w.data_ptr<double>(), static_cast<const double*>(nullptr), s,
                          out.data(), ws.data(), one_chunk);
  expect_close(from_blob(out.data(), {4, 2, 6, 6}, kDouble), reference_conv(x, w, zeros({2}, kDouble), g), 1e-12,
               "forward");
  Tensor r = randn({4, 2, 6, 6}, kDouble);
  kernels::conv2d_backward(x.data_ptr<double>(), w.data_ptr<double>(), r.data_ptr<double>(), s, gx.data(), gw.data(),
                           gb.data(), ws.data(), one_chunk);
  Tensor xr = x.clone().requires_grad_(), wr = w.clone().requires_grad_();
  auto want = autograd::grad({(conv2d(xr, wr, {}, 1, 1) * r).sum()}, {xr, wr});
  expect_close(from_blob(gx.data(), {4, 3, 6, 6}, kDouble), want[0], 1e-12, "gx");
  expect_close(from_blob(gw.data(), {2, 3, 3, 3}, kDouble), want[1], 1e-12, "gw");
  expect_close(from_blob(gb.data(), {2}, kDouble), r.sum({0, 2, 3}), 1e-12, "gb");
}

TEST(ConvKernels, DirectFloatWorkspaceSizeBoundsTheThreads) {
  // As above for the float direct kernels: planes for the forward and input gradient and rows for
  // the weight gradient (3 channels, "same" padding), rows throughout but an input gradient from
  // im2col + GEMM (no padding), channels throughout (16), and a backward whose input gradient comes
  // from im2col + GEMM and weight gradient from the channel kernel, their scratch sharing the
  // workspace (10 -> 20, 5 x 5 taps, no padding).
  const Geometry geometries[] = {{5, 3, 14, 14, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                                 {5, 3, 14, 14, 8, 3, 3, 1, 1, 0, 0, 1, 1, 1},
                                 {5, 16, 14, 14, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                                 {5, 10, 12, 12, 20, 5, 5, 1, 1, 0, 0, 1, 1, 1}};
  for (const Geometry& g : geometries) {
    const int64_t OH = g.H + 2 * g.ph - g.kh + 1, OW = g.W + 2 * g.pw - g.kw + 1;
    const kernels::Conv2dShape s{g.N, g.C, g.H, g.W, g.O, 1, g.kh, g.kw, 1, 1, g.ph, g.pw, 1, 1, OH, OW};
    manual_seed(6);
    Tensor x = randn({g.N, g.C, g.H, g.W}), w = randn({g.O, g.C, g.kh, g.kw}), b = randn({g.O});
    Tensor r = randn({g.N, g.O, OH, OW});
    set_num_threads(1);
    const int64_t fwd = kernels::conv2d_workspace<float>(s, false), bwd = kernels::conv2d_workspace<float>(s, true);
    set_num_threads(2);
    EXPECT_GT(kernels::conv2d_workspace<float>(s, true), bwd);
    std::vector<float> ws(static_cast<size_t>(std::max(fwd, bwd))), out(r.numel()), gx(x.numel()), gw(w.numel()),
        gb(g.O);
    kernels::conv2d_forward(x.data_ptr<float>(), w.data_ptr<float>(), b.data_ptr<float>(), s, out.data(), ws.data(),
                            fwd);
    const std::string what = name_of(g);
    expect_matches(from_blob(out.data(), r.sizes()), reference_conv(x, w, b, g), 2e-6, what + " forward");
    kernels::conv2d_backward(x.data_ptr<float>(), w.data_ptr<float>(), r.data_ptr<float>(), s, gx.data(), gw.data(),
                             gb.data(), ws.data(), bwd);
    Tensor xd = x.to(kDouble).requires_grad_(), wd = w.to(kDouble).requires_grad_();
    auto want = autograd::grad({conv2d(xd, wd, Tensor(), 1, {g.ph, g.pw})}, {xd, wd}, {r.to(kDouble)});
    expect_matches(from_blob(gx.data(), x.sizes()), want[0], 2e-6, what + " gx");
    expect_matches(from_blob(gw.data(), w.sizes()), want[1], 2e-6, what + " gw");
    expect_matches(from_blob(gb.data(), {g.O}), r.to(kDouble).sum({0, 2, 3}), 1e-6, what + " gb");
  }
}

// Integer convolutions, as LibTorch 1.13's CPU kernels compute them (before, ember refused them).
// Small values: the float64 convolution of the same numbers is exact, and the integer one must equal
// it in every geometry, transposed ones included (int64 only there, as in LibTorch).
TEST(ConvKernels, IntegerConvolutionsMatchTheExactResult) {
  manual_seed(3);
  auto ints = [](IntArrayRef shape) { return randint(-9, 10, shape, TensorOptions(kLong)); };
  auto same = [](const Tensor& got, const Tensor& exact, const std::string& what) {
    EXPECT_EQ(got.dtype(), kLong) << what;
    EXPECT_TRUE(equal(got, exact.to(kLong))) << what;
  };
  const Geometry geometries[] = {{2, 3, 7, 6, 4, 3, 2, 1, 1, 1, 0, 1, 1, 1},
                                 {3, 4, 9, 8, 6, 3, 3, 2, 1, 2, 1, 2, 1, 2},
                                 {1, 2, 5, 5, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1},
                                 {2, 6, 6, 7, 3, 2, 3, 1, 2, 0, 1, 1, 2, 3}};
  for (const Geometry& g : geometries) {
    const std::string what = name_of(g);
    Tensor x = ints({g.N, g.C, g.H, g.W}), w = ints({g.O, g.C / g.groups, g.kh, g.kw}), b = ints({g.O});
    const std::vector<int64_t> s{g.sh, g.sw}, p{g.ph, g.pw}, d{g.dh, g.dw};  // IntArrayRef would dangle
    same(conv2d(x, w, b, s, p, d, g.groups), conv2d(x.to(kDouble), w.to(kDouble), b.to(kDouble), s, p, d, g.groups),
         what);
    // The transposed convolution with the weight read as (Cin, Cout / groups, kh, kw), and an
    // output_padding below the stride or dilation.
    Tensor wt = ints({g.C, g.O / g.groups, g.kh, g.kw});
    const std::vector<int64_t> op{g.sh > 1 ? 1 : 0, g.dw > 1 ? 1 : 0};
    same(conv_transpose2d(x, wt, b, s, p, op, g.groups, d),
         conv_transpose2d(x.to(kDouble), wt.to(kDouble), b.to(kDouble), s, p, op, g.groups, d), what + " transposed");
    same(conv1d(x.flatten(2), w.flatten(2), b, g.sh, g.ph, g.dw, g.groups),
         conv1d(x.flatten(2).to(kDouble), w.flatten(2).to(kDouble), b.to(kDouble), g.sh, g.ph, g.dw, g.groups),
         what + " 1-d");
    same(conv_transpose1d(x.flatten(2), wt.flatten(2), b, g.sh, g.ph, 0, g.groups, g.dw),
         conv_transpose1d(x.flatten(2).to(kDouble), wt.flatten(2).to(kDouble), b.to(kDouble), g.sh, g.ph, 0, g.groups,
                          g.dw),
         what + " transposed 1-d");
  }
  Tensor x3 = ints({2, 2, 4, 5, 5}), w3 = ints({4, 1, 2, 3, 2}), b3 = ints({4});
  same(conv3d(x3, w3, b3, {1, 2, 1}, {1, 0, 1}, {2, 1, 1}, 2),
       conv3d(x3.to(kDouble), w3.to(kDouble), b3.to(kDouble), {1, 2, 1}, {1, 0, 1}, {2, 1, 1}, 2), "3-d");
  Tensor wt3 = ints({2, 3, 2, 2, 3});
  same(conv_transpose3d(x3, wt3, Tensor(), 2, 1, 1),
       conv_transpose3d(x3.to(kDouble), wt3.to(kDouble), Tensor(), 2, 1, 1), "transposed 3-d");
  // int64 wraps as LibTorch's does: 2^62 * 4 is 2^64, which is 0.
  Tensor big = full({1, 1, 1, 1}, int64_t{1} << 62, TensorOptions(kLong));
  EXPECT_EQ(conv2d(big, full({1, 1, 1, 1}, 4, TensorOptions(kLong))).item<int64_t>(), 0);
}

// The narrower types keep the low bits of the sums, as LibTorch's (the values of its probes), and
// each case LibTorch has no kernel for is refused with the name of the kernel it would have used.
TEST(ConvKernels, IntegerDtypesAsLibTorch) {
  Tensor x = arange(2 * 2 * 5 * 5).reshape({2, 2, 5, 5}), w = arange(3 * 2 * 3 * 3).reshape({3, 2, 3, 3}).sub(20);
  Tensor b = tensor({1, -2, 3});
  for (ScalarType dt : {kLong, kInt, kByte}) {
    Tensor y = conv2d(x.to(dt), w.to(dt), b.to(dt), 1, 1);
    EXPECT_EQ(y.sizes(), IntArrayRef({2, 3, 5, 5}));
    EXPECT_EQ(y.dtype(), dt);
    EXPECT_EQ(y.sum().item<int64_t>(), dt == kByte ? 18652 : 776668);
    EXPECT_EQ(conv1d(x.flatten(2).to(dt), w.flatten(2).to(dt), b.to(dt)).sum().item<int64_t>(),
              dt == kByte ? 13324 : 706316);
    Tensor hundred = full({1, 1, 2, 2}, 100, TensorOptions(dt));
    EXPECT_EQ(conv2d(hundred, hundred).item<int64_t>(), dt == kByte ? 64 : 40000);  // 40000 mod 256
  }
  EXPECT_EQ(conv_transpose2d(x, w.transpose(0, 1).contiguous(), b.to(kLong)).sum().item<int64_t>(), 1020796);
  EXPECT_EQ(conv2d(x, w, Tensor(), 2, 0, 2).sum().item<int64_t>(), 43128);
  Tensor xi = x.to(kInt), wi = w.to(kInt), xb = x.to(kBool), wb = w.to(kBool);
  EXPECT_EQ(error_of([&] { conv2d(xi, wi, Tensor(), 1, 0, 2); }), "\"slow_conv_dilated<>\" not implemented for 'Int'");
  EXPECT_EQ(error_of([&] { conv1d(xi.flatten(2), wi.flatten(2), Tensor(), 1, 0, 2); }),
            "\"slow_conv_dilated<>\" not implemented for 'Int'");
  EXPECT_EQ(error_of([&] { conv_transpose2d(xi, wi.transpose(0, 1).contiguous()); }),
            "\"slow_conv_transpose2d_out_cpu\" not implemented for 'Int'");
  EXPECT_EQ(error_of([&] { conv2d(xb, wb); }), "\"slow_conv2d_cpu\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] { conv3d(xb.unsqueeze(2), wb.unsqueeze(2)); }),
            "\"compute_columns3d\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] {
              conv3d(xi.unsqueeze(2), wi.unsqueeze(2), Tensor(), 1, 0, {2, 1, 1});
            }),
            "\"slow_conv_dilated<>\" not implemented for 'Int'");
  EXPECT_EQ(error_of([&] { conv_transpose3d(x.to(kByte).unsqueeze(2), w.to(kByte).transpose(0, 1).unsqueeze(2)); }),
            "\"slow_conv_transpose3d_out_cpu\" not implemented for 'Byte'");
  EXPECT_EQ(error_of([&] { conv2d(x, w.to(kFloat)); }), "expected scalar type Long but found Float");
}
