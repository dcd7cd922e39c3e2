// BCEWithLogitsLoss, KLDivLoss, MarginRankingLoss, CosineEmbeddingLoss (module = functional =
// torch:: op), pad / normalize / cosine_similarity functionals, nn::init::orthogonal_ against
// PyTorch 1.13 (tests/fixtures/init.json), ModuleList and ModuleDict, and their bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <sstream>
#include "../expect_error.h"

namespace F = torch::nn::functional;

namespace {

std::vector<double> flat(const torch::Tensor& t) { return t.detach().to(torch::kDouble).contiguous().to_vector<double>(); }

template <typename M>
std::string printed(const M& module) {
  std::ostringstream os;
  os << module;
  return os.str();
}


torch::Tensor grid(std::vector<int64_t> shape, double lo, double hi) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return torch::linspace(lo, hi, n, torch::kDouble).reshape(shape);
}

void expect_same(const torch::Tensor& a, const torch::Tensor& b) {
  ASSERT_EQ(a.sizes().vec(), b.sizes().vec());
  EXPECT_TRUE(a.equal(b)) << a << "\n" << b;
}

}  // namespace

// ---------------------------------------------------------------- losses

TEST(NewLosses, BCEWithLogitsModuleFunctionalAndOpAgree) {
  auto x = grid({3, 4}, -3, 3), t = grid({3, 4}, 0, 1).flip({1});
  auto w = grid({4}, 0.5, 2), pw = grid({3, 1}, 0.25, 3);
  auto options = torch::nn::BCEWithLogitsLossOptions().weight(w).pos_weight(pw).reduction(torch::kSum);
  torch::nn::BCEWithLogitsLoss loss(options);
  EXPECT_EQ(loss->named_buffers().keys(), (std::vector<std::string>{"weight", "pos_weight"}));
  auto via_module = loss(x, t);
  expect_same(via_module, F::binary_cross_entropy_with_logits(x, t, options));
  expect_same(via_module, torch::binary_cross_entropy_with_logits(x, t, w, pw, torch::kSum));
  // Defaults: mean, no weights = the plain formula.
  auto plain = torch::nn::BCEWithLogitsLoss()(x, t);
  auto by_hand = (torch::ones_like(x) - t) * x + torch::log1p(torch::exp(-x));
  EXPECT_NEAR(plain.item<double>(), by_hand.mean().item<double>(), 1e-12);
  EXPECT_EQ(printed(loss), "torch::nn::BCEWithLogitsLoss()");
  // The older losses' options are spelled F::...FuncOptions too, as in LibTorch.
  expect_same(F::mse_loss(x, t, F::MSELossFuncOptions(torch::kSum)), torch::mse_loss(x, t, torch::kSum));
  expect_same(F::l1_loss(x, t, F::L1LossFuncOptions(torch::kNone)), torch::l1_loss(x, t, torch::kNone));
}

TEST(NewLosses, BCEWithLogitsDoesNotOverflow) {
  auto x = torch::tensor({1e4, -1e4, 1000.0, -1000.0}, torch::kFloat).requires_grad_();
  auto t = torch::tensor({0.0, 1.0, 1.0, 0.0}, torch::kFloat);
  auto l = F::binary_cross_entropy_with_logits(x, t, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
  EXPECT_EQ(flat(l), (std::vector<double>{1e4, 1e4, 0.0, 0.0}));
  l.sum().backward();
  EXPECT_EQ(flat(x.grad()), (std::vector<double>{1.0, -1.0, 0.0, 0.0}));
  EXPECT_EQ(l.grad_fn()->name(), "BinaryCrossEntropyWithLogitsBackward0");
}

TEST(NewLosses, KLDivReductionsAndForms) {
  auto x = torch::log_softmax(grid({3, 4}, -2, 2), 1), t = torch::softmax(grid({3, 4}, 1, -1), 1);
  auto none = F::kl_div(x, t, F::KLDivFuncOptions(torch::kNone));
  auto sum = F::kl_div(x, t, F::KLDivFuncOptions(torch::kSum));
  EXPECT_NEAR(sum.item<double>(), none.sum().item<double>(), 1e-14);
  // mean divides by every element (PyTorch 1.13 only warns about it), batchmean by the batch.
  EXPECT_NEAR(F::kl_div(x, t).item<double>(), sum.item<double>() / 12, 1e-14);
  auto batchmean = F::kl_div(x, t, F::KLDivFuncOptions().reduction(torch::kBatchMean));
  EXPECT_NEAR(batchmean.item<double>(), sum.item<double>() / 3, 1e-14);
  torch::nn::KLDivLoss module(torch::nn::KLDivLossOptions(torch::kBatchMean).log_target(true));
  expect_same(module(x, t.log()), F::kl_div(x, t.log(), F::KLDivFuncOptions(torch::kBatchMean).log_target(true)));
  EXPECT_NEAR(module(x, t.log()).item<double>(), batchmean.item<double>(), 1e-14);
  expect_same(torch::kl_div(x, t, torch::kSum), sum);
  EXPECT_EQ(printed(module), "torch::nn::KLDivLoss()");
}

TEST(NewLosses, MarginLossesModuleFunctionalAndOpAgree) {
  auto a = grid({6}, -1, 1), b = grid({6}, 0.9, -0.95), y = torch::tensor({1.0, -1.0, 1.0, 1.0, -1.0, -1.0}, torch::kDouble);
  auto mro = torch::nn::MarginRankingLossOptions().margin(0.5).reduction(torch::kSum);
  torch::nn::MarginRankingLoss mr(mro);
  expect_same(mr(a, b, y), F::margin_ranking_loss(a, b, y, mro));
  expect_same(mr(a, b, y), torch::margin_ranking_loss(a, b, y, 0.5, torch::kSum));
  EXPECT_NEAR(mr(a, b, y).item<double>(), torch::clamp_min(-y * (a - b) + 0.5, 0).sum().item<double>(), 1e-14);
  EXPECT_EQ(printed(mr), "torch::nn::MarginRankingLoss()");

  auto c1 = grid({4, 5}, -1, 1), c2 = grid({4, 5}, 1, -1.5).flip({0}), yc = torch::tensor({1.0, -1.0, -1.0, 1.0}, torch::kDouble);
  auto ceo = torch::nn::CosineEmbeddingLossOptions().margin(0.1).reduction(torch::kNone);
  torch::nn::CosineEmbeddingLoss ce(ceo);
  expect_same(ce(c1, c2, yc), F::cosine_embedding_loss(c1, c2, yc, ceo));
  expect_same(ce(c1, c2, yc), torch::cosine_embedding_loss(c1, c2, yc, 0.1, torch::kNone));
  auto cos = F::cosine_similarity(c1, c2);
  auto want = torch::where(yc == 1, 1 - cos, torch::clamp_min(cos - 0.1, 0));
  EXPECT_TRUE(ce(c1, c2, yc).allclose(want, 1e-12, 1e-12));
  EXPECT_EQ(printed(ce), "torch::nn::CosineEmbeddingLoss(margin=0.1)");
}

// ---------------------------------------------------------------- functionals

TEST(Functional, PadModes) {
  auto x = torch::arange(5, torch::kDouble).reshape({1, 1, 5});
  auto reflect = F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kReflect));
  EXPECT_EQ(flat(reflect), (std::vector<double>{2, 1, 0, 1, 2, 3, 4, 3}));
  expect_same(reflect, torch::reflection_pad1d(x, {2, 1}));
  auto replicate = F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kReplicate));
  EXPECT_EQ(flat(replicate), (std::vector<double>{0, 0, 0, 1, 2, 3, 4, 4}));
  auto circular = F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kCircular));
  EXPECT_EQ(flat(circular), (std::vector<double>{3, 4, 0, 1, 2, 3, 4, 0}));
  auto constant = F::pad(x, F::PadFuncOptions({2, -1}).value(7));
  EXPECT_EQ(flat(constant), (std::vector<double>{7, 7, 0, 1, 2, 3}));
  expect_same(constant, torch::constant_pad_nd(x, {2, -1}, 7));
  expect_same(constant, torch::pad(x, {2, -1}, "constant", 7.0));
  // value(0) counts as no value, so reflect accepts it (LibTorch's rule).
  expect_same(F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kReflect).value(0)), reflect);
  // 2-D reflection: each row and each column mirrored.
  auto img = torch::arange(6, torch::kDouble).reshape({1, 2, 3});
  EXPECT_EQ(flat(F::pad(img, F::PadFuncOptions({1, 1, 1, 0}).mode(torch::kReflect))),
            (std::vector<double>{4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4}));
  // Integer tensors pad too.
  EXPECT_EQ(flat(F::pad(torch::arange(3).reshape({1, 3}), F::PadFuncOptions({1, 1}).mode(torch::kReplicate))),
            (std::vector<double>{0, 0, 1, 2, 2}));
}

TEST(Functional, NormalizeAndCosineSimilarity) {
  auto x = grid({3, 4}, -2, 2);
  auto n = F::normalize(x, F::NormalizeFuncOptions().p(2).dim(1));
  EXPECT_TRUE(n.norm(2, {1}).allclose(torch::ones({3}, torch::kDouble), 1e-12, 1e-12));
  expect_same(n, x / x.norm(2, {1}, true));
  auto out = torch::empty({3, 4}, torch::kDouble);
  F::normalize(x, F::NormalizeFuncOptions().p(1).dim(0).out(out));
  expect_same(out, x / x.abs().sum({0}, true));

  auto a = grid({4, 5}, -1, 1), b = grid({4, 5}, 2, -1);
  auto cs = F::cosine_similarity(a, b, F::CosineSimilarityFuncOptions().dim(1).eps(1e-8));
  expect_same(cs, torch::cosine_similarity(a, b));
  auto want = (a * b).sum({1}) / (a.norm(2, {1}) * b.norm(2, {1}));
  EXPECT_TRUE(cs.allclose(want, 1e-12, 1e-12));
  torch::nn::CosineSimilarity module(torch::nn::CosineSimilarityOptions().dim(0));
  expect_same(module(a, b), torch::cosine_similarity(a, b, 0));
  EXPECT_EQ(printed(torch::nn::CosineSimilarity()), "torch::nn::CosineSimilarity(dim=1, eps=1e-08)");
}

// ---------------------------------------------------------------- orthogonal_

TEST(Init, OrthogonalMatchesPyTorch) {
  std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/init.json");
  auto cases = nlohmann::json::parse(in);
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::string name = c["name"];
    auto dtype = c["dtype"] == "float64" ? torch::kDouble : torch::kFloat;
    torch::manual_seed(c["seed"].get<uint64_t>());
    auto t = torch::empty(c["shape"].get<std::vector<int64_t>>(), dtype);
    auto returned = torch::nn::init::orthogonal_(t, c["gain"].get<double>());
    EXPECT_TRUE(returned.is_same(t)) << name;
    auto want = c["values"].get<std::vector<double>>();
    auto got = flat(t);
    ASSERT_EQ(got.size(), want.size()) << name;
    // float32: PyTorch factors in float32 (LAPACK), ember in double, so the values differ by rounding.
    const double tol = dtype == torch::kDouble ? 1e-12 : 1e-6;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << name << " element " << i;
    // Orthonormal rows (wide) or columns (tall), scaled by gain.
    auto m = t.reshape({t.size(0), -1}).to(torch::kDouble) / c["gain"].get<double>();
    auto gram = m.size(0) < m.size(1) ? m.mm(m.t()) : m.t().mm(m);
    EXPECT_TRUE(gram.allclose(torch::eye(gram.size(0), torch::kDouble), 1e-5, 1e-5)) << name;
  }
}

// ---------------------------------------------------------------- containers

TEST(Containers, ModuleList) {
  torch::nn::ModuleList list(torch::nn::Linear(2, 3), torch::nn::ReLU());
  list->push_back(torch::nn::Linear(3, 1));
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(list->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(list->at<torch::nn::LinearImpl>(2).options.in_features(), 3);
  EXPECT_EQ(list->ptr<torch::nn::LinearImpl>(0)->options.out_features(), 3);
  EXPECT_EQ(list->ptr<torch::nn::LinearImpl>(1), nullptr);
  EXPECT_EQ((*list)[1].get(), list->ptr(1).get());
  EXPECT_EQ(list[1].get(), list->ptr(1).get());  // the holder indexes the list, as LibTorch's does
  EXPECT_NE(list[0]->as<torch::nn::Linear>(), nullptr);
  // insert shifts the later modules' names.
  auto tanh = std::make_shared<torch::nn::TanhImpl>();
  list->insert(1, tanh);
  EXPECT_EQ(list->named_children().keys(), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(list->named_children()["1"].get(), tanh.get());
  EXPECT_EQ(list->named_children()["3"].get(), list->ptr(3).get());
  EXPECT_EQ(list->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"}));
  std::vector<std::shared_ptr<torch::nn::Module>> extra{std::make_shared<torch::nn::SigmoidImpl>()};
  list->extend(extra);
  size_t visited = 0;
  for (const auto& m : *list) visited += m != nullptr;
  EXPECT_EQ(visited, 5u);
  EXPECT_EQ(printed(list),
            "torch::nn::ModuleList(\n"
            "  (0): torch::nn::Linear(in_features=2, out_features=3, bias=true)\n"
            "  (1): torch::nn::Tanh()\n"
            "  (2): torch::nn::ReLU()\n"
            "  (3): torch::nn::Linear(in_features=3, out_features=1, bias=true)\n"
            "  (4): torch::nn::Sigmoid()\n"
            ")");
  // Use it inside a module: forward over the list; clone copies deeply.
  auto x = torch::ones({4, 2});
  torch::Tensor y = x;
  for (const auto& m : *list) {
    if (auto* lin = m->as<torch::nn::LinearImpl>()) y = lin->forward(y);
    else if (auto* act = m->as<torch::nn::TanhImpl>()) y = act->forward(y);
  }
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{4, 1}));
  auto copy = std::dynamic_pointer_cast<torch::nn::ModuleListImpl>(list->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->size(), 5u);
  EXPECT_NE(copy->ptr(0).get(), list->ptr(0).get());
  EXPECT_TRUE(copy->at<torch::nn::LinearImpl>(0).weight.equal(list->at<torch::nn::LinearImpl>(0).weight));
  EXPECT_FALSE(copy->at<torch::nn::LinearImpl>(0).weight.is_same(list->at<torch::nn::LinearImpl>(0).weight));
}

namespace {
struct StackImpl : torch::nn::Module {
  StackImpl() { layers = register_module("layers", torch::nn::ModuleList(torch::nn::Linear(2, 2), torch::nn::Linear(2, 1))); }
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(Stack);
}  // namespace

namespace {
struct HeadsImpl : torch::nn::Cloneable<HeadsImpl> {
  HeadsImpl() { reset(); }
  void reset() override {
    heads = register_module("heads", torch::nn::ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
                                          {"a", std::make_shared<torch::nn::LinearImpl>(2, 1)}}));
  }
  torch::nn::ModuleDict heads{nullptr};
};
TORCH_MODULE(Heads);
}  // namespace

TEST(Containers, ModuleListAsChild) {
  Stack s;
  EXPECT_EQ(s->named_parameters().keys(),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"}));
  // A cloneable parent clones its ModuleDict child deeply, and its member holder sees the copy.
  Heads h;
  auto copy = std::dynamic_pointer_cast<HeadsImpl>(h->clone());
  ASSERT_TRUE(copy);
  auto& original_a = h->heads->at<torch::nn::LinearImpl>("a");
  auto& copied_a = copy->heads->at<torch::nn::LinearImpl>("a");
  EXPECT_NE(&original_a, &copied_a);
  EXPECT_TRUE(copied_a.weight.equal(original_a.weight));
  EXPECT_EQ(copy->named_parameters().keys(), (std::vector<std::string>{"heads.a.weight", "heads.a.bias"}));
  EXPECT_TRUE(copy->named_parameters()["heads.a.weight"].is_same(copied_a.weight));
}

TEST(Containers, ModuleDict) {
  torch::nn::ModuleDict dict(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>{
      {"fc", std::make_shared<torch::nn::LinearImpl>(2, 3)}, {"act", std::make_shared<torch::nn::ReLUImpl>()}});
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"fc", "act"}));
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_TRUE(dict->contains("fc"));
  EXPECT_FALSE(dict->contains("out"));
  EXPECT_EQ(dict->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_EQ(dict->at<torch::nn::LinearImpl>("fc").options.out_features(), 3);
  EXPECT_EQ((*dict)["act"].get(), dict->values()[1].get());
  EXPECT_EQ(dict["act"].get(), dict->values()[1].get());
  EXPECT_EQ(dict->items()[0].first, "fc");
  // insert a new key appends; an existing key is replaced in place (LibTorch and Python do so).
  dict->insert("out", torch::nn::Linear(3, 1));
  auto replacement = std::make_shared<torch::nn::TanhImpl>();
  dict->insert("act", replacement);
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"fc", "act", "out"}));
  EXPECT_EQ((*dict)["act"].get(), replacement.get());
  EXPECT_EQ(dict->named_children()["act"].get(), replacement.get());
  EXPECT_EQ(printed(dict),
            "torch::nn::ModuleDict(\n"
            "  (fc): torch::nn::Linear(in_features=2, out_features=3, bias=true)\n"
            "  (act): torch::nn::Tanh()\n"
            "  (out): torch::nn::Linear(in_features=3, out_features=1, bias=true)\n"
            ")");
  // update from an OrderedDict; pop unregisters.
  torch::OrderedDict<std::string, std::shared_ptr<torch::nn::Module>> more;
  more.insert("drop", std::make_shared<torch::nn::DropoutImpl>(0.5));
  dict->update(more);
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"fc", "act", "out", "drop"}));
  auto popped = dict->pop("out");
  EXPECT_NE(popped->as<torch::nn::LinearImpl>(), nullptr);
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"fc", "act", "drop"}));
  EXPECT_EQ(dict->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  torch::nn::ModuleDict from_ordered(more);
  EXPECT_EQ(from_ordered->keys(), (std::vector<std::string>{"drop"}));
  auto copy = std::dynamic_pointer_cast<torch::nn::ModuleDictImpl>(dict->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->keys(), dict->keys());
  EXPECT_NE((*copy)["fc"].get(), (*dict)["fc"].get());
  dict->clear();
  EXPECT_TRUE(dict->empty());
  EXPECT_TRUE(dict->named_parameters().is_empty());
}

// ---------------------------------------------------------------- bad input

TEST(NewLossesBadInput, ShapeMismatches) {
  auto x22 = torch::zeros({2, 2}), t23 = torch::zeros({2, 3}), x23 = torch::ones({2, 3});
  expect_error([&] { F::binary_cross_entropy_with_logits(x22, t23); },
               "Target size ([2, 3]) must be the same as input size ([2, 2])", {x22, t23});
  expect_error([&] { torch::nn::BCEWithLogitsLoss()(x23, torch::zeros({1, 3})); },
               "Target size ([1, 3]) must be the same as input size ([2, 3])", {x23});
  auto w4 = torch::ones({4});
  expect_error([&] { F::binary_cross_entropy_with_logits(x23, t23, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(w4)); },
               "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", {x23, w4});
  expect_error([&] { F::binary_cross_entropy_with_logits(x23, t23, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(w4)); },
               "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1", {x23, w4});
  auto wg = torch::ones({3}).requires_grad_();
  expect_error([&] { F::binary_cross_entropy_with_logits(x23, t23, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(wg)); },
               "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument 'weight'. "
               "This input cannot have requires_grad True.", {x23});
  expect_error([&] { torch::nn::KLDivLoss()(x23, x22); },
               "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1", {x23, x22});
  auto a3 = torch::ones({3}), y31 = torch::ones({3, 1});
  expect_error([&] { torch::nn::MarginRankingLoss()(a3, a3, y31); },
               "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: [3], input2: [3], "
               "target: [3, 1]", {a3, y31});
  expect_error([&] { F::margin_ranking_loss(a3, torch::ones({2}), a3); },
               "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0", {a3});
  auto c34 = torch::ones({3, 4}), c35 = torch::ones({3, 5}), y3 = torch::ones({3});
  expect_error([&] { torch::nn::CosineEmbeddingLoss()(c34, c35, y3); },
               "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1", {c34, c35, y3});
  expect_error([&] { F::cosine_embedding_loss(c34, c34, y31); },
               "0D or 1D target tensor expected, multi-target not supported", {c34, y31});
  expect_error([&] { F::cosine_embedding_loss(a3, a3, y3); },
               "1D target tensor expects 2D input tensors, but found inputs with sizes [3] and [3].", {a3, y3});
}

TEST(FunctionalBadInput, PadNormalizeCosine) {
  auto x = torch::arange(6, torch::kFloat).reshape({1, 2, 3});
  expect_error([&] { F::pad(x, F::PadFuncOptions({3, 3}).mode(torch::kReflect)); },
               "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (3, 3) "
               "at dimension 2 of input [1, 2, 3]", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({1, 1, 2, 0}).mode(torch::kReflect)); },
               "Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (2, 0) "
               "at dimension 1 of input 3", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({1, 2, 3})); }, "Padding length must be divisible by 2", {x});
  expect_error([&] { torch::constant_pad_nd(x, {1, 2, 3}); }, "Length of pad must be even but instead it equals 3", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({1, 1, 1, 1, 1, 1, 1, 1})); }, "Padding length too large", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({1, 1}).mode(torch::kReflect).value(2)); },
               "Padding mode \"reflect\" doesn't take in value argument", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({4, 1}).mode(torch::kCircular)); },
               "Padding value causes wrapping around more than once.", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({-2, -2}).mode(torch::kCircular)); },
               "Negative padding value is resulting in an empty dimension", {x});
  expect_error([&] { F::pad(torch::ones({2, 3}), F::PadFuncOptions({1, 1}).mode(torch::kCircular)); },
               "Invalid padding size, expected 0 but got 2");
  expect_error([&] { F::pad(x, F::PadFuncOptions({1, 1, 1, 1, 1, 1}).mode(torch::kReplicate)); },
               "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({-2, -2}).mode(torch::kReplicate)); },
               "input (W: 3) is too small. Calculated output W: -1", {x});
  expect_error([&] { torch::pad(x, {1, 1}, "mirror"); }, "Unrecognised padding mode mirror", {x});
  expect_error([&] { F::pad(x, F::PadFuncOptions({-2, -2})); },
               "The input size 3, plus negative padding -2 and -2 resulted in a negative output size", {x});
  auto y = torch::ones({2, 3});
  expect_error([&] { F::normalize(y, F::NormalizeFuncOptions().dim(2)); },
               "Dimension out of range (expected to be in range of [-2, 1], but got 2)", {y});
  expect_error([&] { F::cosine_similarity(y, torch::ones({2, 4})); },
               "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", {y});
  expect_error([&] { F::cosine_similarity(y, y, F::CosineSimilarityFuncOptions().dim(3)); },
               "Dimension out of range (expected to be in range of [-2, 1], but got 3)", {y});
  expect_error([&] { torch::cosine_similarity(torch::ones({2, 3}, torch::kLong), torch::ones({2, 3}, torch::kLong)); },
               "expected common dtype to be floating point, yet common dtype is Long");
}

TEST(InitBadInput, OrthogonalNeedsTwoDims) {
  auto v = torch::arange(4, torch::kFloat);
  torch::manual_seed(7);
  expect_error([&] { torch::nn::init::orthogonal_(v); }, "Only tensors with 2 or more dimensions are supported", {v});
  // Nothing was drawn from the generator either.
  auto after = torch::randn({3});
  torch::manual_seed(7);
  EXPECT_TRUE(after.equal(torch::randn({3})));
}

TEST(ContainersBadInput, IndicesAndKeys) {
  torch::nn::ModuleList list(torch::nn::Linear(2, 3));
  expect_error([&] { list->ptr(1); }, "Index out of range");
  expect_error([&] { (*list)[5]; }, "Index out of range");
  expect_error([&] { list->at<torch::nn::LinearImpl>(1); }, "Index out of range");
  expect_error([&] { list->at<torch::nn::ReLUImpl>(0); }, "Unable to cast module[0] to ember::nn::ReLUImpl");
  expect_error([&] { list->insert(3, std::make_shared<torch::nn::ReLUImpl>()); }, "Index out of range");
  EXPECT_EQ(list->size(), 1u);
  EXPECT_EQ(list->named_children().keys(), (std::vector<std::string>{"0"}));

  torch::nn::ModuleDict dict(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>{
      {"fc", std::make_shared<torch::nn::LinearImpl>(2, 3)}});
  expect_error([&] { (*dict)["nope"]; }, "Key 'nope' is not defined");
  expect_error([&] { dict->pop("nope"); }, "Key 'nope' is not defined");
  expect_error([&] { dict->at<torch::nn::ReLUImpl>("fc"); }, "Unable to cast module[fc] to ember::nn::ReLUImpl");
  expect_error([&] { dict->insert("a.b", torch::nn::ReLU()); }, "Submodule name must not contain a dot (got 'a.b')");
  expect_error([&] { dict->insert("", torch::nn::ReLU()); }, "Submodule name must not be empty");
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"fc"}));
  EXPECT_EQ(dict->named_children().keys(), (std::vector<std::string>{"fc"}));
}
