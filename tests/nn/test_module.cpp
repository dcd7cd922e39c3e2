// nn::Module, Linear, init and BCELoss against PyTorch 1.13.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "expect_error.h"

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", torch::nn::Linear(3, 4));
    fc2 = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(4, 1).bias(false)));
    scale = register_parameter("scale", torch::ones({1}));
    register_buffer("steps", torch::zeros({1}, torch::kLong));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::relu(fc1(x))) * scale; }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::Tensor scale;
};
TORCH_MODULE(Net);

std::vector<double> flat(const torch::Tensor& t) { return t.detach().to(torch::kDouble).contiguous().to_vector<double>(); }

}  // namespace

TEST(Module, RegistrationAndTraversal) {
  Net net;
  auto names = net->named_parameters().keys();
  EXPECT_EQ(names, (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_EQ(net->parameters(false).size(), 1u);
  EXPECT_EQ(net->named_buffers().keys(), (std::vector<std::string>{"steps"}));
  EXPECT_EQ(net->children().size(), 2u);
  EXPECT_EQ(net->named_modules().keys(), (std::vector<std::string>{"", "fc1", "fc2"}));
  EXPECT_EQ(net->modules(false).size(), 2u);
  EXPECT_EQ(net->named_children().keys(), (std::vector<std::string>{"fc1", "fc2"}));
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
  std::ostringstream os;
  os << net;
  EXPECT_EQ(os.str(),
            "(anonymous namespace)::NetImpl(\n"
            "  (fc1): torch::nn::Linear(in_features=3, out_features=4, bias=true)\n"
            "  (fc2): torch::nn::Linear(in_features=4, out_features=1, bias=false)\n"
            ")");
}

TEST(Module, TrainEvalZeroGradToAndApply) {
  Net net;
  EXPECT_TRUE(net->is_training());
  net->eval();
  EXPECT_FALSE(net->fc1->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
  net->forward(torch::ones({2, 3})).sum().backward();
  EXPECT_TRUE(net->fc1->weight.grad().defined());
  net->zero_grad();
  EXPECT_EQ(net->fc1->weight.grad().abs().sum().item<double>(), 0.0);
  net->zero_grad(true);
  EXPECT_FALSE(net->fc1->weight.grad().defined());
  torch::Tensor w = net->fc1->weight;  // a reference held elsewhere sees the move
  net->to(torch::kDouble);
  EXPECT_EQ(w.dtype(), torch::kDouble);
  EXPECT_EQ(net->named_buffers()["steps"].dtype(), torch::kLong);
  int count = 0;
  net->apply([&](torch::nn::Module&) { ++count; });
  EXPECT_EQ(count, 3);
}

TEST(Module, CloneIsDeep) {
  torch::nn::Linear a(2, 2);
  auto b = std::dynamic_pointer_cast<torch::nn::LinearImpl>(a->clone());
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->weight.equal(a->weight));
  {
    torch::NoGradGuard ng;
    b->weight.add_(1);
  }
  EXPECT_FALSE(b->weight.equal(a->weight));
  Net net;
  EXPECT_THROW(net->clone(), c10::Error);  // NetImpl is not Cloneable
}

TEST(Module, LinearInitialisationMatchesPyTorch) {
  // torch.manual_seed(0); torch.nn.Linear(4, 1) in PyTorch 1.13.
  torch::manual_seed(0);
  torch::nn::Linear lin(4, 1);
  std::vector<double> want{-0.003743410110473633, 0.26822179555892944, -0.4115225672721863, -0.3679695129394531};
  auto got = flat(lin->weight);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(got[i], want[i], 1e-7);
  EXPECT_NEAR(lin->bias.item<double>(), -0.19257718324661255, 1e-7);
  EXPECT_EQ(lin->forward(torch::ones({5, 4})).sizes().vec(), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(lin->forward(torch::ones({2, 5, 4})).sizes().vec(), (std::vector<int64_t>{2, 5, 1}));
}

TEST(Module, BadInput) {
  Net net;
  EXPECT_THROW(net->register_parameter("scale", torch::ones({1})), c10::Error);
  try {
    net->register_parameter("computed", torch::ones({1}, torch::requires_grad()) * 2);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be a leaf tensor"), std::string::npos) << e.what();
  }
  EXPECT_THROW(net->register_module("fc1", torch::nn::Linear(1, 1)), c10::Error);
  EXPECT_THROW(net->register_parameter("a.b", torch::ones({1})), c10::Error);
  torch::nn::Linear lin(3, 2);
  try {
    lin(torch::ones({2, 4}));
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_STREQ(e.what(), "linear: input has 4 features in its last dim (shape [2, 4]) but the layer expects "
                           "in_features=3");
  }
  torch::nn::BCELoss bce;
  try {
    bce(torch::tensor({0.5, 1.5}), torch::tensor({0.0, 1.0}));
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_STREQ(e.what(), "all elements of input should be between 0 and 1");
  }
  EXPECT_THROW(bce(torch::tensor({0.5, 0.5}), torch::tensor({0.0, 1.0, 1.0})), c10::Error);
  auto p = torch::ones({2}, torch::requires_grad());
  EXPECT_THROW(torch::optim::SGD({p}, torch::optim::SGDOptions(-0.1)), c10::Error);
  EXPECT_THROW(torch::optim::SGD({p * 2}, torch::optim::SGDOptions(0.1)), c10::Error);
  EXPECT_THROW(torch::optim::SGD({p}, torch::optim::SGDOptions(0.1).nesterov(true)), c10::Error);
}

TEST(Loss, BinaryCrossEntropyMatchesPyTorch) {
  // torch.nn.functional.binary_cross_entropy with these inputs in PyTorch 1.13.
  auto x = torch::tensor({0.2, 0.7, 0.9, 0.4}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  auto t = torch::tensor({0.0, 1.0, 1.0, 0.5}, torch::kDouble);
  auto loss = torch::nn::functional::binary_cross_entropy(x, t);
  EXPECT_EQ(loss.grad_fn()->name(), "BinaryCrossEntropyBackward0");
  loss.backward();
  EXPECT_NEAR(loss.item<double>(), 0.3496842971827103, 1e-12);
  auto g = flat(x.grad());
  std::vector<double> want{0.3125, -0.35714285714285715, -0.2777777777777778, -0.10416666666666663};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(g[i], want[i], 1e-12);
  auto xx = torch::tensor({0.2, 0.7}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  auto tt = torch::tensor({0.3, 0.9}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  EXPECT_TRUE(torch::autograd::gradcheck(
      [](const torch::autograd::variable_list& in) { return torch::binary_cross_entropy(in[0], in[1]); }, {xx, tt}));
}

TEST(Module, SequentialActivationsAndFunctional) {
  torch::manual_seed(0);
  torch::nn::Sequential seq(torch::nn::Linear(3, 4), torch::nn::ReLU(), torch::nn::Dropout(0.5),
                            torch::nn::Linear(4, 2), torch::nn::LogSoftmax(1));
  seq->push_back(torch::nn::Functional([](torch::Tensor x) { return x * 2; }));
  EXPECT_EQ(seq->size(), 6u);
  std::ostringstream os;
  os << seq;
  EXPECT_EQ(os.str(),
            "torch::nn::Sequential(\n"
            "  (0): torch::nn::Linear(in_features=3, out_features=4, bias=true)\n"
            "  (1): torch::nn::ReLU()\n"
            "  (2): torch::nn::Dropout(p=0.5, inplace=false)\n"
            "  (3): torch::nn::Linear(in_features=4, out_features=2, bias=true)\n"
            "  (4): torch::nn::LogSoftmax(dim=1)\n"
            "  (5): torch::nn::Functional()\n"
            ")");
  seq->eval();  // dropout off: deterministic
  auto x = torch::ones({5, 3});
  auto y = seq->forward(x);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{5, 2}));
  EXPECT_NEAR(y.div(2).exp().sum(1)[0].item<double>(), 1.0, 1e-6);
  EXPECT_EQ(seq->parameters().size(), 4u);
  auto copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(seq->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->forward(x).allclose(y));
  EXPECT_FALSE(copy->parameters()[0].is_same(seq->parameters()[0]));
}

TEST(Module, DropoutMatchesPyTorchMaskForTheSameSeed) {
  // torch.manual_seed(0); torch.nn.functional.dropout(torch.ones(10), 0.3) in PyTorch 1.13.
  torch::manual_seed(0);
  auto y = torch::nn::functional::dropout(torch::ones({10}), torch::nn::functional::DropoutFuncOptions().p(0.3));
  std::vector<double> want{0, 0, 1.4285714626312256, 0, 1.4285714626312256, 0, 1.4285714626312256,
                           1.4285714626312256, 1.4285714626312256, 1.4285714626312256};
  auto got = flat(y);
  for (size_t i = 0; i < 10; ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  torch::nn::Dropout d(0.3);
  d->eval();
  EXPECT_TRUE(d(torch::ones({4})).equal(torch::ones({4})));
  EXPECT_THROW(torch::nn::Dropout(1.5), c10::Error);
}

TEST(Utils, ClipGradNormMatchesPyTorch) {
  auto setup = [] {
    auto a = torch::tensor({{1.0, -2.0}, {3.0, 0.5}}, torch::requires_grad());
    auto b = torch::tensor({4.0, -1.0}, torch::requires_grad());
    (a * torch::tensor({{1., 2.}, {3., 4.}})).sum().backward();
    (b * b).sum().backward();
    return std::vector<torch::Tensor>{a, b};
  };
  auto p = setup();
  EXPECT_NEAR(torch::nn::utils::clip_grad_norm_(p, 2.0), 9.899495124816895, 1e-5);
  auto ga = flat(p[0].grad());
  EXPECT_NEAR(ga[3], 0.808121919631958, 1e-6);
  EXPECT_NEAR(flat(p[1].grad())[0], 1.616243839263916, 1e-6);
  p = setup();
  EXPECT_NEAR(torch::nn::utils::clip_grad_norm_(p, 2.0, INFINITY), 8.0, 1e-6);
  EXPECT_NEAR(flat(p[1].grad())[0], 1.999999761581421, 1e-6);
  p = setup();
  torch::nn::utils::clip_grad_value_(p, 1.5);
  EXPECT_EQ(flat(p[0].grad()), (std::vector<double>{1, 1.5, 1.5, 1.5}));
  auto v = torch::nn::utils::parameters_to_vector(p);
  EXPECT_EQ(v.numel(), 6);
  torch::nn::utils::vector_to_parameters(torch::arange(6, torch::kFloat), p);
  EXPECT_EQ(flat(p[1]), (std::vector<double>{4, 5}));
  EXPECT_THROW(torch::nn::utils::vector_to_parameters(torch::arange(5, torch::kFloat), p), c10::Error);
}

TEST(Loss, ModulesForwardToTheirOps) {
  auto x = torch::tensor({0.5, -1.0, 2.0}), t = torch::tensor({0.0, 0.0, 0.0});
  EXPECT_NEAR(torch::nn::L1Loss()(x, t).item<double>(), 3.5 / 3, 1e-6);
  EXPECT_NEAR(torch::nn::SmoothL1Loss()(x, t).item<double>(), (0.125 + 0.5 + 1.5) / 3, 1e-6);
  EXPECT_NEAR(torch::nn::HuberLoss(torch::nn::HuberLossOptions().delta(0.5))(x, t).item<double>(),
              (0.125 + 0.375 + 0.875) / 3, 1e-6);
  EXPECT_NEAR(torch::nn::MSELoss(torch::kSum)(x, t).item<double>(), 5.25, 1e-6);
  auto logits = torch::tensor({{2.0, 0.5, -1.0}});
  auto target = torch::tensor({0});
  EXPECT_NEAR(torch::nn::CrossEntropyLoss()(logits, target).item<double>(),
              torch::nn::NLLLoss()(logits.log_softmax(1), target).item<double>(), 1e-7);
  EXPECT_THROW(torch::nn::CrossEntropyLoss()(logits, torch::tensor({3})), c10::Error);
  EXPECT_THROW(torch::nn::CrossEntropyLoss()(logits, torch::tensor({0.5})), c10::Error);
}

// Linear computes x @ w.t(); the weight's gradient must still come out contiguous (PyTorch
// computes it as the transpose of a row-major product), so accumulation and the optimizer run on
// dense memory. Values: dW = g^T x, db = sum(g), dx = g W, for a column-major mat1 too.
TEST(Module, LinearWeightGradientIsContiguousAndExact) {
  torch::nn::Linear lin(3, 2);
  auto x = torch::tensor({{1.0, 2.0, -1.0}, {0.5, -3.0, 2.0}, {4.0, 0.0, 1.0}, {-2.0, 1.0, 3.0}});
  auto g = torch::tensor({{1.0, -1.0}, {2.0, 0.5}, {-1.0, 3.0}, {0.25, 1.0}});
  bool arrived_contiguous = false;  // as the engine hands it over, before accumulation copies it
  lin->weight.register_hook([&](torch::Tensor grad) { arrived_contiguous = grad.is_contiguous(); });
  lin(x).backward(g);
  EXPECT_TRUE(arrived_contiguous);
  EXPECT_EQ(flat(lin->weight.grad()), flat(g.t().mm(x)));
  EXPECT_EQ(flat(lin->bias.grad()), flat(g.sum(0)));
  // mm with a transposed (column-major) left operand.
  auto a = torch::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, torch::requires_grad());  // used as a.t(): 2x3
  auto b = torch::tensor({{1.0, 0.0, -1.0, 2.0}, {0.5, 1.0, 1.5, -2.0}, {2.0, -1.0, 0.0, 1.0}});
  auto gy = torch::tensor({{1.0, 2.0, 3.0, 4.0}, {-1.0, 0.0, 1.0, 2.0}});
  arrived_contiguous = false;
  a.register_hook([&](torch::Tensor grad) { arrived_contiguous = grad.is_contiguous(); });
  a.t().mm(b).backward(gy);
  EXPECT_TRUE(arrived_contiguous);
  EXPECT_EQ(flat(a.grad()), flat(gy.mm(b.t()).t()));
}

// Pointwise ops where one operand is a single broadcast value take a flat loop; the results must
// be those of the general strided loop.
TEST(Module, PointwiseWithBroadcastValues) {
  auto x = torch::arange(1000, torch::kFloat).reshape({10, 100}) * 0.5 - 7;
  auto s = torch::tensor(0.9f);
  auto y = x * s;
  auto z = torch::where(x > 0, x, torch::zeros({}));
  auto w = x.clone();
  w.mul_(0.9);
  auto xs = flat(x), ys = flat(y), zs = flat(z), ws = flat(w);
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(ys[i], static_cast<double>(static_cast<float>(xs[i]) * 0.9f)) << i;
    EXPECT_EQ(ws[i], ys[i]) << i;
    EXPECT_EQ(zs[i], xs[i] > 0 ? xs[i] : 0.0) << i;
  }
}

// A parameter that requires grad cannot become an integer tensor: LibTorch's set_data refuses it,
// and so Module::to(an integer dtype) (texts from LibTorch 1.13). ember refuses before it converts
// anything; before, the parameters became int64 tensors that still required grad.
TEST(Module, ToAnIntegerDtypeKeepsParametersThatRequireGrad) {
  const std::string msg = "data set to a tensor that requires gradients must be floating point or complex dtype";
  Net net;
  for (auto& p : net->fc1->parameters()) p.set_requires_grad(false);  // fc1 comes before fc2, which requires grad
  const auto before = flat(net->fc1->weight);
  expect_error([&] { net->to(torch::kLong); }, msg);
  EXPECT_EQ(net->fc1->weight.dtype(), torch::kFloat);  // LibTorch has converted fc1 by then
  EXPECT_EQ(net->fc2->weight.dtype(), torch::kFloat);
  EXPECT_EQ(flat(net->fc1->weight), before);
  torch::nn::Linear frozen(2, 2);
  for (auto& p : frozen->parameters()) p.set_requires_grad(false);
  frozen->to(torch::kLong);
  EXPECT_EQ(frozen->weight.dtype(), torch::kLong);
  auto t = torch::ones({2}, torch::requires_grad());
  expect_error([&] { t.set_data(torch::ones({2}, torch::kLong)); }, msg);
  EXPECT_EQ(t.dtype(), torch::kFloat);
  t.set_data(torch::ones({3}, torch::kDouble));
  EXPECT_EQ(t.dtype(), torch::kDouble);
}
