// One LibTorch-style source, built against ember and against LibTorch by run.sh: single-precision
// matrix products of contiguous square matrices (torch::mm), 512 and 1024. Prints microseconds per
// product, best of 5, and the same as GFLOP/s (2 n^3 flops per product). The thread count is the
// first argument (default 1).
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"

int main(int argc, char** argv) {
  torch::set_num_threads(bench_threads(argc, argv));
  torch::manual_seed(0);
  for (int64_t n : {512, 1024}) {
    auto a = torch::randn({n, n});
    auto b = torch::randn({n, n});
    torch::Tensor c;
    const double us = best_us(n == 512 ? 40 : 10, [&] { c = torch::mm(a, b); });
    const double gflops = 2.0 * n * n * n / (us * 1e3);
    std::printf("SGEMM %d time  %.3f us\n", static_cast<int>(n), us);
    std::printf("SGEMM %d throughput  %.3f GFLOP/s\n", static_cast<int>(n), gflops);
  }
}
