// One LibTorch-style source, built against ember and against LibTorch by run.sh: the elementwise
// chain sigmoid(a * b + a) and the table of single ops, each over 2^20 floats (matrices of
// 1024 x 1024, images of 16 x 16 x 64 x 64). Prints microseconds per call, best of 5. The thread
// count is the first argument (default 1).
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"

int main(int argc, char** argv) {
  torch::set_num_threads(bench_threads(argc, argv));
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
  std::printf("sum 2^20  %.3f us\n", best_us(50, [&] { r = a.sum(); }));

  // layer_norm over the last dim of 1024 rows, with an affine weight and bias.
  auto ln_w = torch::ones({1024}, torch::requires_grad());
  auto ln_b = torch::zeros({1024}, torch::requires_grad());
  std::printf("layer_norm 1024x1024 forward  %.3f us\n", best_us(50, [&] {
                torch::NoGradGuard no_grad;
                r = torch::layer_norm(x, {1024}, ln_w, ln_b);
              }));
  auto xg = x.clone().requires_grad_(true);
  auto g = torch::randn({1024, 1024});
  std::printf("layer_norm 1024x1024 fwd+bwd  %.3f us\n",
              best_us(20, [&] { torch::layer_norm(xg, {1024}, ln_w, ln_b).backward(g); }));

  // Pooling and convolution over 16 images of 16 channels, 64 x 64.
  auto img = torch::randn({16, 16, 64, 64});
  std::printf("max_pool2d 2 16x16x64x64 forward  %.3f us\n", best_us(50, [&] {
                torch::NoGradGuard no_grad;
                r = torch::max_pool2d(img, 2);
              }));
  auto img_g = img.clone().requires_grad_(true);
  auto pool_g = torch::randn({16, 16, 32, 32});
  std::printf("max_pool2d 2 16x16x64x64 fwd+bwd  %.3f us\n",
              best_us(20, [&] { torch::max_pool2d(img_g, 2).backward(pool_g); }));
  auto w = torch::randn({16, 16, 3, 3}, torch::requires_grad());
  auto conv_g = torch::randn({16, 16, 64, 64});
  std::printf("conv2d 16->16 k3 16x16x64x64 forward  %.3f us\n", best_us(5, [&] {
                torch::NoGradGuard no_grad;
                r = torch::conv2d(img, w, {}, 1, 1);
              }));
  std::printf("conv2d 16->16 k3 16x16x64x64 fwd+bwd  %.3f us\n",
              best_us(3, [&] { torch::conv2d(img_g, w, {}, 1, 1).backward(conv_g); }));
}
