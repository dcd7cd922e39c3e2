// The main job end to end on a small synthetic Fashion-MNIST (IDX files written here): it learns,
// writes metrics.csv, curves.svg and a PyTorch-format checkpoint, and --resume continues exactly.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../data/idx_files.h"

namespace {

using data_test::Bytes;

std::string run(const std::string& cmd) {
  std::array<char, 512> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  return out;
}

// Class c lights a 6x6 block at a place of its own, over a faint noise of another class's block.
void write_learnable_mnist(const data_test::TempDir& dir, const std::string& prefix, uint32_t count) {
  Bytes images, labels;
  data_test::put_u32(images, 0x803);
  data_test::put_u32(images, count);
  data_test::put_u32(images, 28);
  data_test::put_u32(images, 28);
  data_test::put_u32(labels, 0x801);
  data_test::put_u32(labels, count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t c = (i * 7 + 3) % 10, decoy = (i * 3 + 5) % 10;
    labels.push_back(static_cast<uint8_t>(c));
    for (uint32_t y = 0; y < 28; ++y)
      for (uint32_t x = 0; x < 28; ++x) {
        auto in_block = [&](uint32_t k) {
          const uint32_t by = 2 + (k / 4) * 8, bx = 2 + (k % 4) * 6;
          return y >= by && y < by + 6 && x >= bx && x < bx + 6;
        };
        uint32_t v = (i * 131 + y * 29 + x * 17) % 40;
        if (in_block(c)) v += 200;
        else if (in_block(decoy)) v += 60;
        images.push_back(static_cast<uint8_t>(v));
      }
  }
  data_test::write_file(dir.file(prefix + "-images-idx3-ubyte"), images);
  data_test::write_file(dir.file(prefix + "-labels-idx1-ubyte.gz"), data_test::gzip(labels));
}

std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// metrics.csv rows without the timing column.
std::vector<std::string> metrics_without_seconds(const std::string& path) {
  std::vector<std::string> out;
  for (const std::string& l : lines(path)) out.push_back(l.substr(0, l.rfind(',')));
  return out;
}

struct Trainer : ::testing::Test {
  void SetUp() override {
    write_learnable_mnist(dir, "train", 600);
    write_learnable_mnist(dir, "t10k", 200);
  }
  std::string train(const std::string& args) {
    return run(std::string(EMBER_EXAMPLES_DIR) + "/fashion_mnist --threads 1 --batch-size 50 --data " + dir.path +
               " " + args);
  }
  data_test::TempDir dir;
};

}  // namespace

TEST_F(Trainer, LearnsAndWritesItsReports) {
  const std::string out = train("--model mlp --epochs 3 --out " + dir.file("a"));
  ASSERT_NE(out.find("test accuracy"), std::string::npos) << out;
  EXPECT_NE(out.find("confusion matrix"), std::string::npos) << out;
  EXPECT_NE(out.find("Ankle boot"), std::string::npos) << out;
  double wall = 0, peak_mib = 0;
  const size_t summary = out.find("wall time ");
  ASSERT_NE(summary, std::string::npos) << out;
  ASSERT_EQ(std::sscanf(out.c_str() + summary, "wall time %lf s, peak RSS %lf MiB", &wall, &peak_mib), 2) << out;
  EXPECT_GT(wall, 0);
  // ru_maxrss is in KiB: this small run holds more than a MiB (the program, the model, the data) and far
  // less than a GiB; a wrong unit would miss one bound or the other.
  EXPECT_GT(peak_mib, 1);
  EXPECT_LT(peak_mib, 1024);
  const auto rows = lines(dir.file("a/metrics.csv"));
  ASSERT_EQ(rows.size(), 4u) << out;
  EXPECT_EQ(rows[0], "epoch,train_loss,test_loss,test_accuracy,seconds");
  double first_loss = 0, last_loss = 0, accuracy = 0;
  ASSERT_EQ(std::sscanf(rows[1].c_str(), "1,%lf", &first_loss), 1);
  ASSERT_EQ(std::sscanf(rows[3].c_str(), "3,%lf,%*f,%lf", &last_loss, &accuracy), 2);
  EXPECT_LT(last_loss, first_loss * 0.5);
  EXPECT_GT(accuracy, 0.9) << out;

  const auto svg = lines(dir.file("a/curves.svg"));
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(svg[0].rfind("<svg", 0), 0u);
  std::string all;
  for (const auto& l : svg) all += l;
  for (const char* label : {">epoch<", ">Loss<", ">Test accuracy<", "<polyline"})
    EXPECT_NE(all.find(label), std::string::npos) << label;

  // The checkpoint is a Python-style dict: {"epoch", "model" (state dict), "optimizer"}.
  const auto ck = ember::serialize::load_ivalue(dir.file("a/checkpoint.pt")).toGenericDict();
  EXPECT_EQ(ck.at("epoch").toInt(), 3);
  const auto model = ck.at("model").toGenericDict();
  EXPECT_EQ(model.at("fc1.weight").toTensor().sizes(), torch::IntArrayRef({256, 784}));
  EXPECT_TRUE(ck.at("optimizer").toGenericDict().contains("param_groups"));
}

TEST_F(Trainer, ResumeContinuesExactly) {
  train("--model mlp --epochs 3 --out " + dir.file("straight"));
  train("--model mlp --epochs 1 --out " + dir.file("resumed"));
  const std::string out = train("--model mlp --epochs 3 --resume --out " + dir.file("resumed"));
  EXPECT_NE(out.find("resuming from"), std::string::npos) << out;
  const auto straight = metrics_without_seconds(dir.file("straight/metrics.csv"));
  ASSERT_EQ(straight.size(), 4u);
  EXPECT_EQ(metrics_without_seconds(dir.file("resumed/metrics.csv")), straight);
}

TEST_F(Trainer, CnnTrainsAndBadArgumentsAreRefused) {
  const std::string out = train("--model cnn --epochs 1 --optimizer sgd --lr 0.05 --out " + dir.file("cnn"));
  const auto rows = lines(dir.file("cnn/metrics.csv"));
  ASSERT_EQ(rows.size(), 2u) << out;
  double accuracy = 0;
  ASSERT_EQ(std::sscanf(rows[1].c_str(), "1,%*f,%*f,%lf", &accuracy), 1);
  EXPECT_GT(accuracy, 0.3) << out;  // chance is 0.1
  EXPECT_NE(train("--model resnet").find("--model"), std::string::npos);
  const std::string missing =
      run(std::string(EMBER_EXAMPLES_DIR) + "/fashion_mnist --data /nonexistent --out " + dir.file("x"));
  EXPECT_NE(missing.find("fashion_mnist: MNIST: cannot find train-images-idx3-ubyte"), std::string::npos) << missing;
}
