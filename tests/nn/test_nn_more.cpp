// The padding, unpooling, Bilinear, parameter-container, grid-sampling and other layers of
// layers_more.h / padding_extra.h / pooling_unpool.h / parameter_containers.h and the ops of
// nn_functions.h: values and gradients against PyTorch 1.13 (tests/fixtures/nn_more.json),
// printing and error messages against LibTorch 1.13 (tests/fixtures/nn_more_libtorch.txt),
// properties of the random layers, the in-place forms, and gradchecks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "../expect_error.h"
#include "ops/op_table.h"

namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
using ember_test::json;
using ember_test::tensor_from;
using torch::Tensor;
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

const json& fixture() {
  static json j = ember_test::load_fixture("nn_more.json");
  return j;
}

const std::map<std::string, std::string>& libtorch(const std::string& kind) {
  static std::map<std::string, std::map<std::string, std::string>> all = [] {
    std::map<std::string, std::map<std::string, std::string>> m;
    std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/nn_more_libtorch.txt");
    std::string line;
    while (std::getline(in, line)) {
      const size_t sp = line.find(' '), tab = line.find('\t');
      if (sp == std::string::npos || tab == std::string::npos) continue;
      m[line.substr(0, sp)][line.substr(sp + 1, tab - sp - 1)] = line.substr(tab + 1);
    }
    return m;
  }();
  return all[kind];
}

void expect_close(const Tensor& got, const json& want, const std::string& what, double tol = 1e-9) {
  Tensor w = tensor_from(want);
  ASSERT_EQ(got.sizes().vec(), w.sizes().vec()) << what;
  ASSERT_EQ(got.dtype(), w.dtype()) << what;
  EXPECT_TRUE(got.allclose(w, tol, tol, /*equal_nan=*/true)) << what << "\n got " << got << "\nwant " << w;
}

// Loads the case's parameters into the module, runs forward on its inputs, backpropagates the
// upstream rule and compares the output and every gradient with PyTorch's.
void run_case(const std::string& name, const std::shared_ptr<nn::Module>& module, const Fn& forward) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(fixture()["cases"].contains(name)) << name;
  const json& c = fixture()["cases"][name];
  if (module) {
    module->to(torch::kDouble);
    auto params = module->named_parameters();
    for (const auto& [k, v] : c["params"].items()) {
      torch::NoGradGuard ng;
      params[k].copy_(tensor_from(v["value"]));
    }
  }
  std::vector<Tensor> in;
  for (const auto& j : c["inputs"]) {
    Tensor t = tensor_from(j);
    if (j["requires_grad"].get<bool>()) t.requires_grad_(true);
    in.push_back(t);
  }
  Tensor out = forward(in);
  expect_close(out, c["output"], name + " output");
  Tensor up = out.dim() == 0 ? torch::tensor(0.5, torch::kDouble)
                             : torch::linspace(0.5, 1.5, out.numel(), torch::kDouble).reshape(out.sizes());
  out.backward(up);
  for (size_t i = 0; i < in.size(); ++i) {
    if (c["grads"][i].is_null()) continue;
    ASSERT_TRUE(in[i].grad().defined()) << name << " input " << i;
    expect_close(in[i].grad(), {{"values", c["grads"][i]}, {"shape", in[i].sizes().vec()}, {"dtype", "float64"}},
                 name + " grad of input " + std::to_string(i), 1e-8);
  }
  if (module) {
    auto params = module->named_parameters();
    for (const auto& [k, v] : c["params"].items())
      expect_close(params[k].grad(), {{"values", v["grad"]}, {"shape", params[k].sizes().vec()}, {"dtype", "float64"}},
                   name + " grad of " + k, 1e-8);
  }
}
void run_fn(const std::string& name, const Fn& f) { run_case(name, nullptr, f); }
template <typename Holder>
void run_module(const std::string& name, Holder holder) {
  run_case(name, holder.ptr(), [holder](const std::vector<Tensor>& in) mutable { return holder->forward(in[0]); });
}

template <typename M>
std::string printed(const M& module) {
  std::ostringstream s;
  s << module;
  std::string text = s.str();
  for (char& ch : text)
    if (ch == '\n') ch = '|';
  return text;
}

void expect_print(const std::string& key, const std::string& got) {
  const auto& p = libtorch("print");
  auto it = p.find(key);
  ASSERT_NE(it, p.end()) << key << " missing from nn_more_libtorch.txt";
  EXPECT_EQ(got, it->second) << key;
}

void expect_libtorch_error(const std::string& key, const std::function<void()>& f,
                           std::vector<torch::Tensor> watched = {}) {
  const auto& e = libtorch("error");
  auto it = e.find(key);
  ASSERT_NE(it, e.end()) << key << " missing from nn_more_libtorch.txt";
  ASSERT_NE(it->second, "(no error)") << key;
  SCOPED_TRACE(key);
  expect_error(f, it->second, std::move(watched));
}

}  // namespace

// ---------------------------------------------------------------- padding

TEST(NnMore, PaddingModulesMatchPyTorch) {
  run_module("constant_pad1d", nn::ConstantPad1d(nn::ConstantPad1dOptions({1, 2}, 3.5)));
  run_module("constant_pad2d", nn::ConstantPad2d(1, 0.0));
  run_module("constant_pad3d", nn::ConstantPad3d(nn::ConstantPad3dOptions({1, 0, 2, 1, 0, 1}, -1)));
  run_module("reflection_pad1d", nn::ReflectionPad1d(nn::ReflectionPad1dOptions({2, 1})));
  run_module("reflection_pad2d", nn::ReflectionPad2d(2));
  run_module("reflection_pad3d", nn::ReflectionPad3d(nn::ReflectionPad3dOptions({1, 1, 0, 1, 1, 0})));
  run_module("replication_pad1d", nn::ReplicationPad1d(3));
  run_module("replication_pad2d", nn::ReplicationPad2d(nn::ReplicationPad2dOptions({1, 0, 2, 1})));
  run_module("replication_pad3d", nn::ReplicationPad3d(1));
  run_module("zero_pad2d", nn::ZeroPad2d(nn::ZeroPad2dOptions({1, 1, 2, 0})));
  run_module("zero_pad2d_crop", nn::ZeroPad2d(nn::ZeroPad2dOptions({-1, 1, 0, -1})));
  // The options builders set what they name.
  auto o = nn::ConstantPad2dOptions(1, 2.0).padding({1, 2, 3, 4}).value(-3);
  EXPECT_EQ(std::vector<int64_t>(o.padding()->begin(), o.padding()->end()), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(o.value(), -3);
  EXPECT_EQ((*nn::ReflectionPad3dOptions(2).padding())[5], 2);
}

// ---------------------------------------------------------------- pooling

TEST(NnMore, MaxUnpoolMatchesPyTorch) {
  auto unpool = [](auto holder, std::optional<std::vector<int64_t>> size = std::nullopt) {
    return [holder, size](const std::vector<Tensor>& in) mutable { return holder->forward(in[0], in[1], size); };
  };
  run_fn("max_unpool1d", unpool(nn::MaxUnpool1d(2)));
  run_fn("max_unpool2d", unpool(nn::MaxUnpool2d(nn::MaxUnpool2dOptions(2).stride({2, 1}).padding(1))));
  run_fn("max_unpool2d_output_size", unpool(nn::MaxUnpool2d(2), std::vector<int64_t>{5, 5}));
  run_fn("max_unpool2d_unbatched", unpool(nn::MaxUnpool2d(2)));
  run_fn("max_unpool3d", unpool(nn::MaxUnpool3d(2)));
  run_fn("max_unpool3d_stride", unpool(nn::MaxUnpool3d(nn::MaxUnpool3dOptions(2).stride({1, 2, 2}))));
  // The functional form with output_size naming batch and channels too.
  auto [v, i] = torch::max_pool2d_with_indices(torch::linspace(-1, 1, 25).reshape({1, 1, 5, 5}), {2, 2});
  auto a = F::max_unpool2d(v, i, F::MaxUnpool2dFuncOptions(2).output_size(std::vector<int64_t>{1, 1, 5, 5}));
  auto b = nn::MaxUnpool2d(2)->forward(v, i, std::vector<int64_t>{5, 5});
  EXPECT_TRUE(a.equal(b));
  // Round trip: unpooling puts each maximum back where it was.
  auto x = torch::linspace(-1, 1, 16).reshape({1, 1, 4, 4});
  auto [pv, pi] = torch::max_pool2d_with_indices(x, {2, 2});
  auto back = F::max_unpool2d(pv, pi, F::MaxUnpool2dFuncOptions(2));
  EXPECT_TRUE(back.gather(2, torch::zeros({1, 1, 1, 4}, torch::kLong)).defined());
  EXPECT_TRUE(back.flatten().gather(0, pi.flatten()).equal(pv.flatten()));
  EXPECT_EQ(back.count_nonzero().item<int64_t>(), 4);
}

TEST(NnMore, AdaptiveMaxPool3dMatchesPyTorch) {
  run_module("adaptive_max_pool3d", nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({2, 3, 4})));
  run_module("adaptive_max_pool3d_none", nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({std::nullopt, 2, 3})));
  run_module("adaptive_max_pool3d_unbatched", nn::AdaptiveMaxPool3d(2));
  Tensor x = tensor_from(fixture()["cases"]["adaptive_max_pool3d"]["inputs"][0]);
  auto [values, indices] = nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({2, 3, 4}))->forward_with_indices(x);
  Tensor want = tensor_from(fixture()["tensors"]["adaptive_max_pool3d_indices"]);
  EXPECT_EQ(indices.dtype(), torch::kLong);
  EXPECT_TRUE(indices.equal(want)) << indices << want;
  auto [v2, i2] = torch::adaptive_max_pool3d(x, {2, 3, 4});
  EXPECT_TRUE(v2.equal(values) && i2.equal(indices));
  EXPECT_TRUE(F::adaptive_max_pool3d(x, F::AdaptiveMaxPool3dFuncOptions({2, 3, 4})).equal(values));
}

TEST(NnMore, FractionalMaxPoolMatchesPyTorchWithFixedSamples) {
  const json& t = fixture()["tensors"];
  Tensor s2 = tensor_from(t["fractional_samples2d"]), s3 = tensor_from(t["fractional_samples3d"]);
  run_module("fractional_max_pool2d",
             nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(2).output_size(torch::ExpandingArray<2>({4, 3}))._random_samples(s2)));
  run_module("fractional_max_pool2d_ratio",
             nn::FractionalMaxPool2d(
                 nn::FractionalMaxPool2dOptions({3, 2}).output_ratio(std::array<double, 2>{0.5, 0.7})._random_samples(s2)));
  run_fn("fractional_max_pool2d_unbatched", [s2](const std::vector<Tensor>& in) {
    return F::fractional_max_pool2d(in[0], F::FractionalMaxPool2dFuncOptions(2).output_size(3)._random_samples(s2.narrow(0, 0, 1)));
  });
  run_module("fractional_max_pool3d",
             nn::FractionalMaxPool3d(nn::FractionalMaxPool3dOptions(2).output_size(torch::ExpandingArray<3>({3, 4, 3}))._random_samples(s3)));
  run_module("fractional_max_pool3d_ratio",
             nn::FractionalMaxPool3d(nn::FractionalMaxPool3dOptions({2, 3, 2}).output_ratio(0.6)._random_samples(s3)));
  Tensor x = tensor_from(fixture()["cases"]["fractional_max_pool2d"]["inputs"][0]);
  auto [v, i] = F::fractional_max_pool2d_with_indices(x, F::FractionalMaxPool2dFuncOptions(2).output_size(torch::ExpandingArray<2>({4, 3}))._random_samples(s2));
  EXPECT_TRUE(i.equal(tensor_from(t["fractional_max_pool2d_indices"])));
  auto [v2, i2] = torch::fractional_max_pool2d(x, {2, 2}, {4, 3}, s2);
  EXPECT_TRUE(v2.equal(v) && i2.equal(i));
  // float32 computes the window offsets in float, as ATen does.
  Tensor xf = tensor_from(t["fractional_max_pool2d_float_input"]);
  auto [vf, inf] = torch::fractional_max_pool2d(xf, {2, 2}, {5, 4}, s2.to(torch::kFloat));
  EXPECT_TRUE(vf.equal(tensor_from(t["fractional_max_pool2d_float"])));
  EXPECT_TRUE(inf.equal(tensor_from(t["fractional_max_pool2d_float_indices"])));
  Tensor xv = tensor_from(fixture()["cases"]["fractional_max_pool3d"]["inputs"][0]);
  auto [v3, i3] = F::fractional_max_pool3d_with_indices(
      xv, F::FractionalMaxPool3dFuncOptions(2).output_size(torch::ExpandingArray<3>({3, 4, 3}))._random_samples(s3));
  EXPECT_TRUE(i3.equal(tensor_from(t["fractional_max_pool3d_indices"])));
  auto [v3b, i3b] = torch::fractional_max_pool3d(xv, {2, 2, 2}, {3, 4, 3}, s3);
  EXPECT_TRUE(v3b.equal(v3) && i3b.equal(i3));
  // Without samples: drawn from the generator (same seed, same result), each window's value is
  // the maximum of the input at its index, and the windows start in increasing order.
  torch::manual_seed(7);
  nn::FractionalMaxPool2d pool(nn::FractionalMaxPool2dOptions(2).output_ratio(0.5));
  auto [rv, ri] = pool->forward_with_indices(x);
  torch::manual_seed(7);
  EXPECT_TRUE(pool(x).equal(rv));
  EXPECT_EQ(rv.sizes().vec(), (std::vector<int64_t>{2, 3, 3, 3}));
  EXPECT_TRUE(x.flatten(2).gather(2, ri.flatten(2)).equal(rv.flatten(2)));
  auto first_col = ri.select(3, 0);
  EXPECT_TRUE(first_col.narrow(2, 1, 2).gt(first_col.narrow(2, 0, 2)).all().item<bool>());
}

// ---------------------------------------------------------------- Bilinear, losses, distances

TEST(NnMore, BilinearMatchesPyTorch) {
  nn::Bilinear bl(3, 4, 2);
  run_case("bilinear", bl.ptr(), [bl](const std::vector<Tensor>& in) mutable { return bl->forward(in[0], in[1]); });
  nn::Bilinear nb(nn::BilinearOptions(3, 2, 4).bias(false));
  EXPECT_FALSE(nb->bias.defined());
  EXPECT_EQ(nb->named_parameters().size(), 1u);
  run_case("bilinear_batch_nobias", nb.ptr(),
           [nb](const std::vector<Tensor>& in) mutable { return nb->forward(in[0], in[1]); });
  // Initialization: U(-1/sqrt(in1), 1/sqrt(in1)), for the weight and the bias.
  torch::manual_seed(3);
  nn::Bilinear big(4, 5, 50);
  const double bound = 0.5;
  EXPECT_LE(big->weight.abs().max().item<double>(), bound);
  EXPECT_GT(big->weight.abs().max().item<double>(), 0.45);
  EXPECT_LE(big->bias.abs().max().item<double>(), bound);
  EXPECT_EQ(big->weight.sizes().vec(), (std::vector<int64_t>{50, 4, 5}));
}

TEST(NnMore, TripletMarginWithDistanceLossMatchesPyTorch) {
  auto three = [](auto holder) {
    return [holder](const std::vector<Tensor>& in) mutable { return holder->forward(in[0], in[1], in[2]); };
  };
  run_fn("triplet_distance_default", three(nn::TripletMarginWithDistanceLoss()));
  run_fn("triplet_distance_cosine_swap_sum",
         three(nn::TripletMarginWithDistanceLoss(
             nn::TripletMarginWithDistanceLossOptions()
                 .distance_function([](const Tensor& x, const Tensor& y) { return 1 - F::cosine_similarity(x, y); })
                 .margin(0.5)
                 .swap(true)
                 .reduction(torch::kSum))));
  run_fn("triplet_distance_none", three(nn::TripletMarginWithDistanceLoss(
                                      nn::TripletMarginWithDistanceLossOptions().margin(2).reduction(torch::kNone))));
}

TEST(NnMore, PdistMatchesPyTorch) {
  run_fn("pdist", [](const std::vector<Tensor>& in) { return F::pdist(in[0]); });
  run_fn("pdist_p1", [](const std::vector<Tensor>& in) { return torch::pdist(in[0], 1); });
  run_fn("pdist_p3", [](const std::vector<Tensor>& in) { return F::pdist(in[0], 3); });
  // One row or none: no pairs.
  EXPECT_EQ(torch::pdist(torch::ones({1, 3})).sizes().vec(), (std::vector<int64_t>{0}));
  EXPECT_EQ(torch::pdist(torch::ones({0, 3})).sizes().vec(), (std::vector<int64_t>{0}));
}

// ---------------------------------------------------------------- grids

TEST(NnMore, AffineGridMatchesPyTorch) {
  run_fn("affine_grid", [](const std::vector<Tensor>& in) { return F::affine_grid(in[0], {2, 3, 4, 5}); });
  run_fn("affine_grid_align", [](const std::vector<Tensor>& in) { return F::affine_grid(in[0], {2, 1, 3, 1}, true); });
  run_fn("affine_grid_3d",
         [](const std::vector<Tensor>& in) { return torch::affine_grid_generator(in[0], {1, 2, 2, 3, 4}, false); });
}

TEST(NnMore, GridSampleMatchesPyTorch) {
  const std::vector<std::string> modes = {"bilinear", "nearest", "bicubic"}, pads = {"zeros", "border", "reflection"};
  for (size_t m = 0; m < modes.size(); ++m)
    for (size_t p = 0; p < pads.size(); ++p)
      for (bool align : {false, true}) {
        const std::string name = "grid_sample_" + modes[m] + "_" + pads[p] + (align ? "_align" : "_noalign");
        F::GridSampleFuncOptions o;
        o.mode(m == 0 ? F::GridSampleFuncOptions::mode_t(torch::kBilinear)
                      : (m == 1 ? F::GridSampleFuncOptions::mode_t(torch::kNearest) : torch::kBicubic));
        o.padding_mode(p == 0 ? F::GridSampleFuncOptions::padding_mode_t(torch::kZeros)
                              : (p == 1 ? F::GridSampleFuncOptions::padding_mode_t(torch::kBorder) : torch::kReflection));
        o.align_corners(align);
        run_fn(name, [o](const std::vector<Tensor>& in) { return F::grid_sample(in[0], in[1], o); });
      }
  for (int64_t m = 0; m < 2; ++m)
    for (int64_t p = 0; p < 3; ++p) {
      const bool align = p == 1;
      const std::string name = "grid_sample3d_" + modes[static_cast<size_t>(m)] + "_" + pads[static_cast<size_t>(p)] +
                               (align ? "_align" : "_noalign");
      run_fn(name, [=](const std::vector<Tensor>& in) { return torch::grid_sampler(in[0], in[1], m, p, align); });
    }
  // The 2-D entry point agrees with the dispatcher. A NaN coordinate with zeros padding gives
  // what PyTorch gives: NaN for bilinear, 0 for nearest (its other values as PyTorch's).
  auto img = torch::linspace(-1, 1, 12, torch::kDouble).reshape({1, 1, 3, 4});
  auto grid = torch::tensor({0.1, -0.3, NAN, 0.2}, torch::kDouble).reshape({1, 1, 2, 2});
  auto a = torch::grid_sampler_2d(img, grid, 0, 0, false);
  EXPECT_TRUE(a.allclose(torch::grid_sampler(img, grid, 0, 0, false), 0, 0, /*equal_nan=*/true));
  EXPECT_NEAR(a[0][0][0][0].item<double>(), -0.29090909090909084, 1e-12);
  EXPECT_TRUE(std::isnan(a[0][0][0][1].item<double>()));
  auto near = torch::grid_sampler_2d(img, grid, 1, 0, false);
  EXPECT_NEAR(near[0][0][0][0].item<double>(), 0.09090909090909094, 1e-12);
  EXPECT_EQ(near[0][0][0][1].item<double>(), 0.0);
  // Empty batches and empty output grids give empty results.
  EXPECT_EQ(F::grid_sample(torch::ones({0, 2, 3, 3}), torch::zeros({0, 2, 2, 2})).sizes().vec(),
            (std::vector<int64_t>{0, 2, 2, 2}));
  EXPECT_EQ(F::grid_sample(torch::ones({1, 2, 3, 3}), torch::zeros({1, 0, 2, 2})).sizes().vec(),
            (std::vector<int64_t>{1, 2, 0, 2}));
}

// ---------------------------------------------------------------- torch:: functions

TEST(NnMore, TorchFunctionsMatchPyTorch) {
  Tensor cs_in = tensor_from(fixture()["tensors"]["channel_shuffle_input"]);
  EXPECT_TRUE(torch::channel_shuffle(cs_in, 2).equal(tensor_from(fixture()["tensors"]["channel_shuffle"])));
  run_fn("conv_tbc", [](const std::vector<Tensor>& in) { return torch::conv_tbc(in[0], in[1], in[2], 1); });
  run_fn("convolution_2d", [](const std::vector<Tensor>& in) {
    return torch::convolution(in[0], in[1], in[2], {2, 1}, {1, 0}, {1, 2}, false, {0, 0}, 2);
  });
  run_fn("convolution_transposed_1d", [](const std::vector<Tensor>& in) {
    return torch::convolution(in[0], in[1], {}, {2}, {1}, {1}, true, {1}, 1);
  });
  auto w = torch::tensor({0.5, 1.0, 2.0}, torch::kDouble);
  run_fn("nll_loss2d", [w](const std::vector<Tensor>& in) { return torch::nll_loss2d(in[0], in[1], w, 1, -100); });
  run_fn("nll_loss2d_sum_ignore", [](const std::vector<Tensor>& in) { return torch::nll_loss2d(in[0], in[1], {}, 2, 1); });
  run_fn("nll_loss_nd", [](const std::vector<Tensor>& in) { return torch::nll_loss_nd(in[0], in[1], {}, 0, -100); });
  for (int64_t d : {0, 1, 2, -1})
    run_fn("norm_except_dim_" + std::to_string(d),
           [d](const std::vector<Tensor>& in) { return torch::norm_except_dim(in[0], 2, d); });
  run_fn("norm_except_dim_pow3", [](const std::vector<Tensor>& in) { return torch::norm_except_dim(in[0], 3, 0); });
  run_fn("pad_sequence", [](const std::vector<Tensor>& in) { return torch::pad_sequence(in); });
  run_fn("pad_sequence_batch_first",
         [](const std::vector<Tensor>& in) { return nn::utils::rnn::pad_sequence(in, true, -1.5); });
  run_fn("instance_norm", [](const std::vector<Tensor>& in) {
    auto rm = torch::linspace(0.1, 0.2, 2, torch::kDouble), rv = torch::linspace(0.9, 1.3, 2, torch::kDouble);
    return torch::instance_norm(in[0], in[1], in[2], rm, rv, true, 0.1, 1e-5, false);
  });
  run_fn("rrelu_with_noise_eval", [](const std::vector<Tensor>& in) {
    auto noise = torch::zeros({6}, torch::kDouble);
    auto out = torch::rrelu_with_noise(in[0], noise, 0.1, 0.3, false);
    EXPECT_TRUE(noise.equal(torch::zeros({6}, torch::kDouble)));  // eval leaves noise alone
    return out;
  });
}

// The ATen spellings equal the functionals they stand for.
TEST(NnMore, AliasesEqualTheirOps) {
  auto x = torch::linspace(-2, 2, 12, torch::kDouble).reshape({3, 4});
  auto w = torch::linspace(-1, 1, 8, torch::kDouble).reshape({2, 4});
  auto b = torch::tensor({0.25, -0.5}, torch::kDouble);
  EXPECT_TRUE(torch::linear(x, w, b).equal(F::linear(x, w, b)));
  EXPECT_TRUE(torch::linear(x, w).equal(F::linear(x, w)));
  auto pw = torch::tensor({0.25}, torch::kDouble);
  EXPECT_TRUE(x.prelu(pw).equal(torch::prelu(x, pw)));
  EXPECT_TRUE(x.hardshrink().equal(torch::hardshrink(x, 0.5)));
  EXPECT_TRUE(x.hardshrink(1.5).equal(torch::hardshrink(x, 1.5)));
  auto table = torch::linspace(-3, 3, 12, torch::kDouble).reshape({4, 3});
  auto idx = torch::tensor({0, 3});
  auto renormed = torch::embedding_renorm(table, idx, 1.0, 2.0);
  auto in_place = table.clone();
  torch::embedding_renorm_(in_place, idx, 1.0, 2.0);
  EXPECT_TRUE(renormed.equal(in_place));
  EXPECT_FALSE(renormed.equal(table));  // the input is left as it was
  EXPECT_TRUE(table.equal(torch::linspace(-3, 3, 12, torch::kDouble).reshape({4, 3})));
  // grid_sample without align_corners is align_corners=false.
  auto img = torch::linspace(-1, 1, 12, torch::kDouble).reshape({1, 1, 3, 4});
  auto grid = torch::linspace(-0.9, 0.8, 8, torch::kDouble).reshape({1, 2, 2, 2});
  EXPECT_TRUE(F::grid_sample(img, grid).equal(torch::grid_sampler(img, grid, 0, 0, false)));
  // EmbeddingBag::from_pretrained uses the table as its weight, frozen by default.
  auto bag = nn::EmbeddingBag::from_pretrained(table, nn::EmbeddingBagFromPretrainedOptions().mode(torch::kSum));
  EXPECT_TRUE(bag->weight.equal(table));
  EXPECT_FALSE(bag->weight.requires_grad());
  EXPECT_TRUE(bag->forward(torch::tensor({0, 3}), torch::tensor({0})).equal((table[0] + table[3]).unsqueeze(0)));
  EXPECT_TRUE(nn::EmbeddingBag::from_pretrained(table, nn::EmbeddingBagFromPretrainedOptions().freeze(false))
                  ->weight.requires_grad());
  // ConvNdOptions (torch::nn::detail) carries the transposed-conv fields too.
  auto co = nn::detail::ConvNdOptions<2>(3, 4, 3).transposed(true).output_padding(1).groups(1);
  EXPECT_TRUE(co.transposed());
  EXPECT_EQ(co.output_padding()[1], 1);
  EXPECT_EQ(co.kernel_size()[0], 3);
}

// ---------------------------------------------------------------- random layers, in-place forms

TEST(NnMore, Dropout3dZeroesWholeChannels) {
  torch::manual_seed(5);
  nn::Dropout3d drop(0.5);
  auto x = torch::ones({4, 8, 2, 3, 2});
  auto y = drop(x);
  auto per_channel = y.sum({2, 3, 4});
  // Each channel is all zero or all 2 (= 1 / (1 - p)); both occur.
  EXPECT_TRUE(per_channel.eq(0).logical_or(per_channel.eq(24)).all().item<bool>());
  EXPECT_GT(per_channel.eq(0).sum().item<int64_t>(), 0);
  EXPECT_GT(per_channel.eq(24).sum().item<int64_t>(), 0);
  drop->eval();
  EXPECT_TRUE(drop(x).equal(x));
  // Unbatched (C, D, H, W) works; inplace writes into the input.
  drop->train();
  auto u = torch::ones({8, 2, 2, 2});
  auto r = F::dropout3d(u, F::Dropout3dFuncOptions().p(0.5).inplace(true));
  EXPECT_TRUE(r.is_same(u) || r.data_ptr() == u.data_ptr());
  EXPECT_TRUE(u.sum({1, 2, 3}).eq(0).logical_or(u.sum({1, 2, 3}).eq(16)).all().item<bool>());
  EXPECT_THROW(nn::Dropout3d(1.5), c10::Error);
}

TEST(NnMore, GumbelSoftmaxProperties) {
  torch::manual_seed(11);
  auto logits = torch::linspace(-1, 1, 12, torch::kDouble).reshape({3, 4}).requires_grad_(true);
  auto soft = F::gumbel_softmax(logits, F::GumbelSoftmaxFuncOptions().tau(0.5));
  EXPECT_TRUE(soft.sum(1).allclose(torch::ones({3}, torch::kDouble)));
  EXPECT_TRUE(soft.gt(0).all().item<bool>());
  // hard: one-hot forward at the soft sample's argmax, the soft sample's gradient backward.
  torch::manual_seed(12);
  auto hard = F::gumbel_softmax(logits, F::GumbelSoftmaxFuncOptions().hard(true).dim(1));
  torch::manual_seed(12);
  auto soft_same = F::gumbel_softmax(logits, F::GumbelSoftmaxFuncOptions().dim(1));
  EXPECT_TRUE(hard.sum(1).equal(torch::ones({3}, torch::kDouble)));
  EXPECT_TRUE(hard.argmax(1).equal(soft_same.argmax(1)));
  EXPECT_TRUE(hard.eq(0).logical_or(hard.eq(1)).all().item<bool>());
  auto up = torch::linspace(0.5, 1.5, 12, torch::kDouble).reshape({3, 4});
  auto gh = torch::autograd::grad({hard}, {logits}, {up})[0];
  auto gs = torch::autograd::grad({soft_same}, {logits}, {up})[0];
  EXPECT_TRUE(gh.allclose(gs, 1e-12, 1e-12));
  // The draws follow the generator: same seed, same sample.
  torch::manual_seed(12);
  EXPECT_TRUE(F::gumbel_softmax(logits, F::GumbelSoftmaxFuncOptions().dim(1)).equal(soft_same));
}

TEST(NnMore, InPlaceFormsWriteIntoTheirInput) {
  auto base = torch::linspace(-2, 2, 400, torch::kDouble).reshape({4, 100});
  // Each in-place form returns its input, changed as the out-of-place op with the same draws.
  auto check = [&](const char* what, auto inplace, auto outplace) {
    SCOPED_TRACE(what);
    auto t = base.clone();
    torch::manual_seed(21);
    Tensor& r = inplace(t);
    EXPECT_TRUE(r.is_same(t));
    torch::manual_seed(21);
    EXPECT_TRUE(t.equal(outplace(base)));
  };
  check("dropout_", [](Tensor& t) -> Tensor& { return torch::dropout_(t, 0.3, true); },
        [](const Tensor& t) { return torch::dropout(t, 0.3, true); });
  check("alpha_dropout_", [](Tensor& t) -> Tensor& { return torch::alpha_dropout_(t, 0.3, true); },
        [](const Tensor& t) { return torch::alpha_dropout(t, 0.3, true); });
  check("feature_alpha_dropout_", [](Tensor& t) -> Tensor& { return torch::feature_alpha_dropout_(t, 0.3, true); },
        [](const Tensor& t) { return torch::feature_alpha_dropout(t, 0.3, true); });
  check("rrelu_", [](Tensor& t) -> Tensor& { return torch::rrelu_(t, 0.1, 0.3, true); },
        [](const Tensor& t) { return torch::rrelu(t, 0.1, 0.3, true); });
  check("rrelu_ eval", [](Tensor& t) -> Tensor& { return torch::rrelu_(t, 0.1, 0.3, false); },
        [](const Tensor& t) { return torch::leaky_relu(t, (0.1 + 0.3) / 2); });
  check("dropout_ eval", [](Tensor& t) -> Tensor& { return torch::dropout_(t, 0.3, false); },
        [](const Tensor& t) { return t.clone(); });
  // rrelu_with_noise while training: noise holds each element's slope (1 where x > 0, a draw in
  // [lower, upper] elsewhere), and the output is x * noise.
  auto noise = torch::zeros({4, 100}, torch::kDouble);
  auto out = torch::rrelu_with_noise(base, noise, 0.1, 0.3, true);
  EXPECT_TRUE(out.equal(base * noise));
  EXPECT_TRUE(noise.masked_select(base.gt(0)).eq(1).all().item<bool>());
  auto neg = noise.masked_select(base.le(0));
  EXPECT_TRUE(neg.ge(0.1).logical_and(neg.le(0.3)).all().item<bool>());
  EXPECT_GT(neg.std().item<double>(), 0.03);
  auto t = base.clone();
  auto noise2 = torch::zeros({4, 100}, torch::kDouble);
  EXPECT_TRUE(torch::rrelu_with_noise_(t, noise2, 0.1, 0.3, true).is_same(t));
  EXPECT_TRUE(t.equal(base * noise2));
  // The gradient of rrelu_with_noise is the slope.
  auto xg = base.clone().requires_grad_(true);
  auto n3 = torch::zeros({4, 100}, torch::kDouble);
  torch::rrelu_with_noise(xg, n3, 0.1, 0.3, true).sum().backward();
  EXPECT_TRUE(xg.grad().equal(n3));
  // In-place on a non-leaf keeps the graph: d/dx of dropout_(2x) is 2 * mask / (1 - p).
  auto leaf = torch::ones({1000}, torch::kDouble).requires_grad_(true);
  auto mid = leaf * 2;
  torch::manual_seed(4);
  torch::dropout_(mid, 0.5, true);
  mid.sum().backward();
  EXPECT_TRUE(leaf.grad().equal(mid.detach()));
  // An integer tensor cannot take dropout's floating result.
  auto ints = torch::ones({4}, torch::kLong);
  EXPECT_THROW(torch::dropout_(ints, 0.5, true), c10::Error);
}

// ---------------------------------------------------------------- parameter containers

TEST(NnMore, ParameterContainers) {
  nn::ParameterList list(torch::ones({2, 3}), torch::zeros({4}, torch::kDouble));
  EXPECT_EQ(list->size(), 2u);
  list->append(torch::ones({1}).requires_grad_(false));
  EXPECT_EQ(list->size(), 3u);
  EXPECT_FALSE(list[2].requires_grad());
  EXPECT_TRUE(list->at(1).equal(torch::zeros({4}, torch::kDouble)));
  EXPECT_EQ(list->parameters().size(), 3u);
  std::vector<std::string> keys;
  for (const auto& item : *list) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"0", "1", "2"}));
  nn::ParameterList more;
  EXPECT_TRUE(more->is_empty());
  more->extend(*list);
  EXPECT_EQ(more->size(), 3u);

  nn::ParameterDict dict;
  dict->insert("w", torch::ones({1, 2}));
  dict->insert("b", torch::zeros({3}));
  EXPECT_TRUE(dict->contains("w"));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"w", "b"}));
  EXPECT_EQ(dict->named_parameters().size(), 2u);
  auto popped = dict->pop("w");
  EXPECT_TRUE(popped.equal(torch::ones({1, 2})));
  EXPECT_FALSE(dict->contains("w"));
  EXPECT_EQ(dict->size(), 1u);
  dict->clear();
  EXPECT_TRUE(dict->empty());
  // A ParameterList inside a module registers its parameters under the module's name.
  struct Net : torch::nn::Module {
    Net() { ps = register_module("ps", nn::ParameterList(torch::ones({2}), torch::ones({3}))); }
    nn::ParameterList ps;
  };
  Net net;
  EXPECT_EQ(net.named_parameters().keys(), (std::vector<std::string>{"ps.0", "ps.1"}));
}

// ---------------------------------------------------------------- printing and bad input

TEST(NnMore, PrintsAsLibTorch) {
  expect_print("ConstantPad1d", printed(nn::ConstantPad1d(nn::ConstantPad1dOptions({1, 2}, 3.5))));
  expect_print("ConstantPad2d", printed(nn::ConstantPad2d(nn::ConstantPad2dOptions(1, 0))));
  expect_print("ConstantPad3d", printed(nn::ConstantPad3d(nn::ConstantPad3dOptions({1, 0, 2, 1, 0, 1}, -1))));
  expect_print("ReflectionPad1d", printed(nn::ReflectionPad1d(nn::ReflectionPad1dOptions({2, 1}))));
  expect_print("ReflectionPad2d", printed(nn::ReflectionPad2d(2)));
  expect_print("ReflectionPad3d", printed(nn::ReflectionPad3d(nn::ReflectionPad3dOptions({1, 1, 0, 1, 1, 0}))));
  expect_print("ReplicationPad1d", printed(nn::ReplicationPad1d(3)));
  expect_print("ReplicationPad2d", printed(nn::ReplicationPad2d(nn::ReplicationPad2dOptions({1, 0, 2, 1}))));
  expect_print("ReplicationPad3d", printed(nn::ReplicationPad3d(1)));
  expect_print("ZeroPad2d", printed(nn::ZeroPad2d(nn::ZeroPad2dOptions({1, 1, 2, 0}))));
  expect_print("Dropout3d", printed(nn::Dropout3d()));
  expect_print("Dropout3d_0.2_inplace", printed(nn::Dropout3d(nn::Dropout3dOptions(0.2).inplace(true))));
  expect_print("MaxUnpool1d", printed(nn::MaxUnpool1d(3)));
  expect_print("MaxUnpool2d", printed(nn::MaxUnpool2d(nn::MaxUnpool2dOptions(2).stride({2, 1}).padding(1))));
  expect_print("MaxUnpool3d", printed(nn::MaxUnpool3d(2)));
  expect_print("AdaptiveMaxPool3d", printed(nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({2, 3, 1}))));
  expect_print("FractionalMaxPool2d",
               printed(nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(2).output_size(3))));
  expect_print("FractionalMaxPool3d",
               printed(nn::FractionalMaxPool3d(nn::FractionalMaxPool3dOptions(2).output_ratio(0.5))));
  expect_print("Bilinear", printed(nn::Bilinear(3, 4, 2)));
  expect_print("Bilinear_nobias", printed(nn::Bilinear(nn::BilinearOptions(2, 2, 5).bias(false))));
  expect_print("TripletMarginWithDistanceLoss", printed(nn::TripletMarginWithDistanceLoss()));
  expect_print("TripletMarginWithDistanceLoss_2_swap",
               printed(nn::TripletMarginWithDistanceLoss(nn::TripletMarginWithDistanceLossOptions().margin(2).swap(true))));
  nn::ParameterList list(torch::ones({2, 3}), torch::zeros({4}, torch::kDouble));
  expect_print("ParameterList", printed(list));
  nn::ParameterDict dict;
  dict->insert("w", torch::ones({1, 2}));
  dict->insert("b", torch::zeros({3}).to(torch::kLong));
  expect_print("ParameterDict", printed(dict));
}

TEST(NnMore, BadInputGivesLibTorchsMessages) {
  nn::ParameterDict dict;
  expect_libtorch_error("ParameterDict_pop_missing", [&] { dict->pop("nope"); });
  expect_libtorch_error("ParameterDict_get_missing", [&] { dict->get("nope"); });
  expect_libtorch_error("FractionalMaxPool2d_neither", [] { nn::FractionalMaxPool2d(2); });
  expect_libtorch_error("FractionalMaxPool2d_both", [] {
    nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(2).output_size(3).output_ratio(0.5));
  });
  expect_libtorch_error("FractionalMaxPool2d_ratio",
                        [] { nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(2).output_ratio(1.5)); });
  expect_libtorch_error("fractional_max_pool2d_neither",
                        [] { F::fractional_max_pool2d(torch::ones({1, 1, 4, 4}), F::FractionalMaxPool2dFuncOptions(2)); });
  expect_libtorch_error("fractional_max_pool2d_too_large", [] {
    F::fractional_max_pool2d(torch::ones({1, 1, 4, 4}), F::FractionalMaxPool2dFuncOptions(3).output_size(3));
  });
  expect_libtorch_error("fractional_max_pool2d_dims", [] {
    F::fractional_max_pool2d(torch::ones({4, 4}),
                             F::FractionalMaxPool2dFuncOptions(2).output_size(2)._random_samples(torch::rand({1, 1, 2})));
  });
  expect_libtorch_error("fractional_max_pool3d_too_large", [] {
    F::fractional_max_pool3d(torch::ones({1, 1, 4, 4, 4}), F::FractionalMaxPool3dFuncOptions(2).output_size(torch::ExpandingArray<3>({2, 4, 2})));
  });
  expect_libtorch_error("fractional_max_pool3d_dims", [] {
    torch::fractional_max_pool3d(torch::ones({4, 4, 4}), {2, 2, 2}, {2, 2, 2}, torch::rand({1, 1, 3}));
  });
  auto x4 = torch::ones({1, 2, 3, 3});
  expect_libtorch_error("reflection_pad_too_large", [&] { nn::ReflectionPad2d(3)(x4); });
  auto v = torch::ones({1, 1, 2, 2});
  expect_libtorch_error("max_unpool2d_shape", [&] {
    F::max_unpool2d(v, torch::zeros({1, 1, 2, 3}, torch::kLong), F::MaxUnpool2dFuncOptions(2));
  });
  expect_libtorch_error("max_unpool2d_dtype", [&] {
    F::max_unpool2d(v, torch::zeros({1, 1, 2, 2}, torch::kInt), F::MaxUnpool2dFuncOptions(2));
  });
  expect_libtorch_error("max_unpool2d_index", [&] {
    F::max_unpool2d(v, torch::full({1, 1, 2, 2}, 16, torch::kLong), F::MaxUnpool2dFuncOptions(2));
  });
  expect_libtorch_error("max_unpool2d_dims",
                        [&] { torch::max_unpool2d(torch::ones({2, 2}), torch::zeros({2, 2}, torch::kLong), {4, 4}); });
  // LibTorch 1.13 refuses every 2-entry output_size (it only reads a 4-entry one); ember takes
  // either, as Python does, and checks the range.
  EXPECT_EQ(libtorch("error").at("max_unpool2d_output_size"),
            "output_size should be a sequence containing 2 or 4 elements, but it has a length of '0'");
  expect_error([&] {
    F::max_unpool2d(v, torch::zeros({1, 1, 2, 2}, torch::kLong),
                    F::MaxUnpool2dFuncOptions(2).output_size(std::vector<int64_t>{9, 4}));
  }, "invalid output_size [9, 4] (dim 0 must be between 2 and 6)");
  expect_libtorch_error("max_unpool2d_output_len", [&] {
    F::max_unpool2d(v, torch::zeros({1, 1, 2, 2}, torch::kLong),
                    F::MaxUnpool2dFuncOptions(2).output_size(std::vector<int64_t>{4}));
  });
  expect_libtorch_error("max_unpool3d_dims", [&] {
    torch::max_unpool3d(torch::ones({2, 2, 2}), torch::zeros({2, 2, 2}, torch::kLong), {4, 4, 4}, {2, 2, 2}, {0, 0, 0});
  });
  expect_libtorch_error("max_unpool3d_index", [&] {
    torch::max_unpool3d(torch::ones({1, 1, 1, 1, 2}), torch::full({1, 1, 1, 1, 2}, 99, torch::kLong), {2, 2, 2},
                        {2, 2, 2}, {0, 0, 0});
  });
  expect_libtorch_error("adaptive_max_pool3d_dims", [&] { torch::adaptive_max_pool3d(torch::ones({2, 3, 4}), {1, 1, 1}); });
  expect_libtorch_error("adaptive_max_pool3d_int",
                        [&] { torch::adaptive_max_pool3d(torch::ones({1, 2, 3, 4}, torch::kLong), {1, 1, 1}); });
  expect_libtorch_error("bilinear_dims", [&] {
    torch::bilinear(torch::ones({2, 3}), torch::ones({2, 4, 1}), torch::ones({5, 3, 4}), {});
  });
  expect_libtorch_error("bilinear_batch",
                        [&] { torch::bilinear(torch::ones({2, 3}), torch::ones({3, 4}), torch::ones({5, 3, 4}), {}); });
  expect_libtorch_error("bilinear_in1",
                        [&] { torch::bilinear(torch::ones({2, 2}), torch::ones({2, 4}), torch::ones({5, 3, 4}), {}); });
  expect_libtorch_error("bilinear_in2",
                        [&] { torch::bilinear(torch::ones({2, 3}), torch::ones({2, 5}), torch::ones({5, 3, 4}), {}); });
  expect_libtorch_error("bilinear_bias", [&] {
    torch::bilinear(torch::ones({2, 3}), torch::ones({2, 4}), torch::ones({5, 3, 4}), torch::ones({4}));
  });
  expect_libtorch_error("pdist_dims", [&] { torch::pdist(torch::ones({2, 3, 4})); });
  expect_libtorch_error("pdist_int", [&] { torch::pdist(torch::ones({2, 3}, torch::kLong)); });
  expect_libtorch_error("pdist_p", [&] { torch::pdist(torch::ones({2, 3}), -1); });
  expect_libtorch_error("affine_grid_theta", [&] { F::affine_grid(torch::ones({1, 3, 3}), {1, 1, 2, 2}); });
  expect_libtorch_error("affine_grid_theta3d", [&] { F::affine_grid(torch::ones({1, 2, 3}), {1, 1, 2, 2, 2}); });
  expect_libtorch_error("affine_grid_size", [&] { F::affine_grid(torch::ones({1, 2, 3}), {1, 2, 2}); });
  expect_libtorch_error("affine_grid_zero", [&] { F::affine_grid(torch::ones({1, 2, 3}), {1, 1, 0, 2}); });
  expect_libtorch_error("affine_grid_int", [&] { F::affine_grid(torch::ones({1, 2, 3}, torch::kLong), {1, 1, 2, 2}); });
  expect_libtorch_error("grid_sample_dtype", [&] { F::grid_sample(x4, torch::zeros({1, 2, 2, 2}, torch::kDouble)); });
  expect_libtorch_error("grid_sample_batch", [&] { F::grid_sample(x4, torch::zeros({2, 2, 2, 2})); });
  expect_libtorch_error("grid_sample_last", [&] { F::grid_sample(x4, torch::zeros({1, 2, 2, 3})); });
  expect_libtorch_error("grid_sample_dims", [&] { F::grid_sample(x4, torch::zeros({1, 2, 2, 2, 2})); });
  expect_libtorch_error("grid_sample_empty",
                        [&] { F::grid_sample(torch::ones({1, 2, 0, 3}), torch::zeros({1, 2, 2, 2})); });
  expect_libtorch_error("grid_sampler_bicubic3d", [&] {
    torch::grid_sampler(torch::ones({1, 1, 2, 2, 2}), torch::zeros({1, 1, 1, 1, 3}), 2, 0, false);
  });
  expect_libtorch_error("channel_shuffle_dims", [&] { torch::channel_shuffle(torch::ones({2, 4}), 2); });
  expect_libtorch_error("channel_shuffle_groups", [&] { torch::channel_shuffle(torch::ones({1, 4, 2}), 3); });
  expect_libtorch_error("channel_shuffle_zero", [&] { torch::channel_shuffle(torch::ones({1, 4, 2}), 0); });
  expect_libtorch_error("conv_tbc_input",
                        [&] { torch::conv_tbc(torch::ones({2, 3}), torch::ones({1, 3, 2}), torch::ones({2})); });
  expect_libtorch_error("conv_tbc_weight",
                        [&] { torch::conv_tbc(torch::ones({2, 1, 3}), torch::ones({3, 2}), torch::ones({2})); });
  expect_libtorch_error("conv_tbc_channels",
                        [&] { torch::conv_tbc(torch::ones({2, 1, 3}), torch::ones({1, 2, 2}), torch::ones({2})); });
  expect_libtorch_error("conv_tbc_bias",
                        [&] { torch::conv_tbc(torch::ones({2, 1, 3}), torch::ones({1, 3, 2}), torch::ones({3})); });
  expect_libtorch_error("convolution_dims", [&] {
    torch::convolution(torch::ones({3, 5}), torch::ones({2, 3, 2}), {}, {1}, {0}, {1}, false, {0}, 1);
  });
  expect_libtorch_error("nll_loss2d_dims", [&] { torch::nll_loss2d(torch::ones({2, 3}), torch::zeros({2}, torch::kLong)); });
  expect_libtorch_error("nll_loss_nd_batch",
                        [&] { torch::nll_loss_nd(torch::ones({2, 3}), torch::zeros({3}, torch::kLong)); });
  expect_libtorch_error("pad_sequence_empty", [&] { torch::pad_sequence({}); });
  // lower > upper: LibTorch accepts it, so does ember (slopes in [upper, lower]).
  EXPECT_EQ(libtorch("error").at("rrelu_with_noise_bounds"), "(no error)");
  auto noise = torch::zeros({3});
  auto neg = -torch::ones({3});
  auto swapped = torch::rrelu_with_noise(neg, noise, 0.5, 0.1, true);
  EXPECT_TRUE(noise.ge(0.1).logical_and(noise.le(0.5)).all().item<bool>());
  EXPECT_TRUE(swapped.equal(-noise));
  auto leaf = torch::ones({3}, torch::requires_grad());
  expect_libtorch_error("dropout_leaf", [&] { torch::dropout_(leaf, 0.5, true); }, {leaf});
  expect_libtorch_error("gumbel_softmax_int", [&] { F::gumbel_softmax(torch::ones({2, 3}, torch::kLong)); });
  expect_libtorch_error("embedding_bag_pretrained_dims", [&] { nn::EmbeddingBag::from_pretrained(torch::ones({3})); });
  expect_libtorch_error("triplet_distance_shape", [&] {
    F::triplet_margin_with_distance_loss(torch::ones({2, 3}), torch::ones({2, 4}), torch::ones({2, 3}));
  });
  // Beyond LibTorch's checks: a rrelu noise of the wrong size, a non-3-D bilinear weight.
  auto small = torch::zeros({2});
  EXPECT_THROW(torch::rrelu_with_noise(torch::ones({3}), small, 0.1, 0.3, true), c10::Error);
  EXPECT_THROW(torch::bilinear(torch::ones({2, 3}), torch::ones({2, 4}), torch::ones({3, 4}), {}), c10::Error);
  EXPECT_THROW(torch::grid_sampler(x4, torch::zeros({1, 2, 2, 2}), 3, 0, false), c10::Error);
}

// ---------------------------------------------------------------- gradcheck

TEST(NnMore, GradcheckNewOps) {
  using torch::autograd::gradcheck;
  using torch::autograd::gradgradcheck;
  auto x = torch::linspace(-2.7, 3.1, 12, torch::kDouble).reshape({3, 4}).flip({1}).requires_grad_(true);
  auto y = torch::linspace(-1.3, 0.9, 12, torch::kDouble).reshape({3, 4}).requires_grad_(true);
  auto idx = std::get<1>(torch::max_pool2d_with_indices(torch::linspace(-1, 1, 48).reshape({1, 3, 4, 4}).flip({3}), {2, 2}));
  auto idx3 = std::get<1>(torch::max_pool3d_with_indices(torch::linspace(-1, 1, 96).reshape({1, 3, 2, 2, 8}), {2, 2, 2}));
  std::vector<std::pair<std::string, Fn>> unary = {
      {"max_unpool2d", [idx](const std::vector<Tensor>& v) { return torch::max_unpool2d(v[0].reshape({1, 3, 2, 2}), idx, {4, 4}); }},
      {"max_unpool3d",
       [idx3](const std::vector<Tensor>& v) {
         return torch::max_unpool3d(v[0].reshape({1, 3, 1, 1, 4}), idx3, {2, 2, 8}, {2, 2, 2}, {0, 0, 0});
       }},
      {"adaptive_max_pool3d",
       [](const std::vector<Tensor>& v) { return std::get<0>(torch::adaptive_max_pool3d(v[0].reshape({1, 2, 2, 3}), {1, 2, 2})); }},
      {"pdist", [](const std::vector<Tensor>& v) { return torch::pdist(v[0], 2); }},
      {"fractional_max_pool2d",
       [](const std::vector<Tensor>& v) {
         return std::get<0>(torch::fractional_max_pool2d(v[0].reshape({1, 1, 3, 4}), {2, 2}, {2, 2},
                                                         torch::tensor({{{0.3, 0.6}}}, torch::kDouble)));
       }},
      {"fractional_max_pool3d",
       [](const std::vector<Tensor>& v) {
         return std::get<0>(torch::fractional_max_pool3d(v[0].reshape({1, 2, 2, 3}), {1, 2, 2}, {2, 1, 2},
                                                         torch::tensor({{{0.3, 0.6, 0.2}}}, torch::kDouble)));
       }},
      {"pdist_p1.5", [](const std::vector<Tensor>& v) { return torch::pdist(v[0], 1.5); }},
      {"affine_grid_generator",
       [](const std::vector<Tensor>& v) { return torch::affine_grid_generator(v[0].reshape({2, 2, 3}), {2, 1, 3, 2}, false); }},
      {"channel_shuffle", [](const std::vector<Tensor>& v) { return torch::channel_shuffle(v[0].reshape({1, 4, 3}), 2); }},
      {"norm_except_dim", [](const std::vector<Tensor>& v) { return torch::norm_except_dim(v[0], 2, 1); }},
      {"pad_sequence",
       [](const std::vector<Tensor>& v) { return torch::pad_sequence({v[0], v[0].narrow(0, 0, 1)}, true, 0.5); }},
      {"nll_loss_nd",
       [](const std::vector<Tensor>& v) {
         return torch::nll_loss_nd(v[0].reshape({1, 3, 4}), torch::tensor({{0, 2, 1, 1}}), {}, 1, -100);
       }},
  };
  for (const auto& [name, fn] : unary) {
    EXPECT_TRUE(gradcheck(fn, {x})) << name;
    EXPECT_TRUE(gradgradcheck(fn, {x})) << name;
  }
  // Ops of two inputs: grid sampling (input and grid), bilinear, conv_tbc, convolution.
  auto img = torch::linspace(-1, 1, 24, torch::kDouble).reshape({1, 2, 3, 4}).requires_grad_(true);
  auto grid = torch::linspace(-1.13, 1.07, 12, torch::kDouble).reshape({1, 2, 3, 2}).flip({2}).requires_grad_(true);
  for (int64_t mode : {0, 2})
    for (int64_t pad : {0, 1, 2})
      for (bool align : {false, true}) {
        auto fn = [=](const std::vector<Tensor>& v) { return torch::grid_sampler(v[0], v[1], mode, pad, align); };
        EXPECT_TRUE(gradcheck(fn, {img, grid})) << "grid_sampler " << mode << " " << pad << " " << align;
      }
  auto vol = torch::linspace(-1, 1, 24, torch::kDouble).reshape({1, 1, 2, 3, 4}).requires_grad_(true);
  auto grid3 = torch::linspace(-1.11, 1.03, 12, torch::kDouble).reshape({1, 1, 2, 2, 3}).requires_grad_(true);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return torch::grid_sampler_3d(v[0], v[1], 0, 2, false); },
                        {vol, grid3}));
  auto w = torch::linspace(-0.5, 0.7, 24, torch::kDouble).reshape({2, 3, 4}).requires_grad_(true);
  auto x1 = torch::linspace(-1.2, 0.9, 9, torch::kDouble).reshape({3, 3}).requires_grad_(true);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return torch::bilinear(v[0], v[1], v[2], v[1].sum(1).narrow(0, 0, 2)); },
                        {x1, y, w}));
  EXPECT_TRUE(gradgradcheck([](const std::vector<Tensor>& v) { return torch::bilinear(v[0], v[1], v[2]); }, {x1, y, w}));
  auto tbc_w = torch::linspace(-0.5, 0.5, 12, torch::kDouble).reshape({2, 3, 2}).requires_grad_(true);
  auto tbc_b = torch::tensor({0.1, -0.2}, torch::kDouble).requires_grad_(true);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return torch::conv_tbc(v[0].reshape({2, 2, 3}), v[1], v[2], 1); },
                        {x, tbc_w, tbc_b}));
  auto cw = torch::linspace(-0.5, 0.5, 8, torch::kDouble).reshape({2, 2, 2}).requires_grad_(true);
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& v) {
        return torch::convolution(v[0].reshape({1, 2, 6}), v[1], {}, {2}, {1}, {1}, true, {1}, 1);
      },
      {x, cw}));
  auto anchor = x.detach().requires_grad_(true);
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& v) {
        return F::triplet_margin_with_distance_loss(v[0], v[1], v[1].flip({0}),
                                                    F::TripletMarginWithDistanceLossFuncOptions().margin(3).swap(true));
      },
      {anchor, y}));
}
