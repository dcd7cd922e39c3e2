// The data loader: batch order, drop_last, reproducible shuffling, identical batches with 0, 2 or
// 3 workers, worker exceptions, early destruction, epochs, prefetch bounds, timeouts, stateful and
// stream datasets, distributed sampling; and the datasets and transforms it feeds on.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "expect_error.h"

namespace data = torch::data;
namespace samplers = torch::data::samplers;
namespace transforms = torch::data::transforms;

namespace {

std::atomic<int> g_live_numbers{0};

// Example i is data [2] filled with i and target i (int64 scalar). It can throw at one index, sleep
// on each example, and counts the examples fetched and the copies of itself alive.
struct Numbers : data::datasets::Dataset<Numbers> {
  explicit Numbers(size_t n, std::optional<size_t> bad = std::nullopt, int sleep_us = 0)
      : n(n), bad(bad), sleep_us(sleep_us), fetched(std::make_shared<std::atomic<int>>(0)) {
    ++g_live_numbers;
  }
  Numbers(const Numbers& o) : n(o.n), bad(o.bad), sleep_us(o.sleep_us), fetched(o.fetched) { ++g_live_numbers; }
  Numbers(Numbers&& o) noexcept : n(o.n), bad(o.bad), sleep_us(o.sleep_us), fetched(o.fetched) { ++g_live_numbers; }
  ~Numbers() override { --g_live_numbers; }

  data::Example<> get(size_t i) override {
    ++*fetched;
    if (bad && i == *bad) throw std::runtime_error("bad example " + std::to_string(i));
    if (sleep_us) std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
    return {torch::full({2}, static_cast<double>(i)), torch::tensor(static_cast<int64_t>(i))};
  }
  std::optional<size_t> size() const override { return n; }

  size_t n;
  std::optional<size_t> bad;
  int sleep_us;
  std::shared_ptr<std::atomic<int>> fetched;
};

using Batches = std::vector<std::vector<int64_t>>;

std::vector<int64_t> targets_of(const data::Example<>& batch) {
  auto t = batch.target.contiguous();
  EXPECT_EQ(t.dim(), 1);
  EXPECT_EQ(batch.data.sizes(), torch::IntArrayRef({t.size(0), 2}));
  // The data rows belong to the targets: data stays paired with its target through the workers.
  EXPECT_TRUE(batch.data.select(1, 0).equal(t.to(torch::kFloat)));
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

template <typename Loader>
Batches epoch(Loader& loader) {
  Batches out;
  for (auto& batch : loader) out.push_back(targets_of(batch));
  return out;
}

std::vector<int64_t> flat(const Batches& b) {
  std::vector<int64_t> v;
  for (auto& x : b) v.insert(v.end(), x.begin(), x.end());
  return v;
}

std::vector<int64_t> range(int64_t n, int64_t start = 0) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

auto stacked(size_t n, std::optional<size_t> bad = std::nullopt, int sleep_us = 0) {
  return Numbers(n, bad, sleep_us).map(transforms::Stack<>());
}

}  // namespace

TEST(DataLoader, SequentialOrderAndDropLast) {
  for (size_t workers : {0, 2}) {
    SCOPED_TRACE(testing::Message() << workers << " workers");
    auto loader = data::make_data_loader<samplers::SequentialSampler>(
        stacked(10), data::DataLoaderOptions().batch_size(4).workers(workers));
    EXPECT_EQ(epoch(*loader), (Batches{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
    EXPECT_EQ(epoch(*loader), (Batches{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));  // every begin() a new epoch
    auto dropping = data::make_data_loader<samplers::SequentialSampler>(
        stacked(10), data::DataLoaderOptions().batch_size(4).workers(workers).drop_last(true));
    EXPECT_EQ(epoch(*dropping), (Batches{{0, 1, 2, 3}, {4, 5, 6, 7}}));
    auto exact = data::make_data_loader<samplers::SequentialSampler>(
        stacked(8), data::DataLoaderOptions().batch_size(4).workers(workers).drop_last(true));
    EXPECT_EQ(epoch(*exact).size(), 2u);
    auto empty =
        data::make_data_loader<samplers::SequentialSampler>(stacked(0), data::DataLoaderOptions(3).workers(workers));
    EXPECT_TRUE(epoch(*empty).empty());
  }
}

TEST(DataLoader, UnstackedBatchesAreVectorsOfExamples) {
  auto loader = data::make_data_loader(Numbers(5), samplers::SequentialSampler(5), data::DataLoaderOptions(2));
  std::vector<size_t> sizes;
  for (std::vector<data::Example<>>& batch : *loader) {
    sizes.push_back(batch.size());
    EXPECT_EQ(batch[0].target.dim(), 0);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
}

TEST(DataLoader, ShufflingIsReproducibleUnderManualSeed) {
  auto run = [](uint64_t seed) {
    torch::manual_seed(seed);
    auto loader = data::make_data_loader(stacked(50), 8);  // RandomSampler by default, as LibTorch
    return std::vector<Batches>{epoch(*loader), epoch(*loader)};
  };
  auto a = run(7);
  EXPECT_EQ(run(7), a);
  EXPECT_NE(run(8), a);
  EXPECT_NE(a[0], a[1]);  // each epoch reshuffles
  for (auto& e : a) {
    auto v = flat(e);
    std::sort(v.begin(), v.end());
    EXPECT_EQ(v, range(50));
    EXPECT_EQ(e.size(), 7u);
  }
}

// The loader hands out the same batches in the same order whatever the number of workers, and
// draws the same random numbers, so shuffled epochs agree too.
TEST(DataLoader, WorkersGiveIdenticalBatches) {
  auto run = [](size_t workers, std::optional<size_t> max_jobs) {
    torch::manual_seed(11);
    auto loader = data::make_data_loader<samplers::RandomSampler>(
        stacked(103), data::DataLoaderOptions().batch_size(10).workers(workers).max_jobs(max_jobs));
    std::vector<Batches> epochs;
    for (int e = 0; e < 3; ++e) epochs.push_back(epoch(*loader));
    epochs.push_back({{torch::randint(1000, {1}).item<int64_t>()}});  // the generator's state afterwards
    return epochs;
  };
  const auto reference = run(0, std::nullopt);
  EXPECT_EQ(reference[0].size(), 11u);
  EXPECT_EQ(run(2, std::nullopt), reference);
  EXPECT_EQ(run(3, std::nullopt), reference);
  EXPECT_EQ(run(3, 1), reference);
  EXPECT_EQ(run(2, 7), reference);

  // Without enforce_ordering batches may come as they finish, but they are the same batches.
  torch::manual_seed(11);
  auto loader = data::make_data_loader<samplers::RandomSampler>(
      stacked(103), data::DataLoaderOptions().batch_size(10).workers(3).enforce_ordering(false));
  auto unordered = epoch(*loader);
  auto ordered = reference[0];
  std::sort(unordered.begin(), unordered.end());
  std::sort(ordered.begin(), ordered.end());
  EXPECT_EQ(unordered, ordered);
}

namespace {
// Example 0 takes 30 ms, the others none: workers finish batch 0 last.
struct SlowFirst : data::datasets::Dataset<SlowFirst> {
  data::Example<> get(size_t i) override {
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return {torch::full({2}, static_cast<double>(i)), torch::tensor(static_cast<int64_t>(i))};
  }
  std::optional<size_t> size() const override { return 12; }
};
}  // namespace

TEST(DataLoader, OrderIsKeptWhenWorkersFinishOutOfOrder) {
  auto loader = data::make_data_loader<samplers::SequentialSampler>(SlowFirst().map(transforms::Stack<>()),
                                                                    data::DataLoaderOptions(1).workers(3));
  EXPECT_EQ(flat(epoch(*loader)), range(12));
  auto unordered = data::make_data_loader<samplers::SequentialSampler>(
      SlowFirst().map(transforms::Stack<>()), data::DataLoaderOptions(1).workers(3).enforce_ordering(false));
  auto got = flat(epoch(*unordered));
  std::cout << "[ info ] unordered arrival: first batch " << got[0] << "\n";
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, range(12));
}

TEST(DataLoader, WorkerExceptionReachesTheCaller) {
  auto loader =
      data::make_data_loader<samplers::SequentialSampler>(stacked(40, 13), data::DataLoaderOptions(4).workers(2));
  auto it = loader->begin();
  EXPECT_EQ(targets_of(*it), range(4, 0));
  ++it;
  ++it;
  EXPECT_EQ(targets_of(*it), range(4, 8));
  try {
    ++it;  // the batch 12..15 holds the bad example
    ADD_FAILURE() << "no exception";
  } catch (const data::WorkerException& e) {
    EXPECT_NE(
        std::string(e.what()).find("Caught exception in DataLoader worker thread. Original message: bad example 13"),
        std::string::npos)
        << e.what();
    EXPECT_THROW(std::rethrow_exception(e.original_exception), std::runtime_error);
  }
  // The epoch goes on after the failed batch.
  ++it;
  EXPECT_EQ(targets_of(*it), range(4, 16));
  size_t rest = 0;
  for (; it != loader->end(); ++it) ++rest;
  EXPECT_EQ(rest, 6u);  // 16..39

  // WorkerException is a c10::Error, so code catching torch's one error type sees it.
  bool caught = false;
  try {
    for (auto& batch : *loader) (void)batch;
  } catch (const c10::Error&) {
    caught = true;
  }
  EXPECT_TRUE(caught);

  // Without workers the dataset's own exception arrives as it is.
  auto inline_loader = data::make_data_loader<samplers::SequentialSampler>(stacked(40, 13), 4);
  EXPECT_THROW(epoch(*inline_loader), std::runtime_error);
}

TEST(DataLoader, DestroyedMidEpochJoinsWorkers) {
  const int before = g_live_numbers.load();
  for (size_t workers : {1, 3}) {
    {
      // Destroyed while workers are busy preparing slow batches.
      auto loader = data::make_data_loader<samplers::SequentialSampler>(stacked(400, std::nullopt, 500),
                                                                        data::DataLoaderOptions(8).workers(workers));
      auto it = loader->begin();
      EXPECT_EQ(targets_of(*it).size(), 8u);
    }
    {
      // Destroyed before any epoch, and after a finished one.
      auto idle = data::make_data_loader(stacked(10), data::DataLoaderOptions(3).workers(workers));
      auto done = data::make_data_loader(stacked(10), data::DataLoaderOptions(3).workers(workers));
      EXPECT_EQ(epoch(*done).size(), 4u);
    }
    {
      // Joined explicitly, then destroyed.
      auto loader = data::make_data_loader(stacked(10), data::DataLoaderOptions(3).workers(workers));
      auto it = loader->begin();
      (void)*it;
      loader->join();
      loader->join();
      expect_error([&] { loader->begin(); }, "begin() was called after join()");
    }
    EXPECT_EQ(g_live_numbers.load(), before);  // every dataset copy the workers held is gone
  }
}

TEST(DataLoader, BeginStartsANewEpochEvenMidway) {
  for (size_t workers : {0, 2}) {
    auto loader =
        data::make_data_loader<samplers::SequentialSampler>(stacked(20), data::DataLoaderOptions(5).workers(workers));
    auto old = loader->begin();
    EXPECT_EQ(targets_of(*old), range(5));
    ++old;
    EXPECT_EQ(epoch(*loader), (Batches{range(5), range(5, 5), range(5, 10), range(5, 15)}));
    expect_error([&] { ++old; }, "this iterator belongs to an earlier epoch");
  }
}

TEST(DataLoader, IteratorMisuse) {
  auto loader = data::make_data_loader<samplers::SequentialSampler>(stacked(2), 2);
  auto end = loader->end();
  expect_error([&] { ++end; }, "Incrementing the DataLoader's past-the-end iterator is not allowed");
  expect_error([&] { *end; }, "Dereferencing the DataLoader's past-the-end iterator is not allowed");
  auto it = loader->begin();
  ++it;
  EXPECT_TRUE(it == loader->end());
  expect_error([&] { *it; }, "Attempted to dereference iterator that was past the end");
  expect_error([&] { ++it; }, "Attempted to increment iterator past the end");
}

// At most max_jobs batches are requested ahead of the consumer.
TEST(DataLoader, PrefetchIsBoundedByMaxJobs) {
  Numbers ds(100);
  auto fetched = ds.fetched;
  auto loader = data::make_data_loader<samplers::SequentialSampler>(ds.map(transforms::Stack<>()),
                                                                    data::DataLoaderOptions(1).workers(2).max_jobs(3));
  auto it = loader->begin();
  (void)*it;
  ++it;
  (void)*it;
  // Give the workers time to run ahead as far as they are allowed to.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(fetched->load(), 2);
  EXPECT_LE(fetched->load(), 2 + 3);
}

TEST(DataLoader, Timeout) {
  auto loader = data::make_data_loader<samplers::SequentialSampler>(
      stacked(2, std::nullopt, 150000), data::DataLoaderOptions(1).workers(1).timeout(std::chrono::milliseconds(10)));
  expect_error([&] { epoch(*loader); }, "Timeout in DataLoader queue while waiting for next batch (timeout was 10 ms)");
}

TEST(DataLoader, BadOptions) {
  expect_error([] { data::make_data_loader(stacked(4), data::DataLoaderOptions(0)); }, "batch_size must be positive");
  expect_error([] { data::make_data_loader(stacked(4), data::DataLoaderOptions(2).workers(2).max_jobs(0)); },
               "max_jobs must be at least 1 with 2 workers");
  data::DataLoaderOptions o(5);
  EXPECT_EQ(o.batch_size(), 5u);
  EXPECT_TRUE(o.enforce_ordering());
  EXPECT_FALSE(o.drop_last());
  auto loader = data::make_data_loader(stacked(4), data::DataLoaderOptions(2).workers(3));
  EXPECT_EQ(loader->options().max_jobs, 6u);  // 2 * workers, as LibTorch
}

namespace {
struct Unsized : data::datasets::Dataset<Unsized> {
  data::Example<> get(size_t) override { return {}; }
  std::optional<size_t> size() const override { return std::nullopt; }
};

// Hands out 0, 1, ..., n - 1 in chunks until it runs dry; several workers may call it at once.
struct Counter : data::datasets::StatefulDataset<Counter, std::vector<int64_t>> {
  explicit Counter(int64_t n) : n(n) {}
  Counter(const Counter& o) : n(o.n), next(o.next) {}
  std::optional<std::vector<int64_t>> get_batch(size_t count) override {
    std::lock_guard<std::mutex> lock(mu);
    if (next >= n) return std::nullopt;
    std::vector<int64_t> out;
    for (size_t i = 0; i < count && next < n; ++i) out.push_back(next++);
    return out;
  }
  std::optional<size_t> size() const override { return static_cast<size_t>(n); }
  void reset() override {
    std::lock_guard<std::mutex> lock(mu);
    next = 0;
  }
  int64_t n, next = 0;
  std::mutex mu;
};

// A stream of squares, asked only for how many it should produce.
struct Squares : data::datasets::StreamDataset<Squares, std::vector<int64_t>> {
  std::vector<int64_t> get_batch(size_t count) override {
    std::vector<int64_t> out;
    for (size_t i = 0; i < count; ++i, ++k) out.push_back(k * k);
    return out;
  }
  std::optional<size_t> size() const override { return std::nullopt; }
  int64_t k = 0;
};
}  // namespace

TEST(DataLoader, UnsizedDatasetNeedsASampler) {
  expect_error([] { data::make_data_loader(Unsized(), 4); }, "Expected the dataset to be sized");
}

TEST(DataLoader, StatefulDataset) {
  for (size_t workers : {0, 1, 3}) {
    SCOPED_TRACE(testing::Message() << workers << " workers");
    auto loader = data::make_data_loader(Counter(23), data::DataLoaderOptions(5).workers(workers));
    for (int e = 0; e < 2; ++e) {
      std::vector<int64_t> all;
      for (auto& batch : *loader) all.insert(all.end(), batch.begin(), batch.end());
      std::sort(all.begin(), all.end());
      EXPECT_EQ(all, range(23));
    }
  }
}

TEST(DataLoader, StreamDatasetWithStreamSampler) {
  auto loader = data::make_data_loader(Squares(), samplers::StreamSampler(10), data::DataLoaderOptions(4));
  std::vector<std::vector<int64_t>> got;
  for (auto& batch : *loader) got.push_back(batch);
  EXPECT_EQ(got, (std::vector<std::vector<int64_t>>{{0, 1, 4, 9}, {16, 25, 36, 49}, {64, 81}}));
}

TEST(DataLoader, DistributedSamplersShardTheLoader) {
  std::vector<int64_t> all;
  for (size_t rank = 0; rank < 3; ++rank) {
    auto loader = data::make_data_loader(stacked(30), samplers::DistributedRandomSampler(30, 3, rank, false),
                                         data::DataLoaderOptions(4).workers(2));
    auto shard = flat(epoch(*loader));
    EXPECT_EQ(shard.size(), 10u);
    all.insert(all.end(), shard.begin(), shard.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, range(30));
  // The sampler type named first, the sampler given.
  auto loader = data::make_data_loader<samplers::DistributedSequentialSampler>(
      stacked(30), samplers::DistributedSequentialSampler(30, 3, 2), data::DataLoaderOptions(4));
  EXPECT_EQ(flat(epoch(*loader)), range(10, 20));
}

// ---------------------------------------------------------------- datasets and transforms

TEST(Datasets, TensorDatasetAndStack) {
  auto rows = torch::arange(12, torch::kFloat).reshape({6, 2});
  data::datasets::TensorDataset ds(rows);
  EXPECT_EQ(ds.size().value(), 6u);
  torch::Tensor row = ds.get(2);
  EXPECT_TRUE(row.equal(rows[2]));
  expect_error([&] { ds.get(6); }, "index 6 is out of range for a data set of 6 examples");
  auto loader =
      data::make_data_loader<samplers::SequentialSampler>(ds.map(transforms::Stack<data::TensorExample>()), 4);
  std::vector<int64_t> sizes;
  for (auto& batch : *loader) {
    torch::Tensor t = batch;
    sizes.push_back(t.size(0));
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 2}));
  data::datasets::TensorDataset from_list({torch::ones({3}), torch::zeros({3})});
  EXPECT_EQ(from_list.tensor.sizes(), torch::IntArrayRef({2, 3}));
  expect_error([] { data::datasets::TensorDataset(torch::tensor(1.0)); }, "at least one dimension");
  expect_error([] { transforms::Stack<>().apply_batch({}); }, "cannot collate an empty batch");
}

TEST(Transforms, NormalizeScalarAndPerChannel) {
  auto x = torch::tensor({0.0, 0.25, 0.5, 1.0}, torch::kFloat).reshape({1, 2, 2});
  transforms::Normalize<> scalar(0.5, 0.25);
  auto y = scalar(x);
  EXPECT_TRUE(y.equal(torch::tensor({-2.0, -1.0, 0.0, 2.0}, torch::kFloat).reshape({1, 2, 2})));
  auto e = scalar.apply({x, torch::tensor(int64_t(3))});
  EXPECT_TRUE(e.data.equal(y));
  EXPECT_EQ(e.target.item<int64_t>(), 3);

  auto rgb = torch::ones({3, 2, 2});
  transforms::Normalize<> channels({0.5, 0.0, 2.0}, {0.5, 4.0, 1.0});
  auto z = channels(rgb);
  EXPECT_TRUE(z[0].equal(torch::full({2, 2}, 1.0)));
  EXPECT_TRUE(z[1].equal(torch::full({2, 2}, 0.25)));
  EXPECT_TRUE(z[2].equal(torch::full({2, 2}, -1.0)));
  EXPECT_EQ(channels.mean.sizes(), torch::IntArrayRef({3, 1, 1}));

  expect_error(
      [&] {
        channels(torch::ones({1, 2, 2}));
      },
      "Normalize: 3 per-channel values need an input of shape [..., 3, H, W], got [1, 2, 2]");
  expect_error([] { transforms::Normalize<>(0.5, 0.0); }, "std evaluated to zero");
  expect_error([] { transforms::Normalize<>({0.1, 0.2}, {0.1, 0.2, 0.3}); }, "mean has 2 values and stddev 3");
}

TEST(Transforms, LambdasAndCollateChain) {
  using E = data::Example<>;
  auto doubled = Numbers(6)
                     .map(transforms::TensorLambda<>([](torch::Tensor t) { return t * 2; }))
                     .map(transforms::Lambda<E>([](E e) { return E(e.data + 1, e.target); }))
                     .map(transforms::BatchLambda<std::vector<E>>([](std::vector<E> b) {
                       std::reverse(b.begin(), b.end());
                       return b;
                     }))
                     .map(transforms::Collate<int64_t, std::vector<E>>([](std::vector<E> b) {
                       int64_t s = 0;
                       for (auto& e : b)
                         s += static_cast<int64_t>(e.data[0].item<float>()) * 100 + e.target.item<int64_t>();
                       return s;
                     }));
  auto loader = data::make_data_loader<samplers::SequentialSampler>(doubled, 3);
  std::vector<int64_t> sums;
  for (int64_t s : *loader) sums.push_back(s);
  // Batch {0,1,2}: data 2i+1 -> 100 * (1+3+5) + (0+1+2); batch {3,4,5}: 100 * (7+9+11) + 12.
  EXPECT_EQ(sums, (std::vector<int64_t>{903, 2712}));
  // map() on an lvalue copies the dataset and leaves it usable.
  Numbers base(4);
  auto mapped = base.map(transforms::Stack<>());
  EXPECT_EQ(mapped.size().value(), 4u);
  EXPECT_EQ(base.get(1).target.item<int64_t>(), 1);
  EXPECT_EQ(mapped.get_batch(std::vector<size_t>{3, 1}).target.size(0), 2);
}
