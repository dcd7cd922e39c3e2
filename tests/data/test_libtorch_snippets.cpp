// LibTorch-style data code, written as LibTorch users write it, compiled against ember and run on
// a small synthetic MNIST directory.
#include "data/idx_files.h"

using namespace data_test;

namespace {

// Verbatim LibTorch usage: fully qualified names.
std::vector<int64_t> qualified(const std::string& root) {
  auto ds = torch::data::datasets::MNIST(root)
                .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                .map(torch::data::transforms::Stack<>());
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      std::move(ds), torch::data::DataLoaderOptions().batch_size(16).workers(2));
  std::vector<int64_t> sizes;
  for (auto& batch : *loader) {
    EXPECT_EQ(batch.data.sizes(), torch::IntArrayRef({batch.target.size(0), 1, 28, 28}));
    EXPECT_EQ(batch.target.dtype(), torch::kLong);
    sizes.push_back(batch.target.size(0));
  }
  return sizes;
}

// The other common spelling: `using namespace torch;` then `data::...`.
std::vector<int64_t> unqualified(const std::string& root) {
  using namespace torch;
  auto train = data::datasets::MNIST(root, data::datasets::MNIST::Mode::kTrain)
                   .map(data::transforms::Normalize<>(0.5, 0.5))
                   .map(data::transforms::Stack<>());
  const size_t n = train.size().value();
  auto loader = data::make_data_loader(std::move(train), data::samplers::SequentialSampler(n),
                                       data::DataLoaderOptions(16).drop_last(true));
  std::vector<int64_t> sizes;
  for (data::Example<>& batch : *loader) {
    Tensor x = batch.data;
    EXPECT_GE(x.min().item<float>(), -1.0f);
    EXPECT_LE(x.max().item<float>(), 1.0f);
    sizes.push_back(batch.target.size(0));
  }
  return sizes;
}

}  // namespace

TEST(LibTorchSnippets, MnistLoaderCompilesAndRuns) {
  TempDir dir;
  write_mnist(dir, "train", 60, true);
  EXPECT_EQ(qualified(dir.path), (std::vector<int64_t>{16, 16, 16, 12}));
  EXPECT_EQ(unqualified(dir.path), (std::vector<int64_t>{16, 16, 16}));
}
