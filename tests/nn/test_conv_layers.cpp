// Conv1d, Conv2d padding modes, ConvTranspose2d, MaxPool1d, AvgPool2d, AdaptiveAvgPool2d and
// Unflatten through torch/torch.h: PyTorch's initialization, LibTorch's printing, module == functional
// == op, and bad input (PyTorch's message, nothing modified). This file also builds and passes
// against Debian's LibTorch 1.13 itself (g++ -std=c++17 -I/usr/include/torch/csrc/api/include
// test_conv_layers.cpp -ltorch -ltorch_cpu -lc10 -lgtest -lgtest_main -pthread), so every
// expectation here is LibTorch's behaviour, with one exception marked below where LibTorch 1.13
// has a bug and ember follows PyTorch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <sstream>
#include "../expect_error.h"

namespace F = torch::nn::functional;

namespace {

void expect_values(const torch::Tensor& t, const std::vector<double>& want, double tol) {
  auto flat = t.detach().to(torch::kDouble).reshape({-1});
  ASSERT_EQ(flat.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(flat[i].item<double>(), want[i], tol) << i;
}

std::string printed(const torch::nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}


torch::Tensor ramp(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return torch::linspace(-1, 1, n).reshape(shape);
}

}  // namespace

// torch.manual_seed(0); torch.nn.Conv1d(2, 3, 3) in PyTorch 1.13.
TEST(ConvLayers, Conv1dInitialisationMatchesPyTorch) {
  torch::manual_seed(0);
  torch::nn::Conv1d conv(2, 3, 3);
  EXPECT_EQ(conv->weight.sizes(), torch::IntArrayRef({3, 2, 3}));
  expect_values(conv->weight,
                {-0.0030564817134290934, 0.21900218725204468, -0.3360067903995514, -0.3004458546638489,
                 -0.15723861753940582, 0.1094747856259346, -0.008088696748018265, 0.3236957788467407,
                 -0.036229606717824936, 0.1080276295542717, -0.1233779713511467, -0.08024748414754868,
                 -0.39001941680908203, -0.2703755497932434, -0.16828937828540802, 0.0151229752227664,
                 0.16139492392539978, 0.2449582815170288},
                1e-7);
  expect_values(conv->bias, {-0.276768296957016, -0.17777696251869202, 0.14828276634216309}, 1e-7);
}

// torch.manual_seed(1); torch.nn.ConvTranspose2d(2, 4, 2, groups=2): weight (in, out/groups, kh, kw).
TEST(ConvLayers, ConvTranspose2dInitialisationMatchesPyTorch) {
  torch::manual_seed(1);
  torch::nn::ConvTranspose2d conv(torch::nn::ConvTranspose2dOptions(2, 4, 2).groups(2));
  EXPECT_EQ(conv->weight.sizes(), torch::IntArrayRef({2, 2, 2, 2}));
  expect_values(conv->weight,
                {0.18217304348945618, -0.15605077147483826, -0.06854038685560226, 0.16594697535037994,
                 -0.3328481912612915, 0.21203206479549408, -0.07273487746715546, 0.17986811697483063,
                 0.049149926751852036, -0.04329054430127144, 0.09806188941001892, 0.017441419884562492,
                 0.1291276514530182, -0.1377801150083542, -0.025777138769626617, -0.03182946890592575},
                1e-7);
  expect_values(conv->bias, {0.05124542489647865, -0.001412383047863841, 0.3090645968914032, 0.11002232134342194},
                1e-7);
}

// The strings LibTorch 1.13 prints for the same modules.
TEST(ConvLayers, PrettyPrintMatchesLibTorch) {
  using namespace torch::nn;
  EXPECT_EQ(printed(*Conv1d(Conv1dOptions(2, 4, 3))), "torch::nn::Conv1d(2, 4, kernel_size=3, stride=1)");
  EXPECT_EQ(printed(*Conv1d(Conv1dOptions(2, 4, 3).stride(2).padding(1).dilation(2).groups(2).bias(false))),
            "torch::nn::Conv1d(2, 4, kernel_size=3, stride=2, padding=1, dilation=2, groups=2, bias=false)");
  EXPECT_EQ(printed(*Conv1d(Conv1dOptions(2, 4, 2).padding(torch::kSame))),
            "torch::nn::Conv1d(2, 4, kernel_size=2, stride=1, padding='same')");
  EXPECT_EQ(printed(*Conv2d(Conv2dOptions(2, 4, {2, 3}).padding(torch::kValid))),
            "torch::nn::Conv2d(2, 4, kernel_size=[2, 3], stride=[1, 1], padding='valid')");
  EXPECT_EQ(printed(*Conv2d(Conv2dOptions(2, 4, {2, 3}).padding({1, 2}))),
            "torch::nn::Conv2d(2, 4, kernel_size=[2, 3], stride=[1, 1], padding=[1, 2])");
  EXPECT_EQ(printed(*ConvTranspose2d(ConvTranspose2dOptions(2, 4, 3))),
            "torch::nn::ConvTranspose2d(2, 4, kernel_size=[3, 3], stride=[1, 1])");
  EXPECT_EQ(printed(*ConvTranspose2d(
                ConvTranspose2dOptions(2, 4, {3, 2}).stride(2).padding(1).output_padding(1).dilation(2).groups(2).bias(false))),
            "torch::nn::ConvTranspose2d(2, 4, kernel_size=[3, 2], stride=[2, 2], padding=[1, 1], dilation=[2, 2], "
            "output_padding=[1, 1], groups=2, bias=false)");
  EXPECT_EQ(printed(*MaxPool1d(MaxPool1dOptions(3))),
            "torch::nn::MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=false)");
  EXPECT_EQ(printed(*MaxPool1d(MaxPool1dOptions(3).stride(2).padding(1).dilation(2).ceil_mode(true))),
            "torch::nn::MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=true)");
  EXPECT_EQ(printed(*AvgPool2d(AvgPool2dOptions(3))),
            "torch::nn::AvgPool2d(kernel_size=[3, 3], stride=[3, 3], padding=[0, 0])");
  EXPECT_EQ(printed(*AvgPool2d(
                AvgPool2dOptions({3, 2}).stride(1).padding(1).ceil_mode(true).count_include_pad(false).divisor_override(5))),
            "torch::nn::AvgPool2d(kernel_size=[3, 2], stride=[1, 1], padding=[1, 1])");
  EXPECT_EQ(printed(*AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions(3))),
            "torch::nn::AdaptiveAvgPool2d(output_size=[3, 3])");
  EXPECT_EQ(printed(*AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions({3, c10::nullopt}))),
            "torch::nn::AdaptiveAvgPool2d(output_size=[3, None])");
  EXPECT_EQ(printed(*AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions({2, 4}))),
            "torch::nn::AdaptiveAvgPool2d(output_size=[2, 4])");
  EXPECT_EQ(printed(*Unflatten(UnflattenOptions(1, {2, 3}))), "torch::nn::Unflatten(dim=1, unflattened_size={2, 3})");
  EXPECT_EQ(printed(*Unflatten(UnflattenOptions(-1, std::vector<int64_t>{6}))),
            "torch::nn::Unflatten(dim=-1, unflattened_size={6})");
  EXPECT_EQ(printed(*MaxPool2d(MaxPool2dOptions(2))),
            "torch::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=false)");
}

TEST(ConvLayers, ModulesEqualFunctionalAndOps) {
  torch::manual_seed(3);
  auto x1 = ramp({2, 2, 9});
  torch::nn::Conv1d c1(torch::nn::Conv1dOptions(2, 4, 3).stride(2).padding(1).dilation(2).groups(2));
  auto y1 = c1(x1);
  EXPECT_TRUE(y1.equal(F::conv1d(x1, c1->weight,
                                 F::Conv1dFuncOptions().bias(c1->bias).stride(2).padding(1).dilation(2).groups(2))));
  EXPECT_TRUE(y1.equal(torch::conv1d(x1, c1->weight, c1->bias, 2, 1, 2, 2)));
  EXPECT_EQ(y1.grad_fn()->name(), "ConvolutionBackward0");

  // padding kSame on an even kernel: the output keeps the length; equals the "same" op.
  torch::nn::Conv1d same(torch::nn::Conv1dOptions(2, 3, 4).padding(torch::kSame));
  auto ys = same(x1);
  EXPECT_EQ(ys.sizes(), torch::IntArrayRef({2, 3, 9}));
  EXPECT_TRUE(ys.equal(torch::conv1d(x1, same->weight, same->bias, 1, "same")));
  EXPECT_TRUE(ys.equal(F::conv1d(x1, same->weight, F::Conv1dFuncOptions().bias(same->bias).padding(torch::kSame))));

  auto x2 = ramp({2, 2, 6, 5});
  torch::nn::Conv2d c2(torch::nn::Conv2dOptions(2, 3, {2, 3}).padding(torch::kSame).dilation({2, 1}));
  auto y2 = c2(x2);
  EXPECT_EQ(y2.sizes(), torch::IntArrayRef({2, 3, 6, 5}));
  EXPECT_TRUE(y2.equal(torch::conv2d(x2, c2->weight, c2->bias, 1, "same", {2, 1})));
  torch::nn::Conv2d valid(torch::nn::Conv2dOptions(2, 3, 3).padding(torch::kValid));
  EXPECT_TRUE(valid(x2).equal(torch::conv2d(x2, valid->weight, valid->bias)));

  torch::nn::ConvTranspose2d ct(torch::nn::ConvTranspose2dOptions(2, 4, 3).stride(2).padding(1).output_padding(1));
  auto yt = ct(x2);
  EXPECT_EQ(yt.sizes(), torch::IntArrayRef({2, 4, 12, 10}));
  EXPECT_TRUE(yt.equal(F::conv_transpose2d(
      x2, ct->weight, F::ConvTranspose2dFuncOptions().bias(ct->bias).stride(2).padding(1).output_padding(1))));
  EXPECT_TRUE(yt.equal(torch::conv_transpose2d(x2, ct->weight, ct->bias, 2, 1, 1)));

  torch::nn::MaxPool1d mp(torch::nn::MaxPool1dOptions(3).stride(2).padding(1));
  EXPECT_TRUE(mp(x1).equal(F::max_pool1d(x1, F::MaxPool1dFuncOptions(3).stride(2).padding(1))));
  EXPECT_TRUE(mp(x1).equal(torch::max_pool1d(x1, 3, 2, 1)));

  torch::nn::AvgPool2d ap(torch::nn::AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false));
  EXPECT_TRUE(ap(x2).equal(F::avg_pool2d(x2, F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false))));
  EXPECT_TRUE(ap(x2).equal(torch::avg_pool2d(x2, 3, 2, 1, false, false)));

  torch::nn::AdaptiveAvgPool2d aap(torch::nn::AdaptiveAvgPool2dOptions({4, 3}));
  EXPECT_TRUE(aap(x2).equal(F::adaptive_avg_pool2d(x2, F::AdaptiveAvgPool2dFuncOptions({4, 3}))));
  EXPECT_TRUE(aap(x2).equal(torch::adaptive_avg_pool2d(x2, {4, 3})));

  torch::nn::Unflatten un(torch::nn::UnflattenOptions(1, {3, 2}));
  auto flat = ramp({2, 6});
  EXPECT_TRUE(un(flat).equal(flat.unflatten(1, {3, 2})));
  EXPECT_EQ(un(flat).sizes(), torch::IntArrayRef({2, 3, 2}));
}

// PyTorch 1.13: each module built after torch.manual_seed(s) and applied to linspace(-1, 1, n)
// (padding modes other than zeros pad with F.pad first, "same" splitting odd totals to the end).
TEST(ConvLayers, PaddingModesMatchPyTorch) {
  torch::manual_seed(5);
  torch::nn::Conv1d c1(torch::nn::Conv1dOptions(2, 3, 3).padding(1).padding_mode(torch::kReflect));
  auto y1 = c1(torch::linspace(-1, 1, 10).reshape({1, 2, 5}));
  EXPECT_EQ(y1.grad_fn()->name(), "ConvolutionBackward0");
  expect_values(y1,
                {-0.5043703317642212, -0.609580397605896, -0.4788486957550049, -0.34811702370643616,
                 -0.22613635659217834, 0.8200197219848633, 0.7807567119598389, 0.7990390062332153, 0.8173213005065918,
                 0.9815438389778137, 0.24960234761238098, 0.49522095918655396, 0.6144603490829468, 0.7336996793746948,
                 0.7204254865646362},
                1e-6);

  // LibTorch 1.13 (not PyTorch) gets this one wrong: for padding kSame with a non-zeros mode it
  // fills _reversed_padding_repeated_twice without reversing the dims, so a 4x5 input gives 5x4.
  torch::manual_seed(6);
  torch::nn::Conv2d c2(torch::nn::Conv2dOptions(2, 2, {2, 3}).padding(torch::kSame).padding_mode(torch::kCircular));
  auto y2 = c2(torch::linspace(-1, 1, 80).reshape({2, 2, 4, 5}));
  EXPECT_EQ(y2.sizes(), torch::IntArrayRef({2, 2, 4, 5}));
  expect_values(y2.reshape({-1}).index({torch::indexing::Slice(0, torch::indexing::None, 7)}),
                {-0.19736841320991516, -0.16288739442825317, -0.16048431396484375, -0.30608439445495605,
                 -0.2903369069099426, -0.4903887212276459, 0.017535477876663208, 0.01993853971362114,
                 0.3068104088306427, -0.21159927546977997, -0.19124510884284973, -0.40051013231277466},
                1e-6);

  torch::manual_seed(7);
  torch::nn::Conv2d c3(
      torch::nn::Conv2dOptions(2, 3, 3).padding({1, 2}).padding_mode(torch::kReplicate).stride({1, 2}));
  auto y3 = c3(torch::linspace(-1, 1, 40).reshape({2, 4, 5}));
  EXPECT_EQ(y3.sizes(), torch::IntArrayRef({3, 4, 4}));
  expect_values(y3.reshape({-1}).index({torch::indexing::Slice(0, torch::indexing::None, 5)}),
                {0.012171030044555664, -0.18317484855651855, -0.3087541460990906, -0.3292841911315918,
                 -0.1690243035554886, 0.235164612531662, 0.5480972528457642, 0.16090568900108337, 0.22384017705917358,
                 0.023214153945446014},
                1e-6);

  EXPECT_EQ(printed(*c1), "torch::nn::Conv1d(2, 3, kernel_size=3, stride=1, padding=1, padding_mode=kReflect)");
  EXPECT_EQ(printed(*torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 4, 3).padding_mode(torch::kCircular))),
            "torch::nn::Conv2d(2, 4, kernel_size=[3, 3], stride=[1, 1], padding_mode=kCircular)");
  EXPECT_EQ(printed(*torch::nn::Conv2d(
                torch::nn::Conv2dOptions(2, 4, 2).padding(torch::kSame).padding_mode(torch::kReplicate))),
            "torch::nn::Conv2d(2, 4, kernel_size=[2, 2], stride=[1, 1], padding='same', padding_mode=kReplicate)");
  EXPECT_EQ(printed(*torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(2, 4, 3).padding_mode(torch::kZeros))),
            "torch::nn::ConvTranspose2d(2, 4, kernel_size=[3, 3], stride=[1, 1])");
  auto x = torch::ones({1, 2, 3, 3});
  expect_error(
      [&] { torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(2, 4, 3).padding_mode(torch::kReflect))(x); },
      "Only `zeros` padding mode is supported for ConvTranspose2d", {x});
  auto short_seq = torch::ones({1, 2, 3});
  expect_error([&] { torch::nn::Conv1d(torch::nn::Conv1dOptions(2, 4, 3).padding(3).padding_mode(torch::kReflect))(short_seq); },
               "Padding size should be less than the corresponding input dimension", {short_seq});
}

// F.max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True) in PyTorch 1.13.
TEST(ConvLayers, MaxPool1dIndicesMatchPyTorch) {
  auto x = torch::tensor({1., 5., 2., 8., 3., 3., 7., 0., -1., 4., 4., 2., 9., 1.}).reshape({1, 2, 7});
  torch::nn::MaxPool1d mp(torch::nn::MaxPool1dOptions(3).stride(2).padding(1).ceil_mode(true));
  auto [values, indices] = mp->forward_with_indices(x);
  expect_values(values, {5, 8, 8, 7, 0, 4, 9, 9}, 0);
  EXPECT_EQ(indices.dtype(), torch::kLong);
  expect_values(indices, {1, 3, 3, 6, 0, 2, 5, 5}, 0);
}

// PyTorch 1.13 updates the running maximum on `v > max || isnan(v)`: the last NaN of a window wins.
TEST(ConvLayers, MaxPoolPicksLastNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto x = torch::tensor({1., nan, 5., nan, 3., 2., 4., 0.}).reshape({1, 1, 1, 8});
  auto [v2, i2] = torch::max_pool2d_with_indices(x, {1, 5}, {1, 3});
  EXPECT_TRUE(std::isnan(v2[0][0][0][0].item<double>()));
  expect_values(i2, {3, 3}, 0);
  EXPECT_TRUE(std::isnan(v2[0][0][0][1].item<double>()));
  auto [v1, i1] = torch::max_pool1d_with_indices(x.reshape({1, 1, 8}), 4, 4);
  EXPECT_TRUE(std::isnan(v1[0][0][0].item<double>()));
  EXPECT_EQ(v1[0][0][1].item<double>(), 4);
  expect_values(i1, {3, 6}, 0);
  // Without NaN the first maximum keeps its index.
  auto [v3, i3] = torch::max_pool2d_with_indices(torch::tensor({2., 7., 7., 1.}).reshape({1, 1, 2, 2}), 2);
  expect_values(i3, {1}, 0);
}

// A kernel far larger than the image costs no more than the image (only taps inside it are visited).
TEST(ConvLayers, MaxPoolHugeKernel) {
  auto x = torch::tensor({3., -1., 8., 2., 0., 5., 1., 4., 6.}).reshape({1, 1, 3, 3}).requires_grad_(true);
  const int64_t k = int64_t(1) << 30;
  auto [v, i] = torch::max_pool2d_with_indices(x, k, {}, k / 2);
  EXPECT_EQ(v.sizes(), torch::IntArrayRef({1, 1, 1, 1}));
  expect_values(v, {8}, 0);
  expect_values(i, {2}, 0);
  v.sum().backward();
  expect_values(x.grad(), {0, 0, 1, 0, 0, 0, 0, 0, 0}, 0);
  auto [v1, i1] = torch::max_pool1d_with_indices(x.detach().reshape({1, 1, 9}), k, {}, k / 2);
  expect_values(v1, {8}, 0);
  expect_values(i1, {2}, 0);
}

// Empty batches: forward and backward give empty outputs and gradients (zero for the weights) of
// PyTorch 1.13's shapes.
TEST(ConvLayers, EmptyBatchBackward) {
  auto check = [](const char* what, torch::Tensor out, std::vector<int64_t> out_shape, std::vector<torch::Tensor> in) {
    EXPECT_EQ(out.sizes(), torch::IntArrayRef(out_shape)) << what;
    for (bool create_graph : {false, true}) {
      auto g = torch::autograd::grad({out.sum()}, in, {}, true, create_graph);
      for (size_t j = 0; j < in.size(); ++j) {
        EXPECT_EQ(g[j].sizes(), in[j].sizes()) << what << " input " << j;
        EXPECT_TRUE(g[j].equal(torch::zeros_like(in[j]))) << what << " input " << j;
      }
    }
  };
  auto x4 = torch::randn({0, 2, 4, 4}).requires_grad_(true);
  auto x3 = torch::randn({0, 2, 5}).requires_grad_(true);
  auto w2 = torch::randn({3, 2, 3, 3}).requires_grad_(true), b = torch::randn({3}).requires_grad_(true);
  auto w1 = torch::randn({3, 2, 3}).requires_grad_(true), wt = torch::randn({2, 3, 3, 3}).requires_grad_(true);
  check("max_pool2d", torch::max_pool2d(x4, 2), {0, 2, 2, 2}, {x4});
  check("max_pool1d", torch::max_pool1d(x3, 2), {0, 2, 2}, {x3});
  check("avg_pool2d", torch::avg_pool2d(x4, 2), {0, 2, 2, 2}, {x4});
  check("conv2d", torch::conv2d(x4, w2, b), {0, 3, 2, 2}, {x4, w2, b});
  check("conv2d groups", torch::conv2d(x4, torch::randn({4, 1, 3, 3}).requires_grad_(true), {}, 1, std::vector<int64_t>{0, 0}, 1, 2),
        {0, 4, 2, 2}, {x4});
  check("conv1d", torch::conv1d(x3, w1), {0, 3, 3}, {x3, w1});
  check("conv_transpose2d", torch::conv_transpose2d(x4, wt, b), {0, 3, 6, 6}, {x4, wt, b});
}

// m = ConvTranspose2d(3, 2, 3, stride=2) after torch.manual_seed(2); m(x, output_size=[10, 9]) in PyTorch 1.13.
TEST(ConvLayers, ConvTranspose2dOutputSize) {
  torch::manual_seed(2);
  torch::nn::ConvTranspose2d m(torch::nn::ConvTranspose2dOptions(3, 2, 3).stride(2));
  auto x = ramp({2, 3, 4, 4});
  auto y = m->forward(x, std::vector<int64_t>{10, 9});
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 2, 10, 9}));
  EXPECT_NEAR(y.sum().item<double>(), -6.4042463302612305, 1e-4);
  EXPECT_TRUE(m->forward(x, std::vector<int64_t>{2, 2, 10, 9}).equal(y));
  EXPECT_TRUE(y.equal(torch::conv_transpose2d(x, m->weight, m->bias, 2, 0, {1, 0})));
  expect_error([&] { m->forward(x, std::vector<int64_t>{12, 9}); },
               "requested an output size of [12, 9], but valid sizes range from 9 9 to 10 10 (for an input of [4, 4])",
               {x, m->weight});
  expect_error([&] { m->forward(x, std::vector<int64_t>{2, 10, 9}); }, "output_size must have 2 or 4 elements (got 3)",
               {x});
}

// F.avg_pool2d on int64 in PyTorch 1.13: sums divided with truncation toward zero.
TEST(ConvLayers, AvgPool2dOnInt64Truncates) {
  auto x = torch::tensor({1, 2, 3, 5, -1, -2, -3, -5}, torch::kLong).reshape({2, 1, 2, 2});
  auto y = torch::avg_pool2d(x, 2);
  EXPECT_EQ(y.dtype(), torch::kLong);
  expect_values(y, {2, -2}, 0);
}

TEST(ConvLayers, AdaptiveAvgPool2dNoneKeepsInputSize) {
  auto x = ramp({2, 5, 4});
  torch::nn::AdaptiveAvgPool2d pool(torch::nn::AdaptiveAvgPool2dOptions({3, c10::nullopt}));
  auto y = pool(x);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 3, 4}));
  EXPECT_TRUE(y.equal(torch::adaptive_avg_pool2d(x, {3, 4})));
}

TEST(ConvLayers, BackwardThroughModules) {
  torch::manual_seed(4);
  torch::nn::Conv1d conv(torch::nn::Conv1dOptions(2, 3, 2).padding(torch::kSame));
  torch::nn::ConvTranspose2d up(torch::nn::ConvTranspose2dOptions(3, 2, 2).stride(2));
  torch::nn::AvgPool2d pool(torch::nn::AvgPool2dOptions(2));
  torch::nn::AdaptiveAvgPool2d ada(torch::nn::AdaptiveAvgPool2dOptions(1));
  auto x = ramp({2, 2, 6}).requires_grad_(true);
  auto h = conv(x).unsqueeze(2);        // (2, 3, 1, 6)
  auto u = pool(up(h));                  // (2, 2, 2, 12) -> (2, 2, 1, 6)
  auto out = ada(u).sum();
  out.backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().sizes(), x.sizes());
  ASSERT_TRUE(conv->weight.grad().defined());
  ASSERT_TRUE(up->weight.grad().defined());
  ASSERT_TRUE(up->bias.grad().defined());
  // Each output is a mean of 6 positions times 2 channels summed over the batch: d/d bias = 2 * 1.
  expect_values(up->bias.grad(), {2, 2}, 1e-6);
}

TEST(ConvLayers, BadInput) {
  auto w1 = torch::ones({4, 2, 2});
  auto x1 = ramp({1, 2, 5});
  expect_error([&] { torch::conv1d(torch::ones({5}), w1); },
               "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [5]", {w1});
  expect_error([&] { torch::conv2d(torch::ones({5, 5}), torch::ones({3, 2, 3, 3})); },
               "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [5, 5]");
  expect_error([&] { torch::conv1d(ramp({2, 3, 5}), w1); },
               "Given groups=1, weight of size [4, 2, 2], expected input[2, 3, 5] to have 2 channels, but got 3 channels "
               "instead",
               {w1});
  expect_error([&] { torch::conv2d(ramp({1, 3, 2, 2}), torch::ones({2, 3, 3, 3})); },
               "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater "
               "than actual input size");
  expect_error([&] { torch::conv1d(ramp({1, 2, 1}), w1); },
               "Calculated padded input size per channel: (1). Kernel size: (2). Kernel size can't be greater than "
               "actual input size");
  expect_error([&] { torch::conv1d(x1, w1, {}, 2, "same"); }, "padding='same' is not supported for strided convolutions",
               {x1, w1});
  expect_error([&] { torch::conv1d(x1, w1, {}, 1, "full"); }, "Invalid padding string: 'full'", {x1});
  expect_error([&] { torch::nn::Conv1d(torch::nn::Conv1dOptions(2, 4, 3).stride(2).padding(torch::kSame)); },
               "padding='same' is not supported for strided convolutions");
  expect_error([&] { torch::conv1d(x1, w1, torch::ones({3})); },
               "Given weight of size [4, 2, 2], expected bias to be 1-dimensional with 4 elements, but got bias of size "
               "[3] instead");
  expect_error([&] { torch::conv1d(x1, w1, {}, {1, 1}); },
               "expected stride to be a single integer value or a list of 1 values to match the convolution dimensions, "
               "but got stride=[1, 1]");
  expect_error([&] { torch::conv1d(x1, w1, {}, 1, torch::IntArrayRef(-1)); }, "negative padding is not supported");
  expect_error([&] { torch::conv1d(x1, torch::ones({4, 2})); }, "weight should have at least three dimensions");

  auto xt = ramp({2, 3, 5, 5});
  auto wt = torch::ones({3, 2, 3, 3});
  expect_error([&] { torch::conv_transpose2d(xt, wt, {}, 2, 0, 2); },
               "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 "
               "output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1",
               {xt, wt});
  expect_error([&] { torch::conv_transpose2d(xt, wt, {}, 2, 0, -1); }, "negative output_padding is not supported");
  expect_error([&] { torch::conv_transpose2d(ramp({2, 2, 5, 5}), wt); },
               "Given transposed=1, weight of size [3, 2, 3, 3], expected input[2, 2, 5, 5] to have 3 channels, but got "
               "2 channels instead");
  expect_error([&] { torch::conv_transpose2d(xt, wt, {}, 1, 4); },
               "Given input size per channel: (5 x 5). Calculated output size per channel: (-1 x -1). Output size is "
               "too small");
  expect_error([&] { torch::conv_transpose2d(xt, wt, torch::ones({3})); },
               "Given transposed=1, weight of size [3, 2, 3, 3], expected bias to be 1-dimensional with 2 elements, but "
               "got bias of size [3] instead");
  expect_error([&] { torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(3, 4, 3).groups(2)); },
               "in_channels must be divisible by groups");

  expect_error([&] { torch::max_pool1d(torch::ones({5}), 2); },
               "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[5]");
  expect_error([&] { torch::max_pool1d(x1, 2, {}, 2); },
               "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2", {x1});
  expect_error([&] { torch::max_pool1d(x1, 0); }, "max_pool1d() kernel_size must be greater than zero, but got 0");
  expect_error([&] { torch::max_pool1d(x1, {2, 2}); },
               "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size 2");
  // Without autograd ATen's max_pool1d returns an empty output where the window does not fit; with
  // it, max_pool2d's check applies.
  EXPECT_EQ(torch::nn::MaxPool1d(3)(ramp({1, 2, 2})).sizes(), torch::IntArrayRef({1, 2, 0}));
  auto short_seq = ramp({1, 2, 2}).requires_grad_(true);
  expect_error([&] { torch::nn::MaxPool1d(3)(short_seq); },
               "Given input size: (2x1x2). Calculated output size: (2x1x0). Output size is too small", {short_seq});
  expect_error([&] { torch::max_pool1d(ramp({1, 2, 1}), 4, {}, 2, 3); }, "max_pool1d() Invalid computed output size: -1");
  expect_error([&] { torch::max_pool1d(torch::ones({1, 2, 4}, torch::kLong), 2); },
               "\"max_pool1d_impl\" not implemented for 'Long'");
  expect_error([&] { torch::max_pool2d(torch::ones({1, 2, 4}, torch::kInt), 2); },
               "\"max_pool2d\" not implemented for 'Int'");

  auto x2 = ramp({1, 5, 5});
  expect_error([&] { torch::avg_pool2d(torch::ones({1, 1, 1, 5, 5}), 2); },
               "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 1, 5, 5]");
  expect_error([&] { torch::avg_pool2d(x2, 3, {}, 2); },
               "pad should be at most half of kernel size, but got pad=2 and kernel_size=3", {x2});
  expect_error([&] { torch::avg_pool2d(x2, 2, {}, 0, false, true, 0); }, "divisor must be not zero", {x2});
  expect_error([&] { torch::avg_pool2d(ramp({1, 1, 1, 1}), 2); },
               "Given input size: (1x1x1). Calculated output size: (1x0x0). Output size is too small");
  expect_error([&] { torch::avg_pool2d(x2, {2, 2, 2}); },
               "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints");
  expect_error([&] { torch::avg_pool2d(torch::ones({1, 4, 4}, torch::kInt), 2); },
               "\"avg_pool2d\" not implemented for 'Int'");

  expect_error([&] { torch::adaptive_avg_pool2d(torch::ones({5, 5}), {2, 2}); },
               "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5, 5]");
  expect_error([&] { torch::adaptive_avg_pool2d(x2, {2, 2, 2}); }, "adaptive_avg_pool2d: output_size must be 2", {x2});
  expect_error([&] { F::adaptive_avg_pool2d(x2, F::AdaptiveAvgPool2dFuncOptions({2, 2, 2})); },
               "Expected 2 values, but instead got 3", {x2});
  expect_error([&] { torch::adaptive_avg_pool2d(x2, {-1, 2}); },
               "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, 2}");
  expect_error([&] { torch::adaptive_avg_pool2d(torch::ones({1, 0, 5}), {2, 2}); },
               "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has "
               "sizes [1, 0, 5] with dimension 1 being empty");

  auto flat = ramp({2, 6});
  expect_error([&] { torch::nn::Unflatten(torch::nn::UnflattenOptions(1, {4, 2}))(flat); },
               "unflatten: Provided sizes [4, 2] don't multiply up to the size of dim 1 (6) in the input tensor", {flat});
}
