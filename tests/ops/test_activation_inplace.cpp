// ATen's in-place activation functions (torch::relu_, torch::elu_, ...): each writes the
// out-of-place op's values into its argument, returns it, and differentiates as the op does.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "expect_error.h"

namespace {

using torch::Tensor;

struct Case {
  std::string name;
  std::function<Tensor&(Tensor&)> inplace;
  std::function<Tensor(const Tensor&)> op;
};

std::vector<Case> cases() {
  return {
      {"relu_", [](Tensor& x) -> Tensor& { return torch::relu_(x); }, [](const Tensor& x) { return torch::relu(x); }},
      {"relu6_", [](Tensor& x) -> Tensor& { return torch::relu6_(x); }, [](const Tensor& x) { return torch::relu6(x); }},
      {"elu_", [](Tensor& x) -> Tensor& { return torch::elu_(x, 0.7); }, [](const Tensor& x) { return torch::elu(x, 0.7); }},
      // ATen's general form: scale * x above 0, scale * alpha * (exp(input_scale * x) - 1) below.
      {"elu_scaled", [](Tensor& x) -> Tensor& { return torch::elu_(x, 0.7, 1.5, 2.0); },
       [](const Tensor& x) { return torch::where(x > 0, x * 1.5, torch::expm1(x * 2.0) * (0.7 * 1.5)); }},
      {"celu_", [](Tensor& x) -> Tensor& { return torch::celu_(x, 0.5); }, [](const Tensor& x) { return torch::celu(x, 0.5); }},
      {"selu_", [](Tensor& x) -> Tensor& { return torch::selu_(x); }, [](const Tensor& x) { return torch::selu(x); }},
      {"silu_", [](Tensor& x) -> Tensor& { return torch::silu_(x); }, [](const Tensor& x) { return torch::silu(x); }},
      {"gelu_", [](Tensor& x) -> Tensor& { return torch::gelu_(x, "tanh"); },
       [](const Tensor& x) { return torch::gelu(x, "tanh"); }},
      {"mish_", [](Tensor& x) -> Tensor& { return torch::mish_(x); }, [](const Tensor& x) { return torch::mish(x); }},
      {"hardsigmoid_", [](Tensor& x) -> Tensor& { return torch::hardsigmoid_(x); },
       [](const Tensor& x) { return torch::hardsigmoid(x); }},
      {"hardswish_", [](Tensor& x) -> Tensor& { return torch::hardswish_(x); },
       [](const Tensor& x) { return torch::hardswish(x); }},
      {"hardtanh_", [](Tensor& x) -> Tensor& { return torch::hardtanh_(x, -0.5, 2.0); },
       [](const Tensor& x) { return torch::hardtanh(x, -0.5, 2.0); }},
      {"leaky_relu_", [](Tensor& x) -> Tensor& { return torch::leaky_relu_(x, 0.2); },
       [](const Tensor& x) { return torch::leaky_relu(x, 0.2); }},
      {"threshold_", [](Tensor& x) -> Tensor& { return torch::threshold_(x, 0.25, -3.0); },
       [](const Tensor& x) { return torch::threshold(x, 0.25, -3.0); }},
  };
}

Tensor inputs() { return torch::linspace(-4, 4, 17, torch::kDouble); }

TEST(ActivationInplace, WritesTheOpsValuesAndReturnsItsArgument) {
  for (const auto& c : cases()) {
    Tensor x = inputs();
    Tensor& r = c.inplace(x);
    EXPECT_EQ(&r, &x) << c.name;
    EXPECT_TRUE(torch::allclose(x, c.op(inputs()), 1e-12, 1e-12)) << c.name << ": " << x;
  }
}

// Through a non-leaf, the gradient is the out-of-place op's, even for ops whose backward reads the
// input that the write replaced.
TEST(ActivationInplace, GradientEqualsTheOutOfPlaceOps) {
  for (const auto& c : cases()) {
    Tensor a = inputs().requires_grad_(true);
    Tensor y = a * 1.0;
    c.inplace(y);
    (y * torch::arange(17, torch::kDouble)).sum().backward();
    Tensor b = inputs().requires_grad_(true);
    (c.op(b) * torch::arange(17, torch::kDouble)).sum().backward();
    EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-12, 1e-12)) << c.name << ": " << a.grad() << " vs " << b.grad();
  }
}

TEST(ActivationInplace, RefusesALeafThatRequiresGradAndAnIntegerTensor) {
  for (const auto& c : cases()) {
    Tensor leaf = inputs().requires_grad_(true);
    expect_error([&] { c.inplace(leaf); }, "a leaf Variable that requires grad is being used in an in-place operation.",
                 {leaf});
  }
  Tensor ints = torch::arange(-3, 3);
  // As the out-of-place op (PyTorch's message), and the tensor is left as it was.
  expect_error([&] { torch::selu_(ints); }, "\"elu_cpu\" not implemented for 'Long'", {ints});
}

}  // namespace
