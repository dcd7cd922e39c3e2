// Printing: ember::repr and operator<< hold against the strings PyTorch's repr produced (printing.json).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ember/ember.h"

#ifndef EMBER_FIXTURE_DIR
#error "EMBER_FIXTURE_DIR must be defined as the absolute path of tests/fixtures (a string literal)"
#endif

namespace {

using nlohmann::json;

struct PrintCase {
  std::string name;
  json data;
};

// gtest prints a failing parameter with this instead of dumping its bytes.
void PrintTo(const PrintCase& c, std::ostream* os) { *os << c.name; }

json load_fixture() {
  const std::string path = std::string(EMBER_FIXTURE_DIR) + "/printing.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run tests/fixtures/generate.py)");
  return json::parse(in);
}

// Loaded once at registration time; a missing or broken file leaves the list empty and
// PrintingFixture.LoadsAndHasCases reports why.
std::vector<PrintCase> load_cases() {
  std::vector<PrintCase> cases;
  try {
    for (const json& c : load_fixture()) cases.push_back({c.at("name").get<std::string>(), c});
  } catch (const std::exception&) {
  }
  return cases;
}

const std::vector<PrintCase>& all_cases() {
  static const std::vector<PrintCase> cases = load_cases();
  return cases;
}

ember::ScalarType parse_dtype(const std::string& s) {
  if (s == "float32") return ember::kFloat;
  if (s == "float64") return ember::kDouble;
  if (s == "int64") return ember::kLong;
  if (s == "int32") return ember::kInt;
  if (s == "uint8") return ember::kByte;
  if (s == "bool") return ember::kBool;
  throw std::runtime_error("unknown dtype in fixture: " + s);
}

double parse_float(const json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::runtime_error("unknown float literal in fixture: " + s);
}

// Builds the fixture's tensor with ember's public API.
ember::Tensor make_tensor(const json& c) {
  const ember::ScalarType dtype = parse_dtype(c.at("dtype").get<std::string>());
  const std::vector<int64_t> shape = c.at("shape").get<std::vector<int64_t>>();
  const json& values = c.at("values");
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;

  ember::Tensor t;
  if (numel == 0) {
    t = ember::empty(shape, ember::TensorOptions(dtype));
  } else if (dtype == ember::kFloat || dtype == ember::kDouble) {
    std::vector<double> v;
    for (const json& x : values) v.push_back(parse_float(x));
    t = ember::tensor(v).reshape(shape).to(dtype);
  } else if (dtype == ember::kBool) {
    std::vector<bool> v;
    for (const json& x : values) v.push_back(x.get<bool>());
    t = ember::tensor(v).reshape(shape).to(dtype);
  } else {
    std::vector<int64_t> v;
    for (const json& x : values) v.push_back(x.get<int64_t>());
    t = ember::tensor(v).reshape(shape).to(dtype);
  }
  if (c.at("requires_grad").get<bool>()) t.requires_grad_(true);
  return t;
}

std::string stream_of(const ember::Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

class PrintingFixture : public ::testing::TestWithParam<PrintCase> {};

TEST_P(PrintingFixture, MatchesPyTorchRepr) {
  const PrintCase& pc = GetParam();
  const std::string expected = pc.data.at("repr").get<std::string>();
  ember::Tensor t;
  try {
    t = make_tensor(pc.data);
  } catch (const std::exception& e) {
    FAIL() << "case " << pc.name << ": building the tensor threw: " << e.what();
  }
  const std::vector<int64_t> shape = pc.data.at("shape").get<std::vector<int64_t>>();
  EXPECT_EQ(t.sizes().vec(), shape) << "case " << pc.name;
  EXPECT_EQ(t.dtype(), parse_dtype(pc.data.at("dtype").get<std::string>())) << "case " << pc.name;
  try {
    EXPECT_EQ(ember::repr(t), expected) << "case " << pc.name << " (ember::repr)";
    EXPECT_EQ(stream_of(t), expected) << "case " << pc.name << " (operator<<)";
  } catch (const std::exception& e) {
    FAIL() << "case " << pc.name << ": printing threw: " << e.what();
  }
}

std::string case_name(const ::testing::TestParamInfo<PrintCase>& info) {
  std::string s;
  for (char ch : info.param.name) s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(PyTorch, PrintingFixture, ::testing::ValuesIn(all_cases()), case_name);

TEST(PrintingFixtureFile, LoadsAndHasCases) {
  json cases;
  ASSERT_NO_THROW(cases = load_fixture());
  ASSERT_TRUE(cases.is_array());
  EXPECT_GE(cases.size(), 40u);
  std::set<std::string> names;
  for (const json& c : cases) EXPECT_TRUE(names.insert(c.at("name").get<std::string>()).second) << c.at("name");
}

// A NaN prints as "nan" whatever its sign bit (0 * -inf, for one, is a NaN with the sign set, which
// printf writes "-nan"); PyTorch 1.13: tensor([nan, 1.]), tensor([   nan, 1.5000]),
// tensor([       nan, 1.0000e-09]), tensor(nan).
TEST(Printing, NanWithItsSignBitSetPrintsAsNan) {
  const double neg_nan = -std::numeric_limits<double>::quiet_NaN();
  ASSERT_TRUE(std::signbit(neg_nan));
  EXPECT_EQ(ember::repr(ember::tensor({neg_nan, 1.0})), "tensor([nan, 1.])");
  EXPECT_EQ(ember::repr(ember::tensor({neg_nan, 1.5})), "tensor([   nan, 1.5000])");
  EXPECT_EQ(ember::repr(ember::tensor({neg_nan, 1e-9})), "tensor([       nan, 1.0000e-09])");
  EXPECT_EQ(ember::repr(ember::tensor(neg_nan)), "tensor(nan)");
}

// ---- grad_fn suffixes. Expected strings are what PyTorch 1.13 prints for the same graph in Python.
// Ops use tensor operands (not C++ numbers) so that PyTorch's node names are the Tensor overloads'.

TEST(PrintingGradFn, MulScalar) {
  auto w = ember::tensor(2.0).requires_grad_();
  auto y = w * w;
  EXPECT_EQ(ember::repr(y), "tensor(4., grad_fn=<MulBackward0>)");
  EXPECT_EQ(stream_of(y), "tensor(4., grad_fn=<MulBackward0>)");
  EXPECT_EQ(ember::repr(w), "tensor(2., requires_grad=True)");
}

TEST(PrintingGradFn, GradientAndLeafAfterBackward) {
  auto w = ember::tensor(2.0).requires_grad_();
  auto y = w * w;
  y.backward();
  EXPECT_EQ(ember::repr(w.grad()), "tensor(4.)");
  EXPECT_EQ(ember::repr(w), "tensor(2., requires_grad=True)");
  EXPECT_EQ(ember::repr(y), "tensor(4., grad_fn=<MulBackward0>)");
}

TEST(PrintingGradFn, Reductions) {
  auto x = ember::tensor({1.0, 2.0, 3.0}).requires_grad_();
  EXPECT_EQ(ember::repr(x.sum()), "tensor(6., grad_fn=<SumBackward0>)");
  EXPECT_EQ(ember::repr(x.mean()), "tensor(2., grad_fn=<MeanBackward0>)");
  auto m = ember::tensor({1.0, 2.0, 3.0, 4.0}).reshape({2, 2}).requires_grad_();
  EXPECT_EQ(ember::repr(m.sum(std::vector<int64_t>{0})), "tensor([4., 6.], grad_fn=<SumBackward1>)");
}

TEST(PrintingGradFn, Pointwise) {
  auto x = ember::tensor({1.0, 2.0, 3.0}).requires_grad_();
  EXPECT_EQ(ember::repr(x + ember::tensor({1.0, 1.0, 1.0})), "tensor([2., 3., 4.], grad_fn=<AddBackward0>)");
  EXPECT_EQ(ember::repr(x.exp()), "tensor([ 2.7183,  7.3891, 20.0855], grad_fn=<ExpBackward0>)");
  auto d = ember::tensor(std::vector<double>{1.0, 2.0}).requires_grad_();
  EXPECT_EQ(ember::repr(d.pow(2)), "tensor([1., 4.], dtype=torch.float64, grad_fn=<PowBackward0>)");
}

TEST(PrintingGradFn, MseLossScientific) {
  auto input = ember::tensor({1.0, 2.0}).requires_grad_();
  auto target = ember::tensor({1.01, 2.0});
  auto loss = ember::mse_loss(input, target);
  EXPECT_EQ(ember::repr(loss), "tensor(5.0000e-05, grad_fn=<MseLossBackward0>)");
}

TEST(PrintingGradFn, Views) {
  auto m = ember::tensor({1.0, 2.0, 3.0, 4.0}).reshape({2, 2}).requires_grad_();
  EXPECT_EQ(ember::repr(m.t()), "tensor([[1., 3.],\n        [2., 4.]], grad_fn=<TBackward0>)");
  EXPECT_EQ(ember::repr(m[0]), "tensor([1., 2.], grad_fn=<SelectBackward0>)");
  EXPECT_EQ(ember::repr(m.view({4})), "tensor([1., 2., 3., 4.], grad_fn=<ViewBackward0>)");
}

TEST(PrintingGradFn, SuffixWrapsPastLineWidth) {
  std::vector<double> v;
  for (int i = 0; i < 8; ++i) v.push_back(-1.0 + 2.0 * i / 7.0);
  auto x = ember::tensor(v).to(ember::kFloat).requires_grad_();
  EXPECT_EQ(ember::repr(x * ember::tensor(3.0)),
            "tensor([-3.0000, -2.1429, -1.2857, -0.4286,  0.4286,  1.2857,  2.1429,  3.0000],\n"
            "       grad_fn=<MulBackward0>)");
  auto xd = ember::tensor(v).requires_grad_();
  auto yd = xd * ember::tensor(3.0).to(ember::kDouble);
  EXPECT_EQ(ember::repr(yd),
            "tensor([-3.0000, -2.1429, -1.2857, -0.4286,  0.4286,  1.2857,  2.1429,  3.0000],\n"
            "       dtype=torch.float64, grad_fn=<MulBackward0>)");
  EXPECT_EQ(stream_of(yd), ember::repr(yd));
}

TEST(PrintingGradFn, NoSuffixWithoutHistory) {
  auto m = ember::tensor({1.0, 2.0, 3.0, 4.0}).reshape({2, 2}).requires_grad_();
  EXPECT_EQ(ember::repr((m * m).detach()), "tensor([[ 1.,  4.],\n        [ 9., 16.]])");
  ember::NoGradGuard no_grad;
  EXPECT_EQ(ember::repr(m * ember::tensor(2.0)), "tensor([[2., 4.],\n        [6., 8.]])");
}

}  // namespace
