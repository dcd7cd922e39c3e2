// BatchNorm / LayerNorm / GroupNorm / Embedding / Dropout2d modules against PyTorch 1.13
// (tests/fixtures/norm_modules.json), their printing, and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "ops/op_table.h"
#include "../expect_error.h"

namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
using ember_test::json;
using ember_test::tensor_from;

const json& fixture(const std::string& name) {
  static json j = ember_test::load_fixture("norm_modules.json")["cases"];
  return j.at(name);
}

void expect_close(const torch::Tensor& got, const json& want, const std::string& what, double tol = 1e-5) {
  torch::Tensor w = tensor_from(want);
  ASSERT_EQ(got.sizes().vec(), w.sizes().vec()) << what;
  ASSERT_EQ(got.dtype(), w.dtype()) << what;
  EXPECT_TRUE(got.to(torch::kDouble).allclose(w.to(torch::kDouble), tol, tol)) << what << "\n got " << got << "\nwant " << w;
}

template <typename M>
std::string printed(const M& module) {
  std::ostringstream s;
  s << module;
  return s.str();
}

// Three training steps, then eval on a probe, as generate.py's bn_script does.
template <typename BN>
void run_bn_script(BN bn, const std::string& name) {
  const json& c = fixture(name);
  if (bn->options.affine()) {
    torch::NoGradGuard ng;
    const int64_t n = bn->options.num_features();
    bn->weight.copy_(torch::linspace(0.5, 1.5, n));
    bn->bias.copy_(torch::linspace(-0.25, 0.25, n));
  }
  bn->train();
  for (size_t i = 0; i < 3; ++i)
    expect_close(bn(tensor_from(c["inputs"][i])), c["train_outputs"][i], name + " train step " + std::to_string(i));
  expect_close(bn->running_mean, c["running_mean"], name + " running_mean");
  expect_close(bn->running_var, c["running_var"], name + " running_var");
  EXPECT_EQ(bn->num_batches_tracked.template item<int64_t>(), c["num_batches_tracked"].get<int64_t>()) << name;
  EXPECT_EQ(bn->num_batches_tracked.dtype(), torch::kLong);
  bn->eval();
  expect_close(bn(tensor_from(c["probe"])), c["eval_output"], name + " eval");
  // Eval leaves the statistics alone.
  expect_close(bn->running_mean, c["running_mean"], name + " running_mean after eval");
  EXPECT_EQ(bn->num_batches_tracked.template item<int64_t>(), 3);
}


}  // namespace

TEST(Norm, BatchNormRunningStatisticsMatchPyTorch) {
  run_bn_script(nn::BatchNorm2d(3), "batchnorm2d_momentum");
  run_bn_script(nn::BatchNorm2d(nn::BatchNorm2dOptions(3).momentum(c10::nullopt)), "batchnorm2d_cumulative");
  run_bn_script(nn::BatchNorm1d(nn::BatchNorm1dOptions(2).affine(false).momentum(0.2)), "batchnorm1d_3d_input_no_affine");
  run_bn_script(nn::BatchNorm1d(nn::BatchNorm1dOptions(4).eps(1e-3)), "batchnorm1d_2d_input");
}

TEST(Norm, BatchNormBuffersParametersAndReset) {
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(bn->named_buffers().keys(), (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn->named_parameters().keys(), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(bn->num_batches_tracked.dim(), 0);
  EXPECT_TRUE(bn->weight.equal(torch::ones({3})));
  EXPECT_TRUE(bn->bias.equal(torch::zeros({3})));
  bn(torch::arange(24.0).reshape({2, 3, 2, 2}));
  EXPECT_FALSE(bn->running_mean.equal(torch::zeros({3})));
  bn->reset_running_stats();
  EXPECT_TRUE(bn->running_mean.equal(torch::zeros({3})));
  EXPECT_TRUE(bn->running_var.equal(torch::ones({3})));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 0);

  // Without running statistics the batch's are used in eval mode too, and nothing is registered.
  nn::BatchNorm2d plain(nn::BatchNorm2dOptions(3).affine(false).track_running_stats(false));
  EXPECT_EQ(plain->named_buffers().size(), 0u);
  EXPECT_EQ(plain->named_parameters().size(), 0u);
  plain->eval();
  auto x = torch::arange(24.0).reshape({2, 3, 2, 2});
  EXPECT_TRUE(plain(x).allclose(torch::batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5, false)));

  // clone copies the statistics.
  auto copy = std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(bn->clone());
  ASSERT_TRUE(copy);
  bn(torch::arange(24.0).reshape({2, 3, 2, 2}));
  EXPECT_TRUE(copy->running_mean.equal(torch::zeros({3})));
  EXPECT_EQ(copy->num_batches_tracked.item<int64_t>(), 0);
}

TEST(Norm, FunctionalFormsAndGradFns) {
  auto x = torch::linspace(-2, 2, 24).reshape({2, 3, 4}).requires_grad_();
  auto rm = torch::zeros({3}), rv = torch::ones({3});
  auto y = F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().training(true).momentum(0.5));
  EXPECT_EQ(y.grad_fn()->name(), "NativeBatchNormBackward0");
  EXPECT_TRUE(rm.allclose(x.detach().mean(std::vector<int64_t>{0, 2}) * 0.5));
  auto ln = F::layer_norm(x, F::LayerNormFuncOptions({4}).eps(1e-3));
  EXPECT_EQ(ln.grad_fn()->name(), "NativeLayerNormBackward0");
  EXPECT_TRUE(ln.allclose(torch::layer_norm(x, {4}, {}, {}, 1e-3)));
  auto gn = F::group_norm(x, F::GroupNormFuncOptions(3));
  EXPECT_EQ(gn.grad_fn()->name(), "NativeGroupNormBackward0");
  // One group per channel is an instance norm: each (n, c) row normalised on its own.
  auto row = x.detach()[1][2];
  auto want = (row - row.mean()) / (row.var(false) + 1e-5).sqrt();
  EXPECT_TRUE(gn[1][2].allclose(want, 1e-5, 1e-6));
  auto w = torch::arange(12.0).reshape({4, 3}).requires_grad_();
  auto e = F::embedding(torch::tensor({3, 1, 3}), w, F::EmbeddingFuncOptions().padding_idx(-1));
  EXPECT_EQ(e.grad_fn()->name(), "EmbeddingBackward0");
  e.sum().backward();
  // padding_idx -1 is row 3: no gradient there.
  EXPECT_TRUE(w.grad().equal(torch::tensor({{0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}})));
  EXPECT_TRUE(F::one_hot(torch::tensor({{0, 2}, {1, 1}}))
                  .equal(torch::tensor({{{1, 0, 0}, {0, 0, 1}}, {{0, 1, 0}, {0, 1, 0}}}, torch::kLong)));
  EXPECT_EQ(F::one_hot(torch::tensor({1}), 4).sizes().vec(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(torch::one_hot(torch::zeros({0}, torch::kLong), 3).sizes().vec(), (std::vector<int64_t>{0, 3}));
}

// Plain backward takes a fused kernel; create_graph takes the public-op formula (differentiable
// again). Both must give the same first derivatives.
TEST(Norm, FusedAndCreateGraphBackwardsAgree) {
  auto opts = torch::TensorOptions(torch::kDouble);
  auto check = [&](const std::string& what, const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f,
                   std::vector<torch::Tensor> in) {
    for (auto& t : in) t.requires_grad_();
    auto up = torch::linspace(0.5, 1.5, f(in).numel(), opts).reshape(f(in).sizes());
    auto fused = torch::autograd::grad({f(in)}, in, {up});
    auto graph = torch::autograd::grad({f(in)}, in, {up}, true, true);
    for (size_t i = 0; i < in.size(); ++i)
      EXPECT_TRUE(fused[i].allclose(graph[i], 1e-10, 1e-12)) << what << " input " << i << "\n" << fused[i] << "\n" << graph[i];
  };
  auto x4 = torch::linspace(-2, 3, 48, opts).reshape({2, 4, 3, 2}).sin() * 3;
  auto w4 = torch::linspace(0.5, 1.5, 4, opts), b4 = torch::linspace(-1, 1, 4, opts);
  auto rm = torch::linspace(-0.5, 0.5, 4, opts), rv = torch::linspace(0.5, 2, 4, opts);
  for (bool training : {true, false})
    check(training ? "batch_norm train" : "batch_norm eval",
          [&](const std::vector<torch::Tensor>& t) { return torch::batch_norm(t[0], t[1], t[2], rm, rv, training, 0.1, 1e-5, false); },
          {x4.clone(), w4.clone(), b4.clone()});
  check("layer_norm", [](const std::vector<torch::Tensor>& t) { return torch::layer_norm(t[0], {3, 2}, t[1], t[2]); },
        {x4.clone(), torch::linspace(0.5, 1.5, 6, opts).reshape({3, 2}), torch::linspace(-1, 1, 6, opts).reshape({3, 2})});
  check("group_norm", [](const std::vector<torch::Tensor>& t) { return torch::group_norm(t[0], 2, t[1], t[2]); },
        {x4.clone(), w4.clone(), b4.clone()});
  check("group_norm no affine", [](const std::vector<torch::Tensor>& t) { return torch::group_norm(t[0], 4); }, {x4.clone()});
}

// Empty batches backpropagate to empty (or all-zero) gradients of the right shapes, as in
// PyTorch 1.13, with and without create_graph.
TEST(Norm, EmptyBatchBackward) {
  for (bool create_graph : {false, true}) {
    auto x = torch::randn({0, 4, 3}).requires_grad_();
    auto gw = torch::ones({4}).requires_grad_();
    auto g = torch::autograd::grad({torch::group_norm(x, 2, gw).sum()}, {x, gw}, {}, true, create_graph);
    EXPECT_EQ(g[0].sizes(), torch::IntArrayRef({0, 4, 3}));
    EXPECT_TRUE(g[1].equal(torch::zeros({4})));
    auto w = torch::randn({5, 3}).requires_grad_();
    auto e = torch::embedding(w, torch::zeros({0}, torch::kLong));
    EXPECT_EQ(e.sizes(), torch::IntArrayRef({0, 3}));
    auto ge = torch::autograd::grad({e.sum()}, {w}, {}, true, create_graph);
    EXPECT_TRUE(ge[0].equal(torch::zeros({5, 3})));
    auto e2 = torch::embedding(w, torch::zeros({2, 0}, torch::kLong));
    EXPECT_TRUE(torch::autograd::grad({e2.sum()}, {w}, {}, true, create_graph)[0].equal(torch::zeros({5, 3})));
  }
}

TEST(Norm, LayerNormAndGroupNormModules) {
  nn::LayerNorm ln(nn::LayerNormOptions({3, 4}));
  EXPECT_TRUE(ln->weight.equal(torch::ones({3, 4})));
  EXPECT_TRUE(ln->bias.equal(torch::zeros({3, 4})));
  auto x = torch::linspace(-1, 2, 24).reshape({2, 3, 4});
  EXPECT_TRUE(ln(x).allclose(torch::layer_norm(x, {3, 4})));
  nn::LayerNorm bare(nn::LayerNormOptions({4}).elementwise_affine(false));
  EXPECT_EQ(bare->parameters().size(), 0u);
  nn::GroupNorm gn(2, 4);
  EXPECT_TRUE(gn->weight.equal(torch::ones({4})));
  auto x4 = torch::linspace(-1, 2, 32).reshape({2, 4, 2, 2});
  EXPECT_TRUE(gn(x4).allclose(torch::group_norm(x4, 2)));
  // Constructing the norm layers draws nothing from the generator (PyTorch's randn afterwards).
  torch::manual_seed(0);
  nn::LayerNorm(nn::LayerNormOptions({3, 4}));
  nn::GroupNorm(2, 4);
  nn::BatchNorm2d(3);
  expect_close(torch::randn({5}), fixture("randn_after_norm_layers_seed0"), "randn after norm layers", 1e-6);
}

TEST(Norm, EmbeddingInitialisationAndPretrained) {
  torch::manual_seed(0);
  nn::Embedding emb(nn::EmbeddingOptions(10, 4).padding_idx(2));
  expect_close(emb->weight, fixture("embedding_init_seed0")["weight"], "embedding init", 1e-6);
  EXPECT_TRUE(emb->weight[2].equal(torch::zeros({4})));
  auto y = emb(torch::tensor({{2, 5}, {5, 9}}));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 2, 4}));
  y.sum().backward();
  EXPECT_TRUE(emb->weight.grad()[2].equal(torch::zeros({4})));
  EXPECT_TRUE(emb->weight.grad()[5].equal(torch::full({4}, 2.0)));

  auto table = torch::arange(6.0).reshape({3, 2});
  auto frozen = nn::Embedding::from_pretrained(table);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_TRUE(frozen(torch::tensor({2})).equal(torch::tensor({{4.0, 5.0}})));
  auto trainable = nn::Embedding::from_pretrained(table.clone(), nn::EmbeddingFromPretrainedOptions().freeze(false));
  EXPECT_TRUE(trainable->weight.requires_grad());

  const json& c = fixture("embedding_max_norm");
  auto renormed = nn::Embedding::from_pretrained(
      tensor_from(c["weight_before"]), nn::EmbeddingFromPretrainedOptions().freeze(false).max_norm(c["max_norm"].get<double>()));
  expect_close(renormed(tensor_from(c["indices"])), c["output"], "max_norm output");
  expect_close(renormed->weight, c["weight_after"], "max_norm weight");
}

TEST(Norm, Dropout2dMasksMatchPyTorch) {
  torch::manual_seed(0);
  auto y = F::dropout2d(torch::ones({2, 3, 1, 2}), F::Dropout2dFuncOptions().p(0.5));
  expect_close(y, fixture("dropout2d_seed0"), "dropout2d seed 0");
  torch::manual_seed(5);
  nn::Dropout2d d(0.25);
  expect_close(d(torch::ones({4, 8, 2, 2})), fixture("dropout2d_module_seed5"), "Dropout2d seed 5");
  // LibTorch 1.13 takes a 3-D input as one sample (C, H, W): with seed 0 it keeps channel 2 only
  // (Python's F.dropout2d would treat it as (N, C, L) instead).
  torch::manual_seed(0);
  auto u = F::dropout2d(torch::ones({3, 2, 2}), F::Dropout2dFuncOptions().p(0.5));
  EXPECT_TRUE(u.equal(torch::stack({torch::zeros({2, 2}), torch::zeros({2, 2}), torch::full({2, 2}, 2.0)})));
  d->eval();
  auto x = torch::ones({2, 3, 2, 2});
  EXPECT_TRUE(d(x).equal(x));
  // inplace writes into the input.
  auto z = torch::ones({2, 3, 1, 1});
  torch::manual_seed(0);
  F::dropout2d(z, F::Dropout2dFuncOptions().p(0.5).inplace(true));
  EXPECT_TRUE(z.equal(torch::tensor({0.0, 0.0, 2.0, 0.0, 0.0, 0.0}).reshape({2, 3, 1, 1})));
}

TEST(Norm, PrettyPrintAsLibTorch) {
  // The strings Debian's LibTorch 1.13 prints for the same modules.
  EXPECT_EQ(printed(nn::BatchNorm2d(8)),
            "torch::nn::BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
  EXPECT_EQ(printed(nn::BatchNorm1d(nn::BatchNorm1dOptions(3).momentum(c10::nullopt).affine(false).eps(1e-3))),
            "torch::nn::BatchNorm1d(3, eps=0.001, momentum=None, affine=false, track_running_stats=true)");
  EXPECT_EQ(printed(nn::BatchNorm2d(nn::BatchNorm2dOptions(3).momentum(0.25).track_running_stats(false))),
            "torch::nn::BatchNorm2d(3, eps=1e-05, momentum=0.25, affine=true, track_running_stats=false)");
  EXPECT_EQ(printed(nn::LayerNorm(nn::LayerNormOptions({4, 5}))),
            "torch::nn::LayerNorm([4, 5], eps=1e-05, elementwise_affine=true)");
  EXPECT_EQ(printed(nn::LayerNorm(nn::LayerNormOptions({4}).eps(1e-6).elementwise_affine(false))),
            "torch::nn::LayerNorm([4], eps=1e-06, elementwise_affine=false)");
  EXPECT_EQ(printed(nn::GroupNorm(2, 4)), "torch::nn::GroupNorm(2, 4, eps=1e-05, affine=true)");
  EXPECT_EQ(printed(nn::GroupNorm(nn::GroupNormOptions(1, 6).eps(0.001).affine(false))),
            "torch::nn::GroupNorm(1, 6, eps=0.001, affine=false)");
  EXPECT_EQ(printed(nn::Embedding(5, 3)), "torch::nn::Embedding(num_embeddings=5, embedding_dim=3)");
  EXPECT_EQ(printed(nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(-1))),
            "torch::nn::Embedding(num_embeddings=5, embedding_dim=3, padding_idx=4)");
  EXPECT_EQ(printed(nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(1).max_norm(2.0).norm_type(1.0).scale_grad_by_freq(true))),
            "torch::nn::Embedding(num_embeddings=5, embedding_dim=3, padding_idx=1, max_norm=2, norm_type=1, "
            "scale_grad_by_freq=true)");
  EXPECT_EQ(printed(nn::Dropout2d()), "torch::nn::Dropout2d(p=0.5, inplace=false)");
  EXPECT_EQ(printed(nn::Dropout2d(nn::Dropout2dOptions(0.25).inplace(true))), "torch::nn::Dropout2d(p=0.25, inplace=true)");
}

TEST(Norm, BadInput) {
  auto x = torch::linspace(-1, 1, 8).reshape({2, 4});
  auto rm = torch::zeros({3}), rv = torch::ones({3});
  expect_error([&] { torch::batch_norm(x, {}, {}, rm, rv, true, 0.1, 1e-5, false); },
               "running_mean should contain 4 elements not 3", {x, rm, rv});
  expect_error([&] { torch::batch_norm(x, {}, {}, torch::zeros({4}), rv, true, 0.1, 1e-5, false); },
               "running_var should contain 4 elements not 3", {x, rv});
  expect_error([&] { torch::batch_norm(x, torch::ones({5}), {}, {}, {}, true, 0.1, 1e-5, false); },
               "weight should contain 4 elements not 5", {x});
  expect_error([&] { torch::batch_norm(x, {}, {}, {}, {}, false, 0.1, 1e-5, false); },
               "running_mean must be defined in evaluation mode", {x});
  expect_error([&] { torch::batch_norm(torch::ones({2, 3}, torch::kLong), {}, {}, {}, {}, true, 0.1, 1e-5, false); },
               "\"batch_norm\" not implemented for 'Long'");
  expect_error([&] { torch::batch_norm(x, torch::ones({4}, torch::kDouble), {}, {}, {}, true, 0.1, 1e-5, false); },
               "mixed dtype (CPU): expect parameter to have scalar type of Float", {x});

  nn::BatchNorm2d bn(4);
  auto stats = [&] { return std::vector<torch::Tensor>{bn->running_mean, bn->running_var, bn->num_batches_tracked}; };
  expect_error([&] { bn(torch::ones({2, 3, 2, 2})); }, "running_mean should contain 3 elements not 4", stats());
  expect_error([&] { bn(torch::ones({2, 4})); }, "expected 4D input (got 2D input)", stats());
  expect_error([&] { bn(torch::ones({1, 4, 1, 1})); },
               "Expected more than 1 value per channel when training, got input size [1, 4, 1, 1]", stats());
  nn::BatchNorm1d bn1(3);
  expect_error([&] { bn1(torch::ones({1, 3})); }, "Expected more than 1 value per channel when training, got input size [1, 3]",
               {bn1->running_mean, bn1->running_var, bn1->num_batches_tracked});
  expect_error([&] { bn1(torch::ones({2, 3, 4, 5})); }, "expected 2D or 3D input (got 4D input)");

  expect_error([&] { torch::layer_norm(x, {3}); },
               "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 4]", {x});
  expect_error([&] { torch::layer_norm(x, {4}, torch::ones({3})); },
               "Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]");
  expect_error([&] { torch::layer_norm(x, std::vector<int64_t>{}); },
               "Expected normalized_shape to be at least 1-dimensional");

  auto g = torch::ones({2, 6, 2});
  expect_error([&] { torch::group_norm(g, 4); },
               "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 2] and "
               "num_groups=4", {g});
  expect_error([&] { torch::group_norm(g, 0); }, "Expected num groups to be greater than 0, got 0");
  expect_error([&] { nn::GroupNorm(2, 6)(torch::ones({2, 4})); },
               "Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [6] "
               "and input of shape [2, 4]");

  auto w = torch::arange(12.0).reshape({4, 3});
  expect_error([&] { torch::embedding(w, torch::tensor({1, 4})); }, "index out of range in self", {w});
  expect_error([&] { torch::embedding(w, torch::tensor({-1})); }, "index out of range in self", {w});
  expect_error([&] { torch::embedding(w, torch::tensor({1.0})); },
               "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
               "torch.FloatTensor instead (while checking arguments for embedding)");
  expect_error([&] { torch::embedding(torch::ones({4}), torch::tensor({1})); }, "'weight' must be 2-D");
  // max_norm renormalises in place, but only after every index has been checked.
  expect_error([&] {
    F::embedding(torch::tensor({0, 9}), w, F::EmbeddingFuncOptions().max_norm(1.0));
  }, "index out of range in self", {w});
  expect_error([&] { nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(5)); }, "Padding_idx must be within num_embeddings");
  expect_error([&] { nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(-6)); }, "Padding_idx must be within num_embedding");
  expect_error([&] { nn::Embedding::from_pretrained(torch::ones({3})); },
               "Embeddings parameter is expected to be 2-dimensional");

  expect_error([&] { F::one_hot(torch::tensor({0, -1, 2})); }, "Class values must be non-negative.");
  expect_error([&] { F::one_hot(torch::tensor({0, 3, 2}), 3); }, "Class values must be smaller than num_classes.");
  expect_error([&] { F::one_hot(torch::tensor({0.0, 1.0})); }, "one_hot is only applicable to index tensor.");
  expect_error([&] { F::one_hot(torch::zeros({0}, torch::kLong)); },
               "Can not infer total number of classes from empty tensor.");

  auto img = torch::ones({2, 3, 2, 2});
  expect_error([&] { F::dropout2d(img, F::Dropout2dFuncOptions().p(1.5).inplace(true)); },
               "dropout probability has to be between 0 and 1, but got 1.5", {img});
  expect_error([&] { nn::Dropout2d(-0.1); }, "dropout probability has to be between 0 and 1, but got -0.1");
  expect_error([&] { torch::feature_dropout(torch::ones({3}), 0.5, true); },
               "Feature dropout requires at least 2 dimensions in the input");
}
