// One LibTorch-style source, built against ember and against LibTorch by run.sh: one training epoch
// of the CNN over Fashion-MNIST's 60,000 training images (batch 64, SGD lr 0.01 momentum
// 0.5), read through torch::data::datasets::MNIST and a data loader. Prints the epoch's seconds
// (loading the files not included), and the process's peak resident memory.
// Usage: mnist_epoch THREADS DATA_DIR. DATA_DIR holds the four IDX files, uncompressed for LibTorch
// (ember also reads the .gz files). With BENCH_SHORT=1, only the first 50 batches are run.
#include <sys/resource.h>
#include <torch/torch.h>

#include <cstdio>

#include "best_us.h"
#include "net.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s THREADS DATA_DIR\n", argv[0]);
    return 2;
  }
  torch::set_num_threads(bench_threads(argc, argv));
  torch::manual_seed(0);
  auto dataset = torch::data::datasets::MNIST(argv[2])
                     .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                     .map(torch::data::transforms::Stack<>());
  auto loader = torch::data::make_data_loader(std::move(dataset), 64);

  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  const int64_t max_batches = bench_short() ? 50 : -1;
  int64_t batches = 0;
  double loss_sum = 0;
  const double t0 = bench_now_us();
  for (auto& batch : *loader) {
    sgd.zero_grad();
    auto loss = torch::nll_loss(model->forward(batch.data), batch.target);
    loss.backward();
    sgd.step();
    loss_sum += loss.item<double>();
    if (++batches == max_batches) break;
  }
  const double seconds = (bench_now_us() - t0) * 1e-6;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::fprintf(stderr, "%lld batches, mean loss %.4f\n", static_cast<long long>(batches), loss_sum / batches);
  std::printf("Fashion-MNIST CNN epoch batch 64 SGD  %.3f s\n", seconds);
  std::printf("Fashion-MNIST CNN epoch peak RSS  %.1f MiB\n", usage.ru_maxrss / 1024.0);
}
