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

namespace fs = std::filesystem;

namespace {

const char* const kClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
// Fashion-MNIST's training-set pixel mean and standard deviation (of pixel / 255).
constexpr double kMean = 0.2860, kStd = 0.3530;

struct Options {
  std::string model = "cnn", optimizer = "adam", data = "/usr/share/datasets/fashion-mnist", out = "fashion_mnist_out";
  int epochs = 0;  // 0: the model's default
  int64_t batch_size = 128;
  double lr = 0;  // 0: the model's default
  int threads = 0;  // 0: all cores
  uint64_t seed = 1;
  bool resume = false;
};

// Two 3x3 convolutions, each with batch norm and max-pooling, then two linear layers: ~220k
// parameters, about 8 MFLOP per image for a training step, sized for a two-core CPU. Batch norm and
// the one-cycle schedule (run below) let it pass 91% test accuracy in three epochs.
struct CnnImpl : torch::nn::Module {
  CnnImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3).padding(1)))),
        bn1(register_module("bn1", torch::nn::BatchNorm2d(16))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1)))),
        bn2(register_module("bn2", torch::nn::BatchNorm2d(32))),
        fc1(register_module("fc1", torch::nn::Linear(32 * 7 * 7, 128))),
        fc2(register_module("fc2", torch::nn::Linear(128, 10))),
        dropout(register_module("dropout", torch::nn::Dropout(0.1))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(bn1->forward(conv1->forward(x))), 2);  // 16 x 14 x 14
    x = torch::max_pool2d(torch::relu(bn2->forward(conv2->forward(x))), 2);  // 32 x 7 x 7
    x = dropout->forward(torch::relu(fc1->forward(x.flatten(1))));
    return fc2->forward(x);
  }
  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Linear fc1, fc2;
  torch::nn::Dropout dropout;
};
TORCH_MODULE(Cnn);

struct MlpImpl : torch::nn::Module {
  MlpImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 256))),
        fc2(register_module("fc2", torch::nn::Linear(256, 128))),
        fc3(register_module("fc3", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(fc1->forward(x.flatten(1)));
    x = torch::relu(fc2->forward(x));
    return fc3->forward(x);
  }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(Mlp);

const auto kStart = std::chrono::steady_clock::now();

// One line that redraws itself on a terminal; a plain line per tenth of the epoch otherwise.
class Progress {
 public:
  Progress(int epoch, int epochs, int64_t batches)
      : epoch_(epoch), epochs_(epochs), batches_(batches), tty_(isatty(STDOUT_FILENO) != 0),
        start_(std::chrono::steady_clock::now()) {}
  void update(int64_t batch, int64_t samples, double loss) {
    const double s = seconds();
    const bool last = batch == batches_;
    if (tty_) {
      if (!last && s - drawn_ < 0.1) return;
      drawn_ = s;
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * batch / std::max<int64_t>(batches_, 1));
      std::string bar(static_cast<size_t>(filled), '=');
      if (filled < kWidth) bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
      std::printf("\repoch %d/%d [%s] %lld/%lld loss %.4f  %.0f samples/s  ETA %.0fs ", epoch_, epochs_, bar.c_str(),
                  static_cast<long long>(batch), static_cast<long long>(batches_), loss, samples / std::max(s, 1e-9),
                  s / static_cast<double>(batch) * static_cast<double>(batches_ - batch));
      if (last) std::printf("\n");
      std::fflush(stdout);
    } else if (last || batch * 10 / batches_ != (batch - 1) * 10 / batches_) {
      std::printf("epoch %d/%d batch %lld/%lld loss %.4f %.0f samples/s\n", epoch_, epochs_,
                  static_cast<long long>(batch), static_cast<long long>(batches_), loss, samples / std::max(s, 1e-9));
      std::fflush(stdout);
    }
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  int epoch_, epochs_;
  int64_t batches_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  double drawn_ = -1;
};

struct EpochMetrics {
  int epoch;
  double train_loss, test_loss, test_accuracy, seconds;
};

std::vector<EpochMetrics> read_metrics(const fs::path& csv) {
  std::vector<EpochMetrics> rows;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    EpochMetrics m{};
    if (std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf", &m.epoch, &m.train_loss, &m.test_loss, &m.test_accuracy,
                    &m.seconds) == 5)
      rows.push_back(m);
  }
  return rows;
}

void write_metrics(const fs::path& csv, const std::vector<EpochMetrics>& rows) {
  std::ofstream out(csv);
  out << "epoch,train_loss,test_loss,test_accuracy,seconds\n" << std::setprecision(9);
  for (const auto& m : rows)
    out << m.epoch << ',' << m.train_loss << ',' << m.test_loss << ',' << m.test_accuracy << ',' << m.seconds << '\n';
}

// Two panels (loss; accuracy) against the epoch, with axes, ticks, labels and a legend.
struct Series {
  const char* name;
  const char* colour;
  double (*value)(const EpochMetrics&);
};

void write_curves(const fs::path& svg, const std::vector<EpochMetrics>& rows) {
  std::ofstream out(svg);
  const double W = 420, H = 300, left = 60, right = 20, top = 40, bottom = 50;
  out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << 2 * W << "' height='" << H
      << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  auto panel = [&](double x0, const char* title, const char* ylabel, const std::vector<Series>& series) {
    double lo = 1e300, hi = -1e300;
    for (const auto& m : rows)
      for (const auto& sr : series) lo = std::min(lo, sr.value(m)), hi = std::max(hi, sr.value(m));
    if (rows.empty()) lo = 0, hi = 1;
    if (hi - lo < 1e-9) hi = lo + 1e-3;
    const double pad = (hi - lo) * 0.1;
    lo -= pad, hi += pad;
    const int n = std::max<int>(rows.empty() ? 0 : rows.back().epoch, 2);
    auto px = [&](double e) { return x0 + left + (e - 1) / (n - 1) * (W - left - right); };
    auto py = [&](double v) { return top + (hi - v) / (hi - lo) * (H - top - bottom); };
    out << "<text x='" << x0 + W / 2 << "' y='20' text-anchor='middle' font-size='14'>" << title << "</text>\n";
    out << "<line x1='" << x0 + left << "' y1='" << H - bottom << "' x2='" << x0 + W - right << "' y2='" << H - bottom
        << "' stroke='black'/>\n<line x1='" << x0 + left << "' y1='" << top << "' x2='" << x0 + left << "' y2='"
        << H - bottom << "' stroke='black'/>\n";
    for (int e = 1; e <= n; ++e)
      out << "<text x='" << px(e) << "' y='" << H - bottom + 16 << "' text-anchor='middle'>" << e << "</text>\n";
    for (int i = 0; i <= 4; ++i) {
      const double v = lo + (hi - lo) * i / 4;
      out << "<text x='" << x0 + left - 6 << "' y='" << py(v) + 4 << "' text-anchor='end'>" << std::setprecision(3) << v
          << "</text>\n";
    }
    out << "<text x='" << x0 + W / 2 << "' y='" << H - 12 << "' text-anchor='middle'>epoch</text>\n";
    out << "<text transform='translate(" << x0 + 14 << "," << H / 2 << ") rotate(-90)' text-anchor='middle'>" << ylabel
        << "</text>\n";
    for (size_t k = 0; k < series.size(); ++k) {
      const Series& sr = series[k];
      out << "<polyline fill='none' stroke='" << sr.colour << "' stroke-width='2' points='";
      for (const auto& m : rows) out << px(m.epoch) << ',' << py(sr.value(m)) << ' ';
      out << "'/>\n";
      for (const auto& m : rows)
        out << "<circle cx='" << px(m.epoch) << "' cy='" << py(sr.value(m)) << "' r='3' fill='" << sr.colour << "'/>\n";
      out << "<text x='" << x0 + W - right - 90 << "' y='" << top + 14 * static_cast<double>(k) << "' fill='" << sr.colour
          << "'>" << sr.name << "</text>\n";
    }
  };
  panel(0, "Loss", "cross-entropy",
        {{"train", "#1f77b4", [](const EpochMetrics& m) { return m.train_loss; }},
         {"test", "#d62728", [](const EpochMetrics& m) { return m.test_loss; }}});
  panel(W, "Test accuracy", "accuracy (%)",
        {{"test", "#d62728", [](const EpochMetrics& m) { return m.test_accuracy * 100; }}});
  out << "</svg>\n";
}

struct Evaluation {
  double loss, accuracy;
  std::vector<int64_t> confusion;  // 10 x 10, rows: true class
};

template <typename Model>
Evaluation evaluate(Model& model, const torch::Tensor& images, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  model->eval();
  Evaluation r{0, 0, std::vector<int64_t>(100, 0)};
  const int64_t n = images.size(0);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += 1000) {
    const int64_t end = std::min(n, start + 1000);
    auto x = images.slice(0, start, end), y = targets.slice(0, start, end);
    auto logits = model->forward(x);
    loss_sum += torch::cross_entropy_loss(logits, y, {}, torch::Reduction::Sum).template item<double>();
    auto predicted = logits.argmax(1);
    correct += predicted.eq(y).sum().template item<int64_t>();
    const torch::Tensor p = predicted.contiguous(), t = y.contiguous();
    for (int64_t i = 0; i < end - start; ++i) ++r.confusion[t.data_ptr<int64_t>()[i] * 10 + p.data_ptr<int64_t>()[i]];
  }
  r.loss = loss_sum / static_cast<double>(n);
  r.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  model->train();
  return r;
}

void print_confusion(const std::vector<int64_t>& confusion) {
  std::printf("\nconfusion matrix (rows: true class, columns: predicted)\n%12s", "");
  for (int c = 0; c < 10; ++c) std::printf("%6d", c);
  std::printf("   accuracy\n");
  for (int t = 0; t < 10; ++t) {
    int64_t row = 0;
    std::printf("%d %-10s", t, kClasses[t]);
    for (int p = 0; p < 10; ++p) std::printf("%6lld", static_cast<long long>(confusion[t * 10 + p])), row += confusion[t * 10 + p];
    std::printf("   %6.2f%%\n", row ? 100.0 * static_cast<double>(confusion[t * 11]) / static_cast<double>(row) : 0.0);
  }
}

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
  CLI::App app{"Train an MLP or a CNN on Fashion-MNIST"};
  app.add_option("--model", o.model, "mlp or cnn")->check(CLI::IsMember({"mlp", "cnn"}));
  app.add_option("--epochs", o.epochs, "epochs to train (default: 3 for the CNN, 8 for the MLP)")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o.batch_size, "examples per step")->check(CLI::PositiveNumber);
  app.add_option("--lr", o.lr, "learning rate; the CNN's peak rate (default: 0.004 for the CNN, 0.001 for the MLP)")->check(CLI::PositiveNumber);
  app.add_option("--optimizer", o.optimizer, "sgd (momentum 0.9) or adam")->check(CLI::IsMember({"sgd", "adam"}));
  app.add_option("--threads", o.threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data, "folder with the Fashion-MNIST IDX files (raw or .gz)");
  app.add_option("--out", o.out, "folder for checkpoints, metrics.csv and curves.svg");
  app.add_flag("--resume", o.resume, "continue from the checkpoint in --out");
  app.add_option("--seed", o.seed, "random seed");
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
