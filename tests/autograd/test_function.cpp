// Custom autograd functions (Function<T>) and the user-facing gradcheck.
#include <gtest/gtest.h>

#include "ember/ember.h"

using namespace ember;
using namespace ember::autograd;

namespace {
// y = x * k for a saved double k; dy/dx = k.
struct ScaleBy : public Function<ScaleBy> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
    ctx->saved_data["k"] = k;
    return x * k;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    return {g[0] * ctx->saved_data["k"].toDouble(), Tensor()};
  }
};

// y = x * w, saving both for backward.
struct MulFn : public Function<MulFn> {
  static Tensor forward(AutogradContext* ctx, Tensor x, Tensor w) {
    ctx->save_for_backward({x, w});
    return x * w;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    auto saved = ctx->get_saved_variables();
    return {g[0] * saved[1], g[0] * saved[0]};
  }
};
}  // namespace

TEST(Function, SavedDataAndGradient) {
  auto x = tensor({1., 2.}, requires_grad());
  auto y = ScaleBy::apply(x, 3.0);
  EXPECT_EQ(y.grad_fn()->name(), "torch::autograd::CppNode<(anonymous namespace)::ScaleBy>");
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({3., 3.})));
}

TEST(Function, SaveForBackwardAndNeedsInputGrad) {
  auto x = tensor({1., 2.}, requires_grad());
  auto w = tensor({3., 4.});
  auto y = MulFn::apply(x, w);
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({3., 4.})));
}

TEST(Function, SecondBackwardIsRejected) {
  auto x = tensor({1., 2.}, requires_grad());
  auto y = MulFn::apply(x, x).sum();
  y.backward();
  EXPECT_THROW(y.backward(), Error);
}

TEST(Gradcheck, PassesForCorrectAndFailsForWrongGradient) {
  auto x = tensor({0.5, 1.5, -0.7}, TensorOptions(kDouble).requires_grad(true));
  EXPECT_TRUE(gradcheck([](const variable_list& in) { return (in[0] * in[0]).sin(); }, {x}));
  struct Wrong : public Function<Wrong> {
    static Tensor forward(AutogradContext*, Tensor x) { return x * x; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
  };
  EXPECT_FALSE(gradcheck([](const variable_list& in) { return Wrong::apply(in[0]); }, {x}, 1e-6, 1e-5, 1e-3, false));
  EXPECT_THROW(gradcheck([](const variable_list& in) { return Wrong::apply(in[0]); }, {x}), Error);
}

TEST(Gradcheck, SecondDerivativeThroughASavedOutput) {
  // exp saves its output; the second derivative needs that output back in the graph.
  auto x = tensor({0.3, -0.2}, TensorOptions(kDouble).requires_grad(true));
  EXPECT_TRUE(gradgradcheck([](const variable_list& in) { return in[0].exp(); }, {x}));
  auto g = autograd::grad({x.exp().sum()}, {x}, {}, std::nullopt, true)[0];
  EXPECT_TRUE(g.requires_grad());
}

TEST(Gradcheck, DetachedOutputWithNonzeroJacobianFails) {
  auto x = tensor({0.3, -0.2}, TensorOptions(kDouble).requires_grad(true));
  EXPECT_FALSE(gradcheck([](const variable_list& in) { return in[0].detach() * 2; }, {x}, 1e-6, 1e-5, 1e-3, false));
}

namespace {
// Returns (sorted values, argsort indices); the indices are not differentiable.
struct SortWithIndex : public Function<SortWithIndex> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    auto [v, i] = x.sort();
    ctx->mark_non_differentiable({i});
    ctx->save_for_backward({i});
    ctx->saved_data["n"] = x.numel();
    ctx->saved_data["first_needed"] = ctx->needs_input_grad(0);
    return {v, i};
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    auto idx = ctx->get_saved_variables()[0];
    EXPECT_EQ(ctx->saved_data["n"].toInt(), 3);
    EXPECT_TRUE(ctx->saved_data["first_needed"].toBool());
    return {zeros({ctx->saved_data["n"].toInt()}).scatter(0, idx, g[0])};
  }
};
}  // namespace

TEST(Function, MultipleOutputsAndNonDifferentiable) {
  auto x = tensor({3., 1., 2.}, requires_grad());
  auto out = SortWithIndex::apply(x);
  EXPECT_TRUE(out[0].requires_grad());
  EXPECT_FALSE(out[1].requires_grad());
  (out[0] * tensor({1., 10., 100.})).sum().backward();
  EXPECT_TRUE(x.grad().equal(tensor({100., 1., 10.})));
}

TEST(GradMode, GuardsNest) {
  auto x = tensor(1.0, requires_grad());
  {
    AutoGradMode off(false);
    EXPECT_FALSE((x * 2).requires_grad());
    {
      AutoGradMode on(true);
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE(GradMode::is_enabled());
  }
  {
    InferenceMode guard;
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE((x * 2).requires_grad());
}
