// One LibTorch-style source, built against ember and against LibTorch by run.sh: CNN training steps
// at batch 64 (forward, loss, backward, SGD), and the conv/pool ops alone. Prints microseconds per
// call, best of 5. The thread count is the first argument (default 1).
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>

#include "best_us.h"
#include "net.h"

namespace {
// The Fashion-MNIST trainer's CNN (examples/fashion_mnist.cpp), without dropout.
struct TrainerNetImpl : torch::nn::Module {
  TrainerNetImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3).padding(1)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1)))),
        fc1(register_module("fc1", torch::nn::Linear(32 * 7 * 7, 64))),
        fc2(register_module("fc2", torch::nn::Linear(64, 10))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(conv1->forward(x)), 2);
    x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2);
    x = torch::relu(fc1->forward(x.flatten(1)));
    return torch::log_softmax(fc2->forward(x), 1);
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(TrainerNet);

template <typename M>
double step_us(M& model, const torch::Tensor& x, const torch::Tensor& y, int n) {
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  return best_us(n, [&] {
    sgd.zero_grad();
    auto loss = torch::nll_loss(model->forward(x), y);
    loss.backward();
    sgd.step();
  });
}
}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 1);
  torch::manual_seed(0);
  auto x = torch::randn({64, 1, 28, 28});
  auto y = torch::randint(0, 10, {64}, torch::kLong);
  Net net;
  TrainerNet trainer_net;
  std::printf("CNN step batch 64 (conv k5 x2, SGD)  %.3f us\n", step_us(net, x, y, 20));
  std::printf("trainer CNN step batch 64            %.3f us\n", step_us(trainer_net, x, y, 20));

  auto w = torch::randn({16, 1, 3, 3}, torch::requires_grad());
  auto a = torch::randn({64, 16, 14, 14}, torch::requires_grad());
  auto w2 = torch::randn({32, 16, 3, 3}, torch::requires_grad());
  std::printf("conv2d 1->16 k3 28x28 forward        %.3f us\n",
              best_us(50, [&] { torch::NoGradGuard g; torch::conv2d(x, w, {}, 1, 1); }));
  std::printf("conv2d 16->32 k3 14x14 fwd+bwd       %.3f us\n",
              best_us(20, [&] { torch::conv2d(a, w2, {}, 1, 1).sum().backward(); }));
  auto p = torch::randn({64, 16, 28, 28}, torch::requires_grad());
  std::printf("max_pool2d 2 of 64x16x28x28 fwd+bwd  %.3f us\n",
              best_us(50, [&] { torch::max_pool2d(p, 2).sum().backward(); }));
}
