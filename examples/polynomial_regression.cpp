// Fits y = 0.5 x - 1.2 x^2 + 0.8 x^3 + 0.3 x^4 + 0.1 with nn::Linear on the features
// (x, x^2, x^3, x^4), smooth_l1_loss and SGD, until the loss on a held-out batch is below 1e-3.
// The powers of x are strongly correlated on [-1, 1], so other coefficients can fit nearly as well.
#include <torch/torch.h>

#include <cstdio>

namespace {
const std::vector<double> kWeights = {0.5, -1.2, 0.8, 0.3};
const double kBias = 0.1;

// Rows (x, x^2, x^3, x^4) for a batch of x.
torch::Tensor features(const torch::Tensor& x) {
  return torch::cat({x, x.pow(2), x.pow(3), x.pow(4)}, 1);
}

std::pair<torch::Tensor, torch::Tensor> batch(int64_t size) {
  auto x = torch::rand({size, 1}) * 2 - 1;
  auto f = features(x);
  auto y = f.matmul(torch::tensor(kWeights, torch::kFloat).unsqueeze(1)) + kBias;
  return {f, y};
}
}  // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::Linear fc(4, 1);
  torch::optim::SGD optimizer(fc->parameters(), torch::optim::SGDOptions(0.1));
  auto [held_x, held_y] = batch(1000);
  double loss_value = 0;
  int64_t step = 0;
  for (step = 1; step <= 100000; ++step) {
    auto [x, y] = batch(32);
    optimizer.zero_grad();
    torch::smooth_l1_loss(fc(x), y).backward();
    optimizer.step();
    if (step % 100 != 0) continue;
    torch::NoGradGuard no_grad;
    loss_value = torch::smooth_l1_loss(fc(held_x), held_y).item<double>();
    if (loss_value < 1e-3) break;
  }
  std::printf("held-out loss %.6f after %lld batches\n", loss_value, static_cast<long long>(step));
  auto w = fc->weight.detach().reshape({-1});
  std::printf("learned: y = %+.2f x %+.2f x^2 %+.2f x^3 %+.2f x^4 %+.2f\n", w[0].item<double>(), w[1].item<double>(),
              w[2].item<double>(), w[3].item<double>(), fc->bias.item<double>());
  std::printf("actual:  y = %+.2f x %+.2f x^2 %+.2f x^3 %+.2f x^4 %+.2f\n", kWeights[0], kWeights[1], kWeights[2],
              kWeights[3], kBias);
  return loss_value < 1e-3 ? 0 : 1;
}
