// One LibTorch-style source, built against ember and against LibTorch by run.sh: the elementwise
// chain sigmoid(a * b + a) and single ops over 2^20 floats. Prints microseconds per call, best of 5.
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"

int main() {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  const int64_t n = int64_t(1) << 20;
  auto a = torch::randn({n});
  auto b = torch::randn({n});
  auto x = torch::randn({1024, 1024});
  torch::Tensor r;
  std::printf("chain sigmoid(a*b+a) 2^20  %.3f us\n", best_us(50, [&] { r = torch::sigmoid(a * b + a); }));
  std::printf("mul 2^20  %.3f us\n", best_us(50, [&] { r = a * b; }));
  std::printf("add 2^20  %.3f us\n", best_us(50, [&] { r = a + b; }));
  std::printf("mul scalar 2^20  %.3f us\n", best_us(50, [&] { r = a * 0.5; }));
  std::printf("exp 2^20  %.3f us\n", best_us(50, [&] { r = torch::exp(a); }));
  std::printf("log 2^20  %.3f us\n", best_us(50, [&] { r = torch::log(b); }));
  std::printf("tanh 2^20  %.3f us\n", best_us(50, [&] { r = torch::tanh(a); }));
  std::printf("sigmoid 2^20  %.3f us\n", best_us(50, [&] { r = torch::sigmoid(a); }));
  std::printf("relu 2^20  %.3f us\n", best_us(50, [&] { r = torch::relu(a); }));
  std::printf("gelu 2^20  %.3f us\n", best_us(50, [&] { r = torch::gelu(a); }));
  std::printf("gelu tanh 2^20  %.3f us\n", best_us(50, [&] { r = torch::gelu(a, "tanh"); }));
  std::printf("silu 2^20  %.3f us\n", best_us(50, [&] { r = torch::silu(a); }));
  std::printf("softmax 1024x1024 dim 1  %.3f us\n", best_us(50, [&] { r = torch::softmax(x, 1); }));
  std::printf("log_softmax 1024x1024 dim 1  %.3f us\n", best_us(50, [&] { r = torch::log_softmax(x, 1); }));
}
