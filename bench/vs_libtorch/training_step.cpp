// One LibTorch-style source, built against ember and against LibTorch by run.sh: a whole training
// step (forward, loss, backward, optimizer step) on random data: the MLP 784-256-128-10 with
// SGD and momentum at batch 1, 8, 64 and 256 (how the cost grows with the batch), and a small CNN
// with batch norm and Adam. Prints microseconds per step, best of 5. The thread count is the first
// argument (default 1).
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"

namespace {
struct CnnImpl : torch::nn::Module {
  CnnImpl()
      : conv1(torch::nn::Conv2dOptions(1, 8, 3).padding(1)),
        bn1(8),
        conv2(torch::nn::Conv2dOptions(8, 16, 3).padding(1)),
        fc(16 * 7 * 7, 10) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("fc", fc);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(bn1->forward(conv1->forward(x))), 2);  // 28 -> 14
    x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2);                // 14 -> 7
    return torch::log_softmax(fc->forward(x.flatten(1)), 1);
  }
  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::Linear fc;
};
TORCH_MODULE(Cnn);
}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(bench_threads(argc, argv));
  torch::manual_seed(0);

  torch::nn::Sequential mlp(torch::nn::Linear(784, 256), torch::nn::ReLU(), torch::nn::Linear(256, 128),
                            torch::nn::ReLU(), torch::nn::Linear(128, 10));
  torch::optim::SGD sgd(mlp->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  for (int64_t batch : {1, 8, 64, 256}) {
    auto x = torch::randn({batch, 784});
    auto y = torch::randint(0, 10, {batch}, torch::kLong);
    const int calls = batch == 1 ? 1000 : batch == 8 ? 500 : batch == 64 ? 200 : 50;
    double us = best_us(calls, [&] {
      sgd.zero_grad();
      auto loss = torch::nll_loss(torch::log_softmax(mlp->forward(x), 1), y);
      loss.backward();
      sgd.step();
    });
    std::printf("MLP 784-256-128-10 batch %d SGD step  %.3f us\n", static_cast<int>(batch), us);
  }

  Cnn cnn;
  torch::optim::Adam adam(cnn->parameters(), torch::optim::AdamOptions(1e-3));
  auto images = torch::randn({32, 1, 28, 28});
  auto labels = torch::randint(0, 10, {32}, torch::kLong);
  double cnn_us = best_us(20, [&] {
    adam.zero_grad();
    auto loss = torch::nll_loss(cnn->forward(images), labels);
    loss.backward();
    adam.step();
  });
  std::printf("CNN+BN 28x28 batch 32 Adam step  %.3f us\n", cnn_us);
}
