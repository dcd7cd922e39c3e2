// The activations, distances, losses, pixel shuffle, 1-d pooling, instance norm and upsampling
// layers against PyTorch 1.13 (tests/fixtures/nn_layers.json: forward, input and parameter
// gradients), their printing and error messages against LibTorch 1.13
// (tests/fixtures/nn_layers_libtorch.txt), and gradchecks of the new ops.
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

const json& cases() {
  static json j = ember_test::load_fixture("nn_layers.json")["cases"];
  return j;
}

// LibTorch's printing and first lines of its error messages, by key.
const std::map<std::string, std::string>& libtorch(const std::string& kind) {
  static std::map<std::string, std::map<std::string, std::string>> all = [] {
    std::map<std::string, std::map<std::string, std::string>> m;
    std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/nn_layers_libtorch.txt");
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

// Runs fixture case `name`: loads the module's parameters, calls forward on the fixture inputs,
// backpropagates the fixture's upstream rule and compares output and every gradient.
void run_case(const std::string& name, const std::shared_ptr<nn::Module>& module,
              const std::function<Tensor(const std::vector<Tensor>&)>& forward) {
  SCOPED_TRACE(name);
  const json& c = cases().at(name);
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

// A module called on the case's inputs.
template <typename Holder>
void run_module(const std::string& name, Holder holder) {
  run_case(name, holder.ptr(), [holder](const std::vector<Tensor>& in) mutable {
    if (in.size() == 1) return holder->forward(in[0]);
    return Tensor();
  });
}
template <typename Holder>
void run_module2(const std::string& name, Holder holder) {
  run_case(name, holder.ptr(), [holder](const std::vector<Tensor>& in) mutable { return holder->forward(in[0], in[1]); });
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
  ASSERT_NE(it, p.end()) << key << " missing from nn_layers_libtorch.txt";
  EXPECT_EQ(got, it->second) << key;
}

// The call must throw LibTorch's message (its first line) for `key`.
void expect_libtorch_error(const std::string& key, const std::function<void()>& f) {
  const auto& e = libtorch("error");
  auto it = e.find(key);
  ASSERT_NE(it, e.end()) << key << " missing from nn_layers_libtorch.txt";
  ASSERT_NE(it->second, "(no error)") << key;
  SCOPED_TRACE(key);
  expect_error(f, it->second);
}

}  // namespace

// ---------------------------------------------------------------- activations

TEST(NnLayers, ActivationsMatchPyTorch) {
  run_module("softplus", nn::Softplus());
  run_module("softplus_beta2_threshold5", nn::Softplus(nn::SoftplusOptions().beta(2).threshold(5)));
  run_module("hardtanh", nn::Hardtanh());
  run_module("hardtanh_minus2_3", nn::Hardtanh(nn::HardtanhOptions().min_val(-2).max_val(3)));
  run_module("relu6", nn::ReLU6());
  run_module("mish", nn::Mish());
  run_module("selu", nn::SELU());
  run_module("celu_alpha0.5", nn::CELU(nn::CELUOptions().alpha(0.5)));
  run_module("glu", nn::GLU());
  run_module("glu_dim0", nn::GLU(0));
  run_module("softmin_dim1", nn::Softmin(1));
  run_module("logsigmoid", nn::LogSigmoid());
  run_module("threshold_0.5_-2", nn::Threshold(0.5, -2));
  run_module("softsign", nn::Softsign());
  run_module("tanhshrink", nn::Tanhshrink());
  run_module("softshrink", nn::Softshrink());
  run_module("hardshrink_1.2", nn::Hardshrink(1.2));
  run_case("hardswish", nullptr, [](const std::vector<Tensor>& in) { return torch::hardswish(in[0]); });
  run_case("hardsigmoid", nullptr, [](const std::vector<Tensor>& in) { return torch::hardsigmoid(in[0]); });
  run_module("prelu", nn::PReLU());
  run_module("prelu3", nn::PReLU(nn::PReLUOptions().num_parameters(3).init(0.1)));
}

TEST(NnLayers, ActivationsPrintLikeLibTorch) {
  expect_print("Softplus", printed(nn::Softplus()));
  expect_print("Softplus_2_5", printed(nn::Softplus(nn::SoftplusOptions().beta(2).threshold(5))));
  expect_print("Hardtanh", printed(nn::Hardtanh()));
  expect_print("Hardtanh_-2_3_inplace",
               printed(nn::Hardtanh(nn::HardtanhOptions().min_val(-2).max_val(3).inplace(true))));
  expect_print("ReLU6", printed(nn::ReLU6()));
  expect_print("ReLU6_inplace", printed(nn::ReLU6(true)));
  expect_print("Mish", printed(nn::Mish()));
  expect_print("SELU", printed(nn::SELU()));
  expect_print("SELU_inplace", printed(nn::SELU(true)));
  expect_print("CELU", printed(nn::CELU()));
  expect_print("CELU_0.5_inplace", printed(nn::CELU(nn::CELUOptions().alpha(0.5).inplace(true))));
  expect_print("GLU", printed(nn::GLU()));
  expect_print("GLU_0", printed(nn::GLU(0)));
  expect_print("Softmin", printed(nn::Softmin(1)));
  expect_print("LogSigmoid", printed(nn::LogSigmoid()));
  expect_print("Threshold", printed(nn::Threshold(0.5, -2)));
  expect_print("Threshold_inplace", printed(nn::Threshold(nn::ThresholdOptions(0.5, -2).inplace(true))));
  expect_print("Softsign", printed(nn::Softsign()));
  expect_print("Tanhshrink", printed(nn::Tanhshrink()));
  expect_print("Softshrink", printed(nn::Softshrink()));
  expect_print("Hardshrink_1.2", printed(nn::Hardshrink(1.2)));
  expect_print("PReLU", printed(nn::PReLU()));
  expect_print("PReLU_3", printed(nn::PReLU(nn::PReLUOptions().num_parameters(3).init(0.1))));
  expect_print("RReLU", printed(nn::RReLU()));
  expect_print("Softmax2d", printed(nn::Softmax2d()));
  expect_print("AlphaDropout", printed(nn::AlphaDropout(0.2)));
  expect_print("FeatureAlphaDropout", printed(nn::FeatureAlphaDropout(0.2)));
}

TEST(NnLayers, ActivationFunctionalsAgreeWithModulesAndInplace) {
  auto x = torch::linspace(-7.3, 8.1, 15, torch::kDouble).reshape({3, 5});
  EXPECT_TRUE(F::relu6(x).equal(nn::ReLU6()(x)));
  EXPECT_TRUE(F::hardtanh(x, F::HardtanhFuncOptions().min_val(0).max_val(6)).equal(F::relu6(x)));
  EXPECT_TRUE(F::softmin(x, F::SoftminFuncOptions(1)).allclose(F::softmax(-x, F::SoftmaxFuncOptions(1))));
  EXPECT_EQ(F::softmin(x, F::SoftminFuncOptions(1).dtype(torch::kFloat)).dtype(), torch::kFloat);
  EXPECT_TRUE(F::logsigmoid(x).allclose(torch::log(torch::sigmoid(x))));
  EXPECT_TRUE(F::softsign(x).allclose(x / (x.abs() + 1)));
  // inplace writes into the argument.
  auto y = x.clone();
  auto r = F::selu(y, F::SELUFuncOptions(true));
  EXPECT_TRUE(y.equal(F::selu(x)));
  EXPECT_EQ(r.data_ptr(), y.data_ptr());
  auto z = x.clone();
  nn::Threshold(nn::ThresholdOptions(0.5, -2).inplace(true))(z);
  EXPECT_TRUE(z.equal(F::threshold(x, F::ThresholdFuncOptions(0.5, -2))));
  // inplace in the middle of a graph: backward still works and gives the out-of-place gradients.
  Tensor reference;
  for (int inplace = 0; inplace < 2; ++inplace) {
    auto w = torch::linspace(-4, 9, 15, torch::kDouble).reshape({3, 5}).requires_grad_(true);
    auto h = w * 1.5;
    auto out = nn::ReLU6(nn::ReLU6Options(inplace == 1))(h);
    out = nn::SELU(nn::SELUOptions(inplace == 1))(out * 1.0);
    out = F::hardtanh(out * 1.0, F::HardtanhFuncOptions().min_val(0.5).max_val(2).inplace(inplace == 1));
    (out * torch::linspace(0.5, 1.5, 15, torch::kDouble).reshape({3, 5})).sum().backward();
    if (inplace == 0) reference = w.grad().clone();
    else EXPECT_TRUE(w.grad().allclose(reference)) << w.grad() << reference;
  }
  // On a leaf that requires grad, inplace is refused as in LibTorch.
  auto leaf = torch::ones({2}, torch::kDouble).requires_grad_(true);
  expect_error([&] { F::selu(leaf, F::SELUFuncOptions(true)); }, "a leaf Variable that requires grad");
  // RReLU: the mean slope in eval, a slope in [lower, upper] while training.
  nn::RReLU rrelu;
  rrelu->eval();
  EXPECT_TRUE(rrelu(x).allclose(F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope((1.0 / 8 + 1.0 / 3) / 2))));
  rrelu->train();
  auto neg = -torch::linspace(0.5, 2, 1000, torch::kDouble);
  auto slope = rrelu(neg) / neg;
  EXPECT_GE(slope.min().item<double>(), 1.0 / 8 - 1e-12);
  EXPECT_LE(slope.max().item<double>(), 1.0 / 3 + 1e-12);
  EXPECT_GT(slope.std().item<double>(), 0.01);
  // Softmax2d normalises over the channel dim.
  auto img = torch::linspace(-1, 1, 24, torch::kDouble).reshape({1, 2, 3, 4});
  EXPECT_TRUE(nn::Softmax2d()(img).allclose(img.softmax(1)));
  // Large inputs: no overflow, no nan.
  auto big = torch::tensor({-1000.0, 1000.0}, torch::kDouble);
  EXPECT_TRUE(F::softplus(big).equal(torch::tensor({0.0, 1000.0}, torch::kDouble)));
  EXPECT_TRUE(F::logsigmoid(big).equal(torch::tensor({-1000.0, 0.0}, torch::kDouble)));
  EXPECT_TRUE(F::mish(big).equal(torch::tensor({-0.0, 1000.0}, torch::kDouble)));
  // float32 keeps its dtype; nan stays nan, except through softshrink, which PyTorch 1.13 maps to 0.
  auto f = torch::tensor({NAN, 1.0f});
  for (const Tensor& t :
       {F::softplus(f), F::mish(f), F::selu(f), F::celu(f), F::logsigmoid(f), F::hardtanh(f), F::hardshrink(f)}) {
    EXPECT_EQ(t.dtype(), torch::kFloat);
    EXPECT_TRUE(std::isnan(t[0].item<float>()));
  }
  EXPECT_EQ(F::softshrink(f)[0].item<float>(), 0.0f);
  // Empty inputs give empty outputs.
  EXPECT_EQ(F::softplus(torch::empty({0, 3})).sizes().vec(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(F::glu(torch::empty({0, 4})).sizes().vec(), (std::vector<int64_t>{0, 2}));
}

TEST(NnLayers, AlphaDropoutKeepsMeanAndVariance) {
  torch::manual_seed(0);
  auto x = torch::randn({20000}, torch::kDouble);
  nn::AlphaDropout drop(0.2);
  drop->train();
  auto y = drop(x);
  EXPECT_NEAR(y.mean().item<double>(), 0.0, 0.03);
  EXPECT_NEAR(y.std().item<double>(), 1.0, 0.03);
  // Every element is either a x + a alpha p (kept) or -a alpha (1 - p) (dropped).
  const double alpha = 1.7580993408473766, p = 0.2;
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  auto kept = (y - (x * a + alpha * a * p)).abs() < 1e-12;
  auto dropped = (y + alpha * a * (1 - p)).abs() < 1e-12;
  EXPECT_TRUE((kept | dropped).all().item<bool>());
  EXPECT_NEAR(dropped.to(torch::kDouble).mean().item<double>(), p, 0.02);
  drop->eval();
  EXPECT_TRUE(drop(x).equal(x));
  // The functional defaults to training=false, as LibTorch's.
  EXPECT_TRUE(F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(0.5)).equal(x));
  // Feature form: whole channels share the mask.
  auto img = torch::ones({4, 6, 5}, torch::kDouble);
  auto fy = F::feature_alpha_dropout(img, F::FeatureAlphaDropoutFuncOptions().p(0.5).training(true));
  EXPECT_TRUE((fy.amax({2}) == fy.amin({2})).all().item<bool>());
}

// ---------------------------------------------------------------- distance and losses

TEST(NnLayers, PairwiseDistanceMatchesPyTorch) {
  run_module2("pairwise_distance", nn::PairwiseDistance());
  run_module2("pairwise_distance_p1_keepdim", nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(1).keepdim(true)));
  run_module2("pairwise_distance_p3_broadcast", nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(3)));
  expect_print("PairwiseDistance", printed(nn::PairwiseDistance()));
  expect_print("PairwiseDistance_1_keepdim",
               printed(nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(1).keepdim(true))));
}

TEST(NnLayers, LossesMatchPyTorch) {
  run_module2("soft_margin_loss", nn::SoftMarginLoss());
  run_module2("soft_margin_loss_none", nn::SoftMarginLoss(torch::kNone));
  run_module2("hinge_embedding_loss", nn::HingeEmbeddingLoss());
  run_module2("hinge_embedding_loss_margin2_sum",
              nn::HingeEmbeddingLoss(nn::HingeEmbeddingLossOptions().margin(2).reduction(torch::kSum)));
  run_module2("multi_margin_loss", nn::MultiMarginLoss());
  run_module2("multi_margin_loss_p2_weight_none",
              nn::MultiMarginLoss(nn::MultiMarginLossOptions()
                                      .p(2)
                                      .margin(0.7)
                                      .weight(torch::tensor({0.5, 1.0, 1.5, 2.0, 2.5}, torch::kDouble))
                                      .reduction(torch::kNone)));
  run_module2("multilabel_margin_loss", nn::MultiLabelMarginLoss());
  run_module2("multilabel_margin_loss_none_1d", nn::MultiLabelMarginLoss(torch::kNone));
  run_module2("multilabel_soft_margin_loss", nn::MultiLabelSoftMarginLoss());
  run_module2("multilabel_soft_margin_loss_weight_none",
              nn::MultiLabelSoftMarginLoss(nn::MultiLabelSoftMarginLossOptions()
                                               .weight(torch::tensor({0.5, 1.0, 1.5, 2.0, 2.5}, torch::kDouble))
                                               .reduction(torch::kNone)));
  run_module2("poisson_nll_loss", nn::PoissonNLLLoss());
  run_module2("poisson_nll_loss_rate_full_sum",
              nn::PoissonNLLLoss(nn::PoissonNLLLossOptions().log_input(false).full(true).reduction(torch::kSum)));
  nn::TripletMarginLoss triplet;
  run_case("triplet_margin_loss", triplet.ptr(),
           [triplet](const std::vector<Tensor>& in) mutable { return triplet(in[0], in[1], in[2]); });
  nn::TripletMarginLoss swapped(nn::TripletMarginLossOptions().margin(2).p(1).swap(true).reduction(torch::kNone));
  run_case("triplet_margin_loss_p1_swap_margin2_none", swapped.ptr(),
           [swapped](const std::vector<Tensor>& in) mutable { return swapped(in[0], in[1], in[2]); });
}

TEST(NnLayers, CTCLossMatchesPyTorch) {
  auto ctc = [](const std::string& name, nn::CTCLoss m) {
    run_case(name, m.ptr(), [m](const std::vector<Tensor>& in) mutable { return m(in[0], in[1], in[2], in[3]); });
  };
  ctc("ctc_loss_mean", nn::CTCLoss());
  ctc("ctc_loss_sum_concat_blank4", nn::CTCLoss(nn::CTCLossOptions().blank(4).reduction(torch::kSum)));
  ctc("ctc_loss_none_zero_inf", nn::CTCLoss(nn::CTCLossOptions().reduction(torch::kNone).zero_infinity(true)));
  // Without zero_infinity an impossible target costs inf.
  auto lp = torch::linspace(-2, 2, 15, torch::kDouble).reshape({3, 1, 5}).log_softmax(2);
  auto loss = F::ctc_loss(lp, torch::tensor({{1, 1, 2}}), torch::tensor({3}), torch::tensor({3}),
                          F::CTCLossFuncOptions().reduction(torch::kNone));
  EXPECT_TRUE(std::isinf(loss[0].item<double>()));
  expect_print("CTCLoss", printed(nn::CTCLoss()));
}

TEST(NnLayers, LossesPrintLikeLibTorch) {
  expect_print("SoftMarginLoss", printed(nn::SoftMarginLoss()));
  expect_print("HingeEmbeddingLoss", printed(nn::HingeEmbeddingLoss(nn::HingeEmbeddingLossOptions().margin(2))));
  expect_print("MultiMarginLoss", printed(nn::MultiMarginLoss()));
  expect_print("MultiLabelMarginLoss", printed(nn::MultiLabelMarginLoss()));
  expect_print("MultiLabelSoftMarginLoss", printed(nn::MultiLabelSoftMarginLoss()));
  expect_print("PoissonNLLLoss", printed(nn::PoissonNLLLoss()));
  expect_print("TripletMarginLoss", printed(nn::TripletMarginLoss()));
  expect_print("TripletMarginLoss_opts",
               printed(nn::TripletMarginLoss(nn::TripletMarginLossOptions().margin(2).p(1).swap(true))));
}

// ---------------------------------------------------------------- shape, pooling, norm, upsampling

TEST(NnLayers, ShapePoolingNormUpsamplingMatchPyTorch) {
  run_module("pixel_shuffle_2", nn::PixelShuffle(2));
  run_module("pixel_unshuffle_2", nn::PixelUnshuffle(2));
  run_module("avg_pool1d_3_2_pad1", nn::AvgPool1d(nn::AvgPool1dOptions(3).stride(2).padding(1)));
  run_module("avg_pool1d_3_ceil_nopad", nn::AvgPool1d(nn::AvgPool1dOptions(3).ceil_mode(true).count_include_pad(false)));
  run_module("adaptive_avg_pool1d_3", nn::AdaptiveAvgPool1d(3));
  run_module("instance_norm1d", nn::InstanceNorm1d(3));
  run_module("instance_norm2d_affine", nn::InstanceNorm2d(nn::InstanceNorm2dOptions(3).affine(true)));
  run_module("upsample_nearest_2", nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2})));
  run_module("upsample_nearest_size_5_7", nn::Upsample(nn::UpsampleOptions().size(std::vector<int64_t>{5, 7})));
  run_module("upsample_bilinear_2", nn::Upsample(nn::UpsampleOptions()
                                                     .scale_factor(std::vector<double>{2, 2})
                                                     .mode(torch::kBilinear)));
  run_module("upsample_bilinear_size_5_7_align", nn::Upsample(nn::UpsampleOptions()
                                                                  .size(std::vector<int64_t>{5, 7})
                                                                  .mode(torch::kBilinear)
                                                                  .align_corners(true)));
  run_module("upsample_bicubic_2",
             nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kBicubic)));
  run_module("upsample_bicubic_size_5_3_align", nn::Upsample(nn::UpsampleOptions()
                                                                 .size(std::vector<int64_t>{5, 3})
                                                                 .mode(torch::kBicubic)
                                                                 .align_corners(true)));
  run_case("interpolate_linear_size7", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{7}).mode(torch::kLinear));
  });
  run_case("interpolate_nearest_1d_scale1.5", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().scale_factor(std::vector<double>{1.5}));
  });
  run_case("interpolate_area_2d", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{2, 3}).mode(torch::kArea));
  });
  run_case("interpolate_area_3d", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{1, 2, 2}).mode(torch::kArea));
  });
  run_case("interpolate_trilinear", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{3, 4, 3}).mode(torch::kTrilinear));
  });
  run_case("interpolate_nearest_exact_2d", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0],
                          F::InterpolateFuncOptions().size(std::vector<int64_t>{5, 7}).mode(torch::kNearestExact));
  });
  run_case("interpolate_nearest_3d_scale2", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 1, 2}));
  });
  run_case("interpolate_bilinear_down", nullptr, [](const std::vector<Tensor>& in) {
    return F::interpolate(in[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{2, 3}).mode(torch::kBilinear));
  });
}

TEST(NnLayers, AdaptiveMaxAnd3dPoolingAndFoldMatchPyTorch) {
  run_module("adaptive_max_pool1d_3", nn::AdaptiveMaxPool1d(3));
  run_module("adaptive_max_pool2d_3_2", nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({3, 2})));
  run_module("adaptive_max_pool2d_none_4", nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({std::nullopt, 4})));
  run_module("adaptive_avg_pool3d_2_3_2", nn::AdaptiveAvgPool3d(nn::AdaptiveAvgPool3dOptions({2, 3, 2})));
  run_module("max_pool3d_2", nn::MaxPool3d(2));
  run_module("max_pool3d_3_s2_p1_d1_ceil", nn::MaxPool3d(nn::MaxPool3dOptions(3).stride(2).padding(1).ceil_mode(true)));
  run_module("max_pool3d_2_dil2", nn::MaxPool3d(nn::MaxPool3dOptions(2).stride({1, 2, 1}).dilation({1, 2, 2})));
  run_module("avg_pool3d_2", nn::AvgPool3d(2));
  run_module("avg_pool3d_3_s2_p1_ceil_nopad",
             nn::AvgPool3d(nn::AvgPool3dOptions(3).stride(2).padding(1).ceil_mode(true).count_include_pad(false)));
  run_module("avg_pool3d_3_s2_p1_divisor5", nn::AvgPool3d(nn::AvgPool3dOptions(3).stride(2).padding(1).divisor_override(5)));
  run_module("avg_pool3d_3_s2_p1_ceil", nn::AvgPool3d(nn::AvgPool3dOptions(3).stride(2).padding(1).ceil_mode(true)));
  run_module("lp_pool1d_2_k3_s2", nn::LPPool1d(nn::LPPool1dOptions(2, 3).stride(2)));
  run_module("lp_pool2d_3_k2", nn::LPPool2d(nn::LPPool2dOptions(3, 2)));
  run_module("lp_pool2d_1.5_k2x3_ceil", nn::LPPool2d(nn::LPPool2dOptions(1.5, {2, 3}).ceil_mode(true)));
  run_module("local_response_norm_3d", nn::LocalResponseNorm(3));
  run_module("local_response_norm_4d_opts",
             nn::LocalResponseNorm(nn::LocalResponseNormOptions(2).alpha(0.1).beta(0.5).k(2)));
  run_module("unfold_2x3_d1_p1_s2", nn::Unfold(nn::UnfoldOptions({2, 3}).padding(1).stride(2)));
  run_module("fold_3x3_out4x5_p1", nn::Fold(nn::FoldOptions({4, 5}, {3, 3}).padding(1)));
  run_module("fold_unbatched_2x2", nn::Fold(nn::FoldOptions({3, 3}, {2, 2})));
  // Indices, as PyTorch returns them (flattened positions in the pooled dims).
  const json& mp = cases().at("max_pool3d_indices");
  auto [v, i] = nn::MaxPool3d(nn::MaxPool3dOptions(3).stride(2).padding(1))->forward_with_indices(tensor_from(mp["input"]));
  EXPECT_TRUE(i.equal(tensor_from(mp["indices"]))) << i;
  const json& am = cases().at("adaptive_max_pool2d_indices");
  auto [av, ai] = nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({3, 2}))->forward_with_indices(tensor_from(am["input"]));
  EXPECT_TRUE(ai.equal(tensor_from(am["indices"]))) << ai;
  // Ties: the first maximum in row-major order wins, as in PyTorch's scan.
  auto flat = torch::tensor({1.0, 3.0, 3.0, 0.0, 3.0, 2.0}, torch::kDouble).reshape({1, 1, 2, 3});
  auto [tv, ti] = F::adaptive_max_pool2d_with_indices(flat, F::AdaptiveMaxPool2dFuncOptions({1, 1}));
  EXPECT_EQ(ti.item<int64_t>(), 1);
  EXPECT_EQ(tv.item<double>(), 3.0);
}

TEST(NnLayers, Conv3dAndTransposedConvsMatchPyTorch) {
  run_module("conv3d_g2_s121_p1", nn::Conv3d(nn::Conv3dOptions(4, 6, {2, 3, 1}).stride({1, 2, 1}).padding(1).groups(2)));
  run_module("conv3d_d2_nobias", nn::Conv3d(nn::Conv3dOptions(2, 3, 2).dilation({2, 1, 2}).bias(false)));
  run_module("conv3d_unbatched_s2", nn::Conv3d(nn::Conv3dOptions(2, 2, 3).stride(2)));
  run_module("conv_transpose1d_s2_op1", nn::ConvTranspose1d(nn::ConvTranspose1dOptions(3, 4, 3).stride(2).output_padding(1)));
  run_module("conv_transpose1d_g_d2_p1",
             nn::ConvTranspose1d(nn::ConvTranspose1dOptions(4, 2, 3).padding(1).dilation(2).groups(2).bias(false)));
  run_module("conv_transpose3d_s2_p1_op1",
             nn::ConvTranspose3d(nn::ConvTranspose3dOptions(2, 3, 3).stride(2).padding(1).output_padding(1)));
  run_module("conv_transpose3d_g2_d2",
             nn::ConvTranspose3d(nn::ConvTranspose3dOptions(2, 4, 2).dilation(2).groups(2).stride({1, 2, 1})));
  // padding kSame keeps the spatial size; the module's weight has PyTorch's shape.
  nn::Conv3d same(nn::Conv3dOptions(2, 3, {3, 2, 4}).padding(torch::kSame));
  EXPECT_EQ(same->weight.sizes().vec(), (std::vector<int64_t>{3, 2, 3, 2, 4}));
  EXPECT_EQ(same(torch::ones({1, 2, 4, 5, 6})).sizes().vec(), (std::vector<int64_t>{1, 3, 4, 5, 6}));
  // output_size picks the output padding, as ConvTranspose2d.
  nn::ConvTranspose3d up(nn::ConvTranspose3dOptions(2, 2, 3).stride(2));
  EXPECT_EQ(up->forward(torch::ones({1, 2, 3, 3, 3}), std::vector<int64_t>{8, 7, 8}).sizes().vec(),
            (std::vector<int64_t>{1, 2, 8, 7, 8}));
}

TEST(NnLayers, EmbeddingBagMatchesPyTorch) {
  auto bag = [](const std::string& name, nn::EmbeddingBag m) {
    run_case(name, m.ptr(), [m](const std::vector<Tensor>& in) mutable {
      if (in.size() == 1) return m(in[0]);
      if (in.size() == 2) return m(in[0], in[1]);
      return m(in[0], in[1], in[2]);
    });
  };
  bag("embedding_bag_mean", nn::EmbeddingBag(6, 3));
  bag("embedding_bag_sum_weights_pad2", nn::EmbeddingBag(nn::EmbeddingBagOptions(6, 3).mode(torch::kSum).padding_idx(2)));
  bag("embedding_bag_max_2d", nn::EmbeddingBag(nn::EmbeddingBagOptions(6, 3).mode(torch::kMax)));
  bag("embedding_bag_max_last_offset",
      nn::EmbeddingBag(nn::EmbeddingBagOptions(6, 3).mode(torch::kMax).include_last_offset(true)));
  expect_print("EmbeddingBag", printed(nn::EmbeddingBag(6, 3)));
  expect_print("EmbeddingBag_opts", printed(nn::EmbeddingBag(
                                        nn::EmbeddingBagOptions(6, 3).mode(torch::kMax).include_last_offset(true).padding_idx(2).max_norm(1.5))));
  auto table = torch::ones({6, 3});
  expect_libtorch_error("embedding_bag_offsets0", [&] {
    F::embedding_bag(torch::tensor({0, 1, 2}), table, F::EmbeddingBagFuncOptions().offsets(torch::tensor({1, 2})));
  });
  expect_libtorch_error("embedding_bag_2d_offsets", [&] {
    F::embedding_bag(torch::tensor({{0, 1}}), table, F::EmbeddingBagFuncOptions().offsets(torch::tensor({0})));
  });
  expect_libtorch_error("embedding_bag_no_offsets", [&] { F::embedding_bag(torch::tensor({0, 1}), table); });
  expect_libtorch_error("embedding_bag_psw_mean", [&] {
    F::embedding_bag(torch::tensor({{0, 1}}), table, F::EmbeddingBagFuncOptions().per_sample_weights(torch::ones({1, 2})));
  });
  // LibTorch words this one as a caffe2 enforce; ember keeps its substance.
  const std::string range_needle = "Index 1 is out of bounds: 7, range 0 to 6";
  EXPECT_NE(libtorch("error").at("embedding_bag_range").find(range_needle), std::string::npos);
  expect_error([&] { F::embedding_bag(torch::tensor({{0, 7}}), table); }, range_needle);
  expect_libtorch_error("embedding_bag_3d", [&] { F::embedding_bag(torch::zeros({1, 1, 1}, torch::kLong), table); });
}

TEST(NnLayers, InstanceNormTracksRunningStatsLikePyTorch) {
  const json& c = cases().at("instance_norm1d_tracked");
  nn::InstanceNorm1d norm(nn::InstanceNorm1dOptions(2).track_running_stats(true).momentum(0.2));
  norm->to(torch::kDouble);
  EXPECT_EQ(norm->named_buffers().keys(),
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  expect_close(norm(tensor_from(c["inputs"][0])), c["output"], "train output");
  expect_close(norm->running_mean, c["running_mean"], "running_mean");
  expect_close(norm->running_var, c["running_var"], "running_var");
  norm->eval();
  expect_close(norm(tensor_from(c["probe"])), c["eval_output"], "eval output");
  // Unbatched (C, L) input is one sample.
  auto x = torch::linspace(-1, 2, 10, torch::kDouble).reshape({2, 5});
  nn::InstanceNorm1d plain(2);
  EXPECT_TRUE(plain(x).allclose(plain(x.unsqueeze(0)).squeeze(0)));
}

TEST(NnLayers, ShapeLayersPrintLikeLibTorch) {
  expect_print("PixelShuffle", printed(nn::PixelShuffle(2)));
  expect_print("PixelUnshuffle", printed(nn::PixelUnshuffle(3)));
  expect_print("AvgPool1d", printed(nn::AvgPool1d(nn::AvgPool1dOptions(3).stride(2).padding(1))));
  expect_print("AdaptiveAvgPool1d", printed(nn::AdaptiveAvgPool1d(3)));
  expect_print("InstanceNorm1d", printed(nn::InstanceNorm1d(3)));
  expect_print("InstanceNorm2d_affine", printed(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(3).affine(true))));
  expect_print("InstanceNorm3d_tracked",
               printed(nn::InstanceNorm3d(nn::InstanceNorm3dOptions(4).track_running_stats(true).momentum(0.2))));
  expect_print("Fold", printed(nn::Fold(nn::FoldOptions({4, 5}, {2, 3}).padding(1))));
  expect_print("Unfold", printed(nn::Unfold(nn::UnfoldOptions({2, 3}).stride(2))));
  expect_print("AdaptiveMaxPool1d", printed(nn::AdaptiveMaxPool1d(3)));
  expect_print("AdaptiveMaxPool2d", printed(nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({3, 2}))));
  expect_print("AdaptiveMaxPool2d_none",
               printed(nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({std::nullopt, 4}))));
  expect_print("AdaptiveAvgPool3d", printed(nn::AdaptiveAvgPool3d(nn::AdaptiveAvgPool3dOptions({2, 3, 2}))));
  expect_print("MaxPool3d", printed(nn::MaxPool3d(nn::MaxPool3dOptions(3).stride(2).padding(1).ceil_mode(true))));
  expect_print("AvgPool3d", printed(nn::AvgPool3d(nn::AvgPool3dOptions(2))));
  expect_print("LPPool1d", printed(nn::LPPool1d(nn::LPPool1dOptions(2, 3).stride(2))));
  expect_print("LPPool2d", printed(nn::LPPool2d(nn::LPPool2dOptions(1.5, {2, 3}).ceil_mode(true))));
  expect_print("LocalResponseNorm", printed(nn::LocalResponseNorm(3)));
  expect_print("LocalResponseNorm_opts",
               printed(nn::LocalResponseNorm(nn::LocalResponseNormOptions(2).alpha(0.1).beta(0.5).k(2))));
  expect_print("Conv3d",
               printed(nn::Conv3d(nn::Conv3dOptions(4, 6, {2, 3, 1}).stride({1, 2, 1}).padding(1).groups(2))));
  expect_print("ConvTranspose1d",
               printed(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(3, 4, 3).stride(2).output_padding(1).bias(false))));
  expect_print("ConvTranspose3d",
               printed(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(2, 4, 2).dilation(2).groups(2))));
  expect_print("Upsample_scale2", printed(nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}))));
  expect_print("Upsample_bilinear_size", printed(nn::Upsample(nn::UpsampleOptions()
                                                                  .size(std::vector<int64_t>{5, 7})
                                                                  .mode(torch::kBilinear)
                                                                  .align_corners(true))));
  expect_print("Upsample_bicubic_scale",
               printed(nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{1.5}).mode(torch::kBicubic))));
}

// ---------------------------------------------------------------- gradcheck

TEST(NnLayers, GradcheckNewOps) {
  using torch::autograd::gradcheck;
  using torch::autograd::gradgradcheck;
  auto x = torch::linspace(-2.7, 3.1, 12, torch::kDouble).reshape({3, 4}).requires_grad_(true);
  auto y = torch::linspace(-1.3, 0.9, 12, torch::kDouble).reshape({3, 4}).flip({1}).requires_grad_(true);
  std::vector<std::pair<std::string, std::function<Tensor(const std::vector<Tensor>&)>>> unary = {
      {"softplus", [](const std::vector<Tensor>& v) { return torch::softplus(v[0], 2, 3); }},
      {"hardtanh", [](const std::vector<Tensor>& v) { return torch::hardtanh(v[0], -2.0, 2.0); }},
      {"mish", [](const std::vector<Tensor>& v) { return torch::mish(v[0]); }},
      {"selu", [](const std::vector<Tensor>& v) { return torch::selu(v[0]); }},
      {"celu", [](const std::vector<Tensor>& v) { return torch::celu(v[0], 0.7); }},
      {"glu", [](const std::vector<Tensor>& v) { return torch::glu(v[0], 1); }},
      {"log_sigmoid", [](const std::vector<Tensor>& v) { return torch::log_sigmoid(v[0]); }},
      {"threshold", [](const std::vector<Tensor>& v) { return torch::threshold(v[0], 0.5, -1.0); }},
      {"softsign", [](const std::vector<Tensor>& v) { return torch::softsign(v[0]); }},
      {"tanhshrink", [](const std::vector<Tensor>& v) { return torch::tanhshrink(v[0]); }},
      {"softshrink", [](const std::vector<Tensor>& v) { return torch::softshrink(v[0], 0.6); }},
      {"hardshrink", [](const std::vector<Tensor>& v) { return torch::hardshrink(v[0], 0.6); }},
      {"hardswish", [](const std::vector<Tensor>& v) { return torch::hardswish(v[0]); }},
      {"hardsigmoid", [](const std::vector<Tensor>& v) { return torch::hardsigmoid(v[0]); }},
      {"pixel_shuffle", [](const std::vector<Tensor>& v) { return torch::pixel_shuffle(v[0].reshape({1, 4, 1, 3}), 2); }},
      {"pixel_unshuffle", [](const std::vector<Tensor>& v) { return torch::pixel_unshuffle(v[0].reshape({1, 1, 2, 6}), 2); }},
      {"upsample_bilinear2d",
       [](const std::vector<Tensor>& v) { return torch::upsample_bilinear2d(v[0].reshape({1, 1, 3, 4}), {5, 3}, false); }},
      {"upsample_bicubic2d",
       [](const std::vector<Tensor>& v) { return torch::upsample_bicubic2d(v[0].reshape({1, 1, 3, 4}), {4, 7}, true); }},
      {"upsample_nearest2d",
       [](const std::vector<Tensor>& v) { return torch::upsample_nearest2d(v[0].reshape({1, 1, 3, 4}), {5, 5}); }},
      {"adaptive_max_pool2d",
       [](const std::vector<Tensor>& v) { return std::get<0>(torch::adaptive_max_pool2d(v[0].reshape({1, 3, 4}), {2, 3})); }},
      {"adaptive_avg_pool3d",
       [](const std::vector<Tensor>& v) { return torch::adaptive_avg_pool3d(v[0].reshape({1, 2, 2, 3}), {1, 2, 2}); }},
      {"max_pool3d",
       [](const std::vector<Tensor>& v) { return torch::max_pool3d(v[0].reshape({1, 2, 2, 3}), {2, 2, 2}, {1}, {1}); }},
      {"avg_pool3d",
       [](const std::vector<Tensor>& v) { return torch::avg_pool3d(v[0].reshape({1, 2, 2, 3}), {2, 2, 2}, {1}, {1}, true, false); }},
      {"conv3d",
       [](const std::vector<Tensor>& v) {
         return torch::conv3d(v[0].reshape({1, 1, 2, 2, 3}), v[0].reshape({2, 1, 1, 2, 3}).narrow(4, 0, 2), {}, 1, {1, 0, 1});
       }},
      {"conv_transpose3d",
       [](const std::vector<Tensor>& v) {
         return torch::conv_transpose3d(v[0].reshape({1, 2, 1, 2, 3}), v[0].reshape({2, 1, 3, 2, 1}), {}, {1, 2, 1}, 0, {0, 1, 0});
       }},
      {"conv_transpose1d",
       [](const std::vector<Tensor>& v) {
         return torch::conv_transpose1d(v[0].reshape({2, 6}), v[0].reshape({2, 2, 3}), {}, 2, 1, 1);
       }},
      {"upsample_linear1d",
       [](const std::vector<Tensor>& v) { return torch::upsample_linear1d(v[0].reshape({1, 3, 4}), {9}, false); }},
  };
  for (const auto& [name, fn] : unary) {
    EXPECT_TRUE(gradcheck(fn, {x})) << name;
    EXPECT_TRUE(gradgradcheck(fn, {x})) << name;
  }
  auto w = torch::tensor({0.2, -0.3, 0.4, 0.1}, torch::kDouble).requires_grad_(true);
  auto prelu = [](const std::vector<Tensor>& v) { return torch::prelu(v[0], v[1]); };
  EXPECT_TRUE(gradcheck(prelu, {x, w}));
  auto t = torch::tensor({1.0, -1.0, 1.0, -1.0}, torch::kDouble).repeat({3, 1});
  auto cls = torch::tensor({1, 0, 3});
  auto ml = torch::tensor({{3, 0, -1, 1}, {1, 2, -1, 0}, {0, 1, 2, 3}});
  std::vector<std::pair<std::string, std::function<Tensor(const std::vector<Tensor>&)>>> binary = {
      {"pairwise_distance", [](const std::vector<Tensor>& v) { return torch::pairwise_distance(v[0], v[1], 3); }},
      {"soft_margin_loss", [t](const std::vector<Tensor>& v) { return torch::soft_margin_loss(v[0] - v[1], t); }},
      {"hinge_embedding_loss",
       [t](const std::vector<Tensor>& v) { return torch::hinge_embedding_loss(v[0] - v[1], t, 1.5); }},
      {"multi_margin_loss",
       [cls](const std::vector<Tensor>& v) { return torch::multi_margin_loss(v[0] - v[1], cls, 2, 0.8, v[1][0]); }},
      {"multilabel_margin_loss",
       [ml](const std::vector<Tensor>& v) { return torch::multilabel_margin_loss(v[0] * 0.3 - v[1], ml); }},
      {"poisson_nll_loss",
       [](const std::vector<Tensor>& v) { return torch::poisson_nll_loss(v[0], v[1].abs(), true, true, 1e-8, 1); }},
      {"triplet_margin_loss",
       [](const std::vector<Tensor>& v) { return torch::triplet_margin_loss(v[0], v[1], v[0].flip({0}), 1.0, 2, 1e-6, true); }},
  };
  for (const auto& [name, fn] : binary) EXPECT_TRUE(gradcheck(fn, {x, y})) << name;
}

// ---------------------------------------------------------------- bad input

// What LibTorch accepts, ember accepts (nn_layers_libtorch.txt records "(no error)" for these).
TEST(NnLayers, EdgeInputsLibTorchAccepts) {
  for (const char* key : {"instance_norm2d_dim", "instance_norm_one_value", "threshold_int", "hardtanh_int_ok",
                          "hardtanh_min_gt_max", "max_pool3d_dim"})
    EXPECT_EQ(libtorch("error").at(key), "(no error)") << key;
  // InstanceNorm2d on (C, H, W) is one unbatched sample.
  auto img = torch::linspace(-1, 1, 30, torch::kDouble).reshape({2, 3, 5});
  EXPECT_TRUE(nn::InstanceNorm2d(2)(img).allclose(nn::InstanceNorm2d(2)(img.unsqueeze(0)).squeeze(0)));
  // One value per instance: normalised to 0, no error (unlike BatchNorm).
  EXPECT_TRUE(nn::InstanceNorm1d(3)(torch::ones({2, 3, 1})).equal(torch::zeros({2, 3, 1})));
  // Integer inputs stay integer.
  auto i = torch::tensor({1, 2, -3});
  auto th = F::threshold(i, F::ThresholdFuncOptions(1.5, 7));
  EXPECT_EQ(th.dtype(), torch::kLong);
  EXPECT_TRUE(th.equal(torch::tensor({7, 2, 7})));
  auto ht = F::hardtanh(i);
  EXPECT_EQ(ht.dtype(), torch::kLong);
  EXPECT_TRUE(ht.equal(torch::tensor({1, 1, -1})));
  // min_val > max_val: the clamp gives max_val everywhere.
  auto x = torch::linspace(-1, 1, 5, torch::kDouble);
  EXPECT_TRUE(F::hardtanh(x, F::HardtanhFuncOptions().min_val(2).max_val(1)).equal(torch::ones({5}, torch::kDouble)));
}

TEST(NnLayers, BadInputGivesLibTorchsMessages) {
  auto x = torch::linspace(-1, 1, 15).reshape({3, 5});
  expect_libtorch_error("glu_odd", [&] { F::glu(x, 1); });
  expect_libtorch_error("glu_scalar", [&] { F::glu(torch::tensor(1.0), 0); });
  expect_libtorch_error("glu_dim", [&] { F::glu(x, 2); });
  expect_libtorch_error("prelu_mismatch", [&] { nn::PReLU(nn::PReLUOptions().num_parameters(3))(x); });
  expect_libtorch_error("softmin_dim", [&] { F::softmin(x, F::SoftminFuncOptions(2)); });
  expect_libtorch_error("pairwise_shape", [&] { F::pairwise_distance(x, torch::ones({3, 4})); });
  expect_libtorch_error("pixel_shuffle_channels", [&] { F::pixel_shuffle(torch::ones({1, 6, 2, 2}), 2); });
  expect_libtorch_error("pixel_shuffle_dim", [&] { F::pixel_shuffle(torch::ones({4, 2}), 2); });
  expect_libtorch_error("pixel_unshuffle_width", [&] { F::pixel_unshuffle(torch::ones({1, 1, 4, 5}), 2); });
  expect_libtorch_error("pixel_unshuffle_height", [&] { F::pixel_unshuffle(torch::ones({1, 1, 5, 4}), 2); });
  expect_libtorch_error("pixel_shuffle_factor0", [&] { F::pixel_shuffle(torch::ones({1, 4, 2, 2}), 0); });
  expect_libtorch_error("multi_margin_p3", [&] {
    F::multi_margin_loss(x, torch::tensor({0, 1, 2}), F::MultiMarginLossFuncOptions().p(3));
  });
  expect_libtorch_error("multi_margin_target_range", [&] { F::multi_margin_loss(x, torch::tensor({0, 5, 2})); });
  expect_libtorch_error("multi_margin_target_shape", [&] { F::multi_margin_loss(x, torch::tensor({0, 1})); });
  expect_libtorch_error("multilabel_margin_shape",
                        [&] { F::multilabel_margin_loss(x, torch::zeros({3, 4}, torch::kLong)); });
  expect_libtorch_error("multilabel_margin_range",
                        [&] { F::multilabel_margin_loss(x, torch::full({3, 5}, 7, torch::kLong)); });
  expect_libtorch_error("soft_margin_shape", [&] { F::soft_margin_loss(x, torch::ones({3, 4})); });
  expect_libtorch_error("triplet_dims", [&] { F::triplet_margin_loss(x, x, torch::ones({5})); });
  expect_libtorch_error("hinge_shape", [&] { F::hinge_embedding_loss(x, torch::ones({3, 4})); });
  expect_libtorch_error("poisson_shape", [&] { F::poisson_nll_loss(x, torch::ones({3, 4})); });
  expect_libtorch_error("multilabel_soft_shape", [&] { F::multilabel_soft_margin_loss(x, torch::ones({3, 4})); });
  auto img = torch::ones({1, 2, 3, 4});
  expect_libtorch_error("interp_both", [&] {
    F::interpolate(img, F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{4, 4})
                            .scale_factor(std::vector<double>{2, 2}));
  });
  expect_libtorch_error("interp_neither", [&] { F::interpolate(img, F::InterpolateFuncOptions()); });
  expect_libtorch_error("interp_size_len",
                        [&] { F::interpolate(img, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4, 4})); });
  expect_libtorch_error("interp_scale_len", [&] {
    F::interpolate(img, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2, 2}));
  });
  expect_libtorch_error("interp_align_nearest", [&] {
    F::interpolate(img, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4}).align_corners(true));
  });
  expect_libtorch_error("interp_bilinear_3d", [&] {
    F::interpolate(torch::ones({1, 2, 3}),
                   F::InterpolateFuncOptions().size(std::vector<int64_t>{4}).mode(torch::kBilinear));
  });
  expect_libtorch_error("interp_linear_4d", [&] {
    F::interpolate(img, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4}).mode(torch::kLinear));
  });
  expect_libtorch_error("interp_2d_input",
                        [&] { F::interpolate(torch::ones({2, 3}), F::InterpolateFuncOptions().size(std::vector<int64_t>{4})); });
  expect_libtorch_error("avg_pool1d_4d", [&] { F::avg_pool1d(img, F::AvgPool1dFuncOptions(2)); });
  expect_libtorch_error("avg_pool1d_pad", [&] { F::avg_pool1d(torch::ones({1, 2, 6}), F::AvgPool1dFuncOptions(2).padding(2)); });
  expect_libtorch_error("adaptive_avg_pool1d_4d",
                        [&] { F::adaptive_avg_pool1d(img, F::AdaptiveAvgPool1dFuncOptions(2)); });
  expect_libtorch_error("instance_norm_channels",
                        [&] { nn::InstanceNorm1d(nn::InstanceNorm1dOptions(4).affine(true))(torch::ones({2, 3, 5})); });
  expect_libtorch_error("instance_norm1d_dim", [&] { nn::InstanceNorm1d(3)(torch::ones({2, 3, 5, 6})); });
  expect_libtorch_error("alpha_dropout_p", [&] { nn::AlphaDropout(1.5); });
  expect_libtorch_error("alpha_dropout_fp",
                        [&] { F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(1.5).training(true)); });
  expect_libtorch_error("softplus_int", [&] { F::softplus(torch::tensor({1, 2})); });
  expect_libtorch_error("mish_int", [&] { F::mish(torch::tensor({1, 2})); });
  expect_libtorch_error("hardtanh_bool", [&] { F::hardtanh(torch::tensor({true, false})); });
  expect_libtorch_error("logsigmoid_int", [&] { F::logsigmoid(torch::tensor({1, 2})); });
  expect_libtorch_error("selu_int", [&] { F::selu(torch::tensor({1, 2})); });
  expect_libtorch_error("softshrink_negative", [&] { F::softshrink(x, -1.0); });
  auto vol = torch::ones({1, 2, 4, 5, 6});
  expect_libtorch_error("fold_dim", [&] { F::fold(torch::ones({1, 1, 4, 4}), F::FoldFuncOptions({3, 3}, {2, 2})); });
  expect_libtorch_error("unfold_dim", [&] { F::unfold(torch::ones({1, 4, 4}), F::UnfoldFuncOptions({2, 2})); });
  expect_libtorch_error("adaptive_max_pool1d_4d",
                        [&] { F::adaptive_max_pool1d(img, F::AdaptiveMaxPool1dFuncOptions(2)); });
  expect_libtorch_error("adaptive_max_pool2d_dim", [&] {
    F::adaptive_max_pool2d(torch::ones({2, 3}), F::AdaptiveMaxPool2dFuncOptions({2, 2}));
  });
  expect_libtorch_error("adaptive_max_pool2d_empty", [&] {
    F::adaptive_max_pool2d(torch::ones({1, 2, 0, 3}), F::AdaptiveMaxPool2dFuncOptions({2, 2}));
  });
  expect_libtorch_error("adaptive_avg_pool3d_dim", [&] {
    F::adaptive_avg_pool3d(img.squeeze(0), F::AdaptiveAvgPool3dFuncOptions({2, 2, 2}));
  });
  expect_libtorch_error("max_pool3d_pad", [&] { F::max_pool3d(vol, F::MaxPool3dFuncOptions(2).padding(2)); });
  // A 4-D input is one unbatched (C, D, H, W) sample.
  EXPECT_EQ(F::max_pool3d(img, F::MaxPool3dFuncOptions(2)).sizes().vec(), (std::vector<int64_t>{1, 1, 1, 2}));
  expect_libtorch_error("max_pool3d_small", [&] { F::max_pool3d(vol, F::MaxPool3dFuncOptions(5)); });
  expect_libtorch_error("avg_pool3d_small", [&] { F::avg_pool3d(vol, F::AvgPool3dFuncOptions(5)); });
  expect_libtorch_error("avg_pool3d_divisor0",
                        [&] { F::avg_pool3d(vol, F::AvgPool3dFuncOptions(2).divisor_override(0)); });
  expect_libtorch_error("max_pool3d_int", [&] {
    F::max_pool3d(torch::ones({1, 2, 4, 4, 4}, torch::kLong), F::MaxPool3dFuncOptions(2));
  });
  expect_libtorch_error("lrn_dim", [&] { F::local_response_norm(x, F::LocalResponseNormFuncOptions(2)); });
  expect_libtorch_error("lp_pool1d_dim", [&] { F::lp_pool1d(img, F::LPPool1dFuncOptions(2, 2)); });
  expect_libtorch_error("conv3d_channels", [&] { nn::Conv3d(nn::Conv3dOptions(3, 4, 2))(vol); });
  expect_libtorch_error("conv3d_dim", [&] { nn::Conv3d(nn::Conv3dOptions(2, 4, 2))(img); });
  expect_libtorch_error("conv3d_kernel", [&] { nn::Conv3d(nn::Conv3dOptions(2, 4, 5))(vol); });
  expect_libtorch_error("conv_transpose1d_dim", [&] { nn::ConvTranspose1d(nn::ConvTranspose1dOptions(2, 4, 2))(img); });
  expect_libtorch_error("instance_norm_func_no_stats",
                        [&] { F::instance_norm(x.unsqueeze(0), F::InstanceNormFuncOptions().use_input_stats(false)); });
}
