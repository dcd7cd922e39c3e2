// The float-only vector paths of the convolution and pooling kernels (conv_simd.cpp): row-block
// copies, adds and window copies against plain loops on every length up to a few vectors, the
// gathered col2im against the adding loop and whole float convolutions (forward, input, weight and
// bias gradients) and 2x2 max pools against the same computed in double, over geometries that reach
// each path: stride 1 rows copied as blocks, strided rows, padding, dilation, groups, batch 1,
// widths that leave every vector tail, forward products of several small images with a remainder,
// NaN in a window; im2row against im2col; and the 2x2 max pool's backward (its float vector path
// and the double one) against the zero-then-add loop. The vector paths run on every SIMD target
// this machine has.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_simd.h"
#include "ops/simd_targets.h"

using namespace ember;

namespace {

TEST(ConvFloatKernels, RowBlocksMatchPlainLoops) {
  for_each_target([&] {
    // Lengths 0..70 cross the 4-, 8- and 16-lane vector boundaries; strides leave gaps both sides.
    for (int64_t len = 0; len <= 70; ++len) {
      const int64_t rows = 3, ss = len + 5, ds = len + 3;
      std::vector<float> src(static_cast<size_t>(rows * ss + 2)), dst(static_cast<size_t>(rows * ds + 2));
      for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<float>(i) * 0.5f - 7.0f;
      for (size_t i = 0; i < dst.size(); ++i) dst[i] = -static_cast<float>(i);
      std::vector<float> want = dst;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < len; ++i)
          want[static_cast<size_t>(1 + r * ds + i)] = src[static_cast<size_t>(1 + r * ss + i)];
      std::vector<float> got = dst;
      const kernels::RowBlock copy{kernels::RowOp::kCopy, src.data() + 1, got.data() + 1, ss, ds, rows, len};
      kernels::run_row_blocks_f32(&copy, 1);
      EXPECT_EQ(got, want) << "copy, length " << len;
      want = dst;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < len; ++i)
          want[static_cast<size_t>(1 + r * ds + i)] += src[static_cast<size_t>(1 + r * ss + i)];
      got = dst;
      // Two blocks in one call, each over half the rows, in order.
      const kernels::RowBlock add[2] = {
          {kernels::RowOp::kAdd, src.data() + 1, got.data() + 1, ss, ds, 1, len},
          {kernels::RowOp::kAdd, src.data() + 1 + ss, got.data() + 1 + ds, ss, ds, rows - 1, len}};
      kernels::run_row_blocks_f32(add, 2);
      EXPECT_EQ(got, want) << "add, length " << len;
    }
    // Windows: 8 floats from every step-th source position, whatever the useful length.
    std::vector<float> src(64), got(5 * 11 + 8, -1.0f), want = got;
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<float>(i) + 0.5f;
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t j = 0; j < 8; ++j) want[static_cast<size_t>(r * 11 + j)] = src[static_cast<size_t>(3 * r + j)];
    const kernels::RowBlock windows{kernels::RowOp::kWindows, src.data(), got.data(), 3, 11, 5, 0};
    kernels::run_row_blocks_f32(&windows, 1);
    EXPECT_EQ(got, want);
  });
}

TEST(ConvFloatKernels, Col2ImGatherMatchesAddingLoop) {
  // (C, H, W, kh, kw, ph, pw): the issue CNN's second layer (8 output columns into 12), "same"
  // padding, an even kernel with one-sided padding, rows of 1, 15, 16, 17 and 40 (one vector, its
  // tail, several), padding past the kernel's reach, a 1 x 1 kernel.
  const int64_t geometries[][7] = {{3, 12, 12, 5, 5, 0, 0}, {2, 14, 14, 3, 3, 1, 1}, {2, 6, 17, 2, 4, 1, 3},
                                   {1, 5, 1, 3, 1, 1, 0},   {2, 4, 15, 3, 3, 0, 1},  {1, 3, 16, 3, 3, 1, 0},
                                   {2, 7, 40, 3, 5, 2, 2},  {1, 4, 9, 3, 3, 3, 4},   {2, 3, 5, 1, 1, 0, 0}};
  for_each_target([&] {
    for (const auto& g : geometries) {
      const int64_t C = g[0], H = g[1], W = g[2], kh = g[3], kw = g[4], ph = g[5], pw = g[6];
      const int64_t OH = H + 2 * ph - kh + 1, OW = W + 2 * pw - kw + 1, L = OH * OW;
      // cols exactly as large as it is (the sanitizer build sees any read outside it), each float
      // distinct, and one infinity: it must reach only the element it belongs to.
      std::vector<float> cols(static_cast<size_t>(C * kh * kw * L));
      for (size_t i = 0; i < cols.size(); ++i) cols[i] = static_cast<float>(i % 97) * 0.25f - 11.0f;
      cols[cols.size() / 2] = std::numeric_limits<float>::infinity();
      std::vector<double> want(static_cast<size_t>(C * H * W), 0.0);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b)
            for (int64_t oh = 0; oh < OH; ++oh)
              for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t y = oh + a - ph, x = ow + b - pw;
                if (y >= 0 && y < H && x >= 0 && x < W)
                  want[static_cast<size_t>((c * H + y) * W + x)] +=
                      cols[static_cast<size_t>(((c * kh + a) * kw + b) * L + oh * OW + ow)];
              }
      std::vector<float> got(want.size(), std::numeric_limits<float>::quiet_NaN());
      const std::string what = "C" + std::to_string(C) + " " + std::to_string(H) + "x" + std::to_string(W) + " k" +
                               std::to_string(kh) + "x" + std::to_string(kw) + " p" + std::to_string(ph) + "," +
                               std::to_string(pw);
      if (!kernels::col2im_gather_f32(cols.data(), C, H, W, OH, OW, kh, kw, ph, pw, got.data())) {
        // Without AVX2's or AVX-512's masked loads it declines and writes nothing.
        EXPECT_EQ(kernels::simd_target_name(kernels::simd_target_in_use()).find("AVX"), std::string::npos) << what;
        for (float v : got) ASSERT_TRUE(std::isnan(v)) << what;
        continue;
      }
      for (size_t i = 0; i < want.size(); ++i) {
        if (std::isinf(want[i]))
          ASSERT_EQ(got[i], want[i]) << what << " at " << i;
        else
          ASSERT_NEAR(got[i], want[i], 1e-4 * std::max(1.0, std::abs(want[i]))) << what << " at " << i;
      }
    }
  });
}

struct Geometry {
  int64_t N, C, H, W, O, kh, kw, sh, sw, ph, pw, dh, dw, groups;
};

const Geometry kGeometries[] = {
    {4, 1, 28, 28, 10, 5, 5, 1, 1, 0, 0, 1, 1, 1},   // the reference CNN's first layer (rows of 24)
    {3, 10, 12, 12, 20, 5, 5, 1, 1, 0, 0, 1, 1, 1},  // its second (rows of 8)
    {2, 1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // "same": the one-span copy
    {1, 3, 9, 23, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1},     // batch 1, rows of 21
    {2, 2, 7, 40, 3, 2, 3, 2, 1, 1, 2, 1, 2, 1},     // row stride 2, column padding and dilation
    {2, 4, 11, 19, 6, 3, 3, 1, 1, 0, 2, 2, 1, 2},    // groups, padding in width only
    {2, 3, 9, 17, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1},     // column stride 2: the strided rows
    {3, 2, 5, 1, 4, 3, 1, 1, 1, 1, 0, 1, 1, 1},      // width 1
    {2, 2, 6, 33, 3, 1, 3, 1, 1, 0, 0, 1, 1, 1},     // rows of 31: every tail length of wide vectors
    {11, 8, 10, 10, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1},   // 72 taps, 64 outputs: forward products of 4 images, then 3
    {5, 6, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2},      // pointwise with groups: no columns at all
};

std::string name_of(const Geometry& g) {
  return "N" + std::to_string(g.N) + " C" + std::to_string(g.C) + " " + std::to_string(g.H) + "x" +
         std::to_string(g.W) + " O" + std::to_string(g.O) + " k" + std::to_string(g.kh) + "x" + std::to_string(g.kw) +
         " s" + std::to_string(g.sh) + "," + std::to_string(g.sw) + " p" + std::to_string(g.ph) + "," +
         std::to_string(g.pw) + " d" + std::to_string(g.dh) + "," + std::to_string(g.dw) + " g" +
         std::to_string(g.groups);
}

// Largest |got - want| relative to the largest |want| (at least 1).
double rel_err(const Tensor& got, const Tensor& want) {
  const double scale = std::max(1.0, want.abs().max().item<double>());
  return (got.to(kDouble) - want).abs().max().item<double>() / scale;
}

TEST(ConvFloatKernels, ConvolutionMatchesDouble) {
  manual_seed(4);
  for_each_target([] {
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      for (const Geometry& g : kGeometries) {
        for (bool strided : {false, true}) {
          const std::string what =
              name_of(g) + (strided ? " non-contiguous" : "") + " threads " + std::to_string(threads);
          // The non-contiguous input is every other column of a wider tensor.
          Tensor base = randn({g.N, g.C, g.H, strided ? 2 * g.W : g.W});
          Tensor xf = (strided ? base.slice(3, 0, 2 * g.W, 2) : base).requires_grad_(false);
          Tensor xd = xf.to(kDouble);
          Tensor wf = randn({g.O, g.C / g.groups, g.kh, g.kw}), bf = randn({g.O});
          Tensor x1 = xf.detach().requires_grad_(), w1 = wf.clone().requires_grad_(), b1 = bf.clone().requires_grad_();
          Tensor x2 = xd.detach().requires_grad_(), w2 = wf.to(kDouble).requires_grad_(),
                 b2 = bf.to(kDouble).requires_grad_();
          Tensor out1 = conv2d(x1, w1, b1, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, g.groups);
          Tensor out2 = conv2d(x2, w2, b2, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, g.groups);
          ASSERT_EQ(out1.dtype(), kFloat) << what;
          EXPECT_LE(rel_err(out1.detach(), out2.detach()), 1e-5) << what;
          Tensor r = randn(out1.sizes());
          auto gf = autograd::grad({(out1 * r).sum()}, {x1, w1, b1});
          auto gd = autograd::grad({(out2 * r.to(kDouble)).sum()}, {x2, w2, b2});
          for (size_t i = 0; i < 3; ++i) EXPECT_LE(rel_err(gf[i], gd[i]), 1e-5) << what << " grad " << i;
        }
      }
    }
  });
  set_num_threads(2);
}

// im2row is im2col transposed, element for element, in float (8-float window copies whose surplus
// the next segment or the row's padding takes) and in double (plain loops), with rows exactly
// C * kh * kw long (pad 0: the last segment copied exactly) and padded. The image is the last thing
// in its buffer, so a window read past its end would be caught by the sanitizer build; the rows'
// buffer has guard elements after it that must stay untouched.
template <typename T>
void check_im2row(const Geometry& g, int64_t pad) {
  const int64_t OH = (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  const int64_t OW = (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  const kernels::Conv2dShape s{1, g.C, g.H, g.W, g.O, 1, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, OH, OW};
  const int64_t K = g.C * g.kh * g.kw, L = OH * OW;
  std::vector<T> img(static_cast<size_t>(g.C * g.H * g.W));
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<T>(static_cast<double>(i % 97) * 0.25 - 11.0);
  const int64_t ld = K + pad, used = (L - 1) * ld + K;  // the last row's padding is not the kernel's
  std::vector<T> cols(static_cast<size_t>(K * L)), rows(static_cast<size_t>(used + 16), T(-7));
  kernels::im2col(img.data(), g.C, s, cols.data());
  kernels::im2row(img.data(), g.C, s, rows.data(), ld);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t l = 0; l < L; ++l)
      ASSERT_EQ(rows[static_cast<size_t>(l * ld + k)], cols[static_cast<size_t>(k * L + l)])
          << name_of(g) << " pad " << pad << " row " << l << " tap " << k;
  if (pad == 0) {
    for (size_t i = static_cast<size_t>(used); i < rows.size(); ++i) ASSERT_EQ(rows[i], T(-7)) << name_of(g);
  }
}

TEST(ConvFloatKernels, Im2RowIsIm2ColTransposed) {
  const Geometry extra[] = {
      {1, 3, 10, 20, 1, 8, 8, 1, 1, 0, 0, 1, 1, 1}, // 8 taps: the widest window copied as one vector
      {1, 2, 9, 12, 1, 3, 9, 1, 1, 0, 0, 1, 1, 1},  // 9 taps: plain loops
      {1, 2, 7, 11, 1, 2, 4, 1, 3, 1, 3, 1, 1, 1},  // column stride 3 and padding both sides
      {1, 1, 5, 9, 1, 1, 5, 1, 1, 0, 2, 1, 1, 1},   // one segment per row: every window exact
  };
  for (int64_t pad : {0, 8}) {
    for (const Geometry& g : kGeometries) {
      check_im2row<float>(g, pad);
      check_im2row<double>(g, pad);
    }
    for (const Geometry& g : extra) {
      check_im2row<float>(g, pad);
      check_im2row<double>(g, pad);
    }
  }
}

TEST(ConvFloatKernels, FirstLayerSkipsTheInputGradient) {
  // An input that needs no gradient (a network's first layer) gets none; the weight's still matches.
  manual_seed(5);
  Tensor x = randn({3, 1, 12, 12});
  Tensor w = randn({4, 1, 5, 5}).requires_grad_();
  Tensor out = conv2d(x, w);
  out.sum().backward();
  EXPECT_FALSE(x.grad().defined());
  Tensor wd = w.detach().to(kDouble).requires_grad_();
  conv2d(x.to(kDouble), wd).sum().backward();
  EXPECT_LE(rel_err(w.grad(), wd.grad()), 1e-5);
}

TEST(ConvFloatKernels, MaxPool2x2MatchesDouble) {
  for_each_target([&] {
    // Widths 2..41 leave every tail of 4-, 8- and 16-lane vectors (the output is W / 2 wide); NaN
    // placed in some windows must win over numbers, the last one in scan order when two are there.
    manual_seed(6);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int64_t W = 2; W <= 41; ++W) {
      Tensor x = randn({2, 3, 5, W});
      float* p = x.data_ptr<float>();
      p[1] = nan;                   // first window, top right
      p[W] = nan;                   // and bottom left: the later one in scan order
      p[x.numel() - 1 - W] = -nan;  // last plane, last row pair
      Tensor xd = x.to(kDouble);
      for (bool grad : {false, true}) {
        Tensor xf = x.detach().requires_grad_(grad);
        auto [v, ind] = max_pool2d_with_indices(xf, {2}, {2}, {0}, {1}, false);
        auto [vd, indd] = max_pool2d_with_indices(xd, {2}, {2}, {0}, {1}, false);
        EXPECT_TRUE(equal(ind, indd)) << "W " << W;
        EXPECT_TRUE(equal(v.to(kDouble).nan_to_num(7.0), vd.nan_to_num(7.0))) << "W " << W;
        EXPECT_TRUE(equal(isnan(v), isnan(vd))) << "W " << W;
        Tensor plain = max_pool2d(xf, {2}, {2}, {0}, {1}, false);
        EXPECT_TRUE(equal(plain.detach().nan_to_num(7.0), v.detach().nan_to_num(7.0))) << "W " << W;
      }
    }
  });
}

}  // namespace

namespace {
// The 2x2 backward kernel on planes of every small height and width (odd ones leave a row or a
// column no window covers, which must come out zero from a buffer poisoned with NaN) against the
// zero-then-add loop, bit for bit: -0 gradients must become +0 as 0 + -0 does, NaN and infinite
// gradients land at their index only. The input has ties and NaNs, so the indices are the ones
// those rules pick.
template <typename T>
void check_max_pool2x2_backward(ScalarType dtype) {
  manual_seed(8);
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  for (int64_t H = 2; H <= 5; ++H)
    for (int64_t W = 2; W <= 41; ++W) {
      const int64_t planes = 3, OH = H / 2, OW = W / 2;
      Tensor x = (randn({1, planes, H, W}) * 2).round().to(dtype);  // many ties
      T* xp = x.data_ptr<T>();
      xp[1] = nan;
      xp[x.numel() - 1 - W] = nan;
      Tensor ind = std::get<1>(max_pool2d_with_indices(x, {2}, {2}, {0}, {1}, false));
      Tensor gout = randn({planes, OH, OW}).to(dtype);
      T* gp = gout.data_ptr<T>();
      gp[0] = T(-0.0);
      gp[gout.numel() - 1] = -inf;
      if (gout.numel() > 2) gp[1] = nan;
      if (gout.numel() > 3) gp[gout.numel() - 2] = T(-0.0);
      const int64_t* ip = ind.data_ptr<int64_t>();
      std::vector<T> want(static_cast<size_t>(planes * H * W), T(0));
      for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t i = 0; i < OH * OW; ++i) want[static_cast<size_t>(pl * H * W + ip[pl * OH * OW + i])] += gp[pl * OH * OW + i];
      std::vector<T> got(want.size(), nan);
      kernels::Conv2dShape s{1, planes, H, W, planes, 1, 2, 2, 2, 2, 0, 0, 1, 1, OH, OW};
      ASSERT_TRUE(kernels::max_pool_is_2x2(s));
      kernels::max_pool2d_backward(gp, ip, planes, s, got.data());
      EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(T)), 0) << H << "x" << W;
    }
}
}  // namespace

TEST(ConvFloatKernels, MaxPool2x2BackwardWritesEachBlockOnce) {
  for_each_target([&] {
    check_max_pool2x2_backward<float>(kFloat);
    check_max_pool2x2_backward<double>(kDouble);
  });
}

TEST(ConvFloatKernels, MaxPool2x2BackwardOfNonContiguousGradient) {
  for_each_target([&] {
    // Through autograd: a transposed (non-contiguous) output gradient, odd and even sizes, float and
    // double; the kernel path against the create_graph path (public ops), bit for bit.
    manual_seed(9);
    for (ScalarType dtype : {kFloat, kDouble})
      for (int64_t H : {24, 9})
        for (int64_t W : {24, 13}) {
          Tensor x = (randn({2, 3, H, W}) * 3).round().to(dtype).requires_grad_();
          auto [v, ind] = max_pool2d_with_indices(x, {2}, {2}, {0}, {1}, false);
          Tensor g = randn({2, 3, v.size(3), v.size(2)}).to(dtype).transpose(2, 3);
          ASSERT_FALSE(g.is_contiguous());
          Tensor fast = autograd::grad({v}, {x}, {g}, true)[0];
          Tensor graph = autograd::grad({v}, {x}, {g}, true, true)[0];
          EXPECT_TRUE(equal(fast, graph)) << H << "x" << W;
          EXPECT_EQ(fast.dtype(), dtype);
          // Each picked element holds its window's gradient and every other element is 0.
          EXPECT_TRUE(equal(fast.flatten(2).gather(2, ind.flatten(2)), g.flatten(2))) << H << "x" << W;
          EXPECT_EQ(fast.ne(0).sum().item<int64_t>(), g.ne(0).sum().item<int64_t>()) << H << "x" << W;
        }
  });
}
