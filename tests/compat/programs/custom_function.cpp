// Custom autograd functions from LibTorch's autograd documentation: LinearFunction (with an
// optional bias) and MulConstant (a non-tensor argument), used in a small optimisation loop.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

using namespace torch::autograd;

class LinearFunction : public Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias = torch::Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) {
      output += bias.unsqueeze(0).expand_as(output);
    }
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];

    auto grad_output = grad_outputs[0];
    auto grad_input = grad_output.mm(weight);
    auto grad_weight = grad_output.t().mm(input);
    auto grad_bias = torch::Tensor();
    if (bias.defined()) {
      grad_bias = grad_output.sum(0);
    }
    return {grad_input, grad_weight, grad_bias};
  }
};

class MulConstant : public Function<MulConstant> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), torch::Tensor()};
  }
};

static void print(const char* name, const torch::Tensor& t) {
  std::printf("%s:", name);
  auto c = t.to(torch::kDouble).contiguous();
  for (int64_t i = 0; i < c.numel(); ++i) std::printf(" %.5f", c.data_ptr<double>()[i]);
  std::printf("\n");
}

int main() {
  auto x = torch::linspace(-1, 1, 6).reshape({2, 3}).requires_grad_();
  auto weight = torch::linspace(0.1, 1.2, 12).reshape({4, 3}).requires_grad_();
  auto y = LinearFunction::apply(x, weight);
  y.sum().backward();
  print("x.grad", x.grad());
  print("weight.grad", weight.grad());

  auto a = torch::tensor({1.0, 2.0, 3.0}, torch::requires_grad());
  auto b = MulConstant::apply(a, 5.5);
  b.sum().backward();
  print("a.grad", a.grad());

  // Fit weight and bias through the custom function.
  auto w = torch::zeros({1, 3}, torch::requires_grad());
  auto bias = torch::zeros({1}, torch::requires_grad());
  auto inputs = torch::linspace(-1, 1, 24).reshape({8, 3});
  auto targets = inputs.matmul(torch::tensor({{0.5}, {-1.0}, {2.0}})) + 0.25;
  torch::optim::SGD sgd({w, bias}, torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 100; ++step) {
    sgd.zero_grad();
    auto loss = (MulConstant::apply(LinearFunction::apply(inputs, w, bias), 1.0) - targets).pow(2).mean();
    loss.backward();
    sgd.step();
    if (step % 25 == 0) std::printf("step %d loss %.6f\n", step, loss.item<double>());
  }
  print("w", w);
  print("bias", bias);
  std::cout << "grad_fn: " << (LinearFunction::apply(inputs, w, bias).grad_fn() != nullptr) << "\n";
}
