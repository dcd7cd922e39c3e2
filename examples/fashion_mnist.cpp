// The main job: trains an MLP or a CNN on Fashion-MNIST with a progress bar, per-epoch test
// metrics, checkpoints that --resume continues exactly, metrics.csv, curves.svg and a confusion matrix.
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>
#include <vector>

#include "fashion_mnist_common.h"

namespace fs = std::filesystem;
using namespace fashion_mnist;

namespace {

using Options = TrainOptions;

template <typename Model>
int run(const Options& o, Model model) {
  const int epochs = o.epochs > 0 ? o.epochs : (o.model == "cnn" ? 3 : 8);
  // The CNN trains on a one-cycle schedule (warm up to lr, then anneal) over all its epochs; the MLP
  // at a constant rate.
  const bool one_cycle = o.model == "cnn";
  const double lr = o.lr > 0 ? o.lr : (one_cycle ? 4e-3 : 1e-3);
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (o.optimizer == "adam")
    optimizer = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(lr));
  else
    optimizer = std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(lr).momentum(0.9));

  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "metrics.csv", checkpoint = fs::path(o.out) / "checkpoint.pt";
  std::vector<EpochMetrics> rows;
  int first_epoch = 1;
  if (o.resume) {
    // One file holds the epoch, the model and the optimizer, as a Python user's dict checkpoint
    // (torch.load(path, weights_only=True)["model"] loads into the same network in PyTorch).
    const auto ck = ember::serialize::load_ivalue(checkpoint.string()).toGenericDict();
    ember::serialize::load_state_dict(*model, ck.at("model"), true, checkpoint.string());
    ember::serialize::load_optimizer_state_dict(*optimizer, ck.at("optimizer"), checkpoint.string());
    const int done = static_cast<int>(ck.at("epoch").toInt());
    for (const auto& m : read_metrics(csv))
      if (m.epoch <= done) rows.push_back(m);
    first_epoch = done + 1;
    std::printf("resuming from %s after epoch %d\n", checkpoint.string().c_str(), done);
  }

  auto train_set = torch::data::datasets::MNIST(o.data, torch::data::datasets::MNIST::Mode::kTrain);
  auto test_set = torch::data::datasets::MNIST(o.data, torch::data::datasets::MNIST::Mode::kTest);
  const torch::Tensor test_images = (test_set.images() - kMean) / kStd, test_targets = test_set.targets();
  const int64_t n = static_cast<int64_t>(*train_set.size());
  std::printf("%s model, %s lr %g, batch %lld, %lld training and %lld test images, %d threads\n", o.model.c_str(),
              o.optimizer.c_str(), lr, static_cast<long long>(o.batch_size), static_cast<long long>(n),
              static_cast<long long>(test_images.size(0)), static_cast<int>(torch::get_num_threads()));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      std::move(train_set)
          .map(torch::data::transforms::Normalize<>(kMean, kStd))
          .map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(static_cast<size_t>(o.batch_size)));
  const int64_t batches = (n + o.batch_size - 1) / o.batch_size;

  // The schedule spans --epochs: a run resumed with the same --epochs continues it exactly (the
  // steps already taken are replayed; they only set learning rates and momenta).
  std::unique_ptr<ember::optim::OneCycleLR> schedule;
  if (one_cycle) {
    schedule = std::make_unique<ember::optim::OneCycleLR>(
        *optimizer, ember::optim::OneCycleLROptions(lr).total_steps(static_cast<int64_t>(epochs) * batches));
    for (int64_t i = 0; i < static_cast<int64_t>(std::min(first_epoch - 1, epochs)) * batches; ++i) schedule->step();
  }

  Evaluation last{};
  for (int epoch = first_epoch; epoch <= epochs; ++epoch) {
    // Each epoch's shuffle and dropout masks depend only on (seed, epoch), so a resumed run draws
    // exactly what an uninterrupted one would.
    torch::manual_seed(o.seed * 1000003 + static_cast<uint64_t>(epoch));
    Progress progress(epoch, epochs, batches);
    model->train();
    double loss_sum = 0;
    int64_t seen = 0, batch_index = 0;
    for (auto& batch : *loader) {
      optimizer->zero_grad();
      auto loss = torch::cross_entropy_loss(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer->step();
      if (schedule) schedule->step();
      const int64_t b = batch.data.size(0);
      loss_sum += loss.template item<double>() * static_cast<double>(b);
      seen += b;
      progress.update(++batch_index, seen, loss_sum / static_cast<double>(seen));
    }
    const double train_seconds = progress.seconds();
    last = evaluate(model, test_images, test_targets);
    rows.push_back({epoch, loss_sum / static_cast<double>(seen), last.loss, last.accuracy, train_seconds});
    std::printf("epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1fs\n", epoch, epochs,
                rows.back().train_loss, last.loss, 100 * last.accuracy, train_seconds);
    ember::GenericDict ck;
    ck.insert("epoch", int64_t(epoch));
    ck.insert("model", ember::serialize::state_dict(*model));
    ck.insert("optimizer", ember::serialize::optimizer_state_dict(*optimizer));
    ember::serialize::save_ivalue(ck, checkpoint.string());  // atomic: a kill leaves the previous one
    write_metrics(csv, rows);
    write_curves(fs::path(o.out) / "curves.svg", rows);
  }
  if (first_epoch > epochs) last = evaluate(model, test_images, test_targets);
  print_confusion(last.confusion);
  std::printf("test accuracy %.2f%%\n", 100 * last.accuracy);
  // The whole run (data loading and evaluation included) and the most memory it held at once.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
  std::printf("wall time %.1f s, peak RSS %.1f MiB\n", wall, static_cast<double>(usage.ru_maxrss) / 1024.0);  // KiB
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.out = "fashion_mnist_out";
  CLI::App app{"Train an MLP or a CNN on Fashion-MNIST"};
  add_train_options(app, o,
                    {"examples per step", "threads (default: all cores)",
                     "folder for checkpoints, metrics.csv and curves.svg"});
  CLI11_PARSE(app, argc, argv);
  try {
    if (o.threads > 0) torch::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    if (o.model == "cnn") return run(o, Cnn());
    return run(o, Mlp());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return 1;
  }
}
