// The Fashion-MNIST trainer, data-parallel: one process per rank under mpirun, each training on its
// shard of every epoch (DistributedRandomSampler) with DistributedDataParallel averaging gradients
// over ProcessGroupMPI. --batch-size is the global batch, split evenly over the ranks, so a run on N
// ranks takes the same steps as the single-process trainer. Rank 0 prints progress and writes
// metrics.csv, curves.svg and checkpoint.pt (the same dict checkpoint as fashion_mnist, so either
// program resumes the other's). Any failure (a collective timing out because a rank died or hangs)
// ends every rank with a non-zero exit.
//
//   mpirun -np 2 build/examples/fashion_mnist_ddp --epochs 3
#include <sys/resource.h>
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ember/distributed/distributed_data_parallel.h"
#include "fashion_mnist_common.h"

namespace fs = std::filesystem;
using namespace fashion_mnist;

namespace {

struct Options : TrainOptions {
  int64_t limit = 0;  // 0: every example; otherwise the first `limit` training and test examples
  double timeout = 1800;  // seconds a collective may wait for the other ranks
  double bucket_cap_mb = 25;
  // Fault injection for the test: this rank exits (or stops responding) at this epoch and batch.
  int fault_rank = -1, fault_epoch = 1;
  int64_t fault_batch = 1;
  std::string fault_mode = "exit";
};

template <typename Model>
int run(const Options& o, Model model, const c10::intrusive_ptr<c10d::ProcessGroupMPI>& pg) {
  const int rank = pg->getRank(), world = pg->getSize();
  const bool lead = rank == 0;
  TORCH_CHECK(o.batch_size % world == 0, "--batch-size (", o.batch_size, ") must be divisible by the number of ranks (",
              world, "): it is the global batch, split evenly");
  const int64_t local_batch = o.batch_size / world;
  const int epochs = o.epochs > 0 ? o.epochs : (o.model == "cnn" ? 3 : 8);
  const bool one_cycle = o.model == "cnn";
  const double lr = o.lr > 0 ? o.lr : (one_cycle ? 4e-3 : 1e-3);
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (o.optimizer == "adam")
    optimizer = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(lr));
  else
    optimizer = std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(lr).momentum(0.9));

  const fs::path csv = fs::path(o.out) / "metrics.csv", checkpoint = fs::path(o.out) / "checkpoint.pt";
  if (lead) fs::create_directories(o.out);
  std::vector<EpochMetrics> rows;
  int first_epoch = 1;
  if (o.resume) {
    // Every rank reads the checkpoint (on several machines --out must be on a shared file system),
    // so the optimizer state too is the same everywhere.
    const auto ck = ember::serialize::load_ivalue(checkpoint.string()).toGenericDict();
    ember::serialize::load_state_dict(*model, ck.at("model"), true, checkpoint.string());
    ember::serialize::load_optimizer_state_dict(*optimizer, ck.at("optimizer"), checkpoint.string());
    const int done = static_cast<int>(ck.at("epoch").toInt());
    if (lead) {
      for (const auto& m : read_metrics(csv))
        if (m.epoch <= done) rows.push_back(m);
      std::printf("resuming from %s after epoch %d\n", checkpoint.string().c_str(), done);
    }
    first_epoch = done + 1;
  }
  // Every rank starts from rank 0's parameters and buffers.
  ember::distributed::DistributedDataParallel ddp(
      model, pg, ember::distributed::DistributedDataParallelOptions().bucket_cap_mb(o.bucket_cap_mb));

  auto train_set = torch::data::datasets::MNIST(o.data, torch::data::datasets::MNIST::Mode::kTrain);
  auto test_set = torch::data::datasets::MNIST(o.data, torch::data::datasets::MNIST::Mode::kTest);
  torch::Tensor test_images = (test_set.images() - kMean) / kStd, test_targets = test_set.targets();
  int64_t n = static_cast<int64_t>(*train_set.size());
  if (o.limit > 0) {
    n = std::min(n, o.limit);
    const int64_t t = std::min(test_images.size(0), o.limit);
    test_images = test_images.slice(0, 0, t);
    test_targets = test_targets.slice(0, 0, t);
  }
  auto dataset = std::move(train_set)
                     .map(torch::data::transforms::Normalize<>(kMean, kStd))
                     .map(torch::data::transforms::Stack<>());
  // Each rank's shard: n / world examples (padded from the start when n does not divide).
  const int64_t shard = (n + world - 1) / world;
  const int64_t batches = (shard + local_batch - 1) / local_batch;
  if (lead)
    std::printf("%s model, %s lr %g, batch %lld (%lld per rank), %d ranks, %lld training and %lld test images, %d threads per rank\n",
                o.model.c_str(), o.optimizer.c_str(), lr, static_cast<long long>(o.batch_size),
                static_cast<long long>(local_batch), world, static_cast<long long>(n),
                static_cast<long long>(test_images.size(0)), static_cast<int>(torch::get_num_threads()));

  std::unique_ptr<ember::optim::OneCycleLR> schedule;
  if (one_cycle) {
    schedule = std::make_unique<ember::optim::OneCycleLR>(
        *optimizer, ember::optim::OneCycleLROptions(lr).total_steps(static_cast<int64_t>(epochs) * batches));
    for (int64_t i = 0; i < static_cast<int64_t>(std::min(first_epoch - 1, epochs)) * batches; ++i) schedule->step();
  }

  Evaluation last{};
  for (int epoch = first_epoch; epoch <= epochs; ++epoch) {
    // The shuffle depends on (seed, epoch) alone, the same on every rank; dropout differs per rank.
    torch::manual_seed(o.seed * 1000003 + static_cast<uint64_t>(epoch) * 7919 + static_cast<uint64_t>(rank));
    torch::data::samplers::DistributedRandomSampler sampler(static_cast<size_t>(n), static_cast<size_t>(world),
                                                            static_cast<size_t>(rank));
    sampler.set_epoch(static_cast<size_t>(o.seed * 1000 + static_cast<uint64_t>(epoch)));
    auto loader = torch::data::make_data_loader(
        dataset, std::move(sampler), torch::data::DataLoaderOptions().batch_size(static_cast<size_t>(local_batch)));
    Progress progress(epoch, epochs, batches);
    model->train();
    double loss_sum = 0;
    int64_t seen = 0, batch_index = 0;
    for (auto& batch : *loader) {
      if (rank == o.fault_rank && epoch == o.fault_epoch && batch_index + 1 == o.fault_batch) {
        std::fprintf(stderr, "fashion_mnist_ddp: rank %d: simulated fault (%s) at epoch %d batch %lld\n", rank,
                     o.fault_mode.c_str(), epoch, static_cast<long long>(o.fault_batch));
        if (o.fault_mode == "exit") std::_Exit(3);
        std::this_thread::sleep_for(std::chrono::duration<double>(o.timeout * 10));  // hang: never join again
        std::_Exit(3);
      }
      optimizer->zero_grad();
      auto loss = torch::cross_entropy_loss(ddp.forward(batch.data), batch.target);
      loss.backward();  // returns with the gradients averaged over the ranks
      optimizer->step();
      if (schedule) schedule->step();
      const int64_t b = batch.data.size(0);
      loss_sum += loss.template item<double>() * static_cast<double>(b);
      seen += b;
      ++batch_index;
      // The progress line shows rank 0's running loss and the samples/s of all ranks together.
      if (lead) progress.update(batch_index, seen * world, loss_sum / static_cast<double>(seen));
    }
    const double train_seconds = progress.seconds();
    // The epoch's training loss over every rank's examples.
    std::vector<torch::Tensor> totals{torch::tensor({loss_sum, static_cast<double>(seen)}, torch::kDouble)};
    pg->allreduce(totals)->wait();
    const double train_loss = totals[0][0].item<double>() / totals[0][1].item<double>();
    if (lead) {
      last = evaluate(model, test_images, test_targets);
      rows.push_back({epoch, train_loss, last.loss, last.accuracy, train_seconds});
      std::printf("epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1fs  %.0f samples/s\n", epoch,
                  epochs, train_loss, last.loss, 100 * last.accuracy, train_seconds,
                  totals[0][1].item<double>() / std::max(train_seconds, 1e-9));
      std::fflush(stdout);
      ember::GenericDict ck;
      ck.insert("epoch", int64_t(epoch));
      ck.insert("model", ember::serialize::state_dict(*model));
      ck.insert("optimizer", ember::serialize::optimizer_state_dict(*optimizer));
      ember::serialize::save_ivalue(ck, checkpoint.string());  // atomic: a fault leaves the previous one
      write_metrics(csv, rows);
      write_curves(fs::path(o.out) / "curves.svg", rows);
    }
  }
  if (lead) {
    if (first_epoch > epochs) last = evaluate(model, test_images, test_targets);
    print_confusion(last.confusion);
    std::printf("test accuracy %.2f%%\n", 100 * last.accuracy);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
    std::printf("wall time %.1f s, peak RSS of rank 0 %.1f MiB\n", wall, static_cast<double>(usage.ru_maxrss) / 1024.0);
  }
  // Nobody leaves while rank 0 still evaluates or writes.
  pg->barrier()->wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.out = "fashion_mnist_ddp_out";
  CLI::App app{"Train an MLP or a CNN on Fashion-MNIST, data-parallel over MPI ranks (run under mpirun)"};
  add_train_options(app, o,
                    {"examples per step over all ranks (split evenly)",
                     "threads per rank (default: this machine's cores divided among its ranks)",
                     "folder for checkpoints, metrics.csv and curves.svg (written by rank 0)"});
  app.add_option("--limit", o.limit, "train and test on the first N examples only (0: all)")->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", o.timeout, "seconds a collective waits for the other ranks before failing")->check(CLI::PositiveNumber);
  app.add_option("--bucket-cap-mb", o.bucket_cap_mb, "gradient bucket size in MiB")->check(CLI::PositiveNumber);
  app.add_option("--fault-rank", o.fault_rank, "testing: the rank that fails");
  app.add_option("--fault-epoch", o.fault_epoch, "testing: the epoch it fails in");
  app.add_option("--fault-batch", o.fault_batch, "testing: the batch it fails at (1-based)");
  app.add_option("--fault-mode", o.fault_mode, "testing: exit (the process ends) or hang (it stops responding)")
      ->check(CLI::IsMember({"exit", "hang"}));
  CLI11_PARSE(app, argc, argv);
  c10::intrusive_ptr<c10d::ProcessGroupMPI> pg;
  try {
    pg = c10d::ProcessGroupMPI::createProcessGroupMPI(
        {}, std::chrono::milliseconds(static_cast<int64_t>(o.timeout * 1000)));
    int threads = o.threads;
    if (threads == 0) {
      // mpirun says how many ranks share this machine.
      const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
      const int local_ranks = local ? std::max(1, std::atoi(local)) : pg->getSize();
      threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / local_ranks);
    }
    torch::set_num_threads(threads);
    torch::manual_seed(o.seed);
    if (o.model == "cnn") return run(o, Cnn(), pg);
    return run(o, Mlp(), pg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist_ddp: rank %d: %s\n", pg ? pg->getRank() : -1, e.what());
    std::fflush(stderr);
    // The other ranks may be waiting in a collective this rank will never join: end them all.
    if (pg) pg->abort();
    return 1;
  }
}
