// One LibTorch-style source, built against ember and against LibTorch by run.sh: the per-op cost
// of tiny tensors, with and without autograd. Prints microseconds per iteration, best of 5.
// The thread count is the first argument (default 1).
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"

int main(int argc, char** argv) {
  torch::set_num_threads(bench_threads(argc, argv));
  auto w = torch::tensor(0.5, torch::requires_grad());
  auto x = torch::tensor(2.0);
  auto z = torch::tensor(1.0);
  // The tiny-op workload: a scalar expression of four ops, forward and backward.
  double expr = best_us(100000, [&] { (w * w * 10 + 25).backward(); });
  double fwd_bwd = best_us(100000, [&] { (x * w).backward(); });
  double add = best_us(100000, [&] { z = z + x; });
  std::printf("scalar w*w*10+25 forward+backward  %.3f us\n", expr);
  std::printf("scalar mul forward+backward  %.3f us\n", fwd_bwd);
  std::printf("scalar add without autograd  %.3f us\n", add);
}
