// One LibTorch-style source, built against ember and against LibTorch by run.sh: the per-op cost
// of tiny tensors, with and without autograd. Prints microseconds per iteration, best of 5.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {
template <typename F>
double best_us(int n, const F& body) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) body();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::micro>(t1 - t0).count() / n);
  }
  return best;
}
}  // namespace

int main() {
  torch::set_num_threads(1);
  auto w = torch::tensor(0.5, torch::requires_grad());
  auto x = torch::tensor(2.0);
  auto z = torch::tensor(1.0);
  double fwd_bwd = best_us(100000, [&] { (x * w).backward(); });
  double add = best_us(100000, [&] { z = z + x; });
  std::printf("scalar mul forward+backward  %.3f us\n", fwd_bwd);
  std::printf("scalar add without autograd  %.3f us\n", add);
}
