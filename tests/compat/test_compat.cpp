// compat_tests: the LibTorch programs of tests/compat/programs against LibTorch 1.13's output, and
// the compat behaviour that has no LibTorch output to compare (checks that throw, warnings, errors).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  std::array<char, 4096> buf{};
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// In-place methods callable on a const Tensor&, as in LibTorch (a compile-time check).
template <typename T, typename = void>
struct zero_on_const : std::false_type {};
template <typename T>
struct zero_on_const<T, std::void_t<decltype(std::declval<const T&>().zero_().add_(1).requires_grad_())>>
    : std::true_type {};
static_assert(zero_on_const<torch::Tensor>::value, "in-place methods must be const");

}  // namespace

class CompatPrograms : public testing::TestWithParam<const char*> {};

TEST_P(CompatPrograms, PrintWhatLibTorchPrints) {
  const std::string name = GetParam();
  const std::string expected = read_file(std::string(EMBER_COMPAT_PROGRAMS_SRC) + "/" + name + ".expected");
  ASSERT_FALSE(expected.empty()) << "missing " << name << ".expected (tests/compat/generate.sh writes it)";
  EXPECT_EQ(run(std::string(EMBER_COMPAT_PROGRAMS_BIN) + "/compat_" + name + " 2>/dev/null"), expected);
}
INSTANTIATE_TEST_SUITE_P(LibTorch113, CompatPrograms,
                         testing::Values("idioms", "mnist_mlp", "custom_module", "custom_function"));

namespace uses_namespace_torch {
using namespace torch;
// After `using namespace torch;` each of these names one namespace (LibTorch code writes them so).
nn::Linear make_linear() { return nn::Linear(2, 1); }
data::Example<> make_example() { return {torch::ones({2}), torch::zeros({1})}; }
std::unique_ptr<optim::Optimizer> make_optimizer(nn::Module& m) {
  return std::make_unique<optim::SGD>(m.parameters(), optim::SGDOptions(0.1));
}
}  // namespace uses_namespace_torch

TEST(CompatNamespaces, UsingNamespaceTorchThenNnDataOptim) {
  auto linear = uses_namespace_torch::make_linear();
  auto example = uses_namespace_torch::make_example();
  auto optimizer = uses_namespace_torch::make_optimizer(*linear);
  EXPECT_EQ(linear->forward(example.data.unsqueeze(0)).sizes(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(optimizer->param_groups().size(), 1u);
}

TEST(CompatMacros, CheckOpThrowsWithBothOperandsAndTheStreamedText) {
  // LibTorch (glog) aborts the process here; ember throws the same text as c10::Error.
  int a = 1, b = 2;
  try {
    TORCH_CHECK_EQ(a, b) << "while testing";
    FAIL() << "TORCH_CHECK_EQ(1, 2) did not throw";
  } catch (const c10::Error& e) {
    EXPECT_STREQ(e.what(), "Check failed: a == b (1 vs. 2) while testing");
  }
  EXPECT_THROW(TORCH_CHECK_GT(a, b), c10::Error);
  EXPECT_THROW(TORCH_CHECK_LE(b, a), c10::Error);
  EXPECT_NO_THROW(TORCH_CHECK_LT(a, b) << "not evaluated");
}

TEST(CompatMacros, WarnWritesToStderrAndCarriesOn) {
  testing::internal::CaptureStderr();
  TORCH_WARN("careful: ", 3, " left");
  for (int i = 0; i < 3; ++i) TORCH_WARN_ONCE("only once");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Warning: careful: 3 left"), std::string::npos) << err;
  EXPECT_EQ(err.find("only once"), err.rfind("only once")) << err;
  EXPECT_NE(err.find("only once"), std::string::npos) << err;
}

TEST(CompatTensor, DtypeIsATypeMetaThatComparesAsAScalarType) {
  auto t = torch::ones({2}, torch::kDouble);
  EXPECT_TRUE(t.dtype() == torch::kDouble);
  EXPECT_TRUE(torch::kDouble == t.dtype());
  EXPECT_TRUE(t.dtype() != torch::kFloat);
  EXPECT_TRUE(t.dtype() == t.to(torch::kDouble).dtype());
  torch::ScalarType s = t.dtype();
  EXPECT_EQ(s, torch::kDouble);
  EXPECT_EQ(t.dtype().name(), "double");
  EXPECT_EQ(t.dtype().itemsize(), 8u);
  EXPECT_TRUE(t.dtype().Match<double>());
  EXPECT_EQ(torch::zeros({1}, t.dtype()).scalar_type(), torch::kDouble);
  EXPECT_EQ(torch::TensorOptions().dtype(t.dtype()).dtype(), torch::kDouble);
  std::ostringstream os;
  os << t.dtype() << "/" << t.scalar_type();
  EXPECT_EQ(os.str(), "double/Double");  // TypeMeta prints the C++ type, ScalarType its name
  EXPECT_EQ(torch::Tensor().toString(), "UndefinedType");
}

TEST(CompatTensor, MovingToCudaThrowsAClearError) {
  auto t = torch::ones({2});
  for (auto move : {+[](const torch::Tensor& x) { return x.to(torch::kCUDA); },
                    +[](const torch::Tensor& x) { return x.cuda(); },
                    +[](const torch::Tensor& x) { return x.to(torch::Device("cuda:0")); }}) {
    try {
      move(t);
      FAIL() << "moving to CUDA did not throw";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(t.equal(torch::ones({2})));
}

namespace {
struct Scale : torch::autograd::Function<Scale> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, double factor) {
    ctx->saved_data["factor"] = factor;
    return x * factor;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list g) {
    double factor = ctx->saved_data["factor"].toDouble();
    // Two undefined entries beyond the two forward arguments (x and factor): dropped, as LibTorch does.
    return {g[0] * factor, torch::Tensor(), torch::Tensor()};
  }
};
}  // namespace

TEST(CompatFunction, TrailingUndefinedGradientsAreDroppedOthersAreAnError) {
  auto x = torch::ones({2}, torch::requires_grad());
  Scale::apply(x, 3.0).sum().backward();
  EXPECT_TRUE(x.grad().equal(torch::full({2}, 3.0)));

  struct Extra : torch::autograd::Function<Extra> {
    static torch::Tensor forward(torch::autograd::AutogradContext*, torch::Tensor x) { return x * 2; }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                   torch::autograd::variable_list g) {
      return {g[0], g[0]};
    }
  };
  auto y = torch::ones({2}, torch::requires_grad());
  try {
    Extra::apply(y).sum().backward();
    FAIL() << "a defined extra gradient was accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("returned an incorrect number of gradients (expected 1, got 2)"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompatModules, AnyModuleChecksItsArgumentsAndTypes) {
  torch::nn::AnyModule any(torch::nn::Linear(3, 2));
  auto x = torch::ones({1, 3});
  EXPECT_EQ(any.forward(x).sizes(), (std::vector<int64_t>{1, 2}));
  try {
    any.forward(x, x);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_EQ(std::string(e.what()), "ember::nn::LinearImpl's forward() method expects 1 argument(s), but received 2.");
  }
  try {
    any.forward(1.5);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Expected argument #0 to be of type ember::Tensor, but received value of type double");
  }
  EXPECT_THROW(any.get<torch::nn::ReLUImpl>(), c10::Error);
  EXPECT_EQ(any.ptr<torch::nn::LinearImpl>()->options.in_features(), 3);
  EXPECT_THROW(torch::nn::AnyModule().forward(x), c10::Error);

  // A forward with a defaulted trailing parameter takes one or two arguments.
  torch::nn::AnyModule up(torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(1, 1, 2).stride(2)));
  auto img = torch::ones({1, 1, 2, 2});
  EXPECT_EQ(up.forward(img).sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
  try {
    up.forward();
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expects at least 1 argument(s) and at most 2 argument(s), but received 0"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompatModules, SequentialNamesCloneAndErrors) {
  torch::nn::Sequential seq({{"fc", torch::nn::Linear(2, 2)}, {"act", torch::nn::Tanh()}});
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"fc", "act"}));
  auto copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(seq->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_FALSE(copy->ptr<torch::nn::LinearImpl>(0)->weight.is_same(seq->ptr<torch::nn::LinearImpl>(0)->weight));
  auto x = torch::ones({1, 2});
  EXPECT_TRUE(copy->forward(x).equal(seq->forward(x)));
  EXPECT_THROW(seq->at<torch::nn::TanhImpl>(0), c10::Error);
  EXPECT_THROW(seq->ptr(2), c10::Error);
  EXPECT_THROW(seq->push_back("fc", torch::nn::ReLU()), c10::Error);  // the name is taken
  EXPECT_EQ(seq->size(), 2u);
  // Sequential inside Sequential (its forward is a template, so it is called as forward(Tensor)).
  torch::nn::Sequential outer(seq, torch::nn::ReLU());
  EXPECT_TRUE(outer->forward(x).equal(seq->forward(x).relu()));
  try {
    seq->forward<int>(x);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("but you asked for type int"), std::string::npos) << e.what();
  }
}
