// An MNIST-style MLP trained with SGD, as in the PyTorch C++ frontend tutorial, on random "images"
// (the same draws in both libraries: ember's generator is PyTorch's mt19937 stream).
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

struct Net : torch::nn::Module {
  Net() {
    fc1 = register_module("fc1", torch::nn::Linear(784, 64));
    fc2 = register_module("fc2", torch::nn::Linear(64, 32));
    fc3 = register_module("fc3", torch::nn::Linear(32, 10));
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(fc1->forward(x.reshape({x.size(0), 784})));
    x = torch::dropout(x, /*p=*/0.5, /*train=*/is_training());
    x = torch::relu(fc2->forward(x));
    x = torch::log_softmax(fc3->forward(x), /*dim=*/1);
    return x;
  }

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};

int main() {
  torch::manual_seed(1);
  auto net = std::make_shared<Net>();
  auto images = torch::rand({128, 1, 28, 28});
  auto labels = torch::randint(0, 10, {128});

  torch::optim::SGD optimizer(net->parameters(), /*lr=*/0.01);
  for (size_t epoch = 1; epoch <= 5; ++epoch) {
    double epoch_loss = 0;
    for (int64_t start = 0; start < images.size(0); start += 32) {
      auto data = images.narrow(0, start, 32);
      auto target = labels.narrow(0, start, 32);
      optimizer.zero_grad();
      torch::Tensor prediction = net->forward(data);
      torch::Tensor loss = torch::nll_loss(prediction, target);
      loss.backward();
      optimizer.step();
      epoch_loss += loss.item<double>();
    }
    std::printf("Epoch: %zu | Loss: %.4f\n", epoch, epoch_loss / 4);
  }

  net->eval();
  torch::NoGradGuard no_grad;
  auto predicted = net->forward(images).argmax(1);
  std::printf("accuracy on the training set: %.4f\n", predicted.eq(labels).to(torch::kDouble).mean().item<double>());
  std::cout << "parameters: " << net->parameters().size() << "\n";
}
