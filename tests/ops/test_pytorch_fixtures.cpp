// Every op's value and gradient against PyTorch 1.13 (tests/fixtures/ops.json), and every op in
// the gradcheck table: first and second derivatives against central differences in float64.
#include <gtest/gtest.h>

#include <set>

#include "core/grad_fn_name.h"
#include "ember/ember.h"
#include "ops/op_table.h"

using namespace ember_test;

namespace {

const json& cases() {
  static json j = load_fixture("ops.json")["cases"];
  return j;
}

std::vector<Tensor> inputs_of(const json& c) {
  std::vector<Tensor> in;
  for (const auto& i : c["inputs"]) {
    Tensor t = tensor_from(i);
    if (i["requires_grad"].get<bool>()) t.requires_grad_(true);
    in.push_back(t);
  }
  return in;
}

void expect_close(const Tensor& got, const json& want, const std::string& what) {
  Tensor w = tensor_from(want);
  ASSERT_EQ(got.sizes().vec(), w.sizes().vec()) << what;
  ASSERT_EQ(got.dtype(), w.dtype()) << what;
  double tol = got.dtype() == ember::kFloat ? 1e-5 : 1e-10;
  // NaN matches only NaN (median of a row holding NaN, erfinv outside [-1, 1], ...).
  EXPECT_TRUE(got.to(ember::kDouble).allclose(w.to(ember::kDouble), tol, tol, /*equal_nan=*/true)) << what << "\n got " << got << "\nwant " << w;
}

// PyTorch 1.13 ends matmul(1-D, 2-D) with an in-place squeeze_ (SqueezeBackward3); ember uses squeeze.
bool composite_name(const std::string& name) {
  // einsum ends with whichever op its contraction order needs last; ember's order is its own.
  if (name.rfind("einsum_", 0) == 0) return true;
  return name == "matmul_1d_2d";
}

// gtest names allow only letters, digits and underscores.
std::string test_name(int i) {
  std::string n = cases()[i]["name"];
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

TEST(OpTable, EveryDifferentiableOpHasAPyTorchFixture) {
  std::set<std::string> covered;
  for (const auto& c : cases()) covered.insert(c["op"].get<std::string>());
  for (const auto& op : differentiable_ops()) EXPECT_TRUE(covered.count(op)) << op << " has no case in ops.json";
}

class PyTorchFixture : public ::testing::TestWithParam<int> {};

TEST_P(PyTorchFixture, ValueAndGradient) {
  const json& c = cases()[GetParam()];
  const std::string name = c["name"];
  std::vector<Tensor> in = inputs_of(c);
  Tensor out = run_op(c["op"], in, c["args"]);
  expect_close(out, c["output"], name + " output");
  if (!out.requires_grad()) return;
  if (!composite_name(name)) {
    // The fixture holds Python's type(grad_fn).__name__.
    EXPECT_EQ(std::string(ember::detail::grad_fn_name(out)), c["grad_fn"].get<std::string>()) << name;
  }
  Tensor up = tensor_from(json{{"shape", c["output"]["shape"]}, {"dtype", c["output"]["dtype"]}, {"values", c["upstream"]}});
  out.backward(up);
  for (size_t i = 0; i < in.size(); ++i) {
    if (c["grads"][i].is_null()) continue;
    json want{{"shape", c["inputs"][i]["shape"]}, {"dtype", c["inputs"][i]["dtype"]}, {"values", c["grads"][i]}};
    if (!in[i].grad().defined()) {
      // generate.py writes PyTorch's None gradient as zeros (vector_norm of order 0 gives none).
      for (const auto& v : c["grads"][i]) EXPECT_TRUE(v.is_number() && v.get<double>() == 0.0) << name << " grad " << i;
      continue;
    }
    expect_close(in[i].grad(), want, name + " grad " + std::to_string(i));
  }
}

std::vector<int> all_cases() {
  std::vector<int> idx(cases().size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  return idx;
}

INSTANTIATE_TEST_SUITE_P(Ops, PyTorchFixture, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  return test_name(info.param);
});

class Gradcheck : public ::testing::TestWithParam<int> {};

TEST_P(Gradcheck, FirstAndSecondDerivatives) {
  const json& c = cases()[GetParam()];
  std::vector<Tensor> in = inputs_of(c);
  bool any = false;
  for (auto& t : in) any = any || t.requires_grad();
  if (!any || in[0].dtype() != ember::kDouble || c["output"]["dtype"] != "float64") {
    GTEST_SKIP() << "finite differences need float64 inputs and outputs";
  }
  const std::string op = c["op"];
  const json args = c["args"];
  auto fn = [&](const ember::variable_list& x) { return run_op(op, x, args); };
  // Some gradients are defined to differ from the derivative (embedding's padding_idx rows get none):
  // those are held to PyTorch's values and the second-order check only.
  if (!args.value("grad_is_not_derivative", false)) {
    EXPECT_TRUE(ember::autograd::gradcheck(fn, in, 1e-6, 1e-5, 1e-3));
  }
  EXPECT_TRUE(ember::autograd::gradgradcheck(fn, in, 1e-6, 1e-5, 1e-3));
}

INSTANTIATE_TEST_SUITE_P(Ops, Gradcheck, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  return test_name(info.param);
});

}  // namespace
