// Files LibTorch 1.13's own torch::save wrote (TorchScript archives, made by
// tests/fixtures/serialize/libtorch/make_libtorch_files.cpp): modules, optimizers, tensors and a
// custom archive load into ember and continue as LibTorch did.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "expect_error.h"
#include "serialize/serialize_test_util.h"

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(2));
    fc = register_module("fc", torch::nn::Linear(8, 3));
  }
  torch::Tensor forward(torch::Tensor x) { return fc(bn(conv(x)).flatten(1)); }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Net);

std::string file(const std::string& name) { return sertest::fixture("libtorch/" + name); }
nlohmann::json expected() { return nlohmann::json::parse(sertest::read_bytes(file("expected.json"))); }

double step(Net& net, torch::optim::Optimizer& opt, const torch::Tensor& x) {
  opt.zero_grad();
  auto loss = net(x).pow(2).mean();
  loss.backward();
  opt.step();
  return loss.item<double>();
}

torch::Tensor input() {
  torch::Tensor x;
  torch::load(x, file("tensor.pt"));
  return x;
}

// Float32 outputs of order 0.01 to 1; the two libraries' convolutions sum in different orders.
constexpr double kTol = 1e-6;

TEST(LibTorchFiles, ModuleReproducesEvalOutput) {
  Net net;
  torch::load(net, file("net.pt"));
  EXPECT_EQ(net->bn->num_batches_tracked.item<int64_t>(), 2);
  net->eval();
  const auto out = net(input()).flatten();
  const auto want = expected()["eval_output"].get<std::vector<double>>();
  ASSERT_EQ(out.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out[static_cast<int64_t>(i)].item<double>(), want[i], kTol);
}

TEST(LibTorchFiles, AdamAmsgradAndSGDMomentumContinue) {
  const auto x = input();
  {
    Net net;
    torch::load(net, file("net.pt"));
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.5));
    torch::load(adam, file("adam.pt"));
    const auto& o = static_cast<torch::optim::AdamOptions&>(adam.param_groups()[0].options());
    EXPECT_EQ(o.lr(), 0.01);
    EXPECT_TRUE(o.amsgrad());
    const auto want = expected()["adam_next_losses"].get<std::vector<double>>();
    for (double w : want) EXPECT_NEAR(step(net, adam, x), w, kTol);
  }
  {
    Net net;
    torch::load(net, file("sgd_net.pt"));
    torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.5));
    torch::load(sgd, file("sgd.pt"));
    EXPECT_EQ(static_cast<torch::optim::SGDOptions&>(sgd.param_groups()[0].options()).momentum(), 0.9);
    const auto want = expected()["sgd_next_losses"].get<std::vector<double>>();
    for (double w : want) EXPECT_NEAR(step(net, sgd, x), w, kTol);
  }
}

TEST(LibTorchFiles, TensorsAndCustomArchives) {
  std::vector<torch::Tensor> v;
  torch::load(v, file("vector.pt"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(v[0].equal(torch::linspace(-1, 1, 32).view({2, 1, 4, 4})));
  EXPECT_TRUE(v[1].equal(torch::arange(3)));
  torch::serialize::InputArchive archive;
  archive.load_from(file("custom.pt"));
  c10::IValue epoch, lr;
  archive.read("epoch", epoch);
  archive.read("lr", lr);
  EXPECT_EQ(epoch.toInt(), 3);
  EXPECT_EQ(lr.toDouble(), 0.5);
  torch::serialize::InputArchive inner;
  archive.read("inner", inner);
  torch::Tensor w;
  inner.read("w", w);
  EXPECT_TRUE(w.equal(torch::arange(4)));
}

TEST(LibTorchFiles, ClassesAreOnlyAllowedInTorchScriptArchives) {
  // The same pickle without constants.pkl (so not a TorchScript archive) names a __torch__ class,
  // which a Python checkpoint never does: refused.
  const std::string bytes = sertest::read_bytes(file("custom.pt"));
  torch::serialize::InputArchive ok;
  ok.load_from(bytes.data(), bytes.size());
  std::string renamed = bytes;
  for (size_t at = 0; (at = renamed.find("custom/constants.pkl", at)) != std::string::npos; ++at)
    renamed.replace(at, 20, "custom/constantz.pkl");
  expect_error([&] {
    torch::serialize::InputArchive a;
    a.load_from(renamed.data(), renamed.size());
  }, "refusing to load the global '__torch__.Module'");
}

}  // namespace
