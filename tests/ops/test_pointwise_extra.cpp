// The remaining pointwise names (src/ops/pointwise_extra.cpp): aliases and in-place forms equal
// the ops they stand for, write into their tensor and refuse a result dtype they cannot hold; the
// shift rule outside [0, bits); the tensor predicates (is_view, is_set_to, ...); bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../expect_error.h"
#include "ember/ember.h"
#include "ops/op_table.h"

using namespace ember_test;

namespace {

torch::Tensor sample() { return torch::tensor({0.3, -1.2, 0.75, 0.05}); }

TEST(PointwiseExtra, AliasesEqualTheirOps) {
  auto a = torch::tensor({1.5, -2.0, 3.0}), b = torch::tensor({1.5, 4.0, -1.0});
  EXPECT_TRUE(torch::absolute(a).equal(torch::abs(a)));
  EXPECT_TRUE(a.absolute().equal(a.abs()));
  EXPECT_TRUE(torch::negative(a).equal(-a));
  EXPECT_TRUE(a.negative().equal(a.neg()));
  EXPECT_TRUE(torch::positive(a).is_same(a));
  EXPECT_TRUE(a.positive().is_same(a));
  EXPECT_TRUE(torch::multiply(a, b).equal(a * b));
  EXPECT_TRUE(a.multiply(2).equal(a * 2));
  EXPECT_TRUE(torch::subtract(a, b, 2).equal(torch::sub(a, b, 2)));
  EXPECT_TRUE(a.subtract(1.5).equal(a - 1.5));
  EXPECT_TRUE(torch::greater(a, b).equal(a > b));
  EXPECT_TRUE(a.greater(1.5).equal(a > 1.5));
  EXPECT_TRUE(torch::greater_equal(a, b).equal(a >= b));
  EXPECT_TRUE(a.greater_equal(b).equal(a >= b));
  EXPECT_TRUE(torch::less(a, b).equal(a < b));
  EXPECT_TRUE(a.less(b).equal(a < b));
  EXPECT_TRUE(torch::less_equal(a, 1.5).equal(a <= 1.5));
  EXPECT_TRUE(a.less_equal(b).equal(a <= b));
  EXPECT_TRUE(torch::not_equal(a, b).equal(a != b));
  EXPECT_TRUE(a.not_equal(1.5).equal(a != 1.5));
  EXPECT_TRUE(a.xlogy(b.abs()).equal(torch::xlogy(a, b.abs())));
  EXPECT_TRUE(a.xlogy(2.0).equal(torch::xlogy(a, 2.0)));
  EXPECT_TRUE(torch::detach(a).equal(a));
  // Gradients flow through the aliases as through the ops.
  auto x = torch::tensor({1.5, -2.0}, torch::requires_grad());
  x.negative().multiply(3).subtract(x, 2).sum().backward();
  EXPECT_TRUE(x.grad().equal(torch::tensor({-5.0, -5.0})));
}

// torch::f_(t) for every in-place function: the value of t.f(), written into t, t returned.
TEST(PointwiseExtra, InPlaceFunctionsWriteIntoTheirTensor) {
  using F = std::function<torch::Tensor&(torch::Tensor&)>;
  using G = std::function<torch::Tensor(const torch::Tensor&)>;
  const std::vector<std::tuple<std::string, F, G>> table = {
      {"abs_", [](torch::Tensor& t) -> torch::Tensor& { return torch::abs_(t); }, [](const torch::Tensor& t) { return t.abs(); }},
      {"neg_", [](torch::Tensor& t) -> torch::Tensor& { return torch::neg_(t); }, [](const torch::Tensor& t) { return t.neg(); }},
      {"negative_", [](torch::Tensor& t) -> torch::Tensor& { return torch::negative_(t); }, [](const torch::Tensor& t) { return t.neg(); }},
      {"exp_", [](torch::Tensor& t) -> torch::Tensor& { return torch::exp_(t); }, [](const torch::Tensor& t) { return t.exp(); }},
      {"exp2_", [](torch::Tensor& t) -> torch::Tensor& { return torch::exp2_(t); }, [](const torch::Tensor& t) { return t.exp2(); }},
      {"expm1_", [](torch::Tensor& t) -> torch::Tensor& { return torch::expm1_(t); }, [](const torch::Tensor& t) { return t.expm1(); }},
      {"log_", [](torch::Tensor& t) -> torch::Tensor& { return torch::log_(t); }, [](const torch::Tensor& t) { return t.log(); }},
      {"log2_", [](torch::Tensor& t) -> torch::Tensor& { return torch::log2_(t); }, [](const torch::Tensor& t) { return t.log2(); }},
      {"log10_", [](torch::Tensor& t) -> torch::Tensor& { return torch::log10_(t); }, [](const torch::Tensor& t) { return t.log10(); }},
      {"log1p_", [](torch::Tensor& t) -> torch::Tensor& { return torch::log1p_(t); }, [](const torch::Tensor& t) { return t.log1p(); }},
      {"sqrt_", [](torch::Tensor& t) -> torch::Tensor& { return torch::sqrt_(t); }, [](const torch::Tensor& t) { return t.sqrt(); }},
      {"rsqrt_", [](torch::Tensor& t) -> torch::Tensor& { return torch::rsqrt_(t); }, [](const torch::Tensor& t) { return t.rsqrt(); }},
      {"square_", [](torch::Tensor& t) -> torch::Tensor& { return torch::square_(t); }, [](const torch::Tensor& t) { return t.square(); }},
      {"reciprocal_", [](torch::Tensor& t) -> torch::Tensor& { return torch::reciprocal_(t); }, [](const torch::Tensor& t) { return t.reciprocal(); }},
      {"sigmoid_", [](torch::Tensor& t) -> torch::Tensor& { return torch::sigmoid_(t); }, [](const torch::Tensor& t) { return t.sigmoid(); }},
      {"sin_", [](torch::Tensor& t) -> torch::Tensor& { return torch::sin_(t); }, [](const torch::Tensor& t) { return t.sin(); }},
      {"cos_", [](torch::Tensor& t) -> torch::Tensor& { return torch::cos_(t); }, [](const torch::Tensor& t) { return t.cos(); }},
      {"tan_", [](torch::Tensor& t) -> torch::Tensor& { return torch::tan_(t); }, [](const torch::Tensor& t) { return t.tan(); }},
      {"sinh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::sinh_(t); }, [](const torch::Tensor& t) { return t.sinh(); }},
      {"cosh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::cosh_(t); }, [](const torch::Tensor& t) { return t.cosh(); }},
      {"tanh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::tanh_(t); }, [](const torch::Tensor& t) { return t.tanh(); }},
      {"asin_", [](torch::Tensor& t) -> torch::Tensor& { return torch::asin_(t); }, [](const torch::Tensor& t) { return t.asin(); }},
      {"acos_", [](torch::Tensor& t) -> torch::Tensor& { return torch::acos_(t); }, [](const torch::Tensor& t) { return t.acos(); }},
      {"atan_", [](torch::Tensor& t) -> torch::Tensor& { return torch::atan_(t); }, [](const torch::Tensor& t) { return t.atan(); }},
      {"asinh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::asinh_(t); }, [](const torch::Tensor& t) { return t.asinh(); }},
      {"acosh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::acosh_(t); }, [](const torch::Tensor& t) { return t.acosh(); }},
      {"atanh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::atanh_(t); }, [](const torch::Tensor& t) { return t.atanh(); }},
      {"arcsin_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arcsin_(t); }, [](const torch::Tensor& t) { return t.asin(); }},
      {"arccos_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arccos_(t); }, [](const torch::Tensor& t) { return t.acos(); }},
      {"arctan_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arctan_(t); }, [](const torch::Tensor& t) { return t.atan(); }},
      {"arcsinh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arcsinh_(t); }, [](const torch::Tensor& t) { return t.asinh(); }},
      {"arccosh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arccosh_(t); }, [](const torch::Tensor& t) { return t.acosh(); }},
      {"arctanh_", [](torch::Tensor& t) -> torch::Tensor& { return torch::arctanh_(t); }, [](const torch::Tensor& t) { return t.atanh(); }},
      {"erf_", [](torch::Tensor& t) -> torch::Tensor& { return torch::erf_(t); }, [](const torch::Tensor& t) { return t.erf(); }},
      {"erfc_", [](torch::Tensor& t) -> torch::Tensor& { return torch::erfc_(t); }, [](const torch::Tensor& t) { return t.erfc(); }},
      {"floor_", [](torch::Tensor& t) -> torch::Tensor& { return torch::floor_(t); }, [](const torch::Tensor& t) { return t.floor(); }},
      {"ceil_", [](torch::Tensor& t) -> torch::Tensor& { return torch::ceil_(t); }, [](const torch::Tensor& t) { return t.ceil(); }},
      {"round_", [](torch::Tensor& t) -> torch::Tensor& { return torch::round_(t); }, [](const torch::Tensor& t) { return t.round(); }},
      {"trunc_", [](torch::Tensor& t) -> torch::Tensor& { return torch::trunc_(t); }, [](const torch::Tensor& t) { return t.trunc(); }},
      {"frac_", [](torch::Tensor& t) -> torch::Tensor& { return torch::frac_(t); }, [](const torch::Tensor& t) { return t.frac(); }},
      {"sinc_", [](torch::Tensor& t) -> torch::Tensor& { return torch::sinc_(t); }, [](const torch::Tensor& t) { return t.sinc(); }},
      {"deg2rad_", [](torch::Tensor& t) -> torch::Tensor& { return torch::deg2rad_(t); }, [](const torch::Tensor& t) { return t.deg2rad(); }},
      {"rad2deg_", [](torch::Tensor& t) -> torch::Tensor& { return torch::rad2deg_(t); }, [](const torch::Tensor& t) { return t.rad2deg(); }},
      {"logit_", [](torch::Tensor& t) -> torch::Tensor& { return torch::logit_(t); }, [](const torch::Tensor& t) { return t.logit(); }},
      {"logit_eps", [](torch::Tensor& t) -> torch::Tensor& { return torch::logit_(t, 0.1); }, [](const torch::Tensor& t) { return t.logit(0.1); }},
      {"nan_to_num_", [](torch::Tensor& t) -> torch::Tensor& { return torch::nan_to_num_(t, 1.0); }, [](const torch::Tensor& t) { return t.nan_to_num(1.0); }},
      {"clamp_", [](torch::Tensor& t) -> torch::Tensor& { return torch::clamp_(t, -0.5, 0.5); }, [](const torch::Tensor& t) { return t.clamp(-0.5, 0.5); }},
      {"clamp_tensor_", [](torch::Tensor& t) -> torch::Tensor& { return torch::clamp_(t, torch::full({4}, 0.1)); }, [](const torch::Tensor& t) { return t.clamp_min(0.1); }},
      {"clip_", [](torch::Tensor& t) -> torch::Tensor& { return torch::clip_(t, -0.5, 0.5); }, [](const torch::Tensor& t) { return t.clamp(-0.5, 0.5); }},
      {"clamp_min_", [](torch::Tensor& t) -> torch::Tensor& { return torch::clamp_min_(t, 0.1); }, [](const torch::Tensor& t) { return t.clamp_min(0.1); }},
      {"clamp_max_", [](torch::Tensor& t) -> torch::Tensor& { return torch::clamp_max_(t, 0.1); }, [](const torch::Tensor& t) { return t.clamp_max(0.1); }},
      {"xlogy_", [](torch::Tensor& t) -> torch::Tensor& { return torch::xlogy_(t, 3.0); }, [](const torch::Tensor& t) { return torch::xlogy(t, 3.0); }},
      {"xlogy_tensor", [](torch::Tensor& t) -> torch::Tensor& { return torch::xlogy_(t, torch::full({4}, 2.0)); }, [](const torch::Tensor& t) { return torch::xlogy(t, 2.0); }},
      {"ldexp_", [](torch::Tensor& t) -> torch::Tensor& { return torch::ldexp_(t, torch::tensor({1, 2, -1, 0})); }, [](const torch::Tensor& t) { return t.ldexp(torch::tensor({1, 2, -1, 0})); }},
      {"fill_", [](torch::Tensor& t) -> torch::Tensor& { return torch::fill_(t, 2.5); }, [](const torch::Tensor& t) { return torch::full_like(t, 2.5); }},
      {"fill_tensor", [](torch::Tensor& t) -> torch::Tensor& { return torch::fill_(t, torch::tensor(-1.5)); }, [](const torch::Tensor& t) { return torch::full_like(t, -1.5); }},
      {"zero_", [](torch::Tensor& t) -> torch::Tensor& { return torch::zero_(t); }, [](const torch::Tensor& t) { return torch::zeros_like(t); }},
  };
  for (const auto& [name, inplace, op] : table) {
    // acosh needs x >= 1, the others are given values inside their domains.
    torch::Tensor t = name.find("acosh") != std::string::npos ? sample().abs() + 1 : sample().abs() * 0.9;
    const torch::Tensor want = op(t);
    void* data = t.data_ptr();
    torch::Tensor& r = inplace(t);
    EXPECT_EQ(&r, &t) << name;
    EXPECT_EQ(t.data_ptr(), data) << name;
    EXPECT_TRUE(t.allclose(want, 1e-6, 1e-7, true)) << name << "\n got " << t << "\nwant " << want;
  }
  // detach_ cuts the history in place.
  auto leaf = torch::tensor({1.0}, torch::requires_grad());
  auto y = leaf * 2;
  torch::detach_(y);
  EXPECT_FALSE(y.requires_grad());
}

TEST(PointwiseExtra, InPlaceRefusesAResultItsDtypeCannotHold) {
  auto i = torch::tensor({1, 2, 3});
  expect_error([&] { torch::sqrt_(i); }, "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { torch::sinc_(i); }, "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { i.deg2rad_(); }, "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { i.logit_(); }, "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { torch::ldexp_(i, torch::tensor({3, 1, 0})); }, "can't be cast to the desired output type Long", {i});
  expect_error([&] { i.xlogy_(torch::tensor({2.0, 2.0, 2.0})); }, "can't be cast to the desired output type Long", {i});
  // LibTorch checks the cast before the kernel's dtype, so the message is the cast's.
  expect_error([&] { i.bitwise_and_(torch::tensor({3.0, 3.0, 3.0})); },
               "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { i.gcd_(torch::tensor({3.0, 3.0, 3.0})); },
               "result type Float can't be cast to the desired output type Long", {i});
  auto f = torch::tensor({2.0f});
  expect_error([&] { f.float_power_(3); },
               "the base given to float_power_ has dtype Float but the operation's result requires dtype Double", {f});
  auto b = torch::tensor({true, false});
  expect_error([&] { b.bitwise_or_(torch::tensor({1, 1})); }, "result type Long can't be cast to the desired output type Bool",
               {b});
  auto leaf = torch::ones({2}, torch::requires_grad());
  expect_error([&] { leaf.sinc_(); }, "a leaf Variable that requires grad is being used in an in-place operation.");
  expect_error([&] { leaf.eq_(1); }, "a leaf Variable that requires grad is being used in an in-place operation.");
}

TEST(PointwiseExtra, InPlaceMethods) {
  // Comparisons and logical ops write their booleans in self's dtype.
  auto f = torch::tensor({1.0, 2.0, 3.0});
  auto r = &f.eq_(2.0);
  EXPECT_EQ(r, &f);
  EXPECT_TRUE(f.equal(torch::tensor({0.0, 1.0, 0.0})));
  auto l = torch::tensor({1, 5});
  l.lt_(1.5);
  EXPECT_TRUE(l.equal(torch::tensor({1, 0})));
  auto g = torch::tensor({1.0, 2.0, 3.0});
  g.greater_equal_(torch::tensor({2.0, 2.0, 2.0}));
  EXPECT_TRUE(g.equal(torch::tensor({0.0, 1.0, 1.0})));
  auto ne = torch::tensor({1, 2});
  ne.not_equal_(2);
  EXPECT_TRUE(ne.equal(torch::tensor({1, 0})));
  auto la = torch::tensor({1, 0, 3});
  la.logical_and_(torch::tensor({1.5, 1.0, 0.0}));
  EXPECT_TRUE(la.equal(torch::tensor({1, 0, 0})));
  auto ln = torch::tensor({2.0, 0.0});
  ln.logical_not_();
  EXPECT_TRUE(ln.equal(torch::tensor({0.0, 1.0})));
  auto lx = torch::tensor({true, false});
  lx.logical_xor_(torch::tensor({true, true}));
  EXPECT_TRUE(lx.equal(torch::tensor({false, true})));
  // Integer ops.
  auto i = torch::tensor({12, -7, 5});
  i.bitwise_and_(6);
  EXPECT_TRUE(i.equal(torch::tensor({4, 0, 4})));
  i.bitwise_or_(torch::tensor({1, 2, 3}));
  EXPECT_TRUE(i.equal(torch::tensor({5, 2, 7})));
  i ^= torch::tensor({1, 1, 1});
  EXPECT_TRUE(i.equal(torch::tensor({4, 3, 6})));
  i &= torch::tensor({6, 6, 6});
  i |= torch::tensor({8, 8, 8});
  EXPECT_TRUE(i.equal(torch::tensor({12, 10, 14})));
  i.bitwise_left_shift_(2);
  EXPECT_TRUE(i.equal(torch::tensor({48, 40, 56})));
  i.bitwise_right_shift_(torch::tensor({4, 3, 1}));
  EXPECT_TRUE(i.equal(torch::tensor({3, 5, 28})));
  i.gcd_(torch::tensor({6, 15, 8}));
  EXPECT_TRUE(i.equal(torch::tensor({3, 5, 4})));
  torch::lcm_(i, torch::tensor({4, 2, 6}));
  EXPECT_TRUE(i.equal(torch::tensor({12, 10, 12})));
  torch::gcd_(i, torch::tensor({8, 4, 9}));
  EXPECT_TRUE(i.equal(torch::tensor({4, 2, 3})));
  i.bitwise_not_();
  EXPECT_TRUE(i.equal(torch::tensor({-5, -3, -4})));
  // int32 self keeps its dtype when the other operand is int64.
  auto i32 = torch::tensor({12, 18}, torch::kInt32);
  i32.gcd_(torch::tensor({8, 27}));
  EXPECT_EQ(i32.scalar_type(), torch::kInt32);
  EXPECT_TRUE(i32.equal(torch::tensor({4, 9}, torch::kInt32)));
  // Float ops.
  auto d = torch::tensor({2.0, 3.0}, torch::kDouble);
  d.float_power_(2);
  EXPECT_TRUE(d.equal(torch::tensor({4.0, 9.0}, torch::kDouble)));
  d.float_power_(torch::tensor({0.5, 0.5}));
  EXPECT_TRUE(d.equal(torch::tensor({2.0, 3.0}, torch::kDouble)));
  auto h = torch::tensor({-1.0, 0.0, 2.0});
  h.heaviside_(torch::tensor({0.5}));
  EXPECT_TRUE(h.equal(torch::tensor({0.0, 0.5, 1.0})));
  auto n = torch::tensor({1.0f});
  n.nextafter_(torch::tensor({2.0f}));
  EXPECT_EQ(n.item<float>(), std::nextafter(1.0f, 2.0f));
  auto m = torch::tensor({1.5, 2.0});
  m.multiply_(2).subtract_(torch::tensor({1.0, 1.0}), 0.5);
  EXPECT_TRUE(m.equal(torch::tensor({2.5, 3.5})));
  m.negative_().absolute_();
  EXPECT_TRUE(m.equal(torch::tensor({2.5, 3.5})));
  m.less_(3);
  EXPECT_TRUE(m.equal(torch::tensor({1.0, 0.0})));
}

// The in-place float forms record the op's backward on a non-leaf, as PyTorch does.
TEST(PointwiseExtra, InPlaceGradients) {
  auto x = torch::tensor({0.3, 0.6}, torch::dtype(torch::kDouble).requires_grad(true));
  auto want = [&](const std::function<torch::Tensor(const torch::Tensor&)>& f) {
    auto x2 = x.detach().clone().requires_grad_(true);
    f(x2).sum().backward();
    return x2.grad().clone();
  };
  struct Case {
    const char* name;
    std::function<void(torch::Tensor&)> inplace;
    std::function<torch::Tensor(const torch::Tensor&)> op;
  };
  const std::vector<Case> cases = {
      {"SincBackward0", [](torch::Tensor& t) { t.sinc_(); }, [](const torch::Tensor& t) { return t.sinc(); }},
      {"LogitBackward0", [](torch::Tensor& t) { t.logit_(0.35); }, [](const torch::Tensor& t) { return t.logit(0.35); }},
      {"Deg2RadBackward0", [](torch::Tensor& t) { t.deg2rad_(); }, [](const torch::Tensor& t) { return t.deg2rad(); }},
      {"Rad2DegBackward0", [](torch::Tensor& t) { t.rad2deg_(); }, [](const torch::Tensor& t) { return t.rad2deg(); }},
      {"PowBackward0", [](torch::Tensor& t) { t.float_power_(3); }, [](const torch::Tensor& t) { return t.float_power(3); }},
      {"MulBackward0", [](torch::Tensor& t) { t.ldexp_(torch::tensor({2, -1})); },
       [](const torch::Tensor& t) { return t.ldexp(torch::tensor({2, -1})); }},
      {"XlogyBackward0", [](torch::Tensor& t) { t.xlogy_(torch::tensor({2.0, 0.5}, torch::kDouble)); },
       [](const torch::Tensor& t) { return t.xlogy(torch::tensor({2.0, 0.5}, torch::kDouble)); }},
  };
  for (const auto& c : cases) {
    x.mutable_grad() = torch::Tensor();
    auto y = x * 1;
    c.inplace(y);
    ASSERT_TRUE(y.grad_fn()) << c.name;
    EXPECT_EQ(y.grad_fn()->name(), c.name);
    y.sum().backward();
    EXPECT_TRUE(x.grad().allclose(want(c.op), 1e-12, 1e-12)) << c.name << "\n got " << x.grad();
  }
}

// Counts outside [0, bits): left shifts give 0, right shifts the sign fill, for every integer dtype
// (PyTorch 1.13 gives these for uint8; its int32/int64 kernels take the count modulo the width on
// x86, undefined behaviour in C++, where PyTorch 2 gives the answers below).
TEST(PointwiseExtra, ShiftsOutsideTheBitWidth) {
  auto v = torch::tensor({5, -5, 1});
  EXPECT_TRUE(v.bitwise_left_shift(64).equal(torch::tensor({0, 0, 0})));
  EXPECT_TRUE(v.bitwise_left_shift(-1).equal(torch::tensor({0, 0, 0})));
  EXPECT_TRUE(v.bitwise_right_shift(64).equal(torch::tensor({0, -1, 0})));
  EXPECT_TRUE(v.bitwise_right_shift(-3).equal(torch::tensor({0, -1, 0})));
  auto w = torch::tensor({5, -5, 1}, torch::kInt32);
  EXPECT_TRUE(w.bitwise_left_shift(32).equal(torch::zeros({3}, torch::kInt32)));
  EXPECT_TRUE(w.bitwise_right_shift(40).equal(torch::tensor({0, -1, 0}, torch::kInt32)));
  // Overflow inside the width wraps as two's complement.
  EXPECT_EQ(torch::tensor({3}).bitwise_left_shift(63).item<int64_t>(), INT64_MIN);
  EXPECT_EQ(torch::tensor({255}, torch::kUInt8).bitwise_left_shift(1).item<int64_t>(), 254);
}

TEST(PointwiseExtra, Operators) {
  auto a = torch::tensor({12, -7, 3});
  EXPECT_TRUE((a & 6).equal(torch::tensor({4, 0, 2})));
  EXPECT_TRUE((6 & a).equal(torch::tensor({4, 0, 2})));
  EXPECT_TRUE((a | 1).equal(torch::tensor({13, -7, 3})));
  EXPECT_TRUE((1 ^ a).equal(torch::tensor({13, -8, 2})));
  EXPECT_TRUE((~a).equal(torch::bitwise_not(a)));
  EXPECT_TRUE((torch::tensor({true, false}) | true).equal(torch::tensor({true, true})));
  EXPECT_TRUE(at::bitwise_and(a, torch::tensor({5})).equal(a & torch::tensor({5})));
}

TEST(PointwiseExtra, EdgeInputs) {
  // 0-d, empty and non-contiguous inputs.
  auto s = torch::tensor(0.25, torch::kDouble);
  EXPECT_EQ(s.sinc().dim(), 0);
  EXPECT_DOUBLE_EQ(torch::logit(s).item<double>(), std::log(0.25 / 0.75));
  EXPECT_EQ(torch::fmax(s, torch::tensor(std::nan(""), torch::kDouble)).item<double>(), 0.25);
  auto e = torch::ones({0, 3});
  EXPECT_EQ(torch::isin(e, torch::tensor({1.0})).sizes().vec(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(torch::gcd(torch::ones({0}, torch::kLong), torch::ones({1}, torch::kLong)).numel(), 0);
  EXPECT_EQ(std::get<1>(torch::frexp(e)).scalar_type(), torch::kInt32);
  auto t = torch::arange(12, torch::TensorOptions(torch::kDouble)).reshape({3, 4}).t();
  EXPECT_TRUE(torch::sinc(t.mul(0.3)).equal(torch::sinc(t.mul(0.3).contiguous())));
  auto ti = torch::arange(12).reshape({3, 4}).t();
  EXPECT_TRUE(torch::gcd(ti, torch::tensor({6})).equal(torch::gcd(ti.contiguous(), torch::tensor({6}))));
  EXPECT_TRUE(torch::bitwise_left_shift(ti, 2).equal(ti.contiguous() * 4));
  // isin with the scalar forms.
  EXPECT_TRUE(torch::isin(2, torch::tensor({1, 2})).item<bool>());
  EXPECT_TRUE(torch::isin(torch::tensor({1, 2}), 2, false, true).equal(torch::tensor({true, false})));
  // Ops PyTorch does not differentiate give results without history.
  auto x = torch::tensor({1.0, -1.0}, torch::requires_grad());
  EXPECT_FALSE(torch::heaviside(x, torch::tensor({0.5})).requires_grad());
  EXPECT_FALSE(torch::nextafter(x, torch::tensor({0.0})).requires_grad());
  EXPECT_FALSE(torch::isclose(x, x).requires_grad());
  EXPECT_FALSE(x.signbit().requires_grad());
}

TEST(PointwiseExtra, TensorPredicates) {
  auto x = torch::arange(6.0).reshape({2, 3});
  EXPECT_FALSE(torch::arange(6.0).is_view());  // made by a factory
  EXPECT_TRUE(x.is_view());                    // reshape of a contiguous tensor is a view
  auto c = x.clone();
  EXPECT_FALSE(c.is_view());
  EXPECT_TRUE(c[0].is_view());
  EXPECT_TRUE(c.t().is_view());
  EXPECT_TRUE(c.slice(1, 0, 2).is_view());
  EXPECT_TRUE(c.view({6}).is_view());
  EXPECT_TRUE(c.expand({2, 2, 3}).is_view());
  EXPECT_TRUE(c.unsqueeze(0).is_view());
  EXPECT_TRUE(c.chunk(2, 0)[1].is_view());
  EXPECT_FALSE(c.detach().is_view());
  EXPECT_FALSE((c + 1).is_view());
  EXPECT_FALSE(c.contiguous().is_view());
  // is_set_to: the same storage, offset, sizes and strides.
  EXPECT_TRUE(c.is_set_to(c));
  EXPECT_TRUE(c.is_set_to(c.view({2, 3})));
  EXPECT_FALSE(c.is_set_to(c.view({6})));
  EXPECT_FALSE(c.is_set_to(c.clone()));
  EXPECT_FALSE(c[1].is_set_to(c[0]));
  EXPECT_TRUE(c[1].is_set_to(c.select(0, 1)));
  EXPECT_TRUE(c.detach().is_set_to(c));
  // Metadata.
  EXPECT_EQ(c.get_device(), -1);
  EXPECT_TRUE(c.is_same_size(torch::ones({2, 3})));
  EXPECT_FALSE(torch::is_same_size(c, torch::ones({3, 2})));
  EXPECT_EQ(torch::numel(c), 6);
  EXPECT_EQ(torch::size(c, -1), 3);
  EXPECT_EQ(torch::stride(c, 0), 3);
  EXPECT_TRUE(torch::is_floating_point(c));
  EXPECT_TRUE(torch::is_signed(c));
  EXPECT_FALSE(torch::is_signed(torch::ones({1}, torch::kUInt8)));
  EXPECT_FALSE(torch::is_distributed(c));
  EXPECT_FALSE(torch::is_vulkan_available());
  EXPECT_FALSE(c.is_distributed() || c.is_hip() || c.is_lazy() || c.is_meta() || c.is_mkldnn() || c.is_mps() ||
               c.is_nested() || c.is_sparse_csr() || c.is_xla() || c.is_xpu());
  // can_cast: PyTorch's rules.
  EXPECT_FALSE(torch::can_cast(torch::kFloat, torch::kInt));
  EXPECT_TRUE(torch::can_cast(torch::kInt, torch::kFloat));
  EXPECT_TRUE(torch::can_cast(torch::kLong, torch::kUInt8));
  EXPECT_FALSE(torch::can_cast(torch::kLong, torch::kBool));
  EXPECT_TRUE(torch::can_cast(torch::kBool, torch::kDouble));
  // is_nonzero: one value.
  EXPECT_TRUE(torch::tensor({2.5}).is_nonzero());
  EXPECT_FALSE(torch::is_nonzero(torch::tensor(0)));
  EXPECT_TRUE(torch::tensor(std::nan("")).is_nonzero());
  EXPECT_TRUE(torch::tensor({true}).is_nonzero());
  expect_error([&] { torch::tensor({1.0, 2.0}).is_nonzero(); },
               "Boolean value of Tensor with more than one value is ambiguous");
  expect_error([&] { torch::ones({0}).is_nonzero(); }, "Boolean value of Tensor with no values is ambiguous");
  expect_error([&] { c.is_coalesced(); }, "Could not run 'aten::is_coalesced' with arguments from the 'CPU' backend");
}

TEST(PointwiseExtra, BadInput) {
  auto f = torch::tensor({1.5, 2.0}), i = torch::tensor({1, 2}), b = torch::tensor({true, false});
  expect_error([&] { torch::bitwise_and(f, f); }, "\"bitwise_and_cpu\" not implemented for 'Float'", {f});
  expect_error([&] { torch::bitwise_or(i, 1.5); }, "\"bitwise_or_cpu\" not implemented for 'Float'", {i});
  expect_error([&] { f.bitwise_xor(i); }, "\"bitwise_xor_cpu\" not implemented for 'Float'", {f, i});
  expect_error([&] { torch::bitwise_not(f); }, "\"bitwise_not_cpu\" not implemented for 'Float'", {f});
  expect_error([&] { torch::bitwise_left_shift(f, 1); }, "\"lshift_cpu\" not implemented for 'Float'", {f});
  expect_error([&] { i.bitwise_right_shift(f); }, "\"rshift_cpu\" not implemented for 'Float'", {i, f});
  expect_error([&] { torch::bitwise_left_shift(b, b); }, "\"lshift_cpu\" not implemented for 'Bool'", {b});
  expect_error([&] { torch::gcd(f, f); }, "\"gcd_cpu\" not implemented for 'Float'", {f});
  expect_error([&] { torch::lcm(b, b); }, "\"lcm_cpu\" not implemented for 'Bool'", {b});
  expect_error([&] { torch::heaviside(f, torch::tensor({1.0}, torch::kDouble)); },
               "heaviside is not yet implemented for tensors with different dtypes.", {f});
  expect_error([&] { torch::nextafter(i, i); }, "\"nextafter_cpu\" not implemented for 'Long'", {i});
  expect_error([&] { torch::isclose(f, torch::tensor({1.0, 2.0}, torch::kDouble)); }, "Float did not match Double", {f});
  expect_error([&] { torch::isclose(f, f, -1); }, "rtol must be greater than or equal to zero, but got -1", {f});
  expect_error([&] { torch::isclose(f, f, 1e-5, -1); }, "atol must be greater than or equal to zero, but got -1", {f});
  expect_error([&] { torch::frexp(i); }, "torch.frexp() only supports floating-point dtypes", {i});
  expect_error([&] { torch::positive(b); }, "The `+` operator, on a bool tensor is not supported.", {b});
  expect_error([&] { torch::negative(b); }, "Negation, the `-` operator, on a bool tensor is not supported.", {b});
  expect_error([&] { torch::fmax(f, torch::ones({3})); }, "must match the size", {f});
  expect_error([&] { torch::bitwise_and(i, torch::ones({3}, torch::kLong)); }, "must match the size", {i});
}

}  // namespace
