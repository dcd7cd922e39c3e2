// What the Fashion-MNIST trainers share (examples/fashion_mnist.cpp and its data-parallel twin
// fashion_mnist_ddp.cpp): the CNN and the MLP, the progress line, metrics.csv, curves.svg, the
// test-set evaluation, the confusion matrix and the command-line options they both take.
#pragma once
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

namespace fashion_mnist {

// The options both trainers take.
struct TrainOptions {
  std::string model = "cnn", optimizer = "adam", data = "/usr/share/datasets/fashion-mnist", out;
  int epochs = 0;  // 0: the model's default
  int64_t batch_size = 128;
  double lr = 0;    // 0: the model's default
  int threads = 0;  // 0: the trainer's default
  uint64_t seed = 1;
  bool resume = false;
};
// The help texts that differ between the two.
struct TrainOptionHelp {
  const char* batch_size;
  const char* threads;
  const char* out;
};
inline void add_train_options(CLI::App& app, TrainOptions& o, const TrainOptionHelp& help) {
  app.add_option("--model", o.model, "mlp or cnn")->check(CLI::IsMember({"mlp", "cnn"}));
  app.add_option("--epochs", o.epochs, "epochs to train (default: 3 for the CNN, 8 for the MLP)")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o.batch_size, help.batch_size)->check(CLI::PositiveNumber);
  app.add_option("--lr", o.lr, "learning rate; the CNN's peak rate (default: 0.004 for the CNN, 0.001 for the MLP)")
      ->check(CLI::PositiveNumber);
  app.add_option("--optimizer", o.optimizer, "sgd (momentum 0.9) or adam")->check(CLI::IsMember({"sgd", "adam"}));
  app.add_option("--threads", o.threads, help.threads)->check(CLI::NonNegativeNumber);
  app.add_option("--data", o.data, "folder with the Fashion-MNIST IDX files (raw or .gz)");
  app.add_option("--out", o.out, help.out);
  app.add_flag("--resume", o.resume, "continue from the checkpoint in --out");
  app.add_option("--seed", o.seed, "random seed");
}

inline const char* const kClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
// Fashion-MNIST's training-set pixel mean and standard deviation (of pixel / 255).
inline constexpr double kMean = 0.2860, kStd = 0.3530;


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

inline const auto kStart = std::chrono::steady_clock::now();

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

inline std::vector<EpochMetrics> read_metrics(const std::filesystem::path& csv) {
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

inline void write_metrics(const std::filesystem::path& csv, const std::vector<EpochMetrics>& rows) {
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

inline void write_curves(const std::filesystem::path& svg, const std::vector<EpochMetrics>& rows) {
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

inline void print_confusion(const std::vector<int64_t>& confusion) {
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

}  // namespace fashion_mnist
