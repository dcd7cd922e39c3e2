// A custom module as LibTorch's docs write one: TORCH_MODULE holder, submodules, a parameter and a
// buffer registered by hand, printing, named_parameters/buffers, training with Adam, eval.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

struct TwoLayerNetImpl : torch::nn::Module {
  TwoLayerNetImpl(int64_t in, int64_t hidden, int64_t out)
      : linear1(register_module("linear1", torch::nn::Linear(in, hidden))),
        linear2(register_module("linear2", torch::nn::Linear(hidden, out))) {
    scale = register_parameter("scale", torch::ones({1}));
    calls = register_buffer("calls", torch::zeros({1}, torch::kLong));
  }

  torch::Tensor forward(torch::Tensor x) {
    calls += 1;
    return linear2(torch::tanh(linear1(x))) * scale;
  }

  torch::nn::Linear linear1, linear2;
  torch::Tensor scale, calls;
};
TORCH_MODULE(TwoLayerNet);

int main() {
  TwoLayerNet net(1, 8, 1);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.copy_(torch::linspace(-0.3, 0.6, p.numel()).reshape(p.sizes()));
  }
  std::cout << net << "\n";
  for (const auto& pair : net->named_parameters()) std::cout << pair.key() << " " << pair.value().sizes() << "\n";
  for (const auto& pair : net->named_buffers()) std::cout << pair.key() << " " << pair.value().sizes() << "\n";

  // Fit y = x^3 - x on [-1, 1].
  auto x = torch::linspace(-1, 1, 32).unsqueeze(1);
  auto y = x.pow(3) - x;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(0.01));
  for (int epoch = 0; epoch <= 100; ++epoch) {
    optimizer.zero_grad();
    auto loss = torch::mse_loss(net->forward(x), y);
    loss.backward();
    optimizer.step();
    if (epoch % 25 == 0) std::printf("epoch %3d loss %.5f\n", epoch, loss.item<double>());
  }
  std::cout << "calls " << net->calls.item<int64_t>() << "\n";

  net->eval();
  torch::NoGradGuard no_grad;
  std::printf("training: %d, parameters: %zu\n", net->is_training(), net->parameters().size());
  std::printf("prediction at 0.5: %.4f (target %.4f)\n", net->forward(torch::full({1, 1}, 0.5)).item<double>(),
              0.5 * 0.5 * 0.5 - 0.5);
}
